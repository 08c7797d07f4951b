// The lead list's search and filters (docs/API.md, GET /api/leads), one definition for both
// stores: the words a lead is found by (searchTokens, indexed by each store), and the
// predicate every candidate is checked against (leadMatches), so both stores answer alike.
import type { Lead, LeadInput, LeadStatus } from '../../shared/protocol.js';

/** A lead-list query as the stores take it (all optional but limit). */
export interface LeadSearch {
  /** Words, each a prefix of one of the lead's tokens (name, email, phone, company, external id). */
  q?: string;
  poolId?: string;
  status?: LeadStatus;
  /** The rep holding it (or that held it: closed leads keep claimedBy). */
  repId?: string;
  source?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  /** createdAt bounds, ISO times, inclusive. */
  from?: string;
  to?: string;
  /** The `next` of the previous page: leads accepted before it. */
  before?: string;
  limit: number;
}

export interface LeadPage {
  leads: Lead[];
  /** Present when more leads may match: pass it as `before`. */
  next?: string;
  /** How many later posts were duplicates of each listed lead (absent = none). */
  duplicates: Record<string, number>;
}

/** Tokens shorter than this are not indexed by prefix (a 1- or 2-letter query scans in order). */
export const TOKEN_PREFIX = 3;
const MAX_TOKEN = 100;

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[\s,;()"'<>]+/)
    .filter(Boolean);
const digits = (s: string) => s.replace(/\D/g, '');

/** The normalized words a lead is found by: never shown, only matched by prefix. */
export function searchTokens(lead: Pick<LeadInput, 'name' | 'email' | 'phone' | 'company' | 'externalId'>): string[] {
  const out = new Set<string>();
  const add = (t: string) => {
    if (t) out.add(t.slice(0, MAX_TOKEN));
  };
  if (lead.name) {
    add(lead.name.toLowerCase().trim());
    for (const w of words(lead.name)) add(w);
  }
  if (lead.email) {
    const email = lead.email.toLowerCase();
    add(email);
    const at = email.indexOf('@');
    if (at > 0) add(email.slice(at + 1));
  }
  if (lead.phone) {
    const d = digits(lead.phone);
    add(d);
    // a number is searched by its tail too (the last 7 digits: without country or area code)
    if (d.length > 7) add(d.slice(-7));
  }
  if (lead.company) {
    add(lead.company.toLowerCase().trim());
    for (const w of words(lead.company)) add(w);
  }
  if (lead.externalId) add(lead.externalId.toLowerCase());
  return [...out];
}

/** The words of a query, normalized as tokens are (a phone-like word: its digits). */
export function queryWords(q: string): string[] {
  // a phone number written with spaces is one word
  if (/^\+?[\d\s().\-/]+$/.test(q.trim()) && digits(q).length >= 3) return [digits(q)];
  return words(q).map((w) => (/^[+\d][\d\s().\-/]*$/.test(w) && digits(w).length >= 3 ? digits(w) : w));
}

/** Every word is a prefix of one of the tokens. */
export function tokensMatch(tokens: string[], queryWordList: string[]): boolean {
  return queryWordList.every((w) => tokens.some((t) => t.startsWith(w)));
}

/** Whether a lead passes every condition of the query but the cursor. */
export function leadMatches(lead: Lead, s: Omit<LeadSearch, 'limit' | 'before'>): boolean {
  if (s.poolId !== undefined && lead.poolId !== s.poolId) return false;
  if (s.status !== undefined && lead.status !== s.status) return false;
  if (s.repId !== undefined && lead.claimedBy !== s.repId) return false;
  if (s.source !== undefined && lead.source !== s.source) return false;
  if (s.country !== undefined && lead.country !== s.country) return false;
  if (s.from !== undefined && lead.createdAt < s.from) return false;
  if (s.to !== undefined && lead.createdAt > s.to) return false;
  if (s.q !== undefined && s.q.trim() !== '' && !tokensMatch(searchTokens(lead), queryWords(s.q))) return false;
  return true;
}
