// Rep commands: create, update, a new token, delete. Managers get the change (rep:changed)
// at once and the whole list (reps:changed) at most once a second while a dashboard is open,
// so onboarding a large team is not quadratic; only the waiting leads the rep can affect are routed again; a
// rep whose pools change has its tabs (on every process) join and leave those pools' rooms
// at once; a removed rep's tabs close and its leads go back to their pools.
import { randomUUID } from 'node:crypto';
import { EV } from '../../shared/events.js';
import { DEFAULT_POOL, type Rep } from '../../shared/protocol.js';
import type { RepCreate, RepPatch } from '../../shared/schemas.js';
import { hashToken, newToken } from '../auth.js';
import { ApiError } from '../errors.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store, StoredRep } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { PoolCommands } from './pool.js';
import { publicRep, type ReadModels } from './reads.js';
import type { RoundRobin } from './round-robin.js';
import type { ShiftKeeper } from './shifts.js';

/** reps:changed (the whole list) goes out at most this often per process. */
const FULL_LIST_EVERY_MS = 1000;

export class RepCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
    private readonly pool: PoolCommands,
    private readonly followUps: FollowUps,
    private readonly roundRobin: RoundRobin,
    private readonly shifts?: ShiftKeeper,
  ) {}

  async create(input: RepCreate): Promise<{ rep: Rep; token: string }> {
    if (input.pools) await this.checkPools(input.pools);
    const token = newToken('r');
    const stored: StoredRep = {
      id: `rep_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      skills: input.skills ?? [],
      languages: input.languages ?? [],
      countries: input.countries ?? [],
      teams: input.teams ?? [],
      pools: input.pools ?? [DEFAULT_POOL],
      maxActive: input.maxActive ?? null,
      weight: input.weight ?? 1,
      createdAt: new Date().toISOString(),
      tokenHash: hashToken(token),
      away: false,
      ...(input.schedule ? { schedule: input.schedule } : {}),
    };
    await this.store.createRep(stored);
    await this.shifts?.syncRep(stored.id);
    // The store drops a pool deleted meanwhile: answer what it kept.
    const kept = (await this.store.getRep(stored.id)) ?? stored;
    const rep = publicRep(kept, 'offline', 0);
    this.repChanged(rep.id, rep);
    for (const poolId of rep.pools) await this.pool.rerouteForRep(poolId, null, kept);
    return { rep, token };
  }

  async update(repId: string, patch: RepPatch): Promise<Rep> {
    if (patch.pools) await this.checkPools(patch.pools);
    const before = await this.store.getRep(repId);
    if (!before) throw new ApiError('NOT_FOUND', 'no such rep');
    const updated = await this.store.updateRep(repId, patch);
    if (!updated) throw new ApiError('NOT_FOUND', 'no such rep');
    // A new schedule: the rep's presence follows it at once.
    if (patch.schedule !== undefined) await this.shifts?.syncRep(repId);
    const left = before.pools.filter((p) => !updated.pools.includes(p));
    const joined = updated.pools.filter((p) => !before.pools.includes(p));
    // Tabs leave first, so nothing of a pool it left reaches the rep after its pool:left.
    this.fanout.leavePools(repId, left);
    this.fanout.joinPools(repId, joined);
    const rep = await this.reads.getRep(repId);
    this.repChanged(repId, rep);
    // Its routing fields or its membership changed: the waiting leads of every pool it was or is in.
    for (const poolId of new Set([...before.pools, ...updated.pools])) await this.pool.rerouteForRep(poolId, before, updated);
    // Its cap, eligibility or pools may have changed: a fresh pool:state for each of its pools.
    await this.fanout.refreshSnapshots({ repId });
    await this.roundRobin.distributeAll(updated.pools);
    return rep;
  }

  /**
   * A new link for the rep: a new token, the old one refused from now on, and every tab
   * still open with the old one (on every process) closed; they then fail to reconnect
   * with `unauthorized`. The new token is answered once.
   */
  async rotateToken(repId: string): Promise<{ rep: Rep; token: string }> {
    const token = newToken('r');
    if (!(await this.store.setRepToken(repId, hashToken(token)))) throw new ApiError('NOT_FOUND', 'no such rep');
    this.fanout.disconnectRep(repId);
    return { rep: await this.reads.getRep(repId), token };
  }

  async delete(repId: string): Promise<void> {
    const removed = await this.store.deleteRep(repId);
    if (!removed) throw new ApiError('NOT_FOUND', 'no such rep');
    this.fanout.disconnectRep(repId);
    const modes = new Map((await this.store.listPools()).map((p) => [p.id, p.mode]));
    for (const lead of removed.released) {
      const mode = modes.get(lead.poolId);
      if (mode)
        await this.followUps.reopened(lead, mode, { releasedBy: { role: 'manager' }, reason: 'removed', previousOwner: removed.rep.id });
    }
    this.repChanged(repId, null);
  }

  /** Every id in `pools` must name a pool: else 422 INVALID naming the unknown ones. */
  private async checkPools(pools: string[]): Promise<void> {
    const known = new Set((await this.store.listPools()).map((p) => p.id));
    const unknown = pools.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
    if (unknown.length === 0) return;
    throw new ApiError(
      'INVALID',
      `no such pool: ${unknown.map(({ id }) => id).join(', ')}`,
      unknown.map(({ id, i }) => ({ path: `pools.${i}`, message: `no such pool: ${id}` })),
    );
  }

  private fullListAt = 0;
  private fullListTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * The change to managers now; the whole list (v1's reps:changed) now if none went out in
   * the last second, else once at the end of that second with every change in it.
   */
  private repChanged(repId: string, rep: Rep | null): void {
    this.fanout.toManagers(EV.repChanged, { repId, rep });
    if (this.fullListTimer) return;
    const wait = Math.max(0, this.fullListAt + FULL_LIST_EVERY_MS - Date.now());
    this.fullListTimer = setTimeout(() => {
      this.fullListAt = Date.now();
      this.fullListTimer = null;
      // Read only while a dashboard is open somewhere: the whole list costs the whole team.
      // A failure (store gone, shutting down) loses only this list: the next change sends another.
      if (!this.fanout.managersAnywhere()) return;
      this.reads
        .listReps()
        .then((reps) => this.fanout.toManagers(EV.repsChanged, { reps }))
        .catch(() => {});
    }, wait);
    this.fullListTimer.unref?.();
  }
}
