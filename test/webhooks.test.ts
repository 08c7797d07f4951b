// Webhooks over HTTP against a real local receiver (test/support/receiver.ts), on both
// stores: the routes, signatures, the retry schedule (short delays and timeout through
// LEADPOOL_WEBHOOK_*), a hanging receiver, redelivery, a disabled webhook.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Webhook, WebhookDelivery } from '../shared/protocol.js';
import { type Api, api } from './support/api.js';
import { connectRep, createPool, createReps, eventually, leadInput, okAck, patchSettings, postLead } from './support/clients.js';
import { type Receiver, startReceiver, verifySignature } from './support/receiver.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { type InProcessServer, startInProcess } from './support/server.js';

let redis: Promise<TestRedis> | null = null;
const servers: InProcessServer[] = [];
const receivers: Receiver[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await (await redis)?.stop();
});

const FAST = { LEADPOOL_WEBHOOK_RETRY_DELAYS_MS: '100,100,100', LEADPOOL_WEBHOOK_TIMEOUT_MS: '2000' };

const stores = [
  { name: 'embedded', env: async () => ({}) },
  {
    name: 'redis',
    env: async () => {
      redis ??= startRedis();
      return { REDIS_URL: (await redis).url, LEADPOOL_REDIS_PREFIX: randomPrefix('wh') };
    },
  },
];

/** Waits for a value (not false, null or undefined), like eventually, and types it so. */
const until = async <T>(check: () => Promise<T | false | null | undefined>, timeoutMs = 15_000): Promise<T> =>
  (await eventually(check, timeoutMs)) as T;

interface Created {
  webhook: Webhook;
  secret: string;
}

describe.each(stores)('webhooks: $name', ({ env }) => {
  const start = async (extra: Record<string, string> = {}) => {
    const server = await startInProcess({ env: { ...(await env()), ...FAST, ...extra } });
    servers.push(server);
    return { server, manager: api(server.url, server.managerToken), feed: api(server.url, server.feedKey) };
  };
  const receiver = async (answer?: Receiver['answer']) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };
  const deliveries = async (manager: Api, id: string) =>
    (await manager.get<{ deliveries: WebhookDelivery[] }>(`/api/webhooks/${id}/deliveries`)).body.deliveries;

  it('manages webhooks: the secret is shown once, URLs and pools are validated, feeds and unknown ids are refused', async () => {
    const { manager, feed } = await start();
    const created = await manager.post<Created>('/api/webhooks', { url: 'https://crm.example.com/hook', events: ['lead.created'] });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.webhook).toMatchObject({ url: 'https://crm.example.com/hook', events: ['lead.created'], enabled: true });
    expect(JSON.stringify(created.body.webhook)).not.toContain(created.body.secret);
    const id = created.body.webhook.id;

    const given = await manager.post<Created>('/api/webhooks', {
      url: 'http://127.0.0.1:9/x',
      events: ['lead.claimed', 'lead.closed'],
      poolIds: ['default'],
      secret: 'my-own-secret-0123456789',
    });
    expect(given.body.secret).toBe('my-own-secret-0123456789');

    const list = await manager.get<{ webhooks: Webhook[] }>('/api/webhooks');
    expect(list.body.webhooks.map((w) => w.id)).toEqual([id, given.body.webhook.id]);
    expect(JSON.stringify(list.body)).not.toMatch(/secret/);

    for (const bad of [
      { url: 'ftp://example.com/x', events: ['lead.created'] },
      { url: 'javascript:alert(1)', events: ['lead.created'] },
      { url: 'https://user:pw@example.com/', events: ['lead.created'] },
      { url: 'https://example.com/', events: [] },
      { url: 'https://example.com/', events: ['lead.nope'] },
      { url: 'https://example.com/', events: ['lead.created'], poolIds: ['no-such-pool'] },
      { url: 'https://example.com/', events: ['lead.created'], extra: 1 },
    ]) {
      const res = await manager.post('/api/webhooks', bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.error.code).toBe('INVALID');
    }
    expect((await feed.post('/api/webhooks', { url: 'https://example.com/', events: ['lead.created'] })).status).toBe(403);
    expect((await api(servers[0].url).get('/api/webhooks')).status).toBe(401);

    const patched = await manager.patch<{ webhook: Webhook }>(`/api/webhooks/${id}`, {
      enabled: false,
      events: ['lead.outcome'],
      poolIds: ['default'],
    });
    expect(patched.body.webhook).toMatchObject({ id, enabled: false, events: ['lead.outcome'], poolIds: ['default'] });
    const cleared = await manager.patch<{ webhook: Webhook }>(`/api/webhooks/${id}`, { poolIds: null });
    expect(cleared.body.webhook.poolIds).toBeUndefined();
    expect((await manager.patch(`/api/webhooks/${id}`, { url: 'file:///etc/passwd' })).status).toBe(422);
    expect((await manager.patch('/api/webhooks/wh_nope', { enabled: true })).status).toBe(404);
    expect((await manager.get('/api/webhooks/wh_nope/deliveries')).status).toBe(404);
    expect((await manager.post('/api/webhooks/wh_nope/ping')).status).toBe(404);
    expect((await manager.post(`/api/webhooks/${id}/deliveries/dlv_nope/redeliver`)).status).toBe(404);
    expect((await manager.del(`/api/webhooks/${id}`)).status).toBe(204);
    expect((await manager.del(`/api/webhooks/${id}`)).status).toBe(404);
  });

  it('a test event (ping) arrives signed, with the event and delivery headers, and is logged as delivered', async () => {
    const { manager } = await start();
    const r = await receiver();
    const { webhook, secret } = (await manager.post<Created>('/api/webhooks', { url: r.url, events: ['lead.created'] })).body;
    const ping = await manager.post<{ delivery: WebhookDelivery }>(`/api/webhooks/${webhook.id}/ping`);
    expect(ping.status).toBe(201);
    const dlvId = ping.body.delivery.id;
    await eventually(() => r.received.length === 1, 10_000);
    const got = r.received[0];
    expect(got.headers['leadpool-event']).toBe('ping');
    expect(got.headers['leadpool-delivery']).toBe(dlvId);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.body).toMatchObject({ id: dlvId, type: 'ping', poolId: null, data: { webhookId: webhook.id } });
    expect(verifySignature(secret, got.raw, got.headers['leadpool-signature'] as string)).toBe(true);
    expect(verifySignature('another-secret-0123456789', got.raw, got.headers['leadpool-signature'] as string)).toBe(false);
    expect(verifySignature(secret, `${got.raw} `, got.headers['leadpool-signature'] as string)).toBe(false);
    const [logged] = await until(async () => {
      const list = await deliveries(manager, webhook.id);
      return list[0]?.status === 'delivered' && list;
    }, 10_000);
    expect(logged).toMatchObject({ id: dlvId, event: 'ping', status: 'delivered', attempts: 1, lastStatus: 200 });
    expect(logged.nextAttemptAt).toBeUndefined();
  });

  it('a receiver failing twice then succeeding gets the delivery on the 3rd attempt, with the same delivery id and body', async () => {
    const { manager } = await start();
    const r = await receiver((_req, n) => (n <= 2 ? 500 : 200));
    const { webhook } = (await manager.post<Created>('/api/webhooks', { url: r.url, events: ['lead.created'] })).body;
    const dlvId = (await manager.post<{ delivery: WebhookDelivery }>(`/api/webhooks/${webhook.id}/ping`)).body.delivery.id;
    const [logged] = await until(async () => {
      const list = await deliveries(manager, webhook.id);
      return list[0]?.status === 'delivered' && list;
    }, 15_000);
    expect(logged).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(r.attempts(dlvId)).toBe(3);
    expect(r.received.map((x) => x.answered)).toEqual([500, 500, 200]);
    expect(new Set(r.received.map((x) => x.raw)).size).toBe(1);
    expect(r.delivered().get(dlvId)).toBe(1);
    const metrics = String((await manager.get('/metrics')).body);
    const count = (status: string) =>
      Number(new RegExp(`leadpool_webhook_deliveries_total\\{status="${status}"\\} (\\d+)`).exec(metrics)?.[1]);
    expect(count('retry')).toBeGreaterThanOrEqual(2);
    expect(count('delivered')).toBeGreaterThanOrEqual(1);
  });

  it('a hanging receiver times out and the attempt is retried; a receiver that never succeeds ends failed, and redeliver sends it again', async () => {
    const { manager } = await start({ LEADPOOL_WEBHOOK_TIMEOUT_MS: '300' });
    const r = await receiver((_req, n) => (n === 1 ? 'hang' : 200));
    const { webhook } = (await manager.post<Created>('/api/webhooks', { url: r.url, events: ['lead.created'] })).body;
    const dlvId = (await manager.post<{ delivery: WebhookDelivery }>(`/api/webhooks/${webhook.id}/ping`)).body.delivery.id;
    // After the first attempt timed out, the log says so while the retry waits.
    const [logged] = await until(async () => {
      const list = await deliveries(manager, webhook.id);
      return list[0]?.status === 'delivered' && list;
    }, 15_000);
    expect(logged.attempts).toBe(2);
    expect(r.attempts(dlvId)).toBe(2);

    r.answer = () => 503;
    const failing = (await manager.post<{ delivery: WebhookDelivery }>(`/api/webhooks/${webhook.id}/ping`)).body.delivery.id;
    const failed = await eventually(
      async () => (await deliveries(manager, webhook.id)).find((d) => d.id === failing && d.status === 'failed'),
      15_000,
    );
    // 1 attempt + 3 retries (LEADPOOL_WEBHOOK_RETRY_DELAYS_MS=100,100,100), then failed.
    expect(failed).toMatchObject({ attempts: 4, lastStatus: 503, lastError: 'HTTP 503' });
    expect(r.attempts(failing)).toBe(4);

    r.answer = () => 200;
    const again = await manager.post<{ delivery: WebhookDelivery }>(`/api/webhooks/${webhook.id}/deliveries/${failing}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body.delivery).toMatchObject({ id: failing, status: 'pending', attempts: 0 });
    await eventually(() => r.delivered().get(failing) === 1, 15_000);
    const last = r.received[r.received.length - 1];
    expect(last.headers['leadpool-delivery']).toBe(failing);
    const list = await deliveries(manager, webhook.id);
    expect(list[0].id).toBe(failing);
  });

  it('records why a receiver gave no answer (connection refused), with the next attempt due', async () => {
    const { manager } = await start({ LEADPOOL_WEBHOOK_RETRY_DELAYS_MS: '600000' });
    const r = await receiver();
    const url = r.url;
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const { webhook } = (await manager.post<Created>('/api/webhooks', { url, events: ['lead.created'] })).body;
    await manager.post(`/api/webhooks/${webhook.id}/ping`);
    const d = await until(async () => (await deliveries(manager, webhook.id)).find((x) => x.attempts === 1 && x.lastError), 15_000);
    expect(d.status).toBe('pending');
    expect(d.lastError).toMatch(/ECONNREFUSED/);
    expect(Date.parse(d.nextAttemptAt!)).toBeGreaterThan(Date.now() + 500_000);
  });

  it('every event type arrives, once per delivery id, with the full lead and the rep; pools and the start are respected', async () => {
    const { server, manager, feed } = await start();
    const before = await postLead(feed); // before the webhook: not replayed
    const r = await receiver();
    const all = ['lead.created', 'lead.disqualified', 'lead.claimed', 'lead.released', 'lead.outcome', 'lead.closed'];
    const { webhook, secret } = (await manager.post<Created>('/api/webhooks', { url: r.url, events: all })).body;
    await createPool(manager, 'other');
    const other = await receiver();
    await manager.post('/api/webhooks', { url: other.url, events: all, poolIds: ['other'] });
    const onlyClosed = await receiver();
    await manager.post('/api/webhooks', { url: onlyClosed.url, events: ['lead.closed'] });

    const [rep] = await createReps(manager, 1);
    const tab = await connectRep(server.url, rep.token);
    const lead = await postLead(feed, { name: 'Ada Lovelace', email: 'ada@example.com' });
    await okAck(tab.socket, EV.claim, { leadId: lead.id }); // lead.claimed
    await okAck(tab.socket, EV.release, { leadId: lead.id }); // lead.released
    expect((await manager.post(`/api/leads/${lead.id}/assign`, { repId: rep.rep.id })).status).toBe(200); // lead.claimed
    await okAck(tab.socket, EV.outcome, { leadId: lead.id, outcome: 'contacted' }); // lead.outcome
    await okAck(tab.socket, EV.outcome, { leadId: lead.id, outcome: 'won' }); // lead.outcome + lead.closed
    await patchSettings(manager, { filters: { countries: ['GB'] } });
    const disq = (await feed.post('/api/leads', leadInput({ country: 'US' }))).body.lead; // lead.disqualified
    expect(disq.status).toBe('disqualified');

    const expected = [
      'lead.created',
      'lead.claimed',
      'lead.released',
      'lead.claimed',
      'lead.outcome',
      'lead.outcome',
      'lead.closed',
      'lead.disqualified',
    ];
    await eventually(() => r.received.length >= expected.length, 20_000);
    // Each delivery once (by id; attempts run in parallel, so in no promised order), signed,
    // nothing of the lead posted before.
    const byId = new Map(r.received.map((x) => [x.body.id, x]));
    expect(byId.size).toBe(r.received.length);
    expect(r.received.map((x) => x.body.type).sort()).toEqual([...expected].sort());
    const got = (type: string) => r.received.filter((x) => x.body.type === type).map((x) => x.body);
    for (const x of r.received) {
      expect(x.headers['leadpool-event']).toBe(x.body.type);
      expect(x.headers['leadpool-delivery']).toBe(x.body.id);
      expect(verifySignature(secret, x.raw, x.headers['leadpool-signature'] as string)).toBe(true);
      expect(x.body.poolId).toBe('default');
      expect(x.body.data.lead!.id).not.toBe(before.id);
    }
    const [created] = got('lead.created');
    expect(created.data.lead).toMatchObject({ id: lead.id, name: 'Ada Lovelace', email: 'ada@example.com', poolId: 'default' });
    expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(Date.parse(webhook.createdAt) - 1000);
    for (const claimed of got('lead.claimed')) expect(claimed.data.rep).toEqual({ id: rep.rep.id, name: rep.rep.name });
    expect(got('lead.released')[0].data.reason).toBeTruthy();
    expect(got('lead.closed')[0].data.lead).toMatchObject({ id: lead.id, status: 'closed', outcome: 'won' });
    expect(got('lead.disqualified')[0].data.lead!.id).toBe(disq.id);
    // Filters: another pool's webhook got nothing, the closed-only one only the close.
    expect(other.received).toEqual([]);
    await eventually(() => onlyClosed.received.length === 1, 10_000);
    expect(onlyClosed.received[0].body.type).toBe('lead.closed');
    // Nothing more arrives: every delivery was made once.
    const list = await until(async () => {
      const l = await deliveries(manager, webhook.id);
      return l.length === expected.length && l.every((d) => d.status === 'delivered') && l;
    });
    expect(list.every((d) => d.attempts === 1)).toBe(true);
    expect(r.received.length).toBe(expected.length);
  });

  it('without a webhook the outbox keeps up with the trail by jumping to its newest event; a webhook made then gets what follows', async () => {
    const { server, manager, feed } = await start();
    const { store } = server.leadpool;
    for (let i = 0; i < 30; i++) await postLead(feed);
    const newest = async () => (await store.listEvents({ limit: 1 })).events[0].id;
    // The idle pass runs every few seconds (and at start): the cursor reaches the newest event.
    const reached = await newest();
    await eventually(async () => (await store.outboxCursor()) === reached, 15_000);
    const r = await receiver();
    await manager.post<Created>('/api/webhooks', { url: r.url, events: ['lead.created'] });
    const lead = await postLead(feed);
    await eventually(() => r.received.length >= 1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.received.map((x) => x.body.data.lead!.id)).toEqual([lead.id]);
    expect(await store.outboxCursor()).toBe(await newest());
  });

  it('a disabled webhook gets nothing: its test event fails at once', async () => {
    const { manager } = await start();
    const r = await receiver();
    const { webhook } = (await manager.post<Created>('/api/webhooks', { url: r.url, events: ['lead.created'] })).body;
    await manager.patch(`/api/webhooks/${webhook.id}`, { enabled: false });
    await manager.post(`/api/webhooks/${webhook.id}/ping`);
    const d = await until(async () => (await deliveries(manager, webhook.id)).find((x) => x.status === 'failed'), 10_000);
    expect(d).toMatchObject({ attempts: 0, lastError: 'the webhook is disabled' });
    expect(r.received).toEqual([]);
  });
});
