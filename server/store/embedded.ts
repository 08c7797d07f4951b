// The embedded store: all state in memory, persisted to lowdb JSON files under
// LEADPOOL_DATA (their layout: server/store/embedded-files.ts). Every operation mutates
// memory in one synchronous section (so races are decided without awaits in between) and
// then waits for the group commit (server/store/group-commit.ts) that writes it, so the
// caller acknowledges only what is on disk.
import {
  CLOSING_OUTCOMES,
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
import { advanceRotation, capOf, checkClaim, checkPull, nextInRotation, type RepLimits, recordClaim } from '../domain/policy.js';
import { mergeSettings } from '../domain/settings.js';
import { mayClaim } from '../domain/view.js';
import { EmbeddedFiles, type RepCounters, type StoredLead } from './embedded-files.js';
import { GroupCommit, type Writable } from './group-commit.js';
import { newLeadId } from './ids.js';
import type {
  AssignResult,
  AutoAssignResult,
  ClaimResult,
  DueEvent,
  IngestResult,
  LeadDraft,
  LeadQuery,
  OutcomeResult,
  PoolConfig,
  PresenceChange,
  PullResult,
  ReleaseResult,
  Releaser,
  SecretName,
  Store,
  StoredRep,
} from './types.js';

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly files: EmbeddedFiles;
  private readonly commit = new GroupCommit();

  // In-memory indexes, rebuilt from the files at init.
  private leads = new Map<string, StoredLead>();
  private open: StoredLead[] = []; // sorted by seq (oldest first)
  private held = new Map<string, Set<StoredLead>>(); // rep id -> the leads it holds (status claimed)
  private byExternalId = new Map<string, string>();
  private byEmail = new Map<string, string>();
  private byPhone = new Map<string, string>();
  private reps = new Map<string, StoredRep>();
  private byTokenHash = new Map<string, string>();
  private tabs = new Map<string, Set<string>>();
  private actionBuckets = new Map<string, { second: number; count: number }>();

  constructor(
    dir: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.files = new EmbeddedFiles(dir);
  }

  async init(): Promise<void> {
    await this.files.load();
    for (const shard of this.files.shards) for (const lead of shard.data.leads) this.index(lead);
    this.open.sort((a, b) => a.seq - b.seq);
    for (const rep of this.files.reps.data.reps) {
      this.reps.set(rep.id, rep);
      this.byTokenHash.set(rep.tokenHash, rep.id);
    }
  }

  async close(): Promise<void> {
    await this.commit.flushed();
  }

  async healthy(): Promise<boolean> {
    return true;
  }

  // ---- helpers ------------------------------------------------------------------------

  private get pool(): PoolConfig {
    return this.files.pool.data.pools[DEFAULT_POOL];
  }

  private save(...dbs: Writable[]): Promise<void> {
    return this.commit.write(dbs);
  }

  private index(lead: StoredLead): void {
    this.leads.set(lead.id, lead);
    if (lead.status === 'claimed' && lead.claimedBy) this.hold(lead, lead.claimedBy);
    if (lead.externalId) this.byExternalId.set(lead.externalId, lead.id);
    if (lead.email) this.byEmail.set(lead.email.toLowerCase(), lead.id);
    if (lead.phone) this.byPhone.set(normalizePhone(lead.phone), lead.id);
    if (lead.status === 'open') this.open.push(lead);
  }

  private addOpen(lead: StoredLead): void {
    let lo = 0;
    let hi = this.open.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.open[mid].seq < lead.seq) lo = mid + 1;
      else hi = mid;
    }
    this.open.splice(lo, 0, lead);
  }

  private removeOpen(lead: StoredLead): void {
    const i = this.open.indexOf(lead);
    if (i >= 0) this.open.splice(i, 1);
  }

  private counters(repId: string): RepCounters {
    const all = this.files.pool.data.counters;
    all[repId] ??= { lastClaimAt: 0, recentClaims: [], rrScore: 0, lastAssignedAt: 0 };
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

  private heldCount(repId: string): number {
    return this.held.get(repId)?.size ?? 0;
  }

  private limitsOf(repId: string, now: number, countAction: boolean): RepLimits | null {
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
      away: rep.away,
      maxActive: rep.maxActive,
      held: this.heldCount(repId),
      lastClaimAt: c.lastClaimAt,
      recentClaims: c.recentClaims,
      actionsThisSecond: actions,
    };
  }

  /** Marks `lead` claimed by `repId` now and schedules its claim timeout. */
  private takeLead(lead: StoredLead, repId: string, now: number): void {
    if (lead.status === 'open') this.removeOpen(lead);
    this.unhold(lead);
    this.hold(lead, repId);
    lead.status = 'claimed';
    lead.claimedBy = repId;
    lead.claimedAt = new Date(now).toISOString();
    delete lead.outcome;
    delete lead.outcomeNote;
    const timeout = this.pool.settings.claimTimeoutMs;
    if (timeout) this.files.pool.data.jobs.push({ kind: 'expire', leadId: lead.id, at: now + timeout, claimedAt: lead.claimedAt });
  }

  /** A successful claim or pull: takes the lead and counts it toward the cooldown and the window. */
  private claimFor(lead: StoredLead, repId: string, now: number): void {
    this.takeLead(lead, repId, now);
    const c = this.counters(repId);
    c.lastClaimAt = now;
    c.recentClaims = recordClaim(c.recentClaims, this.pool.settings, now);
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

  // ---- secrets ------------------------------------------------------------------------

  async ensureSecret(name: SecretName, hash: string): Promise<{ hash: string; created: boolean }> {
    const existing = this.files.pool.data.secrets[name];
    if (existing) return { hash: existing, created: false };
    this.files.pool.data.secrets[name] = hash;
    await this.save(this.files.pool);
    return { hash, created: true };
  }

  // ---- pool ---------------------------------------------------------------------------

  async getPool(): Promise<PoolConfig> {
    return structuredClone(this.pool);
  }

  async setMode(mode: Mode): Promise<{ previous: Mode }> {
    const previous = this.pool.mode;
    this.pool.mode = mode;
    await this.save(this.files.pool);
    return { previous };
  }

  async patchSettings(patch: SettingsPatch): Promise<Settings> {
    this.pool.settings = mergeSettings(this.pool.settings, patch);
    const settings = structuredClone(this.pool.settings);
    await this.save(this.files.pool);
    return settings;
  }

  async setRules(rules: Rule[]): Promise<void> {
    this.pool.rules = structuredClone(rules);
    await this.save(this.files.pool);
  }

  // ---- reps ---------------------------------------------------------------------------

  async createRep(rep: StoredRep): Promise<void> {
    const copy = structuredClone(rep);
    this.reps.set(rep.id, copy);
    this.byTokenHash.set(rep.tokenHash, rep.id);
    this.files.reps.data.reps.push(copy);
    await this.save(this.files.reps);
  }

  async updateRep(id: string, patch: Partial<StoredRep>): Promise<StoredRep | null> {
    const rep = this.reps.get(id);
    if (!rep) return null;
    const { id: _id, tokenHash: _t, createdAt: _c, away: _a, ...allowed } = patch;
    Object.assign(rep, structuredClone(allowed));
    const copy = structuredClone(rep);
    await this.save(this.files.reps);
    return copy;
  }

  async deleteRep(id: string): Promise<{ rep: StoredRep; released: Lead[] } | null> {
    const rep = this.reps.get(id);
    if (!rep) return null;
    this.reps.delete(id);
    this.byTokenHash.delete(rep.tokenHash);
    this.files.reps.data.reps = this.files.reps.data.reps.filter((r) => r.id !== id);
    delete this.files.pool.data.counters[id];
    this.tabs.delete(id);
    const released: Lead[] = [];
    const touched = new Set<Writable>([this.files.reps, this.files.pool]);
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
    const rep = this.reps.get(id);
    return rep ? structuredClone(rep) : null;
  }

  async repIdByTokenHash(tokenHash: string): Promise<string | null> {
    return this.byTokenHash.get(tokenHash) ?? null;
  }

  async listReps(): Promise<StoredRep[]> {
    return [...this.reps.values()].map((r) => structuredClone(r));
  }

  async heldCounts(): Promise<Record<string, number>> {
    return this.countHeld();
  }

  private countHeld(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [repId, set] of this.held) if (set.size) counts[repId] = set.size;
    return counts;
  }

  // ---- presence -----------------------------------------------------------------------

  private presenceOf(repId: string): Presence {
    const rep = this.reps.get(repId);
    if (!rep || !this.tabs.get(repId)?.size) return 'offline';
    return rep.away ? 'away' : 'available';
  }

  async tabOpened(repId: string, tabId: string): Promise<PresenceChange> {
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
    const before = this.presenceOf(repId);
    const set = this.tabs.get(repId);
    set?.delete(tabId);
    if (set && set.size === 0) this.tabs.delete(repId);
    return { repId, before, after: this.presenceOf(repId) };
  }

  async setAway(repId: string, away: boolean): Promise<PresenceChange> {
    const before = this.presenceOf(repId);
    const rep = this.reps.get(repId);
    if (rep) rep.away = away;
    const after = this.presenceOf(repId);
    if (rep) await this.save(this.files.reps);
    return { repId, before, after };
  }

  async onlinePresence(): Promise<Record<string, 'available' | 'away'>> {
    const result: Record<string, 'available' | 'away'> = {};
    for (const repId of this.tabs.keys()) {
      const p = this.presenceOf(repId);
      if (p !== 'offline') result[repId] = p;
    }
    return result;
  }

  async sweepPresence(): Promise<PresenceChange[]> {
    return [];
  }

  // ---- leads --------------------------------------------------------------------------

  async insertLead(draft: LeadDraft): Promise<IngestResult> {
    const now = this.clock();
    if (draft.externalId) {
      const id = this.byExternalId.get(draft.externalId);
      if (id) return { duplicate: true, lead: publicLead(this.leads.get(id)!), by: 'externalId' };
    }
    const window = this.pool.settings.duplicateWindowMs;
    if (window) {
      const recent = (id: string | undefined) => {
        const lead = id ? this.leads.get(id) : undefined;
        return lead && now - Date.parse(lead.createdAt) < window ? lead : undefined;
      };
      const byEmail = draft.email ? recent(this.byEmail.get(draft.email.toLowerCase())) : undefined;
      if (byEmail) return { duplicate: true, lead: publicLead(byEmail), by: 'email' };
      const byPhone = draft.phone ? recent(this.byPhone.get(normalizePhone(draft.phone))) : undefined;
      if (byPhone) return { duplicate: true, lead: publicLead(byPhone), by: 'phone' };
    }
    const lead: StoredLead = {
      ...structuredClone(draft),
      id: newLeadId(),
      createdAt: new Date(now).toISOString(),
      seq: ++this.files.pool.data.seq,
    };
    if (lead.status !== 'disqualified') delete lead.disqualifiedReasons;
    this.files.of(lead).data.leads.push(lead);
    this.index(lead);
    const escalateAfter = this.pool.settings.escalateAfterMs;
    // Scheduled for every open lead: rules may narrow a lead later (reroute); the job is a no-op for "*".
    if (lead.status === 'open' && escalateAfter) {
      this.files.pool.data.jobs.push({ kind: 'escalate', leadId: lead.id, at: now + escalateAfter });
    }
    await this.save(this.files.of(lead), this.files.pool);
    return { duplicate: false, lead: publicLead(lead) };
  }

  async getLead(id: string): Promise<Lead | null> {
    const lead = this.leads.get(id);
    return lead ? publicLead(lead) : null;
  }

  async listLeads(query: LeadQuery): Promise<Lead[]> {
    const limit = query.limit ?? 100;
    const out: Lead[] = [];
    for (let s = this.files.shards.length - 1; s >= 0 && out.length < limit; s--) {
      const leads = this.files.shards[s].data.leads;
      for (let i = leads.length - 1; i >= 0 && out.length < limit; i--) {
        const lead = leads[i];
        if (query.status && lead.status !== query.status) continue;
        if (query.repId && lead.claimedBy !== query.repId) continue;
        out.push(publicLead(lead));
      }
    }
    return out;
  }

  async openLeads(): Promise<Lead[]> {
    return this.open.map(publicLead);
  }

  async statusCounts(): Promise<Record<LeadStatus, number>> {
    const counts: Record<LeadStatus, number> = { open: 0, claimed: 0, closed: 0, disqualified: 0 };
    for (const lead of this.leads.values()) counts[lead.status]++;
    return counts;
  }

  async openSummary(): Promise<{ count: number; oldestCreatedAt: string | null }> {
    return { count: this.open.length, oldestCreatedAt: this.open[0]?.createdAt ?? null };
  }

  async heldLeads(repId: string): Promise<Lead[]> {
    return [...(this.held.get(repId) ?? [])].sort((a, b) => (a.claimedAt! < b.claimedAt! ? -1 : 1)).map(publicLead);
  }

  async reroute(changes: { leadId: string; eligible: string[] | '*' }[]): Promise<string[]> {
    const changed: string[] = [];
    const touched = new Set<Writable>();
    for (const { leadId, eligible } of changes) {
      const lead = this.leads.get(leadId);
      if (lead?.status !== 'open' || lead.escalatedAt) continue;
      if (JSON.stringify(lead.eligible ?? '*') === JSON.stringify(eligible)) continue;
      lead.eligible = Array.isArray(eligible) ? [...eligible] : '*';
      changed.push(leadId);
      touched.add(this.files.of(lead));
    }
    if (touched.size) await this.save(...touched);
    return changed;
  }

  async claim(leadId: string, repId: string): Promise<ClaimResult> {
    const now = this.clock();
    const { mode, settings } = this.pool;
    const lead = this.leads.get(leadId) ?? null;
    const failure = checkClaim(lead, repId, this.limitsOf(repId, now, true), mode, settings, now);
    if (failure) return { ok: false, code: failure };
    this.claimFor(lead!, repId, now);
    await this.save(this.files.of(lead!), this.files.pool);
    return { ok: true, lead: publicLead(lead!), mode };
  }

  async pull(repId: string): Promise<PullResult> {
    const now = this.clock();
    const { mode, settings } = this.pool;
    const failure = checkPull(this.limitsOf(repId, now, true), mode, settings, now);
    if (failure) return { ok: false, code: failure };
    const lead = this.open.find((l) => mayClaim(l, repId, mode));
    if (!lead) return { ok: false, code: 'POOL_EMPTY' };
    this.claimFor(lead, repId, now);
    await this.save(this.files.of(lead), this.files.pool);
    return { ok: true, lead: publicLead(lead), mode };
  }

  async release(leadId: string, by: Releaser): Promise<ReleaseResult> {
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND' };
    if (lead.status !== 'claimed' || ('repId' in by && lead.claimedBy !== by.repId)) return { ok: false, code: 'NOT_OWNER' };
    const previousOwner = lead.claimedBy!;
    this.reopen(lead);
    await this.save(this.files.of(lead));
    return { ok: true, lead: publicLead(lead), previousOwner, mode: this.pool.mode };
  }

  async assign(leadId: string, repId: string): Promise<AssignResult> {
    const lead = this.leads.get(leadId);
    if (!lead) return { ok: false, code: 'NOT_FOUND', what: 'lead' };
    if (!this.reps.has(repId)) return { ok: false, code: 'NOT_FOUND', what: 'rep' };
    if (lead.status !== 'open' && lead.status !== 'claimed') return { ok: false, code: 'NOT_OPEN' };
    const previousOwner = lead.status === 'claimed' ? lead.claimedBy! : null;
    this.takeLead(lead, repId, this.clock());
    await this.save(this.files.of(lead), this.files.pool);
    return { ok: true, lead: publicLead(lead), previousOwner, mode: this.pool.mode };
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string): Promise<OutcomeResult> {
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

  async autoAssign(candidates: string[]): Promise<AutoAssignResult> {
    const { mode, settings } = this.pool;
    if (mode !== 'round-robin') return null;
    const lead = this.open[0];
    if (!lead) return null;
    const held = this.countHeld();
    const entries = candidates
      .map((id) => this.reps.get(id))
      .filter((rep): rep is StoredRep => !!rep && !rep.away && (held[rep.id] ?? 0) < capOf(rep.maxActive, settings))
      .map((rep) => {
        const c = this.counters(rep.id);
        return { repId: rep.id, score: c.rrScore, lastAssignedAt: c.lastAssignedAt, weight: rep.weight };
      });
    const next = nextInRotation(entries);
    if (!next) return null;
    const now = this.clock();
    const c = this.counters(next.repId);
    c.rrScore = advanceRotation(next, Math.min(...entries.map((e) => e.score)), settings.weighted);
    c.lastAssignedAt = now;
    this.takeLead(lead, next.repId, now);
    await this.save(this.files.of(lead), this.files.pool);
    return { lead: publicLead(lead), mode };
  }

  async runDue(): Promise<DueEvent[]> {
    const now = this.clock();
    const jobs = this.files.pool.data.jobs;
    if (!jobs.some((j) => j.at <= now)) return [];
    const events: DueEvent[] = [];
    const touched = new Set<Writable>([this.files.pool]);
    const { mode, settings } = this.pool;
    this.files.pool.data.jobs = jobs.filter((job) => {
      if (job.at > now) return true;
      const lead = this.leads.get(job.leadId);
      if (!lead) return false;
      // A setting turned off since the job was scheduled cancels it.
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
