// The webhook outbox across processes, with real child servers (server/main.ts) and a
// real receiver: a process SIGKILLed in the middle of attempts delivers them once it is
// restarted (both stores), and three processes on one Redis make each attempt of a
// delivery one at a time, each delivery (test events and lead events) delivered once.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Webhook, WebhookDelivery } from '../shared/protocol.js';
import { type Api, api } from './support/api.js';
import { eventually, postLead } from './support/clients.js';
import { type Receiver, startReceiver } from './support/receiver.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { startServer, type TestServer, tempDir } from './support/server.js';

let redis: Promise<TestRedis> | null = null;
const servers: TestServer[] = [];
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await (await redis)?.stop();
});
const redisUrl = async () => {
  redis ??= startRedis();
  return (await redis).url;
};

const credentials = () => ({
  managerToken: `mgr_${randomBytes(12).toString('hex')}`,
  feedKey: `feed_${randomBytes(12).toString('hex')}`,
});

const createWebhook = async (manager: Api, url: string) =>
  (await manager.post<{ webhook: Webhook; secret: string }>('/api/webhooks', { url, events: ['lead.created'] })).body.webhook;
const ping = async (manager: Api, id: string) =>
  (await manager.post<{ delivery: WebhookDelivery }>(`/api/webhooks/${id}/ping`)).body.delivery.id;

describe.each([
  { name: 'embedded', env: async (): Promise<Record<string, string>> => ({}) },
  {
    name: 'redis',
    env: async (): Promise<Record<string, string>> => ({ REDIS_URL: await redisUrl(), LEADPOOL_REDIS_PREFIX: randomPrefix('whk') }),
  },
])('a killed process: $name', ({ env }) => {
  it('deliveries in the middle of their attempts when the process was SIGKILLed are delivered after the restart', async () => {
    const r = await startReceiver((_req, n) => (n === 1 ? 'hang' : 200));
    receivers.push(r);
    const dataDir = tempDir();
    const creds = credentials();
    const opts = {
      dataDir,
      ...creds,
      env: { ...(await env()), LEADPOOL_LOG: 'silent', LEADPOOL_WEBHOOK_TIMEOUT_MS: '3000', LEADPOOL_WEBHOOK_RETRY_DELAYS_MS: '100,100' },
    };
    const first = await startServer(opts);
    const manager = api(first.url, creds.managerToken);
    const hook = await createWebhook(manager, r.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await ping(manager, hook.id));
    // Every one is in the middle of its first attempt (the receiver hangs): kill.
    await eventually(() => ids.every((id) => r.attempts(id) === 1), 20_000);
    await first.kill();

    const second = await startServer(opts);
    servers.push(second);
    // Their leases run out (timeout + margin) and the restarted process makes them again.
    await eventually(() => ids.every((id) => r.delivered().get(id) === 1), 40_000, 100);
    const again = api(second.url, creds.managerToken);
    let list: WebhookDelivery[] = [];
    await eventually(async () => {
      list = (await again.get<{ deliveries: WebhookDelivery[] }>(`/api/webhooks/${hook.id}/deliveries`)).body.deliveries;
      return list.every((d) => d.status === 'delivered');
    }, 20_000);
    expect(list.map((d) => d.id).sort()).toEqual([...ids].sort());
    for (const d of list) expect(d).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200 });
  }, 120_000);
});

describe('three processes on one Redis', () => {
  it('each delivery is attempted by one process at a time and delivered once', async () => {
    // Every first attempt fails slowly, every second one succeeds slowly: attempts overlap
    // across processes if two could hold the same delivery.
    const r = await startReceiver((_req, n) => ({ status: n === 1 ? 500 : 200, afterMs: 150 }));
    receivers.push(r);
    const creds = credentials();
    const env = {
      REDIS_URL: await redisUrl(),
      LEADPOOL_REDIS_PREFIX: randomPrefix('whc'),
      LEADPOOL_LOG: 'silent',
      LEADPOOL_WEBHOOK_RETRY_DELAYS_MS: '50,50,50',
      LEADPOOL_WEBHOOK_CONCURRENCY: '4',
    };
    const nodes = await Promise.all([0, 1, 2].map(() => startServer({ env, ...creds })));
    servers.push(...nodes);
    const managers = nodes.map((n) => api(n.url, creds.managerToken));
    const hook = await createWebhook(managers[0], r.url);
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => ping(managers[i % 3], hook.id)));
    // Lead events too: every process's materializer reads the same audit trail at once.
    const feeds = nodes.map((n) => api(n.url, creds.feedKey));
    const leads = await Promise.all(Array.from({ length: 20 }, (_, i) => postLead(feeds[i % 3])));
    await eventually(() => ids.every((id) => r.delivered().get(id) === 1), 60_000, 100);
    const createdFor = () =>
      r.received.filter((x) => x.body.type === 'lead.created' && x.answered === 200).map((x) => x.body.data.lead!.id);
    await eventually(() => createdFor().length >= leads.length, 60_000, 100);
    expect(createdFor().sort()).toEqual(leads.map((l) => l.id).sort());
    ids.push(...new Set(r.received.filter((x) => x.body.type === 'lead.created').map((x) => x.body.id)));
    expect(ids.length).toBe(50);
    expect(r.maxConcurrentPerDelivery()).toBe(1);
    for (const id of ids) expect(r.attempts(id)).toBe(2);
    const list = (await managers[2].get<{ deliveries: WebhookDelivery[] }>(`/api/webhooks/${hook.id}/deliveries`)).body.deliveries;
    await eventually(async () => {
      const l = (await managers[1].get<{ deliveries: WebhookDelivery[] }>(`/api/webhooks/${hook.id}/deliveries`)).body.deliveries;
      return l.length === 50 && l.every((d) => d.status === 'delivered' && d.attempts === 2);
    }, 20_000);
    expect(list.length).toBeGreaterThanOrEqual(30);
  }, 120_000);
});
