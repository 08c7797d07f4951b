// Several server processes on one Redis behave as one server (docs/API.md, "Cluster
// (Redis)"): three real child processes (server/main.ts) given the same
// REDIS_URL, reps spread over them with their own websocket connections. Pools too:
// races in two pools at once, membership changes and feed keys across processes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { EventPage, Lead } from '../shared/protocol.js';
import { type Api, api } from './support/api.js';
import {
  closeAllSockets,
  connectManager,
  connectRep,
  createReps,
  emitAck,
  eventually,
  okOf,
  patchSettings,
  postLead,
  type RepClient,
  type RepHandle,
  setMode,
} from './support/clients.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';

const NODES = 3;
const REPS = 24;
const LEADS = 100;

let redis: TestRedis;
let nodes: TestServer[];
let managers: Api[];
let feeds: Api[];
let handles: RepHandle[];
let tabs: { handle: RepHandle; node: number; client: RepClient }[];

const managerToken = `mgr_${randomBytes(12).toString('hex')}`;
const feedKey = `feed_${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, LEADPOOL_REDIS_PREFIX: randomPrefix('cluster'), LEADPOOL_LOG: 'silent' };
  nodes = await Promise.all(Array.from({ length: NODES }, () => startServer({ env, managerToken, feedKey })));
  managers = nodes.map((n) => api(n.url, managerToken));
  feeds = nodes.map((n) => api(n.url, feedKey));
  await patchSettings(managers[0], { maxActivePerRep: 1000 });
  handles = await createReps(managers[1], REPS);
  tabs = await Promise.all(
    handles.map(async (handle, i) => ({ handle, node: i % NODES, client: await connectRep(nodes[i % NODES].url, handle.token) })),
  );
}, 60_000);

afterAll(async () => {
  closeAllSockets();
  await Promise.all((nodes ?? []).map((n) => n.stop()));
  await redis?.stop();
});

describe('three processes on one Redis', () => {
  it(`${LEADS} leads x ${REPS} racing reps over ${NODES} nodes: one taker each, every other ALREADY_CLAIMED; every lead offered on every node`, async () => {
    const leads: Lead[] = [];
    for (let i = 0; i < LEADS; i++) leads.push(await postLead(feeds[i % NODES]));
    // a lead posted on one node is offered to the reps of every node
    await Promise.all(tabs.map((t) => t.client.rec.waitFor(EV.leadOffered, (v) => v.id === leads[LEADS - 1].id, { timeoutMs: 10_000 })));
    for (const t of tabs) {
      const offered = new Set(t.client.rec.of(EV.leadOffered).map((v) => v.id));
      for (const lead of leads) expect(offered.has(lead.id), `rep on node ${t.node} offered ${lead.id}`).toBe(true);
    }

    const results = await Promise.all(
      leads.map(async (lead) => ({
        lead,
        answers: await Promise.all(tabs.map((t) => emitAck(t.client.socket, EV.claim, { leadId: lead.id }, 20_000))),
      })),
    );
    for (const { lead, answers } of results) {
      const takers = answers.flatMap((a, i) => (a.ok ? [i] : []));
      expect(takers, `lead ${lead.id}`).toHaveLength(1);
      expect(okOf(answers[takers[0]]).lead).toMatchObject({ id: lead.id, claimedBy: tabs[takers[0]].handle.rep.id, email: lead.email });
      for (const [i, a] of answers.entries()) {
        if (i !== takers[0])
          expect(a, `other claim of ${lead.id}`).toEqual({ ok: false, error: expect.objectContaining({ code: 'ALREADY_CLAIMED' }) });
      }
    }
    const claimed = await managers[2].get(`/api/leads?status=claimed&limit=1000`);
    expect(claimed.body.leads).toHaveLength(LEADS);
  }, 60_000);

  it('the first to claim wins, on whichever node: the reps of each node claim a third of the leads first and take them', async () => {
    // Claims that reach a node together go to Redis as one call (server/store/redis/call-batcher.ts):
    // in a flood where every claim is sent at the same instant, which node's call arrives first is
    // arbitrary, and it may be the same node each time. A head start is what must decide.
    const HEAD_START_MS = 150;
    const leads: Lead[] = [];
    for (let i = 0; i < 30; i++) leads.push(await postLead(feeds[i % NODES]));
    await Promise.all(
      tabs.map((t) => t.client.rec.waitFor(EV.leadOffered, (v) => v.id === leads[leads.length - 1].id, { timeoutMs: 10_000 })),
    );
    const claimsOf = (first: boolean) =>
      leads.flatMap((lead, j) =>
        tabs
          .filter((t) => (t.node === j % NODES) === first)
          .map(async (t) => ({
            lead: lead.id,
            node: t.node,
            answer: await emitAck(t.client.socket, EV.claim, { leadId: lead.id }, 20_000),
          })),
      );
    const early = claimsOf(true);
    await new Promise((r) => setTimeout(r, HEAD_START_MS));
    const answers = await Promise.all([...early, ...claimsOf(false)]);
    const winners = answers.filter((a) => a.answer.ok);
    expect(winners).toHaveLength(leads.length);
    const takenPerNode = [0, 1, 2].map((node) => winners.filter((w) => w.node === node).length);
    expect(
      takenPerNode.every((n) => n > 0),
      `leads taken per node: ${takenPerNode}`,
    ).toBe(true);
  }, 60_000);

  it('a mode switch on one node reaches the reps of every node: mode:changed then pool:state', async () => {
    const marks = tabs.map((t) => t.client.rec.mark());
    await setMode(managers[1], 'cherry-pick');
    await Promise.all(
      tabs.map(async (t, i) => {
        await t.client.rec.waitFor(EV.poolState, (s) => s.mode === 'cherry-pick', { from: marks[i], timeoutMs: 10_000 });
        const seen = t.client.rec.events.slice(marks[i]).map((e) => e.event);
        expect(seen.indexOf(EV.modeChanged), `node ${t.node}`).toBeGreaterThanOrEqual(0);
        expect(seen.indexOf(EV.modeChanged)).toBeLessThan(seen.indexOf(EV.poolState));
      }),
    );
  });

  it('blind-pull across nodes hands out distinct leads, oldest first', async () => {
    await setMode(managers[2], 'blind-pull');
    const leads: Lead[] = [];
    for (let i = 0; i < REPS + 6; i++) leads.push(await postLead(feeds[i % NODES]));
    const answers = await Promise.all(tabs.map((t) => emitAck(t.client.socket, EV.pull, {}, 20_000)));
    const got = answers.map((a) => (a.ok ? a.lead.id : a.error.code));
    expect(new Set(got).size).toBe(REPS);
    expect(new Set(got)).toEqual(new Set(leads.slice(0, REPS).map((l) => l.id)));
  }, 30_000);

  it('two pools over three nodes: races in both pools at once, one winner each and always a rep of its pool; offers stay in their pool', async () => {
    const PER_POOL = 6;
    const LEADS_PER_POOL = 20;
    for (const id of ['north', 'south']) {
      expect((await managers[0].post('/api/pools', { id, name: id, settings: { maxActivePerRep: 1000 } })).status).toBe(201);
    }
    const members = await createReps(managers[1], 2 * PER_POOL, (i) => ({ pools: [i % 2 ? 'south' : 'north'] }));
    const poolTabs = await Promise.all(
      members.map(async (handle, i) => ({
        handle,
        pool: handle.rep.pools[0],
        node: i % NODES,
        client: await connectRep(nodes[i % NODES].url, handle.token),
      })),
    );
    for (const t of poolTabs) expect(t.client.state.poolId).toBe(t.pool);
    for (const pool of ['north', 'south']) expect(new Set(poolTabs.filter((t) => t.pool === pool).map((t) => t.node)).size).toBe(NODES);

    const leads: Lead[] = [];
    for (let i = 0; i < LEADS_PER_POOL; i++) {
      for (const [j, pool] of ['north', 'south'].entries()) {
        const poster = j === 0 ? managers[i % NODES] : feeds[(i + 1) % NODES];
        const res = await poster.post(`/api/pools/${pool}/leads`, { email: `${pool}-${i}-${randomBytes(3).toString('hex')}@example.test` });
        expect(res.status).toBe(201);
        leads.push(res.body.lead);
      }
    }
    const lastOf = (pool: string) => leads.filter((l) => l.poolId === pool).at(-1)!;
    await Promise.all(poolTabs.map((t) => t.client.rec.waitFor(EV.leadOffered, (v) => v.id === lastOf(t.pool).id, { timeoutMs: 10_000 })));
    for (const t of [...poolTabs, ...tabs.map((x) => ({ ...x, pool: 'default' }))]) {
      const offered = new Set(t.client.rec.of(EV.leadOffered).map((v) => v.id));
      for (const lead of leads)
        expect(offered.has(lead.id), `${t.pool} rep on node ${t.node}, lead of ${lead.poolId}`).toBe(lead.poolId === t.pool);
    }

    // every rep of both pools claims every lead of both pools, all at once
    const results = await Promise.all(
      leads.map(async (lead) => ({
        lead,
        answers: await Promise.all(poolTabs.map((t) => emitAck(t.client.socket, EV.claim, { leadId: lead.id }, 20_000))),
      })),
    );
    for (const { lead, answers } of results) {
      const takers = answers.flatMap((a, i) => (a.ok ? [poolTabs[i]] : []));
      expect(takers, `lead ${lead.id} of ${lead.poolId}`).toHaveLength(1);
      expect(takers[0].pool).toBe(lead.poolId);
      for (const [i, a] of answers.entries()) {
        if (a.ok) continue;
        // a rep of the other pool: the lead's state is checked first (docs/API.md, check order)
        const expected = poolTabs[i].pool === lead.poolId ? ['ALREADY_CLAIMED'] : ['ALREADY_CLAIMED', 'NOT_ELIGIBLE'];
        expect(expected, `${poolTabs[i].pool} rep claiming a lead of ${lead.poolId}`).toContain(a.error.code);
      }
    }
    for (const pool of ['north', 'south']) {
      const claimed = (await managers[2].get(`/api/leads?poolId=${pool}&status=claimed&limit=1000`)).body.leads;
      expect(claimed).toHaveLength(LEADS_PER_POOL);
      const ids = new Set(poolTabs.filter((t) => t.pool === pool).map((t) => t.handle.rep.id));
      for (const lead of claimed) expect(ids.has(lead.claimedBy!)).toBe(true);
    }
  }, 60_000);

  it("a rep's pools changed on one node: its tabs on the other nodes join and leave at once", async () => {
    const [handle] = await createReps(managers[0], 1, { pools: ['north'] });
    const [t1, t2] = [await connectRep(nodes[1].url, handle.token), await connectRep(nodes[2].url, handle.token)];
    let marks = [t1, t2].map((t) => t.rec.mark());
    expect((await managers[0].patch(`/api/reps/${handle.rep.id}`, { pools: ['north', 'south'] })).status).toBe(200);
    await Promise.all(
      [t1, t2].map((t, i) => t.rec.waitFor(EV.poolState, (s) => s.poolId === 'south', { from: marks[i], timeoutMs: 10_000 })),
    );
    const southLead = (await managers[0].post('/api/pools/south/leads', { email: `join-${randomBytes(3).toString('hex')}@example.test` }))
      .body.lead;
    await Promise.all([t1, t2].map((t) => t.rec.waitFor(EV.leadOffered, (v) => v.id === southLead.id, { timeoutMs: 10_000 })));

    marks = [t1, t2].map((t) => t.rec.mark());
    expect((await managers[1].patch(`/api/reps/${handle.rep.id}`, { pools: ['south'] })).status).toBe(200);
    for (const [i, t] of [t1, t2].entries()) {
      expect(await t.rec.waitFor(EV.poolLeft, undefined, { from: marks[i], timeoutMs: 10_000 })).toEqual({ poolId: 'north' });
    }
    const northLead = (await managers[2].post('/api/pools/north/leads', { email: `left-${randomBytes(3).toString('hex')}@example.test` }))
      .body.lead;
    const southLead2 = (await managers[2].post('/api/pools/south/leads', { email: `stay-${randomBytes(3).toString('hex')}@example.test` }))
      .body.lead;
    await Promise.all([t1, t2].map((t) => t.rec.waitFor(EV.leadOffered, (v) => v.id === southLead2.id, { timeoutMs: 10_000 })));
    for (const t of [t1, t2]) expect(t.rec.of(EV.leadOffered).map((v) => v.id)).not.toContain(northLead.id);
  }, 30_000);

  it('a rep connecting on one node is offered at once a lead posted on another; managers on every node see it online, then offline', async () => {
    const watchers = await Promise.all([0, 2].map((n) => connectManager(nodes[n].url, managerToken)));
    const [handle] = await createReps(managers[0], 1, { pools: ['north'] });
    const tab = await connectRep(nodes[1].url, handle.token); // resolved by its pool:state
    const lead = (await managers[0].post('/api/pools/north/leads', { email: `fresh-${randomBytes(3).toString('hex')}@example.test` })).body
      .lead;
    expect(await tab.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id, { timeoutMs: 10_000 })).toMatchObject({ poolId: 'north' });
    const presence = (presence: string) => (p: { repId: string; presence: string }) => p.repId === handle.rep.id && p.presence === presence;
    for (const w of watchers) await w.rec.waitFor(EV.repPresence, presence('available'), { timeoutMs: 10_000 });
    expect((await managers[2].get(`/api/reps/${handle.rep.id}`)).body.rep.presence).toBe('available');
    tab.socket.close();
    for (const w of watchers) await w.rec.waitFor(EV.repPresence, presence('offline'), { timeoutMs: 10_000 });
    expect((await managers[0].get(`/api/reps/${handle.rep.id}`)).body.rep.presence).toBe('offline');
    for (const w of watchers) w.socket.close();
  }, 30_000);

  it('a feed key revoked or rotated on one node is refused at once on the others', async () => {
    const created = await managers[0].post('/api/feeds', { name: 'Cluster form', pools: ['south'] });
    expect(created.status).toBe(201);
    const { feed, key } = created.body;
    const post = (node: number, k: string) =>
      api(nodes[node].url, k).post('/api/leads', { email: `f-${randomBytes(4).toString('hex')}@example.test` });
    for (let n = 0; n < NODES; n++) {
      const res = await post(n, key);
      expect(res.status).toBe(201);
      expect(res.body.lead).toMatchObject({ poolId: 'south', feedId: feed.id, source: 'Cluster form' });
    }
    const rotated = await managers[1].post(`/api/feeds/${feed.id}/key`);
    expect(rotated.status).toBe(200);
    for (let n = 0; n < NODES; n++) expect((await post(n, key)).status).toBe(401);
    expect((await post(2, rotated.body.key)).status).toBe(201);
    expect((await managers[2].del(`/api/feeds/${feed.id}`)).status).toBe(204);
    for (let n = 0; n < NODES; n++) expect((await post(n, rotated.body.key)).status).toBe(401);
  });

  it('a node killed with SIGKILL: its reps reconnect elsewhere with a full pool:state; the ones that stay away go offline within 15 s', async () => {
    const victim = 2;
    const onVictim = tabs.filter((t) => t.node === victim);
    expect(onVictim.length).toBe(REPS / NODES);
    const [moving, ...staying] = onVictim;
    const held = (await managers[0].get(`/api/leads?status=claimed&repId=${moving.handle.rep.id}&limit=1000`)).body.leads;
    expect(held.length).toBeGreaterThan(0);

    await nodes[victim].kill();
    const killedAt = Date.now();
    // the rep's client moves to a live node and gets the full snapshot
    const moved = await connectRep(nodes[0].url, moving.handle.token);
    expect(moved.state.mode).toBe('blind-pull');
    expect(moved.state.you.id).toBe(moving.handle.rep.id);
    expect(new Set(moved.state.mine.map((l) => l.id))).toEqual(new Set(held.map((l) => l.id)));
    expect(moved.state.waiting).toBe(6);

    // the others never come back: offline cluster-wide once the dead node's heartbeat is stale
    await eventually(
      async () => {
        const reps = (await managers[1].get('/api/reps')).body.reps;
        const byId = new Map(reps.map((r) => [r.id, r.presence]));
        return staying.every((t) => byId.get(t.handle.rep.id) === 'offline') && byId.get(moving.handle.rep.id) === 'available';
      },
      25_000,
      250,
    );
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(15_000 + 750); // docs/API.md, Presence: within 15 s (+ this poll's granularity)
    // reps on the surviving nodes never went offline
    const reps = (await managers[0].get('/api/reps')).body.reps;
    for (const t of tabs.filter((x) => x.node !== victim)) expect(reps.find((r) => r.id === t.handle.rep.id)!.presence).toBe('available');
    // a surviving node's presence sweep recorded it: rep.offline by the system, once per rep
    const offline = (await managers[0].get<EventPage>('/api/events?type=rep.offline&limit=1000')).body.events;
    for (const t of staying) {
      expect(offline.filter((e) => e.repId === t.handle.rep.id)).toEqual([
        expect.objectContaining({ actor: { role: 'system' }, data: { reason: 'node-gone' } }),
      ]);
    }
  }, 40_000);

  it('Redis killed and restarted under running nodes: /healthz and posts answer 503, then 200 and 201 again', async () => {
    const live = [0, 1];
    await redis.kill();
    for (const i of live) {
      await eventually(async () => (await managers[i].get('/healthz')).status === 503, 5_000);
      const post = await feeds[i].post('/api/leads', { email: `down-${i}@example.test` });
      expect(post.status).toBe(503);
      expect(post.body.error.code).toBe('STORE_UNAVAILABLE');
    }
    await redis.restart();
    for (const i of live) {
      await eventually(async () => (await managers[i].get('/healthz')).status === 200, 10_000);
      await eventually(
        async () => (await feeds[i].post('/api/leads', { email: `up-${i}-${Date.now()}@example.test` })).status === 201,
        10_000,
      );
    }
    // one cluster again: a lead posted on node 0 is listed by node 1
    const lead = await postLead(feeds[0]);
    expect((await managers[1].get(`/api/leads/${lead.id}`)).status).toBe(200);
  }, 40_000);
});
