// Socket.IO namespaces /rep and /manager: authenticate on connect, validate each payload,
// call the service, answer through the acknowledgement. A bad payload or a missing ack
// callback never throws out of a handler, so nothing else is disturbed.
import type { Namespace, Server, Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { z } from 'zod';
import { type Ack, EV } from '../../shared/protocol.js';
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
import type { LeadpoolService, Logger } from '../service.js';

type Reply = (answer: Ack<object>) => void;

/**
 * Registers `event` with a payload schema. The last argument is the ack callback when it
 * is a function; without one the answer is dropped (the action still runs).
 */
function handle<T>(socket: Socket, log: Logger, event: string, schema: ZodType<T>, run: (payload: T) => Promise<object>): void {
  socket.on(event, async (...args: unknown[]) => {
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

/** Socket.IO auth middleware for one role; errors become `connect_error` messages. */
function authenticate(ns: Namespace, credentials: Credentials, role: 'rep' | 'manager'): void {
  ns.use((socket, next) => {
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
  });
}

export function attachSockets(io: Server, service: LeadpoolService, credentials: Credentials, log: Logger): void {
  const reps = io.of('/rep');
  authenticate(reps, credentials, 'rep');
  reps.on('connection', (socket) => {
    const repId = socket.data.repId as string;
    const tabId = `${service.nodeId}:${socket.id}`;
    socket.on('error', (err) => log.error(`rep socket ${socket.id} error`, err));
    socket.join([repRoom(repId), ALL_REPS]);

    // Handlers first, so nothing the client sends right after connecting is missed.
    handle(socket, log, EV.claim, LeadIdPayload, async ({ leadId }) => ({ lead: await service.claim(repId, leadId, socket.id) }));
    handle(socket, log, EV.pull, PullPayload, async () => ({ lead: await service.pull(repId, socket.id) }));
    handle(socket, log, EV.release, LeadIdPayload, async ({ leadId }) => {
      await service.release(leadId, repId, socket.id);
      return {};
    });
    handle(socket, log, EV.outcome, OutcomePayload, async ({ leadId, outcome, note }) => ({
      lead: await service.outcome(repId, leadId, outcome, note, socket.id),
    }));
    handle(socket, log, EV.presenceSet, PresencePayload, async ({ status }) => {
      await service.setAway(repId, status === 'away');
      return {};
    });

    // Reconnect = snapshot: presence first (so `you.presence` is right), then pool:state.
    const opened = service
      .tabOpened(repId, tabId)
      .then(() => service.poolStateFor(repId))
      .then((state) => {
        if (state) socket.emit(EV.poolState, state);
        else socket.disconnect(true);
      })
      .catch((err) => {
        log.error('rep connect failed', err);
        socket.disconnect(true);
      });
    socket.on('disconnect', () => {
      opened.finally(() => service.tabClosed(repId, tabId)).catch((err) => log.error('rep disconnect failed', err));
    });
  });

  const managers = io.of('/manager');
  authenticate(managers, credentials, 'manager');
  managers.on('connection', (socket) => {
    socket.on('error', (err) => log.error(`manager socket ${socket.id} error`, err));
    const ok = <T>(event: string, schema: ZodType<T>, run: (p: T) => Promise<object>) => handle(socket, log, event, schema, run);
    const none = z.unknown();
    ok(EV.modeSet, ModeSchema, async ({ mode }) => ({ mode: await service.setMode(mode) }));
    // Everything the HTTP manager routes do, as events with acks (see docs/API.md).
    ok('settings:patch', SettingsPatchSchema, async (patch) => ({ settings: await service.patchSettings(patch) }));
    ok('rules:set', RulesSchema, async ({ rules }) => ({ rules: await service.setRules(rules) }));
    ok('rep:create', RepCreateSchema, async (input) => service.createRep(input));
    ok('rep:update', z.strictObject({ id: z.string().min(1).max(128), patch: RepPatchSchema }), async ({ id, patch }) => ({
      rep: await service.updateRep(id, patch),
    }));
    ok('rep:delete', z.strictObject({ id: z.string().min(1).max(128) }), async ({ id }) => {
      await service.deleteRep(id);
      return {};
    });
    ok('lead:create', LeadInputSchema, async (input) => service.ingest(input));
    ok('lead:assign', AssignSchema.extend({ leadId: z.string().min(1).max(128) }), async ({ leadId, repId }) => ({
      lead: await service.assign(leadId, repId),
    }));
    ok('lead:release', LeadIdPayload, async ({ leadId }) => ({ lead: await service.release(leadId) }));
    ok('reports:summary', none, async () => ({ summary: await service.summary() }));
    ok(
      'leads:list',
      LeadListQuery.nullish().transform((q) => q ?? LeadListQuery.parse({})),
      async (q) => ({ leads: await service.store.listLeads(q) }),
    );
    ok('lead:get', LeadIdPayload, async ({ leadId }) => ({ lead: await service.getLeadFor(leadId, { role: 'manager' }) }));
    ok('reps:list', none, async () => ({ reps: await service.listReps() }));
    ok('pool:get', none, async () => {
      const { mode, settings, rules } = await service.store.getPool();
      return { mode, settings, rules };
    });
    ok('dashboard:get', none, async () => ({ state: await service.dashboardState() }));

    service
      .dashboardState()
      .then((state) => socket.emit(EV.dashboardState, state))
      .catch((err) => {
        log.error('dashboard snapshot failed', err);
        socket.disconnect(true);
      });
  });
}
