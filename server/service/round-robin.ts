// Round-robin distribution: assigns open leads to available reps until no lead or no
// capacity is left. The store decides each assignment atomically (and does nothing
// outside round-robin mode); this loop only keeps asking.
import { EV } from '../../shared/events.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';

export class RoundRobin {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
  ) {}

  /** One pass (or more); a call while a pass runs asks for one more pass instead of running in parallel. */
  distribute(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const presence = await this.store.onlinePresence();
          const candidates = Object.keys(presence).filter((id) => presence[id] === 'available');
          if (candidates.length === 0) break;
          for (;;) {
            const result = await this.store.autoAssign(candidates);
            if (!result) break;
            this.fanout.assigned(result.lead);
            this.fanout.toManagers(EV.leadClaimed, result.lead);
          }
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
