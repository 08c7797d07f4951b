// Fresh snapshots for clients already connected: pool:state for rep tabs (a pool's mode,
// settings or rules changed; a rep's record, shift or pools did), dashboard:state for
// dashboards (the store's state was found to differ from what they were told). Each
// process sends its own clients theirs, read after it started holding what they are sent
// (server/realtime/outgoing-hold.ts), so that nothing sent meanwhile comes before the snapshot it may
// predate. Only the request crosses processes, one message, not one snapshot per client
// through Redis.
import type { Namespace, Socket } from 'socket.io';
import { EV } from '../../shared/events.js';
import type { DashboardState, PoolState } from '../../shared/protocol.js';
import { type ManagerNamespace, poolRoom, type RepNamespace, repRoom } from './namespaces.js';
import { holdOutgoing, type OutgoingHold } from './outgoing-hold.js';

/** Whose snapshots: one rep's (every pool of it), a pool's online reps (those of `only`, when given), or every dashboard. */
export type SnapshotTarget = { repId: string } | { poolId: string; only?: string[] } | { dashboards: true };

/** Reads snapshots: the service's read models. */
export interface SnapshotReader {
  poolStatesFor(repId: string): Promise<{ states: PoolState[] } | null>;
  poolStatesOfOnlineReps(poolId: string, only?: readonly string[]): AsyncIterable<{ repId: string; state: PoolState }>;
  dashboardState(): Promise<DashboardState>;
}

/** What a process asks the others (serverSideEmit on /rep). */
const REFRESH = 'snapshots:refresh';

export class Snapshots {
  private reader: SnapshotReader | null = null;

  /** `cluster`: other processes have tabs too (Redis adapter). */
  constructor(
    private readonly reps: RepNamespace,
    private readonly managers: ManagerNamespace,
    private readonly cluster: boolean,
    onError: (err: unknown) => void,
  ) {
    if (cluster) this.interServer().on(REFRESH, (target: SnapshotTarget) => void this.refreshHere(target).catch(onError));
  }

  readFrom(reader: SnapshotReader): void {
    this.reader = reader;
  }

  /** Sends the target's clients, on every process, a fresh snapshot; resolves once this process's have theirs. */
  async refresh(target: SnapshotTarget): Promise<void> {
    if (this.cluster) this.interServer().serverSideEmit(REFRESH, target);
    await this.refreshHere(target);
  }

  // Inter-server events are not in the typed /rep event map: the untyped namespace.
  private interServer(): Namespace {
    return this.reps as unknown as Namespace;
  }

  private async refreshHere(target: SnapshotTarget): Promise<void> {
    if ('dashboards' in target) return this.refreshDashboardsHere();
    const reader = this.reader;
    const tabs = this.tabsHere(target);
    if (!reader || tabs.size === 0) return;
    // Held from now: the read below comes after.
    const held = new Map<string, { socket: Socket; hold: OutgoingHold }[]>();
    for (const [repId, sockets] of tabs)
      held.set(
        repId,
        sockets.map((socket) => ({ socket, hold: holdOutgoing(socket) })),
      );
    const send = (repId: string, states: PoolState[]) => {
      for (const { socket, hold } of held.get(repId) ?? []) {
        hold.release(() => {
          for (const state of states) socket.emit(EV.poolState, state);
        });
      }
      held.delete(repId);
    };
    try {
      if ('repId' in target) send(target.repId, (await reader.poolStatesFor(target.repId))?.states ?? []);
      else {
        // In a cluster this process reads its own reps only; alone, its reps are every online rep.
        const only = this.cluster ? [...tabs.keys()] : target.only;
        for await (const { repId, state } of reader.poolStatesOfOnlineReps(target.poolId, only)) send(repId, [state]);
      }
    } finally {
      // Reps the read did not answer (gone, out of the pool, or the read failed) are only let go.
      for (const repId of [...held.keys()]) send(repId, []);
    }
  }

  private async refreshDashboardsHere(): Promise<void> {
    const reader = this.reader;
    const dashboards = [...this.managers.sockets.values()] as unknown as Socket[];
    if (!reader || dashboards.length === 0) return;
    const held = dashboards.map((socket) => ({ socket, hold: holdOutgoing(socket) }));
    let state: DashboardState | null = null;
    try {
      state = await reader.dashboardState();
    } finally {
      for (const { socket, hold } of held) hold.release(() => state && socket.emit(EV.dashboardState, state));
    }
  }

  /** This process's tabs of the target, by rep. */
  private tabsHere(target: { repId: string } | { poolId: string; only?: string[] }): Map<string, Socket[]> {
    const room = 'repId' in target ? repRoom(target.repId) : poolRoom(target.poolId);
    const only = 'repId' in target || !target.only ? null : new Set(target.only);
    const byRep = new Map<string, Socket[]>();
    for (const id of this.reps.adapter.rooms.get(room) ?? []) {
      const socket = this.reps.sockets.get(id) as Socket | undefined;
      const repId = socket?.data.repId as string | undefined;
      if (!socket || !repId || (only && !only.has(repId))) continue;
      const list = byRep.get(repId);
      if (list) list.push(socket);
      else byRep.set(repId, [socket]);
    }
    return byRep;
  }
}
