// A rep's view-model: its live state as signals, and the actions a rep can take. The
// socket is bound in bindRepSocket; components receive the model, so they render without
// a socket in tests.
import { batch, computed, type Signal, signal } from '@preact/signals';
import {
  EV,
  type LeadGone,
  type LeadRevoked,
  type MineChanged,
  type ModeChanged,
  type PoolWaiting,
  type RepClientToServer,
} from '../../../shared/events';
import {
  type Ack,
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
  /** A new lead was offered (sound, notification). */
  onOffered?(lead: LeadView): void;
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

const byCreated = (a: { createdAt: string }, b: { createdAt: string }) => a.createdAt.localeCompare(b.createdAt);
const byClaimedDesc = (a: Lead, b: Lead) => (b.claimedAt ?? b.createdAt).localeCompare(a.claimedAt ?? a.createdAt);

export function createRepModel(
  emitter: Emitter<RepClientToServer>,
  connection: Signal<ConnectionState> = signal('connected'),
  hooks: RepHooks = {},
) {
  const loaded = signal(false);
  const mode = signal<Mode | null>(null);
  const you = signal<Rep | null>(null);
  const leads = signal<LeadView[]>([]);
  /** The leads this rep holds (pool:state.mine on the wire), newest claim first. */
  const held = signal<Lead[]>([]);
  const waiting = signal(0);
  /** Epoch ms when the oldest waiting lead was created (so its age can tick). */
  const oldestAt = signal<number | null>(null);
  const maxActive = signal(0);
  const pending = signal<ReadonlySet<string>>(new Set());
  const busy = signal<ReadonlySet<string>>(new Set());
  const notices = createNotices();

  const live = computed(() => connection.value === 'connected' && loaded.value);
  const atCap = computed(() => maxActive.value > 0 && held.value.length >= maxActive.value);

  const setIn = (s: Signal<ReadonlySet<string>>, id: string, on: boolean) => {
    const next = new Set(s.value);
    if (on) next.add(id);
    else next.delete(id);
    s.value = next;
  };
  const removeLead = (leadId: string): LeadView | undefined => {
    const found = leads.value.find((l) => l.id === leadId);
    if (found) {
      leads.value = leads.value.filter((l) => l.id !== leadId);
      waiting.value = Math.max(0, waiting.value - 1);
    }
    return found;
  };
  const addHeld = (lead: Lead) => {
    held.value = [...held.value.filter((l) => l.id !== lead.id), lead].sort(byClaimedDesc);
  };
  const fail = (ack: Ack & { ok: false }) => notices.push('error', errorMessage(ack.error));

  const model = {
    loaded,
    mode,
    you,
    leads,
    held,
    waiting,
    oldestAt,
    maxActive,
    pending,
    busy,
    connection,
    live,
    atCap,
    notices,

    // ---- server events ------------------------------------------------------------
    /** A snapshot replaces everything (connect, reconnect, mode change): never merged. */
    applyPoolState(s: PoolState): void {
      batch(() => {
        mode.value = s.mode;
        you.value = s.you;
        leads.value = [...s.leads].sort(byCreated);
        held.value = [...s.mine].sort(byClaimedDesc);
        waiting.value = s.waiting;
        oldestAt.value = s.oldestAgeMs === null || s.oldestAgeMs === undefined ? null : Date.now() - s.oldestAgeMs;
        maxActive.value = s.maxActive;
        loaded.value = true;
      });
    },
    offered(view: LeadView): void {
      if (held.value.some((l) => l.id === view.id)) return;
      const known = leads.value.some((l) => l.id === view.id);
      leads.value = known ? leads.value.map((l) => (l.id === view.id ? view : l)) : [...leads.value, view].sort(byCreated);
      if (known) return;
      waiting.value += 1;
      notices.announce(`New lead: ${leadSummary(view)}`);
      hooks.onOffered?.(view);
    },
    gone({ leadId, reason }: LeadGone): void {
      const lead = removeLead(leadId);
      const mineNow = pending.value.has(leadId);
      if ((mineNow || (lead && mode.value === 'shark-tank')) && (reason === 'claimed' || reason === 'assigned')) {
        notices.push('info', 'Taken by another rep');
        notices.announce(`Taken by another rep: ${lead ? leadSummary(lead) : 'a lead'}`);
      }
    },
    waitingChanged(w: PoolWaiting): void {
      batch(() => {
        waiting.value = w.waiting;
        oldestAt.value = w.oldestAgeMs === null || w.oldestAgeMs === undefined ? null : Date.now() - w.oldestAgeMs;
      });
    },
    assigned(lead: Lead): void {
      batch(() => {
        removeLead(lead.id);
        addHeld(lead);
      });
      const text = `Lead assigned to you: ${lead.name ?? lead.company ?? leadSummary(lead)}`;
      notices.push('success', text);
      notices.announce(text);
    },
    /** Another tab of this rep claimed, pulled, released or closed a lead: mirror it quietly. */
    mineChanged({ leadId, lead }: MineChanged): void {
      batch(() => {
        removeLead(leadId);
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
    modeChanged({ mode: next }: ModeChanged): void {
      batch(() => {
        mode.value = next;
        // Modes that show nothing per lead drop every detail at once (pool:state follows).
        if (!LEAD_OFFERING_MODES.includes(next)) leads.value = [];
      });
      notices.announce(`Pool mode changed to ${next}`);
    },

    // ---- actions --------------------------------------------------------------------
    async claim(leadId: string): Promise<boolean> {
      if (pending.value.has(leadId)) return false;
      setIn(pending, leadId, true);
      const ack = await emitter.request(EV.claim, { leadId });
      setIn(pending, leadId, false);
      if (ack.ok) {
        batch(() => {
          removeLead(leadId);
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
    async pull(): Promise<boolean> {
      if (pending.value.has('*pull')) return false;
      setIn(pending, '*pull', true);
      const ack = await emitter.request(EV.pull, {});
      setIn(pending, '*pull', false);
      if (ack.ok) {
        addHeld(ack.lead);
        notices.push('success', `Pulled: ${ack.lead.name ?? ack.lead.company ?? 'lead'} is yours`);
        notices.announce(`Pulled a lead. ${ack.lead.name ?? 'It'} is now under My leads.`);
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
export function bindRepSocket(model: RepModel, socket: RepSocket): void {
  socket.on(EV.poolState, (state) => model.applyPoolState(state));
  socket.on(EV.leadOffered, (view) => model.offered(view));
  socket.on(EV.leadGone, (gone) => model.gone(gone));
  socket.on(EV.poolWaiting, (summary) => model.waitingChanged(summary));
  socket.on(EV.leadAssigned, (lead) => model.assigned(lead));
  socket.on(EV.leadRevoked, (revoked) => model.revoked(revoked));
  socket.on(EV.modeChanged, (change) => model.modeChanged(change));
  socket.on(EV.mineChanged, (change) => model.mineChanged(change));
}
