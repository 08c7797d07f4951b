// The manager's view-model: the live dashboard as signals, replaced by every dashboard:state snapshot,
// updated by live events; changes go through the HTTP API (the answer and the broadcast
// both update the state, idempotently). Every pool is known (`pools`, live from pools:changed
// and stats); one is selected, and its mode, settings, rules and leads are what the
// dashboard's controls show and change.
import { batch, computed, type Signal, signal } from '@preact/signals';
import {
  EV,
  type FeedsChanged,
  type LeadOverdue,
  type LeadReleased,
  type LeadStranded,
  type ModeChanged,
  type PoolsChanged,
  type ReleaseInfo,
  type RepChange,
  type RepPresenceChanged,
  type RepsChanged,
  type RulesChanged,
  type SettingsChanged,
} from '../../../shared/events';
import {
  type AuditEvent,
  type CsvImportResult,
  type DashboardState,
  DEFAULT_POOL,
  type EventPage,
  type Feed,
  type HostedForm,
  type Lead,
  type LeadExplanation,
  type LeadListPage,
  type LiveStats,
  type Mode,
  type Pool,
  type PoolOverview,
  type Rep,
  type ReportSummary,
  type Rule,
  type RulesPreview,
  type Schedule,
  type Settings,
} from '../../../shared/protocol';
import { describeHttpError, type Http, HttpError } from '../lib/http';
import { modeSwitchImpact } from '../lib/modeImpact';
import { type ReportRange, reportQuery } from '../lib/reportRange';
import type { ConnectionState, ManagerSocket } from '../lib/socket';
import { createNotices } from './notices';
import { createRoster, repPools } from './roster';
import { createWebhooksModel } from './webhooksModel';

/** A dashboard alert: a stranded (lead:stranded) or overdue (lead:overdue) lead. */
export interface LeadAlert {
  key: string;
  kind: 'stranded' | 'overdue';
  leadId: string;
  poolId: string;
  text: string;
  at: string;
}
const MAX_LEAD_ALERTS = 20;

type FeedKind = 'created' | 'claimed' | 'released' | 'closed' | 'updated' | 'disqualified';
export interface FeedItem {
  key: string;
  at: string;
  kind: FeedKind;
  lead: Lead;
  /** A release: who released the lead and why (servers before this field send none). */
  release?: ReleaseInfo;
  /** The names of the reps in `release` when it happened (a removed rep's name stays readable). */
  names?: { by?: string; from?: string };
}

/** A rep's link, shown (copyable) until the manager dismisses it: a new rep's, or a new one for a rep. */
export interface RepLink {
  repId: string;
  name: string;
  token: string;
  kind: 'created' | 'rotated';
}

/** A pool as the dashboard shows it: its overview, and when its oldest waiting lead arrived (so its age ticks). */
export type PoolRow = PoolOverview & { oldestAt: number | null };

/** Leads of the selected pool read at once (GET /api/leads?poolId&status&limit). */
const LIST_LIMIT = 1000;

const FEED_MAX = 100;
/** Reps read at once when a snapshot comes without them (GET /api/reps allows up to 1000). */
const REP_PAGE = 1000;
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
  pools?: string[];
  /** null removes it (always on shift). */
  schedule?: Schedule | null;
}

/** A result an inline form shows: ok, or the reason in words. */
export type Result<T = object> = ({ ok: true } & T) | { ok: false; message: string };

/** What the dashboard sends to create or change a hosted form (null removes an optional text). */
export type FormInput = Partial<Omit<HostedForm, 'id' | 'createdAt' | 'url' | 'intro' | 'consentText' | 'redirectUrl'>> & {
  intro?: string | null;
  consentText?: string | null;
  redirectUrl?: string | null;
};

/** A lead's pool (a v1 server sends none: the pool `default`). */
export const poolOf = (l: { poolId?: string }) => l.poolId ?? DEFAULT_POOL;
const path = (id: string) => encodeURIComponent(id);

/** What a pool answer may lack (POST /api/pools answers a Pool): filled until the next pools:changed. */
const asOverview = (p: Pool & Partial<PoolOverview>, was?: PoolOverview): PoolOverview => ({
  rules: [],
  waiting: 0,
  claimed: 0,
  oldestAgeMs: null,
  repsOnline: 0,
  ...was,
  ...p,
});

/** The live figures of each pool (stats.pools) folded into the overviews. */
function withFigures(pools: PoolOverview[], stats: LiveStats | null): PoolOverview[] {
  if (!stats?.pools) return pools;
  return pools.map((p) => {
    const f = stats.pools[p.id];
    return f ? { ...p, waiting: f.open, claimed: f.claimed, oldestAgeMs: f.oldestWaitingMs, repsOnline: f.repsOnline } : p;
  });
}

/** The same overviews, each with the time its oldest waiting lead arrived (figures are ages when received). */
const stamped = (pools: PoolOverview[], at = Date.now()): PoolRow[] =>
  pools.map((p) => ({ ...p, oldestAt: p.oldestAgeMs === null || p.oldestAgeMs === undefined ? null : at - p.oldestAgeMs }));

export function createManagerModel(api: Http, connection: Signal<ConnectionState> = signal('connected')) {
  const loaded = signal(false);
  /** Every pool, in creation order (default first), with its configuration and live figures. */
  const pools = signal<PoolRow[]>([]);
  /** The pool the dashboard shows and changes. */
  const selected = signal<string>(DEFAULT_POOL);
  const pool = computed(() => pools.value.find((p) => p.id === selected.value) ?? pools.value[0] ?? null);
  const poolId = computed(() => pool.value?.id ?? DEFAULT_POOL);
  const mode = computed<Mode | null>(() => pool.value?.mode ?? null);
  const settings = computed<Settings | null>(() => pool.value?.settings ?? null);
  const rules = computed<Rule[]>(() => pool.value?.rules ?? []);
  /** Feed keys (never a key itself); null until loaded. */
  const feeds = signal<Feed[] | null>(null);
  /** Hosted lead forms; null until loaded. */
  const forms = signal<HostedForm[] | null>(null);
  /** Every rep, by id, changed in place by events (roster.ts); `reps` and `poolReps` walk it all, so views page it instead. */
  const roster = createRoster();
  const reps = computed<Rep[]>(() => {
    roster.version.value;
    return roster.list();
  });
  /** Set once the server sends rep:changed: its coalesced whole list (reps:changed) is then only a repeat. */
  let repDeltas = false;
  /** Every lead the dashboard knows of (open ones, recent ones, and those seen live). */
  const leads = signal<Map<string, Lead>>(new Map());
  const feed = signal<FeedItem[]>([]);
  const stats = signal<LiveStats | null>(null);
  const summary = signal<ReportSummary | null>(null);
  /** The reports view's range and pool filter. */
  const reportRange = signal<ReportRange>({ preset: '30d', poolId: '' });
  /** How the saved rules route the selected pool's recent leads (the waiting list's "rule" and "eligible"). */
  const routing = signal<RulesPreview | null>(null);
  const notices = createNotices();
  /** Stranded and overdue leads heard live, newest first, until dismissed (at most MAX_LEAD_ALERTS). */
  const leadAlerts = signal<LeadAlert[]>([]);
  /** Rep links shown until dismissed (a new rep's link, a new link for a rep). */
  const links = signal<RepLink[]>([]);
  /** Per pool: whether its open / claimed list hit the read limit (then the tiles fall back to the server's figures). */
  const truncated = signal<Record<string, { open: boolean; claimed: boolean }>>({});
  /** A counter of lead changes, and when each lead last changed: a list read never overwrites a newer event. */
  let tick = 0;
  const touched = new Map<string, number>();

  const openLeads = computed(() =>
    [...leads.value.values()]
      .filter((l) => l.status === 'open' && poolOf(l) === poolId.value)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
  );
  const claimedLeads = computed(() =>
    [...leads.value.values()]
      .filter((l) => l.status === 'claimed' && poolOf(l) === poolId.value)
      .sort((a, b) => (b.claimedAt ?? '').localeCompare(a.claimedAt ?? '')),
  );
  /**
   * The selected pool's figures, from the lists the dashboard shows, so the tiles always
   * agree with them; a list that hit the read limit falls back to the server's count.
   */
  const figures = computed(() => {
    const open = openLeads.value;
    const claimed = claimedLeads.value;
    const cut = truncated.value[poolId.value];
    const p = pool.value;
    return {
      waiting: cut?.open ? Math.max(open.length, p?.waiting ?? 0) : open.length,
      claimed: cut?.claimed ? Math.max(claimed.length, p?.claimed ?? 0) : claimed.length,
      /** When the oldest waiting lead arrived (its age ticks on screen). */
      oldestAt: open.length ? Date.parse(open[0].createdAt) : null,
    };
  });
  /** Every pool, the selected one with the figures of its lists (the switcher, All pools). */
  const poolRows = computed<PoolRow[]>(() => {
    const f = figures.value;
    const id = poolId.value;
    return pools.value.map((p) => (p.id === id ? { ...p, waiting: f.waiting, claimed: f.claimed, oldestAt: f.oldestAt } : p));
  });
  /** The reps of the selected pool. */
  const poolReps = computed(() => reps.value.filter((r) => repPools(r).includes(poolId.value)));
  const repName = (id: string | undefined) => (id ? (roster.get(id)?.name ?? 'a removed rep') : '');
  const poolName = (id: string) => pools.value.find((p) => p.id === id)?.name ?? id;
  /** " for Sales" when there are several pools, else nothing (the v1 wording). */
  const inPool = (id: string) => (pools.value.length > 1 ? ` for ${poolName(id)}` : '');

  const updatePool = (id: string, fn: (p: PoolRow) => PoolRow) => {
    pools.value = pools.value.map((p) => (p.id === id ? fn(p) : p));
  };
  const upsertPool = (p: Pool & Partial<PoolOverview>) => {
    const was = pools.value.find((x) => x.id === p.id);
    const [row] = stamped([asOverview(p, was)]);
    pools.value = was ? pools.value.map((x) => (x.id === p.id ? row : x)) : [...pools.value, row];
  };
  const upsertFeed = (f: Feed) => {
    const list = feeds.value ?? [];
    feeds.value = list.some((x) => x.id === f.id) ? list.map((x) => (x.id === f.id ? f : x)) : [...list, f];
  };

  /** The rep holding a lead (status claimed), if any. */
  const holder = (l: Lead | undefined) => (l?.status === 'claimed' ? l.claimedBy : undefined);
  /**
   * A rep's open lead count (activeCount) follows the lead events: the rep that held the lead
   * before (as this dashboard knew it, or `heldBy` when the event says) holds one less, the
   * one holding it now one more. The same change heard twice (an answer, then its broadcast)
   * counts once, since the lead is already known as changed.
   */
  const countHolders = (was: Lead | undefined, lead: Lead, heldBy?: string) => {
    const before = was ? holder(was) : heldBy;
    const now = holder(lead);
    if (before === now) return;
    const add = (id: string | undefined, n: number) => {
      const r = roster.get(id);
      if (r) roster.patch(r.id, { activeCount: Math.max(0, (r.activeCount ?? 0) + n) });
    };
    batch(() => {
      add(before, -1);
      add(now, 1);
    });
  };
  const upsert = (lead: Lead, heldBy?: string) => {
    touched.set(lead.id, ++tick);
    countHolders(leads.value.get(lead.id), lead, heldBy);
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
  const pushFeed = (kind: FeedKind, lead: Lead, at: string, release?: ReleaseInfo) => {
    const key = `${lead.id}:${kind}:${at}`;
    if (feed.value.some((f) => f.key === key)) return;
    const known = (id: string | undefined) => roster.get(id)?.name;
    const names = release ? { by: known(release.releasedBy.repId), from: known(release.previousOwner) } : undefined;
    feed.value = [{ key, at, kind, lead, ...(release ? { release, names } : {}) }, ...feed.value].slice(0, FEED_MAX);
  };
  const addLink = (link: RepLink) => {
    links.value = [link, ...links.value.filter((l) => l.repId !== link.repId)];
  };

  /**
   * Reads the open and claimed leads of a pool (the dashboard's snapshot holds at most
   * 500 open leads over all pools and 50 recent ones), so its lists, and the tiles counted
   * from them, are complete. A lead that changed by an event meanwhile keeps that change.
   */
  const loadPoolLeads = async (id: string): Promise<boolean> => {
    const started = tick;
    const q = (status: 'open' | 'claimed') => `/api/leads?poolId=${encodeURIComponent(id)}&status=${status}&limit=${LIST_LIMIT}`;
    let read: [Lead[], Lead[]];
    try {
      const [o, c] = await Promise.all([api.get<{ leads?: Lead[] }>(q('open')), api.get<{ leads?: Lead[] }>(q('claimed'))]);
      if (!Array.isArray(o?.leads) || !Array.isArray(c?.leads)) return false;
      read = [o.leads, c.leads];
    } catch {
      return false;
    }
    const [open, claimed] = read;
    const fresh = (leadId: string) => (touched.get(leadId) ?? 0) <= started;
    const cut = { open: open.length >= LIST_LIMIT, claimed: claimed.length >= LIST_LIMIT };
    batch(() => {
      const next = new Map(leads.value);
      const listed = new Set([...open, ...claimed].map((l) => l.id));
      // What the server no longer lists as open or claimed in this pool is not (unless a newer event says so).
      for (const l of next.values()) {
        if (poolOf(l) !== id || listed.has(l.id) || !fresh(l.id)) continue;
        if ((l.status === 'open' && !cut.open) || (l.status === 'claimed' && !cut.claimed)) next.delete(l.id);
      }
      for (const l of [...open, ...claimed]) if (fresh(l.id)) next.set(l.id, l);
      leads.value = next;
      truncated.value = { ...truncated.value, [id]: cut };
    });
    return true;
  };

  /**
   * A snapshot without its reps (a server that leaves them out for large teams): they are read
   * page by page (GET /api/reps?limit&offset), each page added as it comes.
   */
  let repPagesRead = 0;
  const loadRepPages = async () => {
    const run = ++repPagesRead;
    for (let offset: number | null = 0; offset !== null && run === repPagesRead; ) {
      const page: { reps?: Rep[]; next?: number | null } | undefined = await api
        .get<{ reps: Rep[]; next: number | null }>(`/api/reps?limit=${REP_PAGE}&offset=${offset}`)
        .catch(() => undefined);
      if (!Array.isArray(page?.reps) || run !== repPagesRead) return;
      batch(() => {
        for (const r of page.reps ?? []) if (!roster.get(r.id)) roster.put(r);
      });
      offset = page.next ?? null;
    }
  };

  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      notices.push('error', `${what}: ${describeHttpError(err)}`);
      return undefined;
    }
  };

  const alert = (a: Omit<LeadAlert, 'key' | 'at'>) => {
    const key = `${a.kind}:${a.leadId}`;
    if (leadAlerts.value.some((x) => x.key === key)) return;
    leadAlerts.value = [{ ...a, key, at: new Date().toISOString() }, ...leadAlerts.value].slice(0, MAX_LEAD_ALERTS);
    notices.announce(a.text);
  };

  const model = {
    loaded,
    /** Webhooks and their delivery logs (webhooksModel.ts). */
    webhooks: createWebhooksModel(api, notices),
    pools,
    selected,
    pool,
    poolId,
    mode,
    settings,
    rules,
    feeds,
    forms,
    reps,
    roster,
    poolReps,
    leads,
    feed,
    stats,
    summary,
    reportRange,
    routing,
    notices,
    leadAlerts,
    connection,
    openLeads,
    claimedLeads,
    figures,
    poolRows,
    links,
    repName,
    poolName,
    loadPoolLeads,

    /** Shows and changes `id` from now on (the switcher); its lists are read in full. */
    selectPool(id: string): void {
      if (selected.value === id) return;
      selected.value = id;
      void loadPoolLeads(id);
    },
    /** What switching the selected pool to `next` will do, when it matters (the switch asks first), else null. */
    modeImpact(next: Mode): string | null {
      const p = pool.value;
      if (!p || p.mode === next) return null;
      return modeSwitchImpact(p.mode, next, {
        poolName: pools.value.length > 1 ? p.name : undefined,
        waiting: figures.value.waiting,
        availableReps: roster.counts(p.id).available,
        rules: p.rules.length,
      });
    },

    // ---- socket events ---------------------------------------------------------------
    /** A snapshot replaces everything: never merged with what was shown before. */
    applyDashboard(s: DashboardState): void {
      batch(() => {
        // A server without pools (v1) has one: `default`, the top-level mode, settings and rules.
        const list: PoolOverview[] = s.pools?.length
          ? s.pools
          : [
              asOverview({
                id: DEFAULT_POOL,
                name: 'Default',
                mode: s.mode,
                settings: s.settings,
                rules: s.rules,
                createdAt: '',
                waiting: s.stats.open,
                claimed: s.stats.claimed,
                oldestAgeMs: s.stats.oldestWaitingMs,
                repsOnline: s.stats.repsOnline,
              }),
            ];
        pools.value = stamped(withFigures(list, s.stats));
        repPagesRead++;
        roster.replace(Array.isArray(s.reps) ? s.reps : []);
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
        touched.clear();
        truncated.value = {};
      });
      // The snapshot holds at most 500 open and 50 recent leads: read the shown pool's lists in full.
      void loadPoolLeads(poolId.peek());
      if (!Array.isArray(s.reps)) void loadRepPages();
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
    },
    leadReleased(released: LeadReleased | Lead): void {
      const { releasedBy, reason, previousOwner, ...lead } = released as LeadReleased;
      const release = reason ? { releasedBy, reason, previousOwner } : undefined;
      batch(() => {
        upsert(lead, previousOwner);
        pushFeed('released', lead, new Date().toISOString(), release);
      });
    },
    leadClosed(lead: Lead): void {
      batch(() => {
        // A lead closes from its owner's hands.
        upsert(lead, lead.claimedBy);
        pushFeed('closed', lead, lead.closedAt ?? new Date().toISOString());
      });
    },
    leadUpdated(lead: Lead): void {
      batch(() => {
        upsert(lead);
        if (lead.outcome === 'contacted') pushFeed('updated', lead, new Date().toISOString());
      });
    },
    repPresence({ repId, presence }: RepPresenceChanged): void {
      roster.patch(repId, { presence });
    },
    /** The whole list, coalesced: applied from a server that sends no rep:changed (it carries nothing new otherwise). */
    repsChanged({ reps: next }: RepsChanged): void {
      if (!repDeltas) roster.replace(next);
    },
    /** One rep's change (rep:changed): replaced in place, appended when new, dropped when deleted. */
    repChanged({ repId, rep }: RepChange): void {
      repDeltas = true;
      if (rep) roster.put(rep);
      else roster.remove(repId);
    },
    modeChanged({ mode: m, poolId: id }: ModeChanged): void {
      updatePool(id ?? DEFAULT_POOL, (p) => ({ ...p, mode: m }));
    },
    settingsChanged({ settings: s, poolId: id }: SettingsChanged): void {
      updatePool(id ?? DEFAULT_POOL, (p) => ({ ...p, settings: s }));
    },
    rulesChanged({ rules: r, poolId: id }: RulesChanged): void {
      updatePool(id ?? DEFAULT_POOL, (p) => ({ ...p, rules: r }));
    },
    statsChanged(s: LiveStats): void {
      batch(() => {
        stats.value = s;
        pools.value = stamped(withFigures(pools.value, s));
      });
    },
    poolsChanged({ pools: next }: PoolsChanged): void {
      pools.value = stamped(withFigures(next, stats.value));
    },
    feedsChanged({ feeds: next }: FeedsChanged): void {
      feeds.value = next;
    },

    // ---- actions (HTTP) ------------------------------------------------------------------
    async setMode(m: Mode): Promise<boolean> {
      const id = poolId.value;
      const r = await run('Could not change the mode', () => api.put<{ mode: Mode }>(`/api/pools/${path(id)}/mode`, { mode: m }));
      if (r) {
        updatePool(id, (p) => ({ ...p, mode: r.mode }));
        notices.push('success', `Mode set to ${r.mode}${inPool(id)}`);
      }
      return !!r;
    },
    async patchSettings(patch: Partial<Settings>): Promise<boolean> {
      const id = poolId.value;
      const r = await run('Settings not saved', () => api.patch<{ settings: Settings }>(`/api/pools/${path(id)}/settings`, patch));
      if (r) {
        updatePool(id, (p) => ({ ...p, settings: r.settings }));
        notices.push('success', `Settings saved${inPool(id)}`);
      }
      return !!r;
    },
    async createRep(input: RepInput): Promise<{ rep: Rep; token: string } | undefined> {
      const r = await run('Rep not created', () => api.post<{ rep: Rep; token: string }>('/api/reps', input));
      if (r && !roster.get(r.rep.id)) roster.put(r.rep);
      if (r) addLink({ repId: r.rep.id, name: r.rep.name, token: r.token, kind: 'created' });
      return r;
    },
    /** A new link for a rep: the old one stops working at once and the rep's open pages close. */
    async newRepLink(id: string): Promise<boolean> {
      const name = repName(id);
      const r = await run('No new link', () => api.post<{ rep?: Rep; token: string }>(`/api/reps/${encodeURIComponent(id)}/token`, {}));
      if (r) {
        addLink({ repId: id, name: r.rep?.name ?? name, token: r.token, kind: 'rotated' });
        notices.push('success', `New link for ${r.rep?.name ?? name}: the old one no longer works`);
      }
      return !!r;
    },
    dismissLink(repId: string): void {
      links.value = links.value.filter((l) => l.repId !== repId);
    },
    async updateRep(id: string, patch: RepInput): Promise<boolean> {
      const r = await run('Rep not saved', () => api.patch<{ rep: Rep }>(`/api/reps/${encodeURIComponent(id)}`, patch));
      if (r) {
        roster.put(r.rep);
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
        roster.remove(id);
        links.value = links.value.filter((l) => l.repId !== id);
        notices.push('info', `${name} removed`);
      }
      return !!ok;
    },
    async setRules(next: Rule[]): Promise<{ ok: true } | { ok: false; message: string }> {
      const id = poolId.value;
      try {
        const r = await api.put<{ rules: Rule[] }>(`/api/pools/${path(id)}/rules`, { rules: next });
        updatePool(id, (p) => ({ ...p, rules: r.rules }));
        notices.push('success', `Rules saved${inPool(id)}`);
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

    // ---- pools and feed keys ------------------------------------------------------------
    /** Creates a pool and selects it. */
    async createPool(input: { id: string; name: string; mode?: Mode }): Promise<Result> {
      try {
        const r = await api.post<{ pool: Pool & Partial<PoolOverview> }>('/api/pools', input);
        batch(() => {
          upsertPool(r.pool);
          selected.value = r.pool.id;
        });
        notices.push('success', `Pool ${r.pool.name} created`);
        return { ok: true };
      } catch (err) {
        if (err instanceof HttpError && err.code === 'CONFLICT')
          return { ok: false, message: `A pool with the id “${input.id}” already exists.` };
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async renamePool(id: string, name: string): Promise<Result> {
      try {
        const r = await api.patch<{ pool: Pool & Partial<PoolOverview> }>(`/api/pools/${path(id)}`, { name });
        upsertPool(r.pool);
        notices.push('success', `Pool renamed to ${r.pool.name}`);
        return { ok: true };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    /** Deletes a pool; refused for `default` and for a pool that still holds open or claimed leads. */
    async deletePool(id: string): Promise<Result> {
      const name = poolName(id);
      try {
        await api.del(`/api/pools/${path(id)}`);
        batch(() => {
          pools.value = pools.value.filter((p) => p.id !== id);
          for (const r of roster.list()) if (r.pools?.includes(id)) roster.patch(r.id, { pools: r.pools.filter((p) => p !== id) });
          if (feeds.value) feeds.value = feeds.value.map((f) => ({ ...f, pools: f.pools.filter((p) => p !== id) }));
          if (selected.value === id) selected.value = DEFAULT_POOL;
        });
        notices.push('info', `Pool ${name} deleted`);
        return { ok: true };
      } catch (err) {
        if (err instanceof HttpError && err.code === 'CONFLICT') {
          return {
            ok: false,
            message:
              id === DEFAULT_POOL
                ? 'The pool Default cannot be deleted.'
                : `${name} still holds open or claimed leads: move or close its leads first.`,
          };
        }
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async loadFeeds(): Promise<boolean> {
      const r = await run('Feed keys not loaded', () => api.get<{ feeds: Feed[] }>('/api/feeds'));
      if (r) feeds.value = r.feeds;
      return !!r;
    },
    /** A new feed key: the answer holds the key, shown once. */
    async createFeed(input: { name: string; pools: string[] }): Promise<Result<{ feed: Feed; key: string }>> {
      try {
        const r = await api.post<{ feed: Feed; key: string }>('/api/feeds', input);
        upsertFeed(r.feed);
        notices.push('success', `Feed key ${r.feed.name} created`);
        return { ok: true, ...r };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    /** A new key for a feed (the old one is refused at once): the answer holds it, shown once. */
    async rotateFeed(id: string): Promise<Result<{ feed: Feed; key: string }>> {
      try {
        const r = await api.post<{ feed: Feed; key: string }>(`/api/feeds/${path(id)}/key`, {});
        upsertFeed(r.feed);
        notices.push('success', `New key for ${r.feed.name}: the old one no longer works`);
        return { ok: true, ...r };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async revokeFeed(id: string): Promise<boolean> {
      const name = feeds.value?.find((f) => f.id === id)?.name ?? 'The feed key';
      const ok = await run('Feed key not revoked', async () => {
        await api.del(`/api/feeds/${path(id)}`);
        return true;
      });
      if (ok) {
        feeds.value = (feeds.value ?? []).filter((f) => f.id !== id);
        notices.push('info', `${name} revoked: its key no longer works`);
      }
      return !!ok;
    },
    /** lead:stranded: whenNobodyEligible applied to a lead. */
    leadStranded(s: LeadStranded): void {
      upsert(s.lead);
      const what =
        s.action === 'moved'
          ? `moved to ${poolName(s.toPoolId ?? s.lead.poolId)}`
          : s.action === 'everyone'
            ? 'offered to every available rep'
            : 'waiting for its reps';
      alert({
        kind: 'stranded',
        leadId: s.leadId,
        poolId: s.poolId,
        text: `Nobody available for a lead in ${poolName(s.poolId)}: ${what}`,
      });
    },
    /** lead:overdue: a lead waited past its pool's slaMs. */
    leadOverdue(o: LeadOverdue): void {
      upsert(o.lead);
      alert({
        kind: 'overdue',
        leadId: o.leadId,
        poolId: o.poolId,
        text: `A lead in ${poolName(o.poolId)} is overdue: waiting past the target`,
      });
    },
    dismissAlert(key: string): void {
      leadAlerts.value = leadAlerts.value.filter((a) => a.key !== key);
    },
    async loadForms(): Promise<boolean> {
      const r = await run('Forms not loaded', () => api.get<{ forms: HostedForm[] }>('/api/forms'));
      if (r) forms.value = r.forms;
      return !!r;
    },
    /** A new form (`id` undefined) or a change of one: the saved form, or why not. */
    async saveForm(id: string | undefined, input: FormInput): Promise<Result<{ form: HostedForm }>> {
      try {
        const { form } = id
          ? await api.patch<{ form: HostedForm }>(`/api/forms/${path(id)}`, input)
          : await api.post<{ form: HostedForm }>('/api/forms', input);
        const list = forms.value ?? [];
        forms.value = list.some((f) => f.id === form.id) ? list.map((f) => (f.id === form.id ? form : f)) : [...list, form];
        notices.push('success', `Form ${form.name} ${id ? 'saved' : 'created'}`);
        return { ok: true, form };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async deleteForm(id: string): Promise<boolean> {
      const name = forms.value?.find((f) => f.id === id)?.name ?? 'The form';
      const ok = await run('Form not deleted', async () => {
        await api.del(`/api/forms/${path(id)}`);
        return true;
      });
      if (ok) {
        forms.value = (forms.value ?? []).filter((f) => f.id !== id);
        notices.push('info', `${name} deleted: its page and embeds no longer take leads`);
      }
      return !!ok;
    },
    /** Imports a CSV file of leads into a pool: what became of its rows, or why it was refused. */
    async importCsv(poolId: string, text: string): Promise<Result<{ result: CsvImportResult }>> {
      try {
        const result = await api.post<CsvImportResult>(`/api/pools/${path(poolId)}/leads/import`, new Blob([text], { type: 'text/csv' }));
        notices.push('success', `Import: ${result.created} leads created`);
        return { ok: true, result };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async loadSummary(range: ReportRange = reportRange.value): Promise<boolean> {
      reportRange.value = range;
      const r = await run('Report not loaded', () => api.get<ReportSummary>(`/api/reports/summary${reportQuery(range)}`));
      // an answer for a range since replaced is dropped
      if (r?.leads && reportRange.value === range) summary.value = r;
      return !!r?.leads;
    },
    /** The report of the current range as CSV text (the caller saves it). */
    async reportCsv(): Promise<string | null> {
      const getText = api.getText;
      if (!getText) return null;
      return (await run('CSV not downloaded', () => getText(`/api/reports/summary.csv${reportQuery(reportRange.value)}`))) ?? null;
    },
    /** How `draft` rules would route the selected pool's recent leads (nothing saved). */
    async previewRules(draft: Rule[]): Promise<{ ok: true; preview: RulesPreview } | { ok: false; message: string }> {
      try {
        const preview = await api.post<RulesPreview>(`/api/pools/${path(poolId.value)}/rules/preview`, { rules: draft });
        return { ok: true, preview };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    /** The saved rules' routing of the selected pool's recent leads, for the waiting list (quietly: no notice on failure). */
    async loadRouting(): Promise<void> {
      const id = poolId.value;
      try {
        const preview = await api.post<RulesPreview>(`/api/pools/${path(id)}/rules/preview`, { rules: rules.value });
        if (poolId.value === id) routing.value = preview;
      } catch {
        routing.value = null;
      }
    },

    // ---- the Leads tab: the lead list, a lead's timeline and why it waits (reads on demand) ----
    /** GET /api/leads with the tab's filters (query string without `?`); undefined on an error (noticed). */
    searchLeads(query: string): Promise<LeadListPage | undefined> {
      return run('Leads not loaded', () => api.get<LeadListPage>(`/api/leads?${query}`));
    },
    async leadTimeline(leadId: string): Promise<AuditEvent[] | undefined> {
      const r = await run('Timeline not loaded', () => api.get<EventPage>(`/api/events?leadId=${encodeURIComponent(leadId)}&limit=1000`));
      return r?.events;
    },
    explainLead(leadId: string): Promise<LeadExplanation | undefined> {
      return run('Not explained', () => api.get<LeadExplanation>(`/api/leads/${encodeURIComponent(leadId)}/explain`));
    },
    /** GET /api/reports/leads.csv with the tab's filters: the file's text. */
    leadsCsv(query: string): Promise<string | undefined> {
      return run('Export failed', () => (api.getText ? api.getText(`/api/reports/leads.csv?${query}`) : Promise.resolve('')));
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
  socket.on(EV.repChanged, (change) => model.repChanged(change));
  socket.on(EV.modeChanged, (change) => model.modeChanged(change));
  socket.on(EV.settingsChanged, (change) => model.settingsChanged(change));
  socket.on(EV.rulesChanged, (change) => model.rulesChanged(change));
  socket.on(EV.stats, (stats) => model.statsChanged(stats));
  socket.on(EV.poolsChanged, (change) => model.poolsChanged(change));
  socket.on(EV.feedsChanged, (change) => model.feedsChanged(change));
  socket.on(EV.leadStranded, (s) => model.leadStranded(s));
  socket.on(EV.leadOverdue, (o) => model.leadOverdue(o));
}
