// pool:waiting for blind-pull reps: one broadcast per turn of the event loop, however
// many changes of the open set happened in it.
import type { PoolWaiting } from '../../shared/events.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import type { Logger } from './logger.js';

export class WaitingPush {
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly log: Logger,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.summary().then(
        (summary) => this.fanout.waiting(summary),
        (err) => this.log.error('pool:waiting failed', err),
      );
    });
  }

  private async summary(): Promise<PoolWaiting> {
    const { count, oldestCreatedAt } = await this.store.openSummary();
    return { waiting: count, oldestAgeMs: oldestCreatedAt ? Date.now() - Date.parse(oldestCreatedAt) : null };
  }
}
