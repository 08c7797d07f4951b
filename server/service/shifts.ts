// Working hours: keeps each rep's stored offShift flag in line with its schedule. Redis Lua
// knows no time zones, so the schedule is read here (server/domain/schedule.ts) and the
// result written to the store, where claim, pull and autoAssign check it atomically like
// `away`. A timer fires at the next boundary of any rep, and a periodic check catches
// schedules edited on another process. Several processes doing this is harmless: the
// store op is idempotent and only the write that changed the presence tells anyone.
import { nextShiftChange, onShift } from '../domain/schedule.js';
import type { Fanout } from '../realtime/fanout.js';
import { type Store, type StoredRep, StoreUnavailableError } from '../store/types.js';
import type { Logger } from './logger.js';
import type { PresenceCommands } from './presence.js';
import type { ReadModels } from './reads.js';

/** Longest wait between two checks (a schedule edited on another process is seen within it). */
const CHECK_EVERY_MS = 30_000;
/** A boundary is checked this long after it, so the check reads the new side. */
const AFTER_BOUNDARY_MS = 5;

export class ShiftKeeper {
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires (infinity: none set, or a check running that sets the next). */
  private timerAt = Number.POSITIVE_INFINITY;
  private running = false;
  /** A wake-up came while a check ran: check again right after it. */
  private again = false;
  private stopped = true;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
    private readonly presence: PresenceCommands,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One rep's schedule may have changed (created, edited): its flag now. */
  async syncRep(repId: string): Promise<void> {
    const rep = await this.store.getRep(repId);
    if (!rep) return;
    const now = Date.now();
    await this.syncOne(rep, now);
    // Its next boundary may come before the timer's: the timer moves up to it. Not a check of
    // every rep now (that made each rep change cost the whole team).
    const change = nextShiftChange(rep.schedule, now);
    if (change !== null && !this.stopped && change + AFTER_BOUNDARY_MS < this.timerAt) this.wake(change + AFTER_BOUNDARY_MS - now);
  }

  /** Every rep's flag now; resolves to the next instant worth a check. */
  async syncAll(): Promise<number> {
    const now = Date.now();
    let next = now + CHECK_EVERY_MS;
    for (const rep of await this.store.listReps()) {
      await this.syncOne(rep, now);
      const change = nextShiftChange(rep.schedule, now);
      if (change !== null) next = Math.min(next, change + AFTER_BOUNDARY_MS);
    }
    return next;
  }

  private async syncOne(rep: StoredRep, now: number): Promise<void> {
    const off = !onShift(rep.schedule, now);
    if (off === (rep.offShift === true)) return;
    const change = await this.store.setOffShift(rep.id, off);
    // Managers hear of it, and round-robin may assign to a rep back on shift. Not awaited: a
    // round-robin pass under a stream of leads can run long, and other boundaries are due.
    this.presence.changed(change).catch((err) => {
      if (!(err instanceof StoreUnavailableError)) this.log.error('shift change follow-up failed', err);
    });
    // The rep's own tabs: `you.presence` and `you.shift` in a fresh pool:state.
    const fresh = await this.reads.poolStatesFor(rep.id);
    for (const state of fresh?.states ?? []) this.fanout.poolState(rep.id, state);
  }

  private wake(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = Date.now() + Math.max(0, delayMs);
    this.timer = setTimeout(
      () => {
        this.timerAt = Number.POSITIVE_INFINITY;
        void this.tick();
      },
      Math.max(0, delayMs),
    );
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    let next: number;
    try {
      next = await this.syncAll();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) this.log.error('shifts failed', err);
      next = Date.now() + 1000;
    }
    this.running = false;
    // A boundary syncRep set meanwhile (timerAt) may come first.
    if (!this.stopped) this.wake(this.again ? 0 : Math.min(Math.min(next, this.timerAt) - Date.now(), CHECK_EVERY_MS));
  }
}
