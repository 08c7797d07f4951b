// Pool configuration commands: mode, settings, hybrid rules, and routing the waiting
// leads again when rules or reps change.
import { EV } from '../../shared/events.js';
import type { Mode, Rule, Settings } from '../../shared/protocol.js';
import type { SettingsPatch } from '../../shared/schemas.js';
import { route } from '../domain/routing.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store } from '../store/types.js';
import type { FollowUps } from './follow-ups.js';
import type { RoundRobin } from './round-robin.js';

export class PoolCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly followUps: FollowUps,
    private readonly roundRobin: RoundRobin,
  ) {}

  async setMode(mode: Mode): Promise<Mode> {
    const { previous } = await this.store.setMode(mode);
    if (previous !== mode) {
      this.fanout.modeChanged(mode);
      await this.followUps.refreshReps();
      await this.roundRobin.distribute();
    }
    return mode;
  }

  async patchSettings(patch: SettingsPatch): Promise<Settings> {
    const settings = await this.store.patchSettings(patch);
    this.fanout.toManagers(EV.settingsChanged, { settings });
    // Teaser fields and caps show on reps' screens: send them a fresh snapshot.
    await this.followUps.refreshReps();
    await this.roundRobin.distribute();
    return settings;
  }

  async setRules(rules: Rule[]): Promise<Rule[]> {
    await this.store.setRules(rules);
    this.fanout.toManagers(EV.rulesChanged, { rules });
    await this.reroute();
    return rules;
  }

  /**
   * Rules or reps changed: route the open (not escalated) leads again, so a new rule or a
   * rep's new skill applies to leads already waiting. In hybrid mode, when any lead's
   * audience changed, every online rep gets a fresh pool:state.
   */
  async reroute(): Promise<void> {
    const [pool, reps, open] = await Promise.all([this.store.getPool(), this.store.listReps(), this.store.openLeads()]);
    const changes = open
      .filter((lead) => !lead.escalatedAt)
      .map((lead) => ({ lead, eligible: route(lead, pool.rules, reps).eligible }))
      .filter(({ lead, eligible }) => JSON.stringify(lead.eligible ?? '*') !== JSON.stringify(eligible))
      .map(({ lead, eligible }) => ({ leadId: lead.id, eligible }));
    if (changes.length === 0) return;
    const changed = await this.store.reroute(changes);
    if (changed.length && pool.mode === 'hybrid') await this.followUps.refreshReps();
  }
}
