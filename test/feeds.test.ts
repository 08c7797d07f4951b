// Feed keys (docs/API.md, "v2: feed keys"): a key is shown once and stored hashed; a
// key posts only into its pools (POST /api/leads: its first); leads record the feed and
// take its name as `source`; revocation and rotation are refused at once, on every
// process (the key is looked up in the store on every request). LEADPOOL_FEED_KEY stays
// a key for every pool.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { type Api, type ApiBody, api } from './support/api.js';
import { connectError, connectManager, createFeed, createPool, leadInput, postLead, postLeadTo } from './support/clients.js';
import { findIn } from './support/leaks.js';
import { startInProcess } from './support/server.js';
import { serversOf, stores } from './support/stores.js';

function expectError(res: { status: number; body: ApiBody }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
}

/** Posts a lead with `key` into `path` and answers the status. */
async function statusOf(base: string, key: string, path = '/api/leads'): Promise<number> {
  return (await api(base, key).post(path, leadInput())).status;
}

describe.each(stores)('feed keys ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('POST /api/feeds: 201 { feed, key }, the key shown once (lpf_…); GET /api/feeds and feeds:changed never show a key', async () => {
    const { server, p } = await fresh();
    const m = await connectManager(server.url, server.managerToken);
    const res = await p.manager.post('/api/feeds', { name: 'Web form' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['feed', 'key']);
    const { feed, key } = res.body;
    expect(feed).toEqual({ id: expect.stringMatching(/^feed_/), name: 'Web form', pools: ['default'], createdAt: expect.any(String) });
    expect(key).toMatch(/^lpf_[A-Za-z0-9_-]{20,}$/);
    const second = await createFeed(p.manager, { name: 'CRM' });
    expect(second.key).not.toBe(key);

    const list = await p.manager.get('/api/feeds');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ feeds: [feed, second.feed] });
    const changed = await m.rec.waitFor(EV.feedsChanged, (x) => x.feeds.length === 2);
    expect(changed.feeds).toEqual([feed, second.feed]);
    // no key, and no hash of it, anywhere a manager reads later
    for (const payload of [list.body, ...m.rec.events.map((e) => e.payload), (await p.manager.get('/api/pools')).body]) {
      expect(findIn(payload, [key, second.key], ['key', 'keyHash'])).toEqual([]);
    }
  });

  it('POST /api/feeds validates: a name, known pools (422 naming the unknown one), no unknown keys', async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu');
    expect((await createFeed(p.manager, { name: 'Both', pools: ['eu', 'default'] })).feed.pools).toEqual(['eu', 'default']);
    const unknown = await p.manager.post('/api/feeds', { name: 'Ghost', pools: ['eu', 'atlantis'] });
    expectError(unknown, 422, 'INVALID');
    expect(unknown.body.error.message).toContain('atlantis');
    expect(unknown.body.error.details).toEqual([{ path: 'pools.1', message: expect.stringContaining('atlantis') }]);
    for (const body of [{}, { name: '' }, { name: 'x', pools: [] }, { name: 'x', pools: ['eu', 'eu'] }, { name: 'x', key: 'mine' }]) {
      expectError(await p.manager.post('/api/feeds', body), 422, 'INVALID');
    }
    expect((await p.manager.get('/api/feeds')).body.feeds).toHaveLength(1);
  });

  it('a key posts only into its pools: POST /api/leads goes to its first pool, another pool is 403 FORBIDDEN', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu');
    await createPool(p.manager, 'us');
    const { key } = await createFeed(p.manager, { name: 'EU form', pools: ['eu', 'default'] });
    const feed = api(server.url, key);
    expect((await postLead(feed)).poolId).toBe('eu');
    expect((await postLeadTo(feed, 'eu')).poolId).toBe('eu');
    expect((await postLeadTo(feed, 'default')).poolId).toBe('default');
    const refused = await feed.post('/api/pools/us/leads', leadInput());
    expectError(refused, 403, 'FORBIDDEN');
    expect(refused.body.error.message).toContain('us');
    expectError(await feed.post('/api/pools/nope/leads', leadInput()), 403, 'FORBIDDEN');
    expect((await p.manager.get('/api/leads?poolId=us')).body.leads).toEqual([]);
    // a feed key is a feed: no other route, no socket
    expectError(await feed.get('/api/leads'), 403, 'FORBIDDEN');
    expectError(await feed.get('/api/feeds'), 403, 'FORBIDDEN');
    expectError(await feed.post('/api/reps', { name: 'x' }), 403, 'FORBIDDEN');
    expect(await connectError(server.url, '/rep', key)).toBe('forbidden');
    expect(await connectError(server.url, '/manager', key)).toBe('forbidden');
  });

  it("a lead records its feed, and `source` defaults to the feed's name; the deployment's key records none and posts anywhere", async () => {
    const { p, server } = await fresh();
    await createPool(p.manager, 'eu');
    const { feed, key } = await createFeed(p.manager, { name: 'Partner API' });
    const withKey = api(server.url, key);
    const noSource = await withKey.post('/api/leads', leadInput({ source: undefined }));
    expect(noSource.status).toBe(201);
    expect(noSource.body.lead).toMatchObject({ feedId: feed.id, source: 'Partner API', poolId: 'default' });
    expect(await postLead(withKey, { source: 'webinar' })).toMatchObject({ feedId: feed.id, source: 'webinar' });
    // stored as such
    expect((await p.manager.get(`/api/leads/${noSource.body.lead.id}`)).body.lead).toMatchObject({
      feedId: feed.id,
      source: 'Partner API',
    });
    // the source default counts for hybrid rules and filters like a source sent by the feed
    await p.manager.patch('/api/pool/settings', { filters: { requireFields: ['source'] } });
    expect((await postLead(withKey, { source: undefined })).status).toBe('open');
    expect((await postLead(p.feed, { source: undefined })).status).toBe('disqualified');

    const envLead = await postLeadTo(p.feed, 'eu', { source: undefined });
    expect(envLead.feedId).toBeUndefined();
    expect(envLead.source).toBeUndefined();
    expect(envLead.poolId).toBe('eu');
    const managerLead = await postLead(p.manager);
    expect(managerLead.feedId).toBeUndefined();
  });

  it('revocation (DELETE /api/feeds/:id) and rotation (POST /api/feeds/:id/key) are refused at once; 404 for an unknown feed', async () => {
    const { server, p } = await fresh();
    const m = await connectManager(server.url, server.managerToken);
    const { feed, key } = await createFeed(p.manager, { name: 'Rotating' });
    expect(await statusOf(server.url, key)).toBe(201);

    const rotated = await p.manager.post(`/api/feeds/${feed.id}/key`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.feed).toEqual(feed);
    expect(rotated.body.key).toMatch(/^lpf_/);
    expect(rotated.body.key).not.toBe(key);
    expectError(await api(server.url, key).post('/api/leads', leadInput()), 401, 'UNAUTHORIZED');
    expect(await statusOf(server.url, rotated.body.key)).toBe(201);
    expect((await m.rec.waitFor(EV.feedsChanged, undefined, { from: 0 })).feeds).toEqual([feed]);

    const mark = m.rec.mark();
    const revoked = await p.manager.del(`/api/feeds/${feed.id}`);
    expect(revoked.status).toBe(204);
    expectError(await api(server.url, rotated.body.key).post('/api/leads', leadInput()), 401, 'UNAUTHORIZED');
    expect((await m.rec.waitFor(EV.feedsChanged, undefined, { from: mark })).feeds).toEqual([]);
    expect((await p.manager.get('/api/feeds')).body.feeds).toEqual([]);
    // its leads keep their feedId
    expect((await p.manager.get('/api/leads')).body.leads.every((l) => l.feedId === feed.id)).toBe(true);

    expectError(await p.manager.del(`/api/feeds/${feed.id}`), 404, 'NOT_FOUND');
    expectError(await p.manager.post(`/api/feeds/${feed.id}/key`), 404, 'NOT_FOUND');
    expectError(await p.manager.del('/api/feeds/feed_nope'), 404, 'NOT_FOUND');
    // the deployment's key is not a feed of the store: untouched
    expect(await statusOf(server.url, server.feedKey)).toBe(201);
  });

  it('a feed whose pools were all deleted posts nowhere (403); one that kept a pool posts into it', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu');
    await createPool(p.manager, 'us');
    const only = await createFeed(p.manager, { name: 'EU only', pools: ['eu'] });
    const two = await createFeed(p.manager, { name: 'EU then US', pools: ['eu', 'us'] });
    expect((await p.manager.del('/api/pools/eu')).status).toBe(204);
    expectError(await api(server.url, only.key).post('/api/leads', leadInput()), 403, 'FORBIDDEN');
    expect((await postLead(api(server.url, two.key))).poolId).toBe('us');
    expect((await p.manager.get('/api/feeds')).body.feeds.map((f) => f.pools)).toEqual([[], ['us']]);
  });

  it('across processes (Redis): a key revoked or rotated on one process is refused at once on another', async () => {
    const { server, p } = await fresh();
    const peer = await fresh.peer(server);
    if (!peer) return; // the embedded store is one process
    const { feed, key } = await createFeed(p.manager, { name: 'Shared' });
    expect(await statusOf(peer.url, key)).toBe(201); // created on one, accepted on the other
    const rotated = await peer.p.manager.post(`/api/feeds/${feed.id}/key`);
    expect(rotated.status).toBe(200);
    expect(await statusOf(server.url, key)).toBe(401);
    expect(await statusOf(peer.url, key)).toBe(401);
    expect(await statusOf(server.url, rotated.body.key)).toBe(201);
    expect((await peer.p.manager.del(`/api/feeds/${feed.id}`)).status).toBe(204);
    expect(await statusOf(server.url, rotated.body.key)).toBe(401);
    expect(await statusOf(peer.url, rotated.body.key)).toBe(401);
    // a feed created on the peer posts on the first process, into its pool
    await createPool(peer.p.manager, 'eu');
    const euFeed = await createFeed(peer.p.manager, { name: 'EU', pools: ['eu'] });
    expect((await postLead(api(server.url, euFeed.key))).poolId).toBe('eu');
  });
});

describe('feed keys and the ingest rate', () => {
  it('the ingest rate limit counts each feed key on its own', async () => {
    const server = await startInProcess({ env: { LEADPOOL_INGEST_RATE: '2' } });
    try {
      const manager = api(server.url, server.managerToken);
      const a = api(server.url, (await createFeed(manager, { name: 'A' })).key);
      const b = api(server.url, (await createFeed(manager, { name: 'B' })).key);
      const burst = async (client: Api) => Promise.all(Array.from({ length: 6 }, () => client.post('/api/leads', leadInput())));
      const fromA = await burst(a);
      expect(fromA.filter((r) => r.status === 429).length).toBeGreaterThan(0);
      // B has its own bucket
      expect((await b.post('/api/leads', leadInput())).status).toBe(201);
    } finally {
      await server.close();
    }
  });
});
