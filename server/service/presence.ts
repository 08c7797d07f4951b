// Presence commands: a rep's tabs open and close, a rep says it is away or available.
// The store keeps presence cluster-wide; a change is told to managers and may let
// round-robin assign in any pool of the rep.
import { EV } from '../../shared/events.js';
import type { Mode } from '../../shared/protocol.js';
import { isAvailable } from '../domain/policy.js';
import type { Fanout } from '../realtime/fanout.js';
import type { PresenceChange, RepView, Store } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { RoundRobin } from './round-robin.js';
import type { Stranding } from './stranding.js';

export class PresenceCommands {
  private closingTabs = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly followUps: FollowUps,
    private readonly roundRobin: RoundRobin,
    private readonly stranding?: Stranding,
  ) {}

  async setAway(repId: string, away: boolean): Promise<void> {
    await this.changed(await this.store.setAway(repId, away));
  }

  /**
   * Records the tab and reads the rep's view in the same step (`pools`: those the rep is
   * believed in). Only that: a connecting tab runs changed() itself once its snapshot is
   * out, giving it the rep's pools as just read (no reads of its own on the way).
   */
  recordTab(repId: string, tabId: string, pools: string[]): Promise<PresenceChange & { view: RepView | null }> {
    return this.store.tabOpened(repId, tabId, { pools });
  }

  async tabClosed(repId: string, tabId: string): Promise<void> {
    const closing = this.store.tabClosed(repId, tabId).then((change) => this.changed(change));
    this.closingTabs.add(closing);
    try {
      await closing;
    } finally {
      this.closingTabs.delete(closing);
    }
  }

  /** Resolves once every tab close in flight reached the store (shutdown waits for it). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.closingTabs]);
  }

  /**
   * A rep's presence may have changed (also from the heartbeat's sweep): tell managers, maybe
   * assign. `repPools`: the rep's pools and their modes, when the caller has just read them.
   */
  async changed(change: PresenceChange, repPools?: { id: string; mode: Mode }[]): Promise<void> {
    if (change.before === change.after) return;
    this.fanout.toManagers(EV.repPresence, { repId: change.repId, presence: change.after });
    this.followUps.countsChanged();
    if (!isAvailable(change.after)) {
      // Its pools' leads may have nobody available left (whenNobodyEligible): the change
      // names them (PresenceChange.pools), so no read of the rep here, on every rep's last tab closing.
      if (change.pools && this.stranding) this.stranding.repUnavailable(change.pools, change.after);
      return;
    }
    // A pass only when a pool of the rep assigns. This runs on every first tab of a rep:
    // one round of reads, none when the caller knows the rep's pools.
    const mine = repPools ?? (await this.poolsOf(change.repId));
    const due = mine.filter((p) => p.mode === 'round-robin').map((p) => p.id);
    if (due.length) await this.roundRobin.distributeAll(due);
  }

  private async poolsOf(repId: string): Promise<{ id: string; mode: Mode }[]> {
    const [rep, pools] = await Promise.all([this.store.getRep(repId), this.store.listPools()]);
    return pools.filter((p) => rep?.pools.includes(p.id));
  }
}
