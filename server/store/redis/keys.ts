// Key layout of the Redis store. Every key of one pool carries the hash tag `{<pool>}`, so
// all keys a script touches live in one slot (Redis Cluster safe), and every script gets
// every key it touches in KEYS: the fixed pool-wide keys below, in this order, then four
// keys per rep the call concerns (rep hash, counters, rate bucket, eligibility index).
//
// Leads are stored column-wise: one hash per lead field, keyed by lead id (`L:status`,
// `L:owner`, ...), plus the immutable feed input as JSON in `L:doc`. That keeps the KEYS
// of every script a fixed list known before it runs: a pull in hybrid mode, a manager
// release (owner unknown to the caller) or runDue touch leads that the caller cannot name
// in advance, and with per-lead keys each of those would need a read-then-verify retry loop.
// The claimed leads of every rep sit in one sorted set (`claimed`, all scores 0, members
// `<repId>\0<leadId>`), so a rep's active count is one ZLEXCOUNT and a previous owner
// never has to be known in advance either.
import { DEFAULT_POOL } from '../../../shared/protocol.js';

/** Pool-wide keys, in the order the Lua prelude binds them (see scripts.ts). */
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
  'doc', // hash: lead id -> JSON of the feed input (+ disqualifiedReasons)
  'status', // hash: lead id -> status
  'owner', // hash: lead id -> claimedBy (kept on closed leads)
  'claimedAt', // hash: lead id -> ms (Redis TIME)
  'outcome', // hash: lead id -> outcome
  'note', // hash: lead id -> outcome note
  'closedAt', // hash: lead id -> ms
  'escalatedAt', // hash: lead id -> ms
  'eligible', // hash: lead id -> JSON ("*" or rep ids)
  'created', // hash: lead id -> ms (Redis TIME)
  'claimed', // zset (lex): "<repId>\0<leadId>" for every claimed lead
  'due', // zset: jobs "e\0<leadId>" (escalate) / "x\0<leadId>\0<claimedAtMs>" (expire), score = due ms
  'events', // stream: audit trail (XADD MAXLEN ~ 10000)
  'ext', // hash: externalId -> lead id
  'email', // hash: lower-cased email -> latest lead id
  'phone', // hash: normalized phone -> latest lead id
  'secrets', // hash: secret name -> hash
  'reps', // zset: rep ids, score = creation order
  'tokens', // hash: token hash -> rep id
  'tabs', // hash: "<repId>\0<tabId>" -> node id
  'tabn', // hash: rep id -> number of open tabs (absent = offline)
  'nodes', // zset: node id -> last heartbeat ms (Redis TIME)
  'repseq', // string: rep creation counter
] as const;
export type GlobalKey = (typeof GLOBAL_KEYS)[number];

/** Per-rep keys, four per rep, in this order after the global keys. */
export const REP_KEYS = ['rep', 'ctr', 'rl', 'elig'] as const;

export class Keys {
  readonly base: string;
  readonly global: Record<GlobalKey, string>;
  readonly globalList: string[];

  constructor(prefix: string, pool: string = DEFAULT_POOL) {
    this.base = `${prefix}:{${pool}}:`;
    this.global = Object.fromEntries(GLOBAL_KEYS.map((k) => [k, this.base + k])) as Record<GlobalKey, string>;
    this.globalList = GLOBAL_KEYS.map((k) => this.global[k]);
  }

  /** rep hash (field -> JSON), counters hash, one-second action bucket, eligibility index (set of lead ids). */
  rep(repId: string): string[] {
    return REP_KEYS.map((k) => `${this.base}${k}:${repId}`);
  }

  /** Global keys then the per-rep keys of each rep, in order. */
  forReps(repIds: readonly string[]): string[] {
    return [...this.globalList, ...repIds.flatMap((id) => this.rep(id))];
  }
}
