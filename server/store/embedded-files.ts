// What the embedded store keeps on disk, under LEADPOOL_DATA: lowdb JSON files, read once
// at start and rewritten whole by the group commit (server/store/group-commit.ts).
//   reps.json           the reps (StoredRep, with the sha256 of their token)
//   pool.json           mode, settings and rules; secrets; per-rep claim counters; the
//                       scheduled escalations and claim timeouts; the acceptance counter
//   leads.json, leads-1.json, ...
//                       the leads in shards of LEADS_PER_SHARD by arrival: lowdb rewrites
//                       a whole file on each write, so a claim rewrites one small shard
// A lead is stored with the field names of the public Lead, plus its acceptance order `seq`.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { DEFAULT_POOL, DEFAULT_SETTINGS, type Lead } from '../../shared/protocol.js';
import { mergeSettings } from '../domain/settings.js';
import { type PoolConfig, type SecretName, StoreCorruptError, type StoredRep } from './types.js';

/** A lead as kept on disk: the public Lead plus its acceptance order. */
export interface StoredLead extends Lead {
  seq: number;
}

/** Per-rep bookkeeping for cooldowns, windows and the round-robin rotation. */
export interface RepCounters {
  /** Store-clock ms of the rep's last successful claim or pull, 0 when none. */
  lastClaimAt: number;
  /** Store-clock ms of its successful claims and pulls inside the claim window. */
  recentClaims: number[];
  rrScore: number;
  lastAssignedAt: number;
}

/** Time-based work for runDue: a lead's escalation, or the timeout of one claim of it. */
type Job = { kind: 'escalate'; leadId: string; at: number } | { kind: 'expire'; leadId: string; at: number; claimedAt: string };

interface LeadsFile {
  leads: StoredLead[];
}
interface RepsFile {
  reps: StoredRep[];
}
interface PoolFile {
  pools: Record<string, PoolConfig>;
  secrets: Partial<Record<SecretName, string>>;
  counters: Record<string, RepCounters>;
  jobs: Job[];
  /** Acceptance counter: the seq of the newest lead. */
  seq: number;
}

/** RepCounters as pool.json held them before claims and the `won` outcome got different words. */
type LegacyRepCounters = Partial<RepCounters> & { lastWinAt?: number; recentWins?: number[] };

/**
 * Migration on load: counters written under the old names (lastWinAt, recentWins) keep
 * their cooldown and window data under the new ones; the next write of pool.json stores
 * only the new names.
 */
function migrateCounters(counters: LegacyRepCounters): void {
  if (counters.lastWinAt !== undefined) {
    counters.lastClaimAt ??= counters.lastWinAt;
    delete counters.lastWinAt;
  }
  if (counters.recentWins !== undefined) {
    counters.recentClaims ??= counters.recentWins;
    delete counters.recentWins;
  }
}

const LEADS_PER_SHARD = 500;
const shardFile = (n: number) => (n === 0 ? 'leads.json' : `leads-${n}.json`);
const shardIndex = (seq: number) => Math.floor((seq - 1) / LEADS_PER_SHARD);

const compact = { parse: JSON.parse, stringify: (data: unknown) => JSON.stringify(data) };

/** The data files of one folder; `data` of each is the live state the store mutates. */
export class EmbeddedFiles {
  readonly reps: Low<RepsFile>;
  readonly pool: Low<PoolFile>;
  /** Lead shards in arrival order; the last one receives new leads. */
  readonly shards: Low<LeadsFile>[] = [];

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.reps = new Low(new DataFile<RepsFile>(join(dir, 'reps.json'), compact), { reps: [] });
    this.pool = new Low(new DataFile<PoolFile>(join(dir, 'pool.json'), compact), {
      pools: { [DEFAULT_POOL]: { mode: 'shark-tank', settings: structuredClone(DEFAULT_SETTINGS), rules: [] } },
      secrets: {},
      counters: {},
      jobs: [],
      seq: 0,
    });
  }

  /**
   * Reads every file (a missing one starts empty), fills in settings added since it was
   * written and migrates old field names. A file that cannot be read or parsed throws
   * StoreCorruptError and is left untouched.
   */
  async load(): Promise<void> {
    const shardCount = Math.max(
      1,
      ...readdirSync(this.dir)
        .map((f) => /^leads(?:-(\d+))?\.json$/.exec(f))
        .filter((m) => m !== null)
        .map((m) => Number(m![1] ?? 0) + 1),
    );
    for (let n = 0; n < shardCount; n++) this.shard(n);
    const files: [string, Low<unknown>][] = [
      ['reps.json', this.reps as Low<unknown>],
      ['pool.json', this.pool as Low<unknown>],
      ...this.shards.map((db, n) => [shardFile(n), db as Low<unknown>] as [string, Low<unknown>]),
    ];
    for (const [name, db] of files) {
      try {
        await db.read();
      } catch (err) {
        throw new StoreCorruptError(
          `cannot read ${join(this.dir, name)}: ${(err as Error).message}. ` +
            'The file was left untouched; restore it from a backup or move it away to start with an empty store.',
        );
      }
      const data = db.data as unknown;
      if (data === null || typeof data !== 'object') throw new StoreCorruptError(`${join(this.dir, name)} does not hold a JSON object`);
    }
    const pool = this.pool.data.pools[DEFAULT_POOL];
    pool.settings = mergeSettings(DEFAULT_SETTINGS, pool.settings ?? {});
    for (const counters of Object.values(this.pool.data.counters ?? {})) migrateCounters(counters);
    for (const shard of this.shards) {
      if (!Array.isArray(shard.data.leads)) throw new StoreCorruptError(`a leads file in ${this.dir} has no "leads" list`);
    }
  }

  /** The file holding `lead` (by its acceptance order), created (empty, unread) when new. */
  of(lead: StoredLead): Low<LeadsFile> {
    return this.shard(shardIndex(lead.seq));
  }

  private shard(n: number): Low<LeadsFile> {
    while (this.shards.length <= n) {
      const i = this.shards.length;
      this.shards.push(new Low(new DataFile<LeadsFile>(join(this.dir, shardFile(i)), compact), { leads: [] }));
    }
    return this.shards[n];
  }
}
