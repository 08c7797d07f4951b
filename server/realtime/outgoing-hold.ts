// Holding what the server sends one connection, so a snapshot goes out before the events
// that reached it while the snapshot was being read.
//
// A tab is in its rooms, then its snapshot is read; an event of that time (a lead offered
// to the pool room, by this process or another) may predate the read or not. Clients
// replace their state with a snapshot, so an event sent before it could be lost, and one
// sent after it is applied on top (an offer the snapshot holds is merely repeated). Held,
// every such event comes after the snapshot.
//
// Every write of Socket.IO to a connection (the socket's own emits and acks, the
// adapters' room broadcasts, local or from another process) goes through its client's
// writeToEngine: while a hold is on, that one client's writes go to the hold instead.
import type { Socket } from 'socket.io';

type Write = [encodedPackets: unknown, opts: unknown];
interface EngineClient {
  writeToEngine(encodedPackets: unknown, opts: unknown): void;
}

/** A connection's holds, oldest first, and where writes go meanwhile (undefined: the newest hold). */
interface Holds {
  active: Write[][];
  into?: Write[] | null;
}
const holdsOf = new WeakMap<EngineClient, Holds>();

export interface OutgoingHold {
  /**
   * Sends what `first` emits, then what was held, in order. Holds overlap (a tab's
   * connect and a refresh): what one releases stays behind the holds older than it.
   */
  release(first?: () => void): void;
}

export function holdOutgoing(socket: Socket): OutgoingHold {
  const client = socket.client as unknown as EngineClient;
  const write = Object.getPrototypeOf(client).writeToEngine as EngineClient['writeToEngine'];
  let holds = holdsOf.get(client);
  if (!holds) {
    const started: Holds = { active: [] };
    holds = started;
    holdsOf.set(client, started);
    client.writeToEngine = (encodedPackets, opts) => {
      const into = started.into === undefined ? started.active.at(-1) : started.into;
      if (into) into.push([encodedPackets, opts]);
      else write.call(client, encodedPackets, opts);
    };
  }
  const own = holds;
  const held: Write[] = [];
  own.active.push(held);
  let released = false;
  return {
    release(first) {
      if (released) return;
      released = true;
      const at = own.active.indexOf(held);
      own.active.splice(at, 1);
      // Behind the next older hold, if one is still on; else out.
      const older = at > 0 ? own.active[at - 1] : null;
      own.into = older;
      try {
        first?.();
      } finally {
        own.into = undefined;
        for (const [encodedPackets, opts] of held) {
          if (older) older.push([encodedPackets, opts]);
          else write.call(client, encodedPackets, opts);
        }
        if (own.active.length === 0) {
          // The prototype's method again.
          delete (client as Partial<EngineClient>).writeToEngine;
          holdsOf.delete(client);
        }
      }
    },
  };
}
