// The Redis store: Redis is the one source of truth and the arbiter of every race. Every
// operation that decides a race is one Lua script (lua/, loaded by scripts.ts) with all its
// keys in KEYS (keys.ts), its reply checked and typed by decode.ts; reads that decide
// nothing are plain commands or a read-only script. Behaves as the embedded store
// (server/store/embedded.ts, the reference), checks in the same order.
//
// Failure model: the command client has `disableOfflineQueue: true`, so while Redis is
// unreachable every method rejects at once with StoreUnavailableError (the command was
// never sent: nothing happened); node-redis reconnects by itself. A change whose reply does
// not come (Redis stalled, the connection dropped after the command was written) is never
// reported as a failure on a guess: each call of a script that changes something carries a
// random operation id (its op key, keys.ts), the script acts at most once per id and stores
// its reply there, and the call waits for the reply on a live connection (replyWaitMs), then
// finds out through the op key: the reply stored there is the answer (the change happened);
// nothing there, a tombstone is stored first (SET NX; the script, should it still arrive,
// then does nothing) and only then the call answers StoreUnavailableError. Reads simply fail
// after COMMAND_TIMEOUT_MS (they change nothing). healthy() is false while Redis does not
// answer a PING within HEALTH_TIMEOUT_MS. See sendOp and certainty() below. Each time the
// connection becomes ready the `installed` marker is checked: a missing or different marker
// means Redis lost its data (restart without persistence), so defaults are re-seeded and the
// onReset listeners run. Scripts that write refuse to run on an empty store (NOINSTALL),
// which triggers the same check, so no write lands in a store without its defaults. The
// same check first runs migrateV1.lua (column names before v1) and migratePools.lua (a v1
// store becomes the pool `default`), which bring a store of an older layout up to date.
//
// Pools: scripts that touch a lead they cannot name the pool of in advance get every
// pool's keys (keys.ts). The pool ids are cached here; a script that finds the registry
// changed answers RETRY, and the call reads the pools again and runs once more.
import { randomUUID } from 'node:crypto';
import { ClientClosedError, ClientOfflineError, createClient, ErrorReply } from 'redis';
import {
  type AuditActor,
  type AuditEvent,
  DEFAULT_POOL,
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
import { type LeadPage, type LeadSearch, leadMatches, queryWords, searchTokens, TOKEN_PREFIX } from '../../domain/search.js';
import { DEFAULT_AUDIT_MAX_EVENTS, eventBounds, eventIdMs, eventMatches, eventsLimit } from '../audit.js';
import { newLeadId } from '../ids.js';
import {
  type AssignResult,
  type AttemptResult,
  type AuditContext,
  type AutoAssignResult,
  type ClaimedDelivery,
  type ClaimResult,
  type CreatedRange,
  type DeletePoolResult,
  type DueEvent,
  type EventFilter,
  type IngestResult,
  type LeadDraft,
  type LeadQuery,
  type NewDelivery,
  type OutcomeResult,
  type PoolRecord,
  type PresenceChange,
  type PullResult,
  type ReleaseResult,
  type Releaser,
  type RepView,
  type SecretName,
  type Store,
  type StoredDelivery,
  type StoredFeed,
  type StoredForm,
  type StoredFormPatch,
  type StoredRep,
  type StoredWebhook,
  StoreOutcomeUnknownError,
  StoreUnavailableError,
  type StrandEvent,
  UnknownPoolError,
} from '../types.js';
import { CallBatcher } from './call-batcher.js';
import {
  decodeDelivery,
  decodeEvent,
  decodeFeed,
  decodeForm,
  decodePool,
  decodeRep,
  decodeReply,
  decodeTokenPools,
  decodeWebhook,
  isNoInstall,
  isNoMigrate,
  isRetry,
  type ScriptReply,
} from './decode.js';
import { claimedRange, Keys, OP_TTL_MS, type Scope, SEP, STATUS_KEYS, V1_RENAMED_COLUMNS } from './keys.js';
import { isOperation, SCRIPTS, type ScriptName } from './scripts.js';

interface RedisStoreOptions {
  url: string;
  /** Namespace of every key, so several deployments (or tests) share one Redis. Default 'lp'. */
  keyPrefix?: string;
  /** This process's id in the cluster (presence: which node holds which tab). */
  nodeId: string;
  /** How long init() waits for a first connection. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * A change whose reply has not come while the connection is up (Redis stalled): how long
   * to keep waiting for it before finding out through its op key. Default 20 s.
   */
  replyWaitMs?: number;
  /**
   * Finding out what a change whose reply was lost did: how long to try (Redis must answer)
   * before the call answers StoreOutcomeUnknownError; the search goes on in the background.
   * Default 1.5 s: a call never hangs on a Redis that is down.
   */
  resolveWithinMs?: number;
  /** The operation ids (tests). Default: random UUIDs. */
  opIds?: () => string;
  /** Audit events kept at least (LEADPOOL_AUDIT_MAX_EVENTS): the stream's MAXLEN ~. */
  auditMaxEvents?: number;
}

/** A change whose outcome was found out only after its call had answered StoreOutcomeUnknownError. */
export interface LateOutcome {
  script: ScriptName;
  /** The script's reply: the change happened. */
  reply: unknown;
}

/**
 * A node whose heartbeat is older than this has its tabs dropped. docs/API.md, Presence: the
 * tabs of a dead process count as gone within 15 s. Nodes heartbeat (sweepPresence) every
 * 5 s, so a node is declared dead after two missed heartbeats and a live node's sweep
 * notices it at most one period later: 10 s + 5 s = 15 s after the death in the worst case.
 */
const NODE_STALE_MS = 10_000;
/** Reads that take longer than this reject with StoreUnavailableError (a frozen Redis; a read changes nothing). */
const COMMAND_TIMEOUT_MS = 5_000;
/** healthy() is false when Redis does not answer a PING within this. */
const HEALTH_TIMEOUT_MS = 1_000;
/** Each command of the search for a lost reply (GET, SET NX of the op key) waits this long. */
const PROBE_TIMEOUT_MS = 1_000;
/** The search for a lost reply goes on in the background at most this long (well within OP_TTL_MS). */
const BACKGROUND_SEARCH_MS = OP_TTL_MS / 2;
/**
 * What the op key of a call holds once the call gave up on it: the script, should it still
 * arrive, answers this and does nothing. No script answers this code.
 */
const TOMBSTONE = JSON.stringify({ code: 'ABANDONED' });
const READ_CHUNK = 1000;
const DUE_BATCH = 500;
/** A script answering RETRY (pools or reps changed since they were read) runs at most this many times. */
const MAX_ATTEMPTS = 10;
/** The most tabs one call of tabOpened.lua (tabClosed.lua) records (each passes its rep's four keys; with reads, its view comes back). */
const OPEN_TABS_PER_CALL = 64;
/** The most claims (pulls) one call of claim.lua (pull.lua) decides (each passes its rep's four keys). */
const CLAIMS_PER_CALL = 64;
/**
 * Calls in flight at once of each batched script (tabOpened.lua, tabClosed.lua, claim.lua,
 * pull.lua); what comes meanwhile waits for the next call. A call of tabOpened.lua costs
 * Redis about 80 µs before its first tab and 30 µs a tab after, one of claim.lua some 20 µs
 * before its first claim; and each costs the server a round trip and a decode: in a burst
 * the calls fill up by themselves (group commit), while a lone one is sent at once.
 */
const BATCHED_CALLS = 2;
/** listEvents reads at most this many stream entries per page (a rare filter answers a short page with `next`). */
const EVENTS_SCAN_BUDGET = 20_000;
/** searchLeads reads at most this many leads per page (a rare filter answers a short page with `next`). */
const LEADS_SCAN_BUDGET = 20_000;
/** searchLeads by words: at most this many search index entries per query (docs/API.md, GET /api/leads). */
const SEARCH_CANDIDATES = 5_000;
const SYSTEM: AuditActor = { role: 'system' };
const MANAGER: AuditActor = { role: 'manager' };
/** The audit context of a manager's change unless the call says otherwise. */
const byManager = (audit?: AuditContext): AuditContext => ({ ...audit, actor: audit?.actor ?? MANAGER });
/** The audit context of a rep's own change. */
const byRep = (repId: string, audit?: AuditContext): AuditContext => ({ ...audit, actor: audit?.actor ?? { role: 'rep', id: repId } });

/** A claim or pull waiting for a call of claim.lua (pull.lua): its rep, its triple of the script's ARGS. */
interface Taking {
  repId: string;
  args: [string, string, string];
}

/** A tab whose opening waits for a call of tabOpened.lua; `read`: its rep's view is read in the same step. */
interface OpeningTab {
  repId: string;
  tabId: string;
  read?: { pools: string[] };
}

/** A script call: the pools and reps whose keys it gets (keys.ts Scope), and its own arguments. */
interface Call {
  scope: Scope;
  args: string[];
}

/** Redis error replies that mean "not available right now" rather than "bug" (refused before the script ran). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

/**
 * What the failure of a command says about the script it carried (node-redis 6,
 * @redis/client dist/lib/client/index.js sendCommand, socket.js, commands-queue.js):
 * - 'not-sent', certain, nothing happened: ClientClosedError (client closed or destroyed)
 *   and ClientOfflineError (disconnected, disableOfflineQueue) are returned by sendCommand
 *   before the command is queued (so are AbortError and "The queue is full": this store
 *   uses neither abort signals nor a queue limit).
 * - 'answered': an ErrorReply, Redis refused or failed the command. The refusals of
 *   TRANSIENT_REPLY (and NOSCRIPT, handled by evalScript) come before the script runs.
 * - 'unknown': anything else. A socket error or close (SocketClosedUnexpectedlyError,
 *   ECONNRESET, EPIPE, SocketTimeoutError) rejects every command written and waiting for
 *   its reply (it may have run), and, as disableOfflineQueue makes the client flush its
 *   whole queue, the commands not written yet with the same error: they cannot be told
 *   apart, so all are found out. destroy() rejects what is queued with
 *   DisconnectsClientError: unknown too.
 */
function certainty(err: unknown): 'not-sent' | 'answered' | 'unknown' {
  if (err instanceof ClientClosedError || err instanceof ClientOfflineError) return 'not-sent';
  if (err instanceof ErrorReply) return 'answered';
  return 'unknown';
}

type Settled<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** How `p` settled within `ms` (it keeps running after a timeout). */
function settleWithin<T>(p: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      (value): Settled<T> => ({ kind: 'value', value }),
      (error: unknown): Settled<T> => ({ kind: 'error', error }),
    ),
    new Promise<Settled<T>>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Redis refused a script call because the script is not in its cache (nothing ran). */
const isNoScript = (err: unknown) => err instanceof ErrorReply && err.message.startsWith('NOSCRIPT');

/** A script's raw reply as JSON; a tombstone (the op was abandoned before it ran) is a StoreUnavailableError: nothing happened. */
function opReply(raw: string): unknown {
  if (raw === TOMBSTONE) throw new StoreUnavailableError('the store did not answer in time; nothing was changed');
  return JSON.parse(raw) as unknown;
}

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
  /** The pool registry as last read (creation order); null = read it again. */
  private poolIds: string[] | null = null;
  private installing: Promise<void> | null = null;
  private resetListeners: (() => void)[] = [];
  private lateListeners: ((outcome: LateOutcome) => void)[] = [];
  private closed = false;
  /** Tabs opening and closing, claims and pulls made at about the same time go to Redis together (call-batcher.ts). */
  private readonly openingTabs = new CallBatcher<OpeningTab, PresenceChange & { view?: RepView | null }>(
    OPEN_TABS_PER_CALL,
    BATCHED_CALLS,
    (tabs) => this.openTabs(tabs),
  );
  private readonly closingTabs = new CallBatcher<{ repId: string; tabId: string }, PresenceChange>(
    OPEN_TABS_PER_CALL,
    BATCHED_CALLS,
    async (tabs) => {
      const changes = await this.run('tabClosed', {
        scope: { reps: tabs.map((t) => t.repId) },
        args: tabs.flatMap((t) => [t.repId, t.tabId]),
      });
      return tabs.map((t, i) => ({ repId: t.repId, ...changes[i] }));
    },
  );
  private readonly pulls = new CallBatcher<Taking, PullResult>(CLAIMS_PER_CALL, BATCHED_CALLS, (pulls) => this.take('pull', pulls));
  private readonly claims = new CallBatcher<Taking, ClaimResult>(CLAIMS_PER_CALL, BATCHED_CALLS, (claims) => this.take('claim', claims));
  private readonly replyWaitMs: number;
  private readonly resolveWithinMs: number;
  private readonly opIds: () => string;
  /** A second connection, opened at the first lost reply: finds out through op keys while the command connection is stuck. */
  private resolver: ReturnType<typeof createClient> | null = null;
  /** Op keys whose reply came: removed in batches (their TTL is the backstop). */
  private answered: string[] = [];
  /** SCRIPT LOADs in flight after a NOSCRIPT, by script: the calls that meet NOSCRIPT meanwhile wait for the same load. */
  private readonly loadingScripts = new Map<ScriptName, Promise<void>>();
  private forgetting: NodeJS.Timeout | null = null;
  private readonly auditMax: number;
  /** sweepPresence ran once: later probes skip the look for tabs of unknown nodes while no node is stale. */
  private probedOnce = false;

  constructor(opts: RedisStoreOptions) {
    this.auditMax = opts.auditMaxEvents ?? DEFAULT_AUDIT_MAX_EVENTS;
    this.nodeId = opts.nodeId;
    this.keys = new Keys(opts.keyPrefix ?? 'lp');
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.replyWaitMs = opts.replyWaitMs ?? 20_000;
    this.resolveWithinMs = opts.resolveWithinMs ?? 1_500;
    this.opIds = opts.opIds ?? randomUUID;
    this.client = createClient({
      url: opts.url,
      // Fail fast while disconnected: a command must not wait in a queue for a Redis that
      // may come back in a minute (docs/API.md, Durability); the caller answers 503 at once.
      disableOfflineQueue: true,
      // This store times its commands itself (COMMAND_TIMEOUT_MS for reads, replyWaitMs and
      // the op key for changes): no per-command timer of node-redis (its default, 5 s, arms
      // an AbortSignal.timeout for every command, a cost on every connect and claim).
      commandOptions: { timeout: 0 },
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
    if (this.forgetting) clearTimeout(this.forgetting);
    if (this.resolver?.isOpen) this.resolver.destroy();
    if (!this.client.isOpen) return;
    if (!this.client.isReady) {
      this.client.destroy();
      return;
    }
    await this.client.close().catch(() => this.client.destroy());
  }

  /** Connected, and Redis answers a PING within HEALTH_TIMEOUT_MS (a stalled Redis is not healthy). */
  async healthy(): Promise<boolean> {
    if (this.closed || !this.client.isReady) return false;
    return (await settleWithin(this.client.ping(), HEALTH_TIMEOUT_MS)).kind === 'value';
  }

  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  /**
   * A change that happened although its call answered StoreOutcomeUnknownError (Redis came
   * back after resolveWithinMs and its op key held the reply): what the caller was not told.
   */
  onLateOutcome(listener: (outcome: LateOutcome) => void): void {
    this.lateListeners.push(listener);
  }

  /**
   * Migrates an older layout, seeds defaults when the store is empty (SET NX of the
   * `installed` marker) and notices when the store this process knew was wiped: then the
   * onReset listeners run.
   */
  private checkInstalled(): Promise<void> {
    this.installing ??= (async () => {
      try {
        await this.sendRaw('migrateV1', this.keys.migrationV1(), [String(Object.keys(V1_RENAMED_COLUMNS).length)]);
        await this.migratePools();
        await this.indexTokenPools();
        const index = this.keys.script(SCRIPTS.indexTimes.globalKeys);
        decodeReply('indexTimes', await this.sendRaw('indexTimes', index.keys, index.args));
        const defaults = Object.entries(DEFAULT_SETTINGS).flatMap(([k, v]) => [k, JSON.stringify(v)]);
        const { keys, args } = this.keys.script(SCRIPTS.install.globalKeys, { pools: [DEFAULT_POOL] });
        const reply = await this.sendRaw('install', keys, [...args, randomUUID(), new Date().toISOString(), ...defaults]);
        if (isNoMigrate(reply)) throw new Error('the Redis store holds v1 data that was not migrated to pools');
        const res = decodeReply('install', reply);
        this.poolIds = null;
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

  /** A v1 store (installed, no layout) becomes the pool `default` (migratePools.lua); a no-op after. */
  private async migratePools(): Promise<void> {
    const [installed, layout] = await this.call(() => this.client.multi().exists(this.k.installed).exists(this.k.layout).exec());
    if (Number(installed) !== 1 || Number(layout) === 1) return;
    for (let attempt = 1; ; attempt++) {
      const reps = await this.call(() => this.client.zRange(this.k.reps, 0, -1));
      const { keys, args } = this.keys.script(SCRIPTS.migratePools.globalKeys, { pools: [DEFAULT_POOL], reps });
      const reply = await this.sendRaw('migratePools', [...keys, ...this.keys.v1PoolKeys()], [...args, new Date().toISOString(), ...reps]);
      if (!isRetry(reply)) {
        decodeReply('migratePools', reply);
        return;
      }
      if (attempt >= MAX_ATTEMPTS) throw new StoreUnavailableError('the v1 migration kept racing rep changes');
    }
  }

  /** Fills `tokenpools` for reps stored before it existed (indexTokenPools.lua); nothing to do once it is full. */
  private async indexTokenPools(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const [tokens, indexed] = await this.call(() => this.client.multi().hLen(this.k.tokens).hLen(this.k.tokenpools).exec());
      if (Number(indexed) >= Number(tokens)) return;
      const reps = await this.call(() => this.client.zRange(this.k.reps, 0, -1));
      const { keys, args } = this.keys.script(SCRIPTS.indexTokenPools.globalKeys, { reps });
      const reply = await this.sendRaw('indexTokenPools', keys, [...args, ...reps]);
      if (!isRetry(reply)) {
        decodeReply('indexTokenPools', reply);
        return;
      }
      if (attempt >= MAX_ATTEMPTS) throw new StoreUnavailableError('filling tokenpools kept racing rep changes');
    }
  }

  // ---- plumbing -----------------------------------------------------------------------

  /** Runs a Redis read (or an idempotent script), mapping connection failures and timeouts to StoreUnavailableError. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          // The timer may fire late, after this process was busy (a fan-out to thousands of
          // tabs) while the answer waited unread: it rejects only after the pending I/O was
          // read (setImmediate runs after the poll phase), so a read fails when Redis was slow.
          timer = setTimeout(
            () => setImmediate(() => reject(new StoreUnavailableError('Redis did not answer in time'))),
            COMMAND_TIMEOUT_MS,
          );
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

  /**
   * EVALSHA, the raw reply. NOSCRIPT (refused before anything ran, so sending the call again,
   * same op key, is safe) meets every call in flight at once when the script is not cached
   * yet: a process's first burst of it, or Redis restarted empty. They share one SCRIPT LOAD
   * and send EVALSHA again, instead of each sending the whole source with EVAL (thousands of
   * copies of 10 to 25 KB in a reconnect storm); EVAL only if the script vanished meanwhile.
   */
  private async evalScript(name: ScriptName, keys: string[], args: string[]): Promise<string> {
    const script = SCRIPTS[name];
    try {
      return String(await this.sendScript('EVALSHA', script, keys, args));
    } catch (err) {
      if (!isNoScript(err)) throw err;
    }
    let loading = this.loadingScripts.get(name);
    if (!loading) {
      loading = this.client.sendCommand(['SCRIPT', 'LOAD', script.source]).then(
        () => {},
        () => {}, // the EVAL below carries the source itself
      );
      this.loadingScripts.set(name, loading);
      loading.then(() => this.loadingScripts.delete(name));
    }
    await loading;
    try {
      return String(await this.sendScript('EVALSHA', script, keys, args));
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return String(await this.sendScript('EVAL', script, keys, args));
    }
  }

  // A method, not a closure made per call: tsx names every closure it makes (keepNames).
  private sendScript(command: 'EVALSHA' | 'EVAL', script: (typeof SCRIPTS)[ScriptName], keys: string[], args: string[]) {
    return this.client.sendCommand([command, command === 'EVAL' ? script.source : script.sha, String(keys.length), ...keys, ...args]);
  }

  /** A read-only or idempotent script (no op key): the reply's JSON; a timeout is a StoreUnavailableError. */
  private sendRaw(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    return this.call(async () => JSON.parse(await this.evalScript(name, keys, args)) as unknown);
  }

  /**
   * A script that changes something, with a new operation id: its reply's JSON, once known.
   * Rejects with StoreUnavailableError only when it is certain that nothing happened: not
   * sent, refused by Redis, or tombstoned before it ran (findOut); StoreOutcomeUnknownError
   * when Redis could not be asked within resolveWithinMs.
   */
  private async sendOp(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    const opKey = this.keys.op(this.opIds());
    const sent = this.evalScript(name, [...keys, opKey], args);
    const first = await settleWithin(sent, this.replyWaitMs);
    if (first.kind === 'value') {
      if (first.value !== TOMBSTONE) this.forget(opKey);
      return opReply(first.value);
    }
    if (first.kind === 'error') {
      const err = first.error;
      const known = certainty(err);
      if (known === 'not-sent') throw new StoreUnavailableError('the store cannot be reached', { cause: err });
      if (known === 'answered') {
        if (TRANSIENT_REPLY.test((err as Error).message)) throw new StoreUnavailableError('the store cannot be reached', { cause: err });
        throw err;
      }
    }
    // The script may or may not have run: find out through its op key.
    let late: { reply: string } | null = null;
    sent.then(
      (reply) => {
        late = { reply };
      },
      () => {},
    );
    const search = this.findOut(opKey, () => late, Date.now() + BACKGROUND_SEARCH_MS);
    const found = await settleWithin(search, this.resolveWithinMs);
    if (found.kind === 'value') {
      if (found.value !== TOMBSTONE) this.forget(opKey);
      return opReply(found.value);
    }
    if (found.kind === 'error') throw found.error;
    search.then(
      (reply) => {
        if (reply === TOMBSTONE) return;
        this.forget(opKey);
        for (const listener of this.lateListeners) {
          try {
            listener({ script: name, reply: JSON.parse(reply) });
          } catch {
            // a listener's failure is its own
          }
        }
      },
      () => {},
    );
    throw new StoreOutcomeUnknownError(`Redis stopped answering while ${name} was in flight: its outcome is not known yet`, {
      cause: first.kind === 'error' ? first.error : undefined,
    });
  }

  /**
   * What happened to the op whose reply was lost: the reply the script stored at its op key,
   * or, when nothing is stored, a tombstone stored first with SET NX (from then on the script
   * does nothing, should it still arrive), answered as TOMBSTONE. Asks Redis on a second
   * connection (the command connection may be stuck behind the lost reply), retrying with
   * backoff until Redis answers; the script's own reply wins if it comes meanwhile.
   */
  private async findOut(opKey: string, late: () => { reply: string } | null, until: number): Promise<string> {
    for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
      const came = late();
      if (came) return came.reply;
      if (this.closed || Date.now() > until) throw new StoreOutcomeUnknownError('the outcome of a write could not be found out');
      const resolver = this.resolverClient();
      if (resolver.isReady) {
        const stored = await settleWithin(resolver.get(opKey), PROBE_TIMEOUT_MS);
        if (stored.kind === 'value' && stored.value !== null) return stored.value;
        if (stored.kind === 'value') {
          // Nothing stored: the script has not run. The tombstone makes sure it never will.
          const set = await settleWithin(resolver.set(opKey, TOMBSTONE, { NX: true, PX: OP_TTL_MS }), PROBE_TIMEOUT_MS);
          if (set.kind === 'value' && set.value === 'OK') return TOMBSTONE;
          if (set.kind === 'value') continue; // the script stored its reply in between: read it
          // SET's own outcome unknown: read again (a tombstone or the reply, whichever is there)
        }
      }
      await sleep(delay);
    }
  }

  private resolverClient(): ReturnType<typeof createClient> {
    if (!this.resolver) {
      const resolver = this.client.duplicate();
      resolver.on('error', () => {});
      resolver.connect().catch(() => {});
      this.resolver = resolver;
    }
    return this.resolver;
  }

  /** An op key whose reply came: nobody will ask for it again (removed in a batch, soon). */
  private forget(opKey: string): void {
    this.answered.push(opKey);
    if (this.forgetting) return;
    this.forgetting = setTimeout(() => {
      this.forgetting = null;
      const keys = this.answered.splice(0);
      if (this.closed || !this.client.isReady) return; // their TTL removes them
      for (let i = 0; i < keys.length; i += READ_CHUNK) this.client.unlink(keys.slice(i, i + READ_CHUNK)).catch(() => {});
    }, 100);
    this.forgetting.unref();
  }

  /**
   * Runs a store script (KEYS and the leading ARGV from keys.ts Keys.script), its reply
   * decoded. `plan` says which pools and reps it concerns and its arguments; it is asked
   * again when the script answers RETRY (the pools or reps read went stale). A write script
   * that finds the store empty (NOINSTALL) re-seeds it (and signals the reset), then runs
   * once more.
   */
  private async run<N extends ScriptName>(
    name: N,
    plan: Call | (() => Call | Promise<Call>),
    audit: AuditContext = { actor: MANAGER },
  ): Promise<ScriptReply<N>> {
    let reinstalled = false;
    const context = isOperation(name) ? JSON.stringify({ ...audit, actor: audit.actor ?? MANAGER, max: this.auditMax }) : '';
    for (let attempt = 1; ; attempt++) {
      const { scope, args } = typeof plan === 'function' ? await plan() : plan;
      const { keys, args: lead } = this.keys.script(SCRIPTS[name].globalKeys, scope, context);
      const reply = isOperation(name)
        ? await this.sendOp(name, keys, [...lead, ...args])
        : await this.sendRaw(name, keys, [...lead, ...args]);
      if (isNoInstall(reply)) {
        if (reinstalled) throw new StoreUnavailableError('the store was wiped and could not be re-seeded');
        reinstalled = true;
        await this.checkInstalled();
        continue;
      }
      if (isRetry(reply)) {
        this.poolIds = null;
        if (attempt >= MAX_ATTEMPTS) throw new StoreUnavailableError(`${name} kept racing pool or rep changes`);
        continue;
      }
      return decodeReply(name, reply);
    }
  }

  /** Every pool id (creation order), cached: scripts given every pool verify the list (RETRY). */
  private async allPools(): Promise<string[]> {
    this.poolIds ??= await this.call(() => this.client.zRange(this.k.pools, 0, -1));
    return this.poolIds;
  }

  /** A call given every pool's keys (and these reps'). */
  private everyPool(reps: string[], args: string[]): () => Promise<Call> {
    return async () => ({ scope: { pools: await this.allPools(), reps }, args });
  }

  private async readLeads(ids: string[]): Promise<Lead[]> {
    const out: Lead[] = [];
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      out.push(...(await this.run('readLeads', { scope: {}, args: ids.slice(i, i + READ_CHUNK) })));
    }
    return out;
  }

  private get k() {
    return this.keys.global;
  }

  // ---- secrets ------------------------------------------------------------------------

  async ensureSecret(name: SecretName, hash: string): Promise<{ hash: string; created: boolean }> {
    return this.run('ensureSecret', { scope: {}, args: [name, hash] });
  }

  // ---- pools --------------------------------------------------------------------------

  private async readPools(ids: string[]): Promise<PoolRecord[]> {
    if (ids.length === 0) return [];
    const multi = this.client.multi();
    for (const id of ids) {
      const p = this.keys.pool(id);
      multi.hGetAll(p.config).hGetAll(p.settings);
    }
    const rows: unknown[] = await this.call(() => multi.exec());
    return ids.map((id, i) => decodePool(id, rows[2 * i], rows[2 * i + 1])).filter((p) => p !== null);
  }

  async listPools(): Promise<PoolRecord[]> {
    const ids = await this.call(() => this.client.zRange(this.k.pools, 0, -1));
    this.poolIds = ids;
    return this.readPools(ids);
  }

  async getPool(poolId: string): Promise<PoolRecord | null> {
    const [pool] = await this.readPools([poolId]);
    return pool ?? null;
  }

  async createPool(pool: PoolRecord, audit?: AuditContext): Promise<boolean> {
    const settings = Object.entries(pool.settings).flatMap(([k, v]) => (v === undefined ? [] : [k, JSON.stringify(v)]));
    const created = await this.run(
      'createPool',
      {
        scope: { pools: [pool.id] },
        args: [pool.name, pool.createdAt, pool.mode, JSON.stringify(pool.rules), ...settings],
      },
      byManager(audit),
    );
    if (created) this.poolIds = null;
    return created;
  }

  async renamePool(poolId: string, name: string, audit?: AuditContext): Promise<PoolRecord | null> {
    const res = await this.run('renamePool', { scope: { pools: [poolId] }, args: [name] }, byManager(audit));
    return res && decodePool(poolId, res.config, res.settings);
  }

  async deletePool(poolId: string, audit?: AuditContext): Promise<DeletePoolResult> {
    const res = await this.run(
      'deletePool',
      async () => {
        const reps = await this.call(() => this.client.zRange(this.k.reps, 0, -1));
        return { scope: { pools: [poolId], reps }, args: reps };
      },
      byManager(audit),
    );
    if (res.ok) this.poolIds = null;
    return res;
  }

  async setMode(poolId: string, mode: Mode, audit?: AuditContext): Promise<{ previous: Mode } | null> {
    return this.run('setMode', { scope: { pools: [poolId] }, args: [mode] }, byManager(audit));
  }

  async patchSettings(poolId: string, patch: SettingsPatch, audit?: AuditContext): Promise<Settings | null> {
    const args: string[] = [];
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) args.push(k, JSON.stringify(v));
    return this.run('patchSettings', { scope: { pools: [poolId] }, args }, byManager(audit));
  }

  async setRules(poolId: string, rules: Rule[], audit?: AuditContext): Promise<boolean> {
    return this.run('setRules', { scope: { pools: [poolId] }, args: [JSON.stringify(rules)] }, byManager(audit));
  }

  // ---- hosted forms -------------------------------------------------------------------

  async createForm(form: StoredForm): Promise<void> {
    const created = await this.run('createForm', { scope: {}, args: [form.id, form.poolId, JSON.stringify(form)] });
    if (!created) throw new UnknownPoolError(form.poolId);
  }

  async listForms(): Promise<StoredForm[]> {
    const ids = await this.call(() => this.client.zRange(this.k.formorder, 0, -1));
    if (ids.length === 0) return [];
    const rows = await this.call(() => this.client.hmGet(this.k.forms, ids));
    return rows.map(decodeForm).filter((f) => f !== null);
  }

  async getForm(id: string): Promise<StoredForm | null> {
    return decodeForm(await this.call(() => this.client.hGet(this.k.forms, id)));
  }

  async updateForm(id: string, patch: StoredFormPatch): Promise<StoredForm | null> {
    const result = await this.run('updateForm', { scope: {}, args: [id, JSON.stringify(patch), patch.poolId ?? ''] });
    if (result === 'NO_POOL') throw new UnknownPoolError(patch.poolId!);
    return result;
  }

  async deleteForm(id: string): Promise<boolean> {
    return this.run('deleteForm', { scope: {}, args: [id] });
  }

  // ---- feed keys ----------------------------------------------------------------------

  async createFeed(feed: StoredFeed, audit?: AuditContext): Promise<void> {
    const stored: StoredFeed = { id: feed.id, name: feed.name, pools: [...feed.pools], createdAt: feed.createdAt, keyHash: feed.keyHash };
    await this.run('createFeed', { scope: {}, args: [feed.id, feed.keyHash, JSON.stringify(stored)] }, byManager(audit));
  }

  async listFeeds(): Promise<StoredFeed[]> {
    const ids = await this.call(() => this.client.zRange(this.k.feedorder, 0, -1));
    if (ids.length === 0) return [];
    const rows = await this.call(() => this.client.hmGet(this.k.feeds, ids));
    return rows.map(decodeFeed).filter((f) => f !== null);
  }

  async getFeed(id: string): Promise<StoredFeed | null> {
    return decodeFeed(await this.call(() => this.client.hGet(this.k.feeds, id)));
  }

  async feedByKeyHash(keyHash: string): Promise<StoredFeed | null> {
    const id = await this.call(() => this.client.hGet(this.k.feedkeys, keyHash));
    if (id === null || id === undefined) return null;
    const feed = await this.getFeed(id);
    // rotated or revoked between the two reads: that key is no longer the feed's
    return feed && feed.keyHash === keyHash ? feed : null;
  }

  async setFeedKey(id: string, keyHash: string, audit?: AuditContext): Promise<StoredFeed | null> {
    return this.run('setFeedKey', { scope: {}, args: [id, keyHash] }, byManager(audit));
  }

  async deleteFeed(id: string, audit?: AuditContext): Promise<StoredFeed | null> {
    return this.run('deleteFeed', { scope: {}, args: [id] }, byManager(audit));
  }

  // ---- reps ---------------------------------------------------------------------------

  async createRep(rep: StoredRep, audit?: AuditContext): Promise<void> {
    await this.run('createRep', { scope: { reps: [rep.id] }, args: [rep.id, rep.tokenHash, ...repFields(rep)] }, byManager(audit));
  }

  async updateRep(
    id: string,
    patch: Partial<Omit<StoredRep, 'id' | 'tokenHash' | 'createdAt' | 'away' | 'offShift'>>,
    audit?: AuditContext,
  ): Promise<StoredRep | null> {
    const { id: _id, tokenHash: _t, createdAt: _c, away: _a, offShift: _o, ...allowed } = patch as Partial<StoredRep>;
    return this.run('updateRep', { scope: { reps: [id] }, args: [id, ...repFields(allowed)] }, byManager(audit));
  }

  async setRepToken(id: string, tokenHash: string, audit?: AuditContext): Promise<boolean> {
    return this.run('setRepToken', { scope: { reps: [id] }, args: [id, tokenHash] }, byManager(audit));
  }

  async deleteRep(id: string, audit?: AuditContext): Promise<{ rep: StoredRep; released: Lead[] } | null> {
    return this.run('deleteRep', this.everyPool([id], [id]), byManager(audit));
  }

  async getRep(id: string): Promise<StoredRep | null> {
    return decodeRep(await this.call(() => this.client.hGetAll(this.keys.rep(id)[0])));
  }

  async repByTokenHash(tokenHash: string): Promise<{ id: string; pools: string[] } | null> {
    // One round trip: the rep's pools sit beside its token (keys.ts tokenpools).
    const [id, pools] = await this.call(() =>
      Promise.all([this.client.hGet(this.k.tokens, tokenHash), this.client.hGet(this.k.tokenpools, tokenHash)]),
    );
    if (!id) return null;
    if (pools) return { id, pools: decodeTokenPools(pools) };
    // Not filled yet (indexTokenPools runs at the next connection): the rep itself.
    const rep = await this.getRep(id);
    return rep ? { id, pools: rep.pools } : null;
  }

  async listReps(): Promise<StoredRep[]> {
    const ids = await this.call(() => this.client.zRange(this.k.reps, 0, -1));
    if (ids.length === 0) return [];
    const multi = this.client.multi();
    for (const id of ids) multi.hGetAll(this.keys.rep(id)[0]);
    const rows: unknown[] = await this.call(() => multi.exec());
    return rows.map(decodeRep).filter((r) => r !== null);
  }

  async listRepsPage(offset: number, limit: number): Promise<{ reps: StoredRep[]; total: number }> {
    const [ids, total] = await this.call(() =>
      Promise.all([this.client.zRange(this.k.reps, offset, offset + limit - 1), this.client.zCard(this.k.reps)]),
    );
    if (ids.length === 0) return { reps: [], total };
    const multi = this.client.multi();
    for (const id of ids) multi.hGetAll(this.keys.rep(id)[0]);
    const rows: unknown[] = await this.call(() => multi.exec());
    return { reps: rows.map(decodeRep).filter((r) => r !== null), total };
  }

  async heldCounts(poolId?: string, repIds?: readonly string[]): Promise<Record<string, number>> {
    const index = poolId === undefined ? this.k.claimed : this.keys.pool(poolId).held;
    if (repIds) {
      // Those reps only: one ZLEXCOUNT each, not every claimed lead.
      if (repIds.length === 0) return {};
      const multi = this.client.multi();
      for (const id of repIds) multi.zLexCount(index, ...claimedRange(id));
      const rows = (await this.call(() => multi.exec())) as unknown as number[];
      const counts: Record<string, number> = {};
      repIds.forEach((id, i) => {
        if (Number(rows[i]) > 0) counts[id] = Number(rows[i]);
      });
      return counts;
    }
    const members = await this.call(() => this.client.zRange(index, 0, -1));
    const counts: Record<string, number> = {};
    for (const m of members) {
      const repId = m.slice(0, m.indexOf(SEP));
      counts[repId] = (counts[repId] ?? 0) + 1;
    }
    return counts;
  }

  // ---- presence -----------------------------------------------------------------------

  tabOpened(repId: string, tabId: string): Promise<PresenceChange>;
  tabOpened(repId: string, tabId: string, read: { pools: string[] }): Promise<PresenceChange & { view: RepView | null }>;
  tabOpened(repId: string, tabId: string, read?: { pools: string[] }): Promise<PresenceChange & { view?: RepView | null }> {
    // Tabs opened in the same turn of the event loop (a burst of connects: their sign-ins
    // came back together), or while calls are in flight, go to Redis as one call.
    return this.openingTabs.submit({ repId, tabId, read });
  }

  /** Records these tabs, each answered with its change and, when it asked, its rep's view. */
  private async openTabs(tabs: OpeningTab[]): Promise<Promise<PresenceChange & { view?: RepView | null }>[]> {
    const pools = [...new Set(tabs.flatMap((t) => t.read?.pools ?? []))];
    const read = tabs.some((t) => t.read);
    const { changes, views } = await this.run(
      'tabOpened',
      {
        scope: { pools, reps: tabs.map((t) => t.repId) },
        args: [this.nodeId, read ? 'view' : '', ...tabs.flatMap((t) => [t.repId, t.tabId])],
      },
      byRep(tabs[0].repId),
    );
    return tabs.map(async (tab, i) => {
      const change: PresenceChange = { repId: tab.repId, ...changes[i] };
      if (!tab.read) return change;
      // A replayed operation (its reply found out after a lost answer) answers without the reads.
      const view = await (views === undefined ? this.repView(tab.repId, pools) : this.fullView(tab.repId, pools, views[i]));
      return { ...change, view };
    });
  }

  tabClosed(repId: string, tabId: string): Promise<PresenceChange> {
    // As opening tabs: the tabs that close together (a proxy restarted, a network cut) go as one call.
    return this.closingTabs.submit({ repId, tabId });
  }

  async setAway(repId: string, away: boolean): Promise<PresenceChange> {
    return { repId, ...(await this.run('setAway', { scope: { reps: [repId] }, args: [repId, String(away)] }, byRep(repId))) };
  }

  async setOffShift(repId: string, offShift: boolean): Promise<PresenceChange> {
    return { repId, ...(await this.run('setOffShift', { scope: { reps: [repId] }, args: [repId, String(offShift)] })) };
  }

  async onlinePresence(only?: readonly string[]): Promise<Record<string, Exclude<Presence, 'offline'>>> {
    let repIds: string[];
    if (only) {
      // Those reps only: their tab counts, not every online rep's.
      const counts = only.length ? await this.call(() => this.client.hmGet(this.k.tabn, [...only])) : [];
      repIds = only.filter((_, i) => Number(counts[i]) > 0);
    } else {
      const tabn = await this.call(() => this.client.hGetAll(this.k.tabn));
      repIds = Object.keys(tabn).filter((id) => Number(tabn[id]) > 0);
    }
    if (repIds.length === 0) return {};
    const multi = this.client.multi();
    for (const id of repIds) multi.hmGet(this.keys.rep(id)[0], ['away', 'offShift']);
    const rows = (await this.call(() => multi.exec())) as unknown as (string | null)[][];
    const out: Record<string, Exclude<Presence, 'offline'>> = {};
    repIds.forEach((id, i) => {
      const [away, offShift] = rows[i] ?? [];
      if (away === null || away === undefined) return; // rep gone
      out[id] = offShift === 'true' ? 'off-shift' : away === 'true' ? 'away' : 'available';
    });
    return out;
  }

  /**
   * The heartbeat: a probe that passes no rep (a live cluster's heartbeat costs no rep), then,
   * only when a node went silent, a sweep passing the reps that have a tab of it
   * (lua/sweepPresence.lua). This process's first probe also looks for tabs of nodes no longer
   * in `nodes` (left by a sweep before this one).
   */
  async sweepPresence(): Promise<PresenceChange[]> {
    const stale = String(NODE_STALE_MS);
    const probe = await this.run(
      'sweepPresence',
      { scope: {}, args: [this.nodeId, stale, this.probedOnce ? 'probe' : 'full'] },
      { actor: SYSTEM },
    );
    this.probedOnce = true;
    if (probe.reps.length === 0) return probe.changes;
    const swept = await this.run(
      'sweepPresence',
      { scope: { reps: probe.reps }, args: [this.nodeId, stale, 'sweep', ...probe.reps] },
      { actor: SYSTEM },
    );
    return swept.changes;
  }

  // ---- leads --------------------------------------------------------------------------

  async insertLead(draft: LeadDraft, audit?: AuditContext): Promise<IngestResult> {
    const { status, eligible, poolId, ...rest } = structuredClone(draft);
    const doc: Record<string, unknown> = rest;
    if (status !== 'disqualified') delete doc.disqualifiedReasons;
    const eligibleReps = Array.isArray(eligible) ? [...new Set(eligible)] : [];
    const res = await this.run(
      'insertLead',
      {
        scope: { pools: [poolId], reps: eligibleReps },
        args: [
          newLeadId(),
          JSON.stringify(doc),
          status,
          JSON.stringify(eligible),
          draft.externalId ?? '',
          draft.email ? draft.email.toLowerCase() : '',
          draft.phone ? normalizePhone(draft.phone) : '',
          JSON.stringify(searchTokens(draft)),
          ...eligibleReps,
        ],
      },
      { ...audit, actor: audit?.actor ?? (draft.feedId ? { role: 'feed', id: draft.feedId } : MANAGER) },
    );
    if ('code' in res) throw new UnknownPoolError(poolId);
    return res;
  }

  async insertLeads(drafts: LeadDraft[], audit?: AuditContext): Promise<IngestResult[]> {
    if (drafts.length === 0) return [];
    const poolId = drafts[0].poolId;
    const reps = new Map<string, number>();
    const leads = drafts.map((draft) => {
      const { status, eligible, poolId: _pool, ...rest } = structuredClone(draft);
      const doc: Record<string, unknown> = rest;
      if (status !== 'disqualified') delete doc.disqualifiedReasons;
      const own = Array.isArray(eligible) ? [...new Set(eligible)] : [];
      for (const r of own) if (!reps.has(r)) reps.set(r, reps.size + 1);
      return {
        id: newLeadId(),
        doc: JSON.stringify(doc),
        status,
        eligible: JSON.stringify(eligible),
        ext: draft.externalId ?? '',
        email: draft.email ? draft.email.toLowerCase() : '',
        phone: draft.phone ? normalizePhone(draft.phone) : '',
        search: searchTokens(draft),
        reps: own.map((r) => reps.get(r)!),
      };
    });
    const res = await this.run(
      'insertLeads',
      { scope: { pools: [poolId], reps: [...reps.keys()] }, args: [JSON.stringify(leads)] },
      { ...audit, actor: audit?.actor ?? MANAGER },
    );
    if ('code' in res) throw new UnknownPoolError(poolId);
    return res.results;
  }

  async reroute(poolId: string, changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]> {
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
    return this.run('reroute', { scope: { pools: [poolId], reps: repIds }, args: [JSON.stringify(payload), ...repIds] }, { actor: SYSTEM });
  }

  async getLead(id: string): Promise<Lead | null> {
    const [lead] = await this.readLeads([id]);
    return lead ?? null;
  }

  async listLeads(query: LeadQuery): Promise<Lead[]> {
    const limit = query.limit ?? 100;
    if (limit <= 0) return [];
    const sets = query.poolId === undefined ? this.k : this.keys.pool(query.poolId);
    const source = query.status ? sets[STATUS_KEYS[query.status]] : sets.leads;
    const out: Lead[] = [];
    // Newest first, page by page, until the limit is filled.
    const page = Number.isFinite(limit) && !query.repId ? Math.min(limit, READ_CHUNK) : READ_CHUNK;
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.call(() => this.client.zRange(source, start, start + page - 1, { REV: true }));
      if (ids.length === 0) break;
      for (const lead of await this.readLeads(ids)) {
        if (query.status && lead.status !== query.status) continue;
        if (query.repId && lead.claimedBy !== query.repId) continue;
        if (query.poolId !== undefined && lead.poolId !== query.poolId) continue;
        out.push(lead);
        if (out.length >= limit) break;
      }
      if (ids.length < page) break;
    }
    return out;
  }

  async searchLeads(query: LeadSearch): Promise<LeadPage> {
    const maxSeq = query.before === undefined ? Number.POSITIVE_INFINITY : Number(query.before);
    const leads: { lead: Lead; seq: number }[] = [];
    let scanned = 0;
    for await (const chunk of this.leadCandidates(query, maxSeq)) {
      const read = new Map((await this.readLeads(chunk.map((c) => c.id))).map((l) => [l.id, l]));
      for (const { id, seq } of chunk) {
        scanned++;
        const lead = read.get(id);
        if (!lead) continue;
        if (query.from !== undefined && lead.createdAt < query.from) return this.leadPage(leads); // newest first: the rest are older
        if (!leadMatches(lead, query)) continue;
        if (leads.length === query.limit) return this.leadPage(leads, String(leads[leads.length - 1].seq));
        leads.push({ lead, seq });
      }
      if (scanned >= LEADS_SCAN_BUDGET) return this.leadPage(leads, String(chunk[chunk.length - 1].seq));
    }
    return this.leadPage(leads);
  }

  /**
   * The leads that may match, newest first, in chunks: by the search index (the longest
   * word of `q`), a rep's held leads, or the narrowest sorted set by seq (a status in a pool,
   * a pool, every lead).
   */
  private async *leadCandidates(query: LeadSearch, maxSeq: number): AsyncGenerator<{ id: string; seq: number }[]> {
    const word = (query.q ? queryWords(query.q) : []).filter((w) => w.length >= TOKEN_PREFIX).sort((a, b) => b.length - a.length)[0];
    let ids: string[] | null = null;
    if (word !== undefined) {
      const members = await this.call(() =>
        // every token starting with the word: up to the word followed by the highest byte
        this.client.zRangeByLex(this.k.search, `[${word}`, Buffer.concat([Buffer.from(`[${word}`), Buffer.from([0xff])]), {
          LIMIT: { offset: 0, count: SEARCH_CANDIDATES },
        }),
      );
      ids = [...new Set(members.map((m) => m.slice(m.lastIndexOf(SEP) + 1)))];
    } else if (query.status === 'claimed' && query.repId !== undefined) {
      const repId = query.repId;
      const members = await this.call(() => this.client.zRangeByLex(this.k.claimed, ...claimedRange(repId)));
      ids = members.map((m) => m.slice(repId.length + 1));
    }
    if (ids !== null) {
      const found = ids;
      const scores = found.length ? await this.call(() => this.client.zmScore(this.k.leads, found)) : [];
      const ranked = found
        .map((id, i) => ({ id, seq: Number(scores[i]) }))
        .filter((c) => Number.isFinite(c.seq) && c.seq < maxSeq)
        .sort((a, b) => b.seq - a.seq);
      for (let i = 0; i < ranked.length; i += READ_CHUNK) yield ranked.slice(i, i + READ_CHUNK);
      return;
    }
    const sets = query.poolId === undefined ? this.k : this.keys.pool(query.poolId);
    const source = query.status ? sets[STATUS_KEYS[query.status]] : sets.leads;
    let max = Number.isFinite(maxSeq) ? `(${maxSeq}` : '+inf';
    for (;;) {
      const rows = await this.call(() =>
        this.client.zRangeWithScores(source, max, '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: READ_CHUNK } }),
      );
      if (rows.length === 0) return;
      yield rows.map((r) => ({ id: r.value, seq: r.score }));
      if (rows.length < READ_CHUNK) return;
      max = `(${rows[rows.length - 1].score}`;
    }
  }

  /** A page of the lead list, with the duplicate counts of its leads. */
  private async leadPage(found: { lead: Lead; seq: number }[], next?: string): Promise<LeadPage> {
    const leads = found.map((f) => f.lead);
    const counts = leads.length
      ? await this.call(() =>
          this.client.hmGet(
            this.k.dups,
            leads.map((l) => l.id),
          ),
        )
      : [];
    const duplicates: Record<string, number> = {};
    leads.forEach((l, i) => {
      if (counts[i]) duplicates[l.id] = Number(counts[i]);
    });
    return { leads, duplicates, ...(next === undefined ? {} : { next }) };
  }

  async openLeads(poolId: string): Promise<Lead[]> {
    const ids = await this.call(() => this.client.zRange(this.keys.pool(poolId).open, 0, -1));
    return (await this.readLeads(ids)).filter((l) => l.status === 'open');
  }

  async statusCounts(poolId?: string): Promise<Record<LeadStatus, number>> {
    return this.run('statusCounts', { scope: { pools: poolId === undefined ? [] : [poolId] }, args: [] });
  }

  async openSummary(poolId: string): Promise<{ count: number; oldestCreatedAt: string | null }> {
    return this.run('openSummary', { scope: { pools: [poolId] }, args: [] });
  }

  async heldLeads(repId: string): Promise<Lead[]> {
    const members = await this.call(() => this.client.zRangeByLex(this.k.claimed, ...claimedRange(repId)));
    const ids = members.map((m) => m.slice(repId.length + 1));
    return (await this.readLeads(ids))
      .filter((l) => l.status === 'claimed' && l.claimedBy === repId)
      .sort((a, b) => (a.claimedAt! < b.claimedAt! ? -1 : a.claimedAt! > b.claimedAt! ? 1 : 0));
  }

  async repView(repId: string, expectedPools: string[]): Promise<RepView | null> {
    return this.fullView(
      repId,
      expectedPools,
      await this.run('repView', { scope: { pools: expectedPools, reps: [repId] }, args: [repId] }),
    );
  }

  /** A read of repView.lua made with `pools`, read again while the rep is in pools that were not passed. */
  private async fullView(repId: string, pools: string[], first: ScriptReply<'repView'>): Promise<RepView | null> {
    let read = first;
    for (let attempt = 1; read; attempt++) {
      // The rep is in pools that were not passed (it joined one since the caller looked): read them too.
      if (!read.missing.length || attempt >= MAX_ATTEMPTS) {
        const held = read.held
          .filter((l) => l.status === 'claimed' && l.claimedBy === repId)
          .sort((a, b) => (a.claimedAt! < b.claimedAt! ? -1 : a.claimedAt! > b.claimedAt! ? 1 : 0));
        return { rep: read.rep, pools: read.pools, held };
      }
      pools = [...pools, ...read.missing];
      read = await this.run('repView', { scope: { pools, reps: [repId] }, args: [repId] });
    }
    return null;
  }

  async leadsCreatedBetween({ poolId, from, to }: CreatedRange): Promise<Lead[]> {
    const min = from === undefined ? '-inf' : String(from);
    const max = to === undefined ? '+inf' : `(${to}`;
    const ids = await this.call(() => this.client.zRange(this.k.bytime, min, max, { BY: 'SCORE' }));
    if (poolId === undefined) return this.readLeads(ids);
    // One index for all pools: a pool's leads are picked by their poolId column, unread otherwise.
    const wanted: string[] = [];
    for (let i = 0; i < ids.length; i += READ_CHUNK * 10) {
      const chunk = ids.slice(i, i + READ_CHUNK * 10);
      const pools = await this.call(() => this.client.hmGet(this.k.poolId, chunk));
      chunk.forEach((id, j) => {
        if (pools[j] === poolId) wanted.push(id);
      });
    }
    return this.readLeads(wanted);
  }

  claim(leadId: string, repId: string, tabId?: string): Promise<ClaimResult> {
    // Claims made in the same turn of the event loop (a race), or while calls are in flight,
    // are decided by one call, in the order they came.
    return this.claims.submit({ repId, args: [leadId, repId, tabId ?? ''] });
  }

  pull(repId: string, poolId?: string, tabId?: string): Promise<PullResult> {
    // As claims: the pulls made together are taken by one call, in the order they came.
    return this.pulls.submit({ repId, args: [repId, poolId ?? '', tabId ?? ''] });
  }

  /** Claims (pulls) made together: one call of claim.lua (pull.lua), given every pool and each one's rep's keys and ARGS triple. */
  private take<N extends 'claim' | 'pull'>(script: N, items: Taking[]): Promise<ScriptReply<N>> {
    return this.run(
      script,
      this.everyPool(
        items.map((i) => i.repId),
        items.flatMap((i) => i.args),
      ),
    );
  }

  async release(leadId: string, by: Releaser, audit?: AuditContext): Promise<ReleaseResult> {
    const context = 'repId' in by ? { reason: 'rep', ...byRep(by.repId, audit) } : { reason: 'manager', ...byManager(audit) };
    return this.run('release', this.everyPool([], [leadId, 'repId' in by ? by.repId : '']), context);
  }

  async assign(leadId: string, repId: string, audit?: AuditContext): Promise<AssignResult> {
    return this.run('assign', this.everyPool([repId], [leadId, repId]), byManager(audit));
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string, audit?: AuditContext): Promise<OutcomeResult> {
    return this.run(
      'outcome',
      this.everyPool([], [leadId, repId, outcome, note === undefined ? '0' : '1', note ?? '']),
      byRep(repId, audit),
    );
  }

  async autoAssign(poolId: string, candidates: string[], weights?: Record<string, number>): Promise<AutoAssignResult> {
    const w = candidates.map((id) => (weights?.[id] === undefined ? '' : String(weights[id])));
    return this.run('autoAssign', { scope: { pools: [poolId], reps: candidates }, args: [...candidates, ...w] }, { actor: SYSTEM });
  }

  async strand(poolId: string, leadIds: string[], repIds: string[]): Promise<StrandEvent[]> {
    if (leadIds.length === 0) return [];
    const reps = [...new Set(repIds)];
    return this.run('strand', this.everyPool(reps, [poolId, JSON.stringify(leadIds), ...reps]), { actor: SYSTEM });
  }

  async runDue(): Promise<DueEvent[]> {
    const events: DueEvent[] = [];
    for (;;) {
      const res = await this.run('runDue', this.everyPool([], [String(DUE_BATCH)]), { actor: SYSTEM });
      events.push(...res.events);
      if (res.popped < DUE_BATCH) return events;
    }
  }

  // ---- webhooks and their outbox ------------------------------------------------------

  async createWebhook(hook: StoredWebhook): Promise<void> {
    await this.run('createWebhook', { scope: {}, args: [hook.id, JSON.stringify(hook)] });
  }

  async listWebhooks(): Promise<StoredWebhook[]> {
    const ids = await this.call(() => this.client.zRange(this.k.hookorder, 0, -1));
    if (ids.length === 0) return [];
    const rows = await this.call(() => this.client.hmGet(this.k.hooks, ids));
    return rows.map(decodeWebhook).filter((h) => h !== null);
  }

  async getWebhook(id: string): Promise<StoredWebhook | null> {
    return decodeWebhook(await this.call(() => this.client.hGet(this.k.hooks, id)));
  }

  async updateWebhook(
    id: string,
    patch: Partial<Pick<StoredWebhook, 'url' | 'events' | 'enabled'>> & { poolIds?: string[] | null },
  ): Promise<StoredWebhook | null> {
    const { url, events, enabled, poolIds } = patch;
    return this.run('updateWebhook', { scope: {}, args: [id, JSON.stringify({ url, events, enabled, poolIds })] });
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.run('deleteWebhook', { scope: {}, args: [id] });
  }

  async outboxCursor(): Promise<string | null> {
    return (await this.call(() => this.client.get(this.k.hookcursor))) ?? null;
  }

  async addDeliveries(deliveries: NewDelivery[], cursor?: { expected: string | null; next: string }): Promise<boolean> {
    const list = deliveries.map(({ id, webhookId, event, createdAt, body }) => ({ id, webhookId, event, createdAt, body }));
    return this.run('addDeliveries', {
      scope: {},
      args: [cursor ? '1' : '0', cursor?.expected ?? '', cursor?.next ?? '', JSON.stringify(list)],
    });
  }

  async claimDeliveries(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.run('claimDeliveries', { scope: {}, args: [String(limit), String(Math.ceil(leaseMs)), randomUUID()] });
  }

  async finishDelivery(id: string, lease: string, result: AttemptResult): Promise<boolean> {
    const { ok, status, error, retryInMs } = result;
    return this.run('finishDelivery', { scope: {}, args: [id, lease, JSON.stringify({ ok, status, error, retryInMs })] });
  }

  async listDeliveries(webhookId: string, limit: number): Promise<StoredDelivery[]> {
    const [from, to] = claimedRange(webhookId);
    const members = await this.call(() =>
      this.client.zRange(this.k.dlvlog, to, from, { BY: 'LEX', REV: true, LIMIT: { offset: 0, count: limit } }),
    );
    if (members.length === 0) return [];
    const ids = members.map((m) => m.slice(m.lastIndexOf(SEP) + 1));
    const rows = await this.call(() => this.client.hmGet(this.k.dlv, ids));
    return rows.map(decodeDelivery).filter((d) => d !== null);
  }

  async getDelivery(id: string): Promise<StoredDelivery | null> {
    return decodeDelivery(await this.call(() => this.client.hGet(this.k.dlv, id)));
  }

  async redeliver(id: string): Promise<StoredDelivery | null> {
    return this.run('redeliver', { scope: {}, args: [id] });
  }

  // ---- audit trail --------------------------------------------------------------------

  async listEvents(filter: EventFilter): Promise<{ events: AuditEvent[]; next?: string }> {
    const limit = eventsLimit(filter);
    const { highMs, before, ...bounds } = eventBounds(filter);
    let lowMs = bounds.lowMs;
    // A lead's events come after its arrival (one clock: Redis TIME): no need to read older ones.
    if (filter.leadId !== undefined && filter.since === undefined) {
      const createdAt = await this.call(() => this.client.hGet(this.k.createdAt, filter.leadId!));
      if (createdAt) lowMs = Math.max(lowMs, Number(createdAt) - 1);
    }
    const events: AuditEvent[] = [];
    let end = before !== undefined ? `(${before}` : highMs >= Number.MAX_SAFE_INTEGER ? '+' : `${highMs}-${Number.MAX_SAFE_INTEGER}`;
    const start = lowMs <= 0 ? '-' : `${lowMs}-0`;
    if (before !== undefined && eventIdMs(before) > highMs) end = `${highMs}-${Number.MAX_SAFE_INTEGER}`;
    let scanned = 0;
    for (;;) {
      const rows = (await this.call(() => this.client.xRevRange(this.k.events, end, start, { COUNT: READ_CHUNK }))) ?? [];
      for (const row of rows) {
        scanned++;
        const e = decodeEvent(row.id, row.message);
        if (!e || !eventMatches(e, filter)) continue;
        if (events.length === limit) return { events, next: events[limit - 1].id };
        events.push(e);
      }
      if (rows.length < READ_CHUNK) return { events };
      const last = rows[rows.length - 1].id;
      if (scanned >= EVENTS_SCAN_BUDGET) return { events, next: last };
      end = `(${last}`;
    }
  }

  async eventsAfter(cursor: string | null, limit: number): Promise<AuditEvent[]> {
    if (limit <= 0) return [];
    const rows =
      (await this.call(() => this.client.xRange(this.k.events, cursor === null ? '-' : `(${cursor}`, '+', { COUNT: limit }))) ?? [];
    return rows.map((row) => decodeEvent(row.id, row.message)).filter((e) => e !== null);
  }
}
