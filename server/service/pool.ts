// Pool commands: create, rename and delete pools; each pool's mode, settings and hybrid
// rules; routing a pool's waiting leads again when its rules or reps change. Every
// command names its pool (the v1 routes name `default`); an unknown pool is NOT_FOUND.
import { EV } from '../../shared/events.js';
import { DEFAULT_MODE, DEFAULT_SETTINGS, type Mode, type PoolOverview, type Rule, type Settings } from '../../shared/protocol.js';
import type { PoolCreate, SettingsPatch } from '../../shared/schemas.js';
import { openedByStranding } from '../domain/policy.js';
import { repMatchesTarget, route, ruleMatches } from '../domain/routing.js';
import { mergeSettings } from '../domain/settings.js';
import { ApiError, noSuchPool } from '../errors.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store, StoredRep } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import { publicFeed, type ReadModels } from './reads.js';
import type { RoundRobin } from './round-robin.js';
import type { Stranding } from './stranding.js';

export class PoolCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
    private readonly followUps: FollowUps,
    private readonly roundRobin: RoundRobin,
    private readonly stranding?: Stranding,
  ) {}

  // ---- pools ----------------------------------------------------------------------------

  async create(input: PoolCreate): Promise<PoolOverview> {
    await this.checkFallback(input.id, input.settings ?? {});
    const created = await this.store.createPool({
      id: input.id,
      name: input.name,
      mode: input.mode ?? DEFAULT_MODE,
      settings: mergeSettings(structuredClone(DEFAULT_SETTINGS), input.settings ?? {}),
      rules: [],
      createdAt: new Date().toISOString(),
    });
    if (!created) throw new ApiError('CONFLICT', `a pool with id ${input.id} exists`);
    await this.poolsChanged();
    return this.reads.poolOverview(input.id);
  }

  async rename(poolId: string, name: string): Promise<PoolOverview> {
    if (!(await this.store.renamePool(poolId, name))) throw noSuchPool(poolId);
    await this.poolsChanged();
    // Reps in it see the pool's name in their pool:state.
    await this.followUps.refreshReps(poolId);
    return this.reads.poolOverview(poolId);
  }

  /**
   * Deletes a pool that holds no open or claimed lead (never `default`): its reps' tabs
   * leave it (`pool:left`), feeds stop posting into it; its closed leads stay as history.
   */
  async delete(poolId: string): Promise<void> {
    // A pool some other pool falls back to stays (its leads would have nowhere to go).
    const dependents = (await this.store.listPools()).filter((p) => p.id !== poolId && fallbackOf(p.settings) === poolId);
    if (dependents.length) {
      throw new ApiError(
        'CONFLICT',
        `pool ${poolId} is the fallback (whenNobodyEligible) of ${dependents.map((p) => p.id).join(', ')}: change that first`,
      );
    }
    const feedsBefore = await this.store.listFeeds();
    const result = await this.store.deletePool(poolId);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw noSuchPool(poolId);
      throw new ApiError(
        'CONFLICT',
        poolId === 'default'
          ? 'the pool default cannot be deleted'
          : `pool ${poolId} holds open or claimed leads: close or move them first`,
      );
    }
    for (const repId of result.repIds) this.fanout.leavePools(repId, [poolId]);
    await this.poolsChanged();
    if (result.repIds.length) this.fanout.toManagers(EV.repsChanged, { reps: await this.reads.listReps() });
    if (feedsBefore.some((f) => f.pools.includes(poolId))) {
      this.fanout.toManagers(EV.feedsChanged, { feeds: (await this.store.listFeeds()).map(publicFeed) });
    }
    this.followUps.countsChanged();
  }

  private async poolsChanged(): Promise<void> {
    this.fanout.toManagers(EV.poolsChanged, { pools: await this.reads.poolOverviews() });
  }

  // ---- one pool's configuration -----------------------------------------------------------

  async setMode(poolId: string, mode: Mode): Promise<Mode> {
    const result = await this.store.setMode(poolId, mode);
    if (!result) throw noSuchPool(poolId);
    if (result.previous !== mode) {
      this.fanout.modeChanged(poolId, mode);
      await this.followUps.refreshReps(poolId);
      await this.poolsChanged();
      await this.roundRobin.distribute(poolId);
      this.stranding?.poolsChanged([poolId]);
    }
    return mode;
  }

  async patchSettings(poolId: string, patch: SettingsPatch): Promise<Settings> {
    await this.checkFallback(poolId, patch);
    const settings = await this.store.patchSettings(poolId, patch);
    if (!settings) throw noSuchPool(poolId);
    this.fanout.toManagers(EV.settingsChanged, { poolId, settings });
    // Teaser fields and caps show on reps' screens: send them a fresh snapshot.
    await this.followUps.refreshReps(poolId);
    await this.roundRobin.distribute(poolId);
    if (patch.whenNobodyEligible !== undefined) this.stranding?.poolsChanged([poolId]);
    return settings;
  }

  /** whenNobodyEligible `{ pool }` names another pool that exists (422 otherwise). */
  private async checkFallback(poolId: string, settings: Pick<SettingsPatch, 'whenNobodyEligible'>): Promise<void> {
    const fallback = fallbackOf(settings);
    if (!fallback) return;
    if (fallback === poolId) throw new ApiError('INVALID', 'whenNobodyEligible: a pool cannot fall back to itself');
    if (!(await this.store.getPool(fallback))) throw new ApiError('INVALID', `whenNobodyEligible: no pool ${fallback}`);
  }

  async setRules(poolId: string, rules: Rule[]): Promise<Rule[]> {
    if (!(await this.store.setRules(poolId, rules))) throw noSuchPool(poolId);
    this.fanout.toManagers(EV.rulesChanged, { poolId, rules });
    await this.reroute(poolId);
    return rules;
  }

  /**
   * A pool's rules or reps changed: route its open (not escalated) leads again over the
   * reps in it, so a new rule or a rep's new skill applies to leads already waiting. In
   * hybrid mode, when any lead's audience changed, every online rep of the pool gets a
   * fresh pool:state.
   */
  async reroute(poolId: string): Promise<void> {
    const [pool, reps, open] = await Promise.all([this.store.getPool(poolId), this.store.listReps(), this.store.openLeads(poolId)]);
    if (!pool) return;
    const members = reps.filter((r) => r.pools.includes(poolId));
    const changes = open
      .filter((lead) => !lead.escalatedAt && !openedByStranding(lead))
      .map((lead) => ({ lead, eligible: route(lead, pool.rules, members).eligible }))
      .filter(({ lead, eligible }) => JSON.stringify(lead.eligible ?? '*') !== JSON.stringify(eligible))
      .map(({ lead, eligible }) => ({ leadId: lead.id, eligible }));
    if (changes.length === 0) return;
    const changed = await this.store.reroute(poolId, changes);
    if (changed.length && pool.mode === 'hybrid') {
      await this.followUps.refreshReps(poolId);
      this.stranding?.poolsChanged([poolId]);
    }
  }

  /**
   * One rep was created, changed or removed (`before`/`after` null when it was not / is no
   * longer there): as `reroute`, over only the waiting leads whose deciding rule targets
   * that rep before or after the change; no rules, nothing to route (every lead is `*`).
   * Only the reps those leads are routed to are read, not the team: under its deciding rule
   * a lead's reps are those of its list that still meet the rule (in the pool), and the rep
   * if it meets it now; `*` under a rule means nobody met it. A lead whenNobodyEligible
   * opened (its `*` says nothing of who meets the rule) is routed over every rep of the pool.
   */
  async rerouteForRep(poolId: string, before: StoredRep | null, after: StoredRep | null): Promise<void> {
    const pool = await this.store.getPool(poolId);
    if (!pool || pool.rules.length === 0) return;
    const inPool: StoredRep[] = [];
    for (const rep of [before, after]) if (rep?.pools.includes(poolId)) inPool.push(rep);
    if (inPool.length === 0) return;
    const affected = (await this.store.openLeads(poolId)).flatMap((lead) => {
      if (lead.escalatedAt) return [];
      const rule = pool.rules.find((r) => ruleMatches(r, lead));
      return rule !== undefined && inPool.some((rep) => repMatchesTarget(rule.to, rep)) ? [{ lead, rule }] : [];
    });
    if (affected.length === 0) return;
    const repId = inPool[0].id;
    const now = after?.pools.includes(poolId) ? after : null;
    const listed = new Set<string>();
    for (const { lead } of affected) if (Array.isArray(lead.eligible)) for (const id of lead.eligible) if (id !== repId) listed.add(id);
    const [read, allReps] = await Promise.all([
      Promise.all([...listed].map((id) => this.store.getRep(id))),
      affected.some(({ lead }) => lead.stranded) ? this.store.listReps() : null,
    ]);
    const members = new Map<string, StoredRep>();
    for (const rep of read) if (rep?.pools.includes(poolId)) members.set(rep.id, rep);
    const changes = affected
      .map(({ lead, rule }) => {
        if (lead.stranded && allReps)
          return {
            lead,
            eligible: route(
              lead,
              pool.rules,
              allReps.filter((r) => r.pools.includes(poolId)),
            ).eligible,
          };
        const meets = (id: string) => {
          const rep = id === repId ? now : members.get(id);
          return rep ? repMatchesTarget(rule.to, rep) : false;
        };
        const list = Array.isArray(lead.eligible) ? lead.eligible.filter(meets) : [];
        if (now && !list.includes(repId) && meets(repId)) list.push(repId);
        return { lead, eligible: list.length ? list : ('*' as const) };
      })
      .filter(({ lead, eligible }) => JSON.stringify(lead.eligible ?? '*') !== JSON.stringify(eligible))
      .map(({ lead, eligible }) => ({ leadId: lead.id, eligible }));
    if (changes.length === 0) return;
    const changed = new Set(await this.store.reroute(poolId, changes));
    if (changed.size === 0 || pool.mode !== 'hybrid') return;
    // Fresh snapshots for the reps that gained or lost a lead; every online rep of the pool when a lead was or is everyone's.
    const touched = new Set<string>();
    let everyone = false;
    const nextOf = new Map(changes.map((c) => [c.leadId, c.eligible]));
    for (const { lead } of affected) {
      const next = nextOf.get(lead.id);
      if (next === undefined || !changed.has(lead.id)) continue;
      for (const list of [lead.eligible ?? '*', next]) {
        if (list === '*') everyone = true;
        else for (const id of list) touched.add(id);
      }
    }
    await this.followUps.refreshReps(poolId, everyone ? undefined : [...touched]);
  }
}

/** The pool a pool's settings fall back to (whenNobodyEligible `{ pool }`), if any. */
function fallbackOf(settings: Pick<SettingsPatch, 'whenNobodyEligible'>): string | null {
  const w = settings.whenNobodyEligible;
  return typeof w === 'object' ? w.pool : null;
}
