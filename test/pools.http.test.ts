// Pools over HTTP (docs/API.md, "v2: pools"): the pool routes and their errors, each
// pool's own mode, settings, rules, filters and duplicates, deletion rules, rep pools,
// manual assignment across pools, and the v1 routes meaning the pool `default`.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { DEFAULT_SETTINGS, type Lead, type Rep } from '../shared/protocol.js';
import { type Api, type ApiBody, api } from './support/api.js';
import { connectRep, createFeed, createPool, createReps, emitAck, leadInput, postLead, postLeadTo } from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

/** The error envelope: exactly { error: { code, message, details? } }. */
function expectError(res: { status: number; body: ApiBody }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

describe.each(stores)('pools over HTTP ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('a fresh install has the pool default; GET /api/pools and /api/pools/default show it with its figures', async () => {
    const { p } = await fresh();
    const list = await p.manager.get('/api/pools');
    expect(list.status).toBe(200);
    expect(list.body.pools).toEqual([
      {
        id: 'default',
        name: 'Default',
        mode: 'shark-tank',
        settings: DEFAULT_SETTINGS,
        createdAt: expect.any(String),
        rules: [],
        waiting: 0,
        claimed: 0,
        oldestAgeMs: null,
        repsOnline: 0,
      },
    ]);
    await postLead(p.feed);
    const one = await p.manager.get('/api/pools/default');
    expect(one.status).toBe(200);
    expect(one.body.pool).toMatchObject({ id: 'default', waiting: 1, claimed: 0, oldestAgeMs: expect.any(Number) });
  });

  it('POST /api/pools: 201 with its mode and settings (defaults merged), listed after default; 409 CONFLICT on an existing id; 422 on bad input', async () => {
    const { p } = await fresh();
    const res = await p.manager.post('/api/pools', {
      id: 'eu-west',
      name: 'EU West',
      mode: 'cherry-pick',
      settings: { maxActivePerRep: 3 },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['pool']);
    expect(res.body.pool).toMatchObject({
      id: 'eu-west',
      name: 'EU West',
      mode: 'cherry-pick',
      settings: { ...DEFAULT_SETTINGS, maxActivePerRep: 3 },
      rules: [],
      waiting: 0,
    });
    const plain = await createPool(p.manager, 'us');
    expect(plain).toMatchObject({ mode: 'shark-tank', settings: DEFAULT_SETTINGS });
    expect((await p.manager.get('/api/pools')).body.pools.map((x) => x.id)).toEqual(['default', 'eu-west', 'us']);

    expectError(await p.manager.post('/api/pools', { id: 'eu-west', name: 'Again' }), 409, 'CONFLICT');
    expectError(await p.manager.post('/api/pools', { id: 'default', name: 'Again' }), 409, 'CONFLICT');
    expect((await p.manager.get('/api/pools/eu-west')).body.pool.name).toBe('EU West'); // unchanged by the refused create
    for (const body of [
      { id: 'EU', name: 'upper case' },
      { id: '-eu', name: 'leading dash' },
      { id: 'x'.repeat(41), name: 'too long' },
      { id: 'ok' },
      { id: 'ok', name: 'x', extra: 1 },
      { id: 'ok', name: 'x', mode: 'free-for-all' },
      { id: 'ok', name: 'x', settings: { maxActivePerRep: 0 } },
    ]) {
      expectError(await p.manager.post('/api/pools', body), 422, 'INVALID');
    }
    expect((await p.manager.get('/api/pools')).body.pools).toHaveLength(3);
  });

  it('GET / PATCH / DELETE /api/pools/:poolId and every pool route: 404 NOT_FOUND for an unknown pool', async () => {
    const { p } = await fresh();
    expectError(await p.manager.get('/api/pools/nope'), 404, 'NOT_FOUND');
    expectError(await p.manager.patch('/api/pools/nope', { name: 'x' }), 404, 'NOT_FOUND');
    expectError(await p.manager.del('/api/pools/nope'), 404, 'NOT_FOUND');
    expectError(await p.manager.put('/api/pools/nope/mode', { mode: 'hybrid' }), 404, 'NOT_FOUND');
    expectError(await p.manager.patch('/api/pools/nope/settings', { maxActivePerRep: 2 }), 404, 'NOT_FOUND');
    expectError(await p.manager.get('/api/pools/nope/rules'), 404, 'NOT_FOUND');
    expectError(await p.manager.put('/api/pools/nope/rules', { rules: [] }), 404, 'NOT_FOUND');
    expectError(await p.manager.post('/api/pools/nope/leads', leadInput()), 404, 'NOT_FOUND');
    expectError(await p.feed.post('/api/pools/nope/leads', leadInput()), 404, 'NOT_FOUND');
    expectError(await p.manager.get('/api/pools/NOT%20AN%20ID'), 404, 'NOT_FOUND');
    // nothing was created by any of them
    expect((await p.manager.get('/api/pools')).body.pools.map((x) => x.id)).toEqual(['default']);
  });

  it('PATCH /api/pools/:poolId renames (name only, strict); the id stays', async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu', { name: 'Europe' });
    const res = await p.manager.patch('/api/pools/eu', { name: 'Europe (all)' });
    expect(res.status).toBe(200);
    expect(res.body.pool).toMatchObject({ id: 'eu', name: 'Europe (all)' });
    expect((await p.manager.patch('/api/pools/default', { name: 'Main' })).body.pool).toMatchObject({ id: 'default', name: 'Main' });
    expectError(await p.manager.patch('/api/pools/eu', { name: '' }), 422, 'INVALID');
    expectError(await p.manager.patch('/api/pools/eu', { name: 'x', mode: 'hybrid' }), 422, 'INVALID');
    expectError(await p.manager.patch('/api/pools/eu', { id: 'other' }), 422, 'INVALID');
  });

  it("mode, settings and rules are each pool's own; the v1 routes read and change the pool default only", async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu');
    expect((await p.manager.put('/api/pools/eu/mode', { mode: 'blind-pull' })).body).toEqual({ mode: 'blind-pull' });
    expect((await p.manager.patch('/api/pools/eu/settings', { maxActivePerRep: 2, claimCooldownMs: 500 })).body.settings).toEqual({
      ...DEFAULT_SETTINGS,
      maxActivePerRep: 2,
      claimCooldownMs: 500,
    });
    const rules = [{ name: 'DE', when: { country: ['DE'] }, to: { languages: ['de'] } }];
    expect((await p.manager.put('/api/pools/eu/rules', { rules })).body).toEqual({ rules });
    expect((await p.manager.get('/api/pools/eu/rules')).body).toEqual({ rules });
    // default untouched, through the v1 routes and the v2 ones
    expect((await p.manager.get('/api/pool')).body).toEqual({ mode: 'shark-tank', settings: DEFAULT_SETTINGS });
    expect((await p.manager.get('/api/rules')).body).toEqual({ rules: [] });
    expect((await p.manager.get('/api/pools/default/rules')).body).toEqual({ rules: [] });

    // v1 routes change default, and only default
    expect((await p.manager.put('/api/pool/mode', { mode: 'hybrid' })).body).toEqual({ mode: 'hybrid' });
    expect((await p.manager.patch('/api/pool/settings', { maxActivePerRep: 7 })).body.settings.maxActivePerRep).toBe(7);
    const v1Rules = [{ name: 'FR', when: { country: ['FR'] }, to: { countries: ['FR'] } }];
    expect((await p.manager.put('/api/rules', { rules: v1Rules })).body).toEqual({ rules: v1Rules });
    expect((await p.manager.get('/api/pools/default')).body.pool).toMatchObject({
      mode: 'hybrid',
      settings: { maxActivePerRep: 7 },
      rules: v1Rules,
    });
    expect((await p.manager.get('/api/pools/eu')).body.pool).toMatchObject({
      mode: 'blind-pull',
      settings: { maxActivePerRep: 2, claimCooldownMs: 500 },
      rules,
    });
    // the same validation as the v1 routes
    expectError(await p.manager.put('/api/pools/eu/mode', { mode: 'nope' }), 422, 'INVALID');
    expectError(await p.manager.patch('/api/pools/eu/settings', { teaserFields: ['email'] }), 422, 'INVALID');
    expectError(await p.manager.put('/api/pools/eu/rules', { rules: [{ name: 'x' }] }), 422, 'INVALID');
  });

  it('POST /api/pools/:poolId/leads puts the lead in that pool; POST /api/leads in default; GET /api/leads?poolId= filters', async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu');
    const inDefault = await postLead(p.feed);
    const byFeed = await postLeadTo(p.feed, 'eu');
    const byManager = await postLeadTo(p.manager, 'eu');
    expect(inDefault.poolId).toBe('default');
    expect(byFeed.poolId).toBe('eu');
    expect(byManager.poolId).toBe('eu');
    // the deployment's own feed key has no feedId
    expect(byFeed.feedId).toBeUndefined();
    expect((await p.manager.post('/api/leads', leadInput())).body.lead.poolId).toBe('default');

    const eu = await p.manager.get('/api/leads?poolId=eu');
    expect(eu.body.leads.map((l: Lead) => l.id)).toEqual([byManager.id, byFeed.id]);
    const def = await p.manager.get('/api/leads?poolId=default&status=open');
    expect(def.body.leads.every((l: Lead) => l.poolId === 'default')).toBe(true);
    expect(def.body.leads).toHaveLength(2);
    expect((await p.manager.get('/api/leads')).body.leads).toHaveLength(4);
    expect((await p.manager.get('/api/leads?poolId=other')).body.leads).toEqual([]);
    expectError(await p.manager.get('/api/leads?poolId=Not_An_Id'), 422, 'INVALID');
    // the same body rules as POST /api/leads
    expectError(await p.feed.post('/api/pools/eu/leads', { name: 'no contact' }), 422, 'INVALID');
    expectError(await p.feed.post('/api/pools/eu/leads', '{oops'), 400, 'BAD_JSON');
  });

  it("qualification filters and the duplicate window are the lead's pool's; externalId is unique per pool", async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'dach', { settings: { filters: { countries: ['DE', 'AT', 'CH'] }, duplicateWindowMs: 60_000 } });
    // filters: GB fails in dach only
    const gbDach = await postLeadTo(p.feed, 'dach', { country: 'GB' });
    expect(gbDach).toMatchObject({ status: 'disqualified', disqualifiedReasons: ['country GB is not accepted'] });
    expect((await postLead(p.feed, { country: 'GB' })).status).toBe('open');

    // externalId: per pool
    const first = await p.feed.post('/api/leads', leadInput({ externalId: 'crm-1' }));
    const otherPool = await p.feed.post('/api/pools/dach/leads', leadInput({ externalId: 'crm-1', country: 'DE' }));
    expect(first.status).toBe(201);
    expect(otherPool.status).toBe(201);
    expect(otherPool.body.lead.id).not.toBe(first.body.lead.id);
    const again = await p.feed.post('/api/pools/dach/leads', leadInput({ externalId: 'crm-1', country: 'DE' }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, lead: { id: otherPool.body.lead.id } });

    // duplicate window: dach has one, default none
    const email = 'same.person@example.test';
    expect((await p.feed.post('/api/pools/dach/leads', leadInput({ email, country: 'DE' }))).status).toBe(201);
    expect((await p.feed.post('/api/pools/dach/leads', leadInput({ email, country: 'AT' }))).body.duplicate).toBe(true);
    expect((await p.feed.post('/api/leads', leadInput({ email }))).status).toBe(201);
    expect((await p.feed.post('/api/leads', leadInput({ email }))).status).toBe(201);
  });

  it('hybrid rules of a pool route over the reps of that pool only', async () => {
    const { p } = await fresh();
    // No rep is online here: `wait` keeps leads narrowed (the default would open them to everyone).
    await createPool(p.manager, 'eu', { mode: 'hybrid', settings: { whenNobodyEligible: 'wait' } });
    const [inEu, inDefault, inBoth] = await createReps(p.manager, 3, (i) => ({
      languages: ['de'],
      pools: [['eu'], ['default'], ['eu', 'default']][i],
    }));
    const rules = [{ name: 'German', when: { language: ['de'] }, to: { languages: ['de'] } }];
    await p.manager.put('/api/pools/eu/rules', { rules });
    await p.manager.put('/api/rules', { rules });
    const euLead = await postLeadTo(p.feed, 'eu', { language: 'de' });
    const defLead = await postLead(p.feed, { language: 'de' });
    expect(new Set(euLead.eligible as string[])).toEqual(new Set([inEu.rep.id, inBoth.rep.id]));
    expect(new Set(defLead.eligible as string[])).toEqual(new Set([inDefault.rep.id, inBoth.rep.id]));
    // a rep leaving eu is routed out of its waiting leads
    await p.manager.patch(`/api/reps/${inBoth.rep.id}`, { pools: ['default'] });
    expect((await p.manager.get(`/api/leads/${euLead.id}`)).body.lead.eligible).toEqual([inEu.rep.id]);
    expect(new Set((await p.manager.get(`/api/leads/${defLead.id}`)).body.lead.eligible as string[])).toEqual(
      new Set([inDefault.rep.id, inBoth.rep.id]),
    );
  });

  it('DELETE /api/pools/:poolId: 409 for default and for a pool holding open or claimed leads; else 204, reps and feeds lose it, its closed leads stay', async () => {
    const { server, p } = await fresh();
    expectError(await p.manager.del('/api/pools/default'), 409, 'CONFLICT');
    await createPool(p.manager, 'eu');
    const [rep, other] = await createReps(p.manager, 2, (i) => ({ pools: i === 0 ? ['default', 'eu'] : ['default'] }));
    const { feed } = await createFeed(p.manager, { name: 'Web form', pools: ['eu', 'default'] });

    const open = await postLeadTo(p.feed, 'eu');
    const refusedOpen = await p.manager.del('/api/pools/eu');
    expectError(refusedOpen, 409, 'CONFLICT');
    expect(refusedOpen.body.error.message).toMatch(/open or claimed/);

    const tab = await connectRep(server.url, rep.token);
    expect((await emitAck(tab.socket, EV.claim, { leadId: open.id })).ok).toBe(true);
    expectError(await p.manager.del('/api/pools/eu'), 409, 'CONFLICT'); // claimed
    expect((await emitAck(tab.socket, EV.outcome, { leadId: open.id, outcome: 'won' })).ok).toBe(true);
    const disq = await p.manager.patch('/api/pools/eu/settings', { filters: { minVisits: 1000 } });
    expect(disq.status).toBe(200);
    const disqualified = await postLeadTo(p.feed, 'eu');
    expect(disqualified.status).toBe('disqualified');

    const deleted = await p.manager.del('/api/pools/eu');
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectError(await p.manager.get('/api/pools/eu'), 404, 'NOT_FOUND');
    expect((await p.manager.get('/api/pools')).body.pools.map((x) => x.id)).toEqual(['default']);
    expect((await p.manager.get(`/api/reps/${rep.rep.id}`)).body.rep.pools).toEqual(['default']);
    expect((await p.manager.get(`/api/reps/${other.rep.id}`)).body.rep.pools).toEqual(['default']);
    expect((await p.manager.get('/api/feeds')).body.feeds.find((f) => f.id === feed.id)!.pools).toEqual(['default']);
    // history keeps its pool
    const history = (await p.manager.get('/api/leads?poolId=eu')).body.leads;
    expect(new Set(history.map((l: Lead) => l.id))).toEqual(new Set([open.id, disqualified.id]));
    expect((await p.manager.get(`/api/leads/${open.id}`)).body.lead).toMatchObject({ poolId: 'eu', status: 'closed' });
    expectError(await p.manager.del('/api/pools/eu'), 404, 'NOT_FOUND');
    // the id may be used again
    expect((await p.manager.post('/api/pools', { id: 'eu', name: 'EU again' })).status).toBe(201);
  });

  it('rep create and patch: pools default to ["default"], may be empty; an unknown pool is 422 INVALID naming it', async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu');
    const [plain] = await createReps(p.manager, 1);
    expect(plain.rep.pools).toEqual(['default']);
    const [both] = await createReps(p.manager, 1, { pools: ['eu', 'default'] });
    expect(both.rep.pools).toEqual(['eu', 'default']);
    const [none] = await createReps(p.manager, 1, { pools: [] });
    expect(none.rep.pools).toEqual([]);

    const bad = await p.manager.post('/api/reps', { name: 'Ghost', pools: ['default', 'atlantis'] });
    expectError(bad, 422, 'INVALID');
    expect(bad.body.error.message).toContain('atlantis');
    expect(bad.body.error.details).toEqual([{ path: 'pools.1', message: expect.stringContaining('atlantis') }]);
    expect((await p.manager.get('/api/reps')).body.reps).toHaveLength(3); // nothing created

    const badPatch = await p.manager.patch(`/api/reps/${plain.rep.id}`, { pools: ['mars'] });
    expectError(badPatch, 422, 'INVALID');
    expect(badPatch.body.error.message).toContain('mars');
    expect((await p.manager.get(`/api/reps/${plain.rep.id}`)).body.rep.pools).toEqual(['default']); // unchanged
    expectError(await p.manager.patch(`/api/reps/${plain.rep.id}`, { pools: ['eu', 'eu'] }), 422, 'INVALID');
    expectError(await p.manager.patch(`/api/reps/${plain.rep.id}`, { pools: ['EU'] }), 422, 'INVALID');

    const moved = await p.manager.patch(`/api/reps/${plain.rep.id}`, { pools: ['eu'] });
    expect(moved.status).toBe(200);
    expect(moved.body.rep.pools).toEqual(['eu']);
  });

  it("manual assignment to a rep outside the lead's pool: 409 CONFLICT naming the pool; inside it as v1", async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu');
    const [euRep, defRep] = await createReps(p.manager, 2, (i) => ({ pools: [i === 0 ? 'eu' : 'default'] }));
    const lead = await postLeadTo(p.feed, 'eu');
    const refused = await p.manager.post(`/api/leads/${lead.id}/assign`, { repId: defRep.rep.id });
    expectError(refused, 409, 'CONFLICT');
    expect(refused.body.error.message).toMatch(/not in the pool/);
    expect(refused.body.error.message).toContain('eu');
    expect((await p.manager.get(`/api/leads/${lead.id}`)).body.lead.status).toBe('open');
    const ok = await p.manager.post(`/api/leads/${lead.id}/assign`, { repId: euRep.rep.id });
    expect(ok.status).toBe(200);
    expect(ok.body.lead).toMatchObject({ claimedBy: euRep.rep.id, poolId: 'eu' });
    // reassigning a claimed lead to a rep outside its pool: refused too, the owner keeps it
    expectError(await p.manager.post(`/api/leads/${lead.id}/assign`, { repId: defRep.rep.id }), 409, 'CONFLICT');
    expect((await p.manager.get(`/api/leads/${lead.id}`)).body.lead.claimedBy).toBe(euRep.rep.id);
    // the v1 errors are unchanged
    expectError(await p.manager.post('/api/leads/ld_nope/assign', { repId: euRep.rep.id }), 404, 'NOT_FOUND');
    expectError(await p.manager.post(`/api/leads/${lead.id}/assign`, { repId: 'rep_nope' }), 404, 'NOT_FOUND');
  });

  it('pool and feed routes are for managers: 401 without a token, 403 for feeds and reps', async () => {
    const { server, p } = await fresh();
    const [rep] = await createReps(p.manager, 1);
    const asRep = api(server.url, rep.token);
    const anonymous = api(server.url);
    const routes: [keyof Api, string, unknown?][] = [
      ['get', '/api/pools'],
      ['post', '/api/pools', { id: 'x', name: 'x' }],
      ['get', '/api/pools/default'],
      ['patch', '/api/pools/default', { name: 'x' }],
      ['del', '/api/pools/default'],
      ['put', '/api/pools/default/mode', { mode: 'hybrid' }],
      ['patch', '/api/pools/default/settings', {}],
      ['get', '/api/pools/default/rules'],
      ['put', '/api/pools/default/rules', { rules: [] }],
      ['get', '/api/feeds'],
      ['post', '/api/feeds', { name: 'x' }],
      ['del', '/api/feeds/feed_x'],
      ['post', '/api/feeds/feed_x/key'],
    ];
    for (const [method, path, body] of routes) {
      const call = (client: Api) =>
        (client[method] as (path: string, body?: unknown) => Promise<{ status: number; body: ApiBody }>)(path, body);
      expectError(await call(anonymous), 401, 'UNAUTHORIZED');
      expectError(await call(p.feed), 403, 'FORBIDDEN');
      expectError(await call(asRep), 403, 'FORBIDDEN');
    }
    expectError(await asRep.post('/api/pools/default/leads', leadInput()), 403, 'FORBIDDEN');
    expectError(await anonymous.post('/api/pools/default/leads', leadInput()), 401, 'UNAUTHORIZED');
    // nothing changed
    expect((await p.manager.get('/api/pools')).body.pools).toMatchObject([{ id: 'default', name: 'Default', mode: 'shark-tank' }]);
  });

  it('GET /api/reps shows each rep with its pools; GET /api/me too', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu');
    const [r] = await createReps(p.manager, 1, { pools: ['eu'] });
    const reps: Rep[] = (await p.manager.get('/api/reps')).body.reps;
    expect(reps[0].pools).toEqual(['eu']);
    expect((await api(server.url, r.token).get('/api/me')).body.rep.pools).toEqual(['eu']);
  });
});
