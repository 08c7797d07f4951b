// Fan-out by rooms: a room per rep (`rep:<id>`, all its tabs on every node), one for all
// reps (`reps`) and the /manager namespace. Emitting to rooms works unchanged across nodes
// through the Redis adapter. Every per-lead payload for reps is built by domain/view.ts.
import type { Namespace, Server } from 'socket.io';
import {
  EV,
  type GoneReason,
  type Lead,
  type MineChanged,
  type Mode,
  type PoolState,
  type PoolWaiting,
  type RevokedReason,
  type Settings,
} from '../../shared/protocol.js';
import { leadView, offersLeads, ownerView } from '../domain/view.js';

export const ALL_REPS = 'reps';
export const repRoom = (repId: string): string => `rep:${repId}`;

/** The rooms of the reps that are shown `lead` in `mode` (empty: nobody sees it per lead). */
export function audienceRooms(lead: Pick<Lead, 'eligible'>, mode: Mode): string[] {
  if (!offersLeads(mode)) return [];
  if (mode !== 'hybrid') return [ALL_REPS];
  const eligible = lead.eligible ?? '*';
  return eligible === '*' ? [ALL_REPS] : eligible.map(repRoom);
}

export class Fanout {
  readonly reps: Namespace;
  readonly managers: Namespace;

  constructor(io: Server) {
    this.reps = io.of('/rep');
    this.managers = io.of('/manager');
  }

  /** A lead entered the pool (new, released, expired, escalated): offer it to its audience. */
  offer(lead: Lead, mode: Mode, settings: Settings, options: { except?: string[] } = {}): void {
    const rooms = audienceRooms(lead, mode);
    const view = leadView(lead, mode, settings);
    if (rooms.length === 0 || !view) return;
    let target = this.reps.to(rooms);
    if (options.except?.length) target = target.except(options.except);
    target.emit(EV.leadOffered, view);
  }

  /** A lead left the pool: tell every rep that was shown it, but its new owner. */
  gone(lead: Lead, mode: Mode, reason: GoneReason, ownerId?: string): void {
    const rooms = audienceRooms(lead, mode);
    if (rooms.length === 0) return;
    let target = this.reps.to(rooms);
    if (ownerId) target = target.except(repRoom(ownerId));
    target.emit(EV.leadGone, { leadId: lead.id, reason });
  }

  waiting(summary: PoolWaiting): void {
    this.reps.to(ALL_REPS).emit(EV.poolWaiting, summary);
  }

  assigned(lead: Lead): void {
    if (lead.claimedBy) this.reps.to(repRoom(lead.claimedBy)).emit(EV.leadAssigned, ownerView(lead));
  }

  /** The rep's own lead changed by an action in tab `originSocketId`: tell its other tabs. */
  mineChanged(repId: string, change: MineChanged, originSocketId?: string): void {
    let target = this.reps.to(repRoom(repId));
    if (originSocketId) target = target.except(originSocketId);
    target.emit(EV.mineChanged, change.lead ? { leadId: change.leadId, lead: ownerView(change.lead) } : { leadId: change.leadId });
  }

  revoked(repId: string, leadId: string, reason: RevokedReason): void {
    this.reps.to(repRoom(repId)).emit(EV.leadRevoked, { leadId, reason });
  }

  poolState(repId: string, state: PoolState): void {
    this.reps.to(repRoom(repId)).emit(EV.poolState, state);
  }

  modeChanged(mode: Mode): void {
    this.reps.to(ALL_REPS).emit(EV.modeChanged, { mode });
    this.managers.emit(EV.modeChanged, { mode });
  }

  toManagers(event: string, payload: unknown): void {
    this.managers.emit(event, payload);
  }

  /** Closes every tab of a rep (removed, or gone after a store reset), on every node. */
  disconnectRep(repId: string): void {
    this.reps.in(repRoom(repId)).disconnectSockets(true);
  }
}
