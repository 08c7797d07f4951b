// Live stats for managers (the `stats` event): coalesced to at most one computation a
// second after changes, and none while no dashboard is connected to this node.
import { EV } from '../../shared/events.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Logger } from './logger.js';
import type { ReadModels } from './reads.js';

const STATS_EVERY_MS = 1000;

export class StatsPush {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly reads: ReadModels,
    private readonly fanout: Fanout,
    private readonly log: Logger,
  ) {}

  schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.fanout.hasManagers()) return;
      this.reads.stats().then(
        (stats) => this.fanout.toManagers(EV.stats, stats),
        (err) => this.log.error('stats failed', err),
      );
    }, STATS_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
