// pool:waiting for blind-pull reps: one broadcast per pool per turn of the event loop,
// however many changes of that pool's open set happened in it, to the reps of that pool.
import type { PoolWaiting } from '../../shared/events.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import type { Logger } from './logger.js';

export class WaitingPush {
  private scheduled = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly log: Logger,
  ) {}

  schedule(poolId: string): void {
    if (this.scheduled.has(poolId)) return;
    this.scheduled.add(poolId);
    setImmediate(() => {
      this.scheduled.delete(poolId);
      this.summary(poolId).then(
        (summary) => this.fanout.waiting(summary),
        (err) => this.log.error('pool:waiting failed', err),
      );
    });
  }

  private async summary(poolId: string): Promise<PoolWaiting> {
    const { count, oldestCreatedAt } = await this.store.openSummary(poolId);
    return { poolId, waiting: count, oldestAgeMs: oldestCreatedAt ? Date.now() - Date.parse(oldestCreatedAt) : null };
  }
}
