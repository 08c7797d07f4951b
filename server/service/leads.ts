// Lead commands: ingest, claim, pull, release, assign, outcome. Each validates nothing
// (transport did), decides nothing racy (the store does, in one call), and tells everyone
// who must know (fan-out) after the store has taken the change. Ids come lead first,
// then rep, as in the store. `tabId` names the rep's tab that acted: its other tabs are
// told (mine:changed), that one is answered through its ack.
import { EV } from '../../shared/events.js';
import type { Lead, LeadInput, Mode, Outcome } from '../../shared/protocol.js';
import { disqualificationReasons } from '../domain/qualify.js';
import { route } from '../domain/routing.js';
import { ownerView } from '../domain/view.js';
import { ApiError, refusal } from '../errors.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';

export class LeadCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly followUps: FollowUps,
  ) {}

  async ingest(input: LeadInput): Promise<{ lead: Lead; duplicate: boolean }> {
    const { settings, rules, mode } = await this.store.getPool();
    const reasons = disqualificationReasons(input, settings.filters);
    const reps = rules.length ? await this.store.listReps() : [];
    const result = await this.store.insertLead({
      ...input,
      status: reasons.length ? 'disqualified' : 'open',
      eligible: route(input, rules, reps).eligible,
      ...(reasons.length ? { disqualifiedReasons: reasons } : {}),
    });
    if (result.duplicate) return { lead: result.lead, duplicate: true };
    const lead = result.lead;
    this.fanout.toManagers(EV.leadCreated, lead);
    if (lead.status === 'open') {
      this.fanout.offer(lead, mode, settings);
      this.followUps.poolChanged(mode);
    } else {
      this.followUps.countsChanged();
    }
    return { lead, duplicate: false };
  }

  async claim(leadId: string, repId: string, tabId?: string): Promise<Lead> {
    const result = await this.store.claim(leadId, repId);
    if (!result.ok) throw refusal(result.code);
    this.claimed(result.lead, result.mode, tabId);
    return ownerView(result.lead);
  }

  async pull(repId: string, tabId?: string): Promise<Lead> {
    const result = await this.store.pull(repId);
    if (!result.ok) throw refusal(result.code);
    this.claimed(result.lead, result.mode, tabId);
    return ownerView(result.lead);
  }

  /** A claim or pull took `lead`: the rest of its audience, the owner's other tabs and managers hear of it. */
  private claimed(lead: Lead, mode: Mode, tabId?: string): void {
    this.fanout.gone(lead, mode, 'claimed', lead.claimedBy);
    this.fanout.mineChanged(lead.claimedBy!, { leadId: lead.id, lead }, tabId);
    this.fanout.toManagers(EV.leadClaimed, lead);
    this.followUps.poolChanged(mode);
  }

  /** Release by the owning rep (repId) or by a manager (no repId). */
  async release(leadId: string, repId?: string, tabId?: string): Promise<Lead> {
    const result = await this.store.release(leadId, repId ? { repId } : { manager: true });
    if (!result.ok) {
      if (result.code === 'NOT_OWNER' && !repId) throw new ApiError('CONFLICT', 'this lead is not claimed');
      throw refusal(result.code);
    }
    const { lead, previousOwner, mode } = result;
    if (repId) this.fanout.mineChanged(repId, { leadId: lead.id }, tabId);
    else this.fanout.revoked(lead.id, previousOwner, 'released');
    await this.followUps.reopened(lead, mode);
    return lead;
  }

  async assign(leadId: string, repId: string): Promise<Lead> {
    const result = await this.store.assign(leadId, repId);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', result.what === 'rep' ? 'no such rep' : 'no such lead');
      throw new ApiError('CONFLICT', 'this lead is closed or disqualified');
    }
    const { lead, previousOwner, mode } = result;
    if (previousOwner && previousOwner !== repId) this.fanout.revoked(lead.id, previousOwner, 'reassigned');
    if (!previousOwner) this.fanout.gone(lead, mode, 'assigned', repId);
    this.fanout.assigned(lead);
    this.fanout.toManagers(EV.leadClaimed, lead);
    this.followUps.poolChanged(mode);
    return lead;
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string, tabId?: string): Promise<Lead> {
    const result = await this.store.outcome(leadId, repId, outcome, note);
    if (!result.ok) throw refusal(result.code);
    const lead = result.lead;
    this.fanout.mineChanged(repId, { leadId, lead }, tabId);
    this.fanout.toManagers(lead.status === 'closed' ? EV.leadClosed : EV.leadUpdated, lead);
    if (lead.status === 'closed') {
      // A closed lead frees a slot under the cap: round-robin may assign the next one.
      this.followUps.poolChanged((await this.store.getPool()).mode);
    }
    return ownerView(lead);
  }
}
