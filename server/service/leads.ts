// Lead commands: ingest, claim, pull, release, assign, outcome. Each validates nothing
// (transport did), decides nothing racy (the store does, in one call), and tells everyone
// who must know (fan-out) after the store has taken the change. Ids come lead first,
// then rep, as in the store. `tabId` names the rep's tab that acted: its other tabs are
// told (mine:changed), that one is answered through its ack. A lead lives in one pool:
// that pool's mode, settings and rules apply, and only its reps hear of it.
import { EV } from '../../shared/events.js';
import type { AuditActor, Consent, Lead, LeadInput, Mode, Outcome } from '../../shared/protocol.js';
import { disqualificationReasons } from '../domain/qualify.js';
import { route } from '../domain/routing.js';
import { ownerView } from '../domain/view.js';
import { ApiError, noSuchPool, refusal, toApiError } from '../errors.js';
import { claimDuration, claims, fanoutDuration, leadsIngested, since } from '../metrics.js';
import type { Fanout } from '../realtime/fanout.js';
import type { IngestResult, LeadDraft, PoolRecord, Store, StoredRep, Taken } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { Stranding } from './stranding.js';

/** Where a new lead goes and who sent it. */
export interface IngestTarget {
  poolId: string;
  /** The feed key that posted it: recorded on the lead, and its name is the default `source`. */
  feed?: { id: string; name: string };
  /** Who posted it, for the audit trail (default: the feed, else the manager). */
  actor?: AuditActor;
  /** The hosted form that captured it: `source` becomes `form:<name>`; the lead records the form and the consent given. */
  form?: { id: string; name: string; consent?: Consent };
}

/** What became of the rows of an import (the rejected ones never reach the service). */
export interface ImportCounts {
  created: number;
  duplicates: number;
  disqualified: number;
}

/** An import's leads per store call (one group commit, one script), and the calls in flight at once. */
const IMPORT_BATCH = 250;
const IMPORT_WINDOW = 4;

/** Modes in which reps cannot claim (the lead comes by pull or by assignment). */
const NO_CLAIM_MODES: readonly Mode[] = ['blind-pull', 'round-robin'];

export class LeadCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly followUps: FollowUps,
    private readonly stranding?: Stranding,
  ) {}

  /** Qualifies with the pool's filters, routes with its rules over its reps, stores (dedup inside the pool), offers. */
  async ingest(input: LeadInput, target: IngestTarget): Promise<{ lead: Lead; duplicate: boolean }> {
    const pool = await this.store.getPool(target.poolId);
    if (!pool) throw noSuchPool(target.poolId);
    const members = await this.routingMembers(pool);
    const actor = target.actor ?? (target.form ? { role: 'form' as const, id: target.form.id } : undefined);
    const result = await this.store.insertLead(this.draft(input, target, pool, members), actor ? { actor } : undefined);
    return this.accepted(result, pool, members);
  }

  /**
   * Many leads into one pool (CSV import), as ingest takes one: same filters, routing, dedup
   * and offers, with the pool and its reps read once. The leads go to the store in batches
   * (store.insertLeads: one group commit, one Redis script each), a few batches in flight,
   * handed over in the given order, so the store takes them in that order and a row
   * repeating an earlier one of the same file is its duplicate. A store failure part way
   * stops the import and rejects once the batches in flight settled; the batches taken
   * before it stay (each batch is all or nothing).
   */
  async importLeads(inputs: LeadInput[], poolId: string, actor?: AuditActor): Promise<ImportCounts> {
    const pool = await this.store.getPool(poolId);
    if (!pool) throw noSuchPool(poolId);
    const members = await this.routingMembers(pool);
    const drafts = inputs.map((input) => this.draft(input, { poolId }, pool, members));
    const settled: PromiseSettledResult<IngestResult>[] = [];
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (next < drafts.length && !stop) {
        const from = next;
        next = Math.min(drafts.length, from + IMPORT_BATCH);
        try {
          const results = await this.store.insertLeads(drafts.slice(from, next), actor ? { actor } : undefined);
          results.forEach((value, k) => {
            settled[from + k] = { status: 'fulfilled', value };
          });
        } catch (reason) {
          settled[from] = { status: 'rejected', reason };
          stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: IMPORT_WINDOW }, worker));
    const counts: ImportCounts = { created: 0, duplicates: 0, disqualified: 0 };
    let failure: { reason: unknown } | null = null;
    for (const r of settled) {
      if (!r) continue; // never started: the import stopped
      if (r.status === 'rejected') {
        failure ??= r;
        continue;
      }
      const { lead, duplicate } = this.accepted(r.value, pool, members);
      if (duplicate) counts.duplicates++;
      else if (lead.status === 'disqualified') counts.disqualified++;
      else counts.created++;
    }
    if (failure) throw failure.reason;
    return counts;
  }

  /** The reps of the pool, when its hybrid rules need them to route (else none are read). */
  private async routingMembers(pool: PoolRecord): Promise<StoredRep[]> {
    return pool.rules.length ? (await this.store.listReps()).filter((r) => r.pools.includes(pool.id)) : [];
  }

  /** The lead as the store takes it: its source, qualified by the pool's filters, routed by its rules. */
  private draft(input: LeadInput, target: IngestTarget, pool: PoolRecord, members: StoredRep[]): LeadDraft {
    let fields: LeadInput = target.feed && input.source === undefined ? { ...input, source: target.feed.name } : input;
    if (target.form) fields = { ...fields, source: `form:${target.form.name}` };
    const reasons = disqualificationReasons(fields, pool.settings.filters);
    return {
      ...fields,
      poolId: pool.id,
      ...(target.feed ? { feedId: target.feed.id } : {}),
      ...(target.form ? { formId: target.form.id } : {}),
      ...(target.form?.consent ? { consent: target.form.consent } : {}),
      status: reasons.length ? 'disqualified' : 'open',
      eligible: route(fields, pool.rules, members).eligible,
      ...(reasons.length ? { disqualifiedReasons: reasons } : {}),
    };
  }

  /** After the store took (or deduped) a lead: counted, and a new one told to managers and offered. */
  private accepted(result: IngestResult, pool: PoolRecord, members: StoredRep[]): { lead: Lead; duplicate: boolean } {
    if (result.duplicate) {
      leadsIngested.inc({ pool: pool.id, status: 'duplicate' });
      return { lead: result.lead, duplicate: true };
    }
    const { settings, mode } = pool;
    const lead = result.lead;
    leadsIngested.inc({ pool: pool.id, status: lead.status });
    const stored = performance.now();
    this.fanout.toManagers(EV.leadCreated, lead);
    if (lead.status === 'open') {
      this.fanout.offer(lead, mode, settings, { members: new Set(members.map((r) => r.id)) });
      fanoutDuration.observe({ event: 'offer' }, since(stored));
      this.followUps.poolChanged(pool.id, mode);
      this.stranding?.leadOpened(lead, pool);
    } else {
      this.followUps.countsChanged();
    }
    return { lead, duplicate: false };
  }

  async claim(leadId: string, repId: string, tabId?: string): Promise<Lead> {
    return this.measured('claim', async () => {
      const result = await this.store.claim(leadId, repId, tabId);
      if (!result.ok) throw refusal(result.code === 'NOT_FOUND' ? await this.claimNotFound(repId) : result.code);
      await this.claimed(result, tabId);
      return ownerView(result.lead);
    });
  }

  /** A claim or pull, timed and counted by its result (ok, or the code it answered). */
  private async measured(action: 'claim' | 'pull', run: () => Promise<Lead>): Promise<Lead> {
    const start = performance.now();
    try {
      const lead = await run();
      claims.inc({ action, result: 'ok' });
      return lead;
    } catch (err) {
      claims.inc({ action, result: toApiError(err).code });
      throw err;
    } finally {
      claimDuration.observe({ action }, since(start));
    }
  }

  /**
   * A claim answered NOT_FOUND (rep or lead gone). v1 checked the pool's mode before the
   * lead's existence; the store now checks the lead's pool's mode, which an unknown lead
   * has not. With one pool only (a v1 install) the answer stays v1's: MODE_FORBIDS when
   * that pool does not allow claims and the rep exists.
   */
  private async claimNotFound(repId: string): Promise<'NOT_FOUND' | 'MODE_FORBIDS'> {
    const [rep, pools] = await Promise.all([this.store.getRep(repId), this.store.listPools()]);
    return rep && pools.length === 1 && NO_CLAIM_MODES.includes(pools[0].mode) ? 'MODE_FORBIDS' : 'NOT_FOUND';
  }

  /**
   * The oldest open lead the rep may take: in `poolId`, or without it in any of its pools.
   * A rep in exactly one pool pulls in that pool, so that its answers keep v1's order
   * (COOLDOWN and WINDOW_CAP before POOL_EMPTY).
   */
  async pull(repId: string, poolId?: string, tabId?: string): Promise<Lead> {
    return this.measured('pull', async () => {
      let inPool = poolId;
      if (inPool === undefined) {
        const rep = await this.store.getRep(repId);
        if (rep?.pools.length === 1) inPool = rep.pools[0];
      }
      const result = await this.store.pull(repId, inPool, tabId);
      if (!result.ok) throw refusal(result.code);
      await this.claimed(result, tabId);
      return ownerView(result.lead);
    });
  }

  /**
   * A claim or pull took a lead: the rest of its audience, the owner's other tabs (none: no
   * broadcast, the usual single tab) and managers hear of it.
   */
  private async claimed({ lead, mode, otherTabs }: Taken, tabId?: string): Promise<void> {
    const stored = performance.now();
    this.fanout.gone(lead, mode, 'claimed', lead.claimedBy, await this.followUps.membersFor(lead, mode));
    if (otherTabs) this.fanout.mineChanged(lead.claimedBy!, { leadId: lead.id, poolId: lead.poolId, lead }, tabId);
    this.fanout.toManagers(EV.leadClaimed, lead);
    fanoutDuration.observe({ event: 'gone' }, since(stored));
    this.followUps.poolChanged(lead.poolId, mode);
  }

  /** Release by the owning rep (repId) or by a manager (no repId). */
  async release(leadId: string, repId?: string, tabId?: string): Promise<Lead> {
    const result = await this.store.release(leadId, repId ? { repId } : { manager: true });
    if (!result.ok) {
      if (result.code === 'NOT_OWNER' && !repId) throw new ApiError('CONFLICT', 'this lead is not claimed');
      throw refusal(result.code);
    }
    const { lead, previousOwner, mode } = result;
    if (repId) this.fanout.mineChanged(repId, { leadId: lead.id, poolId: lead.poolId }, tabId);
    else this.fanout.revoked(lead, previousOwner, 'released');
    await this.followUps.reopened(
      lead,
      mode,
      repId
        ? { releasedBy: { role: 'rep', repId }, reason: 'rep', previousOwner }
        : { releasedBy: { role: 'manager' }, reason: 'manager', previousOwner },
    );
    this.stranding?.leadOpened(lead);
    return lead;
  }

  async assign(leadId: string, repId: string): Promise<Lead> {
    const result = await this.store.assign(leadId, repId);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', result.what === 'rep' ? 'no such rep' : 'no such lead');
      if (result.code === 'NOT_ELIGIBLE') {
        const lead = await this.store.getLead(leadId);
        throw new ApiError('CONFLICT', `rep ${repId} is not in the pool of this lead${lead ? ` (${lead.poolId})` : ''}`);
      }
      throw new ApiError('CONFLICT', 'this lead is closed or disqualified');
    }
    const { lead, previousOwner, mode } = result;
    if (previousOwner && previousOwner !== repId) this.fanout.revoked(lead, previousOwner, 'reassigned');
    if (!previousOwner) this.fanout.gone(lead, mode, 'assigned', repId, await this.followUps.membersFor(lead, mode));
    this.fanout.assigned(lead);
    this.fanout.toManagers(EV.leadClaimed, lead);
    this.followUps.poolChanged(lead.poolId, mode);
    return lead;
  }

  async outcome(leadId: string, repId: string, outcome: Outcome, note?: string, tabId?: string): Promise<Lead> {
    const result = await this.store.outcome(leadId, repId, outcome, note);
    if (!result.ok) throw refusal(result.code);
    const lead = result.lead;
    this.fanout.mineChanged(repId, { leadId, poolId: lead.poolId, lead }, tabId);
    this.fanout.toManagers(lead.status === 'closed' ? EV.leadClosed : EV.leadUpdated, lead);
    if (lead.status === 'closed') {
      // A closed lead frees a slot under the cap: round-robin may assign the next one.
      const pool = await this.store.getPool(lead.poolId);
      if (pool) this.followUps.poolChanged(pool.id, pool.mode);
    }
    return ownerView(lead);
  }
}
