// Changes that happened although their caller was told otherwise. The Redis store answers
// StoreOutcomeUnknownError when Redis stopped answering while a change was in flight and
// could not be asked in time (the client got STORE_UNAVAILABLE with
// `details: { outcome: 'unknown' }`); it goes on finding out, and when the change did
// happen it reports it (RedisStore.onLateOutcome). Nobody was told of that change: the
// fan-out after a store call runs only on success. This puts the clients right.
//
// Rather than replay events built from a reply that may be stale by now (the lead may
// have been released or closed since), it sends what is true now: a fresh pool:state to
// every online rep of the pools the change touched (a claimed lead leaves the others'
// lists and appears in its owner's My leads; a new or reopened lead appears), a fresh
// pool:state to each rep it named, its tabs disconnected when it no longer exists, and a
// fresh dashboard:state and feed list to managers; then the pool's usual follow-ups
// (stats, blind-pull counts, round-robin). Reports arriving together (Redis back after an
// outage) are handled in one pass.
//
// What it cannot tell: a pool deleted late leaves its (empty: only pools without open or
// claimed leads are deleted) section on its reps' open tabs until they reload.
import { EV } from '../../shared/events.js';
import { storeLateOutcomes } from '../metrics.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { Logger } from './logger.js';
import type { ReadModels } from './reads.js';

/** What a change's reply names: pools, leads, reps (and whether a rep record, i.e. its pools, came with it). */
export interface Touched {
  pools: Set<string>;
  leads: Set<string>;
  reps: Set<string>;
  /** Reps whose record (with its pools) is in the reply: their membership may have changed. */
  repRecords: Set<string>;
}

const emptyTouched = (): Touched => ({ pools: new Set(), leads: new Set(), reps: new Set(), repRecords: new Set() });

/** Walks a store result (decoded when possible) for the ids it names. */
export function touchedBy(result: unknown, into: Touched = emptyTouched()): Touched {
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 6) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.poolId === 'string' && o.poolId) into.pools.add(o.poolId);
    if (typeof o.poolId === 'string' && typeof o.status === 'string' && typeof o.id === 'string') into.leads.add(o.id);
    if (typeof o.tokenHash === 'string' && typeof o.id === 'string') {
      into.reps.add(o.id);
      into.repRecords.add(o.id);
    }
    for (const key of ['claimedBy', 'previousOwner', 'repId']) {
      if (typeof o[key] === 'string' && o[key]) into.reps.add(o[key] as string);
    }
    if (Array.isArray(o.repIds)) for (const id of o.repIds) if (typeof id === 'string') into.reps.add(id);
    for (const value of Object.values(o)) walk(value, depth + 1);
  };
  walk(result, 0);
  return into;
}

/**
 * Results that say nothing changed, decoded: the background passes that found nothing to do
 * (runDue without events, sweepPresence without changes, autoAssign null) and presence
 * calls that left the presence as it was.
 */
export function changedNothing(result: unknown): boolean {
  if (result === null) return true;
  if (Array.isArray(result)) return result.length === 0;
  if (typeof result !== 'object') return false;
  const r = result as Record<string, unknown>;
  if (Array.isArray(r.events) && typeof r.popped === 'number') return r.events.length === 0;
  if (Array.isArray(r.changes) && Array.isArray(r.reps)) return r.changes.length === 0; // sweepPresence
  if (typeof r.before === 'string' && typeof r.after === 'string' && Object.keys(r).length <= 3) return r.before === r.after;
  return false;
}

/** How long reports are gathered before one resync pass. */
const GATHER_MS = 50;
/** How long a resync waits for the cluster's broadcast connections to be back (its events reach other processes through them). */
const READY_WAIT_MS = 30_000;

export class LateOutcomes {
  private pending: { ops: string[]; touched: Touched; everyPool: boolean } | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
    private readonly followUps: FollowUps,
    private readonly log: Logger,
    /** Whether broadcasts reach every process now (Redis adapter connections ready). */
    private readonly ready: () => boolean = () => true,
  ) {}

  /** The change `op` happened; `result` is what the store would have answered (decoded when possible). */
  happened(op: string, result: unknown): void {
    if (changedNothing(result)) return; // e.g. a timers pass that found nothing due
    const touched = touchedBy(result);
    storeLateOutcomes.inc({ op });
    this.log.error(`a change answered "outcome unknown" did happen: ${op}; resyncing the clients it concerns`, undefined, {
      op,
      pools: [...touched.pools],
      leads: [...touched.leads].slice(0, 50),
      reps: [...touched.reps].slice(0, 50),
    });
    if (this.stopped) return; // shutting down: said, not resynced (the clients reconnect and read it all)
    if (!this.pending) {
      this.pending = { ops: [], touched: emptyTouched(), everyPool: false };
      setTimeout(() => {
        const batch = this.pending!;
        this.pending = null;
        if (this.stopped) return;
        this.running = this.running
          .then(() => this.resync(batch.touched, batch.everyPool))
          .catch((err) => this.log.error(`resync after late outcomes (${batch.ops.join(', ')}) failed`, err));
      }, GATHER_MS).unref();
    }
    const p = this.pending;
    p.ops.push(op);
    for (const k of ['pools', 'leads', 'reps', 'repRecords'] as const) for (const id of touched[k]) p.touched[k].add(id);
    // A change that names no pool (a pool's mode, settings, rules; presence): every pool.
    if (touched.pools.size === 0) p.everyPool = true;
  }

  /** The process is stopping: late reports are still logged, but no resync starts. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once every resync started so far is done (tests). */
  async settled(): Promise<void> {
    while (this.pending) await new Promise((r) => setTimeout(r, GATHER_MS));
    await this.running;
  }

  private async resync(touched: Touched, everyPool: boolean): Promise<void> {
    // Redis just came back to the store; the adapter's connections may lag a moment, and a
    // broadcast sent before they are ready would reach this process's clients only.
    for (const until = Date.now() + READY_WAIT_MS; !this.ready() && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const pools = await this.store.listPools();
    const poolIds = pools.map((p) => p.id);
    for (const repId of touched.reps) {
      const rep = await this.store.getRep(repId);
      if (!rep) {
        this.fanout.disconnectRep(repId); // deleted: its token no longer works, its tabs go
        continue;
      }
      if (touched.repRecords.has(repId)) {
        this.fanout.leavePools(
          repId,
          poolIds.filter((id) => !rep.pools.includes(id)),
        );
        this.fanout.joinPools(repId, rep.pools);
      }
      await this.fanout.refreshSnapshots({ repId });
    }
    for (const pool of pools) {
      if (!everyPool && !touched.pools.has(pool.id)) continue;
      await this.followUps.refreshReps(pool.id);
      this.followUps.poolChanged(pool.id, pool.mode);
    }
    await this.fanout.refreshSnapshots({ dashboards: true });
    this.fanout.toManagers(EV.feedsChanged, { feeds: await this.reads.listFeeds() });
  }
}
