// Realistic fake leads for demos, the feed simulator, benchmarks and screenshots.
import type { LeadInput } from '../shared/protocol.js';

const FIRST = [
  'Ada',
  'Grace',
  'Linus',
  'Margaret',
  'Alan',
  'Hedy',
  'Tim',
  'Radia',
  'Ken',
  'Barbara',
  'Yuki',
  'Lars',
  'Sofia',
  'Mateo',
  'Amara',
  'Priya',
  'Chen',
  'Olga',
  'Kwame',
  'Ines',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Turing',
  'Lamarr',
  'Berners',
  'Perlman',
  'Thompson',
  'Liskov',
  'Tanaka',
  'Nilsson',
  'Rossi',
  'García',
  'Okafor',
  'Sharma',
  'Wei',
  'Ivanova',
  'Mensah',
  'Duarte',
];
const PLACES: { country: string; language: string; prefix: string }[] = [
  { country: 'US', language: 'en', prefix: '+1' },
  { country: 'GB', language: 'en', prefix: '+44' },
  { country: 'DE', language: 'de', prefix: '+49' },
  { country: 'FR', language: 'fr', prefix: '+33' },
  { country: 'ES', language: 'es', prefix: '+34' },
  { country: 'BR', language: 'pt', prefix: '+55' },
  { country: 'JP', language: 'ja', prefix: '+81' },
  { country: 'IN', language: 'en', prefix: '+91' },
  { country: 'NL', language: 'nl', prefix: '+31' },
  { country: 'SE', language: 'sv', prefix: '+46' },
  { country: 'IT', language: 'it', prefix: '+39' },
  { country: 'MX', language: 'es', prefix: '+52' },
];
const INDUSTRIES = ['SaaS', 'Healthcare', 'Fintech', 'Retail', 'Manufacturing', 'Logistics', 'Education', 'Real estate', 'Media', 'Energy'];
const TITLES = ['CEO', 'CTO', 'Head of Sales', 'Operations Manager', 'Founder', 'VP Marketing', 'Procurement Lead', 'IT Director'];
const SOURCES = ['web-form', 'google-ads', 'linkedin', 'partner-feed', 'webinar', 'referral'];
const COMPANY_A = ['Blue', 'North', 'Bright', 'Iron', 'Silver', 'Green', 'Rapid', 'Clear', 'Nova', 'Summit'];
const COMPANY_B = ['Labs', 'Systems', 'Logistics', 'Health', 'Capital', 'Works', 'Retail', 'Energy', 'Media', 'Dynamics'];
const SIZES = [3, 8, 15, 40, 85, 150, 320, 700, 1500, 5000];
const TAGS = ['pricing-page', 'demo-request', 'trial', 'enterprise', 'returning', 'newsletter'];

const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)];

/** Deterministic when given a seeded rnd; Math.random otherwise. */
export function fakeLead(n: number, rnd: () => number = Math.random): LeadInput {
  const first = pick(FIRST, rnd);
  const last = pick(LAST, rnd);
  const place = pick(PLACES, rnd);
  const company = `${pick(COMPANY_A, rnd)} ${pick(COMPANY_B, rnd)}`;
  const domain = `${company.toLowerCase().replace(/[^a-z]/g, '')}.example`;
  const tags = TAGS.filter(() => rnd() < 0.2);
  return {
    externalId: `sim-${Date.now().toString(36)}-${n}`,
    name: `${first} ${last}`,
    email: `${`${first}.${last}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z.]/g, '')}${n}@${domain}`,
    phone: `${place.prefix} ${Math.floor(100 + rnd() * 900)} ${Math.floor(1000000 + rnd() * 9000000)}`,
    company,
    companySize: pick(SIZES, rnd),
    country: place.country,
    language: place.language,
    industry: pick(INDUSTRIES, rnd),
    jobTitle: pick(TITLES, rnd),
    source: pick(SOURCES, rnd),
    engagement: { visits: 1 + Math.floor(rnd() * 12), secondsOnSite: Math.floor(rnd() * 900) },
    ...(tags.length ? { tags } : {}),
  };
}

/** A small seeded PRNG (mulberry32) for repeatable runs. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
