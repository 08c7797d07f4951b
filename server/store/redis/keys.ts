// Key layout of the Redis store. Every key of one pool carries the hash tag `{<pool>}`, so
// all keys a script touches live in one slot (Redis Cluster safe), and every script gets
// every key it touches in KEYS: the fixed pool-wide keys below, in this order, then four
// keys per rep the call concerns (rep hash, counters, rate bucket, eligibility index).
//
// Leads are stored column-wise: one hash per Lead field, named after it and keyed by lead
// id (`L:status`, `L:claimedBy`, ...), plus the immutable feed input as JSON in `L:doc`.
// That keeps the KEYS of every script a fixed list known before it runs: a pull in hybrid
// mode, a manager release (owner unknown to the caller) or runDue touch leads that the
// caller cannot name in advance, and with per-lead keys each of those would need a
// read-then-verify retry loop. The claimed leads of every rep sit in one sorted set
// (`claimed`, all scores 0, members `<repId><SEP><leadId>`), so a rep's active count is one
// ZLEXCOUNT and a previous owner never has to be known in advance either.
import { DEFAULT_POOL, type Lead, type LeadStatus } from '../../../shared/protocol.js';

/** Separates the parts of compound members and fields (`claimed`, `tabs`, `due`). */
export const SEP = '\0';

/**
 * The lead column hashes, each named after the Lead field it holds (lead id -> value), in
 * the order a lead is read back; `doc` holds the feed input (+ disqualifiedReasons) as JSON.
 * Times are ms (Redis TIME); `eligible` is JSON ("*" or rep ids).
 */
export const LEAD_COLUMNS = [
  'doc',
  'status',
  'claimedBy', // kept on closed leads
  'claimedAt',
  'outcome',
  'outcomeNote',
  'closedAt',
  'escalatedAt',
  'eligible',
  'createdAt',
] as const satisfies readonly ('doc' | keyof Lead)[];
type LeadColumn = (typeof LEAD_COLUMNS)[number];

/** Pool-wide keys, in the order the Lua `keys` include binds them (scripts.ts). */
export const GLOBAL_KEYS = [
  'installed', // string: id of this store instance; absent = empty store (fresh install / Redis wiped)
  'pool', // hash: mode, rules (JSON)
  'settings', // hash: setting name -> JSON value
  'seq', // string: lead acceptance counter (the open pool's order)
  'leads', // zset: every lead id, score = seq
  'open', // zset: open lead ids, score = seq (oldest first)
  'sclaimed', // zset: claimed lead ids by seq
  'sclosed', // zset: closed lead ids by seq
  'sdisq', // zset: disqualified lead ids by seq
  ...LEAD_COLUMNS, // hashes: lead id -> that field
  'claimed', // zset (lex): "<repId><SEP><leadId>" for every claimed lead
  'due', // zset: jobs "e<SEP><leadId>" (escalate) / "x<SEP><leadId><SEP><claimedAtMs>" (expire), score = due ms
  'ext', // hash: externalId -> lead id
  'email', // hash: lower-cased email -> latest lead id
  'phone', // hash: normalized phone -> latest lead id
  'secrets', // hash: secret name -> hash
  'reps', // zset: rep ids, score = creation order
  'tokens', // hash: token hash -> rep id
  'tabs', // hash: "<repId><SEP><tabId>" -> node id
  'tabn', // hash: rep id -> number of open tabs (absent = offline)
  'nodes', // zset: node id -> last heartbeat ms (Redis TIME)
  'repseq', // string: rep creation counter
] as const;
type GlobalKey = (typeof GLOBAL_KEYS)[number];

/** The sorted set of the leads in each status (score = seq). */
export const STATUS_KEYS = {
  open: 'open',
  claimed: 'sclaimed',
  closed: 'sclosed',
  disqualified: 'sdisq',
} as const satisfies Record<LeadStatus, GlobalKey>;

/**
 * Per-rep keys, four per rep, in this order after the global keys: the rep hash (StoredRep
 * field -> JSON), its counters (lastClaimAt, recentClaims, rrScore, lastAssignedAt), its
 * one-second action bucket (second, count) and its eligibility index (set of lead ids).
 */
export const REP_KEYS = ['rep', 'ctr', 'rl', 'elig'] as const;

/**
 * Keys of the layout before v1 (migrateV1.lua): lead columns renamed to their Lead field,
 * and the `events` stream that was written and never read.
 */
export const V1_RENAMED_COLUMNS = { owner: 'claimedBy', note: 'outcomeNote', created: 'createdAt' } as const satisfies Record<
  string,
  LeadColumn
>;
const V1_DROPPED_KEYS = ['events'] as const;

export class Keys {
  readonly base: string;
  readonly global: Record<GlobalKey, string>;
  readonly globalList: string[];

  constructor(prefix: string, pool: string = DEFAULT_POOL) {
    this.base = `${prefix}:{${pool}}:`;
    this.global = Object.fromEntries(GLOBAL_KEYS.map((k) => [k, this.base + k])) as Record<GlobalKey, string>;
    this.globalList = GLOBAL_KEYS.map((k) => this.global[k]);
  }

  /** rep hash, counters hash, one-second action bucket, eligibility index. */
  rep(repId: string): string[] {
    return REP_KEYS.map((k) => `${this.base}${k}:${repId}`);
  }

  /** Global keys then the per-rep keys of each rep, in order. */
  forReps(repIds: readonly string[]): string[] {
    return [...this.globalList, ...repIds.flatMap((id) => this.rep(id))];
  }

  /** migrateV1's KEYS: (old, new) pairs of the renamed columns, then the dropped keys. */
  migrationV1(): string[] {
    return [
      ...Object.entries(V1_RENAMED_COLUMNS).flatMap(([from, to]) => [this.base + from, this.base + to]),
      ...V1_DROPPED_KEYS.map((k) => this.base + k),
    ];
  }
}

/** ZRANGEBYLEX bounds of one rep's members in `claimed`. */
export function claimedRange(repId: string): [string, string] {
  return [`[${repId}${SEP}`, `(${repId}${String.fromCharCode(SEP.charCodeAt(0) + 1)}`];
}
