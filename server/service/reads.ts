// Read models: what reps and managers are shown, built from the store on demand. Reads
// only: nothing here changes the store or tells anyone anything.
import type { PoolConfig } from '../../shared/events.js';
import {
  type DashboardState,
  type Lead,
  type LiveStats,
  type Mode,
  POOL_STATE_LIMIT,
  type PoolState,
  type Presence,
  type Rep,
  type ReportSummary,
  type Settings,
} from '../../shared/protocol.js';
import { capOf } from '../domain/policy.js';
import { liveStats, summarize } from '../domain/reports.js';
import { leadView, mayClaim, offersLeads, ownerView } from '../domain/view.js';
import { ApiError } from '../errors.js';
import type { LeadQuery, Store, StoredRep } from '../store/types.js';

/** The dashboard's `recent`: this many newest leads, any status. */
const MANAGER_RECENT = 50;
/** Speed-to-claim is the median of the latest 100 claims among this many newest leads. */
const STATS_RECENT = 500;

export type Viewer = { role: 'manager' } | { role: 'rep'; repId: string };

export class ReadModels {
  constructor(private readonly store: Store) {}

  // ---- a rep's pool ----------------------------------------------------------------------

  /** The pool:state snapshot of one rep, or null when the rep does not exist. */
  async poolStateFor(repId: string): Promise<PoolState | null> {
    const [pool, rep, open, held, presence] = await Promise.all([
      this.store.getPool(),
      this.store.getRep(repId),
      this.store.openLeads(),
      this.store.heldLeads(repId),
      this.store.onlinePresence(),
    ]);
    if (!rep) return null;
    return poolState(rep, pool.mode, pool.settings, open, held, presence[repId] ?? 'offline');
  }

  /** The pool:state snapshot of every rep with a tab open, one rep at a time. */
  async *poolStatesOfOnlineReps(): AsyncGenerator<{ repId: string; state: PoolState }> {
    const [pool, open, presence, reps] = await Promise.all([
      this.store.getPool(),
      this.store.openLeads(),
      this.store.onlinePresence(),
      this.store.listReps(),
    ]);
    for (const rep of reps) {
      const p = presence[rep.id];
      if (!p) continue;
      const held = await this.store.heldLeads(rep.id);
      yield { repId: rep.id, state: poolState(rep, pool.mode, pool.settings, open, held, p) };
    }
  }

  // ---- managers ----------------------------------------------------------------------------

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

  async poolConfig(): Promise<PoolConfig> {
    const { mode, settings, rules } = await this.store.getPool();
    return { mode, settings, rules };
  }

  // ---- lists and lookups ----------------------------------------------------------------------

  listLeads(query: LeadQuery): Promise<Lead[]> {
    return this.store.listLeads(query);
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

  async listReps(): Promise<Rep[]> {
    const [reps, presence, held] = await Promise.all([this.store.listReps(), this.store.onlinePresence(), this.store.heldCounts()]);
    return reps.map((r) => publicRep(r, presence[r.id] ?? 'offline', held[r.id] ?? 0));
  }

  async getRep(repId: string): Promise<Rep> {
    const [rep, presence, held] = await Promise.all([this.store.getRep(repId), this.store.onlinePresence(), this.store.heldCounts()]);
    if (!rep) throw new ApiError('NOT_FOUND', 'no such rep');
    return publicRep(rep, presence[repId] ?? 'offline', held[repId] ?? 0);
  }
}

/** A rep as the wire shows it: no secrets, live presence, `activeCount` = leads it holds. */
export function publicRep(rep: StoredRep, presence: Presence, heldCount: number): Rep {
  const { tokenHash: _hash, away: _away, ...rest } = rep;
  return { ...rest, presence, activeCount: heldCount };
}

function poolState(rep: StoredRep, mode: Mode, settings: Settings, open: Lead[], held: Lead[], presence: Presence): PoolState {
  const mayTake = open.filter((lead) => mayClaim(lead, rep.id, mode));
  const views = offersLeads(mode) ? mayTake.slice(0, POOL_STATE_LIMIT).map((lead) => leadView(lead, mode, settings)!) : [];
  const showCount = mode !== 'round-robin';
  return {
    mode,
    you: publicRep(rep, presence, held.length),
    leads: views,
    mine: held.map(ownerView),
    waiting: showCount ? mayTake.length : 0,
    oldestAgeMs: showCount && mayTake.length ? Date.now() - Date.parse(mayTake[0].createdAt) : null,
    maxActive: capOf(rep.maxActive, settings),
  };
}
