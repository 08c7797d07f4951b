// Read models: what reps and managers are shown, built from the store on demand. Reads
// only: nothing here changes the store or tells anyone anything.
import type { PoolConfig } from '../../shared/events.js';
import {
  type DashboardState,
  DEFAULT_POOL,
  type EventPage,
  type Feed,
  type Lead,
  type LeadExplanation,
  type LeadStatus,
  type LiveStats,
  POOL_STATE_LIMIT,
  type PoolFigures,
  type PoolOverview,
  type PoolState,
  type Presence,
  type Rep,
  type ReportSummary,
  type Rule,
  type RulesPreview,
} from '../../shared/protocol.js';
import type { MyLeadsRequest, ReportRequest } from '../../shared/schemas.js';
import { capOf, capReached } from '../domain/policy.js';
import { previewRules } from '../domain/preview.js';
import { liveStats, reportCsv, summarize } from '../domain/reports.js';
import { route } from '../domain/routing.js';
import { nextShiftChange, onShift } from '../domain/schedule.js';
import { leadView, mayClaim, offersLeads, ownerView } from '../domain/view.js';
import { ApiError, noSuchPool } from '../errors.js';
import type { EventFilter, LeadPage, LeadQuery, LeadSearch, PoolRecord, RepView, Store, StoredFeed, StoredRep } from '../store/types.js';
import { performanceByRep } from './performance.js';

/** The dashboard's `recent`: this many newest leads, any status. */
const MANAGER_RECENT = 50;
/** GET /api/me/leads looks at this many of the rep's newest leads (by arrival) in that status. */
const REP_LEADS_SCAN = 1000;
/** Speed-to-claim is the median of the latest 100 claims among this many newest leads. */
const STATS_RECENT = 500;

export type Viewer = { role: 'manager' } | { role: 'rep'; repId: string };

type OnlinePresence = Record<string, Exclude<Presence, 'offline'>>;

/** One pool's live figures, and when its oldest open lead arrived. */
interface PoolNumbers {
  oldestCreatedAt: string | null;
  figures: PoolFigures;
}

export class ReadModels {
  constructor(private readonly store: Store) {}

  // ---- a rep's pools ---------------------------------------------------------------------

  /**
   * The pool:state snapshots of one rep, one per pool it is in (pool creation order), or
   * null when the rep does not exist. A rep in no pool gets none.
   */
  async poolStatesFor(repId: string): Promise<{ rep: StoredRep; states: PoolState[] } | null> {
    // One read of the store for the rep, its pools, their open leads and its held leads (Redis: one script).
    const [view, online] = await Promise.all([this.store.repView(repId, []), this.store.onlinePresence([repId])]);
    return statesOf(view, online[repId] ?? 'offline');
  }

  /** The pool:state of one rep in one pool, or null when the rep or the pool is gone or the rep is not in it. */
  async poolStateFor(repId: string, poolId: string): Promise<PoolState | null> {
    const [rep, pool, open, held, presence] = await Promise.all([
      this.store.getRep(repId),
      this.store.getPool(poolId),
      this.store.openLeads(poolId),
      this.store.heldLeads(repId),
      this.store.onlinePresence([repId]),
    ]);
    if (!rep || !pool || !rep.pools.includes(poolId)) return null;
    return poolState(rep, pool, open, held, presence[repId] ?? 'offline');
  }

  /** The pool:state of every rep of the pool with a tab open (of `only`, when given), one rep at a time. */
  async *poolStatesOfOnlineReps(poolId: string, only?: readonly string[]): AsyncGenerator<{ repId: string; state: PoolState }> {
    const [pool, open, presence, reps] = await Promise.all([
      this.store.getPool(poolId),
      this.store.openLeads(poolId),
      this.store.onlinePresence(only),
      only ? Promise.all(only.map((id) => this.store.getRep(id))).then((r) => r.filter((rep) => rep !== null)) : this.store.listReps(),
    ]);
    if (!pool) return;
    for (const rep of reps) {
      const p = presence[rep.id];
      if (!p || !rep.pools.includes(poolId)) continue;
      const held = await this.store.heldLeads(rep.id);
      yield { repId: rep.id, state: poolState(rep, pool, open, held, p) };
    }
  }

  /** Those of `repIds` that are reps of the pool (a hybrid audience kept inside it), reading only them. */
  async membersAmong(poolId: string, repIds: readonly string[]): Promise<Set<string>> {
    const reps = await Promise.all(repIds.map((id) => this.store.getRep(id)));
    return new Set(reps.flatMap((r) => (r?.pools.includes(poolId) ? [r.id] : [])));
  }

  // ---- managers ----------------------------------------------------------------------------

  async dashboardState(): Promise<DashboardState> {
    const [pools, storedReps, presence, held, open, recent, newest, counts] = await Promise.all([
      this.store.listPools(),
      this.store.listReps(),
      this.store.onlinePresence(),
      this.store.heldCounts(),
      this.store.listLeads({ status: 'open', limit: POOL_STATE_LIMIT }),
      this.store.listLeads({ limit: MANAGER_RECENT }),
      this.store.listLeads({ limit: STATS_RECENT }),
      this.store.statusCounts(),
    ]);
    const numbers = await this.poolNumbers(pools, storedReps, presence);
    const def = pools.find((p) => p.id === DEFAULT_POOL) ?? pools[0];
    return {
      mode: def.mode,
      settings: def.settings,
      rules: def.rules,
      pools: pools.map((p) => overview(p, numbers.get(p.id)!)),
      reps: withWeights(
        storedReps.map((r) => publicRep(r, presence[r.id] ?? 'offline', held[r.id] ?? 0)),
        await performanceByRep(this.store, pools, storedReps),
      ),
      open,
      recent,
      stats: statsOf(counts, numbers, newest, presence),
    };
  }

  async stats(): Promise<LiveStats> {
    const [pools, presence, newest, counts] = await Promise.all([
      this.store.listPools(),
      this.store.onlinePresence(),
      this.store.listLeads({ limit: STATS_RECENT }),
      this.store.statusCounts(),
    ]);
    // Only the online reps are read (their pools: reps online per pool), not the team.
    const online = await Promise.all(Object.keys(presence).map((id) => this.store.getRep(id)));
    const reps = online.filter((r) => r !== null);
    return statsOf(counts, await this.poolNumbers(pools, reps, presence), newest, presence);
  }

  /** Every pool as the manager sees it (creation order, `default` first). */
  async poolOverviews(): Promise<PoolOverview[]> {
    const [pools, reps, presence] = await Promise.all([this.store.listPools(), this.store.listReps(), this.store.onlinePresence()]);
    const numbers = await this.poolNumbers(pools, reps, presence);
    return pools.map((p) => overview(p, numbers.get(p.id)!));
  }

  /** One pool as the manager sees it; NOT_FOUND when there is no such pool. */
  async poolOverview(poolId: string): Promise<PoolOverview> {
    const [pool, reps, presence] = await Promise.all([this.store.getPool(poolId), this.store.listReps(), this.store.onlinePresence()]);
    if (!pool) throw noSuchPool(poolId);
    const numbers = await this.poolNumbers([pool], reps, presence);
    return overview(pool, numbers.get(poolId)!);
  }

  private async poolNumbers(pools: PoolRecord[], reps: StoredRep[], presence: OnlinePresence): Promise<Map<string, PoolNumbers>> {
    const read = await Promise.all(pools.map((p) => Promise.all([this.store.statusCounts(p.id), this.store.openSummary(p.id)])));
    const numbers = new Map<string, PoolNumbers>();
    const now = Date.now();
    pools.forEach((pool, i) => {
      const [counts, open] = read[i];
      numbers.set(pool.id, {
        oldestCreatedAt: open.oldestCreatedAt,
        figures: {
          open: counts.open,
          claimed: counts.claimed,
          oldestWaitingMs: open.oldestCreatedAt ? now - Date.parse(open.oldestCreatedAt) : null,
          repsOnline: reps.filter((r) => presence[r.id] && r.pools.includes(pool.id)).length,
        },
      });
    });
    return numbers;
  }

  /** The report over the leads that arrived in [from, to) (ms), in one pool (NOT_FOUND if none such) or all. */
  async summary(query: ReportRequest = {}): Promise<ReportSummary> {
    const { from, to, poolId } = query;
    const [pools, reps, leads] = await Promise.all([
      this.store.listPools(),
      this.store.listReps(),
      this.store.leadsCreatedBetween({ from, to, poolId }),
    ]);
    if (poolId !== undefined && !pools.some((p) => p.id === poolId)) throw noSuchPool(poolId);
    const members = poolId === undefined ? undefined : new Set(reps.filter((r) => r.pools.includes(poolId)).map((r) => r.id));
    return summarize(leads, reps, Date.now(), { pools, from, to, poolId, members });
  }

  /** The report as CSV (domain/reports.ts reportCsv). */
  async summaryCsv(query: ReportRequest = {}): Promise<string> {
    return reportCsv(await this.summary(query));
  }

  /** How `rules` (not saved) would route the pool's latest `limit` leads now (domain/preview.ts). */
  async previewRules(poolId: string, rules: Rule[], limit: number): Promise<RulesPreview> {
    const [pool, reps, presence, leads] = await Promise.all([
      this.store.getPool(poolId),
      this.store.listReps(),
      this.store.onlinePresence(),
      this.store.listLeads({ poolId, limit }),
    ]);
    if (!pool) throw noSuchPool(poolId);
    const members = reps.filter((r) => r.pools.includes(poolId)).map((r) => ({ ...r, presence: presence[r.id] ?? ('offline' as const) }));
    return previewRules(poolId, leads, rules, members);
  }

  /** A pool's mode, settings and rules (`default` when none is named); NOT_FOUND when there is no such pool. */
  async poolConfig(poolId: string = DEFAULT_POOL): Promise<PoolConfig> {
    const pool = await this.store.getPool(poolId);
    if (!pool) throw noSuchPool(poolId);
    return { poolId, mode: pool.mode, settings: pool.settings, rules: pool.rules };
  }

  /** The pool, or NOT_FOUND. */
  async pool(poolId: string): Promise<PoolRecord> {
    const pool = await this.store.getPool(poolId);
    if (!pool) throw noSuchPool(poolId);
    return pool;
  }

  // ---- lists and lookups ----------------------------------------------------------------------

  listLeads(query: LeadQuery): Promise<Lead[]> {
    return this.store.listLeads(query);
  }

  /** The lead list (GET /api/leads): filters, search, a page and its cursor. */
  searchLeads(query: LeadSearch): Promise<LeadPage> {
    return this.store.searchLeads(query);
  }

  /** Why a lead waits (GET /api/leads/:id/explain): its rule, who may take it and who of them is online, its timers. */
  async explain(leadId: string, now = Date.now()): Promise<LeadExplanation> {
    const lead = await this.store.getLead(leadId);
    if (!lead) throw new ApiError('NOT_FOUND', 'no such lead');
    const [pool, reps, presence, heldInPool, heldAll] = await Promise.all([
      this.store.getPool(lead.poolId),
      this.store.listReps(),
      this.store.onlinePresence(),
      this.store.heldCounts(lead.poolId),
      this.store.heldCounts(),
    ]);
    const members = reps.filter((r) => r.pools.includes(lead.poolId));
    const mode = pool?.mode ?? null;
    const rule = pool?.mode === 'hybrid' && pool.rules.length ? route(lead, pool.rules, members).rule : null;
    const rows = members.map((r) => ({
      id: r.id,
      name: r.name,
      presence: (presence[r.id] ?? 'offline') as Presence,
      eligible: mode !== null && mayClaim(lead, r, mode),
      atCap: pool !== null && capReached(r, heldInPool[r.id] ?? 0, heldAll[r.id] ?? 0, pool.settings),
    }));
    const eligibleRows = rows.filter((r) => r.eligible);
    const canTakeNow = eligibleRows.filter((r) => r.presence === 'available' && !r.atCap).length;
    const settings = pool?.settings;
    const escalates =
      lead.status === 'open' && mode === 'hybrid' && settings?.escalateAfterMs && Array.isArray(lead.eligible) && !lead.escalatedAt;
    const escalatesAt = escalates ? new Date(Date.parse(lead.createdAt) + settings!.escalateAfterMs!).toISOString() : null;
    const expiresAt =
      lead.status === 'claimed' && settings?.claimTimeoutMs && lead.claimedAt && !lead.outcome
        ? new Date(Date.parse(lead.claimedAt) + settings.claimTimeoutMs).toISOString()
        : null;
    const why: string[] = [];
    if (lead.status === 'open') {
      if (mode === null) why.push(`Its pool ${lead.poolId} no longer exists.`);
      else if (mode === 'hybrid')
        why.push(rule ? `It matches the rule “${rule}”.` : 'It matches no rule: every rep of the pool may take it.');
      why.push(
        `${eligibleRows.length} of ${rows.length} reps of the pool may take it; ${canTakeNow} of them can now (available, under their cap).`,
      );
      const offline = eligibleRows.filter((r) => r.presence === 'offline').length;
      if (offline) why.push(`${offline} eligible rep${offline === 1 ? ' is' : 's are'} offline.`);
      if (mode === 'round-robin' && canTakeNow === 0)
        why.push('Round-robin assigns it as soon as an eligible rep is available and under its cap.');
      if (escalatesAt) why.push(`It is offered to every rep of the pool at ${escalatesAt}.`);
      else if (mode === 'hybrid' && Array.isArray(lead.eligible) && !lead.escalatedAt)
        why.push('It never escalates (escalateAfterMs is off).');
      if (lead.escalatedAt) why.push(`It was offered to everyone at ${lead.escalatedAt}.`);
    } else if (lead.status === 'claimed') {
      why.push(`Claimed by ${rows.find((r) => r.id === lead.claimedBy)?.name ?? lead.claimedBy} at ${lead.claimedAt}.`);
      if (expiresAt) why.push(`Without an outcome it goes back to the pool at ${expiresAt}.`);
    } else if (lead.status === 'closed') {
      why.push(`Closed (${lead.outcome ?? 'no outcome'}) at ${lead.closedAt}.`);
    } else {
      why.push(`Disqualified: ${(lead.disqualifiedReasons ?? []).join(', ') || 'no reason recorded'}. It is never distributed.`);
    }
    return {
      leadId: lead.id,
      poolId: lead.poolId,
      status: lead.status,
      mode,
      rule,
      eligible: lead.eligible ?? '*',
      reps: rows,
      canTakeNow,
      waitingMs: lead.status === 'open' ? Math.max(0, now - Date.parse(lead.createdAt)) : null,
      escalatesAt,
      expiresAt,
      why,
    };
  }

  /** The audit trail, newest first (docs/API.md, Audit trail). */
  events(filter: EventFilter): Promise<EventPage> {
    return this.store.listEvents(filter);
  }

  /** A lead as `viewer` may see it: a manager any lead, a rep only one it holds (else NOT_FOUND). */
  async getLead(leadId: string, viewer: Viewer): Promise<Lead> {
    const lead = await this.store.getLead(leadId);
    if (!lead) throw new ApiError('NOT_FOUND', 'no such lead');
    if (viewer.role === 'manager') return lead;
    // A rep sees only its own lead; anything else is 404 so ids cannot be probed.
    if (lead.status !== 'claimed' || lead.claimedBy !== viewer.repId) throw new ApiError('NOT_FOUND', 'no such lead');
    return ownerView(lead);
  }

  /**
   * A rep's own leads: those it closed (`closed`: newest close first) or holds (`claimed`:
   * newest claim first) within the last `days` days, as their owner sees them.
   */
  async repLeads(repId: string, { status, days, limit }: MyLeadsRequest): Promise<Lead[]> {
    const since = Date.now() - days * 86_400_000;
    const when = (l: Lead) => Date.parse((status === 'closed' ? l.closedAt : l.claimedAt) ?? '');
    const leads = await this.store.listLeads({ repId, status, limit: REP_LEADS_SCAN });
    return leads
      .filter((l) => when(l) >= since)
      .sort((a, b) => when(b) - when(a))
      .slice(0, limit)
      .map(ownerView);
  }

  async listReps(): Promise<Rep[]> {
    const [reps, presence, held, pools] = await Promise.all([
      this.store.listReps(),
      this.store.onlinePresence(),
      this.store.heldCounts(),
      this.store.listPools(),
    ]);
    const weights = await performanceByRep(this.store, pools, reps);
    return withWeights(
      reps.map((r) => publicRep(r, presence[r.id] ?? 'offline', held[r.id] ?? 0)),
      weights,
    );
  }

  /** One page of the reps (creation order) and `next`, the offset of the next page (null after the last). */
  async listRepsPage(offset: number, limit: number): Promise<{ reps: Rep[]; total: number; next: number | null }> {
    const page = await this.store.listRepsPage(offset, limit);
    // The page's reps only: a page costs its size, not the team's.
    const ids = page.reps.map((r) => r.id);
    const [presence, held] = await Promise.all([this.store.onlinePresence(ids), this.store.heldCounts(undefined, ids)]);
    const reps = page.reps.map((r) => publicRep(r, presence[r.id] ?? 'offline', held[r.id] ?? 0));
    return { reps, total: page.total, next: offset + limit < page.total ? offset + limit : null };
  }

  async getRep(repId: string): Promise<Rep> {
    const [rep, presence, held] = await Promise.all([
      this.store.getRep(repId),
      this.store.onlinePresence([repId]),
      this.store.heldCounts(undefined, [repId]),
    ]);
    if (!rep) throw new ApiError('NOT_FOUND', 'no such rep');
    return publicRep(rep, presence[repId] ?? 'offline', held[repId] ?? 0);
  }

  async listFeeds(): Promise<Feed[]> {
    return (await this.store.listFeeds()).map(publicFeed);
  }
}

/**
 * A rep as the wire shows it: no secrets, live presence, `activeCount` = leads it holds (all
 * pools), and with a schedule where it stands against it now (`shift`).
 */
export function publicRep(rep: StoredRep, presence: Presence, heldCount: number, now = Date.now()): Rep {
  const { tokenHash: _hash, away: _away, offShift: _offShift, schedule, ...rest } = rep;
  if (!schedule) return { ...rest, presence, activeCount: heldCount };
  const until = nextShiftChange(schedule, now);
  return {
    ...rest,
    presence,
    activeCount: heldCount,
    schedule,
    shift: { onShift: onShift(schedule, now), until: until === null ? null : new Date(until).toISOString() },
  };
}

/** Adds each rep's measured weights (pools with weightBy performance), where it has any. */
function withWeights(reps: Rep[], weights: Record<string, Record<string, number>>): Rep[] {
  return reps.map((r) => (weights[r.id] ? { ...r, performanceWeights: weights[r.id] } : r));
}

/** A feed as the wire shows it: never its key hash. */
export function publicFeed(feed: StoredFeed): Feed {
  return { id: feed.id, name: feed.name, pools: feed.pools, createdAt: feed.createdAt };
}

/** pool:state of `rep` in `pool`: `open` is the pool's open leads (oldest first), `held` the rep's held leads in every pool. */
/**
 * The pool:state snapshots of a rep's view (Store.repView) with its presence: a connecting
 * tab reads its view and records its presence in one step (Store.tabOpened).
 */
export function statesOf(view: RepView | null, presence: Presence): { rep: StoredRep; states: PoolState[] } | null {
  if (!view) return null;
  const { rep, held } = view;
  return { rep, states: view.pools.map(({ pool, open }) => poolState(rep, pool, open, held, presence)) };
}

function poolState(rep: StoredRep, pool: PoolRecord, open: Lead[], held: Lead[], presence: Presence): PoolState {
  const { mode, settings } = pool;
  const mayTake = open.filter((lead) => mayClaim(lead, rep, mode));
  const views = offersLeads(mode) ? mayTake.slice(0, POOL_STATE_LIMIT).map((lead) => leadView(lead, mode, settings)!) : [];
  const showCount = mode !== 'round-robin';
  return {
    poolId: pool.id,
    poolName: pool.name,
    mode,
    you: publicRep(rep, presence, held.length),
    leads: views,
    mine: held.filter((lead) => lead.poolId === pool.id).map(ownerView),
    waiting: showCount ? mayTake.length : 0,
    oldestAgeMs: showCount && mayTake.length ? Date.now() - Date.parse(mayTake[0].createdAt) : null,
    maxActive: capOf(rep.maxActive, settings),
    claimTimeoutMs: settings.claimTimeoutMs,
  };
}

function overview(pool: PoolRecord, numbers: PoolNumbers): PoolOverview {
  const { figures } = numbers;
  return {
    id: pool.id,
    name: pool.name,
    mode: pool.mode,
    settings: pool.settings,
    createdAt: pool.createdAt,
    rules: pool.rules,
    waiting: figures.open,
    claimed: figures.claimed,
    oldestAgeMs: figures.oldestWaitingMs,
    repsOnline: figures.repsOnline,
  };
}

/**
 * The deployment's live stats: `counts` over every lead (deleted pools' history too), the
 * oldest open lead of any pool, and each pool's own figures.
 */
function statsOf(
  counts: Record<LeadStatus, number>,
  numbers: Map<string, PoolNumbers>,
  newest: Lead[],
  presence: OnlinePresence,
): LiveStats {
  let oldest: string | null = null;
  const pools: Record<string, PoolFigures> = {};
  for (const [poolId, n] of numbers) {
    if (n.oldestCreatedAt && (oldest === null || n.oldestCreatedAt < oldest)) oldest = n.oldestCreatedAt;
    pools[poolId] = n.figures;
  }
  return liveStats({ counts, oldestOpenCreatedAt: oldest, recent: newest, presence, pools });
}
