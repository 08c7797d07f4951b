// Pools in the Redis store across processes (server/store/redis/keys.ts): scripts about a
// lead get every pool's keys from a per-process cache of the pool ids, and answer RETRY when
// another process created or deleted a pool since; deletePool rewrites every rep's pools and
// answers RETRY when a rep was created meanwhile. test/store.pools.test.ts is the contract
// both stores share; this file pins what only a store shared by several processes can get wrong.
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../server/store/redis/store.js';
import type { PoolRecord } from '../server/store/types.js';
import { DEFAULT_POOL, DEFAULT_SETTINGS } from '../shared/protocol.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { draft, makeRep } from './support/store-harness.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const opened: RedisStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function open(keyPrefix: string, nodeId: string): Promise<RedisStore> {
  const store = new RedisStore({ url: redis.url, keyPrefix, nodeId });
  opened.push(store);
  await store.init();
  return store;
}

/** Two processes on one store. */
async function twoNodes(): Promise<[RedisStore, RedisStore, string]> {
  const prefix = randomPrefix('pools');
  return [await open(prefix, 'node-a'), await open(prefix, 'node-b'), prefix];
}

const pool = (id: string, over: Partial<PoolRecord> = {}): PoolRecord => ({
  id,
  name: `Pool ${id}`,
  mode: 'shark-tank',
  settings: DEFAULT_SETTINGS,
  rules: [],
  createdAt: new Date().toISOString(),
  ...over,
});

describe('Redis pools across processes', () => {
  it('a pool created on another process is seen by claim, pull, release, outcome and assign here', async () => {
    const [a, b] = await twoNodes();
    await a.createRep(makeRep('r', { pools: [DEFAULT_POOL] }));
    expect((await a.pull('r')).ok).toBe(false); // caches the pool ids: [default]

    await b.createPool(pool('sales'));
    await b.updateRep('r', { pools: [DEFAULT_POOL, 'sales'] });
    const [first, second] = [(await b.insertLead(draft({ poolId: 'sales' }))).lead, (await b.insertLead(draft({ poolId: 'sales' }))).lead];

    expect(await a.claim(first.id, 'r')).toMatchObject({ ok: true, mode: 'shark-tank', lead: { poolId: 'sales' } });
    expect(await a.release(first.id, { manager: true })).toMatchObject({ ok: true, mode: 'shark-tank' });
    expect(await a.pull('r')).toMatchObject({ ok: true, lead: { id: first.id } });
    expect(await a.assign(second.id, 'r')).toMatchObject({ ok: true, lead: { claimedBy: 'r' } });
    expect(await a.outcome(second.id, 'r', 'won')).toMatchObject({ ok: true, lead: { status: 'closed' } });
    expect(await a.heldCounts('sales')).toEqual({ r: 1 });
  });

  it('a pool deleted on another process: calls here still run, and a pull in it is NOT_FOUND', async () => {
    const [a, b] = await twoNodes();
    await a.createPool(pool('gone'));
    await a.createRep(makeRep('r', { pools: [DEFAULT_POOL, 'gone'] }));
    const { lead } = await a.insertLead(draft());
    expect((await a.pull('r', 'gone')).ok).toBe(false); // caches [default, gone]

    expect(await b.deletePool('gone')).toEqual({ ok: true, repIds: ['r'] });
    expect(await a.pull('r', 'gone')).toEqual({ ok: false, code: 'NOT_FOUND' });
    expect(await a.claim(lead.id, 'r')).toMatchObject({ ok: true });
    expect(await a.runDue()).toEqual([]);
    expect((await a.getRep('r'))!.pools).toEqual([DEFAULT_POOL]);
  });

  it('runDue on a process that has not seen a pool yet applies that pool’s timers', async () => {
    const [a, b] = await twoNodes();
    expect(await a.runDue()).toEqual([]); // caches [default]
    await b.createPool(pool('fast', { settings: { ...DEFAULT_SETTINGS, claimTimeoutMs: 50 } }));
    await b.createRep(makeRep('r', { pools: ['fast'] }));
    const { lead } = await b.insertLead(draft({ poolId: 'fast' }));
    expect((await b.claim(lead.id, 'r')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(await a.runDue()).toMatchObject([
      { kind: 'expired', previousOwner: 'r', mode: 'shark-tank', lead: { id: lead.id, poolId: 'fast' } },
    ]);
  });

  it('deletePool racing with reps created into that pool leaves no rep in the deleted pool', async () => {
    const [a, b] = await twoNodes();
    await a.createPool(pool('brief'));
    const creating = Array.from({ length: 20 }, (_, i) => b.createRep(makeRep(`r${i}`, { pools: ['brief', DEFAULT_POOL] })));
    const [deleted] = await Promise.all([a.deletePool('brief'), ...creating]);
    expect(deleted).toMatchObject({ ok: true });
    const reps = await a.listReps();
    expect(reps).toHaveLength(20);
    for (const rep of reps) expect(rep.pools).toEqual([DEFAULT_POOL]);
    // repIds: exactly the reps that were created before the delete and lost the pool
    if (deleted.ok) for (const id of deleted.repIds) expect(id).toMatch(/^r\d+$/);
  });

  it('a feed whose only pool is deleted reads back with no pools', async () => {
    const [a, b] = await twoNodes();
    await a.createPool(pool('solo'));
    const feed = { id: 'fd_1', name: 'Web', pools: ['solo'], createdAt: new Date().toISOString(), keyHash: 'h1' };
    await a.createFeed(feed);
    expect((await b.deletePool('solo')).ok).toBe(true);
    expect(await a.getFeed('fd_1')).toEqual({ ...feed, pools: [] });
    expect(await a.feedByKeyHash('h1')).toEqual({ ...feed, pools: [] });
    expect(await a.setFeedKey('fd_1', 'h2')).toEqual({ ...feed, pools: [], keyHash: 'h2' });
    expect(await a.feedByKeyHash('h1')).toBeNull();
  });

  it('every key of the store carries the deployment’s hash tag {default}', async () => {
    const [a, , prefix] = await twoNodes();
    await a.createPool(pool('sales'));
    await a.createRep(makeRep('r', { pools: [DEFAULT_POOL, 'sales'] }));
    const { lead } = await a.insertLead(draft({ poolId: 'sales', externalId: 'x' }));
    await a.claim(lead.id, 'r');
    await a.createFeed({ id: 'fd_1', name: 'Web', pools: ['sales'], createdAt: new Date().toISOString(), keyHash: 'h' });
    await a.tabOpened('r', 't');
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const keys: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) keys.push(...batch);
      expect(keys.length).toBeGreaterThan(20);
      for (const key of keys) expect(key.startsWith(`${prefix}:{default}:`)).toBe(true);
      expect(keys).toContain(`${prefix}:{default}:pool:sales:held`);
    } finally {
      await raw.close();
    }
  });
});
