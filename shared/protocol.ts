// The wire contract (docs/API.md) as TypeScript: data shapes and constants shared by the
// server, the web app and the tests. Socket.IO event names and payloads: events.ts. Types
// only plus small constant tables, so the browser bundle pulls in nothing heavy from here.

export const MODES = ['shark-tank', 'blind-pull', 'cherry-pick', 'hybrid', 'round-robin'] as const;
export type Mode = (typeof MODES)[number];
/** Modes that show reps individual leads (lead:offered, pool:state.leads); the others show counts or nothing. */
export const LEAD_OFFERING_MODES: readonly Mode[] = ['shark-tank', 'cherry-pick', 'hybrid'];

export const LEAD_STATUSES = ['open', 'claimed', 'closed', 'disqualified'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const OUTCOMES = ['contacted', 'won', 'lost', 'unreachable'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** Outcomes that close a lead; `contacted` keeps it with its owner. */
export const CLOSING_OUTCOMES: readonly Outcome[] = ['won', 'lost', 'unreachable'];

export type Presence = 'available' | 'away' | 'offline';
/** What a rep may set itself to (presence:set); `offline` follows from its tabs. */
export type PresenceStatus = Exclude<Presence, 'offline'>;

/** Fields that reach a rep only for a lead that rep owns, in every mode. */
export const CONTACT_FIELDS = ['name', 'email', 'phone'] as const;

/** Every field a lead may carry from its feed (LeadInput's keys). */
export const LEAD_INPUT_FIELDS = [
  'externalId',
  'name',
  'email',
  'phone',
  'company',
  'companySize',
  'country',
  'language',
  'industry',
  'jobTitle',
  'source',
  'engagement',
  'tags',
  'attributes',
] as const;
export type LeadInputField = (typeof LEAD_INPUT_FIELDS)[number];

export const DEFAULT_TEASER_FIELDS: LeadInputField[] = ['country', 'language', 'industry', 'companySize', 'source'];

/** The pool a fresh install has, that cannot be deleted, and that every v1 route and event means. */
export const DEFAULT_POOL = 'default';
export const DEFAULT_POOL_NAME = 'Default';
/** The mode of a fresh install and of a new pool created without one. */
export const DEFAULT_MODE: Mode = 'shark-tank';
/** What a pool id looks like (docs/API.md, Pools). */
export const POOL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** pool:state carries at most this many leads (the oldest); `waiting` counts them all. */
export const POOL_STATE_LIMIT = 500;

export interface LeadInput {
  externalId?: string;
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  companySize?: number;
  country?: string;
  language?: string;
  industry?: string;
  jobTitle?: string;
  source?: string;
  engagement?: { visits?: number; secondsOnSite?: number };
  tags?: string[];
  attributes?: Record<string, string | number | boolean>;
}

export interface Lead extends LeadInput {
  id: string;
  /** The pool this lead belongs to (exactly one). */
  poolId: string;
  /** The feed key that posted it, when it came through one. */
  feedId?: string;
  status: LeadStatus;
  createdAt: string;
  claimedBy?: string;
  claimedAt?: string;
  outcome?: Outcome;
  outcomeNote?: string;
  closedAt?: string;
  /** Rep ids the hybrid rules route this lead to, or "*" for everyone. Managers only. */
  eligible?: string[] | '*';
  /** Set when a hybrid lead was escalated to every rep. */
  escalatedAt?: string;
  disqualifiedReasons?: string[];
}

/** What a rep sees of a lead it does not own: never contact fields, never `eligible`. */
export type LeadView = Partial<Omit<Lead, 'name' | 'email' | 'phone' | 'eligible'>> & { id: string; createdAt: string; poolId: string };

export interface Rep {
  id: string;
  name: string;
  skills: string[];
  languages: string[];
  countries: string[];
  teams: string[];
  /** The pools whose leads this rep sees, claims and pulls (default ["default"]). */
  pools: string[];
  /** Caps this rep's held leads in all pools together, and overrides each pool's maxActivePerRep. */
  maxActive: number | null;
  /** Round-robin weight when settings.weighted (default 1). */
  weight: number;
  createdAt: string;
  presence: Presence;
  /** Leads this rep holds now (status claimed). */
  activeCount?: number;
}

export interface Filters {
  requireFields?: LeadInputField[];
  countries?: string[];
  minVisits?: number;
  minSecondsOnSite?: number;
}

export interface Settings {
  maxActivePerRep: number;
  teaserFields: LeadInputField[];
  filters: Filters;
  /** null = off */
  escalateAfterMs: number | null;
  claimTimeoutMs: number | null;
  claimCooldownMs: number;
  maxClaimsPerWindow: number | null;
  claimWindowMs: number | null;
  duplicateWindowMs: number | null;
  weighted: boolean;
  /** Flood guard: claims and pulls one rep may send per second, all tabs and nodes together (0 = off). */
  maxActionsPerSecond: number;
}

export const DEFAULT_SETTINGS: Settings = {
  maxActivePerRep: 10,
  teaserFields: [...DEFAULT_TEASER_FIELDS],
  filters: {},
  escalateAfterMs: null,
  claimTimeoutMs: null,
  claimCooldownMs: 0,
  maxClaimsPerWindow: null,
  claimWindowMs: null,
  duplicateWindowMs: null,
  weighted: false,
  maxActionsPerSecond: 200,
};

/** A pool: its own mode, settings, rules, open leads, round-robin turn, timers and stats. */
export interface Pool {
  id: string;
  name: string;
  mode: Mode;
  settings: Settings;
  createdAt: string;
}

/** A lead source with its own key: it posts only into its pools. The key is never shown again. */
export interface Feed {
  id: string;
  name: string;
  /** The pools it may post into; POST /api/leads with its key goes to the first. */
  pools: string[];
  createdAt: string;
}

/** Webhook event types (docs/API.md, Webhooks); `ping` is only sent by "send test event". */
export const WEBHOOK_EVENTS = [
  'lead.created',
  'lead.disqualified',
  'lead.claimed',
  'lead.released',
  'lead.outcome',
  'lead.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** A webhook as the API shows it (its secret is shown once, at creation). */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  /** Only events of these pools; absent = every pool. */
  poolIds?: string[];
  enabled: boolean;
  createdAt: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One delivery of one event to one webhook, the same id (Leadpool-Delivery) on every attempt. */
export interface WebhookDelivery {
  id: string;
  webhookId: string;
  event: WebhookEventType | 'ping';
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  /** HTTP status of the last attempt (absent: no answer, see lastError). */
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: string;
  /** When the next attempt is due (pending only). */
  nextAttemptAt?: string;
}

/** The JSON body of every webhook POST. */
export interface WebhookPayload {
  /** The delivery id (also the Leadpool-Delivery header). */
  id: string;
  type: WebhookEventType | 'ping';
  /** When the event happened. */
  createdAt: string;
  poolId: string | null;
  data: { lead?: Lead; rep?: { id: string; name: string }; reason?: string; webhookId?: string };
}

export interface RuleWhen {
  country?: string[];
  language?: string[];
  industry?: string[];
  source?: string[];
  tags?: string[];
  companySize?: { min?: number; max?: number };
}
export interface RuleTo {
  reps?: string[];
  countries?: string[];
  languages?: string[];
  skills?: string[];
  teams?: string[];
}
export interface Rule {
  name: string;
  when: RuleWhen;
  to: RuleTo;
}

const ERROR_CODES = [
  'BAD_JSON',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'TOO_LARGE',
  'INVALID',
  'RATE_LIMITED',
  'STORE_UNAVAILABLE',
  'INTERNAL',
  'ALREADY_CLAIMED',
  'NOT_OPEN',
  'NOT_ELIGIBLE',
  'CAP_REACHED',
  'MODE_FORBIDS',
  'UNAVAILABLE',
  'COOLDOWN',
  'WINDOW_CAP',
  'POOL_EMPTY',
  'NOT_OWNER',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

export type GoneReason = 'claimed' | 'assigned' | 'withdrawn' | 'expired';
export type RevokedReason = 'expired' | 'released' | 'reassigned' | 'removed';

/** One per pool of the rep (on connect, on that pool's mode change, when the rep joins it). */
export interface PoolState {
  poolId: string;
  /** The pool's display name. */
  poolName: string;
  mode: Mode;
  you: Rep;
  leads: LeadView[];
  mine: Lead[];
  waiting: number;
  /** Age of the oldest lead this rep may take, or null when none waits. */
  oldestAgeMs: number | null;
  /** The cap that applies to this rep in this pool. */
  maxActive: number;
  /**
   * The pool's claim timeout: a lead the rep holds goes back to the pool this long after
   * its claim unless an outcome is recorded first (null = never).
   */
  claimTimeoutMs: number | null;
}

export interface LiveStats {
  open: number;
  claimed: number;
  closed: number;
  disqualified: number;
  repsOnline: number;
  repsAvailable: number;
  /** Median ms from creation to claim over the latest 100 claims among the 500 newest leads, null when none. */
  medianSpeedToClaimMs: number | null;
  oldestWaitingMs: number | null;
  /** The same figures per pool (the dashboard's pool overview). */
  pools: Record<string, PoolFigures>;
}

/** Live figures of one pool. */
export interface PoolFigures {
  open: number;
  claimed: number;
  oldestWaitingMs: number | null;
  /** Reps of this pool with a tab open (available or away). */
  repsOnline: number;
}

/** A pool as the manager sees it: its configuration and its live figures. */
export interface PoolOverview extends Pool {
  rules: Rule[];
  /** Its open leads (GET /api/pools `waiting`). */
  waiting: number;
  claimed: number;
  oldestAgeMs: number | null;
  repsOnline: number;
}

/** The manager's snapshot. `mode`, `settings` and `rules` are the pool `default`'s (v1); `pools` has every pool. */
export interface DashboardState {
  mode: Mode;
  settings: Settings;
  rules: Rule[];
  pools: PoolOverview[];
  reps: Rep[];
  open: Lead[];
  recent: Lead[];
  stats: LiveStats;
}

interface RepSummary {
  repId: string;
  name: string;
  claimed: number;
  active: number;
  outcomes: Record<Outcome, number>;
  medianSpeedToClaimMs: number | null;
}

export interface ReportSummary {
  generatedAt: string;
  leads: { total: number; open: number; claimed: number; closed: number; disqualified: number };
  speedToClaimMs: { count: number; median: number | null; p90: number | null; mean: number | null };
  perRep: RepSummary[];
  /** 1 = perfectly even share of claims among reps that claimed anything; Jain's fairness index. */
  fairness: { jainIndex: number | null; maxShare: number | null };
  outcomes: Record<Outcome, number>;
}

// ---- audit trail (docs/API.md, Audit trail) ---------------------------------------------

/** Every kind of audit event; docs/API.md says what each carries in `data`. */
export const AUDIT_EVENT_TYPES = [
  'lead.created',
  'lead.duplicate',
  'lead.disqualified',
  'lead.claimed',
  'lead.pulled',
  'lead.assigned',
  'lead.released',
  'lead.revoked',
  'lead.escalated',
  'lead.expired',
  'lead.outcome',
  'lead.closed',
  'pool.created',
  'pool.renamed',
  'pool.deleted',
  'pool.mode',
  'pool.settings',
  'pool.rules',
  'rep.created',
  'rep.updated',
  'rep.removed',
  'rep.token',
  'rep.offline',
  'feed.created',
  'feed.key',
  'feed.revoked',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_ROLES = ['feed', 'form', 'manager', 'rep', 'system'] as const;
/** Who made a change: a feed key (id: the feed's, absent for LEADPOOL_FEED_KEY), a form, the manager, a rep, or the server itself (timers, sweeps). */
export interface AuditActor {
  role: (typeof AUDIT_ROLES)[number];
  id?: string;
}

/**
 * One recorded change. `id`s sort in the order the store recorded them: `<ms>-<n>` (a Redis
 * stream entry id; the embedded store makes them the same way), compared as two numbers.
 * Never holds a contact field.
 */
export interface AuditEvent {
  id: string;
  at: string;
  type: AuditEventType;
  poolId?: string;
  leadId?: string;
  repId?: string;
  actor: AuditActor;
  data?: Record<string, unknown>;
}

/** GET /api/events: newest first; `next` (when more) is the `before` of the next page. */
export interface EventPage {
  events: AuditEvent[];
  next?: string;
}
