// Holding what the server sends one connection, so a snapshot goes out before the events
// that reached it while the snapshot was being read.
//
// A tab joins its rooms, then its snapshot is read; an event of that time (a lead offered
// to the pool room, by this process or another) may predate the read or not. Clients
// replace their state with a snapshot, so an event sent before it could be lost, and one
// sent after it is applied on top (an offer the snapshot holds is merely repeated). Held,
// every such event comes after the snapshot.
//
// Every write of Socket.IO to a connection (the socket's own emits and acks, the
// adapters' room broadcasts, local or from another process) goes through its client's
// writeToEngine: the hold takes its place on that one client until it is released.
import type { Socket } from 'socket.io';

type WriteToEngine = (encodedPackets: unknown, opts: unknown) => void;
interface EngineClient {
  writeToEngine: WriteToEngine;
}

export interface OutgoingHold {
  /** Sends what `first` emits, then what was held, in order; later writes go straight out. */
  release(first?: () => void): void;
}

export function holdOutgoing(socket: Socket): OutgoingHold {
  const client = socket.client as unknown as EngineClient;
  // One hold per connection at a time; a second one (a multiplexed connection) holds nothing more.
  if (Object.hasOwn(client, 'writeToEngine')) return { release: (first) => first?.() };
  const held: Parameters<WriteToEngine>[] = [];
  client.writeToEngine = (encodedPackets, opts) => {
    held.push([encodedPackets, opts]);
  };
  let released = false;
  return {
    release(first) {
      if (released) return;
      released = true;
      // The prototype's method again: what follows is written at once.
      delete (client as Partial<EngineClient>).writeToEngine;
      try {
        first?.();
      } finally {
        for (const [encodedPackets, opts] of held) client.writeToEngine(encodedPackets, opts);
      }
    },
  };
}
