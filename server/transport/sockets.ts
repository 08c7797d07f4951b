// Socket.IO namespaces /rep and /manager: authenticate on connect, validate each payload,
// call the service, answer through the acknowledgement. A bad payload or a missing ack
// callback never throws out of a handler, so nothing else is disturbed. Events and their
// answers are typed by the shared maps (shared/events.ts); payloads are untrusted until
// their schema has parsed them. Before any of that, the guard (socket-guard.ts) has
// budgeted every event; nothing a client sends is logged but as clientText (log-text.ts).
import type { Server } from 'socket.io';
import type { ZodType } from 'zod';
import { z } from 'zod';
import {
  type AnswerFields,
  EV,
  type EventMap,
  type ManagerClientToServer,
  type RepClientToServer,
  type RepSocketData,
  type RequestPayload,
} from '../../shared/events.js';
import { type Ack, DEFAULT_POOL, type LeadInput } from '../../shared/protocol.js';
import {
  AssignSchema,
  FeedCreateSchema,
  issuesOf,
  LeadIdPayload,
  LeadInputSchema,
  LeadListQuery,
  ModeSchema,
  OutcomePayload,
  PoolCreateSchema,
  PoolPatchSchema,
  PresencePayload,
  PullPayload,
  poolId,
  RepCreateSchema,
  RepPatchSchema,
  RulesSchema,
  type SettingsPatch,
  SettingsPatchSchema,
} from '../../shared/schemas.js';
import type { Credentials } from '../auth.js';
import { ApiError, toApiError } from '../errors.js';
import { managerNamespace, poolRoom, repNamespace, repRoom } from '../realtime/namespaces.js';
import { holdOutgoing } from '../realtime/outgoing-hold.js';
import type { Service } from '../service/index.js';
import type { Logger } from '../service/logger.js';
import { statesOf } from '../service/reads.js';
import type { PresenceChange, RepView } from '../store/types.js';
import { clientText } from './log-text.js';
import { ActionGate, type SocketGuard } from './socket-guard.js';

/**
 * The handler of one event, made once per namespace and registered on each of its sockets
 * (Socket.IO calls a listener with the socket as `this`): a connecting tab allocates no
 * closures of its own for its events, and keeps none alive while it is connected.
 */
interface Handler<S> {
  event: string;
  listener: (this: S, ...args: unknown[]) => void;
}

/** Validation issues as answered: at most 20, each path and message cut to 200 characters (never the junk echoed back). */
const MAX_ISSUES = 20;
const cut = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
function boundedIssues(issues: { path: string; message: string }[]): { path: string; message: string }[] {
  return issues.slice(0, MAX_ISSUES).map((i) => ({ path: cut(i.path), message: cut(i.message) }));
}

/**
 * A maker of the handlers of the events of map `M` on sockets `S`: each with its payload
 * schema, whose output must be a payload the map allows, and a `run` that produces the
 * fields of the map's ok answer from the payload and the socket it came on. The last
 * argument is the ack callback when it is a function; without one the answer is dropped
 * (the action still runs).
 */
function handlers<M extends EventMap, S>(log: Logger) {
  return <K extends keyof M & string, P extends RequestPayload<M, K>>(
    event: K,
    schema: ZodType<P>,
    run: (payload: P, socket: S) => Promise<AnswerFields<M, K>>,
  ): Handler<S> => {
    type Reply = (answer: Ack<AnswerFields<M, K>>) => void;
    return {
      event,
      listener: async function (this: S, ...args: unknown[]) {
        const last = args[args.length - 1];
        const reply: Reply = typeof last === 'function' ? (last as Reply) : () => {};
        const payload = typeof last === 'function' ? args.slice(0, -1)[0] : args[0];
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          reply({
            ok: false,
            error: { code: 'INVALID', message: `invalid ${event} payload`, details: boundedIssues(issuesOf(parsed.error)) },
          });
          return;
        }
        try {
          reply({ ok: true, ...(await run(parsed.data, this)) });
        } catch (err) {
          const apiError = toApiError(err);
          if (apiError.code === 'INTERNAL') log.error(`${event} failed`, err);
          reply({ ok: false, error: apiError.toBody() });
        }
      },
    };
  };
}

/** Registers the handlers of `list` on `socket` (the guard answers every other event INVALID). */
function register<S>(socket: S & Incoming, list: Handler<S>[]): void {
  for (const { event, listener } of list) socket.on(event, listener as (...args: unknown[]) => void);
}

/** A socket as its handlers see what arrives: any event, any arguments, until validated. */
interface Incoming {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * A payload of `schema` that may also name its pool (`poolId`, default `default`): the
 * pool-scoped manager requests. `schema` checks the rest as strictly as before, so its
 * issues keep their paths.
 */
function inPool<T>(schema: ZodType<T>): ZodType<T & { poolId?: string }> {
  const pool = z.object({ poolId: poolId.optional() });
  return z.unknown().transform((value, ctx) => {
    const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    const { poolId: id, ...rest } = record ?? {};
    const named = pool.safeParse({ poolId: id });
    const parsed = schema.safeParse(record ? rest : value);
    for (const issue of [...(named.success ? [] : named.error.issues), ...(parsed.success ? [] : parsed.error.issues)]) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    if (!named.success || !parsed.success) return z.NEVER;
    return named.data.poolId === undefined ? parsed.data : { ...parsed.data, poolId: named.data.poolId };
  }) as unknown as ZodType<T & { poolId?: string }>;
}

/** What authentication reads and sets on a connecting socket of either namespace. */
interface Connecting {
  handshake: { auth: unknown; address: string };
  data: Partial<RepSocketData>;
}

/** A rep socket's pools as its token lookup answered them, from authentication to its connection handler. */
const signedInPools = new WeakMap<object, string[]>();

/**
 * Moves a tab from the rooms of the pools `joined` to those of `pools`; answers the pools it
 * newly joined. (A function of its own, not a closure made per connect: tsx names every
 * closure it makes.)
 */
function followPools(socket: { join(rooms: string[]): void; leave(room: string): void }, joined: string[], pools: string[]): string[] {
  for (const id of joined) if (!pools.includes(id)) socket.leave(poolRoom(id));
  const added = pools.filter((id) => !joined.includes(id));
  socket.join(added.map(poolRoom));
  return added;
}

/** The budget key of a principal: each rep on its own, the manager token as one. */
const principalOf = (socket: { data: Partial<RepSocketData> }) => (socket.data.repId ? `rep:${socket.data.repId}` : 'manager');

/** A `connect_error` with its message and, for a client to read, `data` (e.g. `{ retryAfterMs }`). */
function connectError(message: string, data?: object): Error {
  return Object.assign(new Error(message), data ? { data } : {});
}

/**
 * Socket.IO auth middleware for one role; errors become `connect_error` messages. Wrong
 * tokens count against the address (Credentials); a rep or manager disconnected for its
 * budgets is refused for a while ("rate limited").
 */
function authenticate(credentials: Credentials, role: 'rep' | 'manager', guard: SocketGuard) {
  return (socket: Connecting, next: (err?: Error) => void): void => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    let retryAfterMs = 0;
    credentials
      .identify(typeof token === 'string' ? token : undefined, {
        address: socket.handshake.address,
        retryAfter(s) {
          retryAfterMs = s * 1000;
        },
      })
      .then((who) => {
        if (!who) return next(connectError('unauthorized'));
        if (who.role !== role) return next(connectError('forbidden'));
        if (who.role === 'rep') {
          socket.data.repId = who.repId;
          signedInPools.set(socket, who.pools);
        }
        if (!guard.admits(principalOf(socket)))
          return next(connectError('rate limited', { retryAfterMs: guard.penaltyLeft(principalOf(socket)) }));
        next();
      })
      .catch((err) => {
        const code = toApiError(err).code;
        if (code === 'RATE_LIMITED') return next(connectError('rate limited', { retryAfterMs }));
        next(connectError(code === 'STORE_UNAVAILABLE' ? 'store unavailable' : 'unauthorized'));
      });
  };
}

export function attachSockets(io: Server, service: Service, credentials: Credentials, log: Logger, guard: SocketGuard): void {
  const { leads, presence, pool, reps, feeds, reads } = service;
  guard.attach(io);
  // A rep's actions start in arrival order, a few at a time; claims and pulls stay away
  // from the store for the rest of a second in which it refused one RATE_LIMITED.
  const actions = new ActionGate();
  const rateLimit = {
    isRateLimited: (err: unknown) => err instanceof ApiError && err.code === 'RATE_LIMITED',
    refusal: () => new ApiError('RATE_LIMITED'),
  };

  const repNs = repNamespace(io);
  type RepSocket = Parameters<Parameters<typeof repNs.on<'connection'>>[1]>[0];
  // The rep's id and the tab's (a tab is its socket: its id is also the room that reaches only it).
  const repOf = (socket: RepSocket) => socket.data.repId;
  const rep = handlers<RepClientToServer, RepSocket>(log);
  const repHandlers = [
    rep(EV.claim, LeadIdPayload, async ({ leadId }, socket) => ({
      lead: await actions.run(repOf(socket), () => leads.claim(leadId, repOf(socket), socket.id), rateLimit),
    })),
    rep(EV.pull, PullPayload, async (payload, socket) => ({
      lead: await actions.run(repOf(socket), () => leads.pull(repOf(socket), payload?.poolId, socket.id), rateLimit),
    })),
    rep(EV.release, LeadIdPayload, async ({ leadId }, socket) => {
      await actions.run(repOf(socket), () => leads.release(leadId, repOf(socket), socket.id));
      return {};
    }),
    rep(EV.outcome, OutcomePayload, async ({ leadId, outcome, note }, socket) => ({
      lead: await actions.run(repOf(socket), () => leads.outcome(leadId, repOf(socket), outcome, note, socket.id)),
    })),
    rep(EV.presenceSet, PresencePayload, async ({ status }, socket) => {
      await actions.run(repOf(socket), () => presence.setAway(repOf(socket), status === 'away'));
      return {};
    }),
  ];
  const repEvents: ReadonlySet<string> = new Set(repHandlers.map((h) => h.event));
  // Only Socket.IO's own errors reach here (the guard answers a client's `error` event as
  // an unknown one); still, their text may quote what the client sent.
  function repSocketError(this: RepSocket, err: Error) {
    log.error(`rep socket ${this.id} error`, clientText(err));
  }

  repNs.use(authenticate(credentials, 'rep', guard));
  repNs.on('connection', (socket) => {
    socket.on('error', repSocketError);
    // Handlers first, so nothing the client sends right after connecting is missed.
    register(socket, repHandlers);
    guard.watch(socket, principalOf(socket), repEvents);
    const opened = openTab(socket);
    socket.on('disconnect', () => {
      opened.finally(() => presence.tabClosed(socket.data.repId, socket.id)).catch((err) => log.error('rep disconnect failed', err));
    });
  });

  /**
   * Reconnect = snapshot, in two round trips to the store, token lookup included. The
   * lookup answered the rep's pools: their rooms are joined (on this node only: this socket
   * is here) before the tab is recorded and the snapshot read, in one step. What the tab is
   * sent from joining on is held and follows the snapshot: nothing is missed, nothing the
   * snapshot predates comes before it (an offer may arrive twice, which a client ignores).
   * Rooms then follow the pools the read found; a pool the rep joined meanwhile is joined,
   * then read again. pool:state, one per pool, carries the presence with this tab open.
   * What the presence change sets off (managers told, round-robin) runs after the snapshot
   * is out, with the pools just read. Settles only once all that ran, so a tab closing at
   * once is recorded (and told) after its opening.
   */
  async function openTab(socket: RepSocket): Promise<void> {
    const { repId } = socket.data;
    const tabId = socket.id;
    // What the tab is sent waits until its snapshot is out.
    const hold = holdOutgoing(socket);
    // Its rep's room at once (membership changes reach every tab through it); its pools' rooms below.
    socket.join(repRoom(repId));
    const joined = signedInPools.get(socket) ?? [];
    signedInPools.delete(socket);
    socket.join(joined.map(poolRoom));
    let change: PresenceChange & { view: RepView | null };
    try {
      change = await presence.recordTab(repId, tabId, joined);
    } catch (err) {
      log.error('rep connect failed', err);
      hold.release();
      socket.disconnect(true);
      return;
    }
    let read = statesOf(change.view, change.after);
    try {
      if (read && followPools(socket, joined, read.rep.pools).length) {
        const now = read.rep.pools;
        read = await reads.poolStatesFor(repId);
        if (read) followPools(socket, now, read.rep.pools);
      }
    } catch (err) {
      log.error('rep connect failed', err);
      read = null;
    }
    const states = read?.states ?? [];
    hold.release(() => {
      for (const state of states) socket.emit(EV.poolState, state);
    });
    if (!read) socket.disconnect(true);
    const repPools = read?.states.map((s) => ({ id: s.poolId, mode: s.mode }));
    await presence.changed(change, repPools).catch((err) => log.error('rep presence change failed', err));
  }

  const managerNs = managerNamespace(io);
  type ManagerSocket = Parameters<Parameters<typeof managerNs.on<'connection'>>[1]>[0];
  const m = handlers<ManagerClientToServer, ManagerSocket>(log);
  const anything = z.unknown();
  const id = z.string().min(1).max(128);
  const inDefault = <T extends { poolId?: string }>(payload: T) => payload.poolId ?? DEFAULT_POOL;
  // v1 took anything here: a payload that names no pool means `default`; one that names
  // a malformed pool id is INVALID, as in every pool-scoped request.
  const poolGetPayload = z.unknown().transform((p, ctx) => {
    if (p === null || typeof p !== 'object' || !('poolId' in p)) return {};
    const named = poolId.safeParse((p as { poolId: unknown }).poolId);
    if (named.success) return { poolId: named.data };
    ctx.addIssue({ code: 'custom', message: named.error.issues[0]?.message ?? 'not a pool id', path: ['poolId'] });
    return z.NEVER;
  });
  // Everything the HTTP manager routes do, as events with acks (see docs/API.md). A
  // pool-scoped request names its pool (`poolId`), `default` when it does not.
  const managerHandlers = [
    m(EV.modeSet, inPool(ModeSchema), async (p) => ({ mode: await pool.setMode(inDefault(p), p.mode) })),
    m(EV.settingsPatch, inPool<SettingsPatch>(SettingsPatchSchema), async ({ poolId, ...patch }) => ({
      settings: await pool.patchSettings(poolId ?? DEFAULT_POOL, patch),
    })),
    m(EV.rulesSet, inPool(RulesSchema), async (p) => ({ rules: await pool.setRules(inDefault(p), p.rules) })),
    m(EV.repCreate, RepCreateSchema, async (input) => reps.create(input)),
    m(EV.repUpdate, z.strictObject({ id, patch: RepPatchSchema }), async ({ id, patch }) => ({
      rep: await reps.update(id, patch),
    })),
    m(EV.repToken, z.strictObject({ id }), ({ id }) => reps.rotateToken(id)),
    m(EV.repDelete, z.strictObject({ id }), async ({ id }) => {
      await reps.delete(id);
      return {};
    }),
    m(EV.leadCreate, inPool<LeadInput>(LeadInputSchema), async ({ poolId, ...input }) =>
      leads.ingest(input, { poolId: poolId ?? DEFAULT_POOL }),
    ),
    m(EV.leadAssign, AssignSchema.extend({ leadId: id }), async ({ leadId, repId }) => ({
      lead: await leads.assign(leadId, repId),
    })),
    m(EV.release, LeadIdPayload, async ({ leadId }) => ({ lead: await leads.release(leadId) })),
    m(EV.reportsSummary, anything, async () => ({ summary: await reads.summary() })),
    m(
      EV.leadsList,
      LeadListQuery.nullish().transform((q) => q ?? LeadListQuery.parse({})),
      async (query) => ({ leads: await reads.listLeads(query) }),
    ),
    m(EV.leadGet, LeadIdPayload, async ({ leadId }) => ({ lead: await reads.getLead(leadId, { role: 'manager' }) })),
    m(EV.repsList, anything, async () => ({ reps: await reads.listReps() })),
    m(EV.poolGet, poolGetPayload, (p) => reads.poolConfig(p.poolId ?? DEFAULT_POOL)),
    m(EV.dashboardGet, anything, async () => ({ state: await reads.dashboardState() })),
    // Pools.
    m(EV.poolsList, anything, async () => ({ pools: await reads.poolOverviews() })),
    m(EV.poolCreate, PoolCreateSchema, async (input) => ({ pool: await pool.create(input) })),
    m(EV.poolUpdate, PoolPatchSchema.extend({ poolId }), async ({ poolId, name }) => ({
      pool: await pool.rename(poolId, name),
    })),
    m(EV.poolDelete, z.strictObject({ poolId }), async ({ poolId }) => {
      await pool.delete(poolId);
      return {};
    }),
    // Feed keys.
    m(EV.feedsList, anything, async () => ({ feeds: await reads.listFeeds() })),
    m(EV.feedCreate, FeedCreateSchema, (input) => feeds.create(input)),
    m(EV.feedKey, z.strictObject({ id }), ({ id }) => feeds.rotate(id)),
    m(EV.feedDelete, z.strictObject({ id }), async ({ id }) => {
      await feeds.delete(id);
      return {};
    }),
  ];
  const managerEvents: ReadonlySet<string> = new Set(managerHandlers.map((h) => h.event));

  managerNs.use(authenticate(credentials, 'manager', guard));
  managerNs.on('connection', (socket) => {
    socket.on('error', (err) => log.error(`manager socket ${socket.id} error`, clientText(err)));
    register(socket, managerHandlers);
    guard.watch(socket, principalOf(socket), managerEvents);

    // Every process publishes managers' events once it knows a dashboard is open: the
    // snapshot is read after that, so no change falls between the two. What the dashboard
    // is sent while it is read is held and follows it (as a rep tab's, above).
    service
      .managerArrived()
      .then(async () => {
        const hold = holdOutgoing(socket);
        try {
          const state = await reads.dashboardState();
          hold.release(() => socket.emit(EV.dashboardState, state));
        } finally {
          hold.release();
        }
      })
      .catch((err) => {
        log.error('dashboard snapshot failed', err);
        socket.disconnect(true);
      });
  });
}
