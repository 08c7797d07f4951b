// Fan-out by rooms: a room per rep (`rep:<id>`, all its tabs on every node), one for all
// reps (`reps`), a room per tab (Socket.IO's own, named by the tab id) and the /manager
// namespace. Emitting to rooms works unchanged across nodes through the Redis adapter.
// Every per-lead payload for reps is built by domain/view.ts. The service talks to
// reps and managers only through this class, never through Socket.IO itself.
import type { Server } from 'socket.io';
import { EV, type ManagerServerToClient, type MineChanged, type PoolWaiting } from '../../shared/events.js';
import type { GoneReason, Lead, Mode, PoolState, RevokedReason, Settings } from '../../shared/protocol.js';
import { leadView, offersLeads, ownerView } from '../domain/view.js';
import { type ManagerNamespace, managerNamespace, type RepNamespace, repNamespace } from './namespaces.js';

export const ALL_REPS = 'reps';
export const repRoom = (repId: string): string => `rep:${repId}`;

/** The rooms of the reps that are shown `lead` in `mode` (empty: nobody sees it per lead). */
function audienceRooms(lead: Pick<Lead, 'eligible'>, mode: Mode): string[] {
  if (!offersLeads(mode)) return [];
  if (mode !== 'hybrid') return [ALL_REPS];
  const eligible = lead.eligible ?? '*';
  return eligible === '*' ? [ALL_REPS] : eligible.map(repRoom);
}

export class Fanout {
  private readonly reps: RepNamespace;
  private readonly managers: ManagerNamespace;

  constructor(io: Server) {
    this.reps = repNamespace(io);
    this.managers = managerNamespace(io);
  }

  // ---- reps ----------------------------------------------------------------------------

  /**
   * A lead entered the pool (new, released, expired, escalated): offer it to its audience,
   * but the reps in `exceptReps` (they were offered it already).
   */
  offer(lead: Lead, mode: Mode, settings: Settings, exceptReps: string[] = []): void {
    const rooms = audienceRooms(lead, mode);
    const view = leadView(lead, mode, settings);
    if (rooms.length === 0 || !view) return;
    let target = this.reps.to(rooms);
    if (exceptReps.length) target = target.except(exceptReps.map(repRoom));
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

  /** The rep's own lead changed by an action in tab `actingTabId`: tell its other tabs. */
  mineChanged(repId: string, change: MineChanged, actingTabId?: string): void {
    let target = this.reps.to(repRoom(repId));
    if (actingTabId) target = target.except(actingTabId);
    target.emit(EV.mineChanged, change.lead ? { leadId: change.leadId, lead: ownerView(change.lead) } : { leadId: change.leadId });
  }

  /** A lead its rep held was taken from it. */
  revoked(leadId: string, repId: string, reason: RevokedReason): void {
    this.reps.to(repRoom(repId)).emit(EV.leadRevoked, { leadId, reason });
  }

  poolState(repId: string, state: PoolState): void {
    this.reps.to(repRoom(repId)).emit(EV.poolState, state);
  }

  modeChanged(mode: Mode): void {
    this.reps.to(ALL_REPS).emit(EV.modeChanged, { mode });
    this.managers.emit(EV.modeChanged, { mode });
  }

  /** The ids of the reps with a tab open, on every node. */
  async connectedRepIds(): Promise<string[]> {
    const sockets = await this.reps.fetchSockets();
    return [...new Set(sockets.map((socket) => socket.data.repId))];
  }

  /** Closes every tab of a rep (removed, or gone after a store reset), on every node. */
  disconnectRep(repId: string): void {
    this.reps.in(repRoom(repId)).disconnectSockets(true);
  }

  // ---- managers ------------------------------------------------------------------------

  toManagers<K extends keyof ManagerServerToClient>(event: K, ...args: Parameters<ManagerServerToClient[K]>): void {
    this.managers.emit(event, ...args);
  }

  /** Whether a manager dashboard is connected to this node (live stats are worth computing). */
  hasManagers(): boolean {
    return this.managers.sockets.size > 0;
  }
}
