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

/** Longest wait between two checks (a schedule edited on another process is seen within it). */
const CHECK_EVERY_MS = 30_000;
/** A boundary is checked this long after it, so the check reads the new side. */
const AFTER_BOUNDARY_MS = 5;
/** Reps read at a time by the periodic pass. */
const SYNC_PAGE = 250;

export class ShiftKeeper {
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires (ms). */
  private dueAt = Number.POSITIVE_INFINITY;
  private running = false;
  /** A wake-up came while a check ran: check again right after it. */
  private again = false;
  private stopped = true;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
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
    this.dueAt = Number.POSITIVE_INFINITY;
  }

  /**
   * One rep's schedule may have changed (created, edited): its flag now, and the timer
   * brought forward to its next boundary if that comes first. Only this rep is read: a
   * team of thousands is not swept for each rep created.
   */
  async syncRep(repId: string): Promise<void> {
    const rep = await this.store.getRep(repId);
    if (!rep) return;
    const now = Date.now();
    await this.syncOne(rep, now);
    const change = nextShiftChange(rep.schedule, now);
    if (!this.stopped && change !== null && change + AFTER_BOUNDARY_MS < this.dueAt) this.wake(change + AFTER_BOUNDARY_MS - Date.now());
  }

  /**
   * Every rep's flag now; resolves to the next instant worth a check. Read a page at a
   * time, so a team of thousands does not hold the event loop (and everyone's races) at once.
   */
  async syncAll(): Promise<number> {
    const now = Date.now();
    let next = now + CHECK_EVERY_MS;
    for (let offset = 0; ; offset += SYNC_PAGE) {
      const { reps, total } = await this.store.listRepsPage(offset, SYNC_PAGE);
      for (const rep of reps) {
        await this.syncOne(rep, now);
        const change = nextShiftChange(rep.schedule, now);
        if (change !== null) next = Math.min(next, change + AFTER_BOUNDARY_MS);
      }
      if (offset + SYNC_PAGE >= total || reps.length === 0) return next;
      await new Promise((r) => setImmediate(r));
    }
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
    await this.fanout.refreshSnapshots({ repId: rep.id });
  }

  private wake(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = Date.now() + Math.max(0, delayMs);
    this.timer = setTimeout(
      () => {
        this.dueAt = Number.POSITIVE_INFINITY;
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
    if (!this.stopped) this.wake(this.again ? 0 : Math.min(next - Date.now(), CHECK_EVERY_MS));
  }
}
