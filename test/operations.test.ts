// Operations: GET /metrics (who may read it, what it holds after a post and a claim),
// /healthz while the store cannot take calls (embedded: a failed write; Redis: no PING
// answer in time), STORE_UNAVAILABLE with `outcome: unknown` and the resync when such a
// change turns out to have happened, JSON logs (a request id per request, no token, no
// contact field, LOG_LEVEL), and a graceful shutdown under load (every 201 durable,
// clients disconnected so that they reconnect elsewhere).
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../server/config.js';
import { changedNothing, touchedBy } from '../server/service/late-outcomes.js';
import { EmbeddedStore } from '../server/store/embedded.js';
import { RedisStore } from '../server/store/redis/store.js';
import { EV } from '../shared/events.js';
import type { Lead } from '../shared/protocol.js';
import { api } from './support/api.js';
import {
  closeAllSockets,
  connectManager,
  connectRep,
  createReps,
  disconnected,
  emitAck,
  eventually,
  leadInput,
  okAck,
  pool,
  postLead,
} from './support/clients.js';
import { randomPrefix } from './support/redis.js';
import { type DebugRedis, type FaultProxy, startDebugRedis, startFaultProxy } from './support/redis-faults.js';
import { type InProcessServer, startInProcess, startServer, type TestServer, tempDir } from './support/server.js';
import { draft } from './support/store-harness.js';

const inProcess: InProcessServer[] = [];
const children: TestServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  closeAllSockets();
  await Promise.all(inProcess.splice(0).map((s) => s.close()));
  await Promise.all(children.splice(0).map((s) => s.kill()));
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => closeAllSockets());

async function inProcessServer(env: Record<string, string> = {}) {
  const server = await startInProcess({ env });
  inProcess.push(server);
  return server;
}
async function child(opts: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(opts);
  children.push(server);
  return server;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value of one sample of the exposition text (labels given in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('GET /metrics', () => {
  it('401 anonymous or with a wrong token, 403 for a feed key or a rep; 200 for the manager token and LEADPOOL_METRICS_TOKEN', async () => {
    const server = await inProcessServer({ LEADPOOL_METRICS_TOKEN: 'scraper-token-0001' });
    const [rep] = await createReps(api(server.url, server.managerToken), 1);
    for (const [token, status, code] of [
      [undefined, 401, 'UNAUTHORIZED'],
      ['wrong-token-000', 401, 'UNAUTHORIZED'],
      [server.feedKey, 403, 'FORBIDDEN'],
      [rep.token, 403, 'FORBIDDEN'],
    ] as const) {
      const res = await api(server.url, token).get('/metrics');
      expect(res.status, String(token)).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    for (const token of [server.managerToken, 'scraper-token-0001']) {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await res.text()).toContain('# TYPE leadpool_leads_ingested_total counter');
    }
  });

  it('holds the listed metrics, with values, after a post and a claim', async () => {
    const server = await inProcessServer();
    const { manager, feed } = pool(server);
    const [a, b] = await createReps(manager, 2);
    const tabA = await connectRep(server.url, a.token);
    const tabB = await connectRep(server.url, b.token);
    const lead = await postLead(feed);
    await postLead(feed, { country: 'FR' });
    const dup = leadInput({ externalId: 'dup-1' });
    expect((await feed.post('/api/leads', dup)).status).toBe(201);
    expect((await feed.post('/api/leads', dup)).status).toBe(200);
    await okAck(tabA.socket, EV.claim, { leadId: lead.id });
    const lost = await emitAck(tabB.socket, EV.claim, { leadId: lead.id });
    expect(lost.ok).toBe(false);
    await emitAck(tabB.socket, EV.pull, {});

    const text = await scrape(server.url, server.managerToken);
    const atLeast = (name: string, labels: Record<string, string>, min = 1) =>
      expect(sample(text, name, labels), `${name} ${JSON.stringify(labels)}`).toBeGreaterThanOrEqual(min);
    atLeast('leadpool_leads_ingested_total', { pool: 'default', status: 'open' }, 3);
    atLeast('leadpool_leads_ingested_total', { pool: 'default', status: 'duplicate' });
    atLeast('leadpool_claims_total', { action: 'claim', result: 'ok' });
    atLeast('leadpool_claims_total', { action: 'claim', result: 'ALREADY_CLAIMED' });
    atLeast('leadpool_claims_total', { action: 'pull' }); // ok or POOL_EMPTY: counted either way
    atLeast('leadpool_claim_duration_seconds_count', { action: 'claim' }, 2);
    atLeast('leadpool_claim_duration_seconds_bucket', { action: 'claim', le: '+Inf' }, 2);
    atLeast('leadpool_fanout_duration_seconds_count', { event: 'offer' }, 2);
    atLeast('leadpool_fanout_duration_seconds_count', { event: 'gone' });
    atLeast('leadpool_sockets_connected', { namespace: '/rep' }, 2);
    atLeast('leadpool_store_operation_duration_seconds_count', { store: 'embedded', op: 'insertLead' }, 2);
    atLeast('leadpool_store_operation_duration_seconds_count', { store: 'embedded', op: 'claim' }, 2);
    atLeast('leadpool_http_requests_total', { method: 'POST', route: '/api/leads', status: '201' }, 2);
    expect(sample(text, 'leadpool_sockets_connected', { namespace: '/manager' })).toBe(0);
    // no webhooks in this version: registered at 0
    expect(sample(text, 'leadpool_webhook_deliveries_total', { status: 'delivered' })).toBe(0);
    expect(sample(text, 'leadpool_webhook_deliveries_total', { status: 'failed' })).toBe(0);
    // registered (their samples appear with the first error or refusal)
    for (const name of ['leadpool_store_errors_total', 'leadpool_event_budget_refusals_total', 'leadpool_store_late_outcomes_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    // the process metrics
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0);
    }
    // never an id, a token or a contact field in a label
    for (const secret of [lead.id, a.rep.id, a.token, server.feedKey, server.managerToken, lead.email!, lead.name!]) {
      expect(text).not.toContain(secret);
    }
    // a dashboard counts under /manager
    await connectManager(server.url, server.managerToken);
    expect(sample(await scrape(server.url, server.managerToken), 'leadpool_sockets_connected', { namespace: '/manager' })).toBe(1);
  });
});

describe('store failures: /healthz follows the store; an outcome unknown is said and found out', () => {
  it('embedded: 503 while a failed write has the store refusing calls, 200 again once the folder takes writes; the refused lead is not stored', async () => {
    const server = await inProcessServer();
    const { manager, feed } = pool(server);
    await postLead(feed);
    expect((await api(server.url).get('/healthz')).status).toBe(200);
    // something in the way of the journal: the append fails (also as root)
    const journal = join(server.dataDir, 'journal.ndjson');
    renameSync(journal, `${journal}.aside`);
    mkdirSync(journal);
    const refused = await feed.post('/api/leads', leadInput({ externalId: 'refused-1' }));
    expect(refused.status).toBe(503);
    expect(refused.body.error).toEqual({ code: 'STORE_UNAVAILABLE', message: 'the store cannot be reached; nothing was changed' });
    const health = await api(server.url).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', store: 'embedded', error: { code: 'STORE_UNAVAILABLE' } });
    expect((await manager.get('/api/leads')).status).toBe(503);
    const text = await scrape(server.url, server.managerToken);
    expect(
      sample(text, 'leadpool_store_errors_total', { store: 'embedded', op: 'insertLead', kind: 'unavailable' }),
    ).toBeGreaterThanOrEqual(1);

    await sleep(1500); // the recovery loop tries (every second) and still fails
    expect((await api(server.url).get('/healthz')).status).toBe(503);
    rmSync(journal, { recursive: true });
    renameSync(`${journal}.aside`, journal);
    await eventually(async () => (await api(server.url).get('/healthz')).status === 200, 5000, 100);
    expect((await manager.get('/api/leads?limit=1000')).body.leads.map((l: Lead) => l.externalId)).not.toContain('refused-1');
    expect((await feed.post('/api/leads', leadInput({ externalId: 'refused-1' }))).status).toBe(201);
  });

  describe('Redis', () => {
    let redis: DebugRedis;
    let proxy: FaultProxy;
    let prefix: string;
    async function redisServer() {
      redis = await startDebugRedis();
      cleanups.push(() => redis.stop());
      proxy = await startFaultProxy(redis.port);
      cleanups.push(() => proxy.close());
      prefix = randomPrefix('ops');
      return inProcessServer({ REDIS_URL: proxy.url, LEADPOOL_REDIS_PREFIX: prefix });
    }
    /** What Redis holds, read past the proxy (not through the server under test). */
    async function observer(): Promise<RedisStore> {
      const store = new RedisStore({ url: redis.url, keyPrefix: prefix, nodeId: 'observer' });
      await store.init();
      cleanups.push(() => store.close());
      return store;
    }

    it('503 while Redis does not answer a PING in time (stalled, connection up), 200 again after', async () => {
      const server = await redisServer();
      expect((await api(server.url).get('/healthz')).body).toEqual({ status: 'ok', store: 'redis' });
      proxy.hold();
      const start = Date.now();
      const health = await api(server.url).get('/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', store: 'redis' });
      expect(Date.now() - start).toBeLessThan(3000);
      proxy.cut(); // the connections drop; the clients reconnect through the proxy
      await eventually(async () => (await api(server.url).get('/healthz')).status === 200, 10_000, 100);
    });

    it('a change whose outcome is unknown: STORE_UNAVAILABLE with outcome unknown; when it turns out to have happened, the clients are resynced', async () => {
      const server = await redisServer();
      const { manager, feed } = pool(server);
      const [a, b] = await createReps(manager, 2);
      const tabA = await connectRep(server.url, a.token);
      const tabB = await connectRep(server.url, b.token);
      const dashboard = await connectManager(server.url, server.managerToken);
      // A first claim and release load their scripts into Redis (EVALSHA would answer
      // NOSCRIPT, that answer would be lost too, and the change would not happen).
      const first = await postLead(feed);
      await okAck(tabA.socket, EV.claim, { leadId: first.id });
      expect((await manager.post(`/api/leads/${first.id}/release`)).status).toBe(200);
      const lead = await postLead(feed);
      await tabB.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);

      // Redis runs what it gets, its answers are lost, and it cannot be asked again in time.
      const redisView = await observer();
      proxy.swallowReplies();
      proxy.refuse();
      const claim = emitAck(tabA.socket, EV.claim, { leadId: lead.id }, 10_000);
      await eventually(async () => (await redisView.getLead(lead.id))?.status === 'claimed'); // it ran
      proxy.cut();
      const answer = await claim;
      expect(answer).toEqual({
        ok: false,
        error: {
          code: 'STORE_UNAVAILABLE',
          message: expect.stringMatching(/may have happened.*read the current state before retrying/),
          details: { outcome: 'unknown' },
        },
      });

      const fromA = tabA.rec.mark();
      const fromB = tabB.rec.mark();
      const fromDashboard = dashboard.rec.mark();
      proxy.accept(); // Redis reachable: the store finds out that the claim happened
      const mine = await tabA.rec.waitFor(EV.poolState, (s) => s.mine.some((l) => l.id === lead.id), { from: fromA, timeoutMs: 15_000 });
      expect(mine.mine.find((l) => l.id === lead.id)).toMatchObject({ status: 'claimed', claimedBy: a.rep.id, email: lead.email });
      const others = await tabB.rec.waitFor(EV.poolState, () => true, { from: fromB, timeoutMs: 15_000 });
      expect(others.leads.map((v) => v.id)).not.toContain(lead.id);
      const board = await dashboard.rec.waitFor(EV.dashboardState, () => true, { from: fromDashboard, timeoutMs: 15_000 });
      expect(board.open.map((l) => l.id)).not.toContain(lead.id);
      expect(board.recent.find((l) => l.id === lead.id)).toMatchObject({ status: 'claimed', claimedBy: a.rep.id });
      expect((await manager.get(`/api/leads/${lead.id}`)).body.lead).toMatchObject({ status: 'claimed', claimedBy: a.rep.id });
      const text = await scrape(server.url, server.managerToken);
      expect(sample(text, 'leadpool_store_late_outcomes_total', { op: 'claim' })).toBe(1);
      expect(sample(text, 'leadpool_store_errors_total', { store: 'redis', op: 'claim', kind: 'outcome_unknown' })).toBe(1);

      // Over HTTP: the same answer (503); re-reading finds what happened, and the clients
      // were told: a manager's release of that lead.
      await eventually(async () => (await api(server.url).get('/healthz')).status === 200, 10_000, 100);
      await sleep(500); // the background loops have read the pools again since the reconnection
      proxy.swallowReplies();
      proxy.refuse();
      const release = manager.post(`/api/leads/${lead.id}/release`);
      await eventually(async () => (await redisView.getLead(lead.id))?.status === 'open'); // it ran
      proxy.cut();
      const res = await release;
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'STORE_UNAVAILABLE', details: { outcome: 'unknown' } });
      const fromA2 = tabA.rec.mark();
      const fromB2 = tabB.rec.mark();
      proxy.accept();
      await tabA.rec.waitFor(EV.poolState, (s) => !s.mine.some((l) => l.id === lead.id), { from: fromA2, timeoutMs: 15_000 });
      await tabB.rec.waitFor(EV.poolState, (s) => s.leads.some((v) => v.id === lead.id), { from: fromB2, timeoutMs: 15_000 });
      expect((await manager.get(`/api/leads/${lead.id}`)).body.lead).toMatchObject({ status: 'open' });
    }, 60_000);
  });
});

describe('late outcomes: what a store result names', () => {
  const lead = (id: string, extra: Partial<Lead> = {}) =>
    ({ id, poolId: 'eu', status: 'claimed', createdAt: '2026-01-01T00:00:00.000Z', claimedBy: 'rep_a', ...extra }) as Lead;
  const storedRep = { id: 'rep_gone', name: 'Gone', pools: ['eu'], tokenHash: 'ab', away: false };

  it('claims, releases, deletions and due events name their pools, leads and reps', () => {
    expect(touchedBy({ ok: true, mode: 'shark-tank', lead: lead('ld_1') })).toEqual({
      pools: new Set(['eu']),
      leads: new Set(['ld_1']),
      reps: new Set(['rep_a']),
      repRecords: new Set(),
    });
    const released = touchedBy({
      ok: true,
      mode: 'hybrid',
      previousOwner: 'rep_b',
      lead: lead('ld_2', { status: 'open', claimedBy: undefined }),
    });
    expect([...released.reps]).toEqual(['rep_b']);
    const deleted = touchedBy({ rep: storedRep, released: [lead('ld_3', { poolId: 'us', status: 'open' })] });
    expect(deleted.repRecords).toEqual(new Set(['rep_gone']));
    expect(deleted.pools).toEqual(new Set(['us'])); // the pools of its released leads
    const due = touchedBy({ popped: 1, events: [{ kind: 'expired', previousOwner: 'rep_c', mode: 'shark-tank', lead: lead('ld_4') }] });
    expect(due.reps).toEqual(new Set(['rep_c', 'rep_a']));
    expect(touchedBy({ ok: true, repIds: ['rep_x', 'rep_y'] }).reps).toEqual(new Set(['rep_x', 'rep_y']));
  });

  it('results that changed nothing are not resynced', () => {
    expect(changedNothing({ popped: 0, events: [] })).toBe(true);
    expect(changedNothing([])).toBe(true);
    expect(changedNothing({ changes: [], reps: ['rep_a'] })).toBe(true); // a heartbeat probe
    expect(changedNothing(null)).toBe(true);
    expect(changedNothing({ before: 'available', after: 'available' })).toBe(true);
    expect(changedNothing({ before: 'offline', after: 'available' })).toBe(false);
    expect(changedNothing({ popped: 1, events: [{}] })).toBe(false);
    expect(changedNothing({ ok: true, lead: lead('ld_1') })).toBe(false);
    expect(changedNothing({ previous: 'shark-tank' })).toBe(false);
  });
});

describe('LEADPOOL_FSYNC', () => {
  it('off by default; on, every batch waits for the disk (the journal fdatasynced, a checkpoint fsynced); both keep what they acknowledged', async () => {
    expect(loadConfig({}).fsync).toBe(false);
    for (const on of ['on', 'true', '1']) expect(loadConfig({ LEADPOOL_FSYNC: on }).fsync).toBe(true);
    for (const off of ['off', 'false', '0', '']) expect(loadConfig({ LEADPOOL_FSYNC: off }).fsync).toBe(false);
    expect(() => loadConfig({ LEADPOOL_FSYNC: 'yes please' })).toThrow(/LEADPOOL_FSYNC/);

    const handle = await open(join(tempDir(), 'probe'), 'w');
    const proto = Object.getPrototypeOf(handle) as { sync(): Promise<void>; datasync(): Promise<void> };
    await handle.close();
    const sync = vi.spyOn(proto, 'sync');
    const datasync = vi.spyOn(proto, 'datasync');
    try {
      for (const fsync of [false, true]) {
        const dir = tempDir();
        const store = new EmbeddedStore(dir, Date.now, { fsync });
        await store.init();
        sync.mockClear();
        datasync.mockClear();
        const { lead } = await store.insertLead(draft());
        // a lead batch is one journal append
        expect(datasync.mock.calls.length, `fsync ${fsync}`).toBe(fsync ? 1 : 0);
        expect(sync.mock.calls.length, `fsync ${fsync}`).toBe(0);
        await store.close();
        // the checkpoint at close writes the shard, pool.json and the audit segment: three files, a manifest, the folder twice
        expect(sync.mock.calls.length, `fsync ${fsync}`).toBe(fsync ? 6 : 0);
        const again = new EmbeddedStore(dir, Date.now, { fsync });
        await again.init();
        expect((await again.getLead(lead.id))?.id).toBe(lead.id);
        await again.close();
      }
    } finally {
      sync.mockRestore();
      datasync.mockRestore();
    }
  });
});

/** The lines of a child's output that are not its plain-text start lines. */
function logLines(output: string): string[] {
  return output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Leadpool listening on'));
}

describe('logs', () => {
  it('JSON lines on stdout, one per request with a request id; never a token or a contact field', async () => {
    const server = await child();
    const { manager, feed } = pool(server);
    const [rep] = await createReps(manager, 1);
    const input = leadInput({ name: 'Zebulon Quartermaine', email: 'zebulon.q@secret.example', phone: '+44 7700 900123' });
    const posted = await feed.post('/api/leads', input);
    expect(posted.status).toBe(201);
    expect((await api(server.url, rep.token).get('/api/me')).status).toBe(200);
    const tab = await connectRep(server.url, rep.token);
    await okAck(tab.socket, EV.claim, { leadId: posted.body.lead.id });
    expect((await api(server.url, 'lpr_not-a-real-token-123').get('/api/me')).status).toBe(401);
    expect((await feed.post('/api/leads', '{"email":"zebulon.q@secret.example",')).status).toBe(400);
    expect((await feed.post('/api/leads', { email: 'zebulon.q@secret.example', bogus: 'Zebulon' })).status).toBe(422);
    expect((await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-abc-123' } })).status).toBe(200);
    tab.close();
    expect(await server.stop()).toBe(0);

    const output = server.output();
    const lines = logLines(output);
    const parsed = lines.map((l) => {
      expect(() => JSON.parse(l), l).not.toThrow();
      return JSON.parse(l) as Record<string, unknown>;
    });
    for (const p of parsed) {
      expect(typeof p.level).toBe('string');
      expect(typeof p.time).toBe('string');
      expect(typeof p.msg).toBe('string');
    }
    const requests = parsed.filter((p) => p.msg === 'request');
    // POST reps, POST leads, GET me, 401, 400, 422, healthz (Socket.IO's own requests are not express's)
    expect(requests.length).toBeGreaterThanOrEqual(7);
    for (const r of requests) {
      expect(r.reqId).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      expect(r).toMatchObject({
        level: 'info',
        method: expect.any(String),
        path: expect.stringMatching(/^\//),
        status: expect.any(Number),
      });
    }
    expect(new Set(requests.map((r) => r.reqId)).size).toBe(requests.length);
    expect(requests.find((r) => r.reqId === 'trace-abc-123')).toMatchObject({ path: '/healthz', status: 200 });
    expect(requests.find((r) => r.path === '/api/leads' && r.status === 201)).toMatchObject({ method: 'POST', role: 'feed' });
    expect(parsed.some((p) => p.msg === 'SIGTERM: shutting down')).toBe(true);
    expect(parsed.at(-1)).toMatchObject({ msg: 'stopped' });
    for (const secret of [
      server.managerToken,
      server.feedKey,
      rep.token,
      'lpr_not-a-real-token-123',
      'Zebulon',
      'Quartermaine',
      'zebulon.q',
      'secret.example',
      '7700 900123',
      '7700900123',
    ]) {
      expect(output, secret).not.toContain(secret);
    }
  });

  it('LOG_LEVEL=warn: no request lines (nor any info line); LEADPOOL_LOG=silent: no log line at all', async () => {
    for (const env of [{ LOG_LEVEL: 'warn' }, { LEADPOOL_LOG: 'silent' }] as Record<string, string>[]) {
      const server = await child({ env });
      const { manager, feed } = pool(server);
      await createReps(manager, 1);
      await postLead(feed);
      expect((await api(server.url).get('/api/reps')).status).toBe(401);
      expect((await api(server.url).get('/healthz')).status).toBe(200);
      expect(await server.stop()).toBe(0);
      const parsed = logLines(server.output()).map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(parsed.filter((p) => p.msg === 'request')).toEqual([]);
      expect(parsed.filter((p) => p.level === 'info')).toEqual([]);
      expect(server.output()).toContain('Leadpool listening on');
    }
  });
});

describe('graceful shutdown under load', () => {
  it('SIGTERM with sockets connected, claims and posts in flight: exit 0, every 201 and every ok claim durable after a restart, clients see a disconnect they reconnect from', async () => {
    const s1 = await child({ env: { LEADPOOL_INGEST_RATE: '0' } });
    const { manager } = pool(s1);
    expect((await manager.patch('/api/pool/settings', { maxActivePerRep: 100_000, maxActionsPerSecond: 10_000 })).status).toBe(200);
    const reps = await createReps(manager, 4);
    const tabs = await Promise.all(reps.map((r) => connectRep(s1.url, r.token)));
    // a client as the web app runs it: reconnection on
    const reconnecting = connectSocket(`${s1.url}/rep`, { auth: { token: reps[0].token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((r) => reconnecting.once('connect', () => r()));
    const reasons = tabs.map((t) => disconnected(t.socket, 20_000));
    const reconnectingReason = new Promise<{ reason: string; active: boolean }>((resolve) =>
      reconnecting.once('disconnect', (reason) => resolve({ reason, active: reconnecting.active })),
    );

    // every tab claims what it is offered; ok answers are acknowledged claims
    const claimed = new Map<string, string>();
    tabs.forEach((tab, i) => {
      tab.socket.on(EV.leadOffered, (view) => {
        emitAck(tab.socket, EV.claim, { leadId: view.id }, 10_000).then(
          (answer) => {
            if (answer.ok) claimed.set(view.id, reps[i].rep.id);
          },
          () => {},
        );
      });
    });

    // posts in a loop from 6 clients until the server stops answering
    const accepted: Lead[] = [];
    let afterSignal = 0;
    let signalled = false;
    const posters = Array.from({ length: 6 }, async () => {
      for (;;) {
        try {
          const res = await fetch(`${s1.url}/api/leads`, {
            method: 'POST',
            headers: { authorization: `Bearer ${s1.feedKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(leadInput()),
          });
          const body = (await res.json()) as { lead: Lead };
          if (res.status === 201) {
            accepted.push(body.lead);
            if (signalled) afterSignal++;
          }
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    });
    await eventually(() => accepted.length >= 50 && claimed.size >= 10, 15_000);
    signalled = true;
    const exitCode = await s1.stop();
    await Promise.all(posters);
    expect(exitCode).toBe(0);
    expect(s1.output()).toContain('SIGTERM: shutting down');

    for (const reason of await Promise.all(reasons)) expect(reason).toBe('transport close');
    const r = await reconnectingReason;
    expect(r.reason).toBe('transport close'); // not "io server disconnect", after which a client stays away
    expect(r.active).toBe(true); // it is trying to reconnect (to another process behind the balancer)
    reconnecting.close();

    const s2 = await child({ dataDir: s1.dataDir, managerToken: s1.managerToken, feedKey: s1.feedKey });
    const stored = new Map(((await api(s2.url, s2.managerToken).get('/api/leads?limit=1000')).body.leads as Lead[]).map((l) => [l.id, l]));
    const missing = accepted.filter((l) => !stored.has(l.id)).map((l) => l.id);
    expect(missing, `${missing.length} of ${accepted.length} acknowledged leads lost`).toEqual([]);
    for (const [leadId, repId] of claimed) expect(stored.get(leadId), leadId).toMatchObject({ status: 'claimed', claimedBy: repId });
    console.log(`shutdown under load: ${accepted.length} leads acknowledged (${afterSignal} after SIGTERM), ${claimed.size} claims`);
  }, 90_000);
});
