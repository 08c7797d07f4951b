// The manager's view-model: the live dashboard as signals, replaced by every dashboard:state snapshot,
// updated by live events; changes go through the HTTP API (the answer and the broadcast
// both update the state, idempotently).
import { batch, computed, type Signal, signal } from '@preact/signals';
import {
  EV,
  type ModeChanged,
  type RepPresenceChanged,
  type RepsChanged,
  type RulesChanged,
  type SettingsChanged,
} from '../../../shared/events';
import type { DashboardState, Lead, LiveStats, Mode, Rep, ReportSummary, Rule, Settings } from '../../../shared/protocol';
import { describeHttpError, type Http } from '../lib/http';
import type { ConnectionState, ManagerSocket } from '../lib/socket';
import { createNotices } from './notices';

type FeedKind = 'created' | 'claimed' | 'released' | 'closed' | 'updated' | 'disqualified';
export interface FeedItem {
  key: string;
  at: string;
  kind: FeedKind;
  lead: Lead;
}

const FEED_MAX = 100;
const KNOWN_MAX = 2000;

function feedFromLead(lead: Lead): FeedItem {
  const kind: FeedKind =
    lead.status === 'closed'
      ? 'closed'
      : lead.status === 'claimed'
        ? 'claimed'
        : lead.status === 'disqualified'
          ? 'disqualified'
          : 'created';
  const at = (kind === 'closed' ? lead.closedAt : kind === 'claimed' ? lead.claimedAt : undefined) ?? lead.createdAt;
  return { key: `${lead.id}:${kind}:${at}`, at, kind, lead };
}

export interface RepInput {
  name?: string;
  skills?: string[];
  languages?: string[];
  countries?: string[];
  teams?: string[];
  maxActive?: number | null;
  weight?: number;
}

export function createManagerModel(api: Http, connection: Signal<ConnectionState> = signal('connected')) {
  const loaded = signal(false);
  const mode = signal<Mode | null>(null);
  const settings = signal<Settings | null>(null);
  const rules = signal<Rule[]>([]);
  const reps = signal<Rep[]>([]);
  /** Every lead the dashboard knows of (open ones, recent ones, and those seen live). */
  const leads = signal<Map<string, Lead>>(new Map());
  const feed = signal<FeedItem[]>([]);
  const stats = signal<LiveStats | null>(null);
  const summary = signal<ReportSummary | null>(null);
  const notices = createNotices();

  const openLeads = computed(() =>
    [...leads.value.values()].filter((l) => l.status === 'open').sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
  );
  const claimedLeads = computed(() =>
    [...leads.value.values()].filter((l) => l.status === 'claimed').sort((a, b) => (b.claimedAt ?? '').localeCompare(a.claimedAt ?? '')),
  );
  const repName = (id: string | undefined) => (id ? (reps.value.find((r) => r.id === id)?.name ?? 'a removed rep') : '');

  const upsert = (lead: Lead) => {
    const next = new Map(leads.value);
    next.set(lead.id, lead);
    // Long sessions: forget the oldest finished leads (open and claimed ones always stay).
    if (next.size > KNOWN_MAX) {
      const done = [...next.values()].filter((l) => l.status === 'closed' || l.status === 'disqualified');
      done.sort((a, b) => (a.closedAt ?? a.createdAt).localeCompare(b.closedAt ?? b.createdAt));
      for (const l of done.slice(0, next.size - KNOWN_MAX)) next.delete(l.id);
    }
    leads.value = next;
  };
  const pushFeed = (kind: FeedKind, lead: Lead, at: string) => {
    const key = `${lead.id}:${kind}:${at}`;
    if (feed.value.some((f) => f.key === key)) return;
    feed.value = [{ key, at, kind, lead }, ...feed.value].slice(0, FEED_MAX);
  };

  // activeCount changes with every claim: refresh the reps (coalesced) after lead events.
  let repsTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshRepsSoon = () => {
    if (repsTimer) return;
    repsTimer = setTimeout(() => {
      repsTimer = null;
      api.get<{ reps: Rep[] }>('/api/reps').then(
        (r) => (reps.value = r.reps),
        () => {},
      );
    }, 400);
  };

  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      notices.push('error', `${what}: ${describeHttpError(err)}`);
      return undefined;
    }
  };

  const model = {
    loaded,
    mode,
    settings,
    rules,
    reps,
    leads,
    feed,
    stats,
    summary,
    notices,
    connection,
    openLeads,
    claimedLeads,
    repName,

    // ---- socket events ---------------------------------------------------------------
    /** A snapshot replaces everything: never merged with what was shown before. */
    applyDashboard(s: DashboardState): void {
      batch(() => {
        mode.value = s.mode;
        settings.value = s.settings;
        rules.value = s.rules;
        reps.value = s.reps;
        const map = new Map<string, Lead>();
        for (const l of s.recent) map.set(l.id, l);
        for (const l of s.open) map.set(l.id, l);
        leads.value = map;
        feed.value = [...s.recent]
          .map(feedFromLead)
          .sort((a, b) => b.at.localeCompare(a.at))
          .slice(0, FEED_MAX);
        stats.value = s.stats;
        loaded.value = true;
      });
    },
    leadCreated(lead: Lead): void {
      batch(() => {
        upsert(lead);
        pushFeed(lead.status === 'disqualified' ? 'disqualified' : 'created', lead, lead.createdAt);
      });
      if (lead.status === 'open') notices.announce(`New lead: ${lead.company ?? lead.name ?? lead.id}`);
    },
    leadClaimed(lead: Lead): void {
      batch(() => {
        upsert(lead);
        pushFeed('claimed', lead, lead.claimedAt ?? new Date().toISOString());
      });
      refreshRepsSoon();
    },
    leadReleased(lead: Lead): void {
      batch(() => {
        upsert(lead);
        pushFeed('released', lead, new Date().toISOString());
      });
      refreshRepsSoon();
    },
    leadClosed(lead: Lead): void {
      batch(() => {
        upsert(lead);
        pushFeed('closed', lead, lead.closedAt ?? new Date().toISOString());
      });
      refreshRepsSoon();
    },
    leadUpdated(lead: Lead): void {
      batch(() => {
        upsert(lead);
        if (lead.outcome === 'contacted') pushFeed('updated', lead, new Date().toISOString());
      });
    },
    repPresence({ repId, presence }: RepPresenceChanged): void {
      reps.value = reps.value.map((r) => (r.id === repId ? { ...r, presence } : r));
    },
    repsChanged({ reps: next }: RepsChanged): void {
      reps.value = next;
    },
    modeChanged({ mode: m }: ModeChanged): void {
      mode.value = m;
    },
    settingsChanged({ settings: s }: SettingsChanged): void {
      settings.value = s;
    },
    rulesChanged({ rules: r }: RulesChanged): void {
      rules.value = r;
    },
    statsChanged(s: LiveStats): void {
      stats.value = s;
    },

    // ---- actions (HTTP) ------------------------------------------------------------------
    async setMode(m: Mode): Promise<boolean> {
      const r = await run('Could not change the mode', () => api.put<{ mode: Mode }>('/api/pool/mode', { mode: m }));
      if (r) {
        mode.value = r.mode;
        notices.push('success', `Mode set to ${r.mode}`);
      }
      return !!r;
    },
    async patchSettings(patch: Partial<Settings>): Promise<boolean> {
      const r = await run('Settings not saved', () => api.patch<{ settings: Settings }>('/api/pool/settings', patch));
      if (r) {
        settings.value = r.settings;
        notices.push('success', 'Settings saved');
      }
      return !!r;
    },
    async createRep(input: RepInput): Promise<{ rep: Rep; token: string } | undefined> {
      const r = await run('Rep not created', () => api.post<{ rep: Rep; token: string }>('/api/reps', input));
      if (r && !reps.value.some((x) => x.id === r.rep.id)) reps.value = [...reps.value, r.rep];
      return r;
    },
    async updateRep(id: string, patch: RepInput): Promise<boolean> {
      const r = await run('Rep not saved', () => api.patch<{ rep: Rep }>(`/api/reps/${encodeURIComponent(id)}`, patch));
      if (r) {
        reps.value = reps.value.map((x) => (x.id === id ? r.rep : x));
        notices.push('success', `${r.rep.name} saved`);
      }
      return !!r;
    },
    async deleteRep(id: string): Promise<boolean> {
      const name = repName(id);
      const ok = await run('Rep not removed', async () => {
        await api.del(`/api/reps/${encodeURIComponent(id)}`);
        return true;
      });
      if (ok) {
        reps.value = reps.value.filter((x) => x.id !== id);
        notices.push('info', `${name} removed`);
      }
      return !!ok;
    },
    async setRules(next: Rule[]): Promise<{ ok: true } | { ok: false; message: string }> {
      try {
        const r = await api.put<{ rules: Rule[] }>('/api/rules', { rules: next });
        rules.value = r.rules;
        notices.push('success', 'Rules saved');
        return { ok: true };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async assign(leadId: string, repId: string): Promise<boolean> {
      const r = await run('Not assigned', () => api.post<{ lead: Lead }>(`/api/leads/${encodeURIComponent(leadId)}/assign`, { repId }));
      if (r) {
        upsert(r.lead);
        notices.push('success', `Assigned to ${repName(repId)}`);
      }
      return !!r;
    },
    async release(leadId: string): Promise<boolean> {
      const r = await run('Not released', () => api.post<{ lead: Lead }>(`/api/leads/${encodeURIComponent(leadId)}/release`, {}));
      if (r) {
        upsert(r.lead);
        notices.push('info', 'Released back to the pool');
      }
      return !!r;
    },
    async loadSummary(): Promise<boolean> {
      const r = await run('Report not loaded', () => api.get<ReportSummary>('/api/reports/summary'));
      if (r?.leads) summary.value = r;
      return !!r?.leads;
    },
  };
  return model;
}
export type ManagerModel = ReturnType<typeof createManagerModel>;

/** Wires the /manager socket's events into the model. */
export function bindManagerSocket(model: ManagerModel, socket: ManagerSocket): void {
  socket.on(EV.dashboardState, (state) => model.applyDashboard(state));
  socket.on(EV.leadCreated, (lead) => model.leadCreated(lead));
  socket.on(EV.leadClaimed, (lead) => model.leadClaimed(lead));
  socket.on(EV.leadReleased, (lead) => model.leadReleased(lead));
  socket.on(EV.leadClosed, (lead) => model.leadClosed(lead));
  socket.on(EV.leadUpdated, (lead) => model.leadUpdated(lead));
  socket.on(EV.repPresence, (change) => model.repPresence(change));
  socket.on(EV.repsChanged, (change) => model.repsChanged(change));
  socket.on(EV.modeChanged, (change) => model.modeChanged(change));
  socket.on(EV.settingsChanged, (change) => model.settingsChanged(change));
  socket.on(EV.rulesChanged, (change) => model.rulesChanged(change));
  socket.on(EV.stats, (stats) => model.statsChanged(stats));
}
