// The Redis store: Redis is the one source of truth and the arbiter of every race. Every
// operation that decides a race is one Lua script (lua/, loaded by scripts.ts) with all its
// keys in KEYS (keys.ts), its reply checked and typed by decode.ts; reads that decide
// nothing are plain commands or a read-only script. Behaves as the embedded store
// (server/store/embedded.ts, the reference), checks in the same order.
//
// Failure model: the command client has `disableOfflineQueue: true`, so while Redis is
// unreachable every method rejects at once with StoreUnavailableError (never waits, never
// reports an ok Redis did not execute); node-redis reconnects by itself. Each time the
// connection becomes ready the `installed` marker is checked: a missing or different marker
// means Redis lost its data (restart without persistence), so defaults are re-seeded and the
// onReset listeners run. Scripts that write refuse to run on an empty store (NOINSTALL),
// which triggers the same check, so no write lands in a store without its defaults. The
// same check first runs migrateV1.lua, which brings a store of an older layout up to date.
import { randomUUID } from 'node:crypto';
import { createClient, ErrorReply } from 'redis';
import {
  DEFAULT_SETTINGS,
  type Lead,
  type LeadStatus,
  type Mode,
  type Outcome,
  type Presence,
  type Rule,
  type Settings,
} from '../../../shared/protocol.js';
import type { SettingsPatch } from '../../../shared/schemas.js';
import { normalizePhone } from '../../domain/dedup.js';
import { newLeadId } from '../ids.js';
import {
  type AssignResult,
  type AutoAssignResult,
  type ClaimResult,
  type DueEvent,
  type IngestResult,
  type LeadDraft,
  type LeadQuery,
  type OutcomeResult,
  type PoolConfig,
  type PresenceChange,
  type PullResult,
  type ReleaseResult,
  type Releaser,
  type SecretName,
  type Store,
  type StoredRep,
  StoreUnavailableError,
} from '../types.js';
import { decodePool, decodeRep, decodeReply, isNoInstall, type ScriptReply } from './decode.js';
import { claimedRange, Keys, SEP, STATUS_KEYS, V1_RENAMED_COLUMNS } from './keys.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

interface RedisStoreOptions {
  url: string;
  /** Namespace of every key, so several deployments (or tests) share one Redis. Default 'lp'. */
  keyPrefix?: string;
  /** This process's id in the cluster (presence: which node holds which tab). */
  nodeId: string;
  /** How long init() waits for a first connection. Default 10 s. */
  connectTimeoutMs?: number;
}

/**
 * A node whose heartbeat is older than this has its tabs dropped. docs/API.md, Presence: the
 * tabs of a dead process count as gone within 15 s. Nodes heartbeat (sweepPresence) every
 * 5 s, so a node is declared dead after two missed heartbeats and a live node's sweep
 * notices it at most one period later: 10 s + 5 s = 15 s after the death in the worst case.
 */
const NODE_STALE_MS = 10_000;
/** Commands that take longer than this reject with StoreUnavailableError (a frozen Redis). */
const COMMAND_TIMEOUT_MS = 5_000;
const READ_CHUNK = 1000;
const DUE_BATCH = 500;

/** Redis error replies that mean "not available right now" rather than "bug". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

function repFields(rep: Partial<StoredRep>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(rep)) if (v !== undefined) out.push(k, JSON.stringify(v));
  return out;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly nodeId: string;
  private readonly keys: Keys;
  private readonly client: ReturnType<typeof createClient>;
  private readonly connectTimeoutMs: number;
  private instance: string | null = null;
  private installing: Promise<void> | null = null;
  private resetListeners: (() => void)[] = [];
  private closed = false;

  constructor(opts: RedisStoreOptions) {
    this.nodeId = opts.nodeId;
    this.keys = new Keys(opts.keyPrefix ?? 'lp');
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.client = createClient({
      url: opts.url,
      // Fail fast while disconnected: a command must not wait in a queue for a Redis that
      // may come back in a minute (docs/API.md, Durability); the caller answers 503 at once.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        // Reconnect forever, quickly at first, then once a second.
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
      },
    });
    // Without a listener an 'error' event would crash the process; errors surface as
    // rejected commands (StoreUnavailableError) and healthy() === false.
    this.client.on('error', () => {});
    this.client.on('ready', () => {
      if (this.instance !== null) this.checkInstalled().catch(() => {});
    });
  }

  // ---- lifecycle ----------------------------------------------------------------------

  async init(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const connected = this.client.connect();
    connected.catch(() => {});
    try {
      await Promise.race([
        connected,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new StoreUnavailableError(`Redis did not answer within ${this.connectTimeoutMs} ms`)),
            this.connectTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      this.client.destroy();
      throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError('cannot connect to Redis', { cause: err });
    } finally {
      clearTimeout(timer);
    }
    await this.checkInstalled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.client.isOpen) return;
    if (!this.client.isReady) {
      this.client.destroy();
      return;
    }
    await this.client.close().catch(() => this.client.destroy());
  }

  async healthy(): Promise<boolean> {
    return this.client.isReady;
  }

  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  /**
   * Seeds defaults when the store is empty (SET NX of the `installed` marker) and notices
   * when the store this process knew was wiped: then the onReset listeners run.
   */
  private checkInstalled(): Promise<void> {
    this.installing ??= (async () => {
      try {
        await this.eval('migrateV1', this.keys.migrationV1(), [String(Object.keys(V1_RENAMED_COLUMNS).length)]);
        const defaults = Object.entries(DEFAULT_SETTINGS).flatMap(([k, v]) => [k, JSON.stringify(v)]);
        const res = await this.eval('install', this.keys.globalList, [randomUUID(), ...defaults]);
        const previous = this.instance;
        this.instance = res.id;
        if (previous !== null && previous !== res.id) {
          for (const listener of this.resetListeners) {
            try {
              listener();
            } catch {
              // a listener's failure is its own
            }
          }
        }
      } finally {
        this.installing = null;
      }
    })();
    return this.installing;
  }

  // ---- plumbing -----------------------------------------------------------------------

  /** Runs a Redis call, mapping connection failures to StoreUnavailableError. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StoreUnavailableError('Redis did not answer in time')), COMMAND_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      if (err instanceof ErrorReply && !TRANSIENT_REPLY.test(err.message)) throw err;
      throw new StoreUnavailableError('the store cannot be reached', { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** EVALSHA with a NOSCRIPT fallback to EVAL (which also caches the script); the reply's JSON. */
  private send(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    const script = SCRIPTS[name];
    return this.call(async () => {
      let reply: unknown;
      try {
        reply = await this.client.sendCommand(['EVALSHA', script.sha, String(keys.length), ...keys, ...args]);
      } catch (err) {
        if (!(err instanceof ErrorReply) || !err.message.startsWith('NOSCRIPT')) throw err;
        reply = await this.client.sendCommand(['EVAL', script.source, String(keys.length), ...keys, ...args]);
      }
      return JSON.parse(String(reply)) as unknown;
    });
  }

  /** A script that needs no install (reads, presence, install itself), its reply decoded. */
  private async eval<N extends ScriptName>(name: N, keys: string[], args: string[]): Promise<ScriptReply<N>> {
    return decodeReply(name, await this.send(name, keys, args));
  }

  /** A write script: if the store turns out empty, re-seed it (and signal the reset), then retry once. */
  private async run<N extends ScriptName>(name: N, keys: string[], args: string[]): Promise<ScriptReply<N>> {
    let reply = await this.send(name, keys, args);
    if (isNoInstall(reply)) {
      await this.checkInstalled();
      reply = await this.send(name, keys, args);
      if (isNoInstall(reply)) throw new StoreUnavailableError('the store was wiped and could not be re-seeded');
    }
    return decodeReply(name, reply);
  }

  private async readLeads(ids: string[]): Promise<Lead[]> {
    const out: Lead[] = [];
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      out.push(...(await this.eval('readLeads', this.keys.globalList, ids.slice(i, i + READ_CHUNK))));
    }
    return out;
  }

  private get k() {
    return this.keys.global;
  }

  // ---- secrets ------------------------------------------------------------------------

  async ensureSecret(name: SecretName, hash: string): Promise<{ hash: string; created: boolean }> {
    return this.eval('ensureSecret', this.keys.globalList, [name, hash]);
  }

  // ---- pool ---------------------------------------------------------------------------

  async getPool(): Promise<PoolConfig> {
    const [pool, settings] = await this.call(() => this.client.multi().hGetAll(this.k.pool).hGetAll(this.k.settings).exec());
    return decodePool(pool, settings);
  }

  async setMode(mode: Mode): Promise<{ previous: Mode }> {
    return this.run('setMode', this.keys.globalList, [mode]);
  }

  async patchSettings(patch: SettingsPatch): Promise<Settings> {
    const args: string[] = [];
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) args.push(k, JSON.stringify(v));
    return this.run('patchSettings', this.keys.globalList, args);
  }

  async setRules(rules: Rule[]): Promise<void> {
    await this.run('setRules', this.keys.globalList, [JSON.stringify(rules)]);
  }

  // ---- reps ---------------------------------------------------------------------------

  async createRep(rep: StoredRep): Promise<void> {
    await this.run('createRep', this.keys.forReps([rep.id]), [rep.id, rep.tokenHash, ...repFields(rep)]);
  }

  async updateRep(id: string, patch: Partial<Omit<StoredRep, 'id' | 'tokenHash' | 'createdAt' | 'away'>>): Promise<StoredRep | null> {
    const { id: _id, tokenHash: _t, createdAt: _c, away: _a, ...allowed } = patch as Partial<StoredRep>;
    return this.run('updateRep', this.keys.forReps([id]), [id, ...repFields(allowed)]);
  }

  async deleteRep(id: string): Promise<{ rep: StoredRep; released: Lead[] } | null> {
    return this.run('deleteRep', this.keys.forReps([id]), [id]);
  }

  async getRep(id: string): Promise<StoredRep | null> {
    return decodeRep(await this.call(() => this.client.hGetAll(this.keys.rep(id)[0])));
  }

  async repIdByTokenHash(tokenHash: string): Promise<string | null> {
    const id = await this.call(() => this.client.hGet(this.k.tokens, tokenHash));
    return id ?? null;
  }

  async listReps(): Promise<StoredRep[]> {
    const ids = await this.call(() => this.client.zRange(this.k.reps, 0, -1));
    if (ids.length === 0) return [];
    const multi = this.client.multi();
    for (const id of ids) multi.hGetAll(this.keys.rep(id)[0]);
    const rows: unknown[] = await this.call(() => multi.exec());
    return rows.map(decodeRep).filter((r) => r !== null);
  }

  async heldCounts(): Promise<Record<string, number>> {
    const members = await this.call(() => this.client.zRange(this.k.claimed, 0, -1));
    const counts: Record<string, number> = {};
    for (const m of members) {
      const repId = m.slice(0, m.indexOf(SEP));
      counts[repId] = (counts[repId] ?? 0) + 1;
    }
    return counts;
  }

  // ---- presence -----------------------------------------------------------------------

  async tabOpened(repId: string, tabId: string): Promise<PresenceChange> {
    return { repId, ...(await this.eval('tabOpened', this.keys.forReps([repId]), [repId, tabId, this.nodeId])) };
  }

  async tabClosed(repId: string, tabId: string): Promise<PresenceChange> {
    return { repId, ...(await this.eval('tabClosed', this.keys.forReps([repId]), [repId, tabId])) };
  }

  async setAway(repId: string, away: boolean): Promise<PresenceChange> {
    return { repId, ...(await this.eval('setAway', this.keys.forReps([repId]), [repId, String(away)])) };
  }

  async onlinePresence(): Promise<Record<string, Exclude<Presence, 'offline'>>> {
    const tabn = await this.call(() => this.client.hGetAll(this.k.tabn));
    const repIds = Object.keys(tabn).filter((id) => Number(tabn[id]) > 0);
    if (repIds.length === 0) return {};
    const multi = this.client.multi();
    for (const id of repIds) multi.hGet(this.keys.rep(id)[0], 'away');
    const away: unknown[] = await this.call(() => multi.exec());
    const out: Record<string, 'available' | 'away'> = {};
    repIds.forEach((id, i) => {
      if (away[i] === null || away[i] === undefined) return; // rep gone
      out[id] = away[i] === 'true' ? 'away' : 'available';
    });
    return out;
  }

  async sweepPresence(): Promise<PresenceChange[]> {
    const repIds = await this.call(() => this.client.hKeys(this.k.tabn));
    return this.eval('sweepPresence', this.keys.forReps(repIds), [this.nodeId, String(NODE_STALE_MS), ...repIds]);
  }

  // ---- leads --------------------------------------------------------------------------

  async insertLead(draft: LeadDraft): Promise<IngestResult> {
    const { status, eligible, ...rest } = structuredClone(draft);
    const doc: Record<string, unknown> = rest;
    if (status !== 'disqualified') delete doc.disqualifiedReasons;
    const eligibleReps = Array.isArray(eligible) ? [...new Set(eligible)] : [];
    return this.run('insertLead', this.keys.forReps(eligibleReps), [
      newLeadId(),
      JSON.stringify(doc),
      status,
      JSON.stringify(eligible),
      draft.externalId ?? '',
      draft.email ? draft.email.toLowerCase() : '',
      draft.phone ? normalizePhone(draft.phone) : '',
      ...eligibleReps,
    ]);
  }

  async reroute(changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]> {
    if (changes.length === 0) return [];
    const current = await this.readLeads(changes.map((c) => c.leadId));
    const reps = new Set<string>();
    for (const lead of current) if (Array.isArray(lead.eligible)) for (const r of lead.eligible) reps.add(r);
    for (const c of changes) if (Array.isArray(c.eligible)) for (const r of c.eligible) reps.add(r);
    const repIds = [...reps];
    const payload = changes.map((c) => ({
      id: c.leadId,
      json: JSON.stringify(c.eligible),
      reps: Array.isArray(c.eligible) ? c.eligible : [],
    }));
    return this.run('reroute', this.keys.forReps(repIds), [JSON.stringify(payload), ...repIds]);
  }

  async getLead(id: string): Promise<Lead | null> {
    const [lead] = await this.readLeads([id]);
    return lead ?? null;
  }

  async listLeads(query: LeadQuery): Promise<Lead[]> {
    const limit = query.limit ?? 100;
    if (limit <= 0) return [];
    const source = query.status ? this.k[STATUS_KEYS[query.status]] : this.k.leads;
    const out: Lead[] = [];
    // Newest first, page by page, until the limit is filled.
    const page = Number.isFinite(limit) && !query.repId ? Math.min(limit, READ_CHUNK) : READ_CHUNK;
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.call(() => this.client.zRange(source, start, start + page - 1, { REV: true }));
      if (ids.length === 0) break;
      for (const lead of await this.readLeads(ids)) {
        if (query.status && lead.status !== query.status) continue;
        if (query.repId && lead.claimedBy !== query.repId) continue;
        out.push(lead);
        if (out.length >= limit) break;
      }
      if (ids.length < page) break;
    }
    return out;
  }

  async openLeads(): Promise<Lead[]> {
    const ids = await this.call(() => this.client.zRange(this.k.open, 0, -1));
    return (await this.readLeads(ids)).filter((l) => l.status === 'open');
  }

  async statusCounts(): Promise<Record<LeadStatus, number>> {
    return this.eval('statusCounts', this.keys.globalList, []);
  }

  async openSummary(): Promise<{ count: number; oldestCreatedAt: string | null }> {
    return this.eval('openSummary', this.keys.globalList, []);
  }

  async heldLeads(repId: string): Promise<Lead[]> {
    const members = await this.call(() => this.client.zRangeByLex(this.k.claimed, ...claimedRange(repId)));
    const ids = members.map((m) => m.slice(repId.length + 1));
    return (await this.readLeads(ids))
      .filter((l) => l.status === 'claimed' && l.claimedBy === repId)
      .sort((a, b) => (a.claimedAt! < b.claimedAt! ? -1 : a.claimedAt! > b.claimedAt! ? 1 : 0));
  }

  async claim(leadId: string, repId: string): Promise<ClaimResult> {
    return this.run('claim', this.keys.forReps([repId]), [leadId, repId]);
  }

  async pull(repId: string): Promise<PullResult> {
    return this.run('pull', this.keys.forReps([repId]), [repId]);
  }

  async release(leadId: string, by: Releaser): Promise<ReleaseResult> {
    return this.run('release', this.keys.globalList, [leadId, 'repId' in by ? by.repId : '']);
  }

  async assign(leadId: string, repId: string): Promise<AssignResult> {
    return this.run('assign', this.keys.forReps([repId]), [leadId, repId]);
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string): Promise<OutcomeResult> {
    return this.run('outcome', this.keys.globalList, [leadId, repId, outcome, note === undefined ? '0' : '1', note ?? '']);
  }

  async autoAssign(candidates: string[]): Promise<AutoAssignResult> {
    return this.run('autoAssign', this.keys.forReps(candidates), candidates);
  }

  async runDue(): Promise<DueEvent[]> {
    const events: DueEvent[] = [];
    for (;;) {
      const res = await this.run('runDue', this.keys.globalList, [String(DUE_BATCH)]);
      events.push(...res.events);
      if (res.popped < DUE_BATCH) return events;
    }
  }
}
