// Socket.IO namespaces /rep and /manager: authenticate on connect, validate each payload,
// call the service, answer through the acknowledgement. A bad payload or a missing ack
// callback never throws out of a handler, so nothing else is disturbed. Events and their
// answers are typed by the shared maps (shared/events.ts); payloads are untrusted until
// their schema has parsed them.
import type { Server, Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { z } from 'zod';
import { type AnswerFields, EV, type EventMap, type RepSocketData, type RequestPayload } from '../../shared/events.js';
import type { Ack } from '../../shared/protocol.js';
import {
  AssignSchema,
  issuesOf,
  LeadIdPayload,
  LeadInputSchema,
  LeadListQuery,
  ModeSchema,
  OutcomePayload,
  PresencePayload,
  PullPayload,
  RepCreateSchema,
  RepPatchSchema,
  RulesSchema,
  SettingsPatchSchema,
} from '../../shared/schemas.js';
import type { Credentials } from '../auth.js';
import { toApiError } from '../errors.js';
import { ALL_REPS, repRoom } from '../realtime/fanout.js';
import { managerNamespace, repNamespace } from '../realtime/namespaces.js';
import type { Service } from '../service/index.js';
import type { Logger } from '../service/logger.js';

/** A socket as its handlers see what arrives: any event, any arguments, until validated. */
interface Incoming {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Registers the handler of `event` (an event of map `M`) with its payload schema. The
 * schema's output must be a payload the map allows, and `run` must produce the fields of
 * the map's ok answer. The last argument is the ack callback when it is a function;
 * without one the answer is dropped (the action still runs).
 */
function handle<M extends EventMap, K extends keyof M & string, P extends RequestPayload<M, K>>(
  socket: Socket<M, EventMap, EventMap, unknown>,
  log: Logger,
  event: K,
  schema: ZodType<P>,
  run: (payload: P) => Promise<AnswerFields<M, K>>,
): void {
  type Reply = (answer: Ack<AnswerFields<M, K>>) => void;
  (socket as Incoming).on(event, async (...args: unknown[]) => {
    const last = args[args.length - 1];
    const reply: Reply = typeof last === 'function' ? (last as Reply) : () => {};
    const payload = typeof last === 'function' ? args.slice(0, -1)[0] : args[0];
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      reply({ ok: false, error: { code: 'INVALID', message: `invalid ${event} payload`, details: issuesOf(parsed.error) } });
      return;
    }
    try {
      reply({ ok: true, ...(await run(parsed.data)) });
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.code === 'INTERNAL') log.error(`${event} failed`, err);
      reply({ ok: false, error: apiError.toBody() });
    }
  });
}

/** What authentication reads and sets on a connecting socket of either namespace. */
interface Connecting {
  handshake: { auth: unknown };
  data: Partial<RepSocketData>;
}

/** Socket.IO auth middleware for one role; errors become `connect_error` messages. */
function authenticate(credentials: Credentials, role: 'rep' | 'manager') {
  return (socket: Connecting, next: (err?: Error) => void): void => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    credentials
      .identify(typeof token === 'string' ? token : undefined)
      .then((who) => {
        if (!who) return next(new Error('unauthorized'));
        if (who.role !== role) return next(new Error('forbidden'));
        if (who.role === 'rep') socket.data.repId = who.repId;
        next();
      })
      .catch((err) => next(new Error(toApiError(err).code === 'STORE_UNAVAILABLE' ? 'store unavailable' : 'unauthorized')));
  };
}

export function attachSockets(io: Server, service: Service, credentials: Credentials, log: Logger): void {
  const { leads, presence, pool, reps, reads } = service;

  const repNs = repNamespace(io);
  repNs.use(authenticate(credentials, 'rep'));
  repNs.on('connection', (socket) => {
    const { repId } = socket.data;
    // The tab is this socket: its id is also the room that reaches only this tab.
    const tabId = socket.id;
    socket.on('error', (err) => log.error(`rep socket ${tabId} error`, err));
    socket.join([repRoom(repId), ALL_REPS]);

    // Handlers first, so nothing the client sends right after connecting is missed.
    handle(socket, log, EV.claim, LeadIdPayload, async ({ leadId }) => ({ lead: await leads.claim(leadId, repId, tabId) }));
    handle(socket, log, EV.pull, PullPayload, async () => ({ lead: await leads.pull(repId, tabId) }));
    handle(socket, log, EV.release, LeadIdPayload, async ({ leadId }) => {
      await leads.release(leadId, repId, tabId);
      return {};
    });
    handle(socket, log, EV.outcome, OutcomePayload, async ({ leadId, outcome, note }) => ({
      lead: await leads.outcome(leadId, repId, outcome, note, tabId),
    }));
    handle(socket, log, EV.presenceSet, PresencePayload, async ({ status }) => {
      await presence.setAway(repId, status === 'away');
      return {};
    });

    // Reconnect = snapshot: presence first (so `you.presence` is right), then pool:state.
    const opened = presence
      .tabOpened(repId, tabId)
      .then(() => reads.poolStateFor(repId))
      .then((state) => {
        if (state) socket.emit(EV.poolState, state);
        else socket.disconnect(true);
      })
      .catch((err) => {
        log.error('rep connect failed', err);
        socket.disconnect(true);
      });
    socket.on('disconnect', () => {
      opened.finally(() => presence.tabClosed(repId, tabId)).catch((err) => log.error('rep disconnect failed', err));
    });
  });

  const managerNs = managerNamespace(io);
  managerNs.use(authenticate(credentials, 'manager'));
  managerNs.on('connection', (socket) => {
    socket.on('error', (err) => log.error(`manager socket ${socket.id} error`, err));
    const anything = z.unknown();
    const id = z.string().min(1).max(128);
    handle(socket, log, EV.modeSet, ModeSchema, async ({ mode }) => ({ mode: await pool.setMode(mode) }));
    // Everything the HTTP manager routes do, as events with acks (see docs/API.md).
    handle(socket, log, EV.settingsPatch, SettingsPatchSchema, async (patch) => ({ settings: await pool.patchSettings(patch) }));
    handle(socket, log, EV.rulesSet, RulesSchema, async ({ rules }) => ({ rules: await pool.setRules(rules) }));
    handle(socket, log, EV.repCreate, RepCreateSchema, async (input) => reps.create(input));
    handle(socket, log, EV.repUpdate, z.strictObject({ id, patch: RepPatchSchema }), async ({ id, patch }) => ({
      rep: await reps.update(id, patch),
    }));
    handle(socket, log, EV.repDelete, z.strictObject({ id }), async ({ id }) => {
      await reps.delete(id);
      return {};
    });
    handle(socket, log, EV.leadCreate, LeadInputSchema, async (input) => leads.ingest(input));
    handle(socket, log, EV.leadAssign, AssignSchema.extend({ leadId: id }), async ({ leadId, repId }) => ({
      lead: await leads.assign(leadId, repId),
    }));
    handle(socket, log, EV.release, LeadIdPayload, async ({ leadId }) => ({ lead: await leads.release(leadId) }));
    handle(socket, log, EV.reportsSummary, anything, async () => ({ summary: await reads.summary() }));
    handle(
      socket,
      log,
      EV.leadsList,
      LeadListQuery.nullish().transform((q) => q ?? LeadListQuery.parse({})),
      async (query) => ({ leads: await reads.listLeads(query) }),
    );
    handle(socket, log, EV.leadGet, LeadIdPayload, async ({ leadId }) => ({ lead: await reads.getLead(leadId, { role: 'manager' }) }));
    handle(socket, log, EV.repsList, anything, async () => ({ reps: await reads.listReps() }));
    handle(socket, log, EV.poolGet, anything, () => reads.poolConfig());
    handle(socket, log, EV.dashboardGet, anything, async () => ({ state: await reads.dashboardState() }));

    reads
      .dashboardState()
      .then((state) => socket.emit(EV.dashboardState, state))
      .catch((err) => {
        log.error('dashboard snapshot failed', err);
        socket.disconnect(true);
      });
  });
}
