// Webhooks (docs/API.md, Webhooks): the manager's commands, the materializer and the
// dispatcher. Nothing here runs inside a request that changes leads, a claim or a fan-out:
// - the materializer reads the audit trail after the outbox cursor (both in the store),
//   builds each matching webhook's delivery and stores the deliveries with the new cursor in
//   ONE compare-and-set (Store.addDeliveries), so no event is skipped and, in a cluster, two
//   processes never make the same deliveries;
// - the dispatcher claims due deliveries with a lease (Store.claimDeliveries, like runDue's
//   timers), so each attempt is made by one process, and a process that dies mid-attempt
//   leaves the delivery to another once the lease runs out; at most `concurrency` attempts
//   are in flight per process, each bounded by the timeout.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AuditEvent, Lead, Webhook, WebhookDelivery, WebhookEventType, WebhookPayload } from '../../shared/protocol.js';
import type { WebhookCreate, WebhookPatch } from '../../shared/schemas.js';
import type { WebhookTiming } from '../config.js';
import { ApiError } from '../errors.js';
import { webhookDeliveries } from '../metrics.js';
import type { AttemptResult, ClaimedDelivery, NewDelivery, Store, StoredDelivery, StoredWebhook } from '../store/types.js';
import type { Logger } from './logger.js';

/** The audit event types each webhook event stands for. */
const EVENT_OF: Record<string, WebhookEventType> = {
  'lead.created': 'lead.created',
  'lead.disqualified': 'lead.disqualified',
  'lead.claimed': 'lead.claimed',
  'lead.pulled': 'lead.claimed',
  'lead.assigned': 'lead.claimed',
  'lead.released': 'lead.released',
  'lead.revoked': 'lead.released',
  'lead.expired': 'lead.released',
  'lead.outcome': 'lead.outcome',
  'lead.closed': 'lead.closed',
};

export const DEFAULT_WEBHOOK_TIMING: WebhookTiming = {
  timeoutMs: 10_000,
  retryDelaysMs: [10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000],
  concurrency: 16,
};

/** Events read per materializer round. */
const EVENT_BATCH = 500;
/** Without an enabled webhook: the cursor moves on to the newest event this often. */
const IDLE_ADVANCE_EVERY_MS = 5_000;
/** How often the materializer and the dispatcher look for work. */
const MATERIALIZE_EVERY_MS = 250;
const DISPATCH_EVERY_MS = 250;
/** A lease outlasts the attempt (its timeout) by this, the time to record its result. */
const LEASE_MARGIN_MS = 5_000;
/** Deliveries listed per webhook at most. */
export const DELIVERY_LIST_LIMIT = 100;

/** `t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (docs/API.md, Webhooks). */
export function signature(secret: string, body: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** The delivery id of an event for a webhook: the same whichever process makes it. */
const deliveryId = (eventId: string, webhookId: string) =>
  `dlv_${createHash('sha256').update(`${eventId}\0${webhookId}`).digest('hex').slice(0, 32)}`;

export function publicWebhook(hook: StoredWebhook): Webhook {
  const { secret: _secret, ...rest } = hook;
  return rest;
}

export function publicDelivery(d: StoredDelivery): WebhookDelivery {
  const { body: _body, lease: _lease, dueAt, ...rest } = d;
  return d.status === 'pending' && dueAt !== undefined ? { ...rest, nextAttemptAt: new Date(dueAt).toISOString() } : rest;
}

type Every = (ms: number, name: string, task: () => Promise<void>) => void;

export class Webhooks {
  private readonly inFlight = new Set<AbortController>();
  private claiming = false;
  private stopped = false;
  private idleAdvancedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly timing: WebhookTiming = DEFAULT_WEBHOOK_TIMING,
  ) {}

  // ---- commands (manager) ---------------------------------------------------------------

  async create(input: WebhookCreate): Promise<{ webhook: Webhook; secret: string }> {
    await this.checkPools(input.poolIds);
    const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const hook: StoredWebhook = {
      id: `wh_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      url: input.url,
      events: input.events,
      ...(input.poolIds ? { poolIds: input.poolIds } : {}),
      enabled: true,
      createdAt: new Date().toISOString(),
      secret,
    };
    await this.store.createWebhook(hook);
    return { webhook: publicWebhook(hook), secret };
  }

  async list(): Promise<Webhook[]> {
    return (await this.store.listWebhooks()).map(publicWebhook);
  }

  async update(id: string, patch: WebhookPatch): Promise<Webhook> {
    if (patch.poolIds) await this.checkPools(patch.poolIds);
    const hook = await this.store.updateWebhook(id, patch);
    if (!hook) throw new ApiError('NOT_FOUND', 'no such webhook');
    return publicWebhook(hook);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteWebhook(id))) throw new ApiError('NOT_FOUND', 'no such webhook');
  }

  async deliveries(id: string): Promise<WebhookDelivery[]> {
    await this.hook(id);
    return (await this.store.listDeliveries(id, DELIVERY_LIST_LIMIT)).map(publicDelivery);
  }

  async redeliver(id: string, deliveryIdParam: string): Promise<WebhookDelivery> {
    const found = await this.store.getDelivery(deliveryIdParam);
    if (!found || found.webhookId !== id) throw new ApiError('NOT_FOUND', 'no such delivery');
    const d = await this.store.redeliver(deliveryIdParam);
    if (!d) throw new ApiError('NOT_FOUND', 'no such delivery');
    this.kick();
    return publicDelivery(d);
  }

  /** A `ping` delivery to this webhook ("send test event"); a disabled webhook's fails at once. */
  async ping(id: string): Promise<WebhookDelivery> {
    const hook = await this.hook(id);
    const dlvId = `dlv_${randomUUID().replace(/-/g, '')}`;
    const createdAt = new Date().toISOString();
    const payload: WebhookPayload = { id: dlvId, type: 'ping', createdAt, poolId: null, data: { webhookId: hook.id } };
    await this.store.addDeliveries([{ id: dlvId, webhookId: hook.id, event: 'ping', createdAt, body: JSON.stringify(payload) }]);
    this.kick();
    const d = await this.store.getDelivery(dlvId);
    if (!d) throw new ApiError('NOT_FOUND', 'no such webhook'); // deleted meanwhile
    return publicDelivery(d);
  }

  private async hook(id: string): Promise<StoredWebhook> {
    const hook = await this.store.getWebhook(id);
    if (!hook) throw new ApiError('NOT_FOUND', 'no such webhook');
    return hook;
  }

  private async checkPools(poolIds: string[] | undefined): Promise<void> {
    if (!poolIds) return;
    const known = new Set((await this.store.listPools()).map((p) => p.id));
    const unknown = poolIds.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
    if (unknown.length) {
      throw new ApiError(
        'INVALID',
        `no such pool: ${unknown.map(({ id }) => id).join(', ')}`,
        unknown.map(({ id, i }) => ({ path: `poolIds.${i}`, message: `no such pool: ${id}` })),
      );
    }
  }

  // ---- background -------------------------------------------------------------------------

  /** Runs the materializer and the dispatcher through the service's periodic runner. */
  start(every: Every): void {
    this.stopped = false;
    every(MATERIALIZE_EVERY_MS, 'webhook outbox', () => this.materialize());
    every(DISPATCH_EVERY_MS, 'webhook deliveries', () => this.dispatch());
  }

  /** Attempts in flight are abandoned: their leases run out and they are made again (at least once). */
  stop(): void {
    this.stopped = true;
    for (const ctrl of this.inFlight) ctrl.abort();
    this.inFlight.clear();
  }

  /** Reads the events after the outbox cursor and stores their deliveries with the new cursor (compare-and-set). */
  async materialize(): Promise<void> {
    // Without a webhook there is nothing to deliver: only keep the cursor near the end of
    // the trail, now and then, so a new webhook starts without a backlog.
    const idle = !(await this.store.listWebhooks()).some((h) => h.enabled);
    if (idle) {
      if (Date.now() - this.idleAdvancedAt < IDLE_ADVANCE_EVERY_MS) return;
      this.idleAdvancedAt = Date.now();
      // Jump to the newest event without reading the ones in between (a busy trail would
      // have every process decode all of it, every few seconds, for nothing).
      const cursor = await this.store.outboxCursor();
      const newest = (await this.store.listEvents({ limit: 1 })).events[0]?.id;
      if (newest === undefined || newest === cursor) return;
      // Listed after the newest event was read: a webhook created since has a later createdAt, and the next pass delivers.
      if ((await this.store.listWebhooks()).some((h) => h.enabled)) return;
      await this.store.addDeliveries([], { expected: cursor, next: newest });
      return;
    }
    for (let round = 0; round < 20 && !this.stopped; round++) {
      const cursor = await this.store.outboxCursor();
      const events = await this.store.eventsAfter(cursor, EVENT_BATCH);
      if (events.length === 0) return;
      // Listed after the events were read: a webhook created since has a later createdAt than all of them.
      const hooks = (await this.store.listWebhooks()).filter((h) => h.enabled);
      const deliveries = hooks.length ? await this.build(events, hooks) : [];
      const moved = await this.store.addDeliveries(deliveries, { expected: cursor, next: events[events.length - 1].id });
      if (!moved) return; // another process made these; it goes on from there
      if (deliveries.length) this.kick();
      if (events.length < EVENT_BATCH) return;
    }
  }

  private async build(events: AuditEvent[], hooks: StoredWebhook[]): Promise<NewDelivery[]> {
    const leads = new Map<string, Lead | null>();
    const reps = new Map<string, { id: string; name: string } | null>();
    const out: NewDelivery[] = [];
    for (const event of events) {
      const type = EVENT_OF[event.type];
      if (!type || !event.leadId) continue;
      const at = Date.parse(event.at);
      const poolId = event.poolId ?? null;
      const targets = hooks.filter(
        (h) => h.events.includes(type) && (!h.poolIds || (poolId !== null && h.poolIds.includes(poolId))) && at >= Date.parse(h.createdAt),
      );
      if (targets.length === 0) continue;
      if (!leads.has(event.leadId)) leads.set(event.leadId, await this.store.getLead(event.leadId));
      const lead = leads.get(event.leadId);
      if (!lead) continue;
      let rep: { id: string; name: string } | null = null;
      if (event.repId) {
        if (!reps.has(event.repId)) {
          const stored = await this.store.getRep(event.repId);
          reps.set(event.repId, stored ? { id: stored.id, name: stored.name } : null);
        }
        rep = reps.get(event.repId) ?? { id: event.repId, name: '' };
      }
      const reason = event.data?.reason;
      for (const hook of targets) {
        const id = deliveryId(event.id, hook.id);
        const payload: WebhookPayload = {
          id,
          type,
          createdAt: event.at,
          poolId: poolId ?? lead.poolId,
          data: { lead, ...(rep ? { rep } : {}), ...(typeof reason === 'string' ? { reason } : {}) },
        };
        out.push({ id, webhookId: hook.id, event: type, createdAt: event.at, body: JSON.stringify(payload) });
      }
    }
    return out;
  }

  /** Claims what is due (up to the free attempt slots) and starts each attempt without waiting for it. */
  async dispatch(): Promise<void> {
    if (this.claiming || this.stopped) return;
    this.claiming = true;
    try {
      for (;;) {
        const free = this.timing.concurrency - this.inFlight.size;
        if (free <= 0 || this.stopped) return;
        const claimed = await this.store.claimDeliveries(free, this.timing.timeoutMs + LEASE_MARGIN_MS);
        for (const c of claimed) void this.attempt(c);
        if (claimed.length < free) return;
      }
    } finally {
      this.claiming = false;
    }
  }

  /** New work: look for it now rather than at the next tick. */
  private kick(): void {
    if (this.stopped) return;
    setImmediate(() => this.dispatch().catch(() => {})); // the periodic run reports store failures
  }

  private async attempt(c: ClaimedDelivery): Promise<void> {
    const { delivery } = c;
    const ctrl = new AbortController();
    this.inFlight.add(ctrl);
    let result: AttemptResult;
    try {
      const res = await fetch(c.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Leadpool-Webhooks/1',
          'leadpool-event': delivery.event,
          'leadpool-delivery': delivery.id,
          'leadpool-signature': signature(c.secret, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.any([ctrl.signal, AbortSignal.timeout(this.timing.timeoutMs)]),
      });
      await res.body?.cancel().catch(() => {});
      result =
        res.status >= 200 && res.status < 300
          ? { ok: true, status: res.status, retryInMs: null }
          : { ok: false, status: res.status, error: `HTTP ${res.status}`, retryInMs: this.retryIn(delivery.attempts) };
    } catch (err) {
      if (ctrl.signal.aborted) return; // stopping: the lease runs out and it is made again
      result = { ok: false, error: describe(err, this.timing.timeoutMs), retryInMs: this.retryIn(delivery.attempts) };
    } finally {
      this.inFlight.delete(ctrl);
    }
    webhookDeliveries.inc({ status: result.ok ? 'delivered' : result.retryInMs === null ? 'failed' : 'retry' });
    try {
      await this.store.finishDelivery(delivery.id, c.lease, result);
    } catch (err) {
      // Not recorded: the lease runs out and the attempt is made again.
      this.log.error('recording a webhook attempt failed', err, { deliveryId: delivery.id });
    }
    if (this.inFlight.size < this.timing.concurrency) this.kick();
  }

  /** The delay before the next attempt after `attempts` made; null: no more (failed). */
  private retryIn(attempts: number): number | null {
    return this.timing.retryDelaysMs[attempts - 1] ?? null;
  }
}

/** Why an attempt got no answer, in a few words (no URL: it may hold a token). */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause;
  if (cause?.code) return `connection failed (${cause.code})`;
  return (cause?.message ?? e?.message ?? 'request failed').slice(0, 200);
}
