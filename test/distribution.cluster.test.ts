// Distribution v2 across processes on one Redis (docs/API.md, "No lead stranded",
// "Reclaiming leads", "Lead aging (SLA)"): three real server processes. A fallback fires
// once per lead however many processes look at it, an SLA once per lead, and the reps of a
// SIGKILLed process time out and lose their claimed leads to another process's reclaim.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead } from '../shared/protocol.js';
import { type Api, api } from './support/api.js';
import {
  closeAllSockets,
  connectManager,
  connectRep,
  createPool,
  createReps,
  eventually,
  type ManagerClient,
  okAck,
  postLeadTo,
  type RepClient,
} from './support/clients.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';

const NODES = 3;

let redis: TestRedis;
let nodes: TestServer[];
let managers: Api[];
let feeds: Api[];
/** A manager dashboard on each node: each must hear every event exactly once. */
let dashboards: ManagerClient[];

const managerToken = `mgr_${randomBytes(12).toString('hex')}`;
const feedKey = `feed_${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, LEADPOOL_REDIS_PREFIX: randomPrefix('dist'), LEADPOOL_LOG: 'silent' };
  nodes = await Promise.all(Array.from({ length: NODES }, () => startServer({ env, managerToken, feedKey })));
  managers = nodes.map((n) => api(n.url, managerToken));
  feeds = nodes.map((n) => api(n.url, feedKey));
  dashboards = await Promise.all(nodes.map((n) => connectManager(n.url, managerToken)));
}, 180_000);

afterAll(async () => {
  closeAllSockets();
  await Promise.all((nodes ?? []).map((n) => n.stop()));
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('distribution v2 over three processes', () => {
  it('a fallback fires once per lead when the routed reps on two processes leave at once, while every process checks', async () => {
    await createPool(managers[0], 'day', { mode: 'hybrid' });
    await createPool(managers[1], 'night');
    const [x, y] = await createReps(managers[0], 2, { pools: ['day'], teams: ['vip'] });
    const [n] = await createReps(managers[0], 1, { pools: ['night'] });
    await managers[2].put('/api/pools/day/rules', { rules: [{ name: 'vip', when: { tags: ['vip'] }, to: { teams: ['vip'] } }] });
    expect((await managers[1].patch('/api/pools/day/settings', { whenNobodyEligible: { pool: 'night' } })).status).toBe(200);
    const xTab = await connectRep(nodes[0].url, x.token);
    const yTab = await connectRep(nodes[1].url, y.token);
    const nTab = await connectRep(nodes[2].url, n.token);
    const leads: Lead[] = [];
    for (let i = 0; i < 6; i++) leads.push(await postLeadTo(feeds[i % NODES], 'day', { tags: ['vip'] }));
    for (const l of leads) await xTab.rec.waitFor(EV.leadOffered, (v) => v.id === l.id);
    const ids = new Set(leads.map((l) => l.id));

    xTab.close();
    yTab.close();
    // Every process also re-checks the pool (a settings patch on each), racing the presence checks.
    await Promise.all(managers.map((m) => m.patch('/api/pools/day/settings', { whenNobodyEligible: { pool: 'night' } })));
    for (const l of leads) await nTab.rec.waitFor(EV.leadOffered, (v) => v.id === l.id, { timeoutMs: 10_000 });
    await eventually(async () => (await managers[0].get('/api/leads?poolId=night&limit=100')).body.leads.length === leads.length, 10_000);
    // Let any duplicate arrive, then count: one lead:stranded per lead on every dashboard, one offer per lead.
    await sleep(1000);
    for (const [i, d] of dashboards.entries()) {
      const stranded = d.rec.of(EV.leadStranded).filter((s) => ids.has(s.leadId));
      expect(stranded.length, `node ${i}`).toBe(leads.length);
      expect(new Set(stranded.map((s) => s.leadId)).size).toBe(leads.length);
      for (const s of stranded) expect(s).toMatchObject({ poolId: 'day', action: 'moved', toPoolId: 'night' });
    }
    const offers = nTab.rec.of(EV.leadOffered).filter((v) => ids.has(v.id));
    expect(offers).toHaveLength(leads.length);
  }, 60_000);

  it('an SLA fires once per lead in the cluster', async () => {
    await createPool(managers[0], 'sla');
    expect((await managers[2].patch('/api/pools/sla/settings', { slaMs: 300 })).status).toBe(200);
    const leads: Lead[] = [];
    for (let i = 0; i < 5; i++) leads.push(await postLeadTo(feeds[i % NODES], 'sla'));
    const ids = new Set(leads.map((l) => l.id));
    for (const d of dashboards) for (const l of leads) await d.rec.waitFor(EV.leadOverdue, (o) => o.leadId === l.id, { timeoutMs: 10_000 });
    await sleep(1000);
    for (const d of dashboards) expect(d.rec.of(EV.leadOverdue).filter((o) => ids.has(o.leadId))).toHaveLength(leads.length);
    for (const l of leads) expect((await managers[1].get(`/api/leads/${l.id}`)).body.lead.overdueAt).toEqual(expect.any(String));
  }, 30_000);

  it("a SIGKILLed process's reps time out and another process reclaims their leads (lead:released offline)", async () => {
    await createPool(managers[0], 'rc');
    expect((await managers[0].patch('/api/pools/rc/settings', { reclaimAfterOfflineMs: 1000 })).status).toBe(200);
    const [victimRep, survivor] = await createReps(managers[0], 2, { pools: ['rc'] });
    const onVictim: RepClient = await connectRep(nodes[2].url, victimRep.token);
    const elsewhere = await connectRep(nodes[0].url, survivor.token);
    const lead = await postLeadTo(feeds[0], 'rc');
    await okAck(onVictim.socket, EV.claim, { leadId: lead.id });
    const mark = elsewhere.rec.mark();

    await nodes[2].kill();
    // within the presence timeout (15 s) plus the reclaim delay, with room for a slow machine
    const released = await dashboards[0].rec.waitFor(EV.leadReleased, (l) => l.id === lead.id, { timeoutMs: 30_000 });
    expect(released).toMatchObject({ status: 'open', reason: 'offline', previousOwner: victimRep.rep.id, poolId: 'rc' });
    await elsewhere.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id, { from: mark, timeoutMs: 5_000 });
    await sleep(500);
    expect(dashboards[1].rec.of(EV.leadReleased).filter((l) => l.id === lead.id)).toHaveLength(1);
    // back on a live process: the lead is no longer in its leads
    const back = await connectRep(nodes[1].url, victimRep.token);
    expect(back.state.mine).toEqual([]);
    expect(back.state.leads.map((v) => v.id)).toContain(lead.id);
  }, 60_000);
});
