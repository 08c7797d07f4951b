// The store: one interface, two implementations (embedded = memory + lowdb files,
// redis = Lua scripts). Shaped by the domain, not by Redis commands: every operation that
// decides a race (claim, pull, release, assign, outcome, autoAssign, runDue) is ONE call,
// atomic inside the store (a synchronous section in the embedded store, one script in
// Redis), and it reads mode, settings, caps and cooldowns itself so nothing can change
// between the check and the write.
//
// Durability: a promise resolves only once the change is durable (embedded: the lowdb
// write containing it has completed; redis: the script has run). Unreachable store:
// methods reject with StoreUnavailableError.
import type { ErrorCode, Lead, LeadInput, LeadStatus, Mode, Outcome, Presence, Rep, Rule, Settings } from '../../shared/protocol.js';
import type { SettingsPatch } from '../../shared/schemas.js';

export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE' as const;
  constructor(message = 'the store cannot be reached', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A corrupt or unreadable data file: the server must not start (and must not overwrite it). */
export class StoreCorruptError extends Error {}

/** A rep as stored: the public Rep without live fields, plus its secrets and its away flag. */
export interface StoredRep extends Omit<Rep, 'presence' | 'activeCount'> {
  /** sha256 hex of the rep's token; the token itself is never stored. */
  tokenHash: string;
  /** The rep said it is away (presence:set); cleared when a tab connects. */
  away: boolean;
}

/** What the service hands the store for a new lead: validated, qualified and routed. */
export interface LeadDraft extends LeadInput {
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
  | Failure<'POOL_EMPTY' | 'CAP_REACHED' | 'MODE_FORBIDS' | 'UNAVAILABLE' | 'COOLDOWN' | 'WINDOW_CAP' | 'RATE_LIMITED' | 'NOT_FOUND'>;

/** Who releases: the owning rep (must own it) or a manager (any claimed lead). */
export type Releaser = { repId: string } | { manager: true };
export type ReleaseResult = { ok: true; lead: Lead; previousOwner: string; mode: Mode } | Failure<'NOT_FOUND' | 'NOT_OWNER'>;

export type AssignResult =
  | { ok: true; lead: Lead; previousOwner: string | null; mode: Mode }
  | (Failure<'NOT_FOUND' | 'NOT_OPEN'> & { what?: 'lead' | 'rep' });

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

export interface PoolConfig {
  mode: Mode;
  settings: Settings;
  rules: Rule[];
}

export interface LeadQuery {
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
  /** true while the store is reachable (redis: command connection ready). */
  healthy(): Promise<boolean>;

  // ---- secrets ---------------------------------------------------------------------
  /** Stores `hash` under `name` unless one exists; first writer wins (cluster-safe). */
  ensureSecret(name: SecretName, hash: string): Promise<{ hash: string; created: boolean }>;

  // ---- pool configuration ----------------------------------------------------------
  getPool(): Promise<PoolConfig>;
  setMode(mode: Mode): Promise<{ previous: Mode }>;
  patchSettings(patch: SettingsPatch): Promise<Settings>;
  setRules(rules: Rule[]): Promise<void>;

  // ---- reps ------------------------------------------------------------------------
  createRep(rep: StoredRep): Promise<void>;
  updateRep(id: string, patch: Partial<Omit<StoredRep, 'id' | 'tokenHash' | 'createdAt' | 'away'>>): Promise<StoredRep | null>;
  /** Removes the rep; the leads it holds go back to the pool as open. */
  deleteRep(id: string): Promise<{ rep: StoredRep; released: Lead[] } | null>;
  getRep(id: string): Promise<StoredRep | null>;
  repIdByTokenHash(tokenHash: string): Promise<string | null>;
  listReps(): Promise<StoredRep[]>;
  /** How many leads each rep holds (status claimed), by rep id (absent = 0). */
  heldCounts(): Promise<Record<string, number>>;

  // ---- presence (cluster-wide: online while any tab is, on any node) ------------------
  tabOpened(repId: string, tabId: string): Promise<PresenceChange>;
  tabClosed(repId: string, tabId: string): Promise<PresenceChange>;
  setAway(repId: string, away: boolean): Promise<PresenceChange>;
  /** Presence of every rep that has a tab somewhere; reps not listed are offline. */
  onlinePresence(): Promise<Record<string, Exclude<Presence, 'offline'>>>;
  /** Redis: refresh this node's heartbeat and drop the tabs of dead nodes. Embedded: []. */
  sweepPresence(): Promise<PresenceChange[]>;

  // ---- leads -----------------------------------------------------------------------
  /** Dedupes by externalId (always) and by email/phone within settings.duplicateWindowMs. */
  insertLead(draft: LeadDraft): Promise<IngestResult>;
  getLead(id: string): Promise<Lead | null>;
  listLeads(query: LeadQuery): Promise<Lead[]>;
  /** Every open lead, oldest first (store acceptance order). */
  openLeads(): Promise<Lead[]>;
  /** How many leads are open and when the oldest arrived (blind-pull counts), without reading them. */
  openSummary(): Promise<{ count: number; oldestCreatedAt: string | null }>;
  /** How many leads there are in each status (live stats), without reading them. */
  statusCounts(): Promise<Record<LeadStatus, number>>;
  /** Leads this rep holds (status claimed), oldest claim first. */
  heldLeads(repId: string): Promise<Lead[]>;

  /**
   * Hybrid routing changed (rules or reps): sets `eligible` of each listed lead that is
   * still open and not escalated. Returns the ids whose eligibility changed.
   */
  reroute(changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]>;

  claim(leadId: string, repId: string): Promise<ClaimResult>;
  pull(repId: string): Promise<PullResult>;
  release(leadId: string, by: Releaser): Promise<ReleaseResult>;
  /** Manual assignment: overrides mode and caps; an open or claimed lead may be (re)assigned. */
  assign(leadId: string, repId: string): Promise<AssignResult>;
  outcome(leadId: string, repId: string, outcome: Outcome, note?: string): Promise<OutcomeResult>;
  /**
   * Round-robin: if the mode is round-robin, give the oldest open lead to the candidate
   * (reps online and available, chosen by the caller) that is next in rotation and under
   * its cap (weighted by rep.weight when settings.weighted). null when nothing to do.
   */
  autoAssign(candidates: string[]): Promise<AutoAssignResult>;
  /** Pops and applies every due escalation and claim timeout; each fires once cluster-wide. */
  runDue(): Promise<DueEvent[]>;

  /** Redis only: called when the store was found empty (Redis restarted without persistence). */
  onReset?(listener: () => void): void;
}
