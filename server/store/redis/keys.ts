// Key layout of the Redis store.
//
// ONE HASH TAG FOR THE DEPLOYMENT. Every key is `<prefix>:{default}:<name>`: all keys live in
// one slot (Redis Cluster safe), because the race-deciding scripts check a pool's per-rep cap
// and a rep's cap over all pools together, and pull compares the open leads of several pools.
// `{default}` is the deployment's hash tag, NOT the pool `default`: v1 named the tag after the
// one pool it had, and the tag is kept so that a v1 install needs no key move (moving every
// key to a new tag would rename every rep's keys too, in one script that must know them all,
// for no gain: the tag's text means nothing to Redis). Pools live under `pool:<poolId>:`.
//
// KEYS of every store script, in this order (includes/keys.lua binds them by name): the
// global keys the script uses (GLOBAL_KEYS order; scripts.ts finds them in its source, and
// naming one it was not passed is an error), then one block of POOL_KEYS per pool the call concerns,
// then one block of REP_KEYS per rep it concerns. ARGV[1] is the number of pool blocks and
// ARGV[2..] their pool ids, in order; the script's own arguments follow (ARGS in Lua). No
// key name is ever built inside a script.
//
// Which pools a call passes:
// - a call about one lead (claim, release, assign, outcome), pull, runDue and deleteRep:
//   EVERY pool (pools are few). The caller cannot know a lead's pool before the script reads
//   it, a pull without a pool compares the rep's pools, and claim and pull also need every
//   pool's claimWindowMs (policy.ts claimWindowToKeep). RedisStore caches the pool ids; the
//   script answers RETRY unless the passed pools are exactly the registry (`pools`), and the
//   store then reads the registry again and reruns the call.
// - a call about one pool (insertLead, setMode, autoAssign, reroute, ...): that pool; the
//   script checks it exists.
// - deletePool: that pool and every rep (the script rewrites the reps' `pools`): RETRY
//   unless the passed reps are exactly `reps`. migratePools likewise passes every rep.
//
// Operation ids: every call of a script that changes something passes one more key, LAST in
// KEYS: `op:<id>` (a random id per call). The script answers what is stored there, doing
// nothing, when it exists; else it acts and stores its reply there (OP_TTL_MS). A call whose
// reply was lost reads it there, or stores a tombstone first (then the script never acts):
// server/store/redis/store.ts sendOp.
//
// Leads are stored column-wise: one hash per Lead field, named after it and keyed by lead
// id (`L:status`, `L:claimedBy`, `L:poolId`, ...), plus the immutable feed input (and
// feedId) as JSON in `L:doc`. That keeps the KEYS of every script a list known before it
// runs: a pull in hybrid mode, a manager release (owner unknown to the caller) or runDue
// touch leads that the caller cannot name in advance. The claimed leads of every rep sit
// in one sorted set (`claimed`, all scores 0, members `<repId><SEP><leadId>`) and again in
// their pool's `held`, so a rep's held count, in all pools or in one, is one ZLEXCOUNT.
import type { Lead, LeadStatus } from '../../../shared/protocol.js';

/** Separates the parts of compound members and fields (`claimed`, `held`, `tabs`, `due`). */
export const SEP = '\0';

/**
 * The deployment's hash tag (see above). Named after v1's one pool and kept so v1 keys stay
 * where they are; it is not the pool `default` and never changes with the pools.
 */
export const HASH_TAG = 'default';

/**
 * The lead column hashes, each named after the Lead field it holds (lead id -> value), in
 * the order a lead is read back; `doc` holds the feed input (+ feedId, disqualifiedReasons)
 * as JSON. Times are ms (Redis TIME); `eligible` is JSON ("*" or rep ids).
 */
export const LEAD_COLUMNS = [
  'doc',
  'poolId',
  'status',
  'claimedBy', // kept on closed leads
  'claimedAt',
  'outcome',
  'outcomeNote',
  'closedAt',
  'escalatedAt',
  'eligible',
  'createdAt',
  'claimMode', // the pool's mode when claimed (reports: speed per mode)
  'overdueAt', // ms: slaMs passed while it waited
  'stranded', // JSON { at (ms), action, poolId }: whenNobodyEligible applied
] as const satisfies readonly ('doc' | keyof Lead)[];
type LeadColumn = (typeof LEAD_COLUMNS)[number];

/** Deployment-wide keys, in the order the Lua `keys` include binds them (scripts.ts). */
export const GLOBAL_KEYS = [
  'installed', // string: id of this store instance; absent = empty store (fresh install / Redis wiped)
  'layout', // string: layout version (LAYOUT); absent on a v1 store (migratePools.lua)
  'pools', // zset: pool ids, score = creation order (`default` first)
  'poolseq', // string: pool creation counter
  'seq', // string: lead acceptance counter, one for all pools ("oldest across my pools")
  'leads', // zset: every lead id, score = seq
  'open', // zset: open lead ids of every pool, score = seq
  'sclaimed', // zset: claimed lead ids by seq
  'sclosed', // zset: closed lead ids by seq
  'sdisq', // zset: disqualified lead ids by seq
  ...LEAD_COLUMNS, // hashes: lead id -> that field
  'claimed', // zset (lex): "<repId><SEP><leadId>" for every claimed lead (all pools)
  'due', // zset: jobs "e<SEP><leadId>" (escalate) / "x<SEP><leadId><SEP><claimedAtMs>" (expire), score = due ms; more in lua/includes/due.lua
  'secrets', // hash: secret name -> hash
  'reps', // zset: rep ids, score = creation order
  'tokens', // hash: token hash -> rep id
  'tabs', // hash: "<repId><SEP><tabId>" -> node id
  'tabn', // hash: rep id -> number of open tabs (absent = offline)
  'nodes', // zset: node id -> last heartbeat ms (Redis TIME)
  'repseq', // string: rep creation counter
  'feeds', // hash: feed id -> StoredFeed JSON (keyHash included)
  'feedorder', // zset: feed ids, score = creation order
  'feedkeys', // hash: key hash -> feed id
  'feedseq', // string: feed creation counter
  'hooks', // hash: webhook id -> StoredWebhook JSON (secret included)
  'hookorder', // zset: webhook ids, score = creation ms
  'hookcursor', // string: the audit event id the outbox holds deliveries up to (absent: none yet)
  'dlv', // hash: delivery id -> StoredDelivery JSON (+ seq)
  'dlvdue', // zset: pending delivery ids, score = ms of the next attempt (or of the end of its lease)
  'dlvlog', // zset (lex): "<webhookId><SEP><seq, 15 digits><SEP><deliveryId>", a webhook's deliveries oldest first
  'dlvseq', // string: delivery log counter
  'events', // stream: the audit trail, one entry per event, field `e` = the event's JSON without id (lua/includes/audit.lua)
  // zset: every lead id, score = createdAt ms. Reports read a time range from it (ZRANGE BYSCORE)
  // instead of every lead; kept by insertLead.lua, filled for older stores by indexTimes.lua.
  'bytime',
  'forms', // hash: form id -> StoredForm JSON
  'formorder', // zset: form ids, score = creation order
  'formseq', // string: form creation counter
  'unavail', // hash: rep id -> ms since it is unavailable (reclaimAfterOfflineMs); absent = available
  'search', // zset (lex): "<token><SEP><leadId>" for every search token of every lead (server/domain/search.ts searchTokens)
  'dups', // hash: lead id -> how many later posts duplicated it
  // hash: token hash -> the rep's `pools` JSON, beside `tokens`: a connecting tab reads both
  // in one round trip and joins its pools' rooms before it reads its snapshot. Kept by every
  // script that changes a rep's token or pools (includes/eligibility.lua syncTokenPools),
  // filled for older stores by indexTokenPools.lua.
  'tokenpools',
] as const;
export type GlobalKey = (typeof GLOBAL_KEYS)[number];

/** How long an operation's reply (or tombstone) stays at its op key: far longer than a call waits to find out. */
export const OP_TTL_MS = 10 * 60_000;

/** The current layout (the `layout` key). v1 had none. */
export const LAYOUT = 2;

/**
 * Per-pool keys, one block per pool a script concerns, in this order after the global keys.
 * The status sets hold the pool's leads only; a deleted pool's history (leads, status sets,
 * dedup indexes) stays, as its closed and disqualified leads keep their poolId.
 */
export const POOL_KEYS = [
  'config', // hash: name, createdAt (ISO), mode, rules (JSON)
  'settings', // hash: setting name -> JSON value
  'leads', // zset: the pool's lead ids, score = seq
  'open', // zset: the pool's open lead ids, score = seq (oldest first)
  'sclaimed', // zset: by status, score = seq
  'sclosed',
  'sdisq',
  'held', // zset (lex): "<repId><SEP><leadId>" for every claimed lead of the pool
  'ext', // hash: externalId -> lead id (unique per pool)
  'email', // hash: lower-cased email -> latest lead id of the pool
  'phone', // hash: normalized phone -> latest lead id of the pool
  'rrScore', // hash: rep id -> round-robin score in this pool
  'rrAt', // hash: rep id -> last round-robin assignment in this pool (ms)
] as const;
type PoolKey = (typeof POOL_KEYS)[number];

/** The sorted set of the leads in each status (score = seq), by name: global, and per pool. */
export const STATUS_KEYS = {
  open: 'open',
  claimed: 'sclaimed',
  closed: 'sclosed',
  disqualified: 'sdisq',
} as const satisfies Record<LeadStatus, GlobalKey & PoolKey>;

/**
 * Per-rep keys, four per rep, in this order after the pool blocks: the rep hash (StoredRep
 * field -> JSON, `pools` included), its counters (lastClaimAt, recentClaims: per rep across
 * pools), its one-second action bucket (second, count) and its eligibility index (set of
 * lead ids). Round-robin turns are per pool (POOL_KEYS rrScore, rrAt).
 */
export const REP_KEYS = ['rep', 'ctr', 'rl', 'elig'] as const;

/**
 * Keys of the layout before v1 (migrateV1.lua): lead columns renamed to their Lead field,
 * and the `events` stream that was written and never read (its entries had no field `e`;
 * one whose newest entry has it is the audit trail, and is kept).
 */
export const V1_RENAMED_COLUMNS = { owner: 'claimedBy', note: 'outcomeNote', created: 'createdAt' } as const satisfies Record<
  string,
  LeadColumn
>;
const V1_DROPPED_KEYS = ['events'] as const;

/**
 * v1's single-pool keys that become the pool `default`'s (migratePools.lua), in the order
 * it binds them after the rep blocks: each is RENAMEd to the `default` pool key named here.
 */
export const V1_POOL_KEYS = { pool: 'config', settings: 'settings', ext: 'ext', email: 'email', phone: 'phone' } as const satisfies Record<
  string,
  PoolKey
>;

/** What a script call concerns: its pools' and reps' key blocks, in order. */
export interface Scope {
  pools?: readonly string[];
  reps?: readonly string[];
}

export class Keys {
  readonly base: string;
  readonly global: Record<GlobalKey, string>;

  constructor(prefix: string) {
    this.base = `${prefix}:{${HASH_TAG}}:`;
    this.global = Object.fromEntries(GLOBAL_KEYS.map((k) => [k, this.base + k])) as Record<GlobalKey, string>;
  }

  /** Each pool's keys in POOL_KEYS order, as scripts get them (built once per pool: every claim passes them). */
  private readonly poolLists = new Map<string, string[]>();

  /** A pool's keys by name. */
  pool(poolId: string): Record<PoolKey, string> {
    return Object.fromEntries(POOL_KEYS.map((k) => [k, `${this.base}pool:${poolId}:${k}`])) as Record<PoolKey, string>;
  }

  private poolList(poolId: string): string[] {
    let list = this.poolLists.get(poolId);
    if (!list) {
      const p = this.pool(poolId);
      list = POOL_KEYS.map((k) => p[k]);
      // Bounded: a deleted pool's entry is only dropped with the rest.
      if (this.poolLists.size >= 10_000) this.poolLists.clear();
      this.poolLists.set(poolId, list);
    }
    return list;
  }

  /** rep hash, counters hash, one-second action bucket, eligibility index. */
  rep(repId: string): string[] {
    return REP_KEYS.map((k) => `${this.base}${k}:${repId}`);
  }

  /** The op key of one call of a script that changes something (see the top of this file). */
  op(id: string): string {
    return `${this.base}op:${id}`;
  }

  /**
   * KEYS and the leading ARGV (pool count, pool ids, the audit context: JSON, '' for reads)
   * of a store script (includes/keys.lua, includes/audit.lua): first the global keys the
   * script uses (scripts.ts globalKeysOf), then the pools' and reps' blocks.
   */
  script(globalKeys: readonly GlobalKey[], scope: Scope = {}, audit = ''): { keys: string[]; args: string[] } {
    const pools = scope.pools ?? [];
    const reps = scope.reps ?? [];
    return {
      keys: [...this.globalAndPools(globalKeys, pools), ...reps.flatMap((id) => this.rep(id))],
      args: [String(pools.length), ...pools, audit],
    };
  }

  /**
   * A script's global keys, then each pool's: built again only when its pool list changes
   * (the same pools in another array, as every connecting tab passes, are the same list).
   */
  private readonly lastGlobalAndPools = new WeakMap<readonly GlobalKey[], { pools: readonly string[]; keys: string[] }>();
  private globalAndPools(globalKeys: readonly GlobalKey[], pools: readonly string[]): string[] {
    const last = this.lastGlobalAndPools.get(globalKeys);
    if (last && (last.pools === pools || (last.pools.length === pools.length && last.pools.every((id, i) => id === pools[i]))))
      return last.keys;
    const keys = [...globalKeys.map((k) => this.global[k]), ...pools.flatMap((id) => this.poolList(id))];
    this.lastGlobalAndPools.set(globalKeys, { pools: [...pools], keys });
    return keys;
  }

  /** migrateV1's KEYS: (old, new) pairs of the renamed columns, then the dropped keys. */
  migrationV1(): string[] {
    return [
      ...Object.entries(V1_RENAMED_COLUMNS).flatMap(([from, to]) => [this.base + from, this.base + to]),
      ...V1_DROPPED_KEYS.map((k) => this.base + k),
    ];
  }

  /** migratePools's extra KEYS, after the rep blocks: v1's single-pool keys (V1_POOL_KEYS order). */
  v1PoolKeys(): string[] {
    return Object.keys(V1_POOL_KEYS).map((k) => this.base + k);
  }
}

/** ZRANGEBYLEX bounds of one rep's members in `claimed` or a pool's `held`. */
export function claimedRange(repId: string): [string, string] {
  return [`[${repId}${SEP}`, `(${repId}${String.fromCharCode(SEP.charCodeAt(0) + 1)}`];
}
