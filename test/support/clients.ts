// Socket.IO test clients: real socket.io-client connections (one engine per socket, so
// every rep in a race has its own connection), an event recorder, acks with a timeout,
// and a few HTTP shortcuts (create reps, post leads) for the integration suites.
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import {
  type Answer,
  EV,
  type EventMap,
  type EventPayload,
  type ManagerClientToServer,
  type ManagerServerToClient,
  type RepClientToServer,
  type RepServerToClient,
  type RequestPayload,
} from '../../shared/events.js';
import type {
  Ack,
  DashboardState,
  ErrorBody,
  ErrorCode,
  Feed,
  Lead,
  LeadInput,
  Mode,
  PoolOverview,
  PoolState,
  Rep,
} from '../../shared/protocol.js';
import type { FeedCreate, PoolCreate, RepCreate, SettingsPatch } from '../../shared/schemas.js';
import { type Api, api } from './api.js';

export type RepSocket = Socket<RepServerToClient, RepClientToServer>;
export type ManagerSocket = Socket<ManagerServerToClient, ManagerClientToServer>;

interface Recorded {
  event: string;
  payload: unknown;
  at: number;
}

/** Every event a socket received (name + payload), in arrival order, with waiters; typed by the socket's map `L`. */
class Recorder<L extends EventMap> {
  readonly events: Recorded[] = [];
  private waiters = new Set<() => void>();

  constructor(socket: Socket<L, EventMap>) {
    socket.onAny((event: string, ...args: unknown[]) => {
      this.events.push({ event, payload: args[0], at: Date.now() });
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Payloads of `event` received so far. */
  of<K extends keyof L & string>(event: K): EventPayload<L, K>[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<L, K>);
  }

  /** Current position, to wait for events received after it. */
  mark(): number {
    return this.events.length;
  }

  clear(): void {
    this.events.length = 0;
  }

  /**
   * Resolves with the first `event` at index >= `from` (default: anything received so far
   * counts) whose payload matches `predicate`; rejects after `timeoutMs`.
   */
  waitFor<K extends keyof L & string>(
    event: K,
    predicate: (payload: EventPayload<L, K>) => boolean = () => true,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<EventPayload<L, K>> {
    type P = EventPayload<L, K>;
    const from = opts.from ?? 0;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const find = () => this.events.slice(from).find((e) => e.event === event && predicate(e.payload as P));
    const hit = find();
    if (hit) return Promise.resolve(hit.payload as P);
    return new Promise<P>((resolve, reject) => {
      const wake = () => {
        const found = find();
        if (!found) return;
        cleanup();
        resolve(found.payload as P);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${event}; got: ${
              this.events
                .slice(from)
                .map((e) => e.event)
                .join(', ') || 'nothing'
            }`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }
}

/** A socket as junk tests use it: any event name, any arguments. */
interface UntypedSocket {
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): UntypedSocket;
}
const untyped = (socket: Socket<EventMap, EventMap>) => socket as unknown as UntypedSocket;

/** Emits an event of the socket's map with an acknowledgement; rejects when none arrives within `timeoutMs`. */
export async function emitAck<L extends EventMap, C extends EventMap, K extends keyof C & string>(
  socket: Socket<L, C>,
  event: K,
  payload: RequestPayload<C, K>,
  timeoutMs = 5000,
): Promise<Answer<C, K>> {
  return new Promise((resolve, reject) => {
    untyped(socket)
      .timeout(timeoutMs)
      .emit(event, payload, (err: Error | null, answer: Answer<C, K>) => (err ? reject(err) : resolve(answer)));
  });
}

/** As emitAck, for an answer that must be ok: resolves with it, or fails the test naming the error. */
export async function okAck<L extends EventMap, C extends EventMap, K extends keyof C & string>(
  socket: Socket<L, C>,
  event: K,
  payload: RequestPayload<C, K>,
  timeoutMs = 5000,
): Promise<Answer<C, K> & { ok: true }> {
  return okOf(await emitAck(socket, event, payload, timeoutMs), event);
}

/** An answer that must be ok: returned as such, or the test fails naming the error. */
export function okOf<T extends object>(answer: Ack<T>, what = 'the event'): Ack<T> & { ok: true } {
  if (!answer.ok) throw new Error(`${what} answered ${answer.error.code}: ${answer.error.message}`);
  return answer;
}

/** Emits with an ack passing `args` exactly as given (no payload, several, junk, unknown events). */
export function emitRawAck(socket: Socket<EventMap, EventMap>, event: string, args: unknown[], timeoutMs = 5000): Promise<Ack> {
  return new Promise((resolve, reject) => {
    untyped(socket)
      .timeout(timeoutMs)
      .emit(event, ...args, (err: Error | null, answer: Ack) => (err ? reject(err) : resolve(answer)));
  });
}

/** Emits `args` exactly as given, without an ack. */
export function emitRaw(socket: Socket<EventMap, EventMap>, event: string, ...args: unknown[]): void {
  untyped(socket).emit(event, ...args);
}

/** The error of an answer that must be refused, or the test fails. */
export function errorOf(answer: Ack): ErrorBody {
  if (answer.ok) throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`);
  return answer.error;
}

/** 'ok', or the error code of a refused answer. */
export const codeOf = (answer: Ack): 'ok' | ErrorCode => (answer.ok ? 'ok' : answer.error.code);

/**
 * Round trip on `socket` (a harmless release of an unknown lead). Socket.IO delivers a
 * connection's packets in order, so every event the server emitted to this socket before
 * it handled this has arrived once this resolves: assert absences after a barrier.
 */
export async function barrier(socket: RepSocket): Promise<void> {
  const answer = await emitAck(socket, EV.release, { leadId: 'barrier-no-such-lead' });
  if (answer.ok || answer.error.code !== 'NOT_FOUND') throw new Error(`barrier got ${JSON.stringify(answer)}`);
}

interface Client<L extends EventMap, C extends EventMap, S> {
  socket: Socket<L, C>;
  rec: Recorder<L>;
  /** The first snapshot (pool:state or dashboard:state). */
  state: S;
  close(): void;
}
export type RepClient = Client<RepServerToClient, RepClientToServer, PoolState>;
export type ManagerClient = Client<ManagerServerToClient, ManagerClientToServer, DashboardState>;

const open: { disconnect(): unknown }[] = [];

function socketFor(url: string, namespace: '/rep' | '/manager', token: string | undefined): Socket {
  const socket = connect(url + namespace, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
  });
  open.push(socket);
  return socket;
}

/** Connects `socket` and waits for its first `snapshot` event. */
async function snapshotOf<L extends EventMap, C extends EventMap, K extends keyof L & string>(
  socket: Socket<L, C>,
  snapshot: K,
  timeoutMs: number,
): Promise<Client<L, C, EventPayload<L, K>>> {
  const rec = new Recorder<L>(socket);
  const failed = new Promise<never>((_, reject) =>
    socket.once('connect_error', (err) => reject(new Error(`connect_error: ${err.message}`))),
  );
  socket.connect();
  const state = await Promise.race([rec.waitFor(snapshot, undefined, { timeoutMs }), failed]);
  return { socket, rec, state, close: () => socket.disconnect() };
}

/** Connects a rep tab and waits for its first pool:state. */
export function connectRep(url: string, token: string, timeoutMs = 5000): Promise<RepClient> {
  const socket: RepSocket = socketFor(url, '/rep', token);
  return snapshotOf(socket, EV.poolState, timeoutMs);
}

/** A rep tab with every pool:state of its connection (one per pool of the rep, none for a rep in no pool). */
export interface RepTab {
  socket: RepSocket;
  rec: Recorder<RepServerToClient>;
  states: PoolState[];
  /** The connection's pool:state of `poolId` (fails the test when there is none). */
  stateOf(poolId: string): PoolState;
  close(): void;
}

/**
 * Connects a rep tab and waits for `pools` pool:state events (0: a rep in no pool; then a
 * round trip proves none came).
 */
export async function connectRepTab(url: string, token: string, pools: number, timeoutMs = 5000): Promise<RepTab> {
  const socket: RepSocket = socketFor(url, '/rep', token);
  const rec = new Recorder<RepServerToClient>(socket);
  const failed = new Promise<never>((_, reject) =>
    socket.once('connect_error', (err) => reject(new Error(`connect_error: ${err.message}`))),
  );
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.connect();
  await Promise.race([connected, failed]);
  const until = Date.now() + timeoutMs;
  while (rec.of(EV.poolState).length < pools) {
    if (Date.now() > until) throw new Error(`got ${rec.of(EV.poolState).length} pool:state of ${pools}`);
    await rec.waitFor(EV.poolState, undefined, { from: rec.mark(), timeoutMs: Math.max(1, until - Date.now()) });
  }
  if (pools === 0) await barrier(socket);
  const states = rec.of(EV.poolState).slice(0, Math.max(pools, 0));
  return {
    socket,
    rec,
    states,
    stateOf(poolId) {
      const state = states.find((s) => s.poolId === poolId);
      if (!state) throw new Error(`no pool:state of ${poolId}; got ${states.map((s) => s.poolId).join(', ') || 'none'}`);
      return state;
    },
    close: () => socket.disconnect(),
  };
}

/** Connects a manager dashboard and waits for its dashboard:state. */
export function connectManager(url: string, token: string, timeoutMs = 5000): Promise<ManagerClient> {
  const socket: ManagerSocket = socketFor(url, '/manager', token);
  return snapshotOf(socket, EV.dashboardState, timeoutMs);
}

/** Tries to connect; resolves with the connect_error message (rejects if it connects). */
export function connectError(url: string, namespace: '/rep' | '/manager', token?: string, timeoutMs = 5000): Promise<string> {
  const socket = socketFor(url, namespace, token);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connect nor connect_error')), timeoutMs);
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      resolve(err.message);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.close();
      reject(new Error(`connected to ${namespace} unexpectedly`));
    });
    socket.connect();
  });
}

/** Disconnects every socket these helpers opened (call in afterEach/afterAll). */
export function closeAllSockets(): void {
  for (const s of open.splice(0)) s.disconnect();
}

/** Resolves once `socket` is disconnected (by the server or by us). */
export function disconnected<L extends EventMap, C extends EventMap>(socket: Socket<L, C>, timeoutMs = 5000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

// ---- HTTP shortcuts ---------------------------------------------------------------------

export interface Server {
  url: string;
  managerToken: string;
  feedKey: string;
}

export interface RepHandle {
  rep: Rep;
  token: string;
}

export interface Pool {
  manager: Api;
  feed: Api;
  url: string;
}

export function pool(server: Server): Pool {
  return { manager: api(server.url, server.managerToken), feed: api(server.url, server.feedKey), url: server.url };
}

/** Creates `n` reps over HTTP (fields apply to all, or a function of the index). */
export async function createReps(
  manager: Api,
  n: number,
  fields: Partial<RepCreate> | ((i: number) => Partial<RepCreate>) = {},
): Promise<RepHandle[]> {
  const out: RepHandle[] = [];
  for (let i = 0; i < n; i++) {
    const extra = typeof fields === 'function' ? fields(i) : fields;
    const res = await manager.post('/api/reps', { name: `Rep ${i + 1}`, ...extra });
    if (res.status !== 201) throw new Error(`POST /api/reps: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(res.body as RepHandle);
  }
  return out;
}

/** Creates `n` reps and connects one tab each (in parallel), waiting for their pool:state. */
export async function repsOnline(server: Server, n: number, fields: Partial<RepCreate> | ((i: number) => Partial<RepCreate>) = {}) {
  const handles = await createReps(api(server.url, server.managerToken), n, fields);
  const clients = await Promise.all(handles.map((h) => connectRep(server.url, h.token)));
  return handles.map((h, i) => ({ ...h, id: h.rep.id, ...clients[i] }));
}
export type OnlineRep = Awaited<ReturnType<typeof repsOnline>>[number];

const unique = () => randomBytes(5).toString('hex');
let phoneCounter = 1000;

/**
 * A lead with unique contact values (so a payload walk can find them anywhere) and a
 * little of everything else.
 */
export function leadInput(overrides: Partial<LeadInput> = {}): LeadInput {
  const u = unique();
  return {
    name: `Contact Name ${u}`,
    email: `contact-${u}@example.test`,
    phone: `+1 555 ${String(++phoneCounter).padStart(4, '0')} ${parseInt(u.slice(0, 6), 16) % 100000}`,
    company: `Company ${u}`,
    companySize: 42,
    country: 'GB',
    language: 'en',
    industry: 'software',
    jobTitle: `Title ${u}`,
    source: 'web',
    engagement: { visits: 3, secondsOnSite: 120 },
    tags: ['inbound'],
    attributes: { plan: `plan-${u}` },
    ...overrides,
  };
}

/** POSTs a lead (as the feed) and returns it; throws unless 201. */
export async function postLead(feed: Api, overrides: Partial<LeadInput> = {}): Promise<Lead> {
  const res = await feed.post('/api/leads', leadInput(overrides));
  if (res.status !== 201) throw new Error(`POST /api/leads: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.lead;
}

/** POSTs a lead into a pool (POST /api/pools/:poolId/leads) and returns it; throws unless 201. */
export async function postLeadTo(poster: Api, poolId: string, overrides: Partial<LeadInput> = {}): Promise<Lead> {
  const res = await poster.post(`/api/pools/${poolId}/leads`, leadInput(overrides));
  if (res.status !== 201) throw new Error(`POST /api/pools/${poolId}/leads: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.lead;
}

/** Creates a pool over HTTP (name defaults to the id) and returns it; throws unless 201. */
export async function createPool(manager: Api, id: string, extra: Partial<PoolCreate> = {}): Promise<PoolOverview> {
  const res = await manager.post('/api/pools', { id, name: id, ...extra });
  if (res.status !== 201) throw new Error(`POST /api/pools: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.pool;
}

/** Creates a feed key over HTTP; throws unless 201. */
export async function createFeed(manager: Api, body: FeedCreate): Promise<{ feed: Feed; key: string }> {
  const res = await manager.post('/api/feeds', body);
  if (res.status !== 201) throw new Error(`POST /api/feeds: ${res.status} ${JSON.stringify(res.body)}`);
  return { feed: res.body.feed, key: res.body.key };
}

export async function patchSettings(manager: Api, patch: SettingsPatch): Promise<void> {
  const res = await manager.patch('/api/pool/settings', patch);
  if (res.status !== 200) throw new Error(`PATCH settings: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function setMode(manager: Api, mode: Mode): Promise<void> {
  const res = await manager.put('/api/pool/mode', { mode });
  if (res.status !== 200) throw new Error(`PUT mode: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Polls `check` until it returns a truthy value (for state that has no event). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
