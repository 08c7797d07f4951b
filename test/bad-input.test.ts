// Junk on every door: each socket event fed nulls, wrong types, unknown keys, huge fields,
// near-1 MB payloads and no ack callback answers INVALID (or is ignored without an ack)
// and harms nobody: the socket stays connected, other reps keep working. Every HTTP route
// fed junk bodies answers the right code in the error envelope.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { DEFAULT_SETTINGS } from '../shared/protocol.js';
import type { ApiBody } from './support/api.js';
import {
  closeAllSockets,
  codeOf,
  connectManager,
  emitAck,
  emitRaw,
  emitRawAck,
  type ManagerClient,
  type OnlineRep,
  type Pool,
  pool,
  postLead,
  repsOnline,
} from './support/clients.js';
import type { InProcessServer } from './support/server.js';
import { stores } from './support/stores.js';

/** An event name no namespace knows. */
const NOT_AN_EVENT = 'no:such:event';

const deep = (n: number): unknown => {
  let v: unknown = { leadId: 'x' };
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};

/** Junk for an event whose valid payload is an object with these string fields. */
function junkFor(fields: string[]): [string, unknown[]][] {
  const f = fields[0];
  const cases: [string, unknown[]][] = [
    ['null', [null]],
    ['undefined (as null on the wire)', [undefined]],
    ['number', [42]],
    ['zero', [0]],
    ['negative float', [-1.5]],
    ['NaN', [Number.NaN]],
    ['empty string', ['']],
    ['string', ['lead']],
    ['JSON in a string', [JSON.stringify({ [f]: 'x' })]],
    ['boolean', [true]],
    ['empty array', [[]]],
    ['array of a valid-looking payload', [[{ [f]: 'x' }]]],
    ['binary', [Buffer.from('binary junk')]],
    ['wrong type: number', [{ [f]: 42 }]],
    ['wrong type: null', [{ [f]: null }]],
    ['wrong type: object', [{ [f]: { $ne: null } }]],
    ['wrong type: array', [{ [f]: ['a'] }]],
    ['wrong type: boolean', [{ [f]: true }]],
    ['empty field', [{ [f]: '' }]],
    ['unknown key only', [{ nope: 1 }]],
    ['unknown key beside a valid-looking one', [{ [f]: 'x', extra: 'unexpected' }]],
    ['__proto__ key', [JSON.parse(`{"__proto__": {"polluted": true}, "${f}": 1}`)]],
    ['900 KB string field', [{ [f]: 'x'.repeat(900 * 1024) }]],
    ['payload near 1 MB', [{ [f]: 'ld_x', padding: 'y'.repeat(1000 * 1000 - 100) }]],
    ['array near 1 MB', [Array.from({ length: 100_000 }, () => 'zzzzzzz')]],
    ['deeply nested', [deep(500)]],
    ['two payloads', [{ [f]: 42 }, { [f]: 'x' }]],
  ];
  return cases;
}

describe.each(stores)('junk input ($name store)', (factory) => {
  let server: InProcessServer;
  let p: Pool;
  let junk: OnlineRep;
  let bystander: OnlineRep;
  let manager: ManagerClient;

  beforeAll(async () => {
    server = await factory.start();
    p = pool(server);
    await p.manager.patch('/api/pool/settings', { maxActivePerRep: 10_000 });
    [junk, bystander] = await repsOnline(server, 2);
    manager = await connectManager(server.url, server.managerToken);
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
    await factory.teardown?.();
  });

  /** The junk socket and a bystander are still connected and can claim. */
  async function unharmed() {
    expect(junk.socket.connected).toBe(true);
    expect(bystander.socket.connected).toBe(true);
    expect(manager.socket.connected).toBe(true);
    const a = await postLead(p.feed);
    const b = await postLead(p.feed);
    const claimed = await emitAck(junk.socket, EV.claim, { leadId: a.id });
    expect(claimed, JSON.stringify(claimed)).toMatchObject({ ok: true, lead: { id: a.id } });
    expect(await emitAck(bystander.socket, EV.claim, { leadId: b.id })).toMatchObject({ ok: true, lead: { id: b.id } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }

  const repEvents: [string, string[]][] = [
    [EV.claim, ['leadId']],
    [EV.release, ['leadId']],
    [EV.outcome, ['leadId', 'outcome']],
    [EV.presenceSet, ['status']],
  ];

  it.each(repEvents)('%s: every kind of junk answers INVALID', async (event, fields) => {
    const startedWith = (await p.manager.get('/api/leads?limit=1000')).body.leads;
    for (const [what, args] of junkFor(fields)) {
      const answer = await emitRawAck(junk.socket, event, args, 10_000);
      expect(answer, `${event} ${what}`).toMatchObject({ ok: false, error: { code: 'INVALID', message: expect.any(String) } });
      // The error does not echo the junk back.
      expect(JSON.stringify(answer).length, `${event} ${what}`).toBeLessThan(5000);
    }
    // No payload at all, only the ack.
    expect(await emitRawAck(junk.socket, event, [])).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    // Nothing changed in the store.
    expect((await p.manager.get('/api/leads?limit=1000')).body.leads).toEqual(startedWith);
    await unharmed();
  });

  it('lead:outcome and presence:set: junk in the second field answers INVALID too', async () => {
    const lead = await postLead(p.feed);
    expect((await emitAck(junk.socket, EV.claim, { leadId: lead.id })).ok).toBe(true);
    for (const outcome of [null, 42, 'WON', 'maybe', '', ['won'], { won: true }, 'x'.repeat(900 * 1024)]) {
      expect(codeOf(await emitRawAck(junk.socket, EV.outcome, [{ leadId: lead.id, outcome }]))).toBe('INVALID');
    }
    for (const note of [42, null, { a: 1 }, 'n'.repeat(900 * 1024)]) {
      expect(codeOf(await emitRawAck(junk.socket, EV.outcome, [{ leadId: lead.id, outcome: 'won', note }]))).toBe('INVALID');
    }
    expect((await p.manager.get(`/api/leads/${lead.id}`)).body.lead).toMatchObject({ status: 'claimed' });
    expect((await p.manager.get(`/api/leads/${lead.id}`)).body.lead).not.toHaveProperty('outcome');
    await unharmed();
  });

  it('lead:pull: wrong types, unknown keys and huge payloads answer INVALID (null or {} are a plain pull)', async () => {
    await postLead(p.feed);
    const before = (await p.manager.get('/api/leads?status=open&limit=1000')).body.leads.length;
    const cases: unknown[][] = [
      [42],
      ['next'],
      [true],
      [[]],
      [Buffer.from('x')],
      [{ extra: 1 }],
      [{ padding: 'y'.repeat(1000 * 1000 - 100) }],
      [{ a: 'x'.repeat(900 * 1024) }],
      [{ poolId: 42 }],
      [{ poolId: '' }],
      [{ poolId: 'Not An Id' }],
      [{ poolId: 'x'.repeat(900 * 1024) }],
      [{ poolId: 'default', extra: 1 }],
    ];
    for (const args of cases) {
      expect(await emitRawAck(junk.socket, EV.pull, args, 10_000), JSON.stringify(args).slice(0, 60)).toMatchObject({
        ok: false,
        error: { code: 'INVALID' },
      });
    }
    expect((await p.manager.get('/api/leads?status=open&limit=1000')).body.leads.length).toBe(before);
    // The forms a client may use for "no payload" pull.
    expect((await emitRawAck(junk.socket, EV.pull, [{}])).ok).toBe(true);
    await postLead(p.feed);
    expect((await emitRawAck(junk.socket, EV.pull, [])).ok).toBe(true);
    await unharmed();
  });

  it('events without an ack callback are ignored or run, never answered, never disconnect', async () => {
    const before = (await p.manager.get('/api/leads?limit=1000')).body.leads;
    for (const [event, fields] of [...repEvents, [EV.pull, ['x']] as [string, string[]]]) {
      for (const [, args] of junkFor(fields)) emitRaw(junk.socket, event, ...args);
      emitRaw(junk.socket, event);
    }
    emitRaw(junk.socket, NOT_AN_EVENT, { a: 1 }, () => {});
    emitRaw(junk.socket, NOT_AN_EVENT);
    // Packets are handled in order: after this round trip every emit above was decided
    // (some junk for lead:pull, like null, is a valid pull and may take an open lead).
    // That many events may empty the socket's event budget: the round trip waits for it.
    await expect
      .poll(() => emitAck(junk.socket, EV.release, { leadId: 'barrier-no-such-lead' }).then(codeOf), { timeout: 5000, interval: 500 })
      .toBe('NOT_FOUND');
    // Claims and pulls of one rep reach the store one at a time: a claim of no lead queues
    // behind the pulls above, so once it is answered they are done too.
    expect((await emitAck(junk.socket, EV.claim, { leadId: 'drain-no-such-lead' })).ok).toBe(false);
    await unharmed();
    const after = (await p.manager.get('/api/leads?limit=1000')).body.leads;
    // Only the two leads unharmed() posted and claimed are new.
    expect(after.length).toBe(before.length + 2);
  });

  it('a valid action without an ack still runs (and a later ack works)', async () => {
    const lead = await postLead(p.feed);
    emitRaw(junk.socket, EV.claim, { leadId: lead.id });
    await expect.poll(async () => (await p.manager.get(`/api/leads/${lead.id}`)).body.lead.claimedBy).toBe(junk.id);
    expect((await emitAck(junk.socket, EV.release, { leadId: lead.id })).ok).toBe(true);
  });

  it('manager events fed junk answer INVALID and change nothing', async () => {
    const events: [string, string][] = [
      [EV.modeSet, 'mode'],
      [EV.settingsPatch, 'teaserFields'],
      [EV.rulesSet, 'rules'],
      [EV.repCreate, 'name'],
      [EV.repUpdate, 'id'],
      [EV.repDelete, 'id'],
      [EV.repToken, 'id'],
      [EV.leadCreate, 'email'],
      [EV.leadAssign, 'leadId'],
      [EV.release, 'leadId'],
      [EV.poolCreate, 'id'],
      [EV.poolUpdate, 'poolId'],
      [EV.poolDelete, 'poolId'],
      [EV.feedCreate, 'name'],
      [EV.feedKey, 'id'],
      [EV.feedDelete, 'id'],
    ];
    const snapshot = async () => [
      (await p.manager.get('/api/pool')).body,
      (await p.manager.get('/api/rules')).body,
      (await p.manager.get('/api/reps')).body.reps.map((r: { id: string; name: string }) => [r.id, r.name]),
      (await p.manager.get('/api/leads?limit=1000')).body,
      (await p.manager.get('/api/pools')).body.pools.map(({ oldestAgeMs: _age, ...pool }) => pool), // its age grows
      (await p.manager.get('/api/feeds')).body,
    ];
    const before = await snapshot();
    for (const [event, field] of events) {
      for (const [what, args] of junkFor([field])) {
        if (event === EV.settingsPatch && what === 'unknown key only') continue; // covered below
        const answer = await emitRawAck(manager.socket, event, args, 10_000);
        expect(answer, `${event} ${what}`).toMatchObject({ ok: false, error: { code: 'INVALID' } });
      }
      expect(await emitRawAck(manager.socket, event, [])).toMatchObject({ ok: false, error: { code: 'INVALID' } });
      emitRaw(manager.socket, event, 42);
    }
    expect(codeOf(await emitRawAck(manager.socket, EV.settingsPatch, [{ nope: 1 }]))).toBe('INVALID');
    // a pool-scoped request naming a malformed pool
    for (const poolId of [42, '', 'Not An Id', 'x'.repeat(900 * 1024), { $ne: null }, ['default']]) {
      for (const [event, payload] of [
        [EV.modeSet, { mode: 'hybrid', poolId }],
        [EV.settingsPatch, { maxActivePerRep: 3, poolId }],
        [EV.rulesSet, { rules: [], poolId }],
        [EV.leadCreate, { email: 'junk@example.test', poolId }],
        [EV.leadsList, { poolId }],
        [EV.poolGet, { poolId }],
      ] as const) {
        expect(codeOf(await emitRawAck(manager.socket, event, [payload], 10_000)), `${event} poolId ${String(poolId).slice(0, 20)}`).toBe(
          'INVALID',
        );
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await unharmed();
  });
});

describe('junk HTTP bodies', () => {
  let server: InProcessServer;
  let p: Pool;
  let leadId: string;
  let repId: string;

  beforeAll(async () => {
    const { startInProcess } = await import('./support/server.js');
    server = await startInProcess();
    p = pool(server);
    leadId = (await postLead(p.feed)).id;
    repId = (await p.manager.post('/api/reps', { name: 'R' })).body.rep.id;
  });
  afterAll(async () => {
    await server.close();
  });

  const routes = () =>
    [
      ['POST', '/api/leads'],
      ['POST', `/api/leads/${leadId}/assign`],
      ['POST', '/api/reps'],
      ['PATCH', `/api/reps/${repId}`],
      ['PUT', '/api/pool/mode'],
      ['PATCH', '/api/pool/settings'],
      ['PUT', '/api/rules'],
    ] as const;

  function expectEnvelope(res: { status: number; body: ApiBody }, status: number, code: string, what: string) {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status);
    expect(res.body, what).toEqual({
      error: { code, message: expect.any(String), ...(res.body?.error?.details !== undefined ? { details: expect.anything() } : {}) },
    });
  }

  it('every route: 422 for wrong JSON shapes, 400 for malformed JSON, 413 over 64 KiB', async () => {
    const shapes = [
      'null',
      '[]',
      '[{}]',
      '"text"',
      '42',
      'true',
      '',
      '{"__proto__": {"x": 1}}',
      '{"unknownKey": 1}',
      JSON.stringify({ junk: 'x'.repeat(60 * 1024) }),
    ];
    const malformed = ['{', '{"a":', '{a: 1}', "{'a': 1}", 'undefined', 'NaN', '{"a": 1}}', '\u0000', '[1, 2,]'];
    const before = [
      (await p.manager.get('/api/pool')).body,
      (await p.manager.get('/api/rules')).body,
      (await p.manager.get('/api/reps')).body,
      (await p.manager.get('/api/leads')).body,
    ];
    for (const [method, path] of routes()) {
      const name = `${method} ${path}`;
      for (const body of shapes) {
        if (body === '' || (path === '/api/pool/settings' && body === '{"__proto__": {"x": 1}}')) continue;
        expectEnvelope(await p.manager.raw(method, path, body), 422, 'INVALID', `${name} ${body.slice(0, 40)}`);
      }
      // An empty body reads as {}: an empty patch where that is valid, else 422.
      const emptyOk = method === 'PATCH';
      for (const res of [
        await p.manager.raw(method, path, undefined),
        await p.manager.raw(method, path, '', { 'content-type': 'application/json' }),
      ]) {
        if (emptyOk) expect(res.status, `${name} empty body`).toBe(200);
        else expectEnvelope(res, 422, 'INVALID', `${name} empty body`);
      }
      for (const body of malformed)
        expectEnvelope(await p.manager.raw(method, path, body), 400, 'BAD_JSON', `${name} ${JSON.stringify(body)}`);
      const huge = JSON.stringify({ name: 'x'.repeat(65 * 1024) });
      expectEnvelope(await p.manager.raw(method, path, huge), 413, 'TOO_LARGE', `${name} huge`);
      expectEnvelope(
        await p.manager.raw(method, path, 'z'.repeat(200 * 1024), { 'content-type': 'text/plain' }),
        413,
        'TOO_LARGE',
        `${name} huge text`,
      );
    }
    // A settings patch with only a __proto__ key is an empty patch: nothing changes, nothing is polluted.
    const proto = await p.manager.raw('PATCH', '/api/pool/settings', '{"__proto__": {"maxActivePerRep": 1}}');
    expect([200, 422]).toContain(proto.status);
    expect(({} as Record<string, unknown>).maxActivePerRep).toBeUndefined();
    expect((await p.manager.get('/api/pool')).body.settings).toEqual(DEFAULT_SETTINGS);
    const after = [
      (await p.manager.get('/api/pool')).body,
      (await p.manager.get('/api/rules')).body,
      (await p.manager.get('/api/reps')).body,
      (await p.manager.get('/api/leads')).body,
    ];
    expect(after).toEqual(before);
  });

  it('junk in content headers: any content type is read as JSON, bad encodings and charsets are 4xx in the envelope', async () => {
    const input = JSON.stringify({ email: 'typeless@example.test' });
    expect((await p.feed.raw('POST', '/api/leads', input, { 'content-type': 'text/plain' })).status).toBe(201);
    expect(
      (
        await p.feed.raw('POST', '/api/leads', JSON.stringify({ email: 'form@example.test' }), {
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
    ).toBe(201);
    // Compressed bodies are fine; a body that claims gzip but is not, or an unknown encoding, is the client's fault.
    const res = await fetch(`${server.url}/api/leads`, {
      method: 'POST',
      body: gzipSync(JSON.stringify({ email: 'gz@example.test' })),
      headers: { authorization: `Bearer ${server.feedKey}`, 'content-encoding': 'gzip', 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    for (const [headers, what] of [
      [{ 'content-encoding': 'gzip' }, 'not gzip'],
      [{ 'content-encoding': 'x-bogus' }, 'unknown encoding'],
      [{ 'content-type': 'application/json; charset=latin-9' }, 'unknown charset'],
    ] as const) {
      const r = await p.feed.raw('POST', '/api/leads', input, headers);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(r.body, what).toEqual({ error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) } });
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('junk in paths and queries', async () => {
    const long = 'x'.repeat(5000);
    expectEnvelope(await p.manager.get(`/api/leads/${long}`), 404, 'NOT_FOUND', 'long id');
    expectEnvelope(await p.manager.get('/api/leads/%E0%A4%A'), 404, 'NOT_FOUND', 'bad percent-encoding');
    expectEnvelope(await p.manager.post(`/api/leads/${encodeURIComponent('../../etc/passwd')}/release`), 404, 'NOT_FOUND', 'traversal');
    expectEnvelope(await p.manager.get('/api/leads?limit=1&limit=2'), 422, 'INVALID', 'repeated limit');
    expectEnvelope(await p.manager.get('/api/leads?status=open&status=closed'), 422, 'INVALID', 'repeated query');
    expectEnvelope(await p.manager.patch(`/api/reps/${long}`, { name: 'x' }), 404, 'NOT_FOUND', 'long rep id');
  });
});
