// Rep commands: create, update, delete. Managers get the new list of reps; waiting leads
// are routed again; a removed rep's tabs close and its leads go back to the pool.
import { randomUUID } from 'node:crypto';
import { EV } from '../../shared/events.js';
import type { Rep } from '../../shared/protocol.js';
import type { RepCreate, RepPatch } from '../../shared/schemas.js';
import { hashToken, newToken } from '../auth.js';
import { ApiError } from '../errors.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store, StoredRep } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { PoolCommands } from './pool.js';
import { publicRep, type ReadModels } from './reads.js';
import type { RoundRobin } from './round-robin.js';

export class RepCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
    private readonly pool: PoolCommands,
    private readonly followUps: FollowUps,
    private readonly roundRobin: RoundRobin,
  ) {}

  async create(input: RepCreate): Promise<{ rep: Rep; token: string }> {
    const token = newToken('r');
    const stored: StoredRep = {
      id: `rep_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      skills: input.skills ?? [],
      languages: input.languages ?? [],
      countries: input.countries ?? [],
      teams: input.teams ?? [],
      maxActive: input.maxActive ?? null,
      weight: input.weight ?? 1,
      createdAt: new Date().toISOString(),
      tokenHash: hashToken(token),
      away: false,
    };
    await this.store.createRep(stored);
    const rep = publicRep(stored, 'offline', 0);
    await this.repsChanged();
    await this.pool.reroute();
    return { rep, token };
  }

  async update(repId: string, patch: RepPatch): Promise<Rep> {
    const updated = await this.store.updateRep(repId, patch);
    if (!updated) throw new ApiError('NOT_FOUND', 'no such rep');
    const rep = await this.reads.getRep(repId);
    await this.repsChanged();
    await this.pool.reroute();
    // Its cap or (through rerouting) its eligibility may have changed.
    const state = await this.reads.poolStateFor(repId);
    if (state) this.fanout.poolState(repId, state);
    await this.roundRobin.distribute();
    return rep;
  }

  async delete(repId: string): Promise<void> {
    const removed = await this.store.deleteRep(repId);
    if (!removed) throw new ApiError('NOT_FOUND', 'no such rep');
    this.fanout.disconnectRep(repId);
    const { mode } = await this.store.getPool();
    for (const lead of removed.released) await this.followUps.reopened(lead, mode);
    await this.repsChanged();
  }

  private async repsChanged(): Promise<void> {
    this.fanout.toManagers(EV.repsChanged, { reps: await this.reads.listReps() });
  }
}
