// A rep's view-model: its live state as signals, and the actions a rep can take. The
// socket is bound in bindRepSocket; components receive the model, so they render without
// a socket in tests.
//
// A rep sees each of its pools on its own (one pool:state per pool, each with its mode,
// its offered leads and its waiting count); the leads it holds are one list over every
// pool (My leads), each carrying its poolId.
import { batch, computed, type Signal, signal } from '@preact/signals';
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
import { errorMessage, leadSummary } from '../lib/format';
import type { ConnectionState, Emitter, RepSocket } from '../lib/socket';
import { createNotices } from './notices';

interface RepHooks {
  /** A new lead was offered (sound, notification); `mode` is its pool's. */
  onOffered?(lead: LeadView, mode: Mode): void;
}

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
}

/** What My leads counts against: one cap (one pool, or the rep's own cap over all pools) or one per pool. */
export interface CapCount {
  /** The pool's name when there is one cap per pool. */
  label?: string;
  held: number;
  max: number;
}

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
};

/** A failed claim with one of these codes means the lead is not in this rep's pool any more. */
const GONE_ON_CLAIM: readonly ErrorCode[] = ['ALREADY_CLAIMED', 'NOT_OPEN', 'NOT_FOUND', 'NOT_ELIGIBLE'];

/** After a (re)connect, pools without a fresh pool:state within this time are gone (the rep left them meanwhile). */
export const SYNC_SETTLE_MS = 2000;

const byCreated = (a: { createdAt: string }, b: { createdAt: string }) => a.createdAt.localeCompare(b.createdAt);
const byClaimedDesc = (a: Lead, b: Lead) => (b.claimedAt ?? b.createdAt).localeCompare(a.claimedAt ?? a.createdAt);
/** A lead's pool (a v1 server sends none: the pool `default`). */
const poolOf = (l: { poolId?: string }) => l.poolId ?? DEFAULT_POOL;
const ageToAt = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Date.now() - ms);

export function createRepModel(
  emitter: Emitter<RepClientToServer>,
  connection: Signal<ConnectionState> = signal('connected'),
  hooks: RepHooks = {},
) {
  const loaded = signal(false);
  const you = signal<Rep | null>(null);
  /** The rep's pools, in the order of `you.pools`. */
  const pools = signal<RepPoolView[]>([]);
  /** The leads this rep holds in every pool (pool:state.mine on the wire), newest claim first. */
  const held = signal<Lead[]>([]);
  const pending = signal<ReadonlySet<string>>(new Set());
  const busy = signal<ReadonlySet<string>>(new Set());
  const notices = createNotices();
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
  const order = (list: RepPoolView[]) => {
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
  const fail = (ack: Ack & { ok: false }) => notices.push('error', errorMessage(ack.error));
  /** " in Sales" when pool names are shown, else nothing (the v1 wording). */
  const inPool = (poolId: string) => (showPoolNames.value ? ` in ${poolName(poolId)}` : '');
  const poolName = (poolId: string) => poolById(poolId)?.name ?? names.get(poolId) ?? poolId;

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
    poolName,
    /** The pending key of a pull in `poolId`. */
    pullKey: (poolId: string) => `*pull:${poolId}`,

    // ---- server events ------------------------------------------------------------
    /** One pool's snapshot replaces that pool and its held leads (connect, reconnect, mode change, join): never merged. */
    applyPoolState(s: PoolState): void {
      const id = s.poolId ?? DEFAULT_POOL;
      const name = s.poolName ?? names.get(id) ?? id;
      const joined = loaded.value && !poolById(id) && !unconfirmed;
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
      };
      batch(() => {
        you.value = s.you;
        pools.value = order([...pools.value.filter((p) => p.id !== id), next]);
        // `mine` may list this pool's leads or every pool's: either way it is the truth for them.
        const fresh = new Set(s.mine.map((l) => l.id));
        held.value = [...held.value.filter((l) => poolOf(l) !== id && !fresh.has(l.id)), ...s.mine].sort(byClaimedDesc);
        loaded.value = true;
      });
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
        leads: known ? p.leads.map((l) => (l.id === view.id ? view : l)) : [...p.leads, view].sort(byCreated),
        waiting: known ? p.waiting : p.waiting + 1,
      }));
      if (known) return;
      notices.announce(`New lead${inPool(pool.id)}: ${leadSummary(view)}`);
      hooks.onOffered?.(view, pool.mode);
    },
    gone({ leadId, poolId, reason }: LeadGone): void {
      const mineNow = pending.value.has(leadId);
      const removed = removeLead(leadId, poolId);
      const mode = (removed?.pool ?? poolById(poolId))?.mode;
      if ((mineNow || (removed && mode === 'shark-tank')) && (reason === 'claimed' || reason === 'assigned')) {
        notices.push('info', 'Taken by another rep');
        notices.announce(`Taken by another rep: ${removed ? leadSummary(removed.lead) : 'a lead'}`);
      }
    },
    waitingChanged(w: PoolWaiting): void {
      updatePool(w.poolId ?? DEFAULT_POOL, (p) => ({ ...p, waiting: w.waiting, oldestAt: ageToAt(w.oldestAgeMs) }));
    },
    assigned(lead: Lead): void {
      batch(() => {
        removeLead(lead.id, poolOf(lead));
        addHeld(lead);
      });
      const text = `Lead assigned to you${inPool(poolOf(lead))}: ${lead.name ?? lead.company ?? leadSummary(lead)}`;
      notices.push('success', text);
      notices.announce(text);
    },
    /** Another tab of this rep claimed, pulled, released or closed a lead: mirror it quietly. */
    mineChanged({ leadId, poolId, lead }: MineChanged): void {
      batch(() => {
        removeLead(leadId, poolId);
        if (lead && lead.status === 'claimed') addHeld(lead);
        else held.value = held.value.filter((l) => l.id !== leadId);
      });
    },
    revoked({ leadId, reason }: LeadRevoked): void {
      const lead = held.value.find((l) => l.id === leadId);
      if (!lead) return;
      held.value = held.value.filter((l) => l.id !== leadId);
      notices.push('info', `${lead.name ?? lead.company ?? 'A lead'} ${REVOKED[reason] ?? 'was taken back'}`);
    },
    modeChanged({ mode: next, poolId }: ModeChanged): void {
      const id = poolId ?? DEFAULT_POOL;
      if (!poolById(id)) return;
      // Modes that show nothing per lead drop every detail at once (pool:state follows).
      updatePool(id, (p) => ({ ...p, mode: next, leads: LEAD_OFFERING_MODES.includes(next) ? p.leads : [] }));
      notices.announce(showPoolNames.value ? `${poolName(id)}: mode changed to ${next}` : `Pool mode changed to ${next}`);
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
        held.value = held.value.filter((l) => l.id !== leadId);
        if (ack.ok) notices.push('info', 'Released back to the pool');
      }
      if (!ack.ok) fail(ack);
      return ack.ok;
    },
    async outcome(leadId: string, outcome: Outcome, note?: string): Promise<boolean> {
      setIn(busy, leadId, true);
      const ack = await emitter.request(EV.outcome, note ? { leadId, outcome, note } : { leadId, outcome });
      setIn(busy, leadId, false);
      if (!ack.ok) {
        if (ack.error.code === 'NOT_OWNER') held.value = held.value.filter((l) => l.id !== leadId);
        fail(ack);
        return false;
      }
      if (ack.lead.status === 'claimed') held.value = held.value.map((l) => (l.id === leadId ? ack.lead : l));
      else held.value = held.value.filter((l) => l.id !== leadId);
      notices.push('success', OUTCOME_DONE[outcome]);
      return true;
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
