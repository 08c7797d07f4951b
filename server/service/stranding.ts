// No lead stranded: when no available rep may take an open lead, its pool's
// whenNobodyEligible applies at once (docs/API.md, "No lead stranded"). This part finds the
// candidates from a snapshot (cheap reads); the store decides and applies atomically and
// once per lead (Store.strand), so two processes looking at the same lead act once.
// Checked when a lead opens (arrival, release, timeout, reclaim), when a rep becomes
// unavailable (the leads of its pools), and when a pool's mode, settings or routing change.
import { EV } from '../../shared/events.js';
import type { Lead, Presence } from '../../shared/protocol.js';
import { isAvailable, isStranded, mayStrand } from '../domain/policy.js';
import type { Fanout } from '../realtime/fanout.js';
import type { PoolRecord, Store, StrandEvent } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { Logger } from './logger.js';

/**
 * A rep whose last tab closed is checked for this long before its leads count as stranded:
 * a page reload (tab gone, tab back within a second or two) must not open its hybrid leads
 * to everyone. Away is deliberate and counts at once.
 */
export const OFFLINE_GRACE_MS = 2000;

export class Stranding {
  private running = new Map<string, Promise<void>>();
  private again = new Set<string>();
  /** Per pool: its grace timer, and when the latest rep of it that went offline meanwhile is due. */
  private graceTimers = new Map<string, { timer: NodeJS.Timeout; latestDue: number }>();

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly followUps: FollowUps,
    private readonly log: Logger,
  ) {}

  /** A lead is open (new or back in its pool): checked after the caller's answer. `pool`: its pool when the caller has it. */
  leadOpened(lead: Lead, pool?: PoolRecord): void {
    if (pool && !mayStrand(lead, pool.mode, pool.settings.whenNobodyEligible)) return;
    this.checkLead(lead).catch((err) => this.log.error('stranding check failed', err));
  }

  /** A rep became unavailable: the waiting leads of its pools (after OFFLINE_GRACE_MS when it went offline). */
  repUnavailable(poolIds: readonly string[], presence: Presence): void {
    if (presence !== 'offline') {
      this.poolsChanged(poolIds);
      return;
    }
    // One timer per pool however many of its reps go offline (a whole team's tabs closing
    // at once): it checks the pool when the first grace ends, then again when the latest
    // one that went offline meanwhile ends, so each is checked after its own grace.
    for (const poolId of new Set(poolIds)) this.afterGrace(poolId, Date.now() + OFFLINE_GRACE_MS);
  }

  private afterGrace(poolId: string, due: number): void {
    const pending = this.graceTimers.get(poolId);
    if (pending) {
      pending.latestDue = Math.max(pending.latestDue, due);
      return;
    }
    const timer = setTimeout(
      () => {
        const { latestDue } = this.graceTimers.get(poolId)!;
        this.graceTimers.delete(poolId);
        this.poolsChanged([poolId]);
        if (latestDue > due) this.afterGrace(poolId, latestDue);
      },
      Math.max(0, due - Date.now()),
    );
    timer.unref();
    this.graceTimers.set(poolId, { timer, latestDue: due });
  }

  stop(): void {
    for (const { timer } of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  /** Reps became unavailable, or a pool's mode, settings or routing changed: these pools' open leads, coalesced per pool. */
  poolsChanged(poolIds: readonly string[]): void {
    for (const poolId of new Set(poolIds)) this.checkPool(poolId).catch((err) => this.log.error('stranding check failed', err));
  }

  async checkLead(lead: Lead): Promise<void> {
    const pool = await this.store.getPool(lead.poolId);
    if (!pool || !mayStrand(lead, pool.mode, pool.settings.whenNobodyEligible)) return;
    const narrowed = pool.mode === 'hybrid' && Array.isArray(lead.eligible);
    const presence = await this.store.onlinePresence();
    const available = Object.keys(presence).filter((id) => isAvailable(presence[id]));
    // The usual case, settled without reading every rep: an available rep may take it.
    if (narrowed && (lead.eligible as string[]).some((id) => available.includes(id))) return;
    if (!narrowed) {
      for (const id of available) if ((await this.store.getRep(id))?.pools.includes(pool.id)) return;
    }
    const members = (await this.store.listReps()).filter((r) => r.pools.includes(pool.id)).map((r) => r.id);
    await this.told(await this.store.strand(pool.id, [lead.id], members));
  }

  /** One pass over a pool (a call while it runs asks for one more pass instead). */
  checkPool(poolId: string): Promise<void> {
    const running = this.running.get(poolId);
    if (running) {
      this.again.add(poolId);
      return running;
    }
    const pass = (async () => {
      try {
        do {
          this.again.delete(poolId);
          await this.passOver(poolId);
        } while (this.again.has(poolId));
      } finally {
        this.running.delete(poolId);
        this.again.delete(poolId);
      }
    })();
    this.running.set(poolId, pass);
    return pass;
  }

  private async passOver(poolId: string): Promise<void> {
    const pool = await this.store.getPool(poolId);
    if (!pool) return;
    const policy = pool.settings.whenNobodyEligible;
    if (pool.mode !== 'hybrid' && typeof policy !== 'object') return;
    const [reps, presence, open] = await Promise.all([this.store.listReps(), this.store.onlinePresence(), this.store.openLeads(poolId)]);
    const members = reps.filter((r) => r.pools.includes(poolId));
    const stranded = open.filter((lead) => isStranded(lead, pool.mode, policy, members, (id) => presence[id] ?? 'offline'));
    if (stranded.length === 0) return;
    await this.told(
      await this.store.strand(
        poolId,
        stranded.map((l) => l.id),
        members.map((r) => r.id),
      ),
    );
  }

  /** Managers hear of each stranded lead; reps see it widened, or moved to its new pool. */
  private async told(events: StrandEvent[]): Promise<void> {
    for (const e of events) {
      const { lead } = e;
      this.fanout.toManagers(EV.leadStranded, {
        leadId: lead.id,
        poolId: e.fromPoolId,
        action: e.action,
        ...(e.action === 'moved' ? { toPoolId: lead.poolId } : {}),
        lead,
      });
      this.fanout.toManagers(EV.leadUpdated, lead);
      if (e.action === 'everyone' && Array.isArray(e.previousEligible)) {
        // Like an escalation: those routed to it were offered it already.
        if (e.mode === 'hybrid') await this.followUps.offer(lead, e.mode, e.previousEligible);
      } else if (e.action === 'moved') {
        const before: Lead = { ...lead, poolId: e.fromPoolId, eligible: e.previousEligible };
        this.fanout.gone(before, e.fromMode, 'withdrawn', undefined, await this.followUps.membersFor(before, e.fromMode));
        await this.followUps.offer(lead, e.mode);
        this.followUps.poolChanged(e.fromPoolId, e.fromMode);
        this.followUps.poolChanged(lead.poolId, e.mode);
      }
    }
  }
}
