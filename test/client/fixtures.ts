// Fixtures for component tests: leads, reps, snapshots and a fake socket emitter.
import { signal } from '@preact/signals';
import { vi } from 'vitest';
import type { Http } from '../../client/src/lib/http';
import type { ConnectionState, Emitter } from '../../client/src/lib/socket';
import type { Answer, RepClientToServer, RequestPayload } from '../../shared/events';
import type { DashboardState, Lead, LeadView, LiveStats, Mode, PoolOverview, PoolState, Rep } from '../../shared/protocol';
import { DEFAULT_SETTINGS, DEFAULT_TEASER_FIELDS, LEAD_OFFERING_MODES } from '../../shared/protocol';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export const rep = (over: Partial<Rep> = {}): Rep => ({
  id: 'rep_1',
  name: 'Maya Chen',
  skills: [],
  languages: ['en'],
  countries: [],
  teams: [],
  pools: ['default'],
  maxActive: null,
  weight: 1,
  createdAt: ago(86_400_000),
  presence: 'available',
  activeCount: 0,
  ...over,
});

export const fullLead = (id: string, over: Partial<Lead> = {}): Lead => ({
  id,
  poolId: 'default',
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
    return {
      id: lead.id,
      poolId: lead.poolId,
      createdAt: lead.createdAt,
      ...Object.fromEntries(DEFAULT_TEASER_FIELDS.map((f) => [f, lead[f]])),
    };
  }
  const { name: _n, email: _e, phone: _p, eligible: _el, ...rest } = lead;
  return rest;
}

export function poolState(mode: Mode, leads: Lead[], mine: Lead[] = [], over: Partial<PoolState> = {}): PoolState {
  const offers = LEAD_OFFERING_MODES.includes(mode) ? leads.map((l) => view(l, mode)) : [];
  return {
    poolId: 'default',
    poolName: 'Default',
    mode,
    you: rep(),
    leads: offers,
    mine,
    waiting: mode === 'round-robin' ? 0 : leads.length,
    oldestAgeMs: leads.length ? 65_000 : null,
    maxActive: 3,
    claimTimeoutMs: null,
    ...over,
  };
}

type RepEvent = keyof RepClientToServer;
/** The answer to give to `event`: fixed, or computed from its payload. */
type Answering<K extends RepEvent> =
  | Answer<RepClientToServer, K>
  | ((payload: RequestPayload<RepClientToServer, K>) => Answer<RepClientToServer, K>);

/** A rep connection without a socket: records what the model sends and answers it (`{ ok: true }` unless told otherwise). */
export interface FakeEmitter extends Emitter<RepClientToServer> {
  calls: { event: RepEvent; payload: unknown }[];
  answer<K extends RepEvent>(event: K, ack: Answering<K>): void;
}

export function fakeEmitter(): FakeEmitter {
  const answers = new Map<RepEvent, unknown>();
  const calls: { event: RepEvent; payload: unknown }[] = [];
  return {
    calls,
    answer: (event, ack) => answers.set(event, ack),
    async request<K extends RepEvent>(event: K, payload: RequestPayload<RepClientToServer, K>) {
      calls.push({ event, payload });
      const a = (answers.get(event) as Answering<K> | undefined) ?? ({ ok: true } as Answer<RepClientToServer, K>);
      return typeof a === 'function' ? a(payload) : a;
    },
  };
}

export const connected = () => signal<ConnectionState>('connected');

/** A pool as the manager's overview lists it. */
export const poolOverview = (over: Partial<PoolOverview> = {}): PoolOverview => ({
  id: 'default',
  name: 'Default',
  mode: 'shark-tank',
  settings: { ...DEFAULT_SETTINGS },
  rules: [],
  createdAt: ago(86_400_000 * 7),
  waiting: 2,
  claimed: 1,
  oldestAgeMs: 65_000,
  repsOnline: 2,
  ...over,
});

export const liveStats = (over: Partial<LiveStats> = {}): LiveStats => ({
  open: 2,
  claimed: 1,
  closed: 0,
  disqualified: 0,
  repsOnline: 2,
  repsAvailable: 1,
  medianSpeedToClaimMs: 4200,
  oldestWaitingMs: 65_000,
  pools: { default: { open: 2, claimed: 1, oldestWaitingMs: 65_000, repsOnline: 2 } },
  ...over,
});

export function dashboard(over: Partial<DashboardState> = {}): DashboardState {
  const open = [fullLead('l1'), fullLead('l2', { company: 'Blue Labs' })];
  const claimed = fullLead('l3', { status: 'claimed', claimedBy: 'rep_1', claimedAt: ago(10_000) });
  return {
    mode: 'shark-tank',
    settings: { ...DEFAULT_SETTINGS },
    rules: [],
    pools: [poolOverview()],
    reps: [
      rep({ activeCount: 1 }),
      rep({ id: 'rep_2', name: 'Jonas Weber', presence: 'away' }),
      rep({ id: 'rep_3', name: 'Sam Okafor', presence: 'offline' }),
    ],
    open,
    recent: [claimed, ...open],
    stats: liveStats(),
    ...over,
  };
}

/**
 * A fake API: mocks that record each call (GET /api/reps lists nobody, PUT answers its
 * body, the rest `{}`, DELETE nothing), and `http`, the Http the model gets, which
 * answers whatever the mocks resolve to.
 */
export function fakeHttp() {
  const mocks = {
    get: vi.fn(async (path: string): Promise<unknown> => (path === '/api/reps' ? { reps: [] } : {})),
    post: vi.fn(async (_p: string, _b?: unknown): Promise<unknown> => ({})),
    put: vi.fn(async (_p: string, b?: unknown): Promise<unknown> => b),
    patch: vi.fn(async (_p: string, _b?: unknown): Promise<unknown> => ({})),
    del: vi.fn(async (_p: string): Promise<unknown> => undefined),
  };
  const http: Http = {
    get: <T>(...args: [string]) => mocks.get(...args) as Promise<T>,
    post: <T>(...args: [string, unknown?]) => mocks.post(...args) as Promise<T>,
    put: <T>(...args: [string, unknown?]) => mocks.put(...args) as Promise<T>,
    patch: <T>(...args: [string, unknown?]) => mocks.patch(...args) as Promise<T>,
    del: <T>(...args: [string]) => mocks.del(...args) as Promise<T>,
  };
  return { ...mocks, http };
}
