// A thin layer over socket.io-client: one connection per namespace, a connection-state
// signal, and emits that resolve with the server's acknowledgement (never reject).
import { type Signal, signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../../shared/protocol';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What the stores need from a connection: emit with ack. Tests pass a fake. */
export interface Emitter {
  request<T extends object = object>(event: string, payload: unknown): Promise<Ack<T>>;
}

export interface LiveConnection extends Emitter {
  socket: Socket;
  state: Signal<ConnectionState>;
  /** Set when the server refused the credential (`unauthorized`, `forbidden`). */
  authError: Signal<string | null>;
  close(): void;
}

const ACK_TIMEOUT_MS = 10_000;

export function connect(namespace: '/rep' | '/manager', token: string, url = ''): LiveConnection {
  const socket = io(`${url}${namespace}`, {
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
    request<T extends object = object>(event: string, payload: unknown): Promise<Ack<T>> {
      if (!socket.connected) {
        return Promise.resolve({
          ok: false,
          error: { code: 'STORE_UNAVAILABLE', message: 'Not connected: wait for the connection to come back.' },
        } as Ack<T>);
      }
      return new Promise((resolve) => {
        socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err: Error | null, answer: Ack<T>) => {
          if (err) resolve({ ok: false, error: { code: 'INTERNAL', message: 'The server did not answer in time.' } } as Ack<T>);
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
