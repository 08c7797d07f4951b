// The two Socket.IO namespaces, typed with the shared event maps (shared/events.ts): the
// one place where the untyped `io.of(name)` becomes a namespace that only emits and
// listens to the events of its map.
import type { Namespace, Server } from 'socket.io';
import type {
  InterServerEvents,
  ManagerClientToServer,
  ManagerServerToClient,
  ManagerSocketData,
  RepClientToServer,
  RepServerToClient,
  RepSocketData,
} from '../../shared/events.js';

export type RepNamespace = Namespace<RepClientToServer, RepServerToClient, InterServerEvents, RepSocketData>;
export type ManagerNamespace = Namespace<ManagerClientToServer, ManagerServerToClient, InterServerEvents, ManagerSocketData>;

export const repNamespace = (io: Server): RepNamespace => io.of('/rep') as unknown as RepNamespace;
export const managerNamespace = (io: Server): ManagerNamespace => io.of('/manager') as unknown as ManagerNamespace;

/** A rep's room: all its tabs, on every node. */
export const repRoom = (repId: string): string => `rep:${repId}`;
/** A pool's room: the tabs of the reps in that pool. */
export const poolRoom = (poolId: string): string => `pool:${poolId}`;
