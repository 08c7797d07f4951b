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
  ErrorCode,
  Feed,
  Lead,
  LeadInput,
  LeadStatus,
  Mode,
  Outcome,
  Pool,
  Presence,
  Rep,
  Rule,
  Settings,
} from '../../shared/protocol.js';
import type { SettingsPatch } from '../../shared/schemas.js';

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
export interface StoredRep extends Omit<Rep, 'presence' | 'activeCount'> {
  /** sha256 hex of the rep's token; the token itself is never stored. */
  tokenHash: string;
  /** The rep said it is away (presence:set); cleared when a tab connects. */
  away: boolean;
}

/** What the service hands the store for a new lead: validated, qualified and routed. */
export interface LeadDraft extends LeadInput {
  /** The pool it enters (must exist). */
  poolId: string;
  /** The feed key that posted it, if any. */
  feedId?: string;
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
/** A successful claim or pull. `mode` is the mode the race was decided under (for fan-out). */
export type ClaimResult = { ok: true; lead: Lead; mode: Mode } | ClaimFailure;
export type PullResult =
  | { ok: true; lead: Lead; mode: Mode }
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
  | { kind: 'expired'; lead: Lead; previousOwner: string; mode: Mode };

export interface PresenceChange {
  repId: string;
  before: Presence;
  after: Presence;
}

/** A pool as stored: the public Pool plus its hybrid routing rules. */
export interface PoolRecord extends Pool {
  rules: Rule[];
}

/** A feed key as stored: the public Feed plus the sha256 hex of its key (the key itself is never stored). */
export interface StoredFeed extends Feed {
  keyHash: string;
}

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

export type SecretName = 'manager' | 'feed';

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
  createPool(pool: PoolRecord): Promise<boolean>;
  renamePool(poolId: string, name: string): Promise<PoolRecord | null>;
  /**
   * Atomically: refuses (CONFLICT) `default` and a pool holding open or claimed leads;
   * otherwise removes it and takes it out of every rep's and feed's `pools`. Its closed and
   * disqualified leads keep their poolId (history).
   */
  deletePool(poolId: string): Promise<DeletePoolResult>;
  /** null when the pool does not exist. */
  setMode(poolId: string, mode: Mode): Promise<{ previous: Mode } | null>;
  patchSettings(poolId: string, patch: SettingsPatch): Promise<Settings | null>;
  /** false when the pool does not exist. */
  setRules(poolId: string, rules: Rule[]): Promise<boolean>;

  // ---- feed keys -----------------------------------------------------------------------
  createFeed(feed: StoredFeed): Promise<void>;
  listFeeds(): Promise<StoredFeed[]>;
  getFeed(id: string): Promise<StoredFeed | null>;
  /** The feed holding this key hash (looked up on every request: revocation holds at once). */
  feedByKeyHash(keyHash: string): Promise<StoredFeed | null>;
  /** Rotation: the feed's key becomes `keyHash`; the old one is refused from now on. */
  setFeedKey(id: string, keyHash: string): Promise<StoredFeed | null>;
  /** Revocation: the feed and its key are gone. */
  deleteFeed(id: string): Promise<StoredFeed | null>;

  // ---- reps ------------------------------------------------------------------------
  createRep(rep: StoredRep): Promise<void>;
  updateRep(id: string, patch: Partial<Omit<StoredRep, 'id' | 'tokenHash' | 'createdAt' | 'away'>>): Promise<StoredRep | null>;
  /**
   * Token rotation: the rep's token becomes `tokenHash`; the old one no longer finds the rep
   * (repIdByTokenHash), at once. false when the rep does not exist.
   */
  setRepToken(id: string, tokenHash: string): Promise<boolean>;
  /** Removes the rep; the leads it holds go back to the pool as open. */
  deleteRep(id: string): Promise<{ rep: StoredRep; released: Lead[] } | null>;
  getRep(id: string): Promise<StoredRep | null>;
  repIdByTokenHash(tokenHash: string): Promise<string | null>;
  listReps(): Promise<StoredRep[]>;
  /** One page of listReps (creation order): `limit` reps from position `offset`, and how many there are. */
  listRepsPage(offset: number, limit: number): Promise<{ reps: StoredRep[]; total: number }>;
  /** How many leads each rep holds (status claimed), by rep id (absent = 0): in one pool, or in all. */
  heldCounts(poolId?: string): Promise<Record<string, number>>;

  // ---- presence (cluster-wide: online while any tab is, on any node) ------------------
  tabOpened(repId: string, tabId: string): Promise<PresenceChange>;
  tabClosed(repId: string, tabId: string): Promise<PresenceChange>;
  setAway(repId: string, away: boolean): Promise<PresenceChange>;
  /** Presence of every rep that has a tab somewhere; reps not listed are offline. */
  onlinePresence(): Promise<Record<string, Exclude<Presence, 'offline'>>>;
  /** Redis: refresh this node's heartbeat and drop the tabs of dead nodes. Embedded: []. */
  sweepPresence(): Promise<PresenceChange[]>;

  // ---- leads -----------------------------------------------------------------------
  /**
   * Dedupes inside the draft's pool: by externalId (always) and by email/phone within that
   * pool's settings.duplicateWindowMs. Acceptance order (`seq`) is one counter for all pools.
   * Rejects with UnknownPoolError when draft.poolId does not exist.
   */
  insertLead(draft: LeadDraft): Promise<IngestResult>;
  getLead(id: string): Promise<Lead | null>;
  listLeads(query: LeadQuery): Promise<Lead[]>;
  /** Every open lead of a pool, oldest first (store acceptance order). */
  openLeads(poolId: string): Promise<Lead[]>;
  /** How many leads of a pool are open and when the oldest arrived (blind-pull counts), without reading them. */
  openSummary(poolId: string): Promise<{ count: number; oldestCreatedAt: string | null }>;
  /** How many leads there are in each status, in one pool or in all (live stats), without reading them. */
  statusCounts(poolId?: string): Promise<Record<LeadStatus, number>>;
  /** Leads this rep holds (status claimed) in every pool, oldest claim first. */
  heldLeads(repId: string): Promise<Lead[]>;

  /**
   * Hybrid routing changed (rules or reps): sets `eligible` of each listed lead that is
   * still open and not escalated. Returns the ids whose eligibility changed.
   */
  reroute(poolId: string, changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]>;

  /** The lead's pool decides mode, settings and its per-rep cap; a rep outside that pool: NOT_ELIGIBLE. */
  claim(leadId: string, repId: string): Promise<ClaimResult>;
  /**
   * The oldest open lead the rep may take: in `poolId` (a pool the rep is not in: NOT_ELIGIBLE;
   * unknown: NOT_FOUND), or, without it, across the rep's pools that allow pulling.
   */
  pull(repId: string, poolId?: string): Promise<PullResult>;
  release(leadId: string, by: Releaser): Promise<ReleaseResult>;
  /** Manual assignment: overrides mode and caps, not pools (NOT_ELIGIBLE); an open or claimed lead may be (re)assigned. */
  assign(leadId: string, repId: string): Promise<AssignResult>;
  outcome(leadId: string, repId: string, outcome: Outcome, note?: string): Promise<OutcomeResult>;
  /**
   * Round-robin: if the mode is round-robin, give the oldest open lead to the candidate
   * (reps online and available, chosen by the caller) that is next in rotation and under
   * its cap (weighted by rep.weight when settings.weighted). null when nothing to do.
   */
  autoAssign(poolId: string, candidates: string[]): Promise<AutoAssignResult>;
  /** Pops and applies every due escalation and claim timeout; each fires once cluster-wide. */
  runDue(): Promise<DueEvent[]>;

  /** Redis only: called when the store was found empty (Redis restarted without persistence). */
  onReset?(listener: () => void): void;
}
