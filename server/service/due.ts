// Due jobs: escalations, claim timeouts, SLA (overdue) and reclaims of an unavailable rep's
// leads, popped from the store (each fires once in the whole cluster) and told to reps and
// managers. Each event's lead carries its pool, and its mode is that pool's.
import { EV } from '../../shared/events.js';
import type { Fanout } from '../realtime/fanout.js';
import type { DueEvent, Store } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { Stranding } from './stranding.js';

export class DueJobs {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly followUps: FollowUps,
    private readonly stranding?: Stranding,
  ) {}

  async run(): Promise<void> {
    const events = await this.store.runDue();
    for (const event of events) await this.fired(event);
  }

  private async fired(event: DueEvent): Promise<void> {
    if (event.kind === 'escalated') {
      this.fanout.toManagers(EV.leadUpdated, event.lead);
      // Everyone who was not eligible before now sees it (only hybrid narrows audiences).
      if (event.mode === 'hybrid') await this.followUps.offer(event.lead, event.mode, event.previousEligible);
      return;
    }
    if (event.kind === 'overdue') {
      const { lead } = event;
      this.fanout.toManagers(EV.leadOverdue, { leadId: lead.id, poolId: lead.poolId, overdueAt: lead.overdueAt!, lead });
      this.fanout.toManagers(EV.leadUpdated, lead);
      // Offered again with `overdueAt`: reps' views flag it (a lead:offered of a shown lead replaces it).
      await this.followUps.offer(lead, event.mode);
      return;
    }
    const reason = event.kind === 'expired' ? 'expired' : 'offline';
    this.fanout.revoked(event.lead, event.previousOwner, reason);
    await this.followUps.reopened(event.lead, event.mode, {
      releasedBy: { role: 'system' },
      reason,
      previousOwner: event.previousOwner,
    });
    this.stranding?.leadOpened(event.lead);
  }
}
