// Round-robin distribution: assigns open leads of a pool to available reps until no lead
// or no capacity is left. The store decides each assignment atomically (and does nothing
// unless that pool is in round-robin mode; it skips candidates outside the pool); this
// loop only keeps asking. Each pool has its own loop.
import { EV } from '../../shared/events.js';
import { isAvailable } from '../domain/policy.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import { measuredWeights, weighsByPerformance } from './performance.js';

export class RoundRobin {
  private running = new Map<string, Promise<void>>();
  private again = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    /** After a pass that assigned leads: the figures changed (managers' stats). */
    private readonly onAssigned: () => void = () => {},
  ) {}

  /** Every pool in round-robin mode, or those of `poolIds` (a rep became available: the pools it is in). */
  async distributeAll(poolIds?: readonly string[]): Promise<void> {
    const pools = await this.store.listPools();
    const due = pools.filter((p) => p.mode === 'round-robin' && (!poolIds || poolIds.includes(p.id)));
    await Promise.all(due.map((p) => this.distribute(p.id)));
  }

  /** One pass over a pool (or more); a call while its pass runs asks for one more pass instead of running in parallel. */
  distribute(poolId: string): Promise<void> {
    const running = this.running.get(poolId);
    if (running) {
      this.again.add(poolId);
      return running;
    }
    const pass = (async () => {
      try {
        let assigned = 0;
        do {
          this.again.delete(poolId);
          const presence = await this.store.onlinePresence();
          const candidates = Object.keys(presence).filter((id) => isAvailable(presence[id]));
          if (candidates.length === 0) break;
          const weights = await this.weightsOf(poolId);
          for (;;) {
            const result = await this.store.autoAssign(poolId, candidates, weights);
            if (!result) break;
            this.fanout.assigned(result.lead);
            this.fanout.toManagers(EV.leadClaimed, result.lead);
            assigned += 1;
          }
        } while (this.again.has(poolId));
        // Waiting and claimed counts moved: without this the dashboard's figures stay as
        // they were before the pass (a switch to round-robin left them stale).
        if (assigned > 0) this.onAssigned();
      } finally {
        this.running.delete(poolId);
        this.again.delete(poolId);
      }
    })();
    this.running.set(poolId, pass);
    return pass;
  }

  /** weighted + weightBy performance: the measured weights, read once per pass; else none (each rep's own). */
  private async weightsOf(poolId: string): Promise<Record<string, number> | undefined> {
    const pool = await this.store.getPool(poolId);
    if (!pool?.settings.weighted || !weighsByPerformance(pool)) return undefined;
    return measuredWeights(this.store, pool);
  }
}
