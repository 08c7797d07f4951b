// What a change of a pool sets off once the store has taken it, shared by the commands
// and the background jobs: stats and blind-pull counts pushed, round-robin run, a lead
// that is open again offered again, fresh snapshots for the online reps of the pool.
import { EV, type ReleaseInfo } from '../../shared/events.js';
import type { Lead, Mode } from '../../shared/protocol.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import type { Logger } from './logger.js';
import type { ReadModels } from './reads.js';
import type { RoundRobin } from './round-robin.js';
import type { StatsPush } from './stats-push.js';
import type { WaitingPush } from './waiting-push.js';

export class FollowUps {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
    private readonly stats: StatsPush,
    private readonly waiting: WaitingPush,
    private readonly roundRobin: RoundRobin,
    private readonly log: Logger,
  ) {}

  /** Only the counts changed (a disqualified lead, a rep's presence): managers' stats. */
  countsChanged(): void {
    this.stats.schedule();
  }

  /**
   * The open set of a pool changed (`mode` is that pool's): stats, blind-pull counts,
   * round-robin assignment. Runs after the caller's answer (nothing here may delay an
   * ack), coalesced under bursts.
   */
  poolChanged(poolId: string, mode: Mode): void {
    this.stats.schedule();
    if (mode === 'blind-pull') this.waiting.schedule(poolId);
    if (mode === 'round-robin') this.roundRobin.distribute(poolId).catch((err) => this.log.error('round-robin failed', err));
  }

  /** A lead is open again: managers hear of it (who released it, why), its audience in its pool is offered it again. */
  async reopened(lead: Lead, mode: Mode, release: ReleaseInfo): Promise<void> {
    this.fanout.toManagers(EV.leadReleased, { ...lead, ...release });
    await this.offer(lead, mode);
    this.poolChanged(lead.poolId, mode);
  }

  /** Offers an open lead to its audience under its pool's settings (`exceptReps` had it already). */
  async offer(lead: Lead, mode: Mode, exceptReps: string[] = []): Promise<void> {
    const pool = await this.store.getPool(lead.poolId);
    if (!pool) return;
    this.fanout.offer(lead, mode, pool.settings, { exceptReps, members: await this.membersFor(lead, mode) });
  }

  /**
   * The reps of the lead's pool when its audience is a list of reps (hybrid), so a rep
   * that left the pool since the lead was routed hears nothing of it; else undefined (the
   * audience is the pool's room, or nobody).
   */
  async membersFor(lead: Lead, mode: Mode): Promise<Set<string> | undefined> {
    const eligible = lead.eligible ?? '*';
    if (mode !== 'hybrid' || eligible === '*') return undefined;
    // Only the lead's own reps are read (a claim costs its audience, not the team).
    return this.reads.membersAmong(lead.poolId, eligible);
  }

  /** Sends a fresh pool:state of this pool to every online rep in it (mode switch, settings, rules), or to those of `only`. */
  refreshReps(poolId: string, only?: readonly string[]): Promise<void> {
    return this.fanout.refreshSnapshots({ poolId, ...(only ? { only: [...only] } : {}) });
  }
}
