// Fixtures for component tests: leads, reps, snapshots and a fake socket emitter.
import { signal } from '@preact/signals';
import type { Emitter } from '../../client/src/lib/socket';
import type { Ack, DashboardState, Lead, LeadView, Mode, PoolState, Rep } from '../../shared/protocol';
import { DEFAULT_SETTINGS } from '../../shared/protocol';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export const rep = (over: Partial<Rep> = {}): Rep => ({
  id: 'rep_1',
  name: 'Maya Chen',
  skills: [],
  languages: ['en'],
  countries: [],
  teams: [],
  maxActive: null,
  weight: 1,
  createdAt: ago(86_400_000),
  presence: 'available',
  activeCount: 0,
  ...over,
});

export const fullLead = (id: string, over: Partial<Lead> = {}): Lead => ({
  id,
  status: 'open',
  createdAt: ago(65_000),
  name: `Person ${id}`,
  email: `${id}@acme.example`,
  phone: '+49 30 1234567',
  company: `Company ${id}`,
  companySize: 120,
  country: 'DE',
  language: 'de',
  industry: 'Software',
  jobTitle: 'CTO',
  source: 'webinar',
  ...over,
});

/** A LeadView as the server builds it per mode (no contact fields). */
export function view(lead: Lead, mode: Mode): LeadView {
  if (mode === 'shark-tank') {
    const { id, createdAt, country, language, industry, companySize, source } = lead;
    return { id, createdAt, country, language, industry, companySize, source };
  }
  const { name: _n, email: _e, phone: _p, eligible: _el, ...rest } = lead;
  return rest;
}

export function poolState(mode: Mode, leads: Lead[], mine: Lead[] = [], over: Partial<PoolState> = {}): PoolState {
  const offers = mode === 'blind-pull' || mode === 'round-robin' ? [] : leads.map((l) => view(l, mode));
  return {
    mode,
    you: rep(),
    leads: offers,
    mine,
    waiting: mode === 'round-robin' ? 0 : leads.length,
    oldestAgeMs: leads.length ? 65_000 : null,
    maxActive: 3,
    ...over,
  };
}

export interface FakeEmitter extends Emitter {
  calls: { event: string; payload: unknown }[];
  answer(event: string, ack: Ack<any> | ((payload: any) => Ack<any>)): void;
}

export function fakeEmitter(): FakeEmitter {
  const answers = new Map<string, Ack<any> | ((payload: any) => Ack<any>)>();
  const calls: { event: string; payload: unknown }[] = [];
  return {
    calls,
    answer: (event, ack) => answers.set(event, ack),
    async request(event, payload) {
      calls.push({ event, payload });
      const a = answers.get(event) ?? { ok: true };
      return (typeof a === 'function' ? a(payload) : a) as any;
    },
  };
}

export const connected = () => signal<'connected' | 'reconnecting' | 'offline' | 'connecting'>('connected');

export function dashboard(over: Partial<DashboardState> = {}): DashboardState {
  const open = [fullLead('l1'), fullLead('l2', { company: 'Blue Labs' })];
  const claimed = fullLead('l3', { status: 'claimed', claimedBy: 'rep_1', claimedAt: ago(10_000) });
  return {
    mode: 'shark-tank',
    settings: { ...DEFAULT_SETTINGS },
    rules: [],
    reps: [
      rep({ activeCount: 1 }),
      rep({ id: 'rep_2', name: 'Jonas Weber', presence: 'away' }),
      rep({ id: 'rep_3', name: 'Sam Okafor', presence: 'offline' }),
    ],
    open,
    recent: [claimed, ...open],
    stats: {
      open: 2,
      claimed: 1,
      closed: 0,
      disqualified: 0,
      repsOnline: 2,
      repsAvailable: 1,
      medianSpeedToClaimMs: 4200,
      oldestWaitingMs: 65_000,
    },
    ...over,
  };
}
