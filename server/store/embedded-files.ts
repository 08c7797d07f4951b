// What the embedded store keeps on disk, under LEADPOOL_DATA: lowdb JSON files and a
// journal. Each group-commit batch (server/store/group-commit.ts) is one line appended to
// the journal (server/store/journal.ts): the records it changed (a lead, a rep, one rep's
// counters, an audit event) or, for the small files, the file whole. Now and then (when the
// journal passes journalMaxBytes, after a quiet moment, at close) a checkpoint rewrites the
// files changed since the last one, atomically (server/store/batch-files.ts: temp files, a
// commit manifest, renames), off the path of the request, and drops the journal it covers.
// load() reads the files (rolling a leftover manifest forward, removing leftover temp
// files), replays the journals over them and folds them in: after a load, and after a clean
// close, the files alone hold everything.
//   reps.json           the reps (StoredRep, with the sha256 of their token and their pools)
//   pool.json           the pools (id, name, mode, settings, rules, createdAt and the
//                       round-robin rotation of each) and their creation order; secrets;
//                       per-rep claim counters (all pools); the scheduled escalations and
//                       claim timeouts; the acceptance counter (one for all pools)
//   feeds.json          the feed keys (StoredFeed, with the sha256 of their key)
//   forms.json          the hosted lead forms (StoredForm), in creation order
//   webhooks.json       the webhooks (with their signing secrets), the outbox cursor and
//                       the deliveries (pending ones, and the latest finished per webhook)
//   leads.json, leads-1.json, ...
//                       the leads of every pool in shards of LEADS_PER_SHARD by arrival:
//                       lowdb rewrites a whole file on each write, so a claim rewrites one
//                       small shard
//   events-<n>.json     the audit trail in segments (AuditEvent lists, oldest first):
//                       only the newest segment is rewritten by a change, the oldest are
//                       removed once the rest hold the retention bound (trimEvents)
// A lead is stored with the field names of the public Lead, plus its acceptance order `seq`.
//
// Data written by v1 (one pool, no pool ids: test/fixtures/v1/) is migrated by load() and
// written back at once: pool `default` gets its name and createdAt, leads get poolId
// "default", reps get pools ["default"], the round-robin fields of the counters move into
// the default pool's rotation, feeds.json is created. Loading migrated data changes nothing.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile as LowFile } from 'lowdb/node';
import { type AuditEvent, DEFAULT_MODE, DEFAULT_POOL, DEFAULT_POOL_NAME, DEFAULT_SETTINGS, type Lead } from '../../shared/protocol.js';
import { mergeSettings } from '../domain/settings.js';
import { BadManifestError, type BatchFile, recoverBatch, writeBatch } from './batch-files.js';
import { ACTIVE_JOURNAL, BadJournalError, Journal, readJournals } from './journal.js';
import {
  type PoolRecord,
  type SecretName,
  StoreCorruptError,
  type StoredDelivery,
  type StoredFeed,
  type StoredForm,
  type StoredRep,
  type StoredWebhook,
  StoreUnavailableError,
} from './types.js';

/** A lead as kept on disk: the public Lead plus its acceptance order. */
export interface StoredLead extends Lead {
  seq: number;
  /** How many later posts duplicated it (the lead list shows it; not part of the public Lead). */
  duplicates?: number;
}

/** Per-rep bookkeeping for cooldowns and windows, across all pools. */
export interface RepCounters {
  /** Store-clock ms of the rep's last successful claim or pull, 0 when none. */
  lastClaimAt: number;
  /** Store-clock ms of its successful claims and pulls inside the longest claim window of any pool. */
  recentClaims: number[];
}

/** A rep's place in one pool's round-robin rotation (domain/policy.ts RotationEntry). */
export interface RotationState {
  score: number;
  lastAssignedAt: number;
}

/** A pool as kept on disk: the PoolRecord plus its rotation, by rep id. */
export interface StoredPool extends PoolRecord {
  rotation: Record<string, RotationState>;
}

/** Time-based work for runDue: a lead's escalation, or the timeout of one claim of it. */
export type Job =
  | { kind: 'escalate'; leadId: string; at: number }
  | { kind: 'expire'; leadId: string; at: number; claimedAt: string }
  /** slaMs: the lead is overdue if still waiting. */
  | { kind: 'sla'; leadId: string; at: number }
  /** reclaimAfterOfflineMs: the rep's claimed leads in the pool, if it is still unavailable since `since`. */
  | { kind: 'reclaim'; repId: string; poolId: string; since: number; at: number };

interface LeadsFile {
  leads: StoredLead[];
}
interface EventsFile {
  events: AuditEvent[];
}
interface RepsFile {
  reps: StoredRep[];
}
interface FeedsFile {
  feeds: StoredFeed[];
}
interface FormsFile {
  forms: StoredForm[];
}
export interface WebhooksFile {
  webhooks: StoredWebhook[];
  /** The audit event id deliveries were made up to. */
  cursor: string | null;
  /** Oldest first. */
  deliveries: StoredDelivery[];
}
interface PoolFile {
  pools: Record<string, StoredPool>;
  /** Pool ids in creation order, `default` first (object keys that look like numbers would not keep it). */
  poolOrder: string[];
  secrets: Partial<Record<SecretName, string>>;
  counters: Record<string, RepCounters>;
  jobs: Job[];
  /** Rep id -> store-clock ms since which it is unavailable (absent: available, or never seen since). */
  unavailableSince: Record<string, number>;
  /** Acceptance counter: the seq of the newest lead, any pool. */
  seq: number;
}

/** RepCounters as older pool.json files held them: v1's round-robin fields, and the words used before claims and `won` got different ones. */
type LegacyRepCounters = Partial<RepCounters> & { lastWinAt?: number; recentWins?: number[]; rrScore?: number; lastAssignedAt?: number };

/** A pool as v1 stored it (mode, settings, rules), or as stored now. */
type LegacyPool = Partial<StoredPool>;

const LEADS_PER_SHARD = 500;
const shardFile = (n: number) => (n === 0 ? 'leads.json' : `leads-${n}.json`);
const shardIndex = (seq: number) => Math.floor((seq - 1) / LEADS_PER_SHARD);

const eventsFile = (n: number) => `events-${n}.json`;
const EVENTS_FILE = /^events-(\d+)\.json$/;

const compact = { parse: JSON.parse, stringify: (data: unknown) => JSON.stringify(data) };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** pool.json without its per-rep records (those are journaled one rep at a time). */
type PoolCore = Omit<PoolFile, 'counters' | 'unavailableSince'>;

/**
 * One operation of a journal line, replayed in order over the files at load. Each is
 * idempotent (replaying a line the files already hold changes nothing).
 */
export type JournalOp =
  /** A file's data, whole (the small files, and any file saved without record marks). */
  | ['F', string, unknown]
  /** pool.json but its per-rep records. */
  | ['P', PoolCore]
  /** One rep's counters and unavailable-since (null: none). */
  | ['K', string, RepCounters | null, number | null]
  /** A rep, upserted by id; removed. */
  | ['R', StoredRep]
  | ['r', string]
  /** A lead upserted by id into lead shard n. */
  | ['L', number, StoredLead]
  /** An audit event appended to segment n (unless there already). */
  | ['E', number, AuditEvent];

/** Journal bytes after which a batch also checkpoints (the files rewritten, the journal dropped). */
const JOURNAL_MAX_BYTES = 8 * 1024 * 1024;
/** A checkpoint after this long without a batch, so a quiet store's files are current. */
const QUIET_CHECKPOINT_MS = 2_000;

/** What the next batch journals: marked records and files to write whole. */
interface Staged {
  whole: Set<DataFile>;
  poolCore: boolean;
  repRecords: Set<string>;
  reps: Map<string, StoredRep | null>;
  leads: Map<StoredLead, number>;
  events: [number, AuditEvent][];
}
const nothingStaged = (): Staged => ({
  whole: new Set(),
  poolCore: false,
  repRecords: new Set(),
  reps: new Map(),
  leads: new Map(),
  events: [],
});

/** A checkpoint taken: the files' content at a batch boundary and the journal it replaces. */
interface Snapshot {
  dbs: DataFile[];
  files: BatchFile[];
  sealed: number | null;
}

/** A fresh pool's stored form. */
export function newStoredPool(pool: PoolRecord): StoredPool {
  return {
    id: pool.id,
    name: pool.name,
    mode: pool.mode,
    settings: structuredClone(pool.settings),
    rules: structuredClone(pool.rules),
    createdAt: pool.createdAt,
    rotation: {},
  };
}

/** One data file as the group commit sees it (a lowdb Low): its `data` is written whole. */
export interface DataFile {
  data: unknown;
}

/** The data files of one folder; `data` of each is the live state the store mutates. */
export class EmbeddedFiles {
  /** The file name of each data file (lowdb keeps it private). */
  private readonly names = new Map<DataFile, string>();
  readonly reps: Low<RepsFile>;
  readonly pool: Low<PoolFile>;
  readonly feeds: Low<FeedsFile>;
  readonly forms: Low<FormsFile>;
  readonly webhooks: Low<WebhooksFile>;
  /** Lead shards in arrival order; the last one receives new leads. */
  readonly shards: Low<LeadsFile>[] = [];
  /** Audit segments, oldest first, with their numbers; the last one receives new events. */
  readonly segments: { n: number; db: Low<EventsFile> }[] = [];
  /** What the next batch writes (stage(), marks), taken by commit(). */
  private staged = nothingStaged();
  /** Records marked since the last stage(): a file saved without any is journaled whole. */
  private marksNow = { reps: false, shards: new Set<DataFile>() };
  /** Files changed since the last checkpoint: what the next one rewrites. */
  private dirty = new Set<DataFile>();
  private readonly journal: Journal;
  private appendsInFlight = 0;
  /**
   * An append failed: memory holds changes that were refused, so nothing of it is ever
   * written again (no checkpoint, no append); the store reloads the folder instead.
   */
  private failed = false;
  private snapshotting: Promise<void> | null = null;
  private quietTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly clock: () => number = Date.now,
    /** fsync each append and checkpoint (batch-files.ts): survives an OS crash too, not only the death of the process. */
    private readonly fsync = false,
    private readonly journalMaxBytes = JOURNAL_MAX_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    this.journal = new Journal(dir, fsync);
    this.reps = this.file<RepsFile>('reps.json', { reps: [] });
    this.pool = this.file<PoolFile>('pool.json', {
      pools: {},
      poolOrder: [],
      secrets: {},
      counters: {},
      jobs: [],
      unavailableSince: {},
      seq: 0,
    });
    this.feeds = this.file<FeedsFile>('feeds.json', { feeds: [] });
    this.forms = this.file<FormsFile>('forms.json', { forms: [] });
    this.webhooks = this.file<WebhooksFile>('webhooks.json', { webhooks: [], cursor: null, deliveries: [] });
  }

  private file<T>(name: string, empty: T): Low<T> {
    // lowdb reads the files (its write is not used: commit() writes batches atomically)
    const db = new Low(new LowFile<T>(join(this.dir, name), compact), empty);
    this.names.set(db, name);
    return db;
  }

  /** The names of the data files of this folder (those known so far). */
  fileNames(): string[] {
    return [...this.names.values()];
  }

  // ---- what a batch changed -------------------------------------------------------------

  /**
   * The store saves these files in the next batch. A lead shard or reps.json with records
   * marked since the previous stage() journals those records; without marks, the file is
   * journaled whole (always correct, only bigger). pool.json journals its core; its per-rep
   * records are journaled as marked (repRecordsChanged), which every change of them does.
   */
  stage(dbs: Iterable<DataFile>): void {
    for (const db of dbs) {
      if (db === this.pool) this.staged.poolCore = true;
      else if (db === this.reps) {
        if (!this.marksNow.reps) this.staged.whole.add(db);
      } else if (this.shards.includes(db as Low<LeadsFile>)) {
        if (!this.marksNow.shards.has(db)) this.staged.whole.add(db);
      } else if (!this.segments.some((s) => s.db === db)) this.staged.whole.add(db);
    }
    this.marksNow = { reps: false, shards: new Set() };
  }

  /** A rep was added or changed: reps.json (to save). */
  repChanged(rep: StoredRep): Low<RepsFile> {
    this.staged.reps.set(rep.id, rep);
    this.marksNow.reps = true;
    return this.reps;
  }

  /** A rep was removed: reps.json (to save). */
  repRemoved(id: string): Low<RepsFile> {
    this.staged.reps.set(id, null);
    this.marksNow.reps = true;
    return this.reps;
  }

  /** A rep's counters or unavailable-since changed (pool.json's per-rep records). */
  repRecordsChanged(repId: string): void {
    this.staged.repRecords.add(repId);
  }

  /**
   * The batch the group commit starts now: its line appended to the journal (durable when
   * this resolves). When the journal is long enough, a checkpoint of this very state too.
   */
  commit(): Promise<void> {
    if (this.failed) return Promise.reject(new Error('an earlier journal append failed'));
    const ops = this.takeStaged();
    const line = `${JSON.stringify(ops)}\n`;
    const snapshot = this.journal.bytes + line.length >= this.journalMaxBytes && !this.snapshotting ? this.takeSnapshot() : null;
    this.appendsInFlight++;
    const appended = this.journal.append(line).then(
      () => {
        this.appendsInFlight--;
        this.armQuietCheckpoint();
      },
      (err: unknown) => {
        this.appendsInFlight--;
        this.failed = true;
        throw err;
      },
    );
    // The checkpoint holds this batch: it is written only once the batch is durable.
    if (snapshot)
      appended.then(
        () => this.writeSnapshot(snapshot),
        () => this.dropSnapshot(snapshot),
      );
    return appended;
  }

  private takeStaged(): JournalOp[] {
    const s = this.staged;
    this.staged = nothingStaged();
    const ops: JournalOp[] = [];
    for (const db of s.whole) {
      const name = this.names.get(db);
      if (name === undefined) continue; // a segment trimmed meanwhile
      ops.push(['F', name, db.data]);
      this.dirty.add(db);
    }
    const pool = this.pool.data;
    if (s.poolCore) {
      const { counters: _c, unavailableSince: _u, ...core } = pool;
      ops.push(['P', core]);
    }
    for (const id of s.repRecords) {
      ops.push(['K', id, Object.hasOwn(pool.counters, id) ? pool.counters[id] : null, pool.unavailableSince[id] ?? null]);
    }
    if (s.poolCore || s.repRecords.size) this.dirty.add(this.pool);
    for (const [id, rep] of s.reps) ops.push(rep ? ['R', rep] : ['r', id]);
    if (s.reps.size) this.dirty.add(this.reps);
    for (const [lead, n] of s.leads) {
      ops.push(['L', n, lead]);
      this.dirty.add(this.shards[n]);
    }
    for (const [n, event] of s.events) {
      ops.push(['E', n, event]);
      const segment = this.segments.find((x) => x.n === n);
      if (segment) this.dirty.add(segment.db);
    }
    return ops;
  }

  // ---- checkpoints --------------------------------------------------------------------

  /** The files changed since the last checkpoint, as they are now, and the journal sealed. */
  private takeSnapshot(): Snapshot {
    const dbs = [...this.dirty].filter((db) => this.names.has(db));
    this.dirty = new Set();
    return { dbs, files: this.batchOf(dbs), sealed: this.journal.seal() };
  }

  private writeSnapshot(snapshot: Snapshot): Promise<void> {
    const run = (async () => {
      try {
        await writeBatch(this.dir, snapshot.files, { fsync: this.fsync });
        if (snapshot.sealed !== null) await this.journal.removeSealed(snapshot.sealed);
      } catch {
        // The sealed journal stays (replayed at the next load); the next checkpoint rewrites these files too.
        this.dropSnapshot(snapshot);
      }
    })();
    this.snapshotting = run.finally(() => {
      this.snapshotting = null;
    });
    return this.snapshotting;
  }

  private dropSnapshot(snapshot: Snapshot): void {
    for (const db of snapshot.dbs) this.dirty.add(db);
  }

  private armQuietCheckpoint(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (!this.checkpointIfQuiet()) this.armQuietCheckpoint();
    }, QUIET_CHECKPOINT_MS);
    this.quietTimer.unref();
  }

  /**
   * A checkpoint when memory holds exactly what the journal holds (nothing staged, no
   * append in flight): whether there was nothing left to do.
   */
  private checkpointIfQuiet(): boolean {
    if (this.failed) return true;
    if (this.appendsInFlight > 0 || this.snapshotting || !this.isStagedEmpty()) return false;
    if (this.dirty.size === 0) return true;
    void this.writeSnapshot(this.takeSnapshot());
    return true;
  }

  private isStagedEmpty(): boolean {
    const s = this.staged;
    return !s.whole.size && !s.poolCore && !s.repRecords.size && !s.reps.size && !s.leads.size && !s.events.length;
  }

  /** Resolves once no checkpoint is being written (tests copy the folder only then). */
  async checkpointsSettled(): Promise<void> {
    while (this.snapshotting) await this.snapshotting;
  }

  /** Nothing written in the background (a recovering store reloads only then). */
  get idle(): boolean {
    return this.appendsInFlight === 0 && !this.snapshotting;
  }

  /**
   * At close, once the group commit is flushed: a last checkpoint, so the files alone hold
   * everything (no journal left). Throws when it cannot be written (the journal stays and
   * is replayed at the next load).
   */
  async close(): Promise<void> {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
    await this.snapshotting;
    if (this.failed) return;
    const snapshot = this.takeSnapshot();
    await writeBatch(this.dir, snapshot.files, { fsync: this.fsync });
    await this.journal.removeSealed(Number.MAX_SAFE_INTEGER);
  }

  /** Stops the background timer of a files object the store replaced (after a reload). */
  dispose(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** Writes these files whole, as one atomic batch (load's migrations and folding). */
  private writeWhole(dbs: Iterable<DataFile>): Promise<void> {
    return writeBatch(this.dir, this.batchOf([...new Set(dbs)]), { fsync: this.fsync });
  }

  /** These files' names and whole content now (the content is taken here, synchronously). */
  private batchOf(dbs: DataFile[]): BatchFile[] {
    return dbs.map((db) => {
      const name = this.names.get(db);
      if (name === undefined) throw new Error('not a data file of this folder');
      return { name, text: compact.stringify(db.data) };
    });
  }

  /**
   * Reads every file (a missing one starts empty), fills in settings added since it was
   * written and migrates older data (see the top of this file); the files it changed (and
   * those missing) are written before it resolves, so the migration happens once. A file
   * that cannot be read or parsed throws StoreCorruptError and is left untouched.
   */
  async load(): Promise<void> {
    try {
      await recoverBatch(this.dir);
    } catch (err) {
      if (err instanceof BadManifestError) {
        throw new StoreCorruptError(
          `${err.message}. The folder was left untouched; restore it from a backup, or remove the manifest to keep the files as they are.`,
        );
      }
      throw new StoreUnavailableError(`recovering the data files in ${this.dir} failed: ${(err as Error).message}`, { cause: err });
    }
    const shardCount = Math.max(
      1,
      ...readdirSync(this.dir)
        .map((f) => /^leads(?:-(\d+))?\.json$/.exec(f))
        .filter((m) => m !== null)
        .map((m) => Number(m![1] ?? 0) + 1),
    );
    for (let n = 0; n < shardCount; n++) this.shard(n);
    const segmentNumbers = readdirSync(this.dir)
      .map((f) => EVENTS_FILE.exec(f))
      .filter((m) => m !== null)
      .map((m) => Number(m![1]))
      .sort((a, b) => a - b);
    for (const n of segmentNumbers) this.segments.push({ n, db: this.file<EventsFile>(eventsFile(n), { events: [] }) });
    const files: [string, Low<unknown>][] = [
      ['reps.json', this.reps as Low<unknown>],
      ['pool.json', this.pool as Low<unknown>],
      ['feeds.json', this.feeds as Low<unknown>],
      ['forms.json', this.forms as Low<unknown>],
      ['webhooks.json', this.webhooks as Low<unknown>],
      ...this.shards.map((db, n) => [shardFile(n), db as Low<unknown>] as [string, Low<unknown>]),
      ...this.segments.map(({ n, db }) => [eventsFile(n), db as Low<unknown>] as [string, Low<unknown>]),
    ];
    const toWrite = new Set<Low<unknown>>();
    for (const [name, db] of files) {
      if (!existsSync(join(this.dir, name))) toWrite.add(db);
      try {
        await db.read();
      } catch (err) {
        throw new StoreCorruptError(
          `cannot read ${join(this.dir, name)}: ${(err as Error).message}. ` +
            'The file was left untouched; restore it from a backup or move it away to start with an empty store.',
        );
      }
      if (!isObject(db.data)) throw new StoreCorruptError(`${join(this.dir, name)} does not hold a JSON object`);
    }
    const corrupt = (name: string, what: string) => new StoreCorruptError(`${join(this.dir, name)} has no ${what}`);
    if (!Array.isArray(this.reps.data.reps)) throw corrupt('reps.json', '"reps" list');
    if (!isObject(this.pool.data.pools)) throw corrupt('pool.json', '"pools" object');
    if (!Array.isArray(this.feeds.data.feeds)) throw corrupt('feeds.json', '"feeds" list');
    if (!Array.isArray(this.forms.data.forms)) throw corrupt('forms.json', '"forms" list');
    if (!Array.isArray(this.webhooks.data.webhooks) || !Array.isArray(this.webhooks.data.deliveries)) {
      throw corrupt('webhooks.json', '"webhooks" and "deliveries" lists');
    }
    for (const [n, shard] of this.shards.entries()) {
      if (!Array.isArray(shard.data.leads)) throw corrupt(shardFile(n), '"leads" list');
    }
    for (const { n, db } of this.segments) if (!Array.isArray(db.data.events)) throw corrupt(eventsFile(n), '"events" list');

    const replayed = this.replayJournals();
    for (const db of replayed) toWrite.add(db as Low<unknown>);

    const poolBefore = JSON.stringify(this.pool.data);
    this.migratePools();
    if (JSON.stringify(this.pool.data) !== poolBefore) toWrite.add(this.pool as Low<unknown>);
    for (const rep of this.reps.data.reps) {
      if (!Array.isArray(rep.pools)) {
        rep.pools = [DEFAULT_POOL];
        toWrite.add(this.reps as Low<unknown>);
      }
    }
    for (const shard of this.shards) {
      for (const lead of shard.data.leads) {
        if (typeof lead.poolId !== 'string') {
          lead.poolId = DEFAULT_POOL;
          toWrite.add(shard as Low<unknown>);
        }
      }
    }
    try {
      await this.writeWhole(toWrite);
      // Folded: the files hold what the journals held (a crash before this replays them again, idempotently).
      await this.journal.removeSealed(Number.MAX_SAFE_INTEGER);
      await unlink(join(this.dir, ACTIVE_JOURNAL)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    } catch (err) {
      throw new StoreUnavailableError(`writing the data files in ${this.dir} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The journals replayed over the files just read (see journal.ts); the files they changed. */
  private replayJournals(): Set<DataFile> {
    let journals: { names: string[]; lines: unknown[] };
    try {
      journals = readJournals(this.dir);
    } catch (err) {
      if (err instanceof BadJournalError) {
        throw new StoreCorruptError(`${err.message}. The folder was left untouched; restore it from a backup.`);
      }
      throw new StoreUnavailableError(`reading the journal in ${this.dir} failed: ${(err as Error).message}`, { cause: err });
    }
    const touched = new Set<DataFile>();
    const leadIndex = new Map<DataFile, Map<string, number>>();
    const eventIds = new Map<DataFile, Set<string>>();
    const byName = (name: string): DataFile | undefined => {
      const shard = /^leads(?:-(\d+))?\.json$/.exec(name);
      if (shard) return this.shard(Number(shard[1] ?? 0));
      const segment = EVENTS_FILE.exec(name);
      if (segment) return this.segment(Number(segment[1]));
      return [...this.names].find(([, n]) => n === name)?.[0];
    };
    for (const line of journals.lines) {
      if (!Array.isArray(line)) throw new StoreCorruptError(`a line of the journal in ${this.dir} is not a list of operations`);
      for (const op of line as JournalOp[]) {
        switch (op[0]) {
          case 'F': {
            const db = byName(op[1]);
            if (!db) throw new StoreCorruptError(`the journal in ${this.dir} names an unknown file ${op[1]}`);
            db.data = op[2];
            leadIndex.delete(db);
            eventIds.delete(db);
            touched.add(db);
            break;
          }
          case 'P': {
            const { counters, unavailableSince } = this.pool.data;
            this.pool.data = { ...op[1], counters, unavailableSince };
            touched.add(this.pool);
            break;
          }
          case 'K': {
            const [, id, counters, since] = op;
            const data = this.pool.data;
            if (counters) data.counters[id] = counters;
            else delete data.counters[id];
            if (since !== null) data.unavailableSince[id] = since;
            else delete data.unavailableSince[id];
            touched.add(this.pool);
            break;
          }
          case 'R':
          case 'r': {
            const id = op[0] === 'R' ? op[1].id : op[1];
            const reps = this.reps.data.reps;
            const i = reps.findIndex((r) => r.id === id);
            if (op[0] === 'r') {
              if (i >= 0) reps.splice(i, 1);
            } else if (i >= 0) reps[i] = op[1];
            else reps.push(op[1]);
            touched.add(this.reps);
            break;
          }
          case 'L': {
            const [, n, lead] = op;
            const shard = this.shard(n);
            let index = leadIndex.get(shard);
            if (!index) {
              index = new Map(shard.data.leads.map((l, i) => [l.id, i]));
              leadIndex.set(shard, index);
            }
            const i = index.get(lead.id);
            if (i === undefined) {
              index.set(lead.id, shard.data.leads.length);
              shard.data.leads.push(lead);
            } else shard.data.leads[i] = lead;
            touched.add(shard);
            break;
          }
          case 'E': {
            const [, n, event] = op;
            const db = this.segment(n);
            let ids = eventIds.get(db);
            if (!ids) {
              ids = new Set(db.data.events.map((e) => e.id));
              eventIds.set(db, ids);
            }
            if (!ids.has(event.id)) {
              ids.add(event.id);
              db.data.events.push(event);
            }
            touched.add(db);
            break;
          }
          default:
            throw new StoreCorruptError(`the journal in ${this.dir} holds an unknown operation`);
        }
      }
    }
    return touched;
  }

  /** Audit segment n, created (empty) in order when missing (a journal replay). */
  private segment(n: number): Low<EventsFile> {
    const found = this.segments.find((s) => s.n === n);
    if (found) return found.db;
    const db = this.file<EventsFile>(eventsFile(n), { events: [] });
    const at = this.segments.findIndex((s) => s.n > n);
    this.segments.splice(at < 0 ? this.segments.length : at, 0, { n, db });
    return db;
  }

  /** pool.json: every pool complete, `default` present and first, counters under their current names. */
  private migratePools(): void {
    const data = this.pool.data;
    const createdAt = new Date(this.clock()).toISOString();
    const pools = data.pools as Record<string, LegacyPool>;
    pools[DEFAULT_POOL] ??= {};
    for (const [id, pool] of Object.entries(pools)) {
      pool.id = id;
      pool.name ??= id === DEFAULT_POOL ? DEFAULT_POOL_NAME : id;
      pool.mode ??= DEFAULT_MODE;
      pool.settings = mergeSettings(DEFAULT_SETTINGS, pool.settings ?? {});
      pool.rules ??= [];
      pool.createdAt ??= createdAt;
      pool.rotation ??= {};
    }
    const known = Object.keys(pools);
    const listed = Array.isArray(data.poolOrder) ? data.poolOrder : [];
    data.poolOrder = [...new Set([DEFAULT_POOL, ...listed.filter((id) => known.includes(id)), ...known])];
    data.secrets ??= {};
    data.counters ??= {};
    data.jobs ??= [];
    data.unavailableSince ??= {};
    data.seq ??= 0;
    const rotation = pools[DEFAULT_POOL].rotation!;
    for (const [repId, counters] of Object.entries(data.counters as Record<string, LegacyRepCounters>)) {
      if (counters.lastWinAt !== undefined) {
        counters.lastClaimAt ??= counters.lastWinAt;
        delete counters.lastWinAt;
      }
      if (counters.recentWins !== undefined) {
        counters.recentClaims ??= counters.recentWins;
        delete counters.recentWins;
      }
      counters.lastClaimAt ??= 0;
      counters.recentClaims ??= [];
      if (counters.rrScore !== undefined || counters.lastAssignedAt !== undefined) {
        if (!Object.hasOwn(rotation, repId)) {
          rotation[repId] = { score: counters.rrScore ?? 0, lastAssignedAt: counters.lastAssignedAt ?? 0 };
        }
        delete counters.rrScore;
        delete counters.lastAssignedAt;
      }
    }
  }

  /**
   * Appends an event to the newest segment (a new one once it holds `perSegment`), then
   * drops the oldest segments while the others still hold `keep` events (their files are
   * removed in the background: a leftover one is dropped again at the next load).
   */
  appendEvent(event: AuditEvent, perSegment: number, keep: number): void {
    let last = this.segments.at(-1);
    if (!last || last.db.data.events.length >= perSegment) {
      const n = last ? last.n + 1 : 0;
      last = { n, db: this.file<EventsFile>(eventsFile(n), { events: [] }) };
      this.segments.push(last);
    }
    last.db.data.events.push(event);
    this.staged.events.push([last.n, event]);
    this.trimEvents(keep);
  }

  /** Drops the oldest segments while the others hold `keep` events (also after a load). */
  trimEvents(keep: number): void {
    let total = 0;
    for (const s of this.segments) total += s.db.data.events.length;
    while (this.segments.length > 1 && total - this.segments[0].db.data.events.length >= keep) {
      const [gone] = this.segments.splice(0, 1);
      total -= gone.db.data.events.length;
      this.names.delete(gone.db);
      this.dirty.delete(gone.db);
      unlink(join(this.dir, eventsFile(gone.n))).catch(() => {});
    }
  }

  /**
   * The file holding `lead` (by its acceptance order), created (empty, unread) when new.
   * Marks the lead as changed: the store calls this for each lead it changes, and saves
   * the file it returns.
   */
  of(lead: StoredLead): Low<LeadsFile> {
    const n = shardIndex(lead.seq);
    const shard = this.shard(n);
    this.staged.leads.set(lead, n);
    this.marksNow.shards.add(shard);
    return shard;
  }

  private shard(n: number): Low<LeadsFile> {
    while (this.shards.length <= n) this.shards.push(this.file<LeadsFile>(shardFile(this.shards.length), { leads: [] }));
    return this.shards[n];
  }
}
