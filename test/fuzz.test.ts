// Fuzz (fast-check, fixed seed: FUZZ_SEED to change it; fast-check prints the seed and
// path of a failure): random HTTP bodies on the write routes and random payloads on every
// /rep and /manager event, against a live server on both stores. Every answer is a
// contract answer (never a 5xx, never INTERNAL, every ack answered), and afterwards the
// server is healthy, every acknowledged lead is readable and counted once, no externalId
// is stored twice in a pool, every rep's held count matches the leads it holds, and a
// race over fresh leads gives each lead to exactly one taker.
//
// The socket budgets are raised for this server: the budgets have their own tests
// (hardening.sockets.test.ts); here every payload should reach its handler.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { api } from './support/api.js';
import {
  barrier,
  codeOf,
  connectManager,
  connectRep,
  createReps,
  emitRaw,
  emitRawAck,
  type ManagerClient,
  type RepClient,
} from './support/clients.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { type InProcessServer, startInProcess } from './support/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_313);
const RUNS = { http: 300, rep: 300, manager: 300 };

/** Statuses a write route may answer (docs/API.md); 5xx never, the store being up. */
const HTTP_OK = new Set([200, 201, 204, 400, 403, 404, 409, 413, 422, 429]);
/** Codes an ack may carry, the store being up. */
const BAD_CODES = new Set(['INTERNAL', 'STORE_UNAVAILABLE']);

// ---- arbitraries ------------------------------------------------------------------------

const json = fc.jsonValue({ maxDepth: 3 });
const bigString = fc.constantFrom(1_000, 16_000, 40_000).map((n) => 'x'.repeat(n));
/** Junk: any JSON, odd strings, big strings, prototype keys. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: json },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: bigString },
  {
    weight: 1,
    arbitrary: fc.constantFrom({ __proto__: { polluted: true } }, JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: 1 }),
  },
);
/** A valid body, mutated: as is, a field replaced by junk, an unknown key added, a field dropped, or junk instead. */
function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return valid.chain((v) => {
    const keys = Object.keys(v);
    const options: fc.Arbitrary<unknown>[] = [
      fc.constant(v),
      fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), junk).map(([k, x]) => ({ ...v, [k]: x })),
      junk,
    ];
    if (keys.length) {
      options.push(fc.tuple(fc.constantFrom(...keys), junk).map(([k, x]) => ({ ...v, [k]: x })));
      options.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== k))));
    }
    return fc.oneof(...options);
  });
}

// Valid bodies (mutated() makes most of them invalid in one way or another).
const word = fc.stringMatching(/^[a-z]{1,10}$/);
const leadBody = fc.record(
  {
    externalId: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    name: fc.stringMatching(/^[A-Z][a-z]{0,10} [A-Z][a-z]{0,10}$/),
    email: fc.tuple(word, fc.nat()).map(([w, n]) => `${w}.${n}@example.test`),
    phone: fc.stringMatching(/^\+[0-9]{6,12}$/),
    country: fc.constantFrom('GB', 'de', 'FR'),
    companySize: fc.integer({ min: 1, max: 100_000 }),
    tags: fc.array(word, { maxLength: 3 }),
    attributes: fc.dictionary(word, fc.oneof(word, fc.integer(), fc.boolean()), { maxKeys: 3 }),
    engagement: fc.record({ visits: fc.integer({ min: 0, max: 10 }), secondsOnSite: fc.integer({ min: 0, max: 1000 }) }),
  },
  { requiredKeys: ['email'] },
);
const settingsBody = fc.record(
  {
    maxActivePerRep: fc.integer({ min: 1, max: 100_000 }),
    claimCooldownMs: fc.integer({ min: 0, max: 1000 }),
    claimTimeoutMs: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 60_000 })),
    duplicateWindowMs: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 60_000 })),
    maxActionsPerSecond: fc.integer({ min: 0, max: 1000 }),
    teaserFields: fc.subarray(['country', 'language', 'industry', 'companySize']),
    weighted: fc.boolean(),
  },
  { requiredKeys: [] },
);
const ruleBody = fc.record({
  rules: fc.array(
    fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }),
      when: fc.record({ country: fc.array(fc.constantFrom('DE', 'GB', 'zz')) }, { requiredKeys: [] }),
      to: fc.record({ languages: fc.array(fc.constantFrom('de', 'en')) }, { requiredKeys: [] }),
    }),
    { maxLength: 3 },
  ),
});
const poolIdish = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/), fc.string({ maxLength: 50 }));
const modeBody = fc.record({ mode: fc.constantFrom('shark-tank', 'blind-pull', 'cherry-pick', 'hybrid', 'round-robin', 'chaos') });

/** An HTTP body: JSON of a (mutated) valid body, or raw text that may not be JSON at all. */
const bodyOf = (valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: mutated(valid).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  );

// ---- the server under fuzz ----------------------------------------------------------------

interface World {
  server: InProcessServer;
  manager: ManagerClient;
  reps: { id: string; token: string; client: RepClient }[];
  /** Leads whose creation was acknowledged (201, or an ok lead:create that was no duplicate). */
  acked: Set<string>;
  leadIds: string[];
  repIds: string[];
}

const pick = <T>(list: T[], n: number, fallback: T): T => (list.length ? list[n % list.length] : fallback);

async function http(world: World, method: string, path: string, body: string) {
  const res = await fetch(world.server.url + path, {
    method,
    headers: { authorization: `Bearer ${world.server.managerToken}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  expect(HTTP_OK.has(res.status), `${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`).toBe(true);
  const parsed = text ? JSON.parse(text) : undefined;
  if (res.status >= 400)
    expect(parsed, `${method} ${path}`).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  return { status: res.status, body: parsed };
}

/** Records what an ok answer acknowledged: new leads, and that duplicates name a known one. */
function noteLead(world: World, lead: Lead | undefined, duplicate: boolean) {
  if (!lead) return;
  if (duplicate) expect(world.acked.has(lead.id), `duplicate of an unknown lead ${lead.id}`).toBe(true);
  else {
    expect(world.acked.has(lead.id), `lead ${lead.id} acknowledged as new twice`).toBe(false);
    world.acked.add(lead.id);
    world.leadIds.push(lead.id);
  }
}

function checkAnswer(answer: unknown, what: string) {
  expect(answer, what).toEqual(expect.objectContaining({ ok: expect.any(Boolean) }));
  const a = answer as { ok: boolean; error?: { code: string; message: string } };
  if (!a.ok) {
    expect(a.error, what).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    expect(BAD_CODES.has(a.error!.code), `${what}: ${JSON.stringify(a.error).slice(0, 300)}`).toBe(false);
  }
}

let redis: Promise<TestRedis> | null = null;
const stores = [
  { name: 'embedded', env: async () => ({}) },
  {
    name: 'redis',
    env: async () => {
      redis ??= startRedis();
      return { REDIS_URL: (await redis).url, LEADPOOL_REDIS_PREFIX: randomPrefix('fz') };
    },
  },
];

afterAll(async () => {
  const started = redis;
  redis = null;
  await (await started)?.stop();
});

describe.each(stores)('fuzz ($name store)', (store) => {
  it('random HTTP bodies and socket payloads: contract answers only; afterwards healthy, nothing lost, nothing doubled', async () => {
    const server = await startInProcess({
      env: {
        ...(await store.env()),
        LEADPOOL_SOCKET_EVENTS_PER_SECOND: '100000',
        LEADPOOL_REP_EVENTS_PER_SECOND: '100000',
        LEADPOOL_SOCKET_BYTES_PER_SECOND: '100000000',
        LEADPOOL_INGEST_RATE: '0',
      },
    });
    try {
      const handles = await createReps(api(server.url, server.managerToken), 3);
      const world: World = {
        server,
        manager: await connectManager(server.url, server.managerToken),
        reps: await Promise.all(
          handles.map(async (h) => ({ id: h.rep.id, token: h.token, client: await connectRep(server.url, h.token) })),
        ),
        acked: new Set(),
        leadIds: [],
        repIds: handles.map((h) => h.rep.id),
      };

      await fuzzHttp(world);
      await fuzzRep(world);
      await fuzzManager(world);
      await afterwards(world);
      await race(world);
    } finally {
      await server.close();
    }
  }, 120_000);
});

/** A plain JSON call for the setup (createReps takes an api-like object). */
async function http0(server: InProcessServer, method: string, path: string, body: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.managerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function fuzzHttp(world: World) {
  const rep = fc.nat().map((n) => pick(world.repIds, n, 'rep_0000000000000000'));
  const cases = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constant('POST'), fc.constant('/api/leads'), bodyOf(leadBody)) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('POST'), fc.constant('/api/pools/default/leads'), bodyOf(leadBody)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constant('POST'), fc.constant('/api/reps'), bodyOf(fc.record({ name: fc.string({ maxLength: 120 }) }))),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant('PATCH'),
        rep.map((id) => `/api/reps/${id}`),
        bodyOf(fc.record({ name: fc.string({ maxLength: 20 }) })),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constant('PATCH'), fc.constant('/api/pool/settings'), bodyOf(settingsBody)) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('PUT'), fc.constant('/api/rules'), bodyOf(ruleBody)) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('PUT'), fc.constant('/api/pool/mode'), bodyOf(modeBody)) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant('POST'),
        fc.constant('/api/pools'),
        bodyOf(fc.record({ id: poolIdish, name: fc.string({ maxLength: 30 }) })),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constant('POST'), fc.constant('/api/feeds'), bodyOf(fc.record({ name: fc.string({ maxLength: 30 }) }))),
    },
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([method, path, body]) => {
      const res = await http(world, method, path, body);
      if (path.endsWith('/leads') && res.status < 300) noteLead(world, res.body.lead, res.status === 200);
    }),
    { seed: SEED, numRuns: RUNS.http },
  );
}

async function fuzzRep(world: World) {
  const lead = fc.nat().map((n) => pick(world.leadIds, n, 'ld_none'));
  const leadPayload = fc.oneof(
    { weight: 3, arbitrary: lead.map((leadId) => ({ leadId })) },
    { weight: 2, arbitrary: mutated(lead.map((leadId) => ({ leadId }))) },
  );
  const cases = fc.record({
    tab: fc.nat(),
    ack: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
    call: fc.oneof(
      fc.tuple(fc.constant(EV.claim), leadPayload),
      fc.tuple(fc.constant(EV.release), leadPayload),
      fc.tuple(
        fc.constant(EV.outcome),
        mutated(
          fc.record({
            leadId: lead,
            outcome: fc.constantFrom('contacted', 'won', 'lost', 'unreachable', 'maybe'),
            note: fc.string({ maxLength: 50 }),
          }),
        ),
      ),
      fc.tuple(
        fc.constant(EV.pull),
        fc.oneof(fc.constant({}), mutated(fc.record({ poolId: fc.constantFrom('default', 'nope', 'Bad Id') }))),
      ),
      fc.tuple(fc.constant(EV.presenceSet), mutated(fc.record({ status: fc.constantFrom('available', 'away', 'gone') }))),
      fc.tuple(fc.constantFrom('error', 'no:such:event', 'lead:claim:', 'toString', '__proto__'), junk),
    ),
    extra: fc.option(junk, { nil: undefined }),
  });
  await fc.assert(
    fc.asyncProperty(cases, async ({ tab, ack, call, extra }) => {
      const [event, payload] = call as [string, unknown];
      const rep = world.reps[tab % world.reps.length].client;
      const args = extra === undefined ? [payload] : [payload, extra];
      if (!ack) return void emitRaw(rep.socket, event, ...args);
      const answer = await emitRawAck(rep.socket, event, args, 10_000);
      checkAnswer(answer, `${event} ${JSON.stringify(args).slice(0, 200)}`);
    }),
    { seed: SEED, numRuns: RUNS.rep },
  );
  for (const r of world.reps) await barrier(r.client.socket);
  for (const r of world.reps) expect(r.client.socket.connected).toBe(true);
}

async function fuzzManager(world: World) {
  const lead = fc.nat().map((n) => pick(world.leadIds, n, 'ld_none'));
  const rep = fc.nat().map((n) => pick(world.repIds, n, 'rep_0000000000000000'));
  const anything = fc.oneof(fc.constant(undefined), junk);
  // Never a real rep, pool or feed to delete: the fuzz reps must stay (their tabs are used above and below).
  const calls: fc.Arbitrary<[string, unknown]>[] = [
    fc.tuple(fc.constant(EV.modeSet), mutated(modeBody)),
    fc.tuple(fc.constant(EV.settingsPatch), mutated(settingsBody)),
    fc.tuple(fc.constant(EV.rulesSet), mutated(ruleBody)),
    fc.tuple(fc.constant(EV.repCreate), mutated(fc.record({ name: fc.string({ maxLength: 120 }) }))),
    fc.tuple(fc.constant(EV.repUpdate), mutated(fc.record({ id: rep, patch: mutated(fc.record({ name: fc.string({ maxLength: 20 }) })) }))),
    fc.tuple(fc.constant(EV.repDelete), mutated(fc.record({ id: fc.constant('rep_0000000000000000') }))),
    fc.tuple(fc.constant(EV.leadCreate), mutated(leadBody)),
    fc.tuple(fc.constant(EV.leadAssign), mutated(fc.record({ leadId: lead, repId: rep }))),
    fc.tuple(fc.constant(EV.release), mutated(fc.record({ leadId: lead }))),
    fc.tuple(
      fc.constant(EV.leadsList),
      mutated(fc.record({ limit: fc.integer({ min: -1, max: 2000 }), status: fc.constantFrom('open', 'x') })),
    ),
    fc.tuple(fc.constant(EV.leadGet), mutated(fc.record({ leadId: lead }))),
    fc.tuple(fc.constantFrom(EV.reportsSummary, EV.repsList, EV.dashboardGet, EV.poolsList, EV.feedsList), anything),
    fc.tuple(fc.constant(EV.poolGet), mutated(fc.record({ poolId: poolIdish }))),
    fc.tuple(fc.constant(EV.poolCreate), mutated(fc.record({ id: poolIdish, name: fc.string({ maxLength: 30 }) }))),
    fc.tuple(
      fc.constant(EV.poolUpdate),
      mutated(fc.record({ poolId: fc.constantFrom('default', 'nope'), name: fc.string({ maxLength: 30 }) })),
    ),
    fc.tuple(fc.constant(EV.poolDelete), mutated(fc.record({ poolId: fc.constant('nope') }))),
    fc.tuple(fc.constant(EV.feedCreate), mutated(fc.record({ name: fc.string({ maxLength: 30 }) }))),
    fc.tuple(fc.constantFrom(EV.feedKey, EV.feedDelete), mutated(fc.record({ id: fc.constant('feed_0000000000000000') }))),
    fc.tuple(fc.constantFrom('error', 'no:such:event', 'hasOwnProperty'), junk),
  ];
  await fc.assert(
    fc.asyncProperty(fc.oneof(...calls), fc.boolean(), async ([event, payload], ack) => {
      const args = payload === undefined ? [] : [payload];
      // lead:create always with an ack: every lead created is one acknowledged.
      if (!ack && event !== EV.leadCreate) return void emitRaw(world.manager.socket, event, ...args);
      const answer = await emitRawAck(world.manager.socket, event, args, 10_000);
      checkAnswer(answer, `${event} ${JSON.stringify(args).slice(0, 200)}`);
      if (event === EV.leadCreate && answer.ok) {
        const { lead: created, duplicate } = answer as unknown as { lead: Lead; duplicate: boolean };
        noteLead(world, created, duplicate);
      }
    }),
    { seed: SEED, numRuns: RUNS.manager },
  );
  await emitRawAck(world.manager.socket, EV.repsList, []);
  expect(world.manager.socket.connected).toBe(true);
}

/** Healthy; every acknowledged lead readable and counted once; no externalId twice in a pool; held counts consistent. */
async function afterwards(world: World) {
  const { server, acked } = world;
  // Nothing moves by itself from here: no claim timeouts (off cancels those scheduled), no round-robin.
  expect((await http0(server, 'PUT', '/api/pool/mode', { mode: 'shark-tank' })).status).toBe(200);
  expect((await http0(server, 'PATCH', '/api/pool/settings', { ...DEFAULT_SETTINGS, maxActivePerRep: 100_000 })).status).toBe(200);
  await new Promise((r) => setTimeout(r, 300));
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  for (const id of acked) expect((await http0(server, 'GET', `/api/leads/${id}`, undefined)).status, id).toBe(200);
  const summary = (await http0(server, 'GET', '/api/reports/summary', undefined)).body;
  expect(summary.leads.total).toBe(acked.size);
  const leads: Lead[] = (await http0(server, 'GET', '/api/leads?limit=1000', undefined)).body.leads;
  expect(new Set(leads.map((l) => l.id))).toEqual(acked);
  const external = leads.filter((l) => l.externalId !== undefined).map((l) => `${l.poolId}/${l.externalId}`);
  expect(new Set(external).size).toBe(external.length);
  const reps: { id: string; activeCount: number }[] = (await http0(server, 'GET', '/api/reps', undefined)).body.reps;
  for (const r of reps) expect(r.activeCount, r.id).toBe(leads.filter((l) => l.status === 'claimed' && l.claimedBy === r.id).length);
}

/** Fresh reps, two tabs each, race for fresh leads by claim and pull at once: one taker per lead, and it holds it. */
async function race(world: World) {
  const { server } = world;
  expect((await http0(server, 'PUT', '/api/pool/mode', { mode: 'shark-tank' })).status).toBe(200);
  const reset = { ...DEFAULT_SETTINGS, maxActivePerRep: 100_000, maxActionsPerSecond: 0 };
  expect((await http0(server, 'PATCH', '/api/pool/settings', reset)).status).toBe(200);
  const handles = await createReps(api(server.url, server.managerToken), 4);
  const tabs = (await Promise.all(handles.flatMap((h) => [connectRep(server.url, h.token), connectRep(server.url, h.token)]))).map(
    (c, i) => ({ client: c, repId: handles[Math.floor(i / 2)].rep.id }),
  );
  const fresh: Lead[] = [];
  for (let i = 0; i < 15; i++) {
    const res = await http0(server, 'POST', '/api/leads', { email: `race-${i}-${Date.now()}@example.test` });
    expect(res.status).toBe(201);
    fresh.push(res.body.lead);
  }
  const wins = new Map<string, string[]>();
  await Promise.all(
    tabs.flatMap(({ client, repId }) => [
      ...fresh.map(async (l) => {
        const a = await emitRawAck(client.socket, EV.claim, [{ leadId: l.id }], 20_000);
        checkAnswer(a, 'race claim');
        if (a.ok) wins.set(l.id, [...(wins.get(l.id) ?? []), repId]);
        else expect(['ALREADY_CLAIMED', 'NOT_OPEN']).toContain(codeOf(a));
      }),
      (async () => {
        for (let i = 0; i < 3; i++) {
          const a = await emitRawAck(client.socket, EV.pull, [{}], 20_000);
          checkAnswer(a, 'race pull');
          if (a.ok) {
            const id = (a as unknown as { lead: Lead }).lead.id;
            wins.set(id, [...(wins.get(id) ?? []), repId]);
          }
        }
      })(),
    ]),
  );
  for (const l of fresh) {
    expect(wins.get(l.id), `takers of ${l.id}`).toHaveLength(1);
    const stored = (await http0(server, 'GET', `/api/leads/${l.id}`, undefined)).body.lead as Lead;
    expect(stored.claimedBy).toBe(wins.get(l.id)![0]);
  }
  for (const [id, takers] of wins) expect(takers, `takers of ${id}`).toHaveLength(1);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
}
