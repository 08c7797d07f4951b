// Fan-out by rooms: a room per rep (`rep:<id>`, all its tabs on every node), a room per
// pool (`pool:<id>`, the tabs of the reps in that pool), a room per tab (Socket.IO's own,
// named by the tab id) and the /manager namespace. Emitting to rooms, and making a rep's
// tabs join or leave rooms, works unchanged across nodes through the Redis adapter.
// Every per-lead payload for reps is built by server/domain/view.ts. The service talks to
// reps and managers only through this class, never through Socket.IO itself.
import { randomUUID } from 'node:crypto';
import type { Namespace, Server } from 'socket.io';
import { EV, type ManagerServerToClient, type MineChanged, type PoolWaiting } from '../../shared/events.js';
import type { GoneReason, Lead, Mode, RevokedReason, Settings } from '../../shared/protocol.js';
import { leadView, offersLeads, ownerView } from '../domain/view.js';
import { type ManagerNamespace, managerNamespace, poolRoom, type RepNamespace, repNamespace, repRoom } from './namespaces.js';
import { type SnapshotReader, Snapshots, type SnapshotTarget } from './snapshots.js';

/**
 * The rooms of the reps that are shown `lead` in `mode` (its pool's), empty when nobody
 * sees it per lead. Hybrid leads routed to a list go to those reps' rooms: `members` (the
 * reps of the lead's pool, when the caller knows them) keeps a rep that left the pool
 * since the lead was routed out of the audience.
 */
function audienceRooms(lead: Pick<Lead, 'eligible' | 'poolId'>, mode: Mode, members?: ReadonlySet<string>): string[] {
  if (!offersLeads(mode)) return [];
  const eligible = mode === 'hybrid' ? (lead.eligible ?? '*') : '*';
  if (eligible === '*') return [poolRoom(lead.poolId)];
  return (members ? eligible.filter((id) => members.has(id)) : eligible).map(repRoom);
}

/** What a node says to the others on /manager (serverSideEmit, acked with the other's own). */
const MANAGERS_PRESENT = 'managers:present';
type ManagersPresent = { node: string; present: boolean };

/** How often a node with a dashboard open says so to the others, and how long they believe it. */
const MANAGERS_ANNOUNCE_MS = 5_000;
const MANAGERS_BELIEVED_MS = 3 * MANAGERS_ANNOUNCE_MS;
/** How long a node waits for the other nodes' acks (a node's first dashboard waits that long at most). */
const MANAGERS_ACK_WAIT_MS = 2_000;

export class Fanout {
  private readonly reps: RepNamespace;
  private readonly managers: ManagerNamespace;
  // Managers' events (a lead created or claimed, a rep's presence) are published to every
  // node only while a dashboard is open somewhere: with none open, that was a publish and
  // a decode on every node for nobody. Nodes tell each other whether one is open here
  // (exchange: each ack carries the answering node's own state): at start, on a node's
  // dashboard arriving, every MANAGERS_ANNOUNCE_MS while one is open, and once when the
  // last one left. A dashboard's snapshot is read only after every node acked its
  // arrival (managerArrived), so a change any node makes after that is published, and
  // one made before is in the snapshot. Unsure (not every node answered yet) means publish.
  private readonly nodeId = randomUUID();
  /** Other nodes with a dashboard open, and until when that is believed (ms). */
  private readonly managerNodes = new Map<string, number>();
  /** Until every other node has answered once, this one cannot know. */
  private unsure: boolean;
  /** Whether the others were last told that a dashboard is open here. */
  private told = false;
  private readonly ticker: ReturnType<typeof setInterval> | null = null;

  private readonly snapshots: Snapshots;

  /** `cluster`: other processes share the rooms (Redis adapter); alone, this node's dashboards are all there are. */
  constructor(
    io: Server,
    private readonly cluster = false,
    onError: (err: unknown) => void = () => {},
  ) {
    this.reps = repNamespace(io);
    this.managers = managerNamespace(io);
    this.snapshots = new Snapshots(this.reps, this.managers, cluster, onError);
    this.unsure = cluster;
    if (!cluster) return;
    // Inter-server events are not in the typed /manager event map: the untyped namespace.
    this.interServer().on(MANAGERS_PRESENT, (said: ManagersPresent, ack?: (own: ManagersPresent) => void) => {
      this.heard(said, true);
      ack?.({ node: this.nodeId, present: this.hasManagers() });
    });
    this.exchange().catch(() => {});
    this.ticker = setInterval(() => {
      if (this.hasManagers() || this.told || this.unsure) this.exchange().catch(() => {});
    }, MANAGERS_ANNOUNCE_MS);
    this.ticker.unref();
  }

  private interServer(): Namespace {
    return this.managers as unknown as Namespace;
  }

  /**
   * What another node said. Its announcements (in the order it sent them) set and clear it;
   * an answer only adds: an answer sent before an announcement may arrive after it.
   */
  private heard({ node, present }: ManagersPresent, announced: boolean): void {
    if (node === this.nodeId) return;
    if (present) this.managerNodes.set(node, Date.now() + MANAGERS_BELIEVED_MS);
    else if (announced) this.managerNodes.delete(node);
  }

  /** Tells every other node whether a dashboard is open here and hears theirs; resolves when all answered, or after MANAGERS_ACK_WAIT_MS. */
  private exchange(): Promise<void> {
    const present = this.hasManagers();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, MANAGERS_ACK_WAIT_MS);
      this.interServer().serverSideEmit(
        MANAGERS_PRESENT,
        { node: this.nodeId, present } satisfies ManagersPresent,
        (err: Error | null, answers: ManagersPresent[]) => {
          for (const answer of answers ?? []) this.heard(answer, false);
          if (!err) {
            this.unsure = false;
            this.told = present;
          }
          clearTimeout(timer);
          resolve();
        },
      );
    });
  }

  /** A dashboard connected to this node: resolves once every other node knows (or after MANAGERS_ACK_WAIT_MS). */
  async managerArrived(): Promise<void> {
    if (this.cluster) await this.exchange();
  }

  /** Stops telling the others (shutdown). */
  close(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  // ---- reps ----------------------------------------------------------------------------

  /**
   * A lead entered its pool (new, released, expired, escalated): offer it to its audience
   * (`mode` and `settings` are its pool's), but the reps in `exceptReps` (they were
   * offered it already).
   */
  offer(lead: Lead, mode: Mode, settings: Settings, opts: { exceptReps?: string[]; members?: ReadonlySet<string> } = {}): void {
    const rooms = audienceRooms(lead, mode, opts.members);
    const view = leadView(lead, mode, settings);
    if (rooms.length === 0 || !view) return;
    let target = this.reps.to(rooms);
    if (opts.exceptReps?.length) target = target.except(opts.exceptReps.map(repRoom));
    target.emit(EV.leadOffered, view);
  }

  /** A lead left its pool: tell every rep that was shown it, but its new owner. */
  gone(lead: Lead, mode: Mode, reason: GoneReason, ownerId?: string, members?: ReadonlySet<string>): void {
    const rooms = audienceRooms(lead, mode, members);
    if (rooms.length === 0) return;
    let target = this.reps.to(rooms);
    if (ownerId) target = target.except(repRoom(ownerId));
    target.emit(EV.leadGone, { leadId: lead.id, poolId: lead.poolId, reason });
  }

  /** Blind-pull counts of one pool, to the tabs of its reps. */
  waiting(summary: PoolWaiting): void {
    this.reps.to(poolRoom(summary.poolId)).emit(EV.poolWaiting, summary);
  }

  assigned(lead: Lead): void {
    if (lead.claimedBy) this.reps.to(repRoom(lead.claimedBy)).emit(EV.leadAssigned, ownerView(lead));
  }

  /** The rep's own lead changed by an action in tab `actingTabId`: tell its other tabs. */
  mineChanged(repId: string, change: MineChanged, actingTabId?: string): void {
    let target = this.reps.to(repRoom(repId));
    if (actingTabId) target = target.except(actingTabId);
    const { leadId, poolId, lead } = change;
    target.emit(EV.mineChanged, lead ? { leadId, poolId, lead: ownerView(lead) } : { leadId, poolId });
  }

  /** A lead its rep held was taken from it. */
  revoked(lead: Pick<Lead, 'id' | 'poolId'>, repId: string, reason: RevokedReason): void {
    this.reps.to(repRoom(repId)).emit(EV.leadRevoked, { leadId: lead.id, poolId: lead.poolId, reason });
  }

  /** Fresh snapshots: pool:state to every tab of a rep or of a pool's online reps, or dashboard:state to every dashboard (server/realtime/snapshots.ts). */
  refreshSnapshots(target: SnapshotTarget): Promise<void> {
    return this.snapshots.refresh(target);
  }

  /** Where the snapshots are read (the service's read models, which come after this class). */
  readSnapshotsFrom(reader: SnapshotReader): void {
    this.snapshots.readFrom(reader);
  }

  /** A pool switched mode: its reps' tabs and managers hear of it. */
  modeChanged(poolId: string, mode: Mode): void {
    this.reps.to(poolRoom(poolId)).emit(EV.modeChanged, { mode, poolId });
    this.managers.emit(EV.modeChanged, { mode, poolId });
  }

  /**
   * The rep's tabs, on every node, start receiving these pools' broadcasts. This node's
   * tabs join at once; other nodes' when the adapter's request reaches them, which is
   * before any broadcast emitted after this call (one publishing connection, in order).
   */
  joinPools(repId: string, poolIds: string[]): void {
    if (poolIds.length === 0) return;
    const rooms = poolIds.map(poolRoom);
    this.reps.local.in(repRoom(repId)).socketsJoin(rooms);
    this.reps.in(repRoom(repId)).socketsJoin(rooms);
  }

  /** The rep's tabs stop receiving these pools' broadcasts, then hear `pool:left` for each. */
  leavePools(repId: string, poolIds: string[]): void {
    if (poolIds.length === 0) return;
    const rooms = poolIds.map(poolRoom);
    this.reps.local.in(repRoom(repId)).socketsLeave(rooms);
    this.reps.in(repRoom(repId)).socketsLeave(rooms);
    for (const poolId of poolIds) this.reps.to(repRoom(repId)).emit(EV.poolLeft, { poolId });
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
    if (this.managersAnywhere()) this.managers.emit(event, ...args);
  }

  /** Whether a manager dashboard is connected to this node (live stats are worth computing). */
  hasManagers(): boolean {
    return this.managers.sockets.size > 0;
  }

  /** Whether a manager dashboard may be open on any node (unsure: true). */
  managersAnywhere(): boolean {
    if (this.hasManagers() || this.unsure) return true;
    const now = Date.now();
    for (const [node, until] of this.managerNodes) {
      if (until > now) return true;
      this.managerNodes.delete(node);
    }
    return false;
  }
}
