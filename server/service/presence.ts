// Presence commands: a rep's tabs open and close, a rep says it is away or available.
// The store keeps presence cluster-wide; a change is told to managers and may let
// round-robin assign in any pool of the rep.
import { EV } from '../../shared/events.js';
import type { Presence } from '../../shared/protocol.js';
import { isAvailable } from '../domain/policy.js';
import type { Fanout } from '../realtime/fanout.js';
import type { PresenceChange, Store } from '../store/types.js';
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

  /** Records the tab; answers the rep's presence with it open. */
  async tabOpened(repId: string, tabId: string): Promise<Presence> {
    const change = await this.store.tabOpened(repId, tabId);
    await this.changed(change);
    return change.after;
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

  /** A rep's presence may have changed (also from the heartbeat's sweep): tell managers, maybe assign. */
  async changed(change: PresenceChange): Promise<void> {
    if (change.before === change.after) return;
    this.fanout.toManagers(EV.repPresence, { repId: change.repId, presence: change.after });
    this.followUps.countsChanged();
    if (!isAvailable(change.after)) {
      // Its pools' leads may have nobody available left (whenNobodyEligible).
      if (isAvailable(change.before) && this.stranding) {
        const rep = await this.store.getRep(change.repId);
        if (rep) this.stranding.repUnavailable(rep.pools, change.after);
      }
      return;
    }
    // One round of reads (this runs on every first tab of a rep): a pass only when a pool of the rep assigns.
    const [rep, pools] = await Promise.all([this.store.getRep(change.repId), this.store.listPools()]);
    const due = pools.filter((p) => p.mode === 'round-robin' && rep?.pools.includes(p.id)).map((p) => p.id);
    if (due.length) await this.roundRobin.distributeAll(due);
  }
}
