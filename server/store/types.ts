// The store: one interface, two implementations (embedded = memory + lowdb files,
// redis = Lua scripts). Shaped by the domain, not by Redis commands: every operation that
// decides a race (claim, pull, release, assign, outcome, autoAssign, runDue) is ONE call,
// atomic inside the store (a synchronous section in the embedded store, one script in
// Redis), and it reads mode, settings, caps and cooldowns itself so nothing can change
// between the check and the write.
//
// Durability: a promise resolves only once the change is durable (embedded: the batch
// write containing it has completed; redis: the script has run). StoreUnavailableError
// means nothing changed: the store was unreachable (embedded: a failed write, which
// leaves no trace, until the files are reloaded; redis: the command was never sent, was
// refused, or was abandoned for certain through its operation id). A change whose outcome
// is not known is found out, not guessed (redis: StoreOutcomeUnknownError only when Redis
// cannot be asked in time).
import type {
  AuditActor,
  AuditEvent,
  AuditEventType,
  Consent,
  ErrorCode,
  Feed,
  HostedForm,
  Lead,
  LeadInput,
  LeadStatus,
  Mode,
  Outcome,
  Pool,
  Presence,
  Rep,
  Rule,
  Schedule,
  Settings,
  Webhook,
  WebhookDelivery,
} from '../../shared/protocol.js';
import type { SettingsPatch } from '../../shared/schemas.js';
import type { LeadPage, LeadSearch } from '../domain/search.js';

export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE' as const;
  constructor(message = 'the store cannot be reached', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Redis: a change was sent and Redis became unreachable before its outcome could be found
 * out (within RedisStore's resolveWithinMs). The store goes on finding out in the
 * background (RedisStore.onLateOutcome hears of a change that did happen).
 */
export class StoreOutcomeUnknownError extends StoreUnavailableError {}

/** A corrupt or unreadable data file: the server must not start (and must not overwrite it). */
export class StoreCorruptError extends Error {}

/** insertLead into a pool that does not exist (deleted meanwhile): nothing was stored. */
export class UnknownPoolError extends Error {
  readonly code = 'NOT_FOUND' as const;
  constructor(readonly poolId: string) {
    super(`pool ${poolId} does not exist`);
  }
}

/** A rep as stored: the public Rep without live fields, plus its secrets and its away flag. */
export interface StoredRep extends Omit<Rep, 'presence' | 'activeCount' | 'schedule' | 'shift' | 'performanceWeights'> {
  /** sha256 hex of the rep's token; the token itself is never stored. */
  tokenHash: string;
  /** The rep said it is away (presence:set); cleared when a tab connects. */
  away: boolean;
  /** Its schedule says it is off now: written by setOffShift only (server/service/shifts.ts). Absent = on shift. */
  offShift?: boolean;
  /** null or absent: always on shift. */
  schedule?: Schedule | null;
}

/** What the service hands the store for a new lead: validated, qualified and routed. */
export interface LeadDraft extends LeadInput {
  /** The pool it enters (must exist). */
  poolId: string;
  /** The feed key that posted it, if any. */
  feedId?: string;
  /** The hosted form that captured it, if any, and the consent given there. */
  formId?: string;
  consent?: Consent;
  status: 'open' | 'disqualified';
  eligible: string[] | '*';
  disqualifiedReasons?: string[];
}

export type IngestResult = { duplicate: false; lead: Lead } | { duplicate: true; lead: Lead; by: 'externalId' | 'email' | 'phone' };

type Failure<C extends ErrorCode> = { ok: false; code: C };

export type ClaimFailure = Failure<
  | 'ALREADY_CLAIMED'
  | 'NOT_OPEN'
  | 'NOT_FOUND'
  | 'NOT_ELIGIBLE'
  | 'CAP_REACHED'
  | 'MODE_FORBIDS'
  | 'UNAVAILABLE'
  | 'COOLDOWN'
  | 'WINDOW_CAP'
  | 'RATE_LIMITED'
>;
/**
 * A successful claim or pull. `mode` is the mode the race was decided under (for fan-out);
 * `otherTabs`: whether the rep has an open tab besides the acting one (those hear of the
 * lead: mine:changed), read in the same step, so a tab opening later reads the lead itself.
 */
export type Taken = { ok: true; lead: Lead; mode: Mode; otherTabs: boolean };
export type ClaimResult = Taken | ClaimFailure;
export type PullResult =
  | Taken
  | Failure<
      | 'POOL_EMPTY'
      | 'CAP_REACHED'
      | 'MODE_FORBIDS'
      | 'UNAVAILABLE'
      | 'COOLDOWN'
      | 'WINDOW_CAP'
      | 'RATE_LIMITED'
      | 'NOT_FOUND'
      | 'NOT_ELIGIBLE'
    >;

/** Who releases: the owning rep (must own it) or a manager (any claimed lead). */
export type Releaser = { repId: string } | { manager: true };
export type ReleaseResult = { ok: true; lead: Lead; previousOwner: string; mode: Mode } | Failure<'NOT_FOUND' | 'NOT_OWNER'>;

export type AssignResult =
  | { ok: true; lead: Lead; previousOwner: string | null; mode: Mode }
  | (Failure<'NOT_FOUND' | 'NOT_OPEN'> & { what?: 'lead' | 'rep' })
  /** The rep is not in the lead's pool. */
  | Failure<'NOT_ELIGIBLE'>;

export type OutcomeResult = { ok: true; lead: Lead } | Failure<'NOT_FOUND' | 'NOT_OWNER'>;

/** Round-robin: the oldest open lead went to `lead.claimedBy`. */
export type AutoAssignResult = { lead: Lead; mode: Mode } | null;

/** Time-based work popped by exactly one node (escalations, claim timeouts). */
export type DueEvent =
  | { kind: 'escalated'; lead: Lead; mode: Mode /** Who was eligible before: they were offered it already. */; previousEligible: string[] }
  | { kind: 'expired'; lead: Lead; previousOwner: string; mode: Mode }
  /** A waiting lead passed its pool's slaMs (lead.overdueAt set; once per lead). */
  | { kind: 'overdue'; lead: Lead; mode: Mode }
  /** reclaimAfterOfflineMs: the lead went back to its pool from an unavailable rep. */
  | { kind: 'reclaimed'; lead: Lead; previousOwner: string; mode: Mode };

/**
 * whenNobodyEligible applied to a lead (Store.strand). `lead` as it is now (moved: in
 * `lead.poolId`, open to everyone there); `fromPoolId`/`fromMode` where it was stranded;
 * `previousEligible` who could take it before (they were offered it already).
 */
export interface StrandEvent {
  action: 'everyone' | 'wait' | 'moved';
  lead: Lead;
  mode: Mode;
  fromPoolId: string;
  fromMode: Mode;
  previousEligible: string[] | '*';
}

/** Store.repView: a rep, its pools with their open leads, its held leads. */
export interface RepView {
  rep: StoredRep;
  pools: { pool: PoolRecord; open: Lead[] }[];
  held: Lead[];
}

export interface PresenceChange {
  repId: string;
  before: Presence;
  after: Presence;
  /** The rep's pools, when an available rep stopped being available (its pools' leads may have nobody left: server/service/stranding.ts). */
  pools?: string[];
}

/** A pool as stored: the public Pool plus its hybrid routing rules. */
export interface PoolRecord extends Pool {
  rules: Rule[];
}

/** A feed key as stored: the public Feed plus the sha256 hex of its key (the key itself is never stored). */
export interface StoredFeed extends Feed {
  keyHash: string;
}

/** A hosted form as stored: the public HostedForm without its `url` (made from the request). */
export type StoredForm = Omit<HostedForm, 'url'>;
/** A change of a form: the fields given replace the stored ones; null removes an optional text. */
export type StoredFormPatch = Partial<Omit<StoredForm, 'id' | 'createdAt' | 'intro' | 'consentText' | 'redirectUrl'>> & {
  intro?: string | null;
  consentText?: string | null;
  redirectUrl?: string | null;
};

export type DeletePoolResult =
  | { ok: true /** Reps that were in the pool (it was removed from their `pools`). */; repIds: string[] }
  | Failure<'NOT_FOUND' | 'CONFLICT'>;

export interface LeadQuery {
  poolId?: string;
  status?: LeadStatus;
  repId?: string;
  /** Newest first; default 100. Use Infinity for all (reports). */
  limit?: number;
}

/** A time range of arrivals (ms), in one pool or all (Store.leadsCreatedBetween). */
export interface CreatedRange {
  poolId?: string;
  from?: number;
  to?: number;
}

/** A webhook as stored: the public Webhook plus its signing secret (needed to sign, so kept as is; never answered again). */
export interface StoredWebhook extends Webhook {
  secret: string;
}

/** A delivery as stored: the public WebhookDelivery plus the exact body sent on every attempt, and its lease. */
export interface StoredDelivery extends WebhookDelivery {
  body: string;
  /** Store-clock ms of the next attempt (pending; while leased: when the lease runs out). */
  dueAt?: number;
  /** The claim that holds the current attempt (pending only). */
  lease?: string;
}

/** A delivery to add to the outbox: pending, due at once. */
export type NewDelivery = Pick<StoredDelivery, 'id' | 'webhookId' | 'event' | 'createdAt' | 'body'>;

/** A due delivery claimed for one attempt: what the attempt needs. */
export interface ClaimedDelivery {
  delivery: StoredDelivery;
  url: string;
  secret: string;
  /** The claim's lease: finishDelivery is taken only with it. */
  lease: string;
}

/** How an attempt ended: delivered (2xx), or not (retryInMs null: no more attempts, failed). */
export interface AttemptResult {
  ok: boolean;
  status?: number;
  error?: string;
  retryInMs: number | null;
}

/** Deliveries kept per webhook: the oldest finished ones (delivered or failed) beyond are dropped; pending ones always stay. */
export const DELIVERIES_KEPT_PER_WEBHOOK = 200;

export type SecretName = 'manager' | 'feed';

export type { LeadPage, LeadSearch } from '../domain/search.js';

/**
 * Who made a change and why, given to a changing store call (optional: each call has a
 * default, written at it). The store records the audit events of the change in the same
 * atomic step as the change itself.
 */
export interface AuditContext {
  actor?: AuditActor;
  /** Why (release: `rep`, `manager`, `offline`, ...): the event's `data.reason`. */
  reason?: string;
}

/** listEvents: every condition optional; `type` is a type or a prefix (`lead` = every lead.*). */
export interface EventFilter {
  leadId?: string;
  /** The rep concerned, or the rep that acted. */
  repId?: string;
  poolId?: string;
  type?: AuditEventType | 'lead' | 'pool' | 'rep' | 'feed';
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  /** An event id: only events recorded before it (the `next` of the previous page). */
  before?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface Store {
  readonly kind: 'embedded' | 'redis';

  /** Loads or connects; throws StoreCorruptError / StoreUnavailableError. */
  init(): Promise<void>;
  /** Flushes pending writes and releases connections. */
  close(): Promise<void>;
  /** true while the store takes calls (embedded: no failed write awaiting its reload; redis: a PING answered in time). */
  healthy(): Promise<boolean>;

  // ---- secrets ---------------------------------------------------------------------
  /** Stores `hash` under `name` unless one exists; first writer wins (cluster-safe). */
  ensureSecret(name: SecretName, hash: string): Promise<{ hash: string; created: boolean }>;

  // ---- pools -----------------------------------------------------------------------
  /** Every pool, in creation order (`default` first). */
  listPools(): Promise<PoolRecord[]>;
  getPool(poolId: string): Promise<PoolRecord | null>;
  /** false when a pool with this id exists (nothing changes). */
  createPool(pool: PoolRecord, audit?: AuditContext): Promise<boolean>;
  renamePool(poolId: string, name: string, audit?: AuditContext): Promise<PoolRecord | null>;
  /**
   * Atomically: refuses (CONFLICT) `default` and a pool holding open or claimed leads;
   * otherwise removes it and takes it out of every rep's and feed's `pools`. Its closed and
   * disqualified leads keep their poolId (history).
   */
  deletePool(poolId: string, audit?: AuditContext): Promise<DeletePoolResult>;
  /** null when the pool does not exist. */
  setMode(poolId: string, mode: Mode, audit?: AuditContext): Promise<{ previous: Mode } | null>;
  patchSettings(poolId: string, patch: SettingsPatch, audit?: AuditContext): Promise<Settings | null>;
  /** false when the pool does not exist. */
  setRules(poolId: string, rules: Rule[], audit?: AuditContext): Promise<boolean>;

  // ---- feed keys -----------------------------------------------------------------------
  createFeed(feed: StoredFeed, audit?: AuditContext): Promise<void>;
  listFeeds(): Promise<StoredFeed[]>;
  getFeed(id: string): Promise<StoredFeed | null>;
  /** The feed holding this key hash (looked up on every request: revocation holds at once). */
  feedByKeyHash(keyHash: string): Promise<StoredFeed | null>;
  /** Rotation: the feed's key becomes `keyHash`; the old one is refused from now on. */
  setFeedKey(id: string, keyHash: string, audit?: AuditContext): Promise<StoredFeed | null>;
  /** Revocation: the feed and its key are gone. */
  deleteFeed(id: string, audit?: AuditContext): Promise<StoredFeed | null>;

  // ---- hosted forms ----------------------------------------------------------------
  /** Stores a new form. Rejects with UnknownPoolError when its pool does not exist. */
  createForm(form: StoredForm): Promise<void>;
  /** Every form, in creation order. */
  listForms(): Promise<StoredForm[]>;
  getForm(id: string): Promise<StoredForm | null>;
  /** Applies the patch atomically; null when the form does not exist; UnknownPoolError for a poolId that does not. */
  updateForm(id: string, patch: StoredFormPatch): Promise<StoredForm | null>;
  /** false when the form does not exist. */
  deleteForm(id: string): Promise<boolean>;

  // ---- reps ------------------------------------------------------------------------
  createRep(rep: StoredRep, audit?: AuditContext): Promise<void>;
  updateRep(
    id: string,
    patch: Partial<Omit<StoredRep, 'id' | 'tokenHash' | 'createdAt' | 'away' | 'offShift'>>,
    audit?: AuditContext,
  ): Promise<StoredRep | null>;
  /**
   * Token rotation: the rep's token becomes `tokenHash`; the old one no longer finds the rep
   * (repByTokenHash), at once. false when the rep does not exist.
   */
  setRepToken(id: string, tokenHash: string, audit?: AuditContext): Promise<boolean>;
  /** Removes the rep; the leads it holds go back to the pool as open. */
  deleteRep(id: string, audit?: AuditContext): Promise<{ rep: StoredRep; released: Lead[] } | null>;
  getRep(id: string): Promise<StoredRep | null>;
  /** The rep a token hash signs in, with its pools (a connecting tab joins their rooms before reading its snapshot); null when none. */
  repByTokenHash(tokenHash: string): Promise<{ id: string; pools: string[] } | null>;
  listReps(): Promise<StoredRep[]>;
  /** One page of listReps (creation order): `limit` reps from position `offset`, and how many there are. */
  listRepsPage(offset: number, limit: number): Promise<{ reps: StoredRep[]; total: number }>;
  /**
   * How many leads each rep holds (status claimed), by rep id (absent = 0): in one pool, or in
   * all. With `repIds`, those reps' at least (a store may answer more): one rep's read costs one rep.
   */
  heldCounts(poolId?: string, repIds?: readonly string[]): Promise<Record<string, number>>;

  // ---- presence (cluster-wide: online while any tab is, on any node) ------------------
  /**
   * With `read`, also the rep's view (as repView, `read.pools` its expected pools) read
   * right after the tab is recorded: a connecting tab's snapshot, in the same step (Redis:
   * one script).
   */
  tabOpened(repId: string, tabId: string): Promise<PresenceChange>;
  tabOpened(repId: string, tabId: string, read: { pools: string[] }): Promise<PresenceChange & { view: RepView | null }>;
  tabClosed(repId: string, tabId: string): Promise<PresenceChange>;
  setAway(repId: string, away: boolean): Promise<PresenceChange>;
  /**
   * The rep's schedule turned it off (or on) shift: presence reads `off-shift` while it has a
   * tab, autoAssign skips it, claims and pulls answer UNAVAILABLE. Idempotent: several
   * processes writing the same value change nothing (before === after).
   */
  setOffShift(repId: string, offShift: boolean): Promise<PresenceChange>;
  /**
   * Presence of every rep that has a tab somewhere; reps not listed are offline. With
   * `repIds`, those reps' at least (a store may answer more): one rep's read costs one rep.
   */
  onlinePresence(repIds?: readonly string[]): Promise<Record<string, Exclude<Presence, 'offline'>>>;
  /** Redis: refresh this node's heartbeat and drop the tabs of dead nodes. Embedded: []. */
  sweepPresence(): Promise<PresenceChange[]>;

  // ---- leads -----------------------------------------------------------------------
  /**
   * Dedupes inside the draft's pool: by externalId (always) and by email/phone within that
   * pool's settings.duplicateWindowMs. Acceptance order (`seq`) is one counter for all pools.
   * Rejects with UnknownPoolError when draft.poolId does not exist.
   */
  insertLead(draft: LeadDraft, audit?: AuditContext): Promise<IngestResult>;
  /**
   * Many leads into ONE pool (all drafts share a poolId), each exactly as insertLead, one
   * after the other in the given order (a draft repeating an earlier one is its duplicate),
   * in one atomic step: one group commit (embedded), one script (Redis). Results in order.
   */
  insertLeads(drafts: LeadDraft[], audit?: AuditContext): Promise<IngestResult[]>;
  getLead(id: string): Promise<Lead | null>;
  listLeads(query: LeadQuery): Promise<Lead[]>;
  /** Every open lead of a pool, oldest first (store acceptance order). */
  openLeads(poolId: string): Promise<Lead[]>;
  /** How many leads of a pool are open and when the oldest arrived (blind-pull counts), without reading them. */
  openSummary(poolId: string): Promise<{ count: number; oldestCreatedAt: string | null }>;
  /** How many leads there are in each status, in one pool or in all (live stats), without reading them. */
  statusCounts(poolId?: string): Promise<Record<LeadStatus, number>>;
  /**
   * The lead list (docs/API.md, GET /api/leads): newest first (acceptance order), every
   * condition of `query` (domain/search.ts leadMatches), from indexes rather than a scan of
   * every lead; `next` is an opaque cursor (the acceptance order of the last lead).
   */
  searchLeads(query: LeadSearch): Promise<LeadPage>;
  /** Leads this rep holds (status claimed) in every pool, oldest claim first. */
  heldLeads(repId: string): Promise<Lead[]>;
  /**
   * What a rep's pool:state snapshots are built from, read at one moment (a connecting tab:
   * one round trip on Redis): the rep, the pools it is in (creation order) each with its
   * open leads (oldest first), and the leads it holds (heldLeads). `expectedPools` are the
   * pools the caller believes the rep is in (Redis passes their keys; when the rep is in
   * others it reads once more). null when the rep does not exist.
   */
  repView(repId: string, expectedPools: string[]): Promise<RepView | null>;
  /**
   * Leads that arrived in [from, to) (store-clock ms; either end open), in one pool or in
   * all, oldest first: read through an index by createdAt (reports), never a scan of every lead.
   */
  leadsCreatedBetween(query: CreatedRange): Promise<Lead[]>;

  /**
   * Hybrid routing changed (rules or reps): sets `eligible` of each listed lead that is
   * still open and not escalated. Returns the ids whose eligibility changed.
   */
  reroute(poolId: string, changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]>;

  /** The lead's pool decides mode, settings and its per-rep cap; a rep outside that pool: NOT_ELIGIBLE. */
  claim(leadId: string, repId: string, tabId?: string): Promise<ClaimResult>;
  /**
   * The oldest open lead the rep may take: in `poolId` (a pool the rep is not in: NOT_ELIGIBLE;
   * unknown: NOT_FOUND), or, without it, across the rep's pools that allow pulling.
   */
  pull(repId: string, poolId?: string, tabId?: string): Promise<PullResult>;
  release(leadId: string, by: Releaser, audit?: AuditContext): Promise<ReleaseResult>;
  /** Manual assignment: overrides mode and caps, not pools (NOT_ELIGIBLE); an open or claimed lead may be (re)assigned. */
  assign(leadId: string, repId: string, audit?: AuditContext): Promise<AssignResult>;
  outcome(leadId: string, repId: string, outcome: Outcome, note?: string, audit?: AuditContext): Promise<OutcomeResult>;
  /**
   * Round-robin: if the mode is round-robin, give the oldest open lead to the candidate
   * (reps online and available, chosen by the caller) that is next in rotation and under
   * its cap (weighted by rep.weight when settings.weighted, or by `weights[repId]` when
   * given: weightBy performance, server/domain/performance.ts). null when nothing to do.
   */
  autoAssign(poolId: string, candidates: string[], weights?: Record<string, number>): Promise<AutoAssignResult>;
  /** Pops and applies every due escalation, claim timeout, SLA and reclaim; each fires once cluster-wide. */
  runDue(): Promise<DueEvent[]>;
  /**
   * whenNobodyEligible, atomically, for these open leads of a pool: each that is not
   * handled yet (`stranded` unset) and that no available rep among `repIds` may take gets its
   * pool's policy (everyone: open to every rep of the pool; wait: marked only; pool: moved
   * there, open to everyone; a fallback pool gone meanwhile: everyone). Once per lead.
   * `repIds` must include every member of the pool (the caller's read; Redis needs their keys).
   */
  strand(poolId: string, leadIds: string[], repIds: string[]): Promise<StrandEvent[]>;

  // ---- webhooks and their outbox (server/service/webhooks.ts) -------------------------
  createWebhook(hook: StoredWebhook): Promise<void>;
  /** In creation order. */
  listWebhooks(): Promise<StoredWebhook[]>;
  getWebhook(id: string): Promise<StoredWebhook | null>;
  /** poolIds null: every pool. null when the webhook does not exist. */
  updateWebhook(
    id: string,
    patch: Partial<Pick<StoredWebhook, 'url' | 'events' | 'enabled'>> & { poolIds?: string[] | null },
  ): Promise<StoredWebhook | null>;
  /** Removes the webhook and every delivery of it. false when it did not exist. */
  deleteWebhook(id: string): Promise<boolean>;
  /** The audit event id up to which deliveries were made (null: none yet). */
  outboxCursor(): Promise<string | null>;
  /**
   * Adds pending deliveries, due now (ids already present, or of a webhook gone, are skipped).
   * With `cursor`: only if the outbox cursor is still `expected`, and moves it to `next` in
   * the same atomic step (false: another process moved it; nothing was stored).
   */
  addDeliveries(deliveries: NewDelivery[], cursor?: { expected: string | null; next: string }): Promise<boolean>;
  /**
   * Claims at most `limit` due pending deliveries for one attempt each: attempts + 1, due
   * again when the lease (`leaseMs`) runs out, so a process that dies mid-attempt leaves it
   * to another. A delivery of a disabled webhook is marked failed instead.
   */
  claimDeliveries(limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt made under `lease`; ignored (false) when the lease was lost meanwhile. */
  finishDelivery(id: string, lease: string, result: AttemptResult): Promise<boolean>;
  /** Newest first. */
  listDeliveries(webhookId: string, limit: number): Promise<StoredDelivery[]>;
  getDelivery(id: string): Promise<StoredDelivery | null>;
  /** The delivery is pending again, due now, its attempts counted from 0. null when unknown. */
  redeliver(id: string): Promise<StoredDelivery | null>;
  // ---- audit trail (every change above records its events in the same atomic step) ---------
  /**
   * Defaults of the `audit` argument of each change: actor manager for pools, feeds, reps,
   * assign and a release without repId; the rep for claim, pull, outcome, its own release;
   * insertLead: the feed of draft.feedId, else the manager; autoAssign, runDue, sweeps: system.
   */
  /** Newest first; `next` when older events match (pass it as `before`). */
  listEvents(filter: EventFilter): Promise<{ events: AuditEvent[]; next?: string }>;
  /** Oldest first, strictly after `cursor` (an event id; null = from the oldest kept), at most `limit`. */
  eventsAfter(cursor: string | null, limit: number): Promise<AuditEvent[]>;

  /** Redis only: called when the store was found empty (Redis restarted without persistence). */
  onReset?(listener: () => void): void;
}
