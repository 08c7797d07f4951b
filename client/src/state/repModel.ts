// A rep's view-model: its live state as signals, and the actions a rep can take. The
// socket is bound in bindRepSocket; components receive the model, so they render without
// a socket in tests.
//
// A rep sees each of its pools on its own (one pool:state per pool, each with its mode,
// its offered leads and its waiting count); the leads it holds are one list over every
// pool (My leads), each carrying its poolId.
import { batch, computed, effect, type Signal, signal } from '@preact/signals';
import {
  EV,
  type LeadGone,
  type LeadRevoked,
  type MineChanged,
  type ModeChanged,
  type PoolLeft,
  type PoolWaiting,
  type RepClientToServer,
} from '../../../shared/events';
import {
  type Ack,
  CLOSING_OUTCOMES,
  DEFAULT_POOL,
  type ErrorCode,
  LEAD_OFFERING_MODES,
  type Lead,
  type LeadView,
  type Mode,
  type Outcome,
  type PoolState,
  type PresenceStatus,
  type Rep,
  type RevokedReason,
} from '../../../shared/protocol';
import type { AlertKind } from '../lib/alerts';
import { errorMessage, leadSummary } from '../lib/format';
import type { ConnectionState, Emitter, RepSocket } from '../lib/socket';
import { createNotices } from './notices';

/** A lead reached the rep: what the alert (sound, notification, title counter) says. */
export interface Arrival {
  kind: AlertKind;
  poolId: string;
  title: string;
  body: string;
  /** Notifications with the same tag replace each other (one per lead). */
  tag: string;
}

export interface RepModelOptions {
  /** A lead reached the rep: offered to it, waiting in a blind-pull pool, or assigned to it. */
  onArrival?(arrival: Arrival): void;
  /** The rep's closed leads of the last RECENT_DAYS days, newest first (GET /api/me/leads). */
  loadRecent?(): Promise<Lead[]>;
  /** How long Won, Lost and Unreachable wait before they are sent; Undo cancels meanwhile. */
  outcomeGraceMs?: number;
  /** Where the newest/oldest-first choice is kept (tests pass none). */
  storage?: Storage | null;
}

/** A closing outcome waiting out its grace period (or its connection) before it is sent. */
export interface PendingOutcome {
  outcome: Outcome;
  note?: string;
  /** Epoch ms when it is sent. */
  dueAt: number;
  /** `waiting`: counting down; `queued`: due but offline, sent on reconnect; `sending`: asked, no answer yet. */
  state: 'waiting' | 'queued' | 'sending';
}

export type LeadOrder = 'newest' | 'oldest';

/** One pool of the rep, as its latest pool:state and the live events since. */
export interface RepPoolView {
  id: string;
  name: string;
  mode: Mode;
  /** Offered leads, oldest first (empty in the modes that offer none). */
  leads: LeadView[];
  waiting: number;
  /** Epoch ms when the oldest waiting lead was created (so its age can tick). */
  oldestAt: number | null;
  /** The cap that applies to this rep in this pool. */
  maxActive: number;
  /** A claimed lead goes back to the pool this long after its claim unless an outcome is recorded (null = never). */
  claimTimeoutMs: number | null;
  /** Epoch ms of the last live mode switch (the section says so for a minute). */
  modeChangedAt?: number;
}

/** What My leads counts against: one cap (one pool, or the rep's own cap over all pools) or one per pool. */
export interface CapCount {
  /** The pool's name when there is one cap per pool. */
  label?: string;
  held: number;
  max: number;
}

export const OUTCOME_LABEL: Record<Outcome, string> = { contacted: 'Contacted', won: 'Won', lost: 'Lost', unreachable: 'Unreachable' };

const OUTCOME_DONE: Record<Outcome, string> = {
  contacted: 'Marked as contacted',
  won: 'Marked as won — nice work',
  lost: 'Marked as lost',
  unreachable: 'Marked as unreachable',
};

const REVOKED: Record<RevokedReason, string> = {
  expired: 'was returned to the pool (claim timed out)',
  released: 'was taken back by a manager',
  reassigned: 'was reassigned to another rep',
  removed: 'was taken back',
  offline: 'went back to the pool while you were away',
};

/** A failed claim with one of these codes means the lead is not in this rep's pool any more. */
const GONE_ON_CLAIM: readonly ErrorCode[] = ['ALREADY_CLAIMED', 'NOT_OPEN', 'NOT_FOUND', 'NOT_ELIGIBLE'];

/** What a rep reads when its pool switches mode live. */
const MODE_NOTICE: Record<Mode, string> = {
  'shark-tank': 'Shark tank: every new lead is offered to everyone, the first to claim it gets it.',
  'cherry-pick': 'Cherry-pick: pick any open lead from the table.',
  'blind-pull': 'Blind pull: pull the next lead; its details show once it is yours.',
  hybrid: 'Hybrid: you see the leads your team’s rules route to you.',
  'round-robin': 'Round-robin: leads are assigned to you in turn, nothing to claim.',
};

/** Won, Lost and Unreachable are sent this long after the click; Undo cancels them meanwhile. */
export const OUTCOME_GRACE_MS = 5000;
/** Recent shows the rep's closed leads of this many days. */
export const RECENT_DAYS = 7;
/** A lead counts as new this long after it arrived (its badge fades then). */
export const NEW_FOR_MS = 60_000;
const ORDER_KEY = 'leadpool.order';

/** After a (re)connect, pools without a fresh pool:state within this time are gone (the rep left them meanwhile). */
export const SYNC_SETTLE_MS = 2000;

// ISO times in UTC sort as strings; plain comparison is far cheaper than localeCompare on long pools.
const byCreated = (a: { createdAt: string }, b: { createdAt: string }) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
/** `leads` (oldest first) with `view` added: appended when it is the newest (the usual case), else sorted in. */
const withLead = (leads: LeadView[], view: LeadView) =>
  !leads.length || leads[leads.length - 1].createdAt <= view.createdAt ? [...leads, view] : [...leads, view].sort(byCreated);
const byClaimedDesc = (a: Lead, b: Lead) => (b.claimedAt ?? b.createdAt).localeCompare(a.claimedAt ?? a.createdAt);
/** A lead's pool (a v1 server sends none: the pool `default`). */
const poolOf = (l: { poolId?: string }) => l.poolId ?? DEFAULT_POOL;
const ageToAt = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Date.now() - ms);

function readOrder(storage: Storage | null): Record<string, LeadOrder> {
  try {
    const raw = storage?.getItem(ORDER_KEY);
    const parsed = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v === 'newest' || v === 'oldest')) as Record<string, LeadOrder>;
  } catch {
    return {};
  }
}

const byClosedDesc = (a: Lead, b: Lead) => (b.closedAt ?? '').localeCompare(a.closedAt ?? '');
const defaultStorage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

export function createRepModel(
  emitter: Emitter<RepClientToServer>,
  connection: Signal<ConnectionState> = signal('connected'),
  options: RepModelOptions = {},
) {
  const graceMs = options.outcomeGraceMs ?? OUTCOME_GRACE_MS;
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const loaded = signal(false);
  const you = signal<Rep | null>(null);
  /** The rep's pools, in the order of `you.pools`. */
  const pools = signal<RepPoolView[]>([]);
  /** The leads this rep holds in every pool (pool:state.mine on the wire), newest claim first. */
  const held = signal<Lead[]>([]);
  const pending = signal<ReadonlySet<string>>(new Set());
  const busy = signal<ReadonlySet<string>>(new Set());
  const notices = createNotices();
  /** Closing outcomes in their grace period, by lead id. */
  const closing = signal<ReadonlyMap<string, PendingOutcome>>(new Map());
  const closingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The note typed on each held lead, sent with its next outcome. */
  const notes = signal<ReadonlyMap<string, string>>(new Map());
  /** The rep's closed leads of the last days, newest first; null until loaded (or when the server has no such read). */
  const recent = signal<Lead[] | null>(null);
  const recentState = signal<'idle' | 'loading' | 'loaded' | 'failed'>('idle');
  /** Newest or oldest first, per pool. */
  const order = signal<Record<string, LeadOrder>>(readOrder(storage));
  /** Leads the rep is looking at or working on (pointer over, focus inside): a race for them is the rep's race. */
  const engaged = new Set<string>();
  /** Names of every pool seen, kept after leaving one (its held leads still name it). */
  const names = new Map<string, string>();
  /** Pools not yet confirmed by a pool:state since the last (re)connect. */
  let unconfirmed: Set<string> | null = null;

  const live = computed(() => connection.value === 'connected' && loaded.value);
  /** The mode when the rep has exactly one pool (the header shows it), else null. */
  const mode = computed(() => (pools.value.length === 1 ? pools.value[0].mode : null));
  /** Pool names appear on cards and sections unless the rep sees just the pool `default` (the v1 look). */
  const showPoolNames = computed(() => pools.value.length > 1 || (pools.value.length === 1 && pools.value[0].id !== DEFAULT_POOL));
  const noPools = computed(() => loaded.value && pools.value.length === 0);
  const caps = computed<CapCount[]>(() => {
    const list = pools.value;
    const own = you.value?.maxActive;
    if (own !== null && own !== undefined) return [{ held: held.value.length, max: own }];
    if (list.length <= 1) return list.length ? [{ held: held.value.length, max: list[0].maxActive }] : [];
    return list.map((p) => ({ label: p.name, held: held.value.filter((l) => poolOf(l) === p.id).length, max: p.maxActive }));
  });

  const setIn = (s: Signal<ReadonlySet<string>>, id: string, on: boolean) => {
    const next = new Set(s.value);
    if (on) next.add(id);
    else next.delete(id);
    s.value = next;
  };
  const setMap = <V>(s: Signal<ReadonlyMap<string, V>>, id: string, value: V | undefined) => {
    const next = new Map(s.value);
    if (value === undefined) next.delete(id);
    else next.set(id, value);
    s.value = next;
  };
  const order_ = (list: RepPoolView[]) => {
    const wanted = you.value?.pools ?? [];
    const rank = (id: string) => (wanted.includes(id) ? wanted.indexOf(id) : wanted.length);
    return [...list].sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name));
  };
  const poolById = (id: string) => pools.value.find((p) => p.id === id);
  const updatePool = (id: string, fn: (p: RepPoolView) => RepPoolView) => {
    pools.value = pools.value.map((p) => (p.id === id ? fn(p) : p));
  };
  /** Removes an offered lead from its pool (any pool when `poolId` is not given or wrong). */
  const removeLead = (leadId: string, poolId?: string): { lead: LeadView; pool: RepPoolView } | undefined => {
    const holding = (p: RepPoolView | undefined) => (p?.leads.some((l) => l.id === leadId) ? p : undefined);
    const pool = holding(poolId === undefined ? undefined : poolById(poolId)) ?? pools.value.find((p) => holding(p));
    const lead = pool?.leads.find((l) => l.id === leadId);
    if (!pool || !lead) return undefined;
    updatePool(pool.id, (p) => ({ ...p, leads: p.leads.filter((l) => l.id !== leadId), waiting: Math.max(0, p.waiting - 1) }));
    return { lead, pool };
  };
  const addHeld = (lead: Lead) => {
    held.value = [...held.value.filter((l) => l.id !== lead.id), lead].sort(byClaimedDesc);
  };
  /** A held lead is no longer the rep's: its pending outcome and its note go with it. */
  const dropHeld = (leadId: string) => {
    held.value = held.value.filter((l) => l.id !== leadId);
    cancelClosing(leadId);
    if (notes.value.has(leadId)) setMap(notes, leadId, undefined);
  };
  const cancelClosing = (leadId: string) => {
    const timer = closingTimers.get(leadId);
    if (timer) clearTimeout(timer);
    closingTimers.delete(leadId);
    if (closing.value.has(leadId)) setMap(closing, leadId, undefined);
  };
  const addRecent = (lead: Lead) => {
    if (lead.status !== 'closed') return;
    recent.value = [lead, ...(recent.value ?? []).filter((l) => l.id !== lead.id)].sort(byClosedDesc);
  };
  const fail = (ack: Ack & { ok: false }) => notices.push('error', errorMessage(ack.error));
  /** " in Sales" when pool names are shown, else nothing (the v1 wording). */
  const inPool = (poolId: string) => (showPoolNames.value ? ` in ${poolName(poolId)}` : '');
  const poolName = (poolId: string) => poolById(poolId)?.name ?? names.get(poolId) ?? poolId;
  const arrive = (kind: Arrival['kind'], poolId: string, title: string, body: string, tag: string) =>
    options.onArrival?.({ kind, poolId, title, body, tag });
  const nameOf = (lead: Partial<Lead>) => lead.name ?? lead.company ?? leadSummary(lead);

  /** A pool's mode changed live (mode:changed, or a snapshot with another mode): say so, not only in the header. */
  const switched = (pool: RepPoolView) => {
    const text = `${showPoolNames.value ? pool.name : 'The pool'} switched to ${MODE_NOTICE[pool.mode]}`;
    notices.push('info', text);
    notices.announce(text);
  };

  /** Sends a pending closing outcome now (its grace period is over, or the page is closing). */
  const sendClosing = async (leadId: string): Promise<void> => {
    const entry = closing.value.get(leadId);
    const timer = closingTimers.get(leadId);
    if (timer) clearTimeout(timer);
    closingTimers.delete(leadId);
    if (!entry || entry.state === 'sending') return;
    if (connection.peek() !== 'connected') {
      // Offline at the due time: sent as soon as the connection is back (Undo still works until then).
      setMap(closing, leadId, { ...entry, state: 'queued' });
      return;
    }
    setMap(closing, leadId, { ...entry, state: 'sending' });
    const ok = await model.outcome(leadId, entry.outcome, entry.note);
    if (closing.value.get(leadId)?.state === 'sending') setMap(closing, leadId, undefined);
    if (!ok) notices.announce(`${OUTCOME_LABEL[entry.outcome]} was not recorded; the lead stays under My leads.`);
  };
  // Queued outcomes go out when the connection comes back.
  effect(() => {
    if (connection.value !== 'connected') return;
    for (const [id, entry] of closing.peek()) if (entry.state === 'queued') void sendClosing(id);
  });

  const model = {
    loaded,
    you,
    pools,
    held,
    pending,
    busy,
    connection,
    live,
    mode,
    showPoolNames,
    noPools,
    caps,
    notices,
    closing,
    notes,
    recent,
    recentState,
    order,
    graceMs,
    /** Whether this server can list the rep's recent leads. */
    hasRecent: !!options.loadRecent,
    poolName,
    /** The pending key of a pull in `poolId`. */
    pullKey: (poolId: string) => `*pull:${poolId}`,
    /** The claim timeout of a pool (null: none, or the pool is not shown). */
    claimTimeoutOf: (poolId: string) => poolById(poolId)?.claimTimeoutMs ?? null,
    /** Newest or oldest first in a pool: the rep's choice, else shark-tank's newest and the tables' longest-waiting first. */
    orderOf: (poolId: string): LeadOrder => order.value[poolId] ?? (poolById(poolId)?.mode === 'shark-tank' ? 'newest' : 'oldest'),

    // ---- server events ------------------------------------------------------------
    /** One pool's snapshot replaces that pool and its held leads (connect, reconnect, mode change, join): never merged. */
    applyPoolState(s: PoolState): void {
      const id = s.poolId ?? DEFAULT_POOL;
      const name = s.poolName ?? names.get(id) ?? id;
      const was = poolById(id);
      const joined = loaded.value && !was && !unconfirmed;
      names.set(id, name);
      unconfirmed?.delete(id);
      const next: RepPoolView = {
        id,
        name,
        mode: s.mode,
        leads: [...s.leads].sort(byCreated),
        waiting: s.waiting,
        oldestAt: ageToAt(s.oldestAgeMs),
        maxActive: s.maxActive,
        // A server before this field sends none: no countdown then.
        claimTimeoutMs: s.claimTimeoutMs ?? null,
        ...(was && was.mode !== s.mode ? { modeChangedAt: Date.now() } : was?.modeChangedAt ? { modeChangedAt: was.modeChangedAt } : {}),
      };
      // `mine` may list this pool's leads or every pool's: either way it is the truth for them.
      const fresh = new Set(s.mine.map((l) => l.id));
      const gone = held.value.filter((l) => poolOf(l) === id && !fresh.has(l.id));
      batch(() => {
        you.value = s.you;
        pools.value = order_([...pools.value.filter((p) => p.id !== id), next]);
        held.value = [...held.value.filter((l) => poolOf(l) !== id && !fresh.has(l.id)), ...s.mine].sort(byClaimedDesc);
        for (const l of gone) cancelClosing(l.id);
        loaded.value = true;
      });
      if (was && was.mode !== s.mode) switched(next);
      // Leads taken back while this tab was disconnected (e.g. reclaimAfterOfflineMs): the snapshot no longer lists them.
      if (was && gone.length) {
        const what = gone.length === 1 ? (gone[0].company ?? gone[0].name ?? 'A lead you held') : `${gone.length} leads you held`;
        notices.push('info', `${what} went back to the pool while you were away`);
      }
      if (joined) {
        notices.push('info', `You now get leads from ${name}`);
        notices.announce(`You were added to the pool ${name}`);
      }
    },
    /** The socket (re)connected: the pool:state snapshots follow, one per pool of the rep. */
    syncStarted(): void {
      unconfirmed = new Set(pools.value.map((p) => p.id));
    },
    /** Some time after a (re)connect: pools that sent no snapshot are no longer the rep's; no snapshot at all = no pools. */
    syncSettled(): void {
      const stale = unconfirmed;
      unconfirmed = null;
      batch(() => {
        if (stale?.size) pools.value = pools.value.filter((p) => !stale.has(p.id));
        loaded.value = true;
      });
    },
    poolLeft({ poolId }: PoolLeft): void {
      const pool = poolById(poolId);
      if (!pool) return;
      batch(() => {
        pools.value = pools.value.filter((p) => p.id !== poolId);
        if (you.value) you.value = { ...you.value, pools: you.value.pools.filter((p) => p !== poolId) };
      });
      notices.push('info', `You no longer get leads from ${pool.name}`);
      notices.announce(`You were removed from the pool ${pool.name}`);
    },
    offered(view: LeadView): void {
      if (held.value.some((l) => l.id === view.id)) return;
      const pool = poolById(poolOf(view));
      // A pool this tab does not show yet: its pool:state (which lists the lead) is on the way.
      if (!pool) return;
      const known = pool.leads.some((l) => l.id === view.id);
      updatePool(pool.id, (p) => ({
        ...p,
        leads: known ? p.leads.map((l) => (l.id === view.id ? view : l)) : withLead(p.leads, view),
        waiting: known ? p.waiting : p.waiting + 1,
      }));
      if (known) return;
      notices.announce(`New lead${inPool(pool.id)}: ${leadSummary(view)}`);
      arrive('offer', pool.id, showPoolNames.value ? `New lead in ${pool.name}` : 'New lead in the pool', leadSummary(view), view.id);
    },
    /**
     * A lead left the pool. "Taken by another rep" only when this rep was in the race: it
     * clicked Claim on it, or was looking at it (pointer over it, focus on it). Anyone
     * else's list just loses the lead quietly.
     */
    gone({ leadId, poolId, reason }: LeadGone): void {
      const inRace = pending.value.has(leadId) || engaged.has(leadId);
      const removed = removeLead(leadId, poolId);
      engaged.delete(leadId);
      if (inRace && (reason === 'claimed' || reason === 'assigned')) {
        notices.push('info', 'Taken by another rep');
        notices.announce(`Taken by another rep: ${removed ? leadSummary(removed.lead) : 'a lead'}`);
      }
    },
    waitingChanged(w: PoolWaiting): void {
      const id = w.poolId ?? DEFAULT_POOL;
      const pool = poolById(id);
      if (!pool) return;
      updatePool(id, (p) => ({ ...p, waiting: w.waiting, oldestAt: ageToAt(w.oldestAgeMs) }));
      // Blind-pull shows no lead, only its count: more waiting means a lead reached the rep.
      if (pool.mode === 'blind-pull' && w.waiting > pool.waiting) {
        const text = `${w.waiting} ${w.waiting === 1 ? 'lead' : 'leads'} waiting${inPool(id)}: pull the next one`;
        notices.announce(text);
        arrive('offer', id, showPoolNames.value ? `New lead in ${pool.name}` : 'New lead waiting', text, `waiting:${id}`);
      }
    },
    assigned(lead: Lead): void {
      batch(() => {
        removeLead(lead.id, poolOf(lead));
        addHeld(lead);
      });
      const text = `Lead assigned to you${inPool(poolOf(lead))}: ${nameOf(lead)}`;
      notices.push('success', text);
      notices.announce(text);
      arrive(
        'assigned',
        poolOf(lead),
        'Lead assigned to you',
        [nameOf(lead), showPoolNames.value ? poolName(poolOf(lead)) : ''].filter(Boolean).join(' · '),
        lead.id,
      );
    },
    /** Another tab of this rep claimed, pulled, released or closed a lead: mirror it quietly. */
    mineChanged({ leadId, poolId, lead }: MineChanged): void {
      batch(() => {
        removeLead(leadId, poolId);
        if (lead && lead.status === 'claimed') addHeld(lead);
        else dropHeld(leadId);
        if (lead?.status === 'closed') addRecent(lead);
      });
    },
    revoked({ leadId, reason }: LeadRevoked): void {
      const lead = held.value.find((l) => l.id === leadId);
      if (!lead) return;
      dropHeld(leadId);
      notices.push('info', `${lead.name ?? lead.company ?? 'A lead'} ${REVOKED[reason] ?? 'was taken back'}`);
    },
    modeChanged({ mode: next, poolId }: ModeChanged): void {
      const id = poolId ?? DEFAULT_POOL;
      const pool = poolById(id);
      if (!pool || pool.mode === next) return;
      // Modes that show nothing per lead drop every detail at once (pool:state follows).
      updatePool(id, (p) => ({ ...p, mode: next, leads: LEAD_OFFERING_MODES.includes(next) ? p.leads : [], modeChangedAt: Date.now() }));
      switched({ ...pool, mode: next });
    },

    // ---- what the rep is looking at -------------------------------------------------
    /** The rep's pointer or focus is on this lead (on) or left it (off). */
    engage(leadId: string, on: boolean): void {
      if (on) engaged.add(leadId);
      else engaged.delete(leadId);
    },
    setOrder(poolId: string, next: LeadOrder): void {
      order.value = { ...order.value, [poolId]: next };
      try {
        storage?.setItem(ORDER_KEY, JSON.stringify(order.value));
      } catch {
        /* kept for this page only */
      }
    },
    setNote(leadId: string, text: string): void {
      setMap(notes, leadId, text ? text : undefined);
    },

    // ---- actions --------------------------------------------------------------------
    async claim(leadId: string): Promise<boolean> {
      if (pending.value.has(leadId)) return false;
      setIn(pending, leadId, true);
      const ack = await emitter.request(EV.claim, { leadId });
      setIn(pending, leadId, false);
      if (ack.ok) {
        batch(() => {
          removeLead(leadId, poolOf(ack.lead));
          addHeld(ack.lead);
        });
        notices.push('success', `Claimed: ${ack.lead.name ?? ack.lead.company ?? 'lead'} is yours`);
        notices.announce(`Claimed. ${ack.lead.name ?? 'The lead'} is now under My leads.`);
        return true;
      }
      if (GONE_ON_CLAIM.includes(ack.error.code)) removeLead(leadId);
      fail(ack);
      return false;
    },
    /** Pulls the oldest lead this rep may take in `poolId`. */
    async pull(poolId: string): Promise<boolean> {
      const key = model.pullKey(poolId);
      if (pending.value.has(key)) return false;
      setIn(pending, key, true);
      const ack = await emitter.request(EV.pull, { poolId });
      setIn(pending, key, false);
      if (ack.ok) {
        addHeld(ack.lead);
        notices.push('success', `Pulled: ${ack.lead.name ?? ack.lead.company ?? 'lead'} is yours`);
        notices.announce(`Pulled a lead${inPool(poolOf(ack.lead))}. ${ack.lead.name ?? 'It'} is now under My leads.`);
        return true;
      }
      fail(ack);
      return false;
    },
    async release(leadId: string): Promise<boolean> {
      setIn(busy, leadId, true);
      const ack = await emitter.request(EV.release, { leadId });
      setIn(busy, leadId, false);
      if (ack.ok || ack.error.code === 'NOT_OWNER') {
        dropHeld(leadId);
        if (ack.ok) notices.push('info', 'Released back to the pool');
      }
      if (!ack.ok) fail(ack);
      return ack.ok;
    },
    /** Records an outcome now (with `note`, else the note typed on the lead). */
    async outcome(leadId: string, outcome: Outcome, note: string | undefined = notes.peek().get(leadId)): Promise<boolean> {
      const text = note?.trim() ? note.trim() : undefined;
      setIn(busy, leadId, true);
      const ack = await emitter.request(EV.outcome, text ? { leadId, outcome, note: text } : { leadId, outcome });
      setIn(busy, leadId, false);
      if (!ack.ok) {
        if (ack.error.code === 'NOT_OWNER') dropHeld(leadId);
        fail(ack);
        return false;
      }
      batch(() => {
        if (ack.lead.status === 'claimed') held.value = held.value.map((l) => (l.id === leadId ? ack.lead : l));
        else dropHeld(leadId);
        addRecent(ack.lead);
        if ((notes.value.get(leadId)?.trim() || undefined) === text) setMap(notes, leadId, undefined);
      });
      notices.push('success', OUTCOME_DONE[outcome]);
      return true;
    },
    /**
     * The rep clicked an outcome. Contacted is sent at once (the lead stays); Won, Lost and
     * Unreachable close the lead, so they wait `graceMs` first: Undo cancels them meanwhile,
     * nothing reaches the server until then.
     */
    chooseOutcome(leadId: string, outcome: Outcome): void {
      if (closing.value.has(leadId)) return;
      const note = notes.value.get(leadId)?.trim() || undefined;
      if (!CLOSING_OUTCOMES.includes(outcome) || graceMs <= 0) {
        void model.outcome(leadId, outcome, note);
        return;
      }
      setMap(closing, leadId, { outcome, ...(note ? { note } : {}), dueAt: Date.now() + graceMs, state: 'waiting' });
      closingTimers.set(
        leadId,
        setTimeout(() => void sendClosing(leadId), graceMs),
      );
      notices.announce(`${OUTCOME_LABEL[outcome]} in ${Math.round(graceMs / 1000)} seconds. Undo is available until then.`);
    },
    /** Cancels a closing outcome that was not sent yet; false when it is already on its way. */
    undoOutcome(leadId: string): boolean {
      const entry = closing.value.get(leadId);
      if (!entry || entry.state === 'sending') return false;
      cancelClosing(leadId);
      notices.announce(`Undone: ${OUTCOME_LABEL[entry.outcome]} was not recorded.`);
      return true;
    },
    /** Sends every closing outcome now (the page is being closed: nothing the rep chose is lost). */
    flushOutcomes(): void {
      for (const id of [...closing.peek().keys()]) void sendClosing(id);
    },
    /** Loads Recent (the rep's closed leads of the last days). */
    async loadRecent(): Promise<boolean> {
      if (!options.loadRecent) return false;
      recentState.value = 'loading';
      try {
        const list = await options.loadRecent();
        const since = Date.now() - RECENT_DAYS * 86_400_000;
        batch(() => {
          recent.value = list.filter((l) => l.status === 'closed' && Date.parse(l.closedAt ?? '') >= since).sort(byClosedDesc);
          recentState.value = 'loaded';
        });
        return true;
      } catch {
        recentState.value = 'failed';
        return false;
      }
    },
    async setPresence(status: PresenceStatus): Promise<boolean> {
      const ack = await emitter.request(EV.presenceSet, { status });
      if (!ack.ok) {
        fail(ack);
        return false;
      }
      if (you.value) you.value = { ...you.value, presence: status };
      notices.announce(status === 'away' ? 'You are away' : 'You are available');
      return true;
    },
  };
  return model;
}
export type RepModel = ReturnType<typeof createRepModel>;

/** Wires the /rep socket's events into the model. */
export function bindRepSocket(model: RepModel, socket: RepSocket, settleMs = SYNC_SETTLE_MS): () => void {
  let settle: ReturnType<typeof setTimeout> | null = null;
  const onConnect = () => {
    model.syncStarted();
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => {
      settle = null;
      model.syncSettled();
    }, settleMs);
  };
  socket.on('connect', onConnect);
  socket.on(EV.poolState, (state) => model.applyPoolState(state));
  socket.on(EV.poolLeft, (left) => model.poolLeft(left));
  socket.on(EV.leadOffered, (view) => model.offered(view));
  socket.on(EV.leadGone, (gone) => model.gone(gone));
  socket.on(EV.poolWaiting, (summary) => model.waitingChanged(summary));
  socket.on(EV.leadAssigned, (lead) => model.assigned(lead));
  socket.on(EV.leadRevoked, (revoked) => model.revoked(revoked));
  socket.on(EV.modeChanged, (change) => model.modeChanged(change));
  socket.on(EV.mineChanged, (change) => model.mineChanged(change));
  return () => {
    if (settle) clearTimeout(settle);
  };
}
