// The gates and budgets of the Socket.IO server (docs/API.md, "Budgets and limits"):
//
// - who may open a connection: a browser Origin among the deployment's origins, at most
//   so many connections per address, at most so many of them not (yet) in /rep or
//   /manager, and none of those for longer than PENDING_TIMEOUT_MS; the default
//   namespace `/` refuses everyone;
// - what a connection may send, checked on the raw message before it is parsed: bytes per
//   second, and (a large message only) how many JSON elements it holds;
// - how many events a socket, and a rep over all its tabs on this process, may send,
//   checked before any handler runs (unknown events count too, and are answered INVALID);
// - a connection that keeps exceeding its budgets is disconnected, and its rep (or the
//   manager) is refused for PENALTY_MS.
//
// A refusal costs a counter and at most a small ack. Budgets hold per process: the
// contract's cluster-wide rate limit (settings.maxActionsPerSecond) is the store's, and
// ActionGate keeps a rep that the store refused for it this second away from the store.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { ErrorCode } from '../../shared/protocol.js';
import type { Config, Limits } from '../config.js';
import { eventBudgetRefusals } from '../metrics.js';

/**
 * Engine.IO's maxHttpBufferSize: a payload of 1 MB with its framing (the contract answers
 * payloads up to 1 MB). A larger message closes the connection: the transport's limit.
 */
export const MAX_MESSAGE_BYTES = 1_100_000;
/** A connection that has joined no namespace after this long is closed. */
export const PENDING_TIMEOUT_MS = 5000;
/** Refusals (budgets, too complex) within REFUSAL_WINDOW_MS after which a connection is disconnected. */
export const REFUSALS_BEFORE_DISCONNECT = 50;
const REFUSAL_WINDOW_MS = 10_000;
/** How long the rep (or the manager) of a connection disconnected for its budgets is refused. */
export const PENALTY_MS = 10_000;
/** The byte budget's burst, in seconds of its rate. */
export const BYTE_BURST_SECONDS = 8;
/** A connection in no namespace yet sends only CONNECT packets: this many bytes a second (burst: eight times that). */
const PENDING_BYTES_PER_SECOND = 32 * 1024;
/** The manager (one credential, the deployment's own) gets this many times a rep's budgets. */
export const MANAGER_FACTOR = 10;
/** JSON elements a CONNECT packet (namespace and auth) may hold. */
const MAX_CONNECT_ELEMENTS = 100;

/**
 * Per namespace, checked on an event before it is parsed: its size (no valid /rep payload
 * comes near 32 KB: an outcome's note is at most 2000 characters) and its JSON elements
 * (`,` `:` `[` `{` outside strings; manager payloads such as rules can be long). Over
 * either: INVALID, without parsing it.
 */
export const NAMESPACE_LIMITS: Readonly<Record<string, { maxBytes: number; maxElements: number }>> = {
  '/rep': { maxBytes: 32 * 1024, maxElements: 2000 },
  '/manager': { maxBytes: MAX_MESSAGE_BYTES, maxElements: 100_000 },
};

/** The event name an over-budget or too-complex message is rewritten to (unguessable: never a client's). */
const REFUSED = `\u0000refused:${Math.random().toString(36).slice(2)}`;

/** A token bucket: `rate` a second, at most `burst` saved; rate 0 = unlimited. */
export class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = performance.now(),
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes `n` tokens if there are; false (nothing taken) otherwise. */
  take(n = 1, now = performance.now()): boolean {
    if (this.rate <= 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Whether the bucket is full again (nothing to remember). */
  full(now = performance.now()): boolean {
    return this.rate <= 0 || this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst;
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one address. */
export const addressOf = (address: string | undefined): string => (address ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/** What the guard keeps of one Engine.IO connection. */
interface Conn {
  address: string;
  /** Namespaces this connection joined (authenticated) and their sockets. */
  sockets: Map<string, Socket>;
  /** Whether it ever joined one (it no longer counts as pending). */
  joined: boolean;
  bytes: Bucket;
  refusals: number;
  refusalsSince: number;
  close(): void;
}

/** The engine's view of a connection, as far as the guard uses it. */
interface EngineConn {
  remoteAddress: string;
  on(event: 'packet', listener: (packet: { type: string; data?: unknown }) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  close(): unknown;
}

/** The header of a Socket.IO string packet: `<type>[<attachments>-][<nsp>,][<id>]<json>`. */
interface Header {
  type: string;
  nsp: string;
  id: string;
  /** Where the JSON starts. */
  body: number;
}

function parseHeader(data: string): Header | null {
  const type = data.charAt(0);
  let i = 1;
  if (type === '5' || type === '6') {
    const dash = data.indexOf('-', 1);
    if (dash < 0 || dash > 12) return null;
    i = dash + 1;
  }
  let nsp = '/';
  if (data.charAt(i) === '/') {
    const comma = data.indexOf(',', i);
    if (comma < 0 || comma - i > 200) return null;
    nsp = data.slice(i, comma);
    i = comma + 1;
  }
  const start = i;
  while (i < data.length && i - start < 16 && data.charCodeAt(i) >= 48 && data.charCodeAt(i) <= 57) i++;
  return { type, nsp, id: data.slice(start, i), body: i };
}

/** Whether `data` from `from` holds more than `max` JSON elements (`,` `:` `[` `{` outside strings). */
export function moreElementsThan(data: string, from: number, max: number): boolean {
  if (data.length - from <= max) return false;
  let n = 0;
  let inString = false;
  for (let i = from; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if ((c === 44 || c === 58 || c === 91 || c === 123) && ++n > max) return true;
  }
  return false;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

/** The Origins browsers may connect from: the configured ones, else the listening address's own. */
export class Origins {
  private own: { port: number; origins: Set<string> } | null = null;
  constructor(
    private readonly config: Pick<Config, 'host' | 'publicOrigins' | 'allowedOrigins'>,
    private readonly port: () => number | null,
  ) {}

  allows(origin: string): boolean {
    let normalized: string;
    try {
      normalized = new URL(origin).origin;
    } catch {
      return false;
    }
    if (normalized === 'null') return false;
    return this.config.allowedOrigins.includes(normalized) || this.publicOrigins().has(normalized);
  }

  /** LEADPOOL_PUBLIC_ORIGIN, or http://<listening address>:<port> (loopback and wildcard hosts: every local name). */
  publicOrigins(): Set<string> {
    if (this.config.publicOrigins.length) return new Set(this.config.publicOrigins);
    const port = this.port();
    if (port === null) return new Set();
    if (this.own?.port === port) return this.own.origins;
    const host = this.config.host.replace(/^\[(.*)\]$/, '$1');
    const hosts = new Set<string>([host]);
    const wildcard = host === '0.0.0.0' || host === '::';
    if (wildcard || LOOPBACK.includes(host) || host.startsWith('127.')) for (const h of LOOPBACK) hosts.add(h);
    if (wildcard) {
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.add(a.address.replace(/%.*$/, ''));
    }
    const origins = new Set<string>();
    for (const h of hosts) {
      if (h === '0.0.0.0' || h === '::') continue;
      const literal = isIP(h) === 6 ? `[${h}]` : h;
      try {
        origins.add(new URL(`http://${literal}:${port}`).origin);
      } catch {
        // not a host name a browser could use
      }
    }
    this.own = { port, origins };
    return origins;
  }
}

/** Answers a refused event through its ack (the last argument, when it is a function). */
function answer(event: unknown[], code: ErrorCode, message: string): void {
  const ack = event[event.length - 1];
  if (typeof ack === 'function') ack({ ok: false, error: { code, message } });
}

const MESSAGES = {
  events: 'too many events: slow down',
  bytes: 'too many bytes sent: slow down',
  large: 'the payload is too large',
  complex: 'the payload has too many elements',
};

/**
 * One per Socket.IO server: the options it is created with (serverOptions), the engine
 * hooks (attach), and per socket the event budgets (watch).
 */
export class SocketGuard {
  private readonly limits: Limits;
  private readonly origins: Origins;
  private readonly conns = new Map<EngineConn, Conn>();
  /** Open and pending (in no namespace yet) connections per address. */
  private readonly perAddress = new Map<string, { open: number; pending: number }>();
  /** Event buckets of reps (`rep:<id>`) and the manager, with how many sockets use each. */
  private readonly principals = new Map<string, { bucket: Bucket; sockets: number }>();
  /** Principals refused until a time (performance.now()) after a budget disconnect. */
  private readonly penalties = new Map<string, number>();
  private io: Server | null = null;

  constructor(config: Pick<Config, 'host' | 'publicOrigins' | 'allowedOrigins' | 'limits'>) {
    this.limits = config.limits;
    this.origins = new Origins(config, () => {
      const address = this.io?.httpServer?.address();
      return typeof address === 'object' && address ? address.port : null;
    });
  }

  /** The Socket.IO server options: message size, pending timeout, the handshake gate, CORS for extra origins. */
  serverOptions(allowedOrigins: string[]): Partial<ServerOptions> {
    return {
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      connectTimeout: PENDING_TIMEOUT_MS,
      allowRequest: (req, done) => {
        const refusal = this.refuseHandshake(req);
        if (refusal) eventBudgetRefusals.inc({ namespace: 'engine', event: 'connection' });
        done(refusal, refusal === null);
      },
      cors: allowedOrigins.length ? { origin: allowedOrigins } : undefined,
    };
  }

  /** Why a new connection is refused, or null. Browsers only from the allowed origins; then the caps per address. */
  private refuseHandshake(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    // No Origin: not a browser (feeds, scripts, tests); a browser always sends one here.
    if (origin !== undefined && !this.origins.allows(origin)) return 'origin not allowed';
    const counts = this.perAddress.get(addressOf(req.socket.remoteAddress));
    if (!counts) return null;
    const { connectionsPerAddress, pendingConnectionsPerAddress } = this.limits;
    if (connectionsPerAddress > 0 && counts.open >= connectionsPerAddress) return 'too many connections from this address';
    if (pendingConnectionsPerAddress > 0 && counts.pending >= pendingConnectionsPerAddress)
      return 'too many unauthenticated connections from this address';
    return null;
  }

  /** Hooks the engine: counts connections, checks each message before it is parsed; the default namespace refuses all. */
  attach(io: Server): void {
    this.io = io;
    io.use((_socket, next) => next(new Error('invalid namespace')));
    io.engine.on('connection', (raw: EngineConn) => {
      const address = addressOf(raw.remoteAddress);
      const counts = this.perAddress.get(address) ?? { open: 0, pending: 0 };
      counts.open++;
      counts.pending++;
      this.perAddress.set(address, counts);
      const conn: Conn = {
        address,
        sockets: new Map(),
        joined: false,
        bytes: this.byteBucket(this.limits.socketBytesPerSecond > 0 ? PENDING_BYTES_PER_SECOND : 0),
        refusals: 0,
        refusalsSince: performance.now(),
        close() {
          raw.close();
        },
      };
      this.conns.set(raw, conn);
      raw.on('packet', (packet) => {
        if (packet.type === 'message') this.inspect(conn, packet as { type: string; data: unknown });
      });
      raw.once('close', () => {
        this.conns.delete(raw);
        counts.open--;
        if (!conn.joined) counts.pending--;
        if (counts.open <= 0) this.perAddress.delete(address);
      });
    });
  }

  /** A byte budget of `rate` a second; a full one always holds the largest message. */
  private byteBucket(rate: number): Bucket {
    return new Bucket(rate, Math.max(rate * BYTE_BURST_SECONDS, MAX_MESSAGE_BYTES));
  }

  /**
   * A message before Socket.IO parses it. Over the byte budget or too complex: an event is
   * rewritten to a tiny one that `watch` answers (RATE_LIMITED, INVALID) through its ack;
   * anything else is dropped and the connection closed.
   */
  private inspect(conn: Conn, packet: { type: string; data: unknown }): void {
    const { data } = packet;
    const size = typeof data === 'string' ? data.length : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0;
    const header = typeof data === 'string' ? parseHeader(data) : null;
    if (!conn.bytes.take(size)) {
      this.refuseMessage(conn, packet, header, 'RATE_LIMITED', 'bytes');
      return;
    }
    if (typeof data !== 'string') return;
    if (!header) {
      this.refuseMessage(conn, packet, header, 'INVALID', 'complex');
      return;
    }
    if (header.type === '0') {
      if (moreElementsThan(data, header.body, MAX_CONNECT_ELEMENTS)) this.refuseMessage(conn, packet, header, 'INVALID', 'complex');
      return;
    }
    // Events for a namespace this connection is not in: Socket.IO would close it after parsing.
    if ((header.type === '2' || header.type === '5') && !conn.sockets.has(header.nsp)) {
      packet.type = 'noop';
      conn.close();
      return;
    }
    const limits = NAMESPACE_LIMITS[header.nsp];
    if (!limits) return;
    if (size > limits.maxBytes) this.refuseMessage(conn, packet, header, 'INVALID', 'large');
    else if (moreElementsThan(data, header.body, limits.maxElements)) this.refuseMessage(conn, packet, header, 'INVALID', 'complex');
  }

  /**
   * A refused message (inspect): an event of a joined namespace becomes the tiny REFUSED
   * event that `watch` answers through its ack; anything else is dropped and the connection
   * closed. (A method, not a closure made per message: tsx names every closure it makes.)
   */
  private refuseMessage(
    conn: Conn,
    packet: { type: string; data: unknown },
    header: Header | null,
    code: ErrorCode,
    reason: keyof typeof MESSAGES,
  ): void {
    eventBudgetRefusals.inc({ namespace: 'engine', event: reason });
    if (header?.type === '2' && conn.sockets.has(header.nsp)) {
      const nsp = header.nsp === '/' ? '' : `${header.nsp},`;
      packet.data = `2${nsp}${header.id}${JSON.stringify([REFUSED, code, MESSAGES[reason]])}`;
    } else {
      packet.type = 'noop';
      conn.close();
    }
    this.refused(conn);
  }

  /** Counts a refusal of `conn`; past REFUSALS_BEFORE_DISCONNECT in the window it is disconnected and its principals kept out. */
  private refused(conn: Conn, now = performance.now()): void {
    if (now - conn.refusalsSince > REFUSAL_WINDOW_MS) {
      conn.refusals = 0;
      conn.refusalsSince = now;
    }
    if (++conn.refusals <= REFUSALS_BEFORE_DISCONNECT) return;
    if (this.penalties.size > 10_000) for (const [key, until] of this.penalties) if (until <= now) this.penalties.delete(key);
    for (const socket of conn.sockets.values()) {
      const principal = (socket.data as { principal?: string }).principal;
      if (principal) this.penalties.set(principal, now + PENALTY_MS);
    }
    // A server disconnect: Socket.IO clients do not reconnect by themselves after it.
    const sockets = [...conn.sockets.values()];
    if (sockets.length) for (const socket of sockets) socket.disconnect(true);
    else conn.close();
  }

  /** Milliseconds `principal` still sits out (0: none). */
  penaltyLeft(principal: string, now = performance.now()): number {
    return Math.max(0, Math.ceil((this.penalties.get(principal) ?? now) - now));
  }

  /** Whether `principal` (`rep:<id>`, `manager`) may connect now: not while it sits out a penalty. */
  admits(principal: string, now = performance.now()): boolean {
    const until = this.penalties.get(principal);
    if (until === undefined) return true;
    if (until > now) return false;
    this.penalties.delete(principal);
    return true;
  }

  /**
   * A socket joined its namespace as `principal`: from now on every event it sends is
   * budgeted (this socket, and the principal over all its sockets) before any handler,
   * and events not in `known` are answered INVALID. Call first in the connection handler.
   */
  watch(socket: Socket, principal: string, known: ReadonlySet<string>): void {
    const namespace = socket.nsp.name.slice(1);
    const factor = namespace === 'manager' ? MANAGER_FACTOR : 1;
    const conn = this.conns.get(socket.conn as unknown as EngineConn);
    if (conn) {
      // Its byte budget: a rep's, or the manager's (which a rep connection joining /manager gets too).
      if (!conn.joined || factor > 1) conn.bytes = this.byteBucket(this.limits.socketBytesPerSecond * factor);
      if (!conn.joined) {
        conn.joined = true;
        const counts = this.perAddress.get(conn.address);
        if (counts) counts.pending--;
      }
      conn.sockets.set(socket.nsp.name, socket);
    }
    (socket.data as { principal?: string }).principal = principal;
    const socketRate = this.limits.socketEventsPerSecond * factor;
    const principalRate = this.limits.repEventsPerSecond * factor;
    const own = new Bucket(socketRate, socketRate * 2);
    const shared = this.principals.get(principal) ?? { bucket: new Bucket(principalRate, principalRate * 2), sockets: 0 };
    shared.sockets++;
    this.principals.set(principal, shared);
    socket.on('disconnect', () => {
      if (conn?.sockets.get(socket.nsp.name) === socket) conn.sockets.delete(socket.nsp.name);
      if (--shared.sockets <= 0 && this.principals.get(principal) === shared) this.principals.delete(principal);
    });

    socket.use((event, next) => {
      const name = event[0];
      if (name === REFUSED) return answer(event, event[1] as ErrorCode, String(event[2]));
      const label = typeof name === 'string' && known.has(name) ? name : 'unknown';
      if (!own.take() || !shared.bucket.take()) {
        eventBudgetRefusals.inc({ namespace, event: label });
        answer(event, 'RATE_LIMITED', MESSAGES.events);
        if (conn) this.refused(conn);
        return;
      }
      // Unknown events (`error` included: never a handler's) stop here.
      if (label === 'unknown') return answer(event, 'INVALID', 'unknown event');
      next();
    });
  }
}

/** A rep's actions in flight at once on one process; more wait their turn, in arrival order. */
export const ACTIONS_IN_FLIGHT = 8;

/**
 * A rep's actions that reach the store (claim, pull, release, outcome, presence), in
 * arrival order, at most ACTIONS_IN_FLIGHT at once per rep on this process: they start in
 * the order they arrived, as before, and a burst waits instead of all reaching the store
 * at once. With it, the cheap local pre-check of settings.maxActionsPerSecond (which the
 * store decides, counting every attempt cluster-wide): once the store refused a rep's
 * claim or pull RATE_LIMITED, the rep's further claims and pulls are refused here until
 * that second is over, without reaching the store. A burst of claims costs the store
 * about maxActionsPerSecond calls a second, not one per attempt.
 */
export class ActionGate {
  private readonly refusedIn = new Map<string, number>();
  private readonly lanes = new Map<string, { running: number; waiting: (() => void)[] }>();

  /**
   * Runs `action` of `repId` in its turn. With `limit` (claims and pulls): refused with
   * `limit.refusal()` while the gate is closed, and a refusal by the store closes it.
   */
  run<T>(repId: string, action: () => Promise<T>, limit?: { isRateLimited(err: unknown): boolean; refusal(): Error }): Promise<T> {
    const lane = this.lanes.get(repId) ?? { running: 0, waiting: [] };
    this.lanes.set(repId, lane);
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        lane.running++;
        let result: Promise<T>;
        if (limit && this.closed(repId)) result = Promise.reject(limit.refusal());
        else {
          try {
            result = action();
          } catch (err) {
            result = Promise.reject(err);
          }
          if (limit)
            result = result.catch((err: unknown) => {
              if (limit.isRateLimited(err)) this.refused(repId);
              throw err;
            });
        }
        void result.then(resolve, reject).finally(() => {
          lane.running--;
          const next = lane.waiting.shift();
          if (next) next();
          else if (lane.running === 0 && this.lanes.get(repId) === lane) this.lanes.delete(repId);
        });
      };
      if (lane.running < ACTIONS_IN_FLIGHT && lane.waiting.length === 0) start();
      else lane.waiting.push(start);
    });
  }

  /** Whether the rep was refused RATE_LIMITED by the store in this second. */
  closed(repId: string, now = Date.now()): boolean {
    const second = this.refusedIn.get(repId);
    if (second === undefined) return false;
    if (second === Math.floor(now / 1000)) return true;
    this.refusedIn.delete(repId);
    return false;
  }

  /** The store refused the rep RATE_LIMITED now. */
  refused(repId: string, now = Date.now()): void {
    if (this.refusedIn.size > 10_000) {
      const current = Math.floor(now / 1000);
      for (const [id, second] of this.refusedIn) if (second !== current) this.refusedIn.delete(id);
    }
    this.refusedIn.set(repId, Math.floor(now / 1000));
  }
}
