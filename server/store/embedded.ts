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
import {
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
  nextInRotation,
  pullPools,
  type RepState,
  recordClaim,
} from '../domain/policy.js';
import { mergeSettings } from '../domain/settings.js';
import { mayClaim } from '../domain/view.js';
import { probeWritable } from './batch-files.js';
import { type DataFile, EmbeddedFiles, newStoredPool, type RepCounters, type StoredLead, type StoredPool } from './embedded-files.js';
import { GroupCommit } from './group-commit.js';
import { newLeadId } from './ids.js';
import {
  type AssignResult,
  type AutoAssignResult,
  type ClaimResult,
  type DeletePoolResult,
  type DueEvent,
  type IngestResult,
  type LeadDraft,
  type LeadQuery,
  type OutcomeResult,
  type PoolRecord,
  type PresenceChange,
  type PullResult,
  type ReleaseResult,
  type Releaser,
  type SecretName,
  type Store,
  type StoredFeed,
  type StoredRep,
  StoreUnavailableError,
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
}

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private files: EmbeddedFiles;
  private readonly commit = new GroupCommit<DataFile>(
    (files) => this.files.commit(files),
    (err) => this.failed(err),
  );
  /** Set when a write failed, until the files are reloaded: every call is refused meanwhile. */
  private failure: unknown = null;
  private recovery: NodeJS.Timeout | null = null;
  private recovering = false;
  private closed = false;
  private readonly recoveryIntervalMs: number;
  private readonly fsync: boolean;

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
  private tabs = new Map<string, Set<string>>();
  private actionBuckets = new Map<string, { second: number; count: number }>();

  constructor(
    private readonly dir: string,
    private readonly clock: () => number = Date.now,
    options: EmbeddedStoreOptions = {},
  ) {
    this.fsync = options.fsync ?? false;
    this.files = new EmbeddedFiles(dir, clock, this.fsync);
    this.recoveryIntervalMs = options.recoveryIntervalMs ?? 1_000;
  }

  async init(): Promise<void> {
    await this.files.load();
    this.rebuild();
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
    for (const shard of this.files.shards) for (const lead of shard.data.leads) this.index(lead);
    for (const list of this.open.values()) list.sort((a, b) => a.seq - b.seq);
    for (const rep of this.files.reps.data.reps) {
      this.reps.set(rep.id, rep);
      this.byTokenHash.set(rep.tokenHash, rep.id);
    }
    for (const feed of this.files.feeds.data.feeds) this.feedsByKeyHash.set(feed.keyHash, feed);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopRecovery();
    await this.commit.flushed();
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
    if (this.recovering || this.failure === null || !this.commit.idle) return;
    this.recovering = true;
    try {
      await probeWritable(this.dir, this.files.fileNames());
      const files = new EmbeddedFiles(this.dir, this.clock, this.fsync);
      await files.load(); // rolls a committed batch forward, removes leftover temp files
      if (this.closed) return;
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

  private save(...dbs: DataFile[]): Promise<void> {
    return this.commit.write(dbs);
  }

  private index(lead: StoredLead): void {
    this.leads.set(lead.id, lead);
    if (lead.status === 'claimed' && lead.claimedBy) this.hold(lead, lead.claimedBy);
    if (lead.externalId) this.byExternalId.set(inPool(lead.poolId, lead.externalId), lead.id);
    if (lead.email) this.byEmail.set(inPool(lead.poolId, lead.email.toLowerCase()), lead.id);
    if (lead.phone) this.byPhone.set(inPool(lead.poolId, normalizePhone(lead.phone)), lead.id);
    if (lead.status === 'open') this.openIn(lead.poolId, true).push(lead);
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
    if (!Object.hasOwn(all, repId)) all[repId] = { lastClaimAt: 0, recentClaims: [] };
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
  }

  private reopen(lead: StoredLead): void {
    this.unhold(lead);
    lead.status = 'open';
    delete lead.claimedBy;
    delete lead.claimedAt;
    delete lead.outcome;
    delete lead.outcomeNote;
    this.addOpen(lead);
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

  async createPool(pool: PoolRecord): Promise<boolean> {
    this.check();
    if (this.poolOf(pool.id)) return false;
    this.files.pool.data.pools[pool.id] = newStoredPool(pool);
    this.files.pool.data.poolOrder.push(pool.id);
    await this.save(this.files.pool);
    return true;
  }

  async renamePool(poolId: string, name: string): Promise<PoolRecord | null> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return null;
    pool.name = name;
    const copy = publicPool(pool);
    await this.save(this.files.pool);
    return copy;
  }

  async deletePool(poolId: string): Promise<DeletePoolResult> {
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
    await this.save(this.files.pool, this.files.reps, this.files.feeds);
    return { ok: true, repIds };
  }

  async setMode(poolId: string, mode: Mode): Promise<{ previous: Mode } | null> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return null;
    const previous = pool.mode;
    pool.mode = mode;
    await this.save(this.files.pool);
    return { previous };
  }

  async patchSettings(poolId: string, patch: SettingsPatch): Promise<Settings | null> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return null;
    pool.settings = mergeSettings(pool.settings, patch);
    const settings = structuredClone(pool.settings);
    await this.save(this.files.pool);
    return settings;
  }

  async setRules(poolId: string, rules: Rule[]): Promise<boolean> {
    this.check();
    const pool = this.poolOf(poolId);
    if (!pool) return false;
    pool.rules = structuredClone(rules);
    await this.save(this.files.pool);
    return true;
  }

  // ---- feed keys ----------------------------------------------------------------------

  async createFeed(feed: StoredFeed): Promise<void> {
    this.check();
    const copy: StoredFeed = { ...structuredClone(feed), pools: this.existingPools(feed.pools) };
    const feeds = this.files.feeds.data.feeds;
    const i = feeds.findIndex((f) => f.id === feed.id);
    if (i >= 0) {
      this.feedsByKeyHash.delete(feeds[i].keyHash);
      feeds[i] = copy;
    } else feeds.push(copy);
    this.feedsByKeyHash.set(copy.keyHash, copy);
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

  async setFeedKey(id: string, keyHash: string): Promise<StoredFeed | null> {
    this.check();
    const feed = this.feed(id);
    if (!feed) return null;
    this.feedsByKeyHash.delete(feed.keyHash);
    feed.keyHash = keyHash;
    this.feedsByKeyHash.set(keyHash, feed);
    const copy = structuredClone(feed);
    await this.save(this.files.feeds);
    return copy;
  }

  async deleteFeed(id: string): Promise<StoredFeed | null> {
    this.check();
    const feed = this.feed(id);
    if (!feed) return null;
    this.feedsByKeyHash.delete(feed.keyHash);
    this.files.feeds.data.feeds = this.files.feeds.data.feeds.filter((f) => f !== feed);
    await this.save(this.files.feeds);
    return structuredClone(feed);
  }

  // ---- reps ---------------------------------------------------------------------------

  async createRep(rep: StoredRep): Promise<void> {
    this.check();
    const copy: StoredRep = { ...structuredClone(rep), pools: this.existingPools(rep.pools ?? [DEFAULT_POOL]) };
    this.reps.set(rep.id, copy);
    this.byTokenHash.set(rep.tokenHash, rep.id);
    this.files.reps.data.reps.push(copy);
    await this.save(this.files.reps);
  }

  async updateRep(id: string, patch: Partial<StoredRep>): Promise<StoredRep | null> {
    this.check();
    const rep = this.reps.get(id);
    if (!rep) return null;
    const { id: _id, tokenHash: _t, createdAt: _c, away: _a, ...allowed } = patch;
    for (const [key, value] of Object.entries(allowed)) {
      if (value !== undefined) (rep as unknown as Record<string, unknown>)[key] = structuredClone(value);
    }
    if (allowed.pools) rep.pools = this.existingPools(allowed.pools);
    const copy = structuredClone(rep);
    await this.save(this.files.reps);
    return copy;
  }

  async setRepToken(id: string, tokenHash: string): Promise<boolean> {
    const rep = this.reps.get(id);
    if (!rep) return false;
    if (this.byTokenHash.get(rep.tokenHash) === id) this.byTokenHash.delete(rep.tokenHash);
    rep.tokenHash = tokenHash;
    this.byTokenHash.set(tokenHash, id);
    await this.save(this.files.reps);
    return true;
  }

  async deleteRep(id: string): Promise<{ rep: StoredRep; released: Lead[] } | null> {
    this.check();
    const rep = this.reps.get(id);
    if (!rep) return null;
    this.reps.delete(id);
    this.byTokenHash.delete(rep.tokenHash);
    this.files.reps.data.reps = this.files.reps.data.reps.filter((r) => r.id !== id);
    delete this.files.pool.data.counters[id];
    for (const pool of this.poolList()) delete pool.rotation[id];
    this.tabs.delete(id);
    const released: Lead[] = [];
    const touched = new Set<DataFile>([this.files.reps, this.files.pool]);
    for (const lead of this.leads.values()) {
      if (lead.status === 'claimed' && lead.claimedBy === id) {
        this.reopen(lead);
        released.push(publicLead(lead));
        touched.add(this.files.of(lead));
      }
      if (Array.isArray(lead.eligible) && lead.eligible.includes(id)) {
        lead.eligible = lead.eligible.filter((r) => r !== id);
        touched.add(this.files.of(lead));
      }
    }
    this.held.delete(id);
    await this.save(...touched);
    return { rep: structuredClone(rep), released };
  }

  async getRep(id: string): Promise<StoredRep | null> {
    this.check();
    const rep = this.reps.get(id);
    return rep ? structuredClone(rep) : null;
  }

  async repIdByTokenHash(tokenHash: string): Promise<string | null> {
    this.check();
    return this.byTokenHash.get(tokenHash) ?? null;
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
    return rep.away ? 'away' : 'available';
  }

  async tabOpened(repId: string, tabId: string): Promise<PresenceChange> {
    this.check();
    const before = this.presenceOf(repId);
    const rep = this.reps.get(repId);
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
    if (rep && before === 'away') await this.save(this.files.reps);
    return { repId, before, after };
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
    return { repId, before, after: this.presenceOf(repId) };
  }

  async setAway(repId: string, away: boolean): Promise<PresenceChange> {
    this.check();
    const before = this.presenceOf(repId);
    const rep = this.reps.get(repId);
    if (rep) rep.away = away;
    const after = this.presenceOf(repId);
    if (rep) await this.save(this.files.reps);
    return { repId, before, after };
  }

  async onlinePresence(): Promise<Record<string, 'available' | 'away'>> {
    this.check();
    const result: Record<string, 'available' | 'away'> = {};
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

  async insertLead(draft: LeadDraft): Promise<IngestResult> {
    this.check();
    const now = this.clock();
    const pool = this.poolOf(draft.poolId);
    if (!pool) throw new UnknownPoolError(draft.poolId);
    const { poolId } = draft;
    if (draft.externalId) {
      const id = this.byExternalId.get(inPool(poolId, draft.externalId));
      if (id) return { duplicate: true, lead: publicLead(this.leads.get(id)!), by: 'externalId' };
    }
    const window = pool.settings.duplicateWindowMs;
    if (window) {
      const recent = (id: string | undefined) => {
        const lead = id ? this.leads.get(id) : undefined;
        return lead && now - Date.parse(lead.createdAt) < window ? lead : undefined;
      };
      const byEmail = draft.email ? recent(this.byEmail.get(inPool(poolId, draft.email.toLowerCase()))) : undefined;
      if (byEmail) return { duplicate: true, lead: publicLead(byEmail), by: 'email' };
      const byPhone = draft.phone ? recent(this.byPhone.get(inPool(poolId, normalizePhone(draft.phone)))) : undefined;
      if (byPhone) return { duplicate: true, lead: publicLead(byPhone), by: 'phone' };
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
    const escalateAfter = pool.settings.escalateAfterMs;
    // Scheduled for every open lead: rules may narrow a lead later (reroute); the job is a no-op for "*".
    if (lead.status === 'open' && escalateAfter) {
      this.files.pool.data.jobs.push({ kind: 'escalate', leadId: lead.id, at: now + escalateAfter });
    }
    await this.save(this.files.of(lead), this.files.pool);
    return { duplicate: false, lead: publicLead(lead) };
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

  async reroute(poolId: string, changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]> {
    this.check();
    const changed: string[] = [];
    const touched = new Set<DataFile>();
    for (const { leadId, eligible } of changes) {
      const lead = this.leads.get(leadId);
      if (lead?.poolId !== poolId || lead.status !== 'open' || lead.escalatedAt) continue;
      if (JSON.stringify(lead.eligible ?? '*') === JSON.stringify(eligible)) continue;
      lead.eligible = Array.isArray(eligible) ? [...eligible] : '*';
      changed.push(leadId);
      touched.add(this.files.of(lead));
    }
    if (touched.size) await this.save(...touched);
    return changed;
  }

  async claim(leadId: string, repId: string): Promise<ClaimResult> {
    this.check();
    const now = this.clock();
    const lead = this.leads.get(leadId) ?? null;
    const pool = lead ? this.poolOf(lead.poolId) : null;
    const failure = checkClaim(lead, this.repState(repId, lead?.poolId ?? null, now, true), pool, now);
    if (failure) return { ok: false, code: failure };
    this.claimFor(lead!, repId, now);
    await this.save(this.files.of(lead!), this.files.pool);
    return { ok: true, lead: publicLead(lead!), mode: pool!.mode };
  }

  async pull(repId: string, poolId?: string): Promise<PullResult> {
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
    await this.save(this.files.of(lead), this.files.pool);
    return { ok: true, lead: publicLead(lead), mode: pool!.mode };
  }

  async release(leadId: string, by: Releaser): Promise<ReleaseResult> {
    this.check();
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND' };
    if (lead.status !== 'claimed' || ('repId' in by && lead.claimedBy !== by.repId)) return { ok: false, code: 'NOT_OWNER' };
    const previousOwner = lead.claimedBy!;
    this.reopen(lead);
    await this.save(this.files.of(lead));
    return { ok: true, lead: publicLead(lead), previousOwner, mode: this.modeOf(lead) };
  }

  async assign(leadId: string, repId: string): Promise<AssignResult> {
    this.check();
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND', what: 'lead' };
    const rep = this.reps.get(repId);
    if (!rep) return { ok: false, code: 'NOT_FOUND', what: 'rep' };
    if (lead.status !== 'open' && lead.status !== 'claimed') return { ok: false, code: 'NOT_OPEN' };
    if (!rep.pools.includes(lead.poolId)) return { ok: false, code: 'NOT_ELIGIBLE' };
    const previousOwner = lead.status === 'claimed' ? lead.claimedBy! : null;
    this.takeLead(lead, repId, this.clock());
    await this.save(this.files.of(lead), this.files.pool);
    return { ok: true, lead: publicLead(lead), previousOwner, mode: this.modeOf(lead) };
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string): Promise<OutcomeResult> {
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
    await this.save(this.files.of(lead));
    return { ok: true, lead: publicLead(lead) };
  }

  async autoAssign(poolId: string, candidates: string[]): Promise<AutoAssignResult> {
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
          rep.pools.includes(poolId) &&
          !capReached(rep, this.heldIn(rep.id, poolId), this.heldTotal(rep.id), settings),
      )
      .map((rep) => {
        const turn = Object.hasOwn(rotation, rep.id) ? rotation[rep.id] : { score: 0, lastAssignedAt: 0 };
        return { repId: rep.id, score: turn.score, lastAssignedAt: turn.lastAssignedAt, weight: rep.weight };
      });
    const next = nextInRotation(entries);
    if (!next) return null;
    const now = this.clock();
    rotation[next.repId] = {
      score: advanceRotation(next, Math.min(...entries.map((e) => e.score)), settings.weighted),
      lastAssignedAt: now,
    };
    this.takeLead(lead, next.repId, now);
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
    this.files.pool.data.jobs = jobs.filter((job) => {
      if (job.at > now) return true;
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
      }
      return false;
    });
    await this.save(...touched);
    return events;
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
function publicLead(lead: StoredLead): Lead {
  const { seq: _seq, ...rest } = lead;
  const copy: Lead = { ...rest };
  if (rest.tags) copy.tags = [...rest.tags];
  if (rest.attributes) copy.attributes = { ...rest.attributes };
  if (rest.engagement) copy.engagement = { ...rest.engagement };
  if (Array.isArray(rest.eligible)) copy.eligible = [...rest.eligible];
  if (rest.disqualifiedReasons) copy.disqualifiedReasons = [...rest.disqualifiedReasons];
  return copy;
}
