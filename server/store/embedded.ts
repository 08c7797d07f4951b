// The embedded store: all state in memory, persisted to lowdb JSON files under
// LEADPOOL_DATA (their layout and the migration of v1 data: server/store/embedded-files.ts).
// Every operation mutates memory in one synchronous section (so races are decided without
// awaits in between) and then waits for the group commit (server/store/group-commit.ts)
// that writes it, so the caller acknowledges only what is on disk.
//
// A failed write (disk full, read-only, I/O error) leaves no trace: the batch changes
// nothing on disk (server/store/batch-files.ts), and the store becomes unavailable at once,
// before any other call can read the memory that holds the changes that were not written:
// every call rejects with StoreUnavailableError and healthy() is false; the callers of the
// failed batch and of the one pending behind it are answered STORE_UNAVAILABLE. A recovery
// loop then checks, every second, that the folder takes writes again, reloads the last
// durable state from the files (keeping what is never persisted: open tabs, rate buckets)
// and becomes available again.
// Pools: each has its own mode, settings, rules, open leads and round-robin rotation; the
// rules every decision follows are in server/domain/policy.ts and view.ts (mayClaim).
import { randomUUID } from 'node:crypto';
import {
  type AuditActor,
  type AuditEvent,
  type AuditEventType,
  CLOSING_OUTCOMES,
  DEFAULT_MODE,
  DEFAULT_POOL,
  type Lead,
  type LeadStatus,
  type Mode,
  type Outcome,
  type Presence,
  type Rule,
  type Settings,
} from '../../shared/protocol.js';
import type { SettingsPatch } from '../../shared/schemas.js';
import { normalizePhone } from '../domain/dedup.js';
import {
  advanceRotation,
  capReached,
  checkClaim,
  checkPacing,
  checkPull,
  claimWindowToKeep,
  isAvailable,
  isStranded,
  nextInRotation,
  openedByStranding,
  pullPools,
  type RepState,
  recordClaim,
} from '../domain/policy.js';
import { type LeadPage, type LeadSearch, leadMatches, queryWords, searchTokens, TOKEN_PREFIX } from '../domain/search.js';
import { mergeSettings } from '../domain/settings.js';
import { mayClaim } from '../domain/view.js';
import { compareEventIds, DEFAULT_AUDIT_MAX_EVENTS, eventBounds, eventIdAfter, eventIdMs, eventMatches, eventsLimit } from './audit.js';
import { probeWritable } from './batch-files.js';
import {
  type DataFile,
  EmbeddedFiles,
  type Job,
  newStoredPool,
  type RepCounters,
  type StoredLead,
  type StoredPool,
} from './embedded-files.js';
import { GroupCommit } from './group-commit.js';
import { newLeadId } from './ids.js';
import { Journal } from './journal.js';
import {
  type AssignResult,
  type AttemptResult,
  type AuditContext,
  type AutoAssignResult,
  type ClaimedDelivery,
  type ClaimResult,
  type CreatedRange,
  DELIVERIES_KEPT_PER_WEBHOOK,
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
  StoreUnavailableError,
  type StrandEvent,
  UnknownPoolError,
} from './types.js';

/** Dedup index key: the same externalId, email or phone in two pools are two leads. */
const inPool = (poolId: string, value: string) => `${poolId}:${value}`;

export interface EmbeddedStoreOptions {
  /** How often a store whose write failed checks whether the folder takes writes again. Default 1 s. */
  recoveryIntervalMs?: number;
  /**
   * fsync the files and the folder at every batch (LEADPOOL_FSYNC). Off (the default), an
   * acknowledged change survives the death of the process; on, also an OS crash or a power
   * cut, at the cost of waiting for the disk at every batch (batch-files.ts).
   */
  fsync?: boolean;
  /** Audit events kept at least (LEADPOOL_AUDIT_MAX_EVENTS). */
  auditMaxEvents?: number;
  /** Journal bytes after which a checkpoint rewrites the files (embedded-files.ts); tests make it small. */
  journalMaxBytes?: number;
}

/** An event as a store call records it: the id and time are the store's, the actor defaults to the call's. */
type EventDraft = Omit<AuditEvent, 'id' | 'at' | 'actor'> & { actor?: AuditActor };

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private files: EmbeddedFiles;
  private readonly commit = new GroupCommit<DataFile>(
    () => this.files.commit(),
    (err) => this.failed(err),
  );
  /** Set when a write failed, until the files are reloaded: every call is refused meanwhile. */
  private failure: unknown = null;
  private recovery: NodeJS.Timeout | null = null;
  private recovering = false;
  private closed = false;
  private readonly recoveryIntervalMs: number;
  private readonly fsync: boolean;
  private readonly journalMaxBytes?: number;
  private readonly auditMax: number;
  /** Events per segment file: a tenth of the bound (retention steps by one segment), 500 at most. */
  private readonly eventsPerSegment: number;
  /** The id of the newest event recorded (ids never go back, as Redis stream ids). */
  private lastEventId: string | null = null;

  // In-memory indexes, rebuilt from the files at init.
  private leads = new Map<string, StoredLead>();
  private open = new Map<string, StoredLead[]>(); // pool id -> its open leads, sorted by seq (oldest first)
  private held = new Map<string, Set<StoredLead>>(); // rep id -> the leads it holds (status claimed), every pool
  private byExternalId = new Map<string, string>(); // inPool(poolId, externalId) -> lead id
  private byEmail = new Map<string, string>();
  private byPhone = new Map<string, string>();
  private reps = new Map<string, StoredRep>();
  private byTokenHash = new Map<string, string>();
  private feedsByKeyHash = new Map<string, StoredFeed>();
  // The lead list's indexes (searchLeads): fields a lead never changes after its arrival.
  private byPrefix = new Map<string, Set<StoredLead>>(); // first TOKEN_PREFIX letters of a search token
  private bySource = new Map<string, Set<StoredLead>>();
  private byCountry = new Map<string, Set<StoredLead>>();
  private byPool = new Map<string, Set<StoredLead>>();
  private tabs = new Map<string, Set<string>>();
  private actionBuckets = new Map<string, { second: number; count: number }>();
  // Reports read a time range through this: leads by arrival (createdAt ms, then seq), over
  // all pools ('') and per pool, so a range costs a binary search plus the leads in it.
  private byCreated = new Map<string, TimeEntry[]>();
  /** Jobs scheduled while runDue rewrites the job list (e.g. the SLA of a lead a timeout reopened). */
  private scheduledWhileDue: Job[] | null = null;

  constructor(
    private readonly dir: string,
    private readonly clock: () => number = Date.now,
    options: EmbeddedStoreOptions = {},
  ) {
    this.fsync = options.fsync ?? false;
    this.journalMaxBytes = options.journalMaxBytes;
    this.files = new EmbeddedFiles(dir, clock, this.fsync, this.journalMaxBytes);
    this.recoveryIntervalMs = options.recoveryIntervalMs ?? 1_000;
    this.auditMax = Math.max(1, options.auditMaxEvents ?? DEFAULT_AUDIT_MAX_EVENTS);
    this.eventsPerSegment = Math.min(500, Math.max(1, Math.ceil(this.auditMax / 10)));
  }

  async init(): Promise<void> {
    await this.files.load();
    this.rebuild();
    // Tabs are not persisted: after a start every rep is offline, so the reclaim clock of a
    // rep holding leads starts now (unless it was running already); saved with the next write.
    for (const repId of this.held.keys()) this.presenceMoved(repId, 'available', 'offline');
  }

  /** The in-memory indexes, from the files' data (tabs and rate buckets are kept: never persisted). */
  private rebuild(): void {
    this.leads.clear();
    this.open.clear();
    this.held.clear();
    this.byExternalId.clear();
    this.byEmail.clear();
    this.byPhone.clear();
    this.reps.clear();
    this.byTokenHash.clear();
    this.feedsByKeyHash.clear();
    this.byCreated.clear();
    for (const m of [this.byPrefix, this.bySource, this.byCountry, this.byPool]) m.clear();
    for (const shard of this.files.shards) for (const lead of shard.data.leads) this.index(lead);
    for (const list of this.open.values()) list.sort((a, b) => a.seq - b.seq);
    for (const rep of this.files.reps.data.reps) {
      this.reps.set(rep.id, rep);
      this.byTokenHash.set(rep.tokenHash, rep.id);
    }
    for (const feed of this.files.feeds.data.feeds) this.feedsByKeyHash.set(feed.keyHash, feed);
    this.files.trimEvents(this.auditMax);
    this.lastEventId = this.files.segments.at(-1)?.db.data.events.at(-1)?.id ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopRecovery();
    await this.commit.flushed();
    // The last checkpoint: the files alone hold everything. If it cannot be written the
    // journal stays and the next start replays it: nothing is lost either way.
    if (this.failure === null) await this.files.close().catch(() => {});
    this.files.dispose();
  }

  async healthy(): Promise<boolean> {
    return this.failure === null;
  }

  // ---- failed writes ------------------------------------------------------------------

  /** Every call starts here: refused while a failed write is not recovered (memory may hold changes that are not on disk). */
  private check(): void {
    if (this.failure !== null) {
      throw new StoreUnavailableError(`a data file write failed (${(this.failure as Error).message}); the store is reloading its files`, {
        cause: this.failure,
      });
    }
  }

  /** The group commit failed (called synchronously, before its callers hear of it). */
  private failed(err: unknown): void {
    this.failure = err;
    if (this.closed || this.recovery) return;
    this.recovery = setInterval(() => void this.recover(), this.recoveryIntervalMs);
    this.recovery.unref();
  }

  private stopRecovery(): void {
    if (this.recovery) clearInterval(this.recovery);
    this.recovery = null;
  }

  /** Once the folder takes writes again: the last durable state, reloaded from the files. */
  private async recover(): Promise<void> {
    if (this.recovering || this.failure === null || !this.commit.idle || !this.files.idle) return;
    this.recovering = true;
    try {
      await probeWritable(this.dir, this.files.fileNames());
      Journal.probe(this.dir);
      const files = new EmbeddedFiles(this.dir, this.clock, this.fsync, this.journalMaxBytes);
      await files.load(); // rolls a committed batch forward, removes leftover temp files, folds the journal
      if (this.closed) return;
      this.files.dispose();
      this.files = files;
      this.rebuild();
      this.failure = null;
      this.commit.reset();
      this.stopRecovery();
    } catch {
      // still failing (or the files cannot be read): try again at the next tick
    } finally {
      this.recovering = false;
    }
  }

  // ---- helpers ------------------------------------------------------------------------

  private poolOf(poolId: string): StoredPool | null {
    const pools = this.files.pool.data.pools;
    return Object.hasOwn(pools, poolId) ? pools[poolId] : null;
  }

  /** Every pool, in creation order. */
  private poolList(): StoredPool[] {
    return this.files.pool.data.poolOrder.map((id) => this.files.pool.data.pools[id]);
  }

  /** The ids of `ids` that are pools, once each, in the given order. */
  private existingPools(ids: readonly string[]): string[] {
    return [...new Set(ids)].filter((id) => this.poolOf(id) !== null);
  }

  /** Writes these files and the audit segments changed since the last save, in one batch. */
  private save(...dbs: DataFile[]): Promise<void> {
    this.files.stage(dbs);
    return this.commit.write(dbs);
  }

  /** Records an audit event, in memory now and on disk with the next save (the same batch as its change). */
  private record(type: AuditEventType, event: Omit<EventDraft, 'type'>, actor: AuditActor): void {
    const now = this.clock();
    const id = eventIdAfter(this.lastEventId, now);
    this.lastEventId = id;
    const { actor: own, ...rest } = event;
    const e: AuditEvent = { id, at: new Date(eventIdMs(id)).toISOString(), type, ...rest, actor: own ?? actor };
    for (const k of ['poolId', 'leadId', 'repId', 'data'] as const) if (e[k] === undefined) delete e[k];
    this.files.appendEvent(structuredClone(e), this.eventsPerSegment, this.auditMax);
  }

  private index(lead: StoredLead): void {
    this.leads.set(lead.id, lead);
    if (lead.status === 'claimed' && lead.claimedBy) this.hold(lead, lead.claimedBy);
    if (lead.externalId) this.byExternalId.set(inPool(lead.poolId, lead.externalId), lead.id);
    if (lead.email) this.byEmail.set(inPool(lead.poolId, lead.email.toLowerCase()), lead.id);
    if (lead.phone) this.byPhone.set(inPool(lead.poolId, normalizePhone(lead.phone)), lead.id);
    if (lead.status === 'open') this.openIn(lead.poolId, true).push(lead);
    const entry = { ms: Date.parse(lead.createdAt), lead };
    for (const key of ['', lead.poolId]) {
      let list = this.byCreated.get(key);
      if (!list) {
        list = [];
        this.byCreated.set(key, list);
      }
      // Arrivals come in time order: this is an append but for a clock that stepped back.
      list.splice(firstAtOrAfter(list, entry.ms, entry.lead.seq + 1), 0, entry);
    }
    const add = (map: Map<string, Set<StoredLead>>, key: string | undefined) => {
      if (key === undefined) return;
      let set = map.get(key);
      if (!set) {
        set = new Set();
        map.set(key, set);
      }
      set.add(lead);
    };
    // Buckets by a token's first 3 and first 6 letters: a longer word picks the smaller one.
    for (const t of searchTokens(lead)) {
      if (t.length >= TOKEN_PREFIX) add(this.byPrefix, t.slice(0, TOKEN_PREFIX));
      if (t.length >= 2 * TOKEN_PREFIX) add(this.byPrefix, t.slice(0, 2 * TOKEN_PREFIX));
    }
    add(this.bySource, lead.source);
    add(this.byCountry, lead.country);
    add(this.byPool, lead.poolId);
  }

  /** The open leads of a pool, oldest first (the live list when `create`, else a shared empty one for an unknown pool). */
  private openIn(poolId: string, create = false): StoredLead[] {
    let list = this.open.get(poolId);
    if (!list) {
      list = [];
      if (create) this.open.set(poolId, list);
    }
    return list;
  }

  private addOpen(lead: StoredLead): void {
    const open = this.openIn(lead.poolId, true);
    let lo = 0;
    let hi = open.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (open[mid].seq < lead.seq) lo = mid + 1;
      else hi = mid;
    }
    open.splice(lo, 0, lead);
  }

  private removeOpen(lead: StoredLead): void {
    const open = this.openIn(lead.poolId);
    const i = open.indexOf(lead);
    if (i >= 0) open.splice(i, 1);
  }

  private counters(repId: string): RepCounters {
    const all = this.files.pool.data.counters;
    if (!Object.hasOwn(all, repId)) {
      all[repId] = { lastClaimAt: 0, recentClaims: [] };
      this.files.repRecordsChanged(repId);
    }
    return all[repId];
  }

  private hold(lead: StoredLead, repId: string): void {
    let set = this.held.get(repId);
    if (!set) {
      set = new Set();
      this.held.set(repId, set);
    }
    set.add(lead);
  }

  private unhold(lead: StoredLead): void {
    if (lead.claimedBy) this.held.get(lead.claimedBy)?.delete(lead);
  }

  private heldTotal(repId: string): number {
    return this.held.get(repId)?.size ?? 0;
  }

  private heldIn(repId: string, poolId: string): number {
    let n = 0;
    for (const lead of this.held.get(repId) ?? []) if (lead.poolId === poolId) n++;
    return n;
  }

  /**
   * What the policy checks know of a rep, its held count in `poolId` included; counts this
   * call in the rep's rate bucket when `countAction` (every claim and pull of a known rep).
   */
  private repState(repId: string, poolId: string | null, now: number, countAction: boolean): RepState | null {
    const rep = this.reps.get(repId);
    if (!rep) return null;
    const c = this.counters(repId);
    let actions = 0;
    if (countAction) {
      const second = Math.floor(now / 1000);
      const bucket = this.actionBuckets.get(repId);
      if (bucket && bucket.second === second) bucket.count++;
      else this.actionBuckets.set(repId, { second, count: 1 });
      actions = this.actionBuckets.get(repId)!.count;
    }
    return {
      id: rep.id,
      pools: rep.pools,
      away: rep.away,
      offShift: rep.offShift === true,
      maxActive: rep.maxActive,
      heldInPool: poolId === null ? 0 : this.heldIn(repId, poolId),
      heldTotal: this.heldTotal(repId),
      lastClaimAt: c.lastClaimAt,
      recentClaims: c.recentClaims,
      actionsThisSecond: actions,
    };
  }

  /** Marks `lead` claimed by `repId` now and schedules its claim timeout (its pool's setting). */
  private takeLead(lead: StoredLead, repId: string, now: number): void {
    if (lead.status === 'open') this.removeOpen(lead);
    this.unhold(lead);
    this.hold(lead, repId);
    lead.status = 'claimed';
    lead.claimedBy = repId;
    lead.claimedAt = new Date(now).toISOString();
    lead.claimMode = this.modeOf(lead);
    delete lead.outcome;
    delete lead.outcomeNote;
    const timeout = this.poolOf(lead.poolId)?.settings.claimTimeoutMs;
    if (timeout) this.files.pool.data.jobs.push({ kind: 'expire', leadId: lead.id, at: now + timeout, claimedAt: lead.claimedAt });
  }

  /** A successful claim or pull: takes the lead and counts it toward the cooldown and the windows of every pool. */
  private claimFor(lead: StoredLead, repId: string, now: number): void {
    this.takeLead(lead, repId, now);
    const c = this.counters(repId);
    c.lastClaimAt = now;
    c.recentClaims = recordClaim(c.recentClaims, claimWindowToKeep(this.poolList().map((p) => p.settings)), now);
    this.files.repRecordsChanged(repId);
  }

  private reopen(lead: StoredLead): void {
    this.unhold(lead);
    lead.status = 'open';
    delete lead.claimedBy;
    delete lead.claimedAt;
    delete lead.claimMode;
    delete lead.outcome;
    delete lead.outcomeNote;
    this.addOpen(lead);
    // Waiting again: its SLA counts from its arrival (at once when already past).
    const sla = this.poolOf(lead.poolId)?.settings.slaMs;
    if (sla && !lead.overdueAt) this.schedule([{ kind: 'sla', leadId: lead.id, at: Date.parse(lead.createdAt) + sla }]);
  }

  /** Adds due jobs, replacing those of the same key (a job rescheduled fires once). */
  private schedule(jobs: Job[]): void {
    if (jobs.length === 0) return;
    // runDue is rewriting the list: it adds these once it is done.
    if (this.scheduledWhileDue) {
      this.scheduledWhileDue.push(...jobs);
      return;
    }
    const keys = new Set(jobs.map(jobKey));
    const data = this.files.pool.data;
    data.jobs = data.jobs.filter((j) => !keys.has(jobKey(j)));
    data.jobs.push(...jobs);
  }

  /**
   * A rep's presence moved: becoming unavailable starts its reclaim clock (a job per pool
   * of the rep with reclaimAfterOfflineMs); becoming available stops it. Whether the pool
   * file must be written.
   */
  private presenceMoved(repId: string, before: Presence, after: Presence): boolean {
    const since = this.files.pool.data.unavailableSince;
    if (isAvailable(after)) {
      if (!Object.hasOwn(since, repId)) return false;
      delete since[repId];
      this.files.repRecordsChanged(repId);
      return true;
    }
    if (!isAvailable(before) || Object.hasOwn(since, repId)) return false;
    const now = this.clock();
    since[repId] = now;
    this.files.repRecordsChanged(repId);
    const rep = this.reps.get(repId);
    const jobs: Job[] = [];
    for (const poolId of rep?.pools ?? []) {
      const delay = this.poolOf(poolId)?.settings.reclaimAfterOfflineMs;
      if (delay) jobs.push({ kind: 'reclaim', repId, poolId, since: now, at: now + delay });
    }
    this.schedule(jobs);
    return true;
  }

  private modeOf(lead: StoredLead): Mode {
    return this.poolOf(lead.poolId)?.mode ?? DEFAULT_MODE;
  }

  // ---- secrets ------------------------------------------------------------------------

  async ensureSecret(name: SecretName, hash: string): Promise<{ hash: string; created: boolean }> {
    this.check();
    const existing = this.files.pool.data.secrets[name];
    if (existing) return { hash: existing, created: false };
    this.files.pool.data.secrets[name] = hash;
    await this.save(this.files.pool);
    return { hash, created: true };
  }

  // ---- pools --------------------------------------------------------------------------

  async listPools(): Promise<PoolRecord[]> {
    this.check();
    return this.poolList().map(publicPool);
  }

  async getPool(poolId: string): Promise<PoolRecord | null> {
    this.check();
    const pool = this.poolOf(poolId);
    return pool ? publicPool(pool) : null;
  }

  async createPool(pool: PoolRecord, audit?: AuditContext): Promise<boolean> {
    this.check();
    if (this.poolOf(pool.id)) return false;
    this.files.pool.data.pools[pool.id] = newStoredPool(pool);
    this.files.pool.data.poolOrder.push(pool.id);
    this.record('pool.created', { poolId: pool.id, data: { name: pool.name, mode: pool.mode } }, managerBy(audit));
    await this.save(this.files.pool);
    return true;
  }

  async renamePool(poolId: string, name: string, audit?: AuditContext): Promise<PoolRecord | null> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return null;
    pool.name = name;
    this.record('pool.renamed', { poolId, data: { name } }, managerBy(audit));
    const copy = publicPool(pool);
    await this.save(this.files.pool);
    return copy;
  }

  async deletePool(poolId: string, audit?: AuditContext): Promise<DeletePoolResult> {
    this.check();
    if (poolId === DEFAULT_POOL) return { ok: false, code: 'CONFLICT' };
    if (!this.poolOf(poolId)) return { ok: false, code: 'NOT_FOUND' };
    if (this.openIn(poolId).length > 0) return { ok: false, code: 'CONFLICT' };
    for (const set of this.held.values()) for (const lead of set) if (lead.poolId === poolId) return { ok: false, code: 'CONFLICT' };
    delete this.files.pool.data.pools[poolId];
    this.files.pool.data.poolOrder = this.files.pool.data.poolOrder.filter((id) => id !== poolId);
    this.open.delete(poolId);
    const repIds: string[] = [];
    for (const rep of this.reps.values()) {
      if (!rep.pools.includes(poolId)) continue;
      rep.pools = rep.pools.filter((id) => id !== poolId);
      repIds.push(rep.id);
    }
    for (const feed of this.files.feeds.data.feeds) feed.pools = feed.pools.filter((id) => id !== poolId);
    this.record('pool.deleted', { poolId }, managerBy(audit));
    await this.save(this.files.pool, this.files.reps, this.files.feeds);
    return { ok: true, repIds };
  }

  async setMode(poolId: string, mode: Mode, audit?: AuditContext): Promise<{ previous: Mode } | null> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return null;
    const previous = pool.mode;
    pool.mode = mode;
    this.record('pool.mode', { poolId, data: { mode, previous } }, managerBy(audit));
    await this.save(this.files.pool);
    return { previous };
  }

  async patchSettings(poolId: string, patch: SettingsPatch, audit?: AuditContext): Promise<Settings | null> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return null;
    const before = pool.settings;
    pool.settings = mergeSettings(pool.settings, patch);
    this.record('pool.settings', { poolId, data: { patch: structuredClone(patch) } }, managerBy(audit));
    this.schedule(this.retroactiveJobs(pool, before));
    const settings = structuredClone(pool.settings);
    await this.save(this.files.pool);
    return settings;
  }

  /**
   * Timers turned on (or changed) apply to what already waits or is held, counted from when
   * it arrived, was claimed or became unavailable (a time already past fires at once).
   */
  private retroactiveJobs(pool: StoredPool, before: Settings): Job[] {
    const changed = (key: 'escalateAfterMs' | 'claimTimeoutMs' | 'slaMs' | 'reclaimAfterOfflineMs') => {
      const v = pool.settings[key];
      return v && v !== before[key] ? v : 0;
    };
    const jobs: Job[] = [];
    const escalate = changed('escalateAfterMs');
    const sla = changed('slaMs');
    for (const lead of this.openIn(pool.id)) {
      const arrived = Date.parse(lead.createdAt);
      if (escalate && Array.isArray(lead.eligible) && !lead.escalatedAt)
        jobs.push({ kind: 'escalate', leadId: lead.id, at: arrived + escalate });
      if (sla && !lead.overdueAt) jobs.push({ kind: 'sla', leadId: lead.id, at: arrived + sla });
    }
    const timeout = changed('claimTimeoutMs');
    if (timeout) {
      for (const set of this.held.values()) {
        for (const lead of set) {
          if (lead.poolId !== pool.id || !lead.claimedAt || lead.outcome) continue;
          jobs.push({ kind: 'expire', leadId: lead.id, claimedAt: lead.claimedAt, at: Date.parse(lead.claimedAt) + timeout });
        }
      }
    }
    const reclaim = changed('reclaimAfterOfflineMs');
    if (reclaim) {
      for (const [repId, since] of Object.entries(this.files.pool.data.unavailableSince)) {
        if (this.reps.get(repId)?.pools.includes(pool.id))
          jobs.push({ kind: 'reclaim', repId, poolId: pool.id, since, at: since + reclaim });
      }
    }
    return jobs;
  }

  async setRules(poolId: string, rules: Rule[], audit?: AuditContext): Promise<boolean> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return false;
    pool.rules = structuredClone(rules);
    this.record('pool.rules', { poolId, data: { rules: rules.map((r) => r.name) } }, managerBy(audit));
    await this.save(this.files.pool);
    return true;
  }

  // ---- hosted forms -------------------------------------------------------------------

  private form(id: string): StoredForm | undefined {
    return this.files.forms.data.forms.find((f) => f.id === id);
  }

  async createForm(form: StoredForm): Promise<void> {
    this.check();
    if (!this.poolOf(form.poolId)) throw new UnknownPoolError(form.poolId);
    const forms = this.files.forms.data.forms;
    const i = forms.findIndex((f) => f.id === form.id);
    if (i >= 0) forms[i] = structuredClone(form);
    else forms.push(structuredClone(form));
    await this.save(this.files.forms);
  }

  async listForms(): Promise<StoredForm[]> {
    this.check();
    return this.files.forms.data.forms.map((f) => structuredClone(f));
  }

  async getForm(id: string): Promise<StoredForm | null> {
    this.check();
    const form = this.form(id);
    return form ? structuredClone(form) : null;
  }

  async updateForm(id: string, patch: StoredFormPatch): Promise<StoredForm | null> {
    this.check();
    const form = this.form(id);
    if (!form) return null;
    if (patch.poolId !== undefined && !this.poolOf(patch.poolId)) throw new UnknownPoolError(patch.poolId);
    applyFormPatch(form, patch);
    const copy = structuredClone(form);
    await this.save(this.files.forms);
    return copy;
  }

  async deleteForm(id: string): Promise<boolean> {
    this.check();
    const forms = this.files.forms.data.forms;
    const i = forms.findIndex((f) => f.id === id);
    if (i < 0) return false;
    forms.splice(i, 1);
    await this.save(this.files.forms);
    return true;
  }

  // ---- feed keys ----------------------------------------------------------------------

  async createFeed(feed: StoredFeed, audit?: AuditContext): Promise<void> {
    this.check();
    const copy: StoredFeed = { ...structuredClone(feed), pools: this.existingPools(feed.pools) };
    const feeds = this.files.feeds.data.feeds;
    const i = feeds.findIndex((f) => f.id === feed.id);
    if (i >= 0) {
      this.feedsByKeyHash.delete(feeds[i].keyHash);
      feeds[i] = copy;
    } else feeds.push(copy);
    this.feedsByKeyHash.set(copy.keyHash, copy);
    this.record('feed.created', { data: { feedId: copy.id, name: copy.name, pools: [...copy.pools] } }, managerBy(audit));
    await this.save(this.files.feeds);
  }

  async listFeeds(): Promise<StoredFeed[]> {
    this.check();
    return this.files.feeds.data.feeds.map((f) => structuredClone(f));
  }

  private feed(id: string): StoredFeed | undefined {
    return this.files.feeds.data.feeds.find((f) => f.id === id);
  }

  async getFeed(id: string): Promise<StoredFeed | null> {
    this.check();
    const feed = this.feed(id);
    return feed ? structuredClone(feed) : null;
  }

  async feedByKeyHash(keyHash: string): Promise<StoredFeed | null> {
    this.check();
    const feed = this.feedsByKeyHash.get(keyHash);
    return feed ? structuredClone(feed) : null;
  }

  async setFeedKey(id: string, keyHash: string, audit?: AuditContext): Promise<StoredFeed | null> {
    this.check();
    const feed = this.feed(id);
    if (!feed) return null;
    this.feedsByKeyHash.delete(feed.keyHash);
    feed.keyHash = keyHash;
    this.feedsByKeyHash.set(keyHash, feed);
    this.record('feed.key', { data: { feedId: id } }, managerBy(audit));
    const copy = structuredClone(feed);
    await this.save(this.files.feeds);
    return copy;
  }

  async deleteFeed(id: string, audit?: AuditContext): Promise<StoredFeed | null> {
    this.check();
    const feed = this.feed(id);
    if (!feed) return null;
    this.feedsByKeyHash.delete(feed.keyHash);
    this.files.feeds.data.feeds = this.files.feeds.data.feeds.filter((f) => f !== feed);
    this.record('feed.revoked', { data: { feedId: id } }, managerBy(audit));
    await this.save(this.files.feeds);
    return structuredClone(feed);
  }

  // ---- reps ---------------------------------------------------------------------------

  async createRep(rep: StoredRep, audit?: AuditContext): Promise<void> {
    this.check();
    const copy: StoredRep = { ...structuredClone(rep), pools: this.existingPools(rep.pools ?? [DEFAULT_POOL]) };
    this.reps.set(rep.id, copy);
    this.byTokenHash.set(rep.tokenHash, rep.id);
    this.files.reps.data.reps.push(copy);
    this.record('rep.created', { repId: rep.id, data: { name: copy.name, pools: [...copy.pools] } }, managerBy(audit));
    await this.save(this.files.repChanged(copy));
  }

  async updateRep(id: string, patch: Partial<StoredRep>, audit?: AuditContext): Promise<StoredRep | null> {
    this.check();
    const rep = this.reps.get(id);
    if (!rep) return null;
    const { id: _id, tokenHash: _t, createdAt: _c, away: _a, offShift: _o, ...allowed } = patch;
    for (const [key, value] of Object.entries(allowed)) {
      if (value !== undefined) (rep as unknown as Record<string, unknown>)[key] = structuredClone(value);
    }
    if (allowed.pools) rep.pools = this.existingPools(allowed.pools);
    this.record('rep.updated', { repId: id, data: { fields: changedFields(allowed) } }, managerBy(audit));
    const copy = structuredClone(rep);
    await this.save(this.files.repChanged(rep));
    return copy;
  }

  async setRepToken(id: string, tokenHash: string, audit?: AuditContext): Promise<boolean> {
    const rep = this.reps.get(id);
    if (!rep) return false;
    if (this.byTokenHash.get(rep.tokenHash) === id) this.byTokenHash.delete(rep.tokenHash);
    rep.tokenHash = tokenHash;
    this.byTokenHash.set(tokenHash, id);
    this.record('rep.token', { repId: id }, managerBy(audit));
    await this.save(this.files.repChanged(rep));
    return true;
  }

  async deleteRep(id: string, audit?: AuditContext): Promise<{ rep: StoredRep; released: Lead[] } | null> {
    this.check();
    const rep = this.reps.get(id);
    if (!rep) return null;
    this.reps.delete(id);
    this.byTokenHash.delete(rep.tokenHash);
    this.files.reps.data.reps = this.files.reps.data.reps.filter((r) => r.id !== id);
    delete this.files.pool.data.counters[id];
    delete this.files.pool.data.unavailableSince[id];
    this.files.repRecordsChanged(id);
    for (const pool of this.poolList()) delete pool.rotation[id];
    this.tabs.delete(id);
    const released: Lead[] = [];
    const touched = new Set<DataFile>([this.files.repRemoved(id), this.files.pool]);
    for (const lead of this.leads.values()) {
      if (lead.status === 'claimed' && lead.claimedBy === id) {
        this.reopen(lead);
        this.record(
          'lead.released',
          { poolId: lead.poolId, leadId: lead.id, repId: id, data: { reason: 'rep-removed', by: 'manager' } },
          managerBy(audit),
        );
        released.push(publicLead(lead));
        touched.add(this.files.of(lead));
      }
      if (Array.isArray(lead.eligible) && lead.eligible.includes(id)) {
        lead.eligible = lead.eligible.filter((r) => r !== id);
        touched.add(this.files.of(lead));
      }
    }
    this.held.delete(id);
    this.record('rep.removed', { repId: id, data: { name: rep.name } }, managerBy(audit));
    await this.save(...touched);
    return { rep: structuredClone(rep), released };
  }

  async getRep(id: string): Promise<StoredRep | null> {
    this.check();
    const rep = this.reps.get(id);
    return rep ? structuredClone(rep) : null;
  }

  async repByTokenHash(tokenHash: string): Promise<{ id: string; pools: string[] } | null> {
    this.check();
    const id = this.byTokenHash.get(tokenHash);
    const rep = id === undefined ? undefined : this.reps.get(id);
    return rep ? { id: rep.id, pools: [...rep.pools] } : null;
  }

  async listReps(): Promise<StoredRep[]> {
    this.check();
    return [...this.reps.values()].map((r) => structuredClone(r));
  }

  async listRepsPage(offset: number, limit: number): Promise<{ reps: StoredRep[]; total: number }> {
    this.check();
    const page: StoredRep[] = [];
    let i = 0;
    // Only the page is copied: a large team is walked, never cloned whole.
    for (const rep of this.reps.values()) {
      if (i++ < offset) continue;
      if (page.length === limit) break;
      page.push(structuredClone(rep));
    }
    return { reps: page, total: this.reps.size };
  }

  async heldCounts(poolId?: string): Promise<Record<string, number>> {
    this.check();
    const counts: Record<string, number> = {};
    for (const [repId, set] of this.held) {
      const n = poolId === undefined ? set.size : this.heldIn(repId, poolId);
      if (n) counts[repId] = n;
    }
    return counts;
  }

  // ---- presence -----------------------------------------------------------------------

  private presenceOf(repId: string): Presence {
    const rep = this.reps.get(repId);
    if (!rep || !this.tabs.get(repId)?.size) return 'offline';
    if (rep.offShift) return 'off-shift';
    return rep.away ? 'away' : 'available';
  }

  /** A presence change, with the rep's pools when an available rep stopped being available (PresenceChange.pools), as they are at the change. */
  private changeOf(repId: string, before: Presence, after: Presence): PresenceChange {
    const rep = this.reps.get(repId);
    return isAvailable(before) && !isAvailable(after) && rep ? { repId, before, after, pools: [...rep.pools] } : { repId, before, after };
  }

  tabOpened(repId: string, tabId: string): Promise<PresenceChange>;
  tabOpened(repId: string, tabId: string, read: { pools: string[] }): Promise<PresenceChange & { view: RepView | null }>;
  async tabOpened(repId: string, tabId: string, read?: { pools: string[] }): Promise<PresenceChange & { view?: RepView | null }> {
    this.check();
    const before = this.presenceOf(repId);
    const rep = this.reps.get(repId);
    // Away is cleared by a tab opening, also the flag left by a rep that went away and then offline.
    const wasAway = rep?.away === true;
    if (rep) {
      let set = this.tabs.get(repId);
      if (!set) {
        set = new Set();
        this.tabs.set(repId, set);
      }
      set.add(tabId);
      rep.away = false;
    }
    const after = this.presenceOf(repId);
    const moved = this.presenceMoved(repId, before, after);
    // Read in the same synchronous step as the change: the view is of that moment.
    const view = read ? this.viewOf(repId) : undefined;
    const change = this.changeOf(repId, before, after);
    if (rep && wasAway) await this.save(this.files.repChanged(rep), ...(moved ? [this.files.pool] : []));
    else if (moved) await this.save(this.files.pool);
    return read ? { ...change, view: view ?? null } : change;
  }

  async tabClosed(repId: string, tabId: string): Promise<PresenceChange> {
    // The tab is gone whatever the files say (tabs are never persisted): forgotten even while
    // a failed write is being recovered, so it does not outlive the recovery as a ghost.
    const closeTab = () => {
      const set = this.tabs.get(repId);
      set?.delete(tabId);
      if (set && set.size === 0) this.tabs.delete(repId);
    };
    if (this.failure !== null) closeTab();
    this.check();
    const before = this.presenceOf(repId);
    closeTab();
    const after = this.presenceOf(repId);
    const wentOffline = before !== 'offline' && after === 'offline';
    if (wentOffline) this.record('rep.offline', { repId }, { role: 'rep', id: repId });
    const change = this.changeOf(repId, before, after);
    if (this.presenceMoved(repId, before, after)) await this.save(this.files.pool);
    else if (wentOffline) await this.save();
    return change;
  }

  async setAway(repId: string, away: boolean): Promise<PresenceChange> {
    this.check();
    const before = this.presenceOf(repId);
    const rep = this.reps.get(repId);
    if (rep) rep.away = away;
    const after = this.presenceOf(repId);
    const moved = this.presenceMoved(repId, before, after);
    const change = this.changeOf(repId, before, after);
    if (rep) await this.save(this.files.repChanged(rep), ...(moved ? [this.files.pool] : []));
    return change;
  }

  async setOffShift(repId: string, offShift: boolean): Promise<PresenceChange> {
    this.check();
    const before = this.presenceOf(repId);
    const rep = this.reps.get(repId);
    const changed = !!rep && (rep.offShift === true) !== offShift;
    if (rep && changed) rep.offShift = offShift;
    const after = this.presenceOf(repId);
    // off shift starts the reclaim clock like away
    const moved = this.presenceMoved(repId, before, after);
    const change = this.changeOf(repId, before, after);
    if (changed) await this.save(this.files.repChanged(rep!), ...(moved ? [this.files.pool] : []));
    return change;
  }

  async onlinePresence(): Promise<Record<string, Exclude<Presence, 'offline'>>> {
    this.check();
    const result: Record<string, Exclude<Presence, 'offline'>> = {};
    for (const repId of this.tabs.keys()) {
      const p = this.presenceOf(repId);
      if (p !== 'offline') result[repId] = p;
    }
    return result;
  }

  async sweepPresence(): Promise<PresenceChange[]> {
    this.check();
    return [];
  }

  // ---- leads --------------------------------------------------------------------------

  async insertLead(draft: LeadDraft, audit?: AuditContext): Promise<IngestResult> {
    this.check();
    const pool = this.poolOf(draft.poolId);
    if (!pool) throw new UnknownPoolError(draft.poolId);
    const { result, file } = this.accept(draft, pool, this.clock(), audit);
    // a duplicate changes no lead file, but its audit event is saved all the same
    await (file ? this.save(file, this.files.pool) : this.save());
    return result;
  }

  async insertLeads(drafts: LeadDraft[], audit?: AuditContext): Promise<IngestResult[]> {
    this.check();
    if (drafts.length === 0) return [];
    const pool = this.poolOf(drafts[0].poolId);
    if (!pool) throw new UnknownPoolError(drafts[0].poolId);
    const now = this.clock();
    const touched = new Set<DataFile>();
    const results = drafts.map((draft) => {
      const { result, file } = this.accept({ ...draft, poolId: pool.id }, pool, now, audit);
      if (file) touched.add(file);
      return result;
    });
    await (touched.size ? this.save(...touched, this.files.pool) : this.save());
    return results;
  }

  /**
   * One lead into `pool`, in memory (synchronous): a duplicate, or the new lead and the file
   * it went into. Its audit event is recorded here and saved with the caller's batch.
   */
  private accept(draft: LeadDraft, pool: StoredPool, now: number, audit?: AuditContext): { result: IngestResult; file?: DataFile } {
    const { poolId } = draft;
    const actor = audit?.actor ?? (draft.feedId ? { role: 'feed' as const, id: draft.feedId } : { role: 'manager' as const });
    const duplicateOf = (lead: StoredLead, by: 'externalId' | 'email' | 'phone'): { result: IngestResult; file: DataFile } => {
      this.record('lead.duplicate', { poolId, leadId: lead.id, data: { by, ...arrival(draft) } }, actor);
      lead.duplicates = (lead.duplicates ?? 0) + 1;
      return { result: { duplicate: true, lead: publicLead(lead), by }, file: this.files.of(lead) };
    };
    if (draft.externalId) {
      const id = this.byExternalId.get(inPool(poolId, draft.externalId));
      if (id) return duplicateOf(this.leads.get(id)!, 'externalId');
    }
    const window = pool.settings.duplicateWindowMs;
    if (window) {
      const recent = (id: string | undefined) => {
        const lead = id ? this.leads.get(id) : undefined;
        return lead && now - Date.parse(lead.createdAt) < window ? lead : undefined;
      };
      const byEmail = draft.email ? recent(this.byEmail.get(inPool(poolId, draft.email.toLowerCase()))) : undefined;
      if (byEmail) return duplicateOf(byEmail, 'email');
      const byPhone = draft.phone ? recent(this.byPhone.get(inPool(poolId, normalizePhone(draft.phone)))) : undefined;
      if (byPhone) return duplicateOf(byPhone, 'phone');
    }
    const lead: StoredLead = {
      ...structuredClone(draft),
      id: newLeadId(),
      createdAt: new Date(now).toISOString(),
      seq: ++this.files.pool.data.seq,
    };
    if (lead.feedId === undefined) delete lead.feedId;
    if (lead.status !== 'disqualified') delete lead.disqualifiedReasons;
    this.files.of(lead).data.leads.push(lead);
    this.index(lead);
    this.record(
      lead.status === 'disqualified' ? 'lead.disqualified' : 'lead.created',
      {
        poolId,
        leadId: lead.id,
        data: { ...arrival(lead), ...(lead.disqualifiedReasons ? { reasons: [...lead.disqualifiedReasons] } : {}) },
      },
      actor,
    );
    const escalateAfter = pool.settings.escalateAfterMs;
    // Scheduled for every open lead: rules may narrow a lead later (reroute); the job is a no-op for "*".
    if (lead.status === 'open' && escalateAfter) {
      this.files.pool.data.jobs.push({ kind: 'escalate', leadId: lead.id, at: now + escalateAfter });
    }
    const sla = pool.settings.slaMs;
    if (lead.status === 'open' && sla) this.files.pool.data.jobs.push({ kind: 'sla', leadId: lead.id, at: now + sla });
    return { result: { duplicate: false, lead: publicLead(lead) }, file: this.files.of(lead) };
  }

  async getLead(id: string): Promise<Lead | null> {
    this.check();
    const lead = this.leads.get(id);
    return lead ? publicLead(lead) : null;
  }

  async listLeads(query: LeadQuery): Promise<Lead[]> {
    this.check();
    const limit = query.limit ?? 100;
    const out: Lead[] = [];
    for (let s = this.files.shards.length - 1; s >= 0 && out.length < limit; s--) {
      const leads = this.files.shards[s].data.leads;
      for (let i = leads.length - 1; i >= 0 && out.length < limit; i--) {
        const lead = leads[i];
        if (query.poolId !== undefined && lead.poolId !== query.poolId) continue;
        if (query.status && lead.status !== query.status) continue;
        if (query.repId && lead.claimedBy !== query.repId) continue;
        out.push(publicLead(lead));
      }
    }
    return out;
  }

  async searchLeads(query: LeadSearch): Promise<LeadPage> {
    this.check();
    const before = query.before === undefined ? Number.POSITIVE_INFINITY : Number(query.before);
    // The smallest index that holds every match, or none (then: every lead, newest first).
    const sets: { size: number; values(): Iterable<StoredLead> }[] = [];
    const words = query.q ? queryWords(query.q) : [];
    for (const w of words) {
      if (w.length >= TOKEN_PREFIX) {
        const key = w.slice(0, w.length >= 2 * TOKEN_PREFIX ? 2 * TOKEN_PREFIX : TOKEN_PREFIX);
        sets.push(this.byPrefix.get(key) ?? new Set());
      }
    }
    if (query.source !== undefined) sets.push(this.bySource.get(query.source) ?? new Set());
    if (query.country !== undefined) sets.push(this.byCountry.get(query.country) ?? new Set());
    if (query.poolId !== undefined) sets.push(this.byPool.get(query.poolId) ?? new Set());
    if (query.status === 'open') {
      const lists = query.poolId !== undefined ? [this.openIn(query.poolId)] : [...this.open.values()];
      sets.push({ size: lists.reduce((n, l) => n + l.length, 0), values: () => lists.flat() });
    }
    if (query.status === 'claimed' && query.repId !== undefined) sets.push(this.held.get(query.repId) ?? new Set());
    const smallest = sets.reduce<(typeof sets)[number] | null>((a, b) => (a === null || b.size < a.size ? b : a), null);
    let candidates: Iterable<StoredLead>;
    if (smallest && smallest.size <= 20_000) {
      candidates = [...smallest.values()].filter((l) => l.seq < before).sort((a, b) => b.seq - a.seq);
    } else {
      candidates = this.newestFirst(before);
    }
    const leads: StoredLead[] = [];
    for (const lead of candidates) {
      if (query.from !== undefined && lead.createdAt < query.from) break; // newest first: the rest are older
      if (!leadMatches(lead, query)) continue;
      if (leads.length === query.limit) return this.page(leads, String(leads[leads.length - 1].seq));
      leads.push(lead);
    }
    return this.page(leads);
  }

  /** Every lead accepted before `before` (its seq), newest first. */
  private *newestFirst(before: number): Generator<StoredLead> {
    for (let s = this.files.shards.length - 1; s >= 0; s--) {
      const list = this.files.shards[s].data.leads;
      for (let i = list.length - 1; i >= 0; i--) if (list[i].seq < before) yield list[i];
    }
  }

  private page(leads: StoredLead[], next?: string): LeadPage {
    const duplicates: Record<string, number> = {};
    for (const l of leads) if (l.duplicates) duplicates[l.id] = l.duplicates;
    return { leads: leads.map(publicLead), duplicates, ...(next === undefined ? {} : { next }) };
  }

  async openLeads(poolId: string): Promise<Lead[]> {
    this.check();
    return this.openIn(poolId).map(publicLead);
  }

  async statusCounts(poolId?: string): Promise<Record<LeadStatus, number>> {
    this.check();
    const counts: Record<LeadStatus, number> = { open: 0, claimed: 0, closed: 0, disqualified: 0 };
    for (const lead of this.leads.values()) if (poolId === undefined || lead.poolId === poolId) counts[lead.status]++;
    return counts;
  }

  async openSummary(poolId: string): Promise<{ count: number; oldestCreatedAt: string | null }> {
    this.check();
    const open = this.openIn(poolId);
    return { count: open.length, oldestCreatedAt: open[0]?.createdAt ?? null };
  }

  async heldLeads(repId: string): Promise<Lead[]> {
    this.check();
    return [...(this.held.get(repId) ?? [])].sort((a, b) => (a.claimedAt! < b.claimedAt! ? -1 : 1)).map(publicLead);
  }

  /** One moment in memory: read in one synchronous pass. */
  async repView(repId: string, _expectedPools: string[]): Promise<RepView | null> {
    this.check();
    return this.viewOf(repId);
  }

  private viewOf(repId: string): RepView | null {
    const rep = this.reps.get(repId);
    if (!rep) return null;
    return {
      rep: structuredClone(rep),
      pools: this.poolList()
        .filter((p) => rep.pools.includes(p.id))
        .map((p) => ({ pool: publicPool(p), open: this.openIn(p.id).map(publicLead) })),
      held: [...(this.held.get(repId) ?? [])].sort((a, b) => (a.claimedAt! < b.claimedAt! ? -1 : 1)).map(publicLead),
    };
  }

  async leadsCreatedBetween({ poolId, from, to }: CreatedRange): Promise<Lead[]> {
    this.check();
    const list = this.byCreated.get(poolId ?? '') ?? [];
    const start = from === undefined ? 0 : firstAtOrAfter(list, from);
    const end = to === undefined ? list.length : firstAtOrAfter(list, to);
    return list.slice(start, end).map((e) => publicLead(e.lead));
  }

  async reroute(poolId: string, changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]> {
    this.check();
    const changed: string[] = [];
    const touched = new Set<DataFile>();
    for (const { leadId, eligible } of changes) {
      const lead = this.leads.get(leadId);
      if (lead?.poolId !== poolId || lead.status !== 'open' || lead.escalatedAt || openedByStranding(lead)) continue;
      if (JSON.stringify(lead.eligible ?? '*') === JSON.stringify(eligible)) continue;
      lead.eligible = Array.isArray(eligible) ? [...eligible] : '*';
      changed.push(leadId);
      touched.add(this.files.of(lead));
    }
    if (touched.size) await this.save(...touched);
    return changed;
  }

  async claim(leadId: string, repId: string, tabId?: string): Promise<ClaimResult> {
    this.check();
    const now = this.clock();
    const lead = this.leads.get(leadId) ?? null;
    const pool = lead ? this.poolOf(lead.poolId) : null;
    const failure = checkClaim(lead, this.repState(repId, lead?.poolId ?? null, now, true), pool, now);
    if (failure) return { ok: false, code: failure };
    this.claimFor(lead!, repId, now);
    this.record('lead.claimed', { poolId: lead!.poolId, leadId, repId }, { role: 'rep', id: repId });
    await this.save(this.files.of(lead!), this.files.pool);
    return { ok: true, lead: publicLead(lead!), mode: pool!.mode, otherTabs: this.hasOtherTabs(repId, tabId) };
  }

  /** Whether the rep has an open tab besides `tabId` (any open tab without it). */
  private hasOtherTabs(repId: string, tabId: string | undefined): boolean {
    const tabs = this.tabs.get(repId);
    return (tabs?.size ?? 0) > (tabId !== undefined && tabs?.has(tabId) ? 1 : 0);
  }

  async pull(repId: string, poolId?: string, tabId?: string): Promise<PullResult> {
    this.check();
    const now = this.clock();
    const rep = this.repState(repId, poolId ?? null, now, true);
    let lead: StoredLead | undefined;
    let pool: StoredPool | null = null;
    if (poolId !== undefined) {
      pool = this.poolOf(poolId);
      const failure = checkPull(rep, pool, now);
      if (failure) return { ok: false, code: failure };
      lead = this.openIn(poolId).find((l) => mayClaim(l, rep!, pool!.mode));
      if (!lead) return { ok: false, code: 'POOL_EMPTY' };
    } else {
      const plan = pullPools(rep, this.poolList(), (id) => this.heldIn(repId, id));
      if (!plan.ok) return plan;
      for (const candidate of plan.pools) {
        const first = this.openIn(candidate.id).find((l) => mayClaim(l, rep!, candidate.mode));
        if (first && (!lead || first.seq < lead.seq)) {
          lead = first;
          pool = this.poolOf(candidate.id);
        }
      }
      if (!lead) return { ok: false, code: 'POOL_EMPTY' };
      const pacing = checkPacing(rep!, pool!.settings, now);
      if (pacing) return { ok: false, code: pacing };
    }
    this.claimFor(lead, repId, now);
    this.record('lead.pulled', { poolId: lead.poolId, leadId: lead.id, repId }, { role: 'rep', id: repId });
    await this.save(this.files.of(lead), this.files.pool);
    return { ok: true, lead: publicLead(lead), mode: pool!.mode, otherTabs: this.hasOtherTabs(repId, tabId) };
  }

  async release(leadId: string, by: Releaser, audit?: AuditContext): Promise<ReleaseResult> {
    this.check();
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND' };
    if (lead.status !== 'claimed' || ('repId' in by && lead.claimedBy !== by.repId)) return { ok: false, code: 'NOT_OWNER' };
    const previousOwner = lead.claimedBy!;
    this.reopen(lead);
    const actor = audit?.actor ?? ('repId' in by ? { role: 'rep' as const, id: by.repId } : { role: 'manager' as const });
    const reason = audit?.reason ?? ('repId' in by ? 'rep' : 'manager');
    this.record('lead.released', { poolId: lead.poolId, leadId, repId: previousOwner, data: { reason, by: actor.role } }, actor);
    await this.save(this.files.of(lead));
    return { ok: true, lead: publicLead(lead), previousOwner, mode: this.modeOf(lead) };
  }

  async assign(leadId: string, repId: string, audit?: AuditContext): Promise<AssignResult> {
    this.check();
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND', what: 'lead' };
    const rep = this.reps.get(repId);
    if (!rep) return { ok: false, code: 'NOT_FOUND', what: 'rep' };
    if (lead.status !== 'open' && lead.status !== 'claimed') return { ok: false, code: 'NOT_OPEN' };
    if (!rep.pools.includes(lead.poolId)) return { ok: false, code: 'NOT_ELIGIBLE' };
    const previousOwner = lead.status === 'claimed' ? lead.claimedBy! : null;
    this.takeLead(lead, repId, this.clock());
    const actor = managerBy(audit);
    if (previousOwner && previousOwner !== repId) {
      this.record('lead.revoked', { poolId: lead.poolId, leadId, repId: previousOwner, data: { reason: 'reassigned' } }, actor);
    }
    const assigned = { via: audit?.reason ?? 'manual', ...(previousOwner ? { previousOwner } : {}) };
    this.record('lead.assigned', { poolId: lead.poolId, leadId, repId, data: assigned }, actor);
    await this.save(this.files.of(lead), this.files.pool);
    return { ok: true, lead: publicLead(lead), previousOwner, mode: this.modeOf(lead) };
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string, audit?: AuditContext): Promise<OutcomeResult> {
    this.check();
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND' };
    if (lead.status !== 'claimed' || lead.claimedBy !== repId) return { ok: false, code: 'NOT_OWNER' };
    lead.outcome = outcome;
    if (note !== undefined) lead.outcomeNote = note;
    if (CLOSING_OUTCOMES.includes(outcome)) {
      this.unhold(lead);
      lead.status = 'closed';
      lead.closedAt = new Date(this.clock()).toISOString();
    }
    const actor = audit?.actor ?? { role: 'rep' as const, id: repId };
    const where = { poolId: lead.poolId, leadId, repId };
    this.record('lead.outcome', { ...where, data: { outcome, ...(note !== undefined ? { note } : {}) } }, actor);
    if (lead.status === 'closed') this.record('lead.closed', { ...where, data: { outcome } }, actor);
    await this.save(this.files.of(lead));
    return { ok: true, lead: publicLead(lead) };
  }

  async autoAssign(poolId: string, candidates: string[], weights?: Record<string, number>): Promise<AutoAssignResult> {
    this.check();
    const pool = this.poolOf(poolId);
    if (pool?.mode !== 'round-robin') return null;
    const lead = this.openIn(poolId)[0];
    if (!lead) return null;
    const { settings, rotation } = pool;
    const entries = candidates
      .map((id) => this.reps.get(id))
      .filter(
        (rep): rep is StoredRep =>
          !!rep &&
          !rep.away &&
          !rep.offShift &&
          rep.pools.includes(poolId) &&
          !capReached(rep, this.heldIn(rep.id, poolId), this.heldTotal(rep.id), settings),
      )
      .map((rep) => {
        const turn = Object.hasOwn(rotation, rep.id) ? rotation[rep.id] : { score: 0, lastAssignedAt: 0 };
        return { repId: rep.id, score: turn.score, lastAssignedAt: turn.lastAssignedAt, weight: weights?.[rep.id] ?? rep.weight };
      });
    const next = nextInRotation(entries);
    if (!next) return null;
    const now = this.clock();
    rotation[next.repId] = {
      score: advanceRotation(next, Math.min(...entries.map((e) => e.score)), settings.weighted),
      lastAssignedAt: now,
    };
    this.takeLead(lead, next.repId, now);
    const via = settings.weighted ? 'weighted round-robin' : 'round-robin';
    this.record('lead.assigned', { poolId, leadId: lead.id, repId: next.repId, data: { via } }, SYSTEM);
    await this.save(this.files.of(lead), this.files.pool);
    return { lead: publicLead(lead), mode: pool.mode };
  }

  async runDue(): Promise<DueEvent[]> {
    this.check();
    const now = this.clock();
    const jobs = this.files.pool.data.jobs;
    if (!jobs.some((j) => j.at <= now)) return [];
    const events: DueEvent[] = [];
    const touched = new Set<DataFile>([this.files.pool]);
    const later: Job[] = [];
    this.scheduledWhileDue = later;
    let kept: Job[];
    try {
      kept = jobs.filter((job) => {
        if (job.at > now) return true;
        if (job.kind === 'reclaim') {
          events.push(...this.reclaim(job, now, later, touched));
          return false;
        }
        const lead = this.leads.get(job.leadId);
        const pool = lead ? this.poolOf(lead.poolId) : null;
        if (!lead || !pool) return false;
        const { mode, settings } = pool;
        // A setting turned off in the lead's pool since the job was scheduled cancels it.
        if (job.kind === 'escalate' && settings.escalateAfterMs && lead.status === 'open' && Array.isArray(lead.eligible)) {
          const previousEligible = lead.eligible;
          lead.eligible = '*';
          lead.escalatedAt = new Date(now).toISOString();
          touched.add(this.files.of(lead));
          events.push({ kind: 'escalated', lead: publicLead(lead), mode, previousEligible: [...previousEligible] });
          this.record(
            'lead.escalated',
            { poolId: lead.poolId, leadId: lead.id, data: { previousEligible: [...previousEligible] } },
            SYSTEM,
          );
        }
        if (
          job.kind === 'expire' &&
          settings.claimTimeoutMs &&
          lead.status === 'claimed' &&
          lead.claimedAt === job.claimedAt &&
          !lead.outcome
        ) {
          const previousOwner = lead.claimedBy!;
          this.reopen(lead);
          touched.add(this.files.of(lead));
          events.push({ kind: 'expired', lead: publicLead(lead), previousOwner, mode });
          this.record(
            'lead.expired',
            { poolId: lead.poolId, leadId: lead.id, repId: previousOwner, data: { reason: 'claim-timeout' } },
            SYSTEM,
          );
        }
        if (job.kind === 'sla' && settings.slaMs && lead.status === 'open' && !lead.overdueAt) {
          const due = Date.parse(lead.createdAt) + settings.slaMs;
          if (due > now) later.push({ ...job, at: due });
          else {
            lead.overdueAt = new Date(now).toISOString();
            touched.add(this.files.of(lead));
            events.push({ kind: 'overdue', lead: publicLead(lead), mode });
          }
        }
        return false;
      });
    } finally {
      this.scheduledWhileDue = null;
    }
    this.files.pool.data.jobs = kept;
    this.schedule(later);
    await this.save(...touched);
    return events;
  }

  // ---- audit trail --------------------------------------------------------------------

  async listEvents(filter: EventFilter): Promise<{ events: AuditEvent[]; next?: string }> {
    this.check();
    const limit = eventsLimit(filter);
    const { lowMs, highMs, before } = eventBounds(filter);
    const events: AuditEvent[] = [];
    const segments = this.files.segments;
    for (let s = segments.length - 1; s >= 0; s--) {
      const list = segments[s].db.data.events;
      for (let i = list.length - 1; i >= 0; i--) {
        const e = list[i];
        if (before !== undefined && compareEventIds(e.id, before) >= 0) continue;
        const ms = eventIdMs(e.id);
        if (ms > highMs) continue;
        if (ms < lowMs) return { events };
        if (!eventMatches(e, filter)) continue;
        // One more than the page: `next` only when an older event matches.
        if (events.length === limit) return { events, next: events[limit - 1].id };
        events.push(structuredClone(e));
      }
    }
    return { events };
  }

  async eventsAfter(cursor: string | null, limit: number): Promise<AuditEvent[]> {
    this.check();
    const out: AuditEvent[] = [];
    for (const { db } of this.files.segments) {
      const list = db.data.events;
      if (cursor !== null && (list.length === 0 || compareEventIds(list[list.length - 1].id, cursor) <= 0)) continue;
      for (const e of list) {
        if (out.length >= limit) return out;
        if (cursor === null || compareEventIds(e.id, cursor) > 0) out.push(structuredClone(e));
      }
    }
    return out;
  }
  /** A reclaim job: the rep, unavailable since job.since, loses its claimed leads of the pool that have no outcome. */
  private reclaim(job: Extract<Job, { kind: 'reclaim' }>, now: number, later: Job[], touched: Set<DataFile>): DueEvent[] {
    const pool = this.poolOf(job.poolId);
    const delay = pool?.settings.reclaimAfterOfflineMs;
    if (!pool || !delay || this.files.pool.data.unavailableSince[job.repId] !== job.since) return [];
    if (isAvailable(this.presenceOf(job.repId))) return [];
    if (job.since + delay > now) {
      later.push({ ...job, at: job.since + delay });
      return [];
    }
    const events: DueEvent[] = [];
    for (const lead of [...(this.held.get(job.repId) ?? [])]) {
      if (lead.poolId !== pool.id || lead.outcome) continue;
      this.reopen(lead);
      touched.add(this.files.of(lead));
      events.push({ kind: 'reclaimed', lead: publicLead(lead), previousOwner: job.repId, mode: pool.mode });
      this.record('lead.revoked', { poolId: pool.id, leadId: lead.id, repId: job.repId, data: { reason: 'offline' } }, SYSTEM);
    }
    return events;
  }

  async strand(poolId: string, leadIds: string[], repIds: string[]): Promise<StrandEvent[]> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return [];
    const now = new Date(this.clock()).toISOString();
    const reps = repIds.map((id) => this.reps.get(id)).filter((r): r is StoredRep => !!r);
    const presence = (id: string) => this.presenceOf(id);
    const events: StrandEvent[] = [];
    const touched = new Set<DataFile>();
    for (const id of new Set(leadIds)) {
      const lead = this.leads.get(id);
      if (lead?.poolId !== poolId || !isStranded(lead, pool.mode, pool.settings.whenNobodyEligible, reps, presence)) continue;
      const previousEligible = Array.isArray(lead.eligible) ? [...lead.eligible] : '*';
      const policy = pool.settings.whenNobodyEligible;
      const target = typeof policy === 'object' && policy.pool !== poolId ? this.poolOf(policy.pool) : null;
      const action = policy === 'wait' ? 'wait' : target ? 'moved' : 'everyone';
      if (action !== 'wait') lead.eligible = '*';
      if (target) {
        this.removeOpen(lead);
        lead.poolId = target.id;
        this.addOpen(lead);
      }
      lead.stranded = { at: now, action, poolId };
      touched.add(this.files.of(lead));
      const to = target ?? pool;
      if (action !== 'wait')
        this.record(
          'lead.escalated',
          { poolId: to.id, leadId: lead.id, data: { reason: 'nobody-eligible', action, fromPoolId: poolId } },
          SYSTEM,
        );
      events.push({ action, lead: publicLead(lead), mode: to.mode, fromPoolId: poolId, fromMode: pool.mode, previousEligible });
    }
    if (touched.size) await this.save(...touched);
    return events;
  }

  // ---- webhooks and their outbox ------------------------------------------------------

  private get hooks() {
    return this.files.webhooks.data;
  }

  private hook(id: string): StoredWebhook | undefined {
    return this.hooks.webhooks.find((h) => h.id === id);
  }

  async createWebhook(hook: StoredWebhook): Promise<void> {
    this.check();
    this.hooks.webhooks.push(structuredClone(hook));
    await this.save(this.files.webhooks);
  }

  async listWebhooks(): Promise<StoredWebhook[]> {
    this.check();
    return structuredClone(this.hooks.webhooks);
  }

  async getWebhook(id: string): Promise<StoredWebhook | null> {
    this.check();
    const hook = this.hook(id);
    return hook ? structuredClone(hook) : null;
  }

  async updateWebhook(
    id: string,
    patch: Partial<Pick<StoredWebhook, 'url' | 'events' | 'enabled'>> & { poolIds?: string[] | null },
  ): Promise<StoredWebhook | null> {
    this.check();
    const hook = this.hook(id);
    if (!hook) return null;
    if (patch.url !== undefined) hook.url = patch.url;
    if (patch.events !== undefined) hook.events = [...patch.events];
    if (patch.enabled !== undefined) hook.enabled = patch.enabled;
    if (patch.poolIds === null) delete hook.poolIds;
    else if (patch.poolIds !== undefined) hook.poolIds = [...patch.poolIds];
    const copy = structuredClone(hook);
    await this.save(this.files.webhooks);
    return copy;
  }

  async deleteWebhook(id: string): Promise<boolean> {
    this.check();
    if (!this.hook(id)) return false;
    this.hooks.webhooks = this.hooks.webhooks.filter((h) => h.id !== id);
    this.hooks.deliveries = this.hooks.deliveries.filter((d) => d.webhookId !== id);
    await this.save(this.files.webhooks);
    return true;
  }

  async outboxCursor(): Promise<string | null> {
    this.check();
    return this.hooks.cursor;
  }

  async addDeliveries(deliveries: NewDelivery[], cursor?: { expected: string | null; next: string }): Promise<boolean> {
    this.check();
    if (cursor) {
      if (this.hooks.cursor !== cursor.expected) return false;
      this.hooks.cursor = cursor.next;
    }
    const now = this.clock();
    const known = new Set(this.hooks.deliveries.map((d) => d.id));
    for (const d of deliveries) {
      if (known.has(d.id) || !this.hook(d.webhookId)) continue;
      known.add(d.id);
      this.hooks.deliveries.push({ ...structuredClone(d), status: 'pending', attempts: 0, dueAt: now });
    }
    await this.save(this.files.webhooks);
    return true;
  }

  async claimDeliveries(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    this.check();
    const now = this.clock();
    const due = this.hooks.deliveries
      .filter((d) => d.status === 'pending' && (d.dueAt ?? 0) <= now)
      .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0))
      .slice(0, limit);
    if (due.length === 0) return [];
    const claimed: ClaimedDelivery[] = [];
    for (const d of due) {
      const hook = this.hook(d.webhookId);
      if (!hook?.enabled) {
        finish(d, now, { ok: false, error: 'the webhook is disabled', retryInMs: null });
        continue;
      }
      d.attempts += 1;
      d.lease = randomUUID();
      d.dueAt = now + leaseMs;
      claimed.push({ delivery: structuredClone(d), url: hook.url, secret: hook.secret, lease: d.lease });
    }
    await this.save(this.files.webhooks);
    return claimed;
  }

  async finishDelivery(id: string, lease: string, result: AttemptResult): Promise<boolean> {
    this.check();
    const d = this.hooks.deliveries.find((x) => x.id === id);
    if (d?.status !== 'pending' || d.lease !== lease) return false;
    finish(d, this.clock(), result);
    this.trimDeliveries(d.webhookId);
    await this.save(this.files.webhooks);
    return true;
  }

  /** Keeps the newest DELIVERIES_KEPT_PER_WEBHOOK deliveries of a webhook: the oldest finished ones beyond go (pending ones stay). */
  private trimDeliveries(webhookId: string): void {
    let count = 0;
    for (const d of this.hooks.deliveries) if (d.webhookId === webhookId) count++;
    let drop = count - DELIVERIES_KEPT_PER_WEBHOOK;
    if (drop <= 0) return;
    this.hooks.deliveries = this.hooks.deliveries.filter((d) => {
      if (drop > 0 && d.webhookId === webhookId && d.status !== 'pending') {
        drop--;
        return false;
      }
      return true;
    });
  }

  async listDeliveries(webhookId: string, limit: number): Promise<StoredDelivery[]> {
    this.check();
    const out: StoredDelivery[] = [];
    const all = this.hooks.deliveries;
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) if (all[i].webhookId === webhookId) out.push(structuredClone(all[i]));
    return out;
  }

  async getDelivery(id: string): Promise<StoredDelivery | null> {
    this.check();
    const d = this.hooks.deliveries.find((x) => x.id === id);
    return d ? structuredClone(d) : null;
  }

  async redeliver(id: string): Promise<StoredDelivery | null> {
    this.check();
    const d = this.hooks.deliveries.find((x) => x.id === id);
    if (!d) return null;
    d.status = 'pending';
    d.attempts = 0;
    d.dueAt = this.clock();
    delete d.lease;
    // Back at the newest end: the log lists it first again.
    this.hooks.deliveries = [...this.hooks.deliveries.filter((x) => x !== d), d];
    const copy = structuredClone(d);
    await this.save(this.files.webhooks);
    return copy;
  }
}

/** Records an attempt's result on a pending delivery (store clock `now`). */
function finish(d: StoredDelivery, now: number, result: AttemptResult): void {
  d.lastAttemptAt = new Date(now).toISOString();
  if (result.status === undefined) delete d.lastStatus;
  else d.lastStatus = result.status;
  if (result.error === undefined) delete d.lastError;
  else d.lastError = result.error;
  delete d.lease;
  if (result.ok) d.status = 'delivered';
  else if (result.retryInMs === null) d.status = 'failed';
  else d.dueAt = now + result.retryInMs;
  if (d.status !== 'pending') delete d.dueAt;
}

const SYSTEM: AuditActor = { role: 'system' };

/** The actor of a manager's change unless the call says otherwise. */
const managerBy = (audit?: AuditContext): AuditActor => audit?.actor ?? { role: 'manager' };

/** What an audit event tells of a lead's arrival: never a contact field (docs/API.md, Audit trail). */
function arrival(lead: { source?: string; externalId?: string; feedId?: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (lead.source !== undefined) out.source = lead.source;
  if (lead.externalId !== undefined) out.externalId = lead.externalId;
  if (lead.feedId !== undefined) out.feedId = lead.feedId;
  return out;
}

/** The fields a rep patch sets (their names only). */
const changedFields = (patch: object) =>
  Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);

/** Applies a form patch in place: given fields replace, null removes (createForm.lua / updateForm.lua do the same). */
function applyFormPatch(form: StoredForm, patch: StoredFormPatch): void {
  const target = form as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === 'id' || key === 'createdAt') continue;
    if (value === null) delete target[key];
    else target[key] = structuredClone(value);
  }
}

/** Jobs with one key are one job (a reschedule replaces). */
function jobKey(job: Job): string {
  switch (job.kind) {
    case 'reclaim':
      return `r|${job.repId}|${job.poolId}|${job.since}`;
    case 'expire':
      return `x|${job.leadId}|${job.claimedAt}`;
    default:
      return `${job.kind}|${job.leadId}`;
  }
}

/** A pool for callers: the PoolRecord fields only, as copies. */
function publicPool(pool: StoredPool): PoolRecord {
  return {
    id: pool.id,
    name: pool.name,
    mode: pool.mode,
    settings: structuredClone(pool.settings),
    rules: structuredClone(pool.rules),
    createdAt: pool.createdAt,
  };
}

/** A copy for callers: top level and nested lists/objects are new, so no caller can change the store. */
interface TimeEntry {
  ms: number;
  lead: StoredLead;
}

/** The index of the first entry at or after `ms` (and, at equal ms, of seq >= `seq`). */
function firstAtOrAfter(list: TimeEntry[], ms: number, seq = 0): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = list[mid];
    if (e.ms < ms || (e.ms === ms && e.lead.seq < seq)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function publicLead(lead: StoredLead): Lead {
  const { seq: _seq, duplicates: _d, ...rest } = lead;
  const copy: Lead = { ...rest };
  if (rest.tags) copy.tags = [...rest.tags];
  if (rest.attributes) copy.attributes = { ...rest.attributes };
  if (rest.engagement) copy.engagement = { ...rest.engagement };
  if (Array.isArray(rest.eligible)) copy.eligible = [...rest.eligible];
  if (rest.disqualifiedReasons) copy.disqualifiedReasons = [...rest.disqualifiedReasons];
  if (rest.consent) copy.consent = { ...rest.consent };
  if (rest.stranded) copy.stranded = { ...rest.stranded };
  return copy;
}
