// The HTTP API of the contract, route by route: auth (401/403/404 for reps), lead intake
// (201/200 duplicate/422/400/413 in the error envelope), qualification and duplicates,
// listing, reps, pool mode and settings, rules, manual assignment, reports, health.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { DEFAULT_SETTINGS, type Lead, type Rep, type ReportSummary } from '../shared/protocol.js';
import { type ApiBody, api } from './support/api.js';
import {
  barrier,
  closeAllSockets,
  connectManager,
  connectRep,
  createReps,
  disconnected,
  emitAck,
  leadInput,
  okAck,
  patchSettings,
  pool,
  postLead,
  setMode,
} from './support/clients.js';
import { type InProcessServer, startInProcess } from './support/server.js';

const servers: InProcessServer[] = [];
async function fresh() {
  const server = await startInProcess();
  servers.push(server);
  return { server, ...pool(server) };
}

afterEach(() => closeAllSockets());
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The error envelope: exactly { error: { code, message, details? } }. */
function expectError(res: { status: number; body: ApiBody }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

describe('auth', () => {
  let ctx: Awaited<ReturnType<typeof fresh>>;
  let rep: { rep: Rep; token: string };
  let other: { rep: Rep; token: string };
  let lead: Lead;

  beforeAll(async () => {
    ctx = await fresh();
    [rep, other] = await createReps(ctx.manager, 2);
    lead = await postLead(ctx.feed);
  });

  const routes = (id = 'ld_x', repId = 'rep_x'): [string, string, unknown?][] => [
    ['POST', '/api/leads', leadInput()],
    ['GET', '/api/leads'],
    ['GET', `/api/leads/${id}`],
    ['POST', `/api/leads/${id}/assign`, { repId }],
    ['POST', `/api/leads/${id}/release`, {}],
    ['POST', '/api/reps', { name: 'X' }],
    ['GET', '/api/reps'],
    ['PATCH', `/api/reps/${repId}`, { name: 'Y' }],
    ['POST', `/api/reps/${repId}/token`, {}],
    ['DELETE', `/api/reps/${repId}`],
    ['GET', '/api/me'],
    ['GET', '/api/me/leads'],
    ['GET', '/api/pool'],
    ['PUT', '/api/pool/mode', { mode: 'cherry-pick' }],
    ['PATCH', '/api/pool/settings', { claimCooldownMs: 0 }],
    ['GET', '/api/rules'],
    ['PUT', '/api/rules', { rules: [] }],
    ['GET', '/api/reports/summary'],
  ];

  it('401 UNAUTHORIZED on every route without a token, with a wrong token, or a malformed header', async () => {
    const anonymous = api(ctx.url);
    const wrong = api(ctx.url, 'not-a-real-token-1234567890');
    for (const [method, path, body] of routes(lead.id, rep.rep.id)) {
      expectError(await anonymous.raw(method, path, body), 401, 'UNAUTHORIZED');
      expectError(await wrong.raw(method, path, body), 401, 'UNAUTHORIZED');
      expectError(await anonymous.raw(method, path, body, { authorization: `Basic ${ctx.server.managerToken}` }), 401, 'UNAUTHORIZED');
      expectError(await anonymous.raw(method, path, body, { authorization: `Bearer ${'x'.repeat(5000)}` }), 401, 'UNAUTHORIZED');
    }
  });

  it('403 FORBIDDEN for a valid credential of the wrong role', async () => {
    const asRep = api(ctx.url, rep.token);
    const managerOnly = routes(lead.id, rep.rep.id).filter(
      ([m, p]) =>
        !((m === 'GET' && p.startsWith('/api/leads/')) || p.endsWith('/release') || p.startsWith('/api/me')) &&
        !(m === 'POST' && p === '/api/leads'),
    );
    for (const [method, path, body] of managerOnly) {
      expectError(await ctx.feed.raw(method, path, body), 403, 'FORBIDDEN');
      expectError(await asRep.raw(method, path, body), 403, 'FORBIDDEN');
    }
    expectError(await asRep.post('/api/leads', leadInput()), 403, 'FORBIDDEN');
    expectError(await ctx.manager.get('/api/me'), 403, 'FORBIDDEN');
    expectError(await ctx.feed.get('/api/me'), 403, 'FORBIDDEN');
    expectError(await ctx.manager.get('/api/me/leads'), 403, 'FORBIDDEN');
    expectError(await ctx.feed.get('/api/me/leads'), 403, 'FORBIDDEN');
    expectError(await ctx.feed.get(`/api/leads/${lead.id}`), 403, 'FORBIDDEN');
    expectError(await ctx.feed.post(`/api/leads/${lead.id}/release`, {}), 403, 'FORBIDDEN');
    // A 403 changed nothing.
    expect((await ctx.manager.get('/api/pool')).body.mode).toBe('shark-tank');
    expect((await ctx.manager.get('/api/reps')).body.reps).toHaveLength(2);
  });

  it("a rep gets 404 for a lead it does not own (open, someone else's, unknown), and its own lead", async () => {
    const asRep = api(ctx.url, rep.token);
    const asOther = api(ctx.url, other.token);
    const l = await postLead(ctx.feed);
    // Open lead: not owned, 404 on read and release.
    expectError(await asRep.get(`/api/leads/${l.id}`), 404, 'NOT_FOUND');
    expectError(await asRep.post(`/api/leads/${l.id}/release`, {}), 404, 'NOT_FOUND');
    // Unknown id: the same answer, so ids cannot be probed.
    expectError(await asRep.get('/api/leads/ld_does_not_exist'), 404, 'NOT_FOUND');
    expectError(await asRep.post('/api/leads/ld_does_not_exist/release', {}), 404, 'NOT_FOUND');

    const socket = await connectRep(ctx.url, rep.token);
    const claimed = await emitAck(socket.socket, EV.claim, { leadId: l.id });
    expect(claimed.ok).toBe(true);
    // Another rep's lead: 404 too.
    expectError(await asOther.get(`/api/leads/${l.id}`), 404, 'NOT_FOUND');
    expectError(await asOther.post(`/api/leads/${l.id}/release`, {}), 404, 'NOT_FOUND');
    // The owner reads it with its contact fields and no `eligible`.
    const own = await asRep.get(`/api/leads/${l.id}`);
    expect(own.status).toBe(200);
    expect(own.body.lead).toMatchObject({
      id: l.id,
      status: 'claimed',
      claimedBy: rep.rep.id,
      email: l.email,
      phone: l.phone,
      name: l.name,
    });
    expect(own.body.lead).not.toHaveProperty('eligible');
    // And releases it: open again, and then no longer its own.
    const released = await asRep.post(`/api/leads/${l.id}/release`, {});
    expect(released.status).toBe(200);
    expect(released.body.lead).toMatchObject({ id: l.id, status: 'open' });
    expect(released.body.lead).not.toHaveProperty('claimedBy');
    expectError(await asRep.get(`/api/leads/${l.id}`), 404, 'NOT_FOUND');
    // The manager reads any lead.
    const m = await ctx.manager.get(`/api/leads/${l.id}`);
    expect(m.status).toBe(200);
    expect(m.body.lead).toMatchObject({ id: l.id, status: 'open', email: l.email, eligible: '*' });
    expectError(await ctx.manager.get('/api/leads/ld_nope'), 404, 'NOT_FOUND');
  });

  it('an unknown API route is 404 in the envelope', async () => {
    expectError(await ctx.manager.get('/api/nope'), 404, 'NOT_FOUND');
  });
});

describe('POST /api/leads', () => {
  let ctx: Awaited<ReturnType<typeof fresh>>;
  beforeAll(async () => {
    ctx = await fresh();
  });

  it('201 { lead } for a new lead, by the feed and by the manager', async () => {
    const input = leadInput({ externalId: 'ext-201', country: 'de', language: 'DE' });
    const res = await ctx.feed.post('/api/leads', input);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['lead']);
    const lead = res.body.lead;
    expect(lead).toMatchObject({ ...input, country: 'DE', language: 'de', status: 'open' });
    expect(typeof lead.id).toBe('string');
    expect(new Date(lead.createdAt).toISOString()).toBe(lead.createdAt);
    expect(Math.abs(Date.parse(lead.createdAt) - Date.now())).toBeLessThan(10_000);
    const byManager = await ctx.manager.post('/api/leads', { phone: '+49 (30) 123-45.67' });
    expect(byManager.status).toBe(201);
    expect(byManager.body.lead.phone).toBe('+49 (30) 123-45.67');
  });

  it('200 { lead, duplicate: true } for a known externalId, and nothing changes', async () => {
    const first = await ctx.feed.post('/api/leads', leadInput({ externalId: 'ext-dup', company: 'First Co' }));
    expect(first.status).toBe(201);
    const before = (await ctx.manager.get('/api/leads?limit=1000')).body.leads.length;
    const again = await ctx.feed.post('/api/leads', leadInput({ externalId: 'ext-dup', company: 'Second Co', country: 'FR' }));
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.lead).toEqual(first.body.lead);
    const after = await ctx.manager.get('/api/leads?limit=1000');
    expect(after.body.leads.length).toBe(before);
    const stored = await ctx.manager.get(`/api/leads/${first.body.lead.id}`);
    expect(stored.body.lead.company).toBe('First Co');
    expect(stored.body.lead.country).toBe('GB');
  });

  it('concurrent posts of one externalId: exactly one 201, the rest 200 duplicates of it', async () => {
    const input = leadInput({ externalId: 'ext-concurrent' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => ctx.feed.post('/api/leads', input)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const id = answers.find((a) => a.status === 201)!.body.lead.id;
    for (const a of answers) expect(a.body.lead.id).toBe(id);
    const listed = (await ctx.manager.get('/api/leads?limit=1000')).body.leads.filter((l: Lead) => l.externalId === 'ext-concurrent');
    expect(listed).toHaveLength(1);
  });

  it('422 INVALID for unknown keys, no email nor phone, bad email, bad phone, companySize 0, country GBR, and more', async () => {
    const bad: [string, unknown][] = [
      ['unknown key', { ...leadInput(), favouriteColour: 'blue' }],
      ['neither email nor phone', { name: 'No Contact', company: 'X' }],
      ['empty object', {}],
      ['bad email', { email: 'not-an-email' }],
      ['bad email (no domain)', { email: 'a@' }],
      ['bad phone (letters)', { phone: '+1 555 CALL ME' }],
      ['bad phone (too short)', { phone: '12' }],
      ['bad phone (too long)', { phone: '1'.repeat(41) }],
      ['companySize 0', { email: 'a@b.co', companySize: 0 }],
      ['companySize 1.5', { email: 'a@b.co', companySize: 1.5 }],
      ['country GBR', { email: 'a@b.co', country: 'GBR' }],
      ['language eng', { email: 'a@b.co', language: 'eng' }],
      ['externalId too long', { email: 'a@b.co', externalId: 'x'.repeat(129) }],
      ['tags not strings', { email: 'a@b.co', tags: [1, 2] }],
      ['attribute object', { email: 'a@b.co', attributes: { nested: { a: 1 } } }],
      ['engagement unknown key', { email: 'a@b.co', engagement: { visits: 1, clicks: 2 } }],
      ['email as number', { email: 42 }],
      ['array body', [leadInput()]],
      ['null body', null],
      ['string body', '"just a string"'],
      ['number body', '42'],
    ];
    const count = (await ctx.manager.get('/api/leads?limit=1000')).body.leads.length;
    for (const [what, body] of bad) {
      const res = await ctx.feed.post('/api/leads', typeof body === 'string' ? body : JSON.stringify(body));
      expect(res.status, what).toBe(422);
      expectError(res, 422, 'INVALID');
    }
    const unknown = await ctx.feed.post('/api/leads', { ...leadInput(), favouriteColour: 'blue' });
    expect(JSON.stringify(unknown.body.error.details)).toContain('favouriteColour');
    expect((await ctx.manager.get('/api/leads?limit=1000')).body.leads.length).toBe(count);
  });

  it('422 for an empty body, 400 BAD_JSON for malformed JSON, 413 TOO_LARGE over 64 KiB', async () => {
    expectError(await ctx.feed.post('/api/leads', ''), 422, 'INVALID');
    expectError(await ctx.feed.post('/api/leads', '{"email": "a@b.co",'), 400, 'BAD_JSON');
    expectError(await ctx.feed.post('/api/leads', "{'email': 'a@b.co'}"), 400, 'BAD_JSON');
    expectError(await ctx.feed.post('/api/leads', '{"email": "a@b.co"} trailing'), 400, 'BAD_JSON');
    const big = JSON.stringify({
      email: 'big@example.test',
      attributes: { blob: 'x'.repeat(1000) },
      tags: Array.from({ length: 50 }, () => 'y'.repeat(64)),
      name: 'z'.repeat(70 * 1024),
    });
    expect(big.length).toBeGreaterThan(64 * 1024);
    expectError(await ctx.feed.post('/api/leads', big), 413, 'TOO_LARGE');
    // Just under the limit parses (and is then judged by the schema: name too long).
    const under = JSON.stringify({ email: 'big@example.test', name: 'z'.repeat(60 * 1024) });
    expectError(await ctx.feed.post('/api/leads', under), 422, 'INVALID');
    // The server is fine afterwards.
    expect((await ctx.feed.post('/api/leads', leadInput())).status).toBe(201);
  });
});

describe('qualification filters and duplicates', () => {
  it('a lead failing the filters is stored disqualified (201) with reasons and never offered', async () => {
    const ctx = await fresh();
    const [r] = await createReps(ctx.manager, 1);
    const rep = await connectRep(ctx.url, r.token);
    await patchSettings(ctx.manager, { filters: { countries: ['DE', 'AT'], minVisits: 2, requireFields: ['company'] } });
    const res = await ctx.feed.post('/api/leads', leadInput({ country: 'FR', engagement: { visits: 1 }, company: undefined }));
    expect(res.status).toBe(201);
    const lead = res.body.lead;
    expect(lead.status).toBe('disqualified');
    expect(lead.disqualifiedReasons).toHaveLength(3);
    expect(lead.disqualifiedReasons!.join(' ')).toMatch(/company/);
    expect(lead.disqualifiedReasons!.join(' ')).toMatch(/FR/);
    expect(lead.disqualifiedReasons!.join(' ')).toMatch(/visits/);
    const ok = await postLead(ctx.feed, { country: 'de', engagement: { visits: 5 } });
    expect(ok.status).toBe('open');
    expect(ok).not.toHaveProperty('disqualifiedReasons');
    await rep.rec.waitFor(EV.leadOffered, (v) => v.id === ok.id);
    await barrier(rep.socket);
    expect(rep.rec.of(EV.leadOffered).map((v) => v.id)).toEqual([ok.id]);
    // Not claimable either, and listed as disqualified.
    const claim = await emitAck(rep.socket, EV.claim, { leadId: lead.id });
    expect(claim).toMatchObject({ ok: false, error: { code: 'NOT_OPEN' } });
    const listed = await ctx.manager.get('/api/leads?status=disqualified');
    expect(listed.body.leads.map((l: Lead) => l.id)).toEqual([lead.id]);
    // A reconnecting rep does not see it in pool:state either.
    const again = await connectRep(ctx.url, r.token);
    expect(again.state.leads.map((l) => l.id)).toEqual([ok.id]);
  });

  it('duplicateWindowMs: the same email (any case) or phone (any punctuation) inside the window is a duplicate', async () => {
    const ctx = await fresh();
    const a = await ctx.feed.post('/api/leads', { email: 'Same.Person@Example.test', phone: '+44 20 7946 0000' });
    expect(a.status).toBe(201);
    // Off by default: a second lead with the same email is new.
    const b = await ctx.feed.post('/api/leads', { email: 'same.person@example.test' });
    expect(b.status).toBe(201);
    await patchSettings(ctx.manager, { duplicateWindowMs: 60_000 });
    const byEmail = await ctx.feed.post('/api/leads', { email: 'SAME.PERSON@example.test', company: 'Other' });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.duplicate).toBe(true);
    expect([a.body.lead.id, b.body.lead.id]).toContain(byEmail.body.lead.id);
    const byPhone = await ctx.feed.post('/api/leads', { phone: '+44 (20) 7946-0000' });
    expect(byPhone.status).toBe(200);
    expect(byPhone.body).toMatchObject({ duplicate: true, lead: { id: a.body.lead.id } });
    const different = await ctx.feed.post('/api/leads', { email: 'someone.else@example.test', phone: '+44 20 7946 0001' });
    expect(different.status).toBe(201);
    expect((await ctx.manager.get('/api/leads')).body.leads).toHaveLength(3);
    // A tiny window: once it has passed, the same email is new again.
    await patchSettings(ctx.manager, { duplicateWindowMs: 30 });
    await new Promise((r) => setTimeout(r, 60));
    expect((await ctx.feed.post('/api/leads', { email: 'someone.else@example.test' })).status).toBe(201);
  });
});

describe('GET /api/leads', () => {
  it('newest first, with status, repId and limit filters', async () => {
    const ctx = await fresh();
    const [r1, r2] = await createReps(ctx.manager, 2);
    const created: Lead[] = [];
    for (let i = 0; i < 6; i++) created.push(await postLead(ctx.feed, { externalId: `list-${i}` }));
    const all = await ctx.manager.get('/api/leads');
    expect(all.status).toBe(200);
    expect(all.body.leads.map((l: Lead) => l.id)).toEqual(created.map((l) => l.id).reverse());
    const times = all.body.leads.map((l: Lead) => Date.parse(l.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect((await ctx.manager.post(`/api/leads/${created[0].id}/assign`, { repId: r1.rep.id })).status).toBe(200);
    expect((await ctx.manager.post(`/api/leads/${created[2].id}/assign`, { repId: r1.rep.id })).status).toBe(200);
    expect((await ctx.manager.post(`/api/leads/${created[4].id}/assign`, { repId: r2.rep.id })).status).toBe(200);

    const claimed = await ctx.manager.get('/api/leads?status=claimed');
    expect(claimed.body.leads.map((l: Lead) => l.id)).toEqual([created[4].id, created[2].id, created[0].id]);
    const open = await ctx.manager.get('/api/leads?status=open');
    expect(open.body.leads.map((l: Lead) => l.id)).toEqual([created[5].id, created[3].id, created[1].id]);
    const ofR1 = await ctx.manager.get(`/api/leads?repId=${r1.rep.id}`);
    expect(ofR1.body.leads.map((l: Lead) => l.id)).toEqual([created[2].id, created[0].id]);
    const both = await ctx.manager.get(`/api/leads?repId=${r2.rep.id}&status=claimed`);
    expect(both.body.leads.map((l: Lead) => l.id)).toEqual([created[4].id]);
    const limited = await ctx.manager.get('/api/leads?limit=2');
    expect(limited.body.leads.map((l: Lead) => l.id)).toEqual([created[5].id, created[4].id]);
    expect((await ctx.manager.get('/api/leads?status=closed')).body.leads).toEqual([]);
    // Manager view carries everything, eligible included.
    expect(all.body.leads[0]).toMatchObject({ email: created[5].email, eligible: '*' });

    expectError(await ctx.manager.get('/api/leads?status=bogus'), 422, 'INVALID');
    expectError(await ctx.manager.get('/api/leads?limit=0'), 422, 'INVALID');
    expectError(await ctx.manager.get('/api/leads?limit=abc'), 422, 'INVALID');
    expectError(await ctx.manager.get('/api/leads?limit=100000'), 422, 'INVALID');
  });
});

describe('reps', () => {
  it('create (token once), list (no token, presence), get, patch, delete', async () => {
    const ctx = await fresh();
    const created = await ctx.manager.post('/api/reps', {
      name: 'Ada',
      skills: ['saas'],
      languages: ['EN', 'de'],
      countries: ['gb'],
      teams: ['north'],
      maxActive: 3,
      weight: 2,
    });
    expect(created.status).toBe(201);
    const { rep, token } = created.body as { rep: Rep; token: string };
    expect(typeof token).toBe('string');
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect(rep).toMatchObject({
      name: 'Ada',
      skills: ['saas'],
      languages: ['en', 'de'],
      countries: ['GB'],
      teams: ['north'],
      maxActive: 3,
      weight: 2,
      presence: 'offline',
    });
    expect(JSON.stringify(rep)).not.toContain(token);
    expect(rep).not.toHaveProperty('tokenHash');
    const defaults = (await ctx.manager.post('/api/reps', { name: 'Bob' })).body.rep;
    expect(defaults).toMatchObject({ skills: [], languages: [], countries: [], teams: [], maxActive: null, weight: 1 });

    const listed = await ctx.manager.get('/api/reps');
    expect(listed.status).toBe(200);
    expect(listed.body.reps.map((r: Rep) => r.name)).toEqual(['Ada', 'Bob']);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(JSON.stringify(listed.body)).not.toMatch(/token/i);
    expect(listed.body.reps.every((r: Rep) => r.presence === 'offline')).toBe(true);

    // Presence shows: connected = available, away, then offline again.
    const tab = await connectRep(ctx.url, token);
    const presenceOf = async () => (await ctx.manager.get('/api/reps')).body.reps.find((r: Rep) => r.id === rep.id)?.presence;
    expect(await presenceOf()).toBe('available');
    expect((await emitAck(tab.socket, EV.presenceSet, { status: 'away' })).ok).toBe(true);
    expect(await presenceOf()).toBe('away');
    expect((await ctx.manager.get(`/api/reps/${rep.id}`)).body.rep.presence).toBe('away');

    // /api/me for the rep itself.
    const me = await api(ctx.url, token).get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.rep).toMatchObject({ id: rep.id, name: 'Ada', presence: 'away' });
    expect(me.body.rep).not.toHaveProperty('tokenHash');

    const patched = await ctx.manager.patch(`/api/reps/${rep.id}`, { name: 'Ada L.', countries: ['de'], maxActive: null });
    expect(patched.status).toBe(200);
    expect(patched.body.rep).toMatchObject({ id: rep.id, name: 'Ada L.', countries: ['DE'], maxActive: null, skills: ['saas'] });
    // The rep's open tab gets a fresh snapshot with its new profile.
    await tab.rec.waitFor(EV.poolState, (s) => s.you.name === 'Ada L.');
    expectError(await ctx.manager.patch(`/api/reps/${rep.id}`, { name: '' }), 422, 'INVALID');
    expectError(await ctx.manager.patch(`/api/reps/${rep.id}`, { token: 'x' }), 422, 'INVALID');
    expectError(await ctx.manager.patch('/api/reps/rep_nope', { name: 'X' }), 404, 'NOT_FOUND');
    expectError(await ctx.manager.post('/api/reps', { name: 'X', weight: 0 }), 422, 'INVALID');
    expectError(await ctx.manager.post('/api/reps', { name: 'X', maxActive: 0 }), 422, 'INVALID');
    expectError(await ctx.manager.post('/api/reps', { name: 'X', countries: ['GBR'] }), 422, 'INVALID');
    expectError(await ctx.manager.post('/api/reps', { skills: ['x'] }), 422, 'INVALID');
    expectError(await ctx.manager.post('/api/reps', { name: 'X', id: 'rep_mine' }), 422, 'INVALID');

    // A rep holding a lead is deleted: its tab is closed, its token dies, the lead reopens.
    const lead = await postLead(ctx.feed);
    expect((await ctx.manager.post(`/api/leads/${lead.id}/assign`, { repId: rep.id })).status).toBe(200);
    const gone = disconnected(tab.socket);
    const del = await ctx.manager.del(`/api/reps/${rep.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    await gone;
    expectError(await api(ctx.url, token).get('/api/me'), 401, 'UNAUTHORIZED');
    expect((await ctx.manager.get('/api/reps')).body.reps.map((r: Rep) => r.name)).toEqual(['Bob']);
    expect((await ctx.manager.get(`/api/leads/${lead.id}`)).body.lead).toMatchObject({ status: 'open' });
    expectError(await ctx.manager.del(`/api/reps/${rep.id}`), 404, 'NOT_FOUND');
    expectError(await ctx.manager.get(`/api/reps/${rep.id}`), 404, 'NOT_FOUND');
  });
});

describe('pool mode, settings and rules', () => {
  it('GET /api/pool, PUT /api/pool/mode, PATCH /api/pool/settings with validation', async () => {
    const ctx = await fresh();
    const initial = await ctx.manager.get('/api/pool');
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({ mode: 'shark-tank', settings: DEFAULT_SETTINGS });

    for (const mode of ['blind-pull', 'cherry-pick', 'hybrid', 'round-robin', 'shark-tank']) {
      const res = await ctx.manager.put('/api/pool/mode', { mode });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ mode });
      expect((await ctx.manager.get('/api/pool')).body.mode).toBe(mode);
    }
    expectError(await ctx.manager.put('/api/pool/mode', { mode: 'free-for-all' }), 422, 'INVALID');
    expectError(await ctx.manager.put('/api/pool/mode', { mode: 'hybrid', extra: 1 }), 422, 'INVALID');
    expectError(await ctx.manager.put('/api/pool/mode', {}), 422, 'INVALID');

    const patch = {
      maxActivePerRep: 4,
      teaserFields: ['country', 'industry'],
      filters: { countries: ['de'], minSecondsOnSite: 10 },
      escalateAfterMs: 5000,
      claimTimeoutMs: 60_000,
      claimCooldownMs: 250,
      maxClaimsPerWindow: 5,
      claimWindowMs: 60_000,
      duplicateWindowMs: 3_600_000,
      weighted: true,
    };
    const patched = await ctx.manager.patch('/api/pool/settings', patch);
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toEqual({ ...DEFAULT_SETTINGS, ...patch, filters: { countries: ['DE'], minSecondsOnSite: 10 } });
    expect((await ctx.manager.get('/api/pool')).body.settings).toEqual(patched.body.settings);
    // Partial patch keeps the rest; 0 / null turn durations off.
    const off = await ctx.manager.patch('/api/pool/settings', { claimTimeoutMs: 0, escalateAfterMs: null });
    expect(off.body.settings).toMatchObject({ claimTimeoutMs: null, escalateAfterMs: null, maxActivePerRep: 4, weighted: true });

    const invalid: unknown[] = [
      { teaserFields: ['country', 'email'] },
      { teaserFields: ['name'] },
      { teaserFields: ['phone'] },
      { teaserFields: ['notAField'] },
      { maxActivePerRep: 0 },
      { maxActivePerRep: 1.5 },
      { claimCooldownMs: -1 },
      { claimTimeoutMs: 'soon' },
      { weighted: 'yes' },
      { filters: { countries: ['DEU'] } },
      { filters: { minVisits: -1 } },
      { filters: { unknown: true } },
      { unknownSetting: 1 },
    ];
    for (const body of invalid) expectError(await ctx.manager.patch('/api/pool/settings', body), 422, 'INVALID');
    const teaser = await ctx.manager.patch('/api/pool/settings', { teaserFields: ['country', 'email'] });
    expect(JSON.stringify(teaser.body.error.details)).toMatch(/contact/);
    // Invalid patches changed nothing.
    expect((await ctx.manager.get('/api/pool')).body.settings).toEqual(off.body.settings);
  });

  it('GET/PUT /api/rules with validation', async () => {
    const ctx = await fresh();
    expect((await ctx.manager.get('/api/rules')).body).toEqual({ rules: [] });
    const rules = [
      { name: 'DACH', when: { country: ['de', 'AT', 'CH'] }, to: { countries: ['DE'] } },
      { name: 'Enterprise', when: { companySize: { min: 1000 }, tags: ['vip'] }, to: { teams: ['enterprise'], skills: ['sales'] } },
      { name: 'Catch FR', when: { language: ['FR'] }, to: { languages: ['fr'], reps: ['rep_x'] } },
    ];
    const put = await ctx.manager.put('/api/rules', { rules });
    expect(put.status).toBe(200);
    const expected = [{ ...rules[0], when: { country: ['DE', 'AT', 'CH'] } }, rules[1], { ...rules[2], when: { language: ['fr'] } }];
    expect(put.body.rules).toEqual(expected);
    expect((await ctx.manager.get('/api/rules')).body.rules).toEqual(expected);

    const invalid: unknown[] = [
      { rules: [{ name: 'x', when: { country: ['DEU'] }, to: {} }] },
      { rules: [{ name: 'x', when: { planet: ['mars'] }, to: {} }] },
      { rules: [{ name: 'x', when: {}, to: { galaxy: ['x'] } }] },
      { rules: [{ when: {}, to: {} }] },
      { rules: [{ name: '', when: {}, to: {} }] },
      { rules: [{ name: 'x', when: { companySize: { min: -1 } }, to: {} }] },
      { rules: 'all' },
      { rules: [], more: true },
      [],
      {},
    ];
    for (const body of invalid) expectError(await ctx.manager.put('/api/rules', body), 422, 'INVALID');
    expect((await ctx.manager.get('/api/rules')).body.rules).toEqual(expected);
    expect((await ctx.manager.put('/api/rules', { rules: [] })).body).toEqual({ rules: [] });
  });
});

describe('POST /api/leads/:id/assign and release (manager)', () => {
  it('assignment overrides mode and caps, tells the rep, and checks its inputs', async () => {
    const ctx = await fresh();
    const [r1, r2] = await createReps(ctx.manager, 2, { maxActive: 1 });
    const tab1 = await connectRep(ctx.url, r1.token);
    const tab2 = await connectRep(ctx.url, r2.token);
    await setMode(ctx.manager, 'blind-pull');
    const a = await postLead(ctx.feed);
    const b = await postLead(ctx.feed);

    const first = await ctx.manager.post(`/api/leads/${a.id}/assign`, { repId: r1.rep.id });
    expect(first.status).toBe(200);
    expect(first.body.lead).toMatchObject({ id: a.id, status: 'claimed', claimedBy: r1.rep.id });
    // Over the rep's cap of 1, in a mode where nobody may claim: still assigned.
    const second = await ctx.manager.post(`/api/leads/${b.id}/assign`, { repId: r1.rep.id });
    expect(second.status).toBe(200);
    expect(second.body.lead).toMatchObject({ id: b.id, status: 'claimed', claimedBy: r1.rep.id });
    const assigned = await tab1.rec.waitFor(EV.leadAssigned, (l: Lead) => l.id === b.id);
    expect(assigned).toMatchObject({ email: b.email, phone: b.phone, name: b.name, claimedBy: r1.rep.id });
    expect(assigned).not.toHaveProperty('eligible');
    expect((await api(ctx.url, r1.token).get('/api/me')).body.rep.activeCount).toBe(2);

    // Reassigning a claimed lead revokes it from the previous owner.
    const moved = await ctx.manager.post(`/api/leads/${b.id}/assign`, { repId: r2.rep.id });
    expect(moved.body.lead.claimedBy).toBe(r2.rep.id);
    expect(await tab1.rec.waitFor(EV.leadRevoked, (e) => e.leadId === b.id)).toEqual({
      leadId: b.id,
      poolId: 'default',
      reason: 'reassigned',
    });
    await tab2.rec.waitFor(EV.leadAssigned, (l: Lead) => l.id === b.id);

    // Manager release: back to open, the owner hears lead:revoked.
    const released = await ctx.manager.post(`/api/leads/${a.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body.lead).toMatchObject({ id: a.id, status: 'open' });
    expect(await tab1.rec.waitFor(EV.leadRevoked, (e) => e.leadId === a.id)).toEqual({
      leadId: a.id,
      poolId: 'default',
      reason: 'released',
    });
    expectError(await ctx.manager.post(`/api/leads/${a.id}/release`), 409, 'CONFLICT');
    expectError(await ctx.manager.post('/api/leads/ld_nope/release'), 404, 'NOT_FOUND');

    expectError(await ctx.manager.post(`/api/leads/${a.id}/assign`, { repId: 'rep_nope' }), 404, 'NOT_FOUND');
    expectError(await ctx.manager.post('/api/leads/ld_nope/assign', { repId: r1.rep.id }), 404, 'NOT_FOUND');
    expectError(await ctx.manager.post(`/api/leads/${a.id}/assign`, {}), 422, 'INVALID');
    expectError(await ctx.manager.post(`/api/leads/${a.id}/assign`, { repId: 7 }), 422, 'INVALID');
    // A closed lead cannot be assigned.
    const won = await emitAck(tab2.socket, EV.outcome, { leadId: b.id, outcome: 'won' });
    expect(won.ok).toBe(true);
    expectError(await ctx.manager.post(`/api/leads/${b.id}/assign`, { repId: r1.rep.id }), 409, 'CONFLICT');
  });
});

describe('GET /api/reports/summary', () => {
  it('counts, speed to claim, per-rep outcomes and fairness', async () => {
    const ctx = await fresh();
    const [r1, r2, r3] = await createReps(ctx.manager, 3);
    const t1 = await connectRep(ctx.url, r1.token);
    const t2 = await connectRep(ctx.url, r2.token);
    const leads: Lead[] = [];
    for (let i = 0; i < 5; i++) leads.push(await postLead(ctx.feed));
    await ctx.feed.post('/api/leads', leadInput({ externalId: 'x' }));
    await patchSettings(ctx.manager, { filters: { countries: ['DE'] } });
    await ctx.feed.post('/api/leads', leadInput({ country: 'FR' }));

    const claim = async (t: typeof t1, lead: Lead) => expect((await emitAck(t.socket, EV.claim, { leadId: lead.id })).ok).toBe(true);
    await claim(t1, leads[0]);
    await claim(t1, leads[1]);
    await claim(t2, leads[2]);
    expect((await okAck(t1.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' })).lead.status).toBe('closed');
    expect((await okAck(t1.socket, EV.outcome, { leadId: leads[1].id, outcome: 'contacted' })).lead.status).toBe('claimed');
    expect((await okAck(t2.socket, EV.outcome, { leadId: leads[2].id, outcome: 'lost', note: 'budget' })).lead.status).toBe('closed');

    const res = await ctx.manager.get<ReportSummary>('/api/reports/summary');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(Math.abs(Date.parse(s.generatedAt) - Date.now())).toBeLessThan(10_000);
    expect(s.leads).toEqual({ total: 7, open: 3, claimed: 1, closed: 2, disqualified: 1 });
    expect(s.outcomes).toEqual({ contacted: 1, won: 1, lost: 1, unreachable: 0 });
    expect(s.speedToClaimMs.count).toBe(3);
    for (const v of [s.speedToClaimMs.median, s.speedToClaimMs.p90, s.speedToClaimMs.mean]) {
      expect(typeof v).toBe('number');
      expect(v!).toBeGreaterThanOrEqual(0);
      expect(v!).toBeLessThan(30_000);
    }
    expect(s.speedToClaimMs.p90!).toBeGreaterThanOrEqual(s.speedToClaimMs.median!);
    const per = Object.fromEntries(s.perRep.map((p) => [p.repId, p]));
    expect(per[r1.rep.id]).toMatchObject({
      name: 'Rep 1',
      claimed: 2,
      active: 1,
      outcomes: { contacted: 1, won: 1, lost: 0, unreachable: 0 },
    });
    expect(per[r2.rep.id]).toMatchObject({
      name: 'Rep 2',
      claimed: 1,
      active: 0,
      outcomes: { contacted: 0, won: 0, lost: 1, unreachable: 0 },
    });
    expect(per[r3.rep.id]).toMatchObject({ claimed: 0, active: 0, medianSpeedToClaimMs: null });
    expect(typeof per[r1.rep.id].medianSpeedToClaimMs).toBe('number');
    // Claims 2 and 1: Jain = (2+1)^2 / (2 * (4+1)) = 0.9; max share 2/3.
    expect(s.fairness.jainIndex).toBeCloseTo(0.9, 10);
    expect(s.fairness.maxShare).toBeCloseTo(2 / 3, 10);
  });

  it('an empty pool reports zeros and nulls', async () => {
    const ctx = await fresh();
    const s = (await ctx.manager.get<ReportSummary>('/api/reports/summary')).body;
    expect(s.leads).toEqual({ total: 0, open: 0, claimed: 0, closed: 0, disqualified: 0 });
    expect(s.speedToClaimMs).toEqual({ count: 0, median: null, p90: null, mean: null, p50: null, max: null });
    expect(s.perRep).toEqual([]);
    expect(s.fairness).toMatchObject({ jainIndex: null, maxShare: null, gini: null, busiest: null });
  });
});

describe('/healthz and the manager dashboard', () => {
  it('GET /healthz answers 200 { status: ok, store: embedded } without auth', async () => {
    const ctx = await fresh();
    const res = await api(ctx.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', store: 'embedded' });
  });

  it('HTTP changes reach a connected manager dashboard', async () => {
    const ctx = await fresh();
    const m = await connectManager(ctx.url, ctx.server.managerToken);
    expect(m.state.mode).toBe('shark-tank');
    await setMode(ctx.manager, 'cherry-pick');
    expect(await m.rec.waitFor(EV.modeChanged)).toEqual({ mode: 'cherry-pick', poolId: 'default' });
    const lead = await postLead(ctx.feed);
    expect(await m.rec.waitFor(EV.leadCreated, (l: Lead) => l.id === lead.id)).toMatchObject({ email: lead.email });
  });
});

describe('ingest flood guard', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the per-credential rate, and loses nothing it accepted', async () => {
    // One lead per second (burst 2): a slow machine cannot refill the bucket while the burst is answered.
    const server = await startInProcess({ env: { LEADPOOL_INGEST_RATE: '1' } });
    try {
      const feed = api(server.url, server.feedKey);
      const manager = api(server.url, server.managerToken);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => feed.post('/api/leads', { email: `flood${i}@example.com` })));
      const accepted = answers.filter((r) => r.status === 201);
      const limited = answers.filter((r) => r.status === 429);
      expect(accepted.length).toBe(2); // the burst: twice the rate
      expect(limited.length).toBe(18);
      expect(limited[0].body.error.code).toBe('RATE_LIMITED');
      const raw = await fetch(`${server.url}/api/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.feedKey}` },
        body: '{"email":"x@example.com"}',
      });
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // The manager's own bucket is separate, and every accepted lead is stored.
      expect((await manager.post('/api/leads', { email: 'manager@example.com' })).status).toBe(201);
      expect((await manager.get('/api/leads?limit=100')).body.leads).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});
