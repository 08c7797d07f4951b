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

export type Presence = 'available' | 'away' | 'offline' | 'off-shift';
/** Only this presence takes leads: any other (away, offline, off-shift) is unavailable (server/domain/policy.ts isAvailable). */
export const AVAILABLE: Presence = 'available';
/** What a rep may set itself to (presence:set); `offline` follows from its tabs, `off-shift` from its schedule. */
export type PresenceStatus = Exclude<Presence, 'offline' | 'off-shift'>;

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
  /** When the lead had waited its pool's slaMs unclaimed (kept once claimed: reports count it). */
  overdueAt?: string;
  /** Set once when nobody available was eligible for it and its pool's whenNobodyEligible applied. Managers only. */
  stranded?: Stranded;
  disqualifiedReasons?: string[];
  /** The pool's mode when the lead was claimed or assigned (reports: speed per mode); cleared when it goes back to the pool. */
  claimMode?: Mode;
  /** The hosted form that captured it, when it came through one. */
  formId?: string;
  /** What the visitor agreed to on a hosted form with consent text, and when (GDPR). */
  consent?: Consent;
}

/** A consent given on a hosted form: the exact text shown, and when it was agreed to (ISO time). */
export interface Consent {
  text: string;
  at: string;
}

/** What a rep sees of a lead it does not own: never contact fields, never `eligible`. */
export type LeadView = Partial<Omit<Lead, 'name' | 'email' | 'phone' | 'eligible' | 'stranded'>> & {
  id: string;
  createdAt: string;
  poolId: string;
};

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
  /** Working hours and absences (none: always on shift). */
  schedule?: Schedule;
  /** Where the rep stands against its schedule now (reps with a schedule only). */
  shift?: ShiftStatus;
  /** Pools with `weightBy: "performance"`: the rep's current measured weight there (pool id -> weight). */
  performanceWeights?: Record<string, number>;
}

/** One weekly row: `day` 1 = Monday … 7 = Sunday, `from`/`to` "HH:MM" local (`to` < `from`: overnight, `to` "24:00": end of day). */
export interface WeeklyHours {
  day: number;
  from: string;
  to: string;
}
/** An absence: ISO dates (whole local days, `to` included) or times (no offset: local). */
export interface Absence {
  from: string;
  to: string;
}
export interface Schedule {
  /** IANA time zone name, e.g. "Europe/Berlin". */
  timeZone: string;
  /** Empty: every hour of every day (only `off` applies). */
  weekly: WeeklyHours[];
  off?: Absence[];
}
export interface ShiftStatus {
  onShift: boolean;
  /** When that changes next (ISO), null when never. */
  until: string | null;
}

/** How weighted round-robin weighs reps: each rep's `weight`, or measured performance. */
export const WEIGHT_BY = ['manual', 'performance'] as const;
export type WeightBy = (typeof WEIGHT_BY)[number];

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
  /** With `weighted`: the reps' own weights, or weights measured from their performance. */
  weightBy: WeightBy;
  /** Flood guard: claims and pulls one rep may send per second, all tabs and nodes together (0 = off). */
  maxActionsPerSecond: number;
  /** What happens at once to a lead whose eligible reps are all unavailable (docs/API.md, "No lead stranded"). */
  whenNobodyEligible: WhenNobodyEligible;
  /** A rep unavailable this long loses its claimed leads without an outcome (null = never). */
  reclaimAfterOfflineMs: number | null;
  /** A lead waiting longer than this is overdue (null = no target). */
  slaMs: number | null;
}

/** `everyone`: offer it to every available rep of its pool; `wait`: nothing; `{ pool }`: move it to that pool. */
export type WhenNobodyEligible = 'everyone' | 'wait' | { pool: string };
/** What whenNobodyEligible did: `moved` to another pool, or `everyone` / `wait` in its pool. */
export type StrandAction = 'everyone' | 'wait' | 'moved';
export interface Stranded {
  at: string;
  action: StrandAction;
  /** The pool it was stranded in (a moved lead's pool before the move). */
  poolId: string;
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
  weightBy: 'manual',
  maxActionsPerSecond: 200,
  // Not "wait": a hybrid rule that reaches only unavailable reps must not strand its leads.
  whenNobodyEligible: 'everyone',
  reclaimAfterOfflineMs: null,
  slaMs: null,
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
  'BAD_CSV',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

export type GoneReason = 'claimed' | 'assigned' | 'withdrawn' | 'expired';
export type RevokedReason = 'expired' | 'released' | 'reassigned' | 'removed' | 'offline';

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

/** The v1 summary; ReportSummary (below) keeps every field of it. */
interface ReportSummaryV1 {
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

// ---- reports v2 (docs/API.md, Reports) ------------------------------------------------------

/** Speed-to-claim percentiles (ms, nearest rank); null when nothing was claimed. */
export interface SpeedFigures {
  count: number;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

/** Leads and what became of them (a rep's, a source's, a pool's, a mode's). */
export interface LeadFigures {
  /** Leads that arrived in the range. */
  leads: number;
  /** Of them, taken by a rep (claimed, pulled or assigned; closed ones included). */
  claimed: number;
  contacted: number;
  won: number;
  lost: number;
  unreachable: number;
  /** won / (won + lost + unreachable): of the leads closed; null when none closed. */
  winRate: number | null;
  speedToClaimMs: SpeedFigures;
}

export interface ReportRepRow extends RepSummary, LeadFigures {
  /** This rep's part of the leads taken by reps in the range (0..1). */
  share: number;
}
export interface ReportSourceRow extends LeadFigures {
  /** The lead's `source` ("(none)" when it has none). */
  source: string;
  disqualified: number;
}
export interface ReportPoolRow extends LeadFigures {
  poolId: string;
  name: string;
  disqualified: number;
}
export interface ReportModeRow {
  /** The pool's mode when the lead was taken (Lead.claimMode). */
  mode: Mode;
  speedToClaimMs: SpeedFigures;
}
export interface ReportBucket {
  /** Start of the bucket (ISO); leads counted by arrival time. */
  start: string;
  leads: number;
  claimed: number;
  p50: number | null;
  p90: number | null;
}

/** GET /api/reports/summary: the v1 summary plus the v2 figures, over the leads that arrived in [from, to). */
export interface ReportSummary extends Omit<ReportSummaryV1, 'speedToClaimMs' | 'perRep' | 'fairness'> {
  range: { from: string | null; to: string | null; poolId: string | null };
  speedToClaimMs: ReportSummaryV1['speedToClaimMs'] & { p50: number | null; max: number | null };
  perRep: ReportRepRow[];
  fairness: ReportSummaryV1['fairness'] & {
    /** Gini coefficient of leads per active rep (reps that took a lead in the range): 0 = even, toward 1 = one rep takes all. */
    gini: number | null;
    activeReps: number;
    busiest: { repId: string; name: string; share: number } | null;
    /** The same in words, for a sales manager. */
    text: string;
  };
  /** Leads in, disqualified (by reason), taken by a rep, closed, still open. */
  flow: { in: number; disqualified: number; claimed: number; closed: number; open: number };
  disqualifiedByReason: Record<string, number>;
  perSource: ReportSourceRow[];
  perPool: ReportPoolRow[];
  perMode: ReportModeRow[];
  /** Speed to claim over time, by arrival bucket (`interval`: the bucket length). */
  series: { intervalMs: number; buckets: ReportBucket[] };
  /** Leads past their pool's SLA; null until the store records it (reports.ts overdueOf). */
  overdue: number | null;
}

/** A lead in a rules preview: its id, the rule it matched (null: none, so everyone) and routing fields, never contact fields. */
export type PreviewLead = { leadId: string; rule: string | null } & Pick<
  Lead,
  'country' | 'language' | 'industry' | 'source' | 'companySize'
>;

/** POST /api/rules/preview answer: how the given rules would route the pool's latest leads, now. */
export interface RulesPreview {
  poolId: string;
  /** How many leads were looked at (the latest `limit` of the pool, disqualified ones left out). */
  leads: number;
  perRule: { rule: string | null; leads: number; stranded: number }[];
  perRep: { repId: string; name: string; presence: Presence; eligible: number }[];
  /** Each lead looked at: its rule (null = no rule matched: everyone), its eligible reps and whether an available rep could take it. */
  items: (PreviewLead & { createdAt: string; status: LeadStatus; eligible: string[] | '*'; available: number })[];
  /** Leads no available (online, not away) rep could take under these rules. */
  stranded: (PreviewLead & { eligible: string[] | '*'; reason: string })[];
}

// ---- hosted lead forms and CSV import (docs/API.md, "Hosted lead forms", "CSV import") ----

/** The lead fields a hosted form may ask for, in the order a form shows them by default. */
export const FORM_FIELDS = ['name', 'email', 'phone', 'company', 'companySize', 'jobTitle', 'industry', 'country', 'language'] as const;
export type FormField = (typeof FORM_FIELDS)[number];
/** The fields of a form created without `fields`. */
export const DEFAULT_FORM_FIELDS: FormField[] = ['name', 'email', 'phone', 'company'];

/** A hosted lead form: `GET /form/:id` shows it, `POST /form/:id` takes its submissions into `poolId`. */
export interface HostedForm {
  id: string;
  name: string;
  poolId: string;
  fields: FormField[];
  /** Fields a visitor must fill (besides the lead rule: an email or a phone). */
  required: FormField[];
  title: string;
  intro?: string;
  submitLabel: string;
  /** When set, a checkbox with this text must be ticked; the lead records it (`consent`). */
  consentText?: string;
  successMessage: string;
  /** When set, a valid submission answers 303 to this URL instead of the success page. */
  redirectUrl?: string;
  /** Origins that may frame the form (CSP frame-ancestors); empty: none. */
  embedOrigins: string[];
  createdAt: string;
  /** The form's absolute address (answers of the API only). */
  url?: string;
}

/** POST /api/pools/:poolId/leads/import: what became of each row of the CSV file. */
export interface CsvImportResult {
  created: number;
  duplicates: number;
  disqualified: number;
  /** Rows not imported: the file's line number (the header is line 1) and why. */
  rejected: { line: number; reason: string }[];
}

/** GET /api/leads/:id/explain: why a lead waits (its rule, who may take it, who of them is online, its timers). */
export interface LeadExplanation {
  leadId: string;
  poolId: string;
  status: LeadStatus;
  /** The pool's mode now (null when the pool was deleted). */
  mode: Mode | null;
  /** The hybrid rule the lead matches now (first match), or null: no rule, or none matches. */
  rule: string | null;
  /** Who may take it: "*" (every rep of the pool) or rep ids (as stored on the lead). */
  eligible: string[] | '*';
  /** Every rep of the pool: whether it may take this lead, its presence, whether it is at its cap. */
  reps: { id: string; name: string; presence: Presence; eligible: boolean; atCap: boolean }[];
  /** Eligible reps that are available now and under their cap. */
  canTakeNow: number;
  /** ms since it arrived (open leads). */
  waitingMs: number | null;
  /** When an unclaimed hybrid lead is offered to everyone (escalateAfterMs), if it will be. */
  escalatesAt: string | null;
  /** When a claim without outcome goes back to the pool (claimTimeoutMs). */
  expiresAt: string | null;
  /** The same, in sentences a manager reads. */
  why: string[];
}

/** GET /api/leads (v2): a page of the lead list, newest first. */
export interface LeadListPage {
  leads: Lead[];
  /** Present when more leads may match: the `before` of the next page. */
  next?: string;
  /** How many later posts duplicated each listed lead (absent = none). */
  duplicates: Record<string, number>;
}
