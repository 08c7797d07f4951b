// What the embedded store keeps on disk, under LEADPOOL_DATA: lowdb JSON files, read once
// at start (and again when the store recovers from a failed write) and rewritten whole by
// the group commit (server/store/group-commit.ts), each batch of files atomically
// (server/store/batch-files.ts: temp files, a commit manifest, renames; a leftover
// manifest is rolled forward and leftover temp files are removed by load()).
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
import { BadManifestError, recoverBatch, writeBatch } from './batch-files.js';
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
  /** Segments changed since the last takeChangedSegments(): part of the next batch. */
  private changedSegments = new Set<Low<EventsFile>>();

  constructor(
    private readonly dir: string,
    private readonly clock: () => number = Date.now,
    /** fsync each batch (batch-files.ts): survives an OS crash too, not only the death of the process. */
    private readonly fsync = false,
  ) {
    mkdirSync(dir, { recursive: true });
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

  /**
   * Writes these files, whole, as one atomic batch (batch-files.ts writeBatch). Their
   * content is taken now, synchronously: later changes are not part of this batch.
   */
  commit(files: Iterable<DataFile>): Promise<void> {
    const batch = [...new Set(files)].map((db) => {
      const name = this.names.get(db);
      if (name === undefined) throw new Error('not a data file of this folder');
      return { name, text: compact.stringify(db.data) };
    });
    return writeBatch(this.dir, batch, { fsync: this.fsync });
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
      await this.commit(toWrite);
    } catch (err) {
      throw new StoreUnavailableError(`writing the data files in ${this.dir} failed: ${(err as Error).message}`, { cause: err });
    }
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
    this.changedSegments.add(last.db);
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
      this.changedSegments.delete(gone.db);
      unlink(join(this.dir, eventsFile(gone.n))).catch(() => {});
    }
  }

  /** The segments changed since the last call (the store adds them to its next batch). */
  takeChangedSegments(): DataFile[] {
    const out = [...this.changedSegments];
    this.changedSegments.clear();
    return out;
  }

  /** The file holding `lead` (by its acceptance order), created (empty, unread) when new. */
  of(lead: StoredLead): Low<LeadsFile> {
    return this.shard(shardIndex(lead.seq));
  }

  private shard(n: number): Low<LeadsFile> {
    while (this.shards.length <= n) this.shards.push(this.file<LeadsFile>(shardFile(this.shards.length), { leads: [] }));
    return this.shards[n];
  }
}
