// What a change of the pool sets off once the store has taken it, shared by the commands
// and the background jobs: stats and blind-pull counts pushed, round-robin run, a lead
// that is open again offered again, fresh snapshots for every online rep.
import { EV } from '../../shared/events.js';
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
   * The open set changed: stats, blind-pull counts, round-robin assignment. Runs after
   * the caller's answer (nothing here may delay an ack), coalesced under bursts.
   */
  poolChanged(mode: Mode): void {
    this.stats.schedule();
    if (mode === 'blind-pull') this.waiting.schedule();
    if (mode === 'round-robin') this.roundRobin.distribute().catch((err) => this.log.error('round-robin failed', err));
  }

  /** A lead is open again: managers hear of it, its audience is offered it again. */
  async reopened(lead: Lead, mode: Mode): Promise<void> {
    this.fanout.toManagers(EV.leadReleased, lead);
    const { settings } = await this.store.getPool();
    this.fanout.offer(lead, mode, settings);
    this.poolChanged(mode);
  }

  /** Sends a fresh pool:state to every online rep (mode switch, settings, rules). */
  async refreshReps(): Promise<void> {
    for await (const { repId, state } of this.reads.poolStatesOfOnlineReps()) this.fanout.poolState(repId, state);
  }
}
