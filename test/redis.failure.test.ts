// Redis going away and coming back: the store fails fast (StoreUnavailableError, never a
// hang, never a false ok), recovers by itself, notices the wiped store (onReset) and
// re-seeds it; the cluster adapter resubscribes after a restart and never lets a dead Redis
// turn a broadcast into an unhandled rejection.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { type Socket as ClientSocket, io as ioClient } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterAdapter, createClusterAdapter } from '../server/realtime/redis-adapter.js';
import { RedisStore } from '../server/store/redis/store.js';
import { type StoredRep, StoreUnavailableError } from '../server/store/types.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  // A test that failed between killing Redis and restarting it must not fail the next ones.
  if (!redis.running()) await redis.restart();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - start;
}

const rep = (id: string): StoredRep => ({
  id,
  name: id,
  skills: [],
  languages: [],
  countries: [],
  teams: [],
  pools: [DEFAULT_POOL],
  maxActive: null,
  weight: 1,
  createdAt: new Date().toISOString(),
  tokenHash: `hash-${id}`,
  away: false,
});

async function openStore(keyPrefix: string, nodeId = 'node-a'): Promise<RedisStore> {
  const store = new RedisStore({ url: redis.url, keyPrefix, nodeId });
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

/** Time a promise that must reject with StoreUnavailableError. */
async function rejectsFast(p: Promise<unknown>): Promise<number> {
  const start = performance.now();
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreUnavailableError);
  expect((err as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
  return performance.now() - start;
}

describe('RedisStore when Redis dies and comes back', () => {
  it('rejects at once while Redis is down, then recovers by itself and re-seeds the wiped store', async () => {
    const prefix = randomPrefix('fail');
    const store = await openStore(prefix);
    const peer = await openStore(prefix, 'node-b');
    const resets: string[] = [];
    store.onReset(() => resets.push('a'));
    peer.onReset(() => resets.push('b'));
    await store.createRep(rep('a'));
    await store.setMode(DEFAULT_POOL, 'cherry-pick');
    const { lead } = await store.insertLead({ email: 'x@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' });
    expect(await store.healthy()).toBe(true);

    // claims in flight when Redis dies settle (ok or unavailable), none hangs
    const inflight = Array.from({ length: 20 }, () =>
      store.insertLead({ email: 'y@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' }).then(
        () => 'ok',
        (e) => e,
      ),
    );
    await redis.kill();
    const settled = await Promise.race([Promise.all(inflight), sleep(2_000).then(() => 'hung')]);
    expect(settled).not.toBe('hung');
    for (const r of settled as unknown[]) if (r !== 'ok') expect(r).toBeInstanceOf(StoreUnavailableError);

    await until(async () => !(await store.healthy()), 1_000, 'healthy() to turn false');
    const times = [
      await rejectsFast(store.claim(lead.id, 'a')),
      await rejectsFast(store.insertLead({ email: 'z@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' })),
      await rejectsFast(store.getPool(DEFAULT_POOL)),
      await rejectsFast(store.getLead(lead.id)),
      await rejectsFast(store.listReps()),
      await rejectsFast(store.tabOpened('a', 't1')),
      await rejectsFast(store.runDue()),
      await rejectsFast(store.ensureSecret('manager', 'h')),
      await rejectsFast(store.sweepPresence()),
    ];
    // Rejected while Redis is still down, each well before the 5 s command timeout: no
    // offline queue holds commands back waiting for a reconnect.
    for (const ms of times) expect(ms).toBeLessThan(2_500);

    await redis.restart(); // same port, empty data (no persistence)
    await until(() => store.healthy(), 5_000, 'the store to reconnect');
    await until(() => resets.length === 2, 3_000, 'onReset on both processes');
    expect(resets.sort()).toEqual(['a', 'b']);

    // a fresh install again: defaults, no reps, no leads; and everything works
    const pool = await store.getPool(DEFAULT_POOL);
    expect(pool?.name).toBe('Default');
    expect(pool?.mode).toBe('shark-tank');
    expect(pool?.settings.maxActivePerRep).toBe(10);
    expect(await store.getRep('a')).toBeNull();
    expect(await store.getLead(lead.id)).toBeNull();
    await store.createRep(rep('b'));
    const fresh = await peer.insertLead({ email: 'w@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' });
    expect(await store.claim(fresh.lead.id, 'b')).toMatchObject({ ok: true });
    expect(resets).toHaveLength(2); // once each
  });

  it('a write that finds the store wiped re-seeds it and signals the reset before it runs', async () => {
    const prefix = randomPrefix('wipe');
    const store = await openStore(prefix);
    let resets = 0;
    store.onReset(() => resets++);
    await store.setMode(DEFAULT_POOL, 'hybrid');
    // wipe this prefix only (never FLUSHALL: other tests share this redis-server)
    const raw = createClient({ url: redis.url });
    raw.on('error', () => {});
    await raw.connect();
    cleanups.push(() => raw.close());
    const keys: string[] = [];
    for await (const batch of raw.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) keys.push(...batch);
    expect(keys.length).toBeGreaterThan(0);
    await raw.del(keys);

    const { lead } = await store.insertLead({ email: 'a@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' });
    expect(resets).toBe(1);
    expect((await store.getPool(DEFAULT_POOL))?.mode).toBe('shark-tank');
    expect(await store.getLead(lead.id)).toMatchObject({ status: 'open' });
  });

  it('init() rejects with StoreUnavailableError when Redis cannot be reached', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', keyPrefix: randomPrefix(), nodeId: 'n', connectTimeoutMs: 500 });
    const start = Date.now();
    await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - start).toBeLessThan(4_000);
    expect(await store.healthy()).toBe(false);
    await store.close();
  });
});

describe('cluster adapter', () => {
  interface Node {
    io: Server;
    http: HttpServer;
    port: number;
    cluster: ClusterAdapter;
  }

  async function startNode(): Promise<Node> {
    const cluster = await createClusterAdapter(redis.url);
    const http = createServer();
    const io = new Server(http);
    io.adapter(cluster.adapter);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const node = { io, http, port: (http.address() as AddressInfo).port, cluster };
    cleanups.push(async () => {
      io.close();
      await cluster.close();
    });
    return node;
  }

  function connectTo(node: Node): Promise<ClientSocket> {
    const socket = ioClient(`http://127.0.0.1:${node.port}`, { transports: ['websocket'], reconnection: false });
    cleanups.push(() => socket.disconnect());
    return new Promise((resolve, reject) => {
      socket.on('connect', () => resolve(socket));
      socket.on('connect_error', reject);
    });
  }

  /** Broadcasts from `from` until `socket` hears it (pub/sub is fire-and-forget). */
  async function deliver(from: Node, socket: ClientSocket, event: string, timeoutMs = 5_000): Promise<void> {
    let heard = false;
    socket.once(event, () => (heard = true));
    const start = Date.now();
    while (!heard) {
      if (Date.now() - start > timeoutMs) throw new Error(`${event} never reached the client`);
      from.io.emit(event, { at: Date.now() });
      await sleep(50);
    }
  }

  it('a broadcast on node A reaches a client of node B, also after Redis restarted', async () => {
    const a = await startNode();
    const b = await startNode();
    const client = await connectTo(b);
    expect(a.cluster.ready() && b.cluster.ready()).toBe(true);

    const first = new Promise((resolve) => client.once('hello', resolve));
    a.io.emit('hello', 1);
    expect(await Promise.race([first, sleep(2_000).then(() => 'timeout')])).toBe(1);
    // request/response channels work too (RESP2: the adapter's PUBSUB NUMSUB parsing)
    expect((await a.io.fetchSockets()).map((s) => s.id)).toEqual([client.id]);

    await redis.kill();
    await until(() => !a.cluster.ready() && !b.cluster.ready(), 2_000, 'ready() to turn false');
    a.io.emit('lost', 1); // must not throw nor reject unhandled
    await redis.restart();
    await until(() => a.cluster.ready() && b.cluster.ready(), 5_000, 'the adapter to reconnect');
    await deliver(a, client, 'after-restart');
    expect((await b.io.fetchSockets()).map((s) => s.id)).toEqual([client.id]);
  });

  it('Redis dying under a broadcast load produces no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const spy = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', spy);
    cleanups.push(() => process.off('unhandledRejection', spy));

    const a = await startNode();
    const b = await startNode();
    const client = await connectTo(b);
    let received = 0;
    client.on('load', () => received++);

    let running = true;
    let sent = 0;
    const pump = (async () => {
      while (running) {
        for (let i = 0; i < 50; i++) {
          a.io.emit('load', i);
          a.io.to('room-x').emit('load', i);
          sent += 2;
        }
        await sleep(1);
      }
    })();
    await until(() => received > 50, 3_000, 'broadcasts to flow');
    await redis.kill();
    await sleep(500); // keep broadcasting into a dead Redis
    running = false;
    await pump;
    await sleep(100); // let any stray rejection surface
    expect(unhandled).toEqual([]);
    expect(a.cluster.droppedPublishes()).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(received);

    await redis.restart();
    await until(() => a.cluster.ready() && b.cluster.ready(), 5_000, 'the adapter to reconnect');
    await deliver(a, client, 'recovered');
    expect(unhandled).toEqual([]);
  });
});
