// Push to top performers: the measured weights of a pool's reps (server/domain/performance.ts)
// from its latest closed leads. Read by round-robin (passed to the store's autoAssign) and
// shown in GET /api/reps and the dashboard.
import { PERFORMANCE_WINDOW, performanceWeights } from '../domain/performance.js';
import type { PoolRecord, Store, StoredRep } from '../store/types.js';

/** Whether a pool weighs its reps by measured performance. */
export const weighsByPerformance = (pool: PoolRecord) => pool.settings.weightBy === 'performance';

/** Rep id -> measured weight, for the reps of `pool` (of `reps`, every rep). */
export async function measuredWeights(store: Store, pool: PoolRecord, reps?: StoredRep[]): Promise<Record<string, number>> {
  const [all, leads] = await Promise.all([
    reps ?? store.listReps(),
    store.listLeads({ poolId: pool.id, status: 'closed', limit: PERFORMANCE_WINDOW.leads }),
  ]);
  const members = all.filter((r) => r.pools.includes(pool.id)).map((r) => r.id);
  return performanceWeights(members, leads);
}

/** Rep id -> (pool id -> measured weight), over the pools that weigh by performance. */
export async function performanceByRep(
  store: Store,
  pools: PoolRecord[],
  reps: StoredRep[],
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const pool of pools.filter(weighsByPerformance)) {
    for (const [repId, weight] of Object.entries(await measuredWeights(store, pool, reps))) {
      out[repId] ??= {};
      out[repId][pool.id] = weight;
    }
  }
  return out;
}
