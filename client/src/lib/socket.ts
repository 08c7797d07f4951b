// A thin layer over socket.io-client: one connection per namespace, typed by the shared
// event maps, a connection-state signal, and emits that resolve with the server's
// acknowledgement (never reject).
import { type Signal, signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import type {
  Answer,
  EventMap,
  ManagerClientToServer,
  ManagerServerToClient,
  RepClientToServer,
  RepServerToClient,
  RequestPayload,
} from '../../../shared/events';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What a view-model needs from a connection: emit an event of map `M` with its ack. Tests pass a fake. */
export interface Emitter<M extends EventMap> {
  request<K extends keyof M & string>(event: K, payload: RequestPayload<M, K>): Promise<Answer<M, K>>;
}

export type RepSocket = Socket<RepServerToClient, RepClientToServer>;
export type ManagerSocket = Socket<ManagerServerToClient, ManagerClientToServer>;

/** Per namespace: what the server sends, what the client sends. */
interface Namespaces {
  '/rep': { listens: RepServerToClient; emits: RepClientToServer };
  '/manager': { listens: ManagerServerToClient; emits: ManagerClientToServer };
}

interface LiveConnection<N extends keyof Namespaces> extends Emitter<Namespaces[N]['emits']> {
  socket: Socket<Namespaces[N]['listens'], Namespaces[N]['emits']>;
  state: Signal<ConnectionState>;
  /** Set when the server refused the credential (`unauthorized`, `forbidden`). */
  authError: Signal<string | null>;
  close(): void;
}

const ACK_TIMEOUT_MS = 10_000;

interface UntypedEmit {
  emit(event: string, ...args: unknown[]): unknown;
}

export function connect<N extends keyof Namespaces>(namespace: N, token: string, url = ''): LiveConnection<N> {
  type Emits = Namespaces[N]['emits'];
  const socket: Socket<Namespaces[N]['listens'], Emits> = io(`${url}${namespace}`, {
    auth: { token },
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
  });
  const state = signal<ConnectionState>('connecting');
  const authError = signal<string | null>(null);

  const browserOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;
  let serverClosed = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  socket.on('connect', () => {
    authError.value = null;
    state.value = 'connected';
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') {
      state.value = 'offline';
      return;
    }
    if (reason === 'io server disconnect') {
      // The server closed this tab on purpose (rep removed, store reset, failed snapshot):
      // socket.io does not retry by itself. Try again, slower each time; a removed rep
      // then gets `unauthorized` and the page says so.
      serverClosed += 1;
      state.value = 'reconnecting';
      const delay = Math.min(1000 * 2 ** (serverClosed - 1), 15_000);
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (!socket.connected && !authError.value) socket.connect();
      }, delay);
      return;
    }
    state.value = browserOffline() ? 'offline' : 'reconnecting';
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'unauthorized' || err.message === 'forbidden') {
      authError.value = err.message;
      state.value = 'offline';
      socket.disconnect();
      return;
    }
    state.value = browserOffline() ? 'offline' : 'reconnecting';
  });
  const onOffline = () => {
    if (!socket.connected) state.value = 'offline';
  };
  const onOnline = () => {
    if (!socket.connected && !authError.value) {
      state.value = 'reconnecting';
      if (!socket.active) socket.connect();
    }
  };
  if (typeof window !== 'undefined') {
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);
  }

  return {
    socket,
    state,
    authError,
    request<K extends keyof Emits & string>(event: K, payload: RequestPayload<Emits, K>): Promise<Answer<Emits, K>> {
      if (!socket.connected) {
        return Promise.resolve({
          ok: false,
          error: { code: 'STORE_UNAVAILABLE', message: 'Not connected: wait for the connection to come back.' },
        });
      }
      // The maps type each event; one event of any map is emitted the same way.
      const untyped = socket.timeout(ACK_TIMEOUT_MS) as unknown as UntypedEmit;
      return new Promise((resolve) => {
        untyped.emit(event, payload, (err: Error | null, answer: Answer<Emits, K>) => {
          if (err) resolve({ ok: false, error: { code: 'INTERNAL', message: 'The server did not answer in time.' } });
          else resolve(answer);
        });
      });
    },
    close() {
      if (retryTimer) clearTimeout(retryTimer);
      if (typeof window !== 'undefined') {
        window.removeEventListener('offline', onOffline);
        window.removeEventListener('online', onOnline);
      }
      socket.close();
    },
  };
}
