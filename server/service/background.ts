// The periodic work of one process: the due-job loop (escalations, claim timeouts) every
// 200 ms, the presence heartbeat every 5 s, and the clean-up after the store was found
// empty. While the store is unreachable a task fails every tick: that is said once, and
// once again when the store is back.
import type { Fanout } from '../realtime/fanout.js';
import { type Store, StoreUnavailableError } from '../store/types.js';
import type { DueJobs } from './due.js';
import type { Logger } from './logger.js';
import type { PresenceCommands } from './presence.js';
import type { StatsPush } from './stats-push.js';

const DUE_EVERY_MS = 200;
const HEARTBEAT_EVERY_MS = 5000;

export class Background {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly due: DueJobs,
    private readonly presence: PresenceCommands,
    private readonly stats: StatsPush,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.every(DUE_EVERY_MS, 'timers', () => this.due.run());
    this.every(HEARTBEAT_EVERY_MS, 'presence heartbeat', async () => {
      for (const change of await this.store.sweepPresence()) await this.presence.changed(change);
    });
    this.store.onReset?.(() => void this.afterStoreReset());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.stats.stop();
  }

  /** Runs `task` every `ms`, never two at once (until stop). */
  every(ms: number, name: string, task: () => Promise<void>): void {
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
  }

  /** Redis restarted empty: reps that no longer exist lose their tabs. */
  private async afterStoreReset(): Promise<void> {
    this.log.info('store was found empty (fresh install or Redis restarted without persistence)');
    for (const repId of await this.fanout.connectedRepIds()) {
      if (!(await this.store.getRep(repId))) this.fanout.disconnectRep(repId);
    }
  }
}
