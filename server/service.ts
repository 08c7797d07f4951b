// The Leadpool service: what every route and socket event calls. It validates nothing
// (transport did), decides nothing racy (the store does, in one call), and tells everyone
// who must know (fan-out) after the store has taken the change.
import { randomUUID } from 'node:crypto';
import {
  type DashboardState,
  EV,
  type Lead,
  type LeadInput,
  type LiveStats,
  type Mode,
  type Outcome,
  POOL_STATE_LIMIT,
  type PoolState,
  type PoolWaiting,
  type Presence,
  type Rep,
  type ReportSummary,
  type Rule,
  type Settings,
} from '../shared/protocol.js';
import type { RepCreate, RepPatch, SettingsPatch } from '../shared/schemas.js';
import { hashToken, newToken } from './auth.js';
import { capOf } from './domain/policy.js';
import { disqualificationReasons } from './domain/qualify.js';
import { liveStats, summarize } from './domain/reports.js';
import { route } from './domain/routing.js';
import { leadView, mayClaim, offersLeads, ownerView } from './domain/view.js';
import { ApiError, refusal } from './errors.js';
import { type Fanout, repRoom } from './realtime/fanout.js';
import { type DueEvent, type PresenceChange, type Store, type StoredRep, StoreUnavailableError } from './store/types.js';

export interface Logger {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}

const MANAGER_RECENT = 50;
/** Speed-to-claim is the median of the latest 100 claims among this many newest leads. */
const STATS_RECENT = 500;

export class LeadpoolService {
  private timers: NodeJS.Timeout[] = [];
  private statsTimer: NodeJS.Timeout | null = null;
  private distributing: Promise<void> | null = null;
  private distributeAgain = false;
  private waitingScheduled = false;
  private closingTabs = new Set<Promise<void>>();

  constructor(
    readonly store: Store,
    private readonly fanout: Fanout,
    private readonly log: Logger,
    /** Identifies this process in presence keys (tab ids). */
    readonly nodeId: string = randomUUID(),
  ) {}

  // ---- background work -----------------------------------------------------------------

  /** Starts the due-job loop (escalations, claim timeouts) and the presence heartbeat. */
  start(): void {
    // While the store is unreachable a task fails every tick: say so once, and once when it is back.
    const every = (ms: number, name: string, task: () => Promise<void>) => {
      let busy = false;
      let down = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        task()
          .then(() => {
            if (down) this.log.info(`${name}: the store is reachable again`);
            down = false;
          })
          .catch((err) => {
            if (!(err instanceof StoreUnavailableError)) this.log.error(`${name} failed`, err);
            else if (!down) this.log.error(`${name}: the store cannot be reached; retrying`, err.message);
            down = err instanceof StoreUnavailableError;
          })
          .finally(() => (busy = false));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(200, 'timers', () => this.runDue());
    every(5000, 'presence heartbeat', async () => {
      for (const change of await this.store.sweepPresence()) await this.presenceChanged(change);
    });
    this.store.onReset?.(() => void this.afterStoreReset());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.statsTimer) clearTimeout(this.statsTimer);
  }

  // ---- ingest -------------------------------------------------------------------------

  async ingest(input: LeadInput): Promise<{ lead: Lead; duplicate: boolean }> {
    const { settings, rules, mode } = await this.store.getPool();
    const reasons = disqualificationReasons(input, settings.filters);
    const reps = rules.length ? await this.store.listReps() : [];
    const result = await this.store.insertLead({
      ...input,
      status: reasons.length ? 'disqualified' : 'open',
      eligible: route(input, rules, reps).eligible,
      ...(reasons.length ? { disqualifiedReasons: reasons } : {}),
    });
    if (result.duplicate) return { lead: result.lead, duplicate: true };
    const lead = result.lead;
    this.fanout.toManagers(EV.leadCreated, lead);
    if (lead.status === 'open') {
      this.fanout.offer(lead, mode, settings);
      this.afterPoolChange(mode);
    } else {
      this.scheduleStats();
    }
    return { lead, duplicate: false };
  }

  // ---- rep actions ----------------------------------------------------------------------

  // `origin` is the socket id of the tab that acted: the rep's other tabs are told.

  async claim(repId: string, leadId: string, origin?: string): Promise<Lead> {
    const result = await this.store.claim(leadId, repId);
    if (!result.ok) throw refusal(result.code);
    this.won(result.lead, result.mode, origin);
    return ownerView(result.lead);
  }

  async pull(repId: string, origin?: string): Promise<Lead> {
    const result = await this.store.pull(repId);
    if (!result.ok) throw refusal(result.code);
    this.won(result.lead, result.mode, origin);
    return ownerView(result.lead);
  }

  private won(lead: Lead, mode: Mode, origin?: string): void {
    this.fanout.gone(lead, mode, 'claimed', lead.claimedBy);
    this.fanout.mineChanged(lead.claimedBy!, { leadId: lead.id, lead }, origin);
    this.fanout.toManagers(EV.leadClaimed, lead);
    this.afterPoolChange(mode);
  }

  /** Release by the owning rep (repId) or by a manager (no repId). */
  async release(leadId: string, repId?: string, origin?: string): Promise<Lead> {
    const result = await this.store.release(leadId, repId ? { repId } : { manager: true });
    if (!result.ok) {
      if (result.code === 'NOT_OWNER' && !repId) throw new ApiError('CONFLICT', 'this lead is not claimed');
      throw refusal(result.code);
    }
    const { lead, previousOwner, mode } = result;
    if (repId) this.fanout.mineChanged(repId, { leadId: lead.id }, origin);
    else this.fanout.revoked(previousOwner, lead.id, 'released');
    await this.reopened(lead, mode);
    return lead;
  }

  /** A lead is open again: managers hear of it, its audience is offered it again. */
  private async reopened(lead: Lead, mode: Mode): Promise<void> {
    this.fanout.toManagers(EV.leadReleased, lead);
    const { settings } = await this.store.getPool();
    this.fanout.offer(lead, mode, settings);
    this.afterPoolChange(mode);
  }

  async assign(leadId: string, repId: string): Promise<Lead> {
    const result = await this.store.assign(leadId, repId);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', result.what === 'rep' ? 'no such rep' : 'no such lead');
      throw new ApiError('CONFLICT', 'this lead is closed or disqualified');
    }
    const { lead, previousOwner, mode } = result;
    if (previousOwner && previousOwner !== repId) this.fanout.revoked(previousOwner, lead.id, 'reassigned');
    if (!previousOwner) this.fanout.gone(lead, mode, 'assigned', repId);
    this.fanout.assigned(lead);
    this.fanout.toManagers(EV.leadClaimed, lead);
    this.afterPoolChange(mode);
    return lead;
  }

  async outcome(repId: string, leadId: string, outcome: Outcome, note?: string, origin?: string): Promise<Lead> {
    const result = await this.store.outcome(leadId, repId, outcome, note);
    if (!result.ok) throw refusal(result.code);
    const lead = result.lead;
    this.fanout.mineChanged(repId, { leadId, lead }, origin);
    this.fanout.toManagers(lead.status === 'closed' ? EV.leadClosed : EV.leadUpdated, lead);
    if (lead.status === 'closed') {
      // A closed lead frees a slot under the cap: round-robin may assign the next one.
      this.afterPoolChange((await this.store.getPool()).mode);
    }
    return ownerView(lead);
  }

  async setAway(repId: string, away: boolean): Promise<void> {
    await this.presenceChanged(await this.store.setAway(repId, away));
  }

  async tabOpened(repId: string, tabId: string): Promise<void> {
    await this.presenceChanged(await this.store.tabOpened(repId, tabId));
  }

  async tabClosed(repId: string, tabId: string): Promise<void> {
    const closing = this.store.tabClosed(repId, tabId).then((change) => this.presenceChanged(change));
    this.closingTabs.add(closing);
    try {
      await closing;
    } finally {
      this.closingTabs.delete(closing);
    }
  }

  /** Resolves once every tab close in flight reached the store (shutdown waits for it). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.closingTabs]);
  }

  private async presenceChanged(change: PresenceChange): Promise<void> {
    if (change.before === change.after) return;
    this.fanout.toManagers(EV.repPresence, { repId: change.repId, presence: change.after });
    this.scheduleStats();
    if (change.after === 'available') await this.distribute();
  }

  // ---- snapshots ------------------------------------------------------------------------

  async poolStateFor(repId: string): Promise<PoolState | null> {
    const [pool, rep, open, mine, presence] = await Promise.all([
      this.store.getPool(),
      this.store.getRep(repId),
      this.store.openLeads(),
      this.store.heldLeads(repId),
      this.store.onlinePresence(),
    ]);
    if (!rep) return null;
    return this.buildPoolState(rep, pool.mode, pool.settings, open, mine, presence[repId] ?? 'offline');
  }

  private buildPoolState(rep: StoredRep, mode: Mode, settings: Settings, open: Lead[], mine: Lead[], presence: Presence): PoolState {
    const mayTake = open.filter((lead) => mayClaim(lead, rep.id, mode));
    const views = offersLeads(mode) ? mayTake.slice(0, POOL_STATE_LIMIT).map((lead) => leadView(lead, mode, settings)!) : [];
    const showCount = mode !== 'round-robin';
    return {
      mode,
      you: publicRep(rep, presence, mine.length),
      leads: views,
      mine: mine.map(ownerView),
      waiting: showCount ? mayTake.length : 0,
      oldestAgeMs: showCount && mayTake.length ? Date.now() - Date.parse(mayTake[0].createdAt) : null,
      maxActive: capOf(rep.maxActive, settings),
    };
  }

  /** Sends a fresh pool:state to every online rep (mode switch, settings, rules). */
  async refreshAllReps(): Promise<void> {
    const [pool, open, presence, reps] = await Promise.all([
      this.store.getPool(),
      this.store.openLeads(),
      this.store.onlinePresence(),
      this.store.listReps(),
    ]);
    for (const rep of reps) {
      const p = presence[rep.id];
      if (!p) continue;
      const mine = await this.store.heldLeads(rep.id);
      this.fanout.poolState(rep.id, this.buildPoolState(rep, pool.mode, pool.settings, open, mine, p));
    }
  }

  async dashboardState(): Promise<DashboardState> {
    const [pool, reps, open, recent] = await Promise.all([
      this.store.getPool(),
      this.listReps(),
      this.store.listLeads({ status: 'open', limit: POOL_STATE_LIMIT }),
      this.store.listLeads({ limit: MANAGER_RECENT }),
    ]);
    return { mode: pool.mode, settings: pool.settings, rules: pool.rules, reps, open, recent, stats: await this.stats() };
  }

  async stats(): Promise<LiveStats> {
    const [counts, open, recent, presence] = await Promise.all([
      this.store.statusCounts(),
      this.store.openSummary(),
      this.store.listLeads({ limit: STATS_RECENT }),
      this.store.onlinePresence(),
    ]);
    return liveStats({ counts, oldestOpenCreatedAt: open.oldestCreatedAt, recent, presence });
  }

  async summary(): Promise<ReportSummary> {
    const [leads, reps] = await Promise.all([this.store.listLeads({ limit: Infinity }), this.store.listReps()]);
    return summarize(leads, reps);
  }

  /** Coalesces stats pushes to managers: at most one computation per second. */
  private scheduleStats(): void {
    if (this.statsTimer) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      if (this.fanout.managers.sockets.size === 0) return;
      this.stats().then(
        (s) => this.fanout.toManagers(EV.stats, s),
        (err) => this.log.error('stats failed', err),
      );
    }, 1000);
    this.statsTimer.unref();
  }

  // ---- pool configuration ---------------------------------------------------------------

  async setMode(mode: Mode): Promise<Mode> {
    const { previous } = await this.store.setMode(mode);
    if (previous !== mode) {
      this.fanout.modeChanged(mode);
      await this.refreshAllReps();
      await this.distribute();
    }
    return mode;
  }

  async patchSettings(patch: SettingsPatch): Promise<Settings> {
    const settings = await this.store.patchSettings(patch);
    this.fanout.toManagers(EV.settingsChanged, { settings });
    // Teaser fields and caps show on reps' screens: send them a fresh snapshot.
    await this.refreshAllReps();
    await this.distribute();
    return settings;
  }

  async setRules(rules: Rule[]): Promise<Rule[]> {
    await this.store.setRules(rules);
    this.fanout.toManagers(EV.rulesChanged, { rules });
    await this.rerouteOpenLeads();
    return rules;
  }

  /**
   * Rules or reps changed: route the open (not escalated) leads again, so a new rule or a
   * rep's new skill applies to leads already waiting. Reps whose pool changed get a fresh
   * pool:state (every online rep, when anything changed in hybrid mode).
   */
  private async rerouteOpenLeads(): Promise<void> {
    const [pool, reps, open] = await Promise.all([this.store.getPool(), this.store.listReps(), this.store.openLeads()]);
    const changes = open
      .filter((lead) => !lead.escalatedAt)
      .map((lead) => ({ lead, eligible: route(lead, pool.rules, reps).eligible }))
      .filter(({ lead, eligible }) => JSON.stringify(lead.eligible ?? '*') !== JSON.stringify(eligible))
      .map(({ lead, eligible }) => ({ leadId: lead.id, eligible }));
    if (changes.length === 0) return;
    const changed = await this.store.reroute(changes);
    if (changed.length && pool.mode === 'hybrid') await this.refreshAllReps();
  }

  // ---- reps -------------------------------------------------------------------------------

  async createRep(input: RepCreate): Promise<{ rep: Rep; token: string }> {
    const token = newToken('r');
    const stored: StoredRep = {
      id: `rep_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      skills: input.skills ?? [],
      languages: input.languages ?? [],
      countries: input.countries ?? [],
      teams: input.teams ?? [],
      maxActive: input.maxActive ?? null,
      weight: input.weight ?? 1,
      createdAt: new Date().toISOString(),
      tokenHash: hashToken(token),
      away: false,
    };
    await this.store.createRep(stored);
    const rep = publicRep(stored, 'offline', 0);
    this.fanout.toManagers(EV.repsChanged, { reps: await this.listReps() });
    await this.rerouteOpenLeads();
    return { rep, token };
  }

  async listReps(): Promise<Rep[]> {
    const [reps, presence, active] = await Promise.all([this.store.listReps(), this.store.onlinePresence(), this.store.heldCounts()]);
    return reps.map((r) => publicRep(r, presence[r.id] ?? 'offline', active[r.id] ?? 0));
  }

  async getRep(repId: string): Promise<Rep> {
    const [rep, presence, active] = await Promise.all([this.store.getRep(repId), this.store.onlinePresence(), this.store.heldCounts()]);
    if (!rep) throw new ApiError('NOT_FOUND', 'no such rep');
    return publicRep(rep, presence[repId] ?? 'offline', active[repId] ?? 0);
  }

  async updateRep(repId: string, patch: RepPatch): Promise<Rep> {
    const updated = await this.store.updateRep(repId, patch);
    if (!updated) throw new ApiError('NOT_FOUND', 'no such rep');
    const rep = await this.getRep(repId);
    this.fanout.toManagers(EV.repsChanged, { reps: await this.listReps() });
    await this.rerouteOpenLeads();
    // Its cap or (through rerouting) its eligibility may have changed.
    const state = await this.poolStateFor(repId);
    if (state) this.fanout.poolState(repId, state);
    await this.distribute();
    return rep;
  }

  async deleteRep(repId: string): Promise<void> {
    const removed = await this.store.deleteRep(repId);
    if (!removed) throw new ApiError('NOT_FOUND', 'no such rep');
    this.fanout.disconnectRep(repId);
    const mode = (await this.store.getPool()).mode;
    for (const lead of removed.released) await this.reopened(lead, mode);
    this.fanout.toManagers(EV.repsChanged, { reps: await this.listReps() });
  }

  // ---- leads (manager reads) ----------------------------------------------------------------

  async getLeadFor(leadId: string, principal: { role: 'manager' } | { role: 'rep'; repId: string }): Promise<Lead> {
    const lead = await this.store.getLead(leadId);
    if (!lead) throw new ApiError('NOT_FOUND', 'no such lead');
    if (principal.role === 'manager') return lead;
    // A rep sees only its own lead; anything else is 404 so ids cannot be probed.
    if (lead.status !== 'claimed' || lead.claimedBy !== principal.repId) throw new ApiError('NOT_FOUND', 'no such lead');
    return ownerView(lead);
  }

  // ---- time-based work and round-robin --------------------------------------------------------

  async runDue(): Promise<void> {
    const events = await this.store.runDue();
    for (const event of events) await this.dueFired(event);
  }

  private async dueFired(event: DueEvent): Promise<void> {
    const { settings } = await this.store.getPool();
    if (event.kind === 'escalated') {
      this.fanout.toManagers(EV.leadUpdated, event.lead);
      // Everyone who was not eligible before now sees it (only hybrid narrows audiences).
      if (event.mode === 'hybrid') this.fanout.offer(event.lead, event.mode, settings, { except: event.previousEligible.map(repRoom) });
      return;
    }
    this.fanout.revoked(event.previousOwner, event.lead.id, 'expired');
    await this.reopened(event.lead, event.mode);
  }

  /**
   * After the open set changed: blind-pull counts, stats, round-robin assignment. Runs
   * after the caller's answer (nothing here may delay an ack), coalesced under bursts.
   */
  private afterPoolChange(mode: Mode): void {
    this.scheduleStats();
    if (mode === 'blind-pull') this.scheduleWaiting();
    if (mode === 'round-robin') this.distribute().catch((err) => this.log.error('round-robin failed', err));
  }

  /** One pool:waiting broadcast per turn of the event loop, however many changes. */
  private scheduleWaiting(): void {
    if (this.waitingScheduled) return;
    this.waitingScheduled = true;
    setImmediate(() => {
      this.waitingScheduled = false;
      this.waitingSummary().then(
        (w) => this.fanout.waiting(w),
        (err) => this.log.error('pool:waiting failed', err),
      );
    });
  }

  private async waitingSummary(): Promise<PoolWaiting> {
    const { count, oldestCreatedAt } = await this.store.openSummary();
    return { waiting: count, oldestAgeMs: oldestCreatedAt ? Date.now() - Date.parse(oldestCreatedAt) : null };
  }

  /**
   * Round-robin: assigns open leads to available reps until no lead or no capacity is
   * left. The store decides each assignment atomically; this loop only keeps asking.
   * Calls while a pass runs ask for one more pass instead of running in parallel.
   */
  async distribute(): Promise<void> {
    if (this.distributing) {
      this.distributeAgain = true;
      return this.distributing;
    }
    this.distributing = (async () => {
      try {
        do {
          this.distributeAgain = false;
          const presence = await this.store.onlinePresence();
          const candidates = Object.keys(presence).filter((id) => presence[id] === 'available');
          if (candidates.length === 0) break;
          for (;;) {
            const result = await this.store.autoAssign(candidates);
            if (!result) break;
            this.fanout.assigned(result.lead);
            this.fanout.toManagers(EV.leadClaimed, result.lead);
          }
        } while (this.distributeAgain);
      } finally {
        this.distributing = null;
      }
    })();
    return this.distributing;
  }

  /** Redis restarted empty: reps that no longer exist lose their tabs. */
  private async afterStoreReset(): Promise<void> {
    this.log.info('store was found empty (fresh install or Redis restarted without persistence)');
    const sockets = await this.fanout.reps.fetchSockets();
    for (const socket of sockets) {
      const repId = socket.data.repId as string | undefined;
      if (repId && !(await this.store.getRep(repId))) socket.disconnect(true);
    }
  }
}

export function publicRep(rep: StoredRep, presence: Presence, activeCount: number): Rep {
  const { tokenHash: _hash, away: _away, ...rest } = rep;
  return { ...rest, presence, activeCount };
}
