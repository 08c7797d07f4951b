// The Redis store when a change's reply does not come: an outcome it cannot know is found
// out, never reported as a failure on a guess. A claim sent while Redis sleeps (DEBUG SLEEP
// 7, past the 5 s command timeout) answers the real result once Redis wakes; a claim whose
// connection drops is found out through its op key (the reply stored there, or a tombstone
// written first: then the script never acts, even when it arrives late); healthy() is false
// while Redis does not answer a PING in time.
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LateOutcome, RedisStore } from '../server/store/redis/store.js';
import { StoreOutcomeUnknownError, StoreUnavailableError } from '../server/store/types.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { randomPrefix } from './support/redis.js';
import { type DebugRedis, type FaultProxy, startDebugRedis, startFaultProxy } from './support/redis-faults.js';
import { draft, makeRep } from './support/store-harness.js';

let redis: DebugRedis;
let raw: ReturnType<typeof createClient>;
beforeAll(async () => {
  redis = await startDebugRedis();
  raw = createClient({ url: redis.url });
  raw.on('error', () => {});
  await raw.connect();
});
afterAll(async () => {
  await raw?.close();
  await redis?.stop();
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openStore(opts: { url?: string; keyPrefix?: string; opIds?: () => string; resolveWithinMs?: number } = {}) {
  const keyPrefix = opts.keyPrefix ?? randomPrefix('fail');
  const store = new RedisStore({ url: opts.url ?? redis.url, keyPrefix, nodeId: 'node-a', ...opts });
  await store.init();
  cleanups.push(() => store.close());
  // warm the pool id cache: a claim reads no registry before its script
  await store.listPools();
  return { store, keyPrefix };
}

async function proxy(): Promise<FaultProxy> {
  const p = await startFaultProxy(redis.port);
  cleanups.push(() => p.close());
  return p;
}

/** A rep `a` (and `b`) and one open lead, in the pool `default` (shark-tank: claims race). */
async function seed(store: RedisStore) {
  await store.createRep(makeRep('a'));
  await store.createRep(makeRep('b'));
  const { lead } = await store.insertLead(draft());
  return lead;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => new Error(`resolved: ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
}

/** The lead, read by a second store on the same keys (not through the store under test). */
async function readBack(keyPrefix: string, leadId: string) {
  const { store } = await openStore({ keyPrefix });
  return { lead: await store.getLead(leadId), held: await store.heldCounts(), open: await store.openSummary(DEFAULT_POOL) };
}

describe('RedisStore: a change whose reply is late or lost', () => {
  it('a claim sent while Redis sleeps 7 s answers the real result when it wakes (past the 5 s timeout), once; healthy() is false meanwhile', async () => {
    const { store, keyPrefix } = await openStore();
    const lead = await seed(store);
    const sleeper = raw.duplicate();
    sleeper.on('error', () => {});
    await sleeper.connect();
    cleanups.push(() => sleeper.destroy());

    const stall = sleeper.sendCommand(['DEBUG', 'SLEEP', '7']);
    await sleep(200); // Redis is asleep
    const sentAt = Date.now();
    const claim = store.claim(lead.id, 'a');
    const rival = store.claim(lead.id, 'b');
    await sleep(500);
    const healthStart = Date.now();
    expect(await store.healthy()).toBe(false);
    expect(Date.now() - healthStart).toBeLessThan(2_000); // PING timed out: not waiting for the stall
    await expect(store.getRep('a')).rejects.toBeInstanceOf(StoreUnavailableError); // a read may fail (5 s)

    const result = await claim;
    const tookMs = Date.now() - sentAt;
    expect(result).toMatchObject({ ok: true, lead: { id: lead.id, status: 'claimed', claimedBy: 'a' } });
    expect(tookMs).toBeGreaterThan(5_000);
    expect(await rival).toMatchObject({ ok: false, code: 'ALREADY_CLAIMED' });
    await stall;
    expect(await store.healthy()).toBe(true);

    const seen = await readBack(keyPrefix, lead.id);
    expect(seen.lead).toMatchObject({ status: 'claimed', claimedBy: 'a' });
    expect(seen.held).toEqual({ a: 1 });
    // the op keys of answered calls are removed (their TTL is only the backstop)
    await sleep(300);
    expect(await raw.keys(`${keyPrefix}:*op:*`)).toEqual([]);
  }, 20_000);

  it('the connection drops after the script ran (reply lost): the reply stored at the op key is the answer', async () => {
    const p = await proxy();
    const { store, keyPrefix } = await openStore({ url: p.url });
    const lead = await seed(store);
    p.swallowReplies();
    const claim = store.claim(lead.id, 'a');
    await sleep(300); // ran in Redis; its reply dropped
    p.cut();
    expect(await claim).toMatchObject({ ok: true, lead: { id: lead.id, status: 'claimed', claimedBy: 'a' } });
    const seen = await readBack(keyPrefix, lead.id);
    expect(seen.lead).toMatchObject({ status: 'claimed', claimedBy: 'a' });
    expect(seen.held).toEqual({ a: 1 });
  });

  it('claims decided together (one call) whose reply is lost: each answered with its own outcome, found out at the op key', async () => {
    const p = await proxy();
    const { store, keyPrefix } = await openStore({ url: p.url });
    const lead = await seed(store);
    p.swallowReplies();
    const claims = [store.claim(lead.id, 'a'), store.claim(lead.id, 'b'), store.claim('ld_none', 'a')];
    await sleep(300); // ran in Redis as one call; its reply dropped
    p.cut();
    expect(await Promise.all(claims)).toMatchObject([
      { ok: true, lead: { id: lead.id, claimedBy: 'a' } },
      { ok: false, code: 'ALREADY_CLAIMED' },
      { ok: false, code: 'NOT_FOUND' },
    ]);
    expect((await readBack(keyPrefix, lead.id)).held).toEqual({ a: 1 });
  });

  it("a connecting tab's reply is lost: the change is found out at the op key (stored without the view), the view read again", async () => {
    const p = await proxy();
    const { store, keyPrefix } = await openStore({ url: p.url });
    const lead = await seed(store);
    await store.tabOpened('b', 't0', { pools: [DEFAULT_POOL] }); // the script is cached in Redis: EVALSHA runs it
    p.swallowReplies();
    const opened = store.tabOpened('a', 't1', { pools: [DEFAULT_POOL] });
    await sleep(300); // ran in Redis; its reply dropped
    p.cut();
    const answer = await opened;
    expect(answer).toMatchObject({ repId: 'a', before: 'offline', after: 'available' });
    expect(answer.view?.rep.id).toBe('a');
    expect(answer.view?.pools.map((v) => v.open.map((l) => l.id))).toEqual([[lead.id]]);
    const { store: other } = await openStore({ keyPrefix });
    expect(await other.onlinePresence(['a'])).toEqual({ a: 'available' });
  });

  it('the connection drops before the script reached Redis: tombstoned, STORE_UNAVAILABLE, and the late script does nothing', async () => {
    const p = await proxy();
    const { store, keyPrefix } = await openStore({ url: p.url });
    const lead = await seed(store);
    p.hold(); // what the store sends from now on stays in the proxy
    const claim = store.claim(lead.id, 'a');
    await sleep(300);
    p.cut();
    const err = await rejection(claim);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err).not.toBeInstanceOf(StoreOutcomeUnknownError); // certain: nothing happened
    let seen = await readBack(keyPrefix, lead.id);
    expect(seen.lead).toMatchObject({ status: 'open' });
    expect(seen.lead?.claimedBy).toBeUndefined();
    expect(seen.held).toEqual({});

    // The claim reaches Redis after all (a late delivery): it finds its tombstone and does nothing.
    const answer = await p.deliverHeld();
    expect(answer).toContain('ABANDONED');
    seen = await readBack(keyPrefix, lead.id);
    expect(seen.lead).toMatchObject({ status: 'open' });
    expect(seen.held).toEqual({});
    expect(seen.open.count).toBe(1);
    // and the store works on: the same claim, sent again, succeeds
    expect(await store.claim(lead.id, 'a')).toMatchObject({ ok: true });
  });

  it('an op already tombstoned never acts: STORE_UNAVAILABLE, the lead stays open', async () => {
    let next = 0;
    const { store, keyPrefix } = await openStore({ opIds: () => `op-${next++}` });
    const lead = await seed(store);
    // the next change this store sends carries op id `op-<next>`: abandoned before it runs
    await raw.set(`${keyPrefix}:{default}:op:op-${next}`, JSON.stringify({ code: 'ABANDONED' }), { PX: 60_000 });
    const err = await rejection(store.claim(lead.id, 'a'));
    expect(err).toBeInstanceOf(StoreUnavailableError);
    const seen = await readBack(keyPrefix, lead.id);
    expect(seen.lead).toMatchObject({ status: 'open' });
    expect(seen.held).toEqual({});
  });

  it('Redis unreachable past resolveWithinMs: StoreOutcomeUnknownError; the search goes on and reports the claim that did happen', async () => {
    const p = await proxy();
    const { store, keyPrefix } = await openStore({ url: p.url, resolveWithinMs: 300 });
    const late: LateOutcome[] = [];
    store.onLateOutcome((o) => late.push(o));
    const lead = await seed(store);
    p.swallowReplies();
    p.refuse(); // no new connection gets through: the search cannot ask Redis
    const claim = store.claim(lead.id, 'a');
    await sleep(300);
    p.cut();
    const err = await rejection(claim);
    expect(err).toBeInstanceOf(StoreOutcomeUnknownError);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(late).toEqual([]);

    p.accept(); // Redis reachable again: the background search finds the reply
    const start = Date.now();
    while (late.length === 0 && Date.now() - start < 5_000) await sleep(20);
    expect(late).toHaveLength(1);
    // claim.lua answers the claims of its call in order (here the one)
    expect(late[0]).toMatchObject({ script: 'claim', reply: [{ ok: true, lead: { id: lead.id, claimedBy: 'a' } }] });
    const seen = await readBack(keyPrefix, lead.id);
    expect(seen.lead).toMatchObject({ status: 'claimed', claimedBy: 'a' });
  });

  it('healthy() is false while Redis does not answer a PING in time, and true again after', async () => {
    const p = await proxy();
    const { store } = await openStore({ url: p.url });
    expect(await store.healthy()).toBe(true);
    p.hold();
    const start = Date.now();
    expect(await store.healthy()).toBe(false);
    expect(Date.now() - start).toBeLessThan(2_000);
    p.cut();
    const deadline = Date.now() + 5_000;
    while (!(await store.healthy()) && Date.now() < deadline) await sleep(20);
    expect(await store.healthy()).toBe(true);
  });
});
