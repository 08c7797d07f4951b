// Pools over Socket.IO (docs/API.md, "v2: pools"): a rep sees, claims and pulls only
// the leads of its pools (every payload walked, as in visibility.test.ts); pool:state
// once per pool with its poolId; modes, caps, timers and round-robin per pool; a change
// of a rep's pools (or a pool deleted) reaches its live tabs at once, on every process;
// the manager's pool and feed requests; a v1 install answers as v1.
import { describe, expect, it } from 'vitest';
import type { Store } from '../server/store/types.js';
import { EV } from '../shared/events.js';
import { CONTACT_FIELDS, type Lead, type Mode } from '../shared/protocol.js';
import type { RepCreate } from '../shared/schemas.js';
import {
  barrier,
  codeOf,
  connectManager,
  connectRepTab,
  createPool,
  createReps,
  emitAck,
  emitRawAck,
  errorOf,
  okAck,
  patchSettings,
  postLead,
  postLeadTo,
  type RepHandle,
  type RepTab,
  type Server,
  setMode,
} from './support/clients.js';
import { findIn, REP_NEVER } from './support/leaks.js';
import { serversOf, stores } from './support/stores.js';

type OnlineRep = RepHandle & { id: string; tab: RepTab };

/** Creates reps with these fields (pools included) and connects one tab each, waiting for one pool:state per pool. */
async function online(server: Server, manager: Parameters<typeof createReps>[0], specs: Partial<RepCreate>[]): Promise<OnlineRep[]> {
  const handles = await createReps(manager, specs.length, (i) => specs[i]);
  return Promise.all(
    handles.map(async (h, i) => ({
      ...h,
      id: h.rep.id,
      tab: await connectRepTab(server.url, h.token, (specs[i].pools ?? ['default']).length),
    })),
  );
}

const contactValues = (lead: Lead) => CONTACT_FIELDS.map((f) => lead[f]).filter((v): v is string => typeof v === 'string');

describe.each(stores)('pools over Socket.IO ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it("pool:state once per pool of the rep, each with its poolId, name, mode, leads, held leads and the rep's cap there; none for a rep in no pool", async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu', { name: 'Europe', mode: 'cherry-pick', settings: { maxActivePerRep: 3 } });
    const d1 = await postLead(p.feed);
    const d2 = await postLead(p.feed);
    const e1 = await postLeadTo(p.feed, 'eu');
    const [a, b, c, none, capped] = await online(server, p.manager, [
      { pools: ['default'] },
      { pools: ['eu'] },
      { pools: ['eu', 'default'] },
      { pools: [] },
      { pools: ['default', 'eu'], maxActive: 5 },
    ]);

    expect(a.tab.states).toHaveLength(1);
    expect(a.tab.stateOf('default')).toMatchObject({
      poolId: 'default',
      poolName: 'Default',
      mode: 'shark-tank',
      waiting: 2,
      maxActive: 10,
    });
    expect(a.tab.stateOf('default').leads.map((v) => [v.id, v.poolId])).toEqual([
      [d1.id, 'default'],
      [d2.id, 'default'],
    ]);
    expect(b.tab.states).toHaveLength(1);
    expect(b.tab.stateOf('eu')).toMatchObject({ poolId: 'eu', poolName: 'Europe', mode: 'cherry-pick', waiting: 1, maxActive: 3 });
    expect(b.tab.stateOf('eu').leads.map((v) => v.id)).toEqual([e1.id]);
    // pool creation order, default first, whatever the order of rep.pools
    expect(c.tab.states.map((s) => s.poolId)).toEqual(['default', 'eu']);
    for (const s of c.tab.states) expect(s.you).toMatchObject({ id: c.id, presence: 'available', pools: ['eu', 'default'] });
    expect(none.tab.states).toEqual([]);
    expect(none.tab.rec.of(EV.poolState)).toEqual([]);
    // rep.maxActive caps across pools and is the cap shown in each
    expect(capped.tab.states.map((s) => s.maxActive)).toEqual([5, 5]);

    // held leads show in their own pool's state; activeCount counts all pools
    await okAck(c.tab.socket, EV.claim, { leadId: d1.id });
    await okAck(c.tab.socket, EV.claim, { leadId: e1.id });
    const again = await connectRepTab(server.url, c.token, 2);
    expect(again.stateOf('default').mine.map((l) => l.id)).toEqual([d1.id]);
    expect(again.stateOf('eu').mine.map((l) => l.id)).toEqual([e1.id]);
    expect(again.stateOf('eu').waiting).toBe(0);
    for (const s of again.states) expect(s.you.activeCount).toBe(2);
  });

  it('a tab whose rep joined a pool between its sign-in and its snapshot gets that pool too, and its offers', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu');
    const waiting = await postLeadTo(p.feed, 'eu');
    const [rep] = await createReps(p.manager, 1, () => ({ pools: ['default', 'eu'] }));
    // The sign-in answers the pools as they were a moment before: default only. (On the
    // class: the server's store is a timing proxy that keeps the method it first found.)
    const proto = Object.getPrototypeOf(server.leadpool.store) as Pick<Store, 'repByTokenHash'>;
    const signIn = proto.repByTokenHash;
    let stale = 0;
    proto.repByTokenHash = async function (this: Store, hash: string) {
      const found = await signIn.call(this, hash);
      stale++;
      return found && { ...found, pools: ['default'] };
    };
    try {
      const tab = await connectRepTab(server.url, rep.token, 2);
      expect(stale).toBe(1);
      expect(tab.states.map((s) => s.poolId)).toEqual(['default', 'eu']);
      expect(tab.stateOf('eu').leads.map((l) => l.id)).toEqual([waiting.id]);
      const later = await postLeadTo(p.feed, 'eu');
      await tab.rec.waitFor(EV.leadOffered, (v) => v.id === later.id);
    } finally {
      proto.repByTokenHash = signIn;
    }
  });

  it("isolation: a rep never is offered, claims or pulls another pool's lead, and no payload carries it", async () => {
    const { server, p } = await fresh();
    await setMode(p.manager, 'cherry-pick'); // every field but contacts on offers: the most to leak
    await createPool(p.manager, 'eu', { mode: 'cherry-pick' });
    const reps = await online(server, p.manager, [{ pools: ['default'] }, { pools: ['eu'] }, { pools: ['default', 'eu'] }]);
    const [a, b, c] = reps;
    const leads: Lead[] = [];
    for (let i = 0; i < 3; i++) {
      leads.push(await postLead(p.feed));
      leads.push(await postLeadTo(p.feed, 'eu'));
    }
    const inPool = (poolId: string) => leads.filter((l) => l.poolId === poolId);
    await Promise.all(leads.map((l) => c.tab.rec.waitFor(EV.leadOffered, (v) => v.id === l.id)));
    await Promise.all(inPool('default').map((l) => a.tab.rec.waitFor(EV.leadOffered, (v) => v.id === l.id)));
    await Promise.all(inPool('eu').map((l) => b.tab.rec.waitFor(EV.leadOffered, (v) => v.id === l.id)));

    // claims and pulls outside one's pools
    const euLead = inPool('eu')[0];
    const defLead = inPool('default')[0];
    expect(codeOf(await emitAck(a.tab.socket, EV.claim, { leadId: euLead.id }))).toBe('NOT_ELIGIBLE');
    expect(codeOf(await emitAck(b.tab.socket, EV.claim, { leadId: defLead.id }))).toBe('NOT_ELIGIBLE');
    expect(codeOf(await emitAck(a.tab.socket, EV.pull, { poolId: 'eu' }))).toBe('NOT_ELIGIBLE');
    expect(codeOf(await emitAck(b.tab.socket, EV.pull, { poolId: 'default' }))).toBe('NOT_ELIGIBLE');
    // pulls without a pool stay inside the rep's pools
    expect((await okAck(a.tab.socket, EV.pull, {})).lead).toMatchObject({ id: defLead.id, poolId: 'default' });
    expect((await okAck(b.tab.socket, EV.pull, null)).lead).toMatchObject({ id: euLead.id, poolId: 'eu' });
    // c takes one of each; a manager releases one eu lead and assigns another
    const [, def2, def3] = inPool('default');
    const [, eu2, eu3] = inPool('eu');
    await okAck(c.tab.socket, EV.claim, { leadId: def2.id });
    await okAck(c.tab.socket, EV.claim, { leadId: eu2.id });
    expect((await p.manager.post(`/api/leads/${eu2.id}/release`)).status).toBe(200);
    expect((await p.manager.post(`/api/leads/${eu3.id}/assign`, { repId: b.id })).status).toBe(200);
    await okAck(c.tab.socket, EV.outcome, { leadId: def2.id, outcome: 'won' });
    await b.tab.rec.waitFor(EV.leadOffered, (v) => v.id === eu2.id, { from: 0 });
    expect(codeOf(await emitAck(a.tab.socket, EV.claim, { leadId: eu2.id }))).toBe('NOT_ELIGIBLE');
    expect(codeOf(await emitAck(a.tab.socket, EV.claim, { leadId: def3.id }))).toBe('ok');
    // a late tab of each sees its pools only
    const late = await Promise.all(reps.map((r, i) => connectRepTab(server.url, r.token, i === 2 ? 2 : 1)));

    await Promise.all([...reps.map((r) => r.tab), ...late].map((t) => barrier(t.socket)));
    const stored = new Map<string, Lead>((await p.manager.get('/api/leads?limit=1000')).body.leads.map((l) => [l.id, l]));
    let checked = 0;
    for (const [i, rep] of reps.entries()) {
      const pools = rep.rep.pools;
      // another pool's lead: not even its id; a lead of its pools it does not hold: no contacts
      const needles = leads.flatMap((l) =>
        !pools.includes(l.poolId)
          ? [l.id, ...contactValues(l), l.company!, l.jobTitle!]
          : stored.get(l.id)!.claimedBy === rep.id
            ? []
            : contactValues(l),
      );
      for (const { event, payload } of [...rep.tab.rec.events, ...late[i].rec.events]) {
        checked++;
        expect(findIn(payload, needles, REP_NEVER), `${rep.rep.name} got ${event}: ${JSON.stringify(payload)}`).toEqual([]);
        const poolId = (payload as { poolId?: unknown } | undefined)?.poolId;
        if (poolId !== undefined) expect(pools, `${event} of pool ${poolId}`).toContain(poolId);
      }
      for (const v of [...rep.tab.rec.of(EV.leadOffered), ...late[i].rec.of(EV.leadOffered)]) expect(pools).toContain(v.poolId);
      for (const s of late[i].states) expect(pools).toContain(s.poolId);
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('modes switch per pool: mode:changed and pool:state reach only that pool’s reps; the other pool keeps its mode', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu');
    const m = await connectManager(server.url, server.managerToken);
    const [a, b, c] = await online(server, p.manager, [{ pools: ['default'] }, { pools: ['eu'] }, { pools: ['default', 'eu'] }]);
    const marks = [a, b, c].map((r) => r.tab.rec.mark());
    await p.manager.put('/api/pools/eu/mode', { mode: 'blind-pull' });
    for (const r of [b, c]) {
      const from = marks[[a, b, c].indexOf(r)];
      expect(await r.tab.rec.waitFor(EV.modeChanged, undefined, { from })).toEqual({ mode: 'blind-pull', poolId: 'eu' });
      const state = await r.tab.rec.waitFor(EV.poolState, (s) => s.poolId === 'eu', { from });
      expect(state.mode).toBe('blind-pull');
      const seen = r.tab.rec.events.slice(from).map((e) => e.event);
      expect(seen.indexOf(EV.modeChanged)).toBeLessThan(seen.indexOf(EV.poolState));
      expect(r.tab.rec.of(EV.poolState).slice(-1)[0].poolId).toBe('eu'); // default's state not resent
    }
    expect(await m.rec.waitFor(EV.modeChanged)).toEqual({ mode: 'blind-pull', poolId: 'eu' });
    const pools = await m.rec.waitFor(EV.poolsChanged);
    expect(pools.pools.map((x) => [x.id, x.mode])).toEqual([
      ['default', 'shark-tank'],
      ['eu', 'blind-pull'],
    ]);

    // eu: counts only, to its reps; default: offers as before
    const euLead = await postLeadTo(p.feed, 'eu');
    for (const r of [b, c])
      expect(await r.tab.rec.waitFor(EV.poolWaiting, (w) => w.waiting === 1)).toEqual(expect.objectContaining({ poolId: 'eu' }));
    const defLead = await postLead(p.feed);
    await a.tab.rec.waitFor(EV.leadOffered, (v) => v.id === defLead.id);
    await c.tab.rec.waitFor(EV.leadOffered, (v) => v.id === defLead.id);
    expect(codeOf(await emitAck(c.tab.socket, EV.claim, { leadId: euLead.id }))).toBe('MODE_FORBIDS');
    expect(codeOf(await emitAck(c.tab.socket, EV.claim, { leadId: defLead.id }))).toBe('ok');

    await Promise.all([a, b, c].map((r) => barrier(r.tab.socket)));
    const sinceA = a.tab.rec.events.slice(marks[0]).map((e) => e.event);
    expect(sinceA).not.toContain(EV.modeChanged);
    expect(sinceA).not.toContain(EV.poolState);
    expect(sinceA).not.toContain(EV.poolWaiting);
    for (const r of [a, b, c]) expect(r.tab.rec.of(EV.leadOffered).map((v) => v.id)).not.toContain(euLead.id);

    // the other way round: default switches, eu stays blind-pull
    await setMode(p.manager, 'round-robin');
    expect((await p.manager.get('/api/pools/eu')).body.pool.mode).toBe('blind-pull');
    await a.tab.rec.waitFor(EV.modeChanged, (x) => x.poolId === 'default');
    await barrier(b.tab.socket);
    expect(b.tab.rec.of(EV.modeChanged).map((x) => x.poolId)).toEqual(['eu']);
  });

  it("a rep's pools changed on live tabs (on every process): pool:state for a pool joined and pool:left for one left, at once; offers follow", async () => {
    const { server, p } = await fresh();
    const peer = await fresh.peer(server); // Redis: a second process of the same deployment
    await createPool(p.manager, 'eu');
    const [handle] = await createReps(p.manager, 1);
    const tabs = [
      await connectRepTab(server.url, handle.token, 1),
      await connectRepTab((peer ?? { url: server.url }).url, handle.token, 1),
    ];
    const m = await connectManager(server.url, server.managerToken);

    let marks = tabs.map((t) => t.rec.mark());
    expect((await p.manager.patch(`/api/reps/${handle.rep.id}`, { pools: ['default', 'eu'] })).status).toBe(200);
    for (const [i, t] of tabs.entries()) {
      const joined = await t.rec.waitFor(EV.poolState, (s) => s.poolId === 'eu', { from: marks[i] });
      expect(joined).toMatchObject({ poolId: 'eu', poolName: 'eu', you: { id: handle.rep.id, pools: ['default', 'eu'] } });
    }
    expect((await m.rec.waitFor(EV.repsChanged, (r) => r.reps[0].pools.length === 2)).reps[0].pools).toEqual(['default', 'eu']);
    const euLead = await postLeadTo(p.feed, 'eu');
    for (const t of tabs) expect((await t.rec.waitFor(EV.leadOffered, (v) => v.id === euLead.id)).poolId).toBe('eu');

    marks = tabs.map((t) => t.rec.mark());
    expect((await p.manager.patch(`/api/reps/${handle.rep.id}`, { pools: ['eu'] })).status).toBe(200);
    for (const [i, t] of tabs.entries()) {
      expect(await t.rec.waitFor(EV.poolLeft, undefined, { from: marks[i] })).toEqual({ poolId: 'default' });
      await t.rec.waitFor(EV.poolState, (s) => s.poolId === 'eu', { from: marks[i] });
    }
    const defLead = await postLead(p.feed);
    const euLead2 = await postLeadTo(p.feed, 'eu');
    for (const t of tabs) await t.rec.waitFor(EV.leadOffered, (v) => v.id === euLead2.id);
    await Promise.all(tabs.map((t) => barrier(t.socket)));
    for (const t of tabs) {
      expect(t.rec.of(EV.leadOffered).map((v) => v.id)).not.toContain(defLead.id);
      // nothing of default after its pool:left
      const left = t.rec.events.findIndex((e) => e.event === EV.poolLeft);
      for (const e of t.rec.events.slice(left + 1)) expect((e.payload as { poolId?: string }).poolId, e.event).not.toBe('default');
    }
    expect(codeOf(await emitAck(tabs[1].socket, EV.claim, { leadId: defLead.id }))).toBe('NOT_ELIGIBLE');
    expect((await okAck(tabs[1].socket, EV.pull, {})).lead.id).toBe(euLead.id);

    // out of every pool: pool:left, and no pool:state on the next connect
    marks = tabs.map((t) => t.rec.mark());
    await p.manager.patch(`/api/reps/${handle.rep.id}`, { pools: [] });
    for (const [i, t] of tabs.entries()) expect(await t.rec.waitFor(EV.poolLeft, undefined, { from: marks[i] })).toEqual({ poolId: 'eu' });
    expect((await connectRepTab(server.url, handle.token, 0)).states).toEqual([]);
    expect(codeOf(await emitAck(tabs[0].socket, EV.pull, {}))).toBe('MODE_FORBIDS'); // no pool to pull from
  });

  it('deleting a pool: its reps get pool:left on every tab, managers pools:changed and reps:changed', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu');
    const [both, euOnly] = await online(server, p.manager, [{ pools: ['default', 'eu'] }, { pools: ['eu'] }]);
    const m = await connectManager(server.url, server.managerToken);
    expect(m.state.pools.map((x) => x.id)).toEqual(['default', 'eu']);
    expect((await p.manager.del('/api/pools/eu')).status).toBe(204);
    for (const r of [both, euOnly]) expect(await r.tab.rec.waitFor(EV.poolLeft)).toEqual({ poolId: 'eu' });
    expect((await m.rec.waitFor(EV.poolsChanged)).pools.map((x) => x.id)).toEqual(['default']);
    const reps = (await m.rec.waitFor(EV.repsChanged)).reps;
    expect(reps.find((r) => r.id === euOnly.id)!.pools).toEqual([]);
    expect(reps.find((r) => r.id === both.id)!.pools).toEqual(['default']);
    const lead = await postLead(p.feed);
    await both.tab.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
    await barrier(euOnly.tab.socket);
    expect(euOnly.tab.rec.of(EV.leadOffered)).toEqual([]);
  });

  it('lead:pull across pools takes the oldest lead of any pool the rep may pull from; with poolId, that pool', async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'eu', { mode: 'blind-pull' });
    await createPool(p.manager, 'rr', { mode: 'round-robin' });
    const [r, rrOnly] = await online(server, p.manager, [{ pools: ['eu', 'default', 'rr'] }, { pools: ['rr'] }]);
    const order: Lead[] = [];
    for (let i = 0; i < 3; i++) {
      order.push(await postLead(p.feed));
      order.push(await postLeadTo(p.feed, 'eu'));
    }
    const pulled: string[] = [];
    for (let i = 0; i < 4; i++) pulled.push((await okAck(r.tab.socket, EV.pull, {})).lead.id);
    expect(pulled).toEqual(order.slice(0, 4).map((l) => l.id));
    // with a pool: the oldest there
    expect((await okAck(r.tab.socket, EV.pull, { poolId: 'eu' })).lead.id).toBe(order[5].id);
    expect((await okAck(r.tab.socket, EV.pull, { poolId: 'default' })).lead.id).toBe(order[4].id);
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, {}))).toBe('POOL_EMPTY');
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, { poolId: 'eu' }))).toBe('POOL_EMPTY');
    // round-robin pools are not pulled from; unknown and malformed pools
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, { poolId: 'rr' }))).toBe('MODE_FORBIDS');
    expect(codeOf(await emitAck(rrOnly.tab.socket, EV.pull, {}))).toBe('MODE_FORBIDS');
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, { poolId: 'nope' }))).toBe('NOT_FOUND');
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, { poolId: 'Not An Id' }))).toBe('INVALID');
    expect(codeOf(await emitRawAck(r.tab.socket, EV.pull, [{ poolId: 'eu', extra: 1 }]))).toBe('INVALID');
  });

  it("caps: a pool's maxActivePerRep counts the rep's leads in that pool; a rep's maxActive counts all its pools", async () => {
    const { server, p } = await fresh();
    await patchSettings(p.manager, { maxActivePerRep: 1 });
    await createPool(p.manager, 'eu', { settings: { maxActivePerRep: 2 } });
    const [x, y] = await online(server, p.manager, [{ pools: ['default', 'eu'] }, { pools: ['default', 'eu'], maxActive: 2 }]);
    expect(x.tab.states.map((s) => [s.poolId, s.maxActive])).toEqual([
      ['default', 1],
      ['eu', 2],
    ]);
    expect(y.tab.states.map((s) => s.maxActive)).toEqual([2, 2]);
    const d = [await postLead(p.feed), await postLead(p.feed), await postLead(p.feed)];
    const e = [await postLeadTo(p.feed, 'eu'), await postLeadTo(p.feed, 'eu'), await postLeadTo(p.feed, 'eu')];

    // x: one in default, two in eu
    expect(codeOf(await emitAck(x.tab.socket, EV.claim, { leadId: d[0].id }))).toBe('ok');
    expect(codeOf(await emitAck(x.tab.socket, EV.claim, { leadId: d[1].id }))).toBe('CAP_REACHED');
    expect(codeOf(await emitAck(x.tab.socket, EV.claim, { leadId: e[0].id }))).toBe('ok');
    expect(codeOf(await emitAck(x.tab.socket, EV.pull, { poolId: 'default' }))).toBe('CAP_REACHED');
    expect(codeOf(await emitAck(x.tab.socket, EV.pull, {}))).toBe('ok'); // default capped: eu's oldest
    expect(codeOf(await emitAck(x.tab.socket, EV.pull, {}))).toBe('CAP_REACHED'); // every pool capped

    // y: its own cap of 2 over both pools, default's 1 does not apply
    expect(codeOf(await emitAck(y.tab.socket, EV.claim, { leadId: d[1].id }))).toBe('ok');
    expect(codeOf(await emitAck(y.tab.socket, EV.claim, { leadId: d[2].id }))).toBe('ok');
    expect(codeOf(await emitAck(y.tab.socket, EV.claim, { leadId: e[2].id }))).toBe('CAP_REACHED');
    // raising it: a fresh pool:state per pool with the new cap, and room for one more
    const mark = y.tab.rec.mark();
    await p.manager.patch(`/api/reps/${y.id}`, { maxActive: 3 });
    for (const poolId of ['default', 'eu']) {
      expect((await y.tab.rec.waitFor(EV.poolState, (s) => s.poolId === poolId, { from: mark })).maxActive).toBe(3);
    }
    expect(codeOf(await emitAck(y.tab.socket, EV.claim, { leadId: e[2].id }))).toBe('ok');
  });

  it("timers and round-robin are each pool's: a claim timeout in one pool only, round-robin assigning only its pool's reps", async () => {
    const { server, p } = await fresh();
    await createPool(p.manager, 'fast', { settings: { claimTimeoutMs: 300 } });
    await createPool(p.manager, 'rr', { mode: 'round-robin' });
    const [both, rrRep, defRep] = await online(server, p.manager, [
      { pools: ['default', 'fast'] },
      { pools: ['rr'] },
      { pools: ['default'] },
    ]);
    const slow = await postLead(p.feed);
    const quick = await postLeadTo(p.feed, 'fast');
    await okAck(both.tab.socket, EV.claim, { leadId: slow.id });
    await okAck(both.tab.socket, EV.claim, { leadId: quick.id });
    expect(await both.tab.rec.waitFor(EV.leadRevoked, undefined, { timeoutMs: 5000 })).toEqual({
      leadId: quick.id,
      poolId: 'fast',
      reason: 'expired',
    });
    expect((await p.manager.get(`/api/leads/${slow.id}`)).body.lead.status).toBe('claimed');

    const rrLeads = [await postLeadTo(p.feed, 'rr'), await postLeadTo(p.feed, 'rr')];
    for (const l of rrLeads) expect((await rrRep.tab.rec.waitFor(EV.leadAssigned, (x) => x.id === l.id)).poolId).toBe('rr');
    const def = await postLead(p.feed);
    await defRep.tab.rec.waitFor(EV.leadOffered, (v) => v.id === def.id);
    await Promise.all([rrRep, defRep, both].map((r) => barrier(r.tab.socket)));
    expect(defRep.tab.rec.of(EV.leadAssigned)).toEqual([]);
    expect(both.tab.rec.of(EV.leadAssigned)).toEqual([]);
    expect(rrRep.tab.rec.of(EV.leadOffered)).toEqual([]);
  });

  it('a v1 install (only the pool default) answers as v1: claim of an unknown lead in blind-pull MODE_FORBIDS; pull in cooldown COOLDOWN before POOL_EMPTY', async () => {
    const { server, p } = await fresh();
    const [r] = await online(server, p.manager, [{}]);
    await patchSettings(p.manager, { claimCooldownMs: 60_000 });
    await postLead(p.feed);
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, {}))).toBe('ok');
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, {}))).toBe('COOLDOWN'); // the pool is empty too
    for (const mode of ['blind-pull', 'round-robin'] as Mode[]) {
      await setMode(p.manager, mode);
      expect(codeOf(await emitAck(r.tab.socket, EV.claim, { leadId: 'ld_nope' }))).toBe('MODE_FORBIDS');
    }
    // once there are several pools, an unknown lead has no pool and so no mode: NOT_FOUND
    await createPool(p.manager, 'eu', { settings: { claimCooldownMs: 60_000 } });
    expect(codeOf(await emitAck(r.tab.socket, EV.claim, { leadId: 'ld_nope' }))).toBe('NOT_FOUND');
    await setMode(p.manager, 'shark-tank');
    // a rep in one pool still pulls as in v1; a rep in several pools finds the lead first (POOL_EMPTY)
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, {}))).toBe('COOLDOWN');
    await p.manager.patch(`/api/reps/${r.id}`, { pools: ['default', 'eu'] });
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, {}))).toBe('POOL_EMPTY');
    await postLeadTo(p.feed, 'eu');
    expect(codeOf(await emitAck(r.tab.socket, EV.pull, {}))).toBe('COOLDOWN');
  });

  it('the manager: dashboard:state and stats carry the pools; pool-scoped requests take poolId (default when absent); pool and feed requests with acks', async () => {
    const { server, p } = await fresh();
    const m = await connectManager(server.url, server.managerToken);
    expect(m.state.pools).toEqual([expect.objectContaining({ id: 'default', name: 'Default', rules: [], waiting: 0, repsOnline: 0 })]);
    expect(m.state.stats.pools).toEqual({ default: { open: 0, claimed: 0, oldestWaitingMs: null, repsOnline: 0 } });
    const s = m.socket;

    // pools
    const created = await okAck(s, EV.poolCreate, { id: 'eu', name: 'Europe', mode: 'cherry-pick' });
    expect(created.pool).toMatchObject({ id: 'eu', name: 'Europe', mode: 'cherry-pick', waiting: 0 });
    expect((await m.rec.waitFor(EV.poolsChanged)).pools.map((x) => x.id)).toEqual(['default', 'eu']);
    expect(errorOf(await emitAck(s, EV.poolCreate, { id: 'eu', name: 'Again' })).code).toBe('CONFLICT');
    expect(errorOf(await emitAck(s, EV.poolCreate, { id: 'Bad Id', name: 'x' })).code).toBe('INVALID');
    expect((await okAck(s, EV.poolUpdate, { poolId: 'eu', name: 'EU' })).pool.name).toBe('EU');
    expect(errorOf(await emitAck(s, EV.poolUpdate, { poolId: 'nope', name: 'x' })).code).toBe('NOT_FOUND');
    expect((await okAck(s, EV.poolsList, null)).pools.map((x) => x.name)).toEqual(['Default', 'EU']);

    // pool-scoped requests
    const mark = m.rec.mark();
    expect(await emitAck(s, EV.modeSet, { mode: 'hybrid', poolId: 'eu' })).toEqual({ ok: true, mode: 'hybrid' });
    expect(await m.rec.waitFor(EV.modeChanged, undefined, { from: mark })).toEqual({ mode: 'hybrid', poolId: 'eu' });
    expect((await okAck(s, EV.modeSet, { mode: 'blind-pull' })).mode).toBe('blind-pull');
    expect(await m.rec.waitFor(EV.modeChanged, (x) => x.poolId === 'default')).toEqual({ mode: 'blind-pull', poolId: 'default' });
    expect(errorOf(await emitAck(s, EV.modeSet, { mode: 'hybrid', poolId: 'nope' })).code).toBe('NOT_FOUND');
    expect(errorOf(await emitAck(s, EV.modeSet, { mode: 'hybrid', poolId: 'NOPE!' })).code).toBe('INVALID');
    expect(errorOf(await emitRawAck(s, EV.modeSet, [{ mode: 'hybrid', poolId: 'eu', extra: true }])).code).toBe('INVALID');

    const settings = (await okAck(s, EV.settingsPatch, { poolId: 'eu', maxActivePerRep: 4 })).settings;
    expect(settings.maxActivePerRep).toBe(4);
    expect(await m.rec.waitFor(EV.settingsChanged)).toEqual({ poolId: 'eu', settings });
    await okAck(s, EV.settingsPatch, { claimCooldownMs: 5 });
    expect((await m.rec.waitFor(EV.settingsChanged, (x) => x.poolId === 'default')).settings.claimCooldownMs).toBe(5);
    const invalid = errorOf(await emitAck(s, EV.settingsPatch, { poolId: 'eu', maxActivePerRep: 0 }));
    expect(invalid).toMatchObject({ code: 'INVALID', details: [expect.objectContaining({ path: 'maxActivePerRep' })] });

    const rules = [{ name: 'DE', when: { country: ['DE'] }, to: { languages: ['de'] } }];
    expect((await okAck(s, EV.rulesSet, { rules, poolId: 'eu' })).rules).toEqual(rules);
    expect(await m.rec.waitFor(EV.rulesChanged)).toEqual({ poolId: 'eu', rules });
    expect(await emitAck(s, EV.poolGet, { poolId: 'eu' })).toEqual({ ok: true, poolId: 'eu', mode: 'hybrid', settings, rules });
    expect(await emitAck(s, EV.poolGet, null)).toMatchObject({ ok: true, poolId: 'default', mode: 'blind-pull', rules: [] });
    expect(errorOf(await emitAck(s, EV.poolGet, { poolId: 'nope' })).code).toBe('NOT_FOUND');
    expect(errorOf(await emitAck(s, EV.poolGet, { poolId: 'Bad!' })).code).toBe('INVALID');
    expect(await emitRawAck(s, EV.poolGet, ['anything, as in v1'])).toMatchObject({ ok: true, poolId: 'default' });

    // leads
    const euLead = (await okAck(s, EV.leadCreate, { email: 'eu@example.test', poolId: 'eu' })).lead;
    expect(euLead.poolId).toBe('eu');
    expect((await okAck(s, EV.leadCreate, { email: 'def@example.test' })).lead.poolId).toBe('default');
    const badLead = errorOf(await emitAck(s, EV.leadCreate, { poolId: 'eu', name: 'x' }));
    expect(badLead).toMatchObject({ code: 'INVALID', details: [expect.objectContaining({ path: 'email' })] });
    expect(errorOf(await emitAck(s, EV.leadCreate, { email: 'x@example.test', poolId: 'nope' })).code).toBe('NOT_FOUND');
    expect((await okAck(s, EV.leadsList, { poolId: 'eu' })).leads.map((l) => l.id)).toEqual([euLead.id]);
    const stats = await m.rec.waitFor(EV.stats, (x) => x.pools.eu?.open === 1 && x.pools.default?.open === 1);
    expect(stats).toMatchObject({ open: 2, pools: { eu: { open: 1, claimed: 0 }, default: { open: 1, claimed: 0 } } });
    expect((await okAck(s, EV.dashboardGet, null)).state.pools.map((x) => [x.id, x.waiting])).toEqual([
      ['default', 1],
      ['eu', 1],
    ]);

    // feeds: the key in the create and rotate acks only
    const { feed, key } = await okAck(s, EV.feedCreate, { name: 'Web form', pools: ['eu'] });
    expect(feed).toEqual({ id: expect.any(String), name: 'Web form', pools: ['eu'], createdAt: expect.any(String) });
    expect(key).toMatch(/^lpf_/);
    const listed = await m.rec.waitFor(EV.feedsChanged);
    expect(listed.feeds).toEqual([feed]);
    expect((await okAck(s, EV.feedsList, null)).feeds).toEqual([feed]);
    const rotated = await okAck(s, EV.feedKey, { id: feed.id });
    expect(rotated.key).not.toBe(key);
    expect(rotated.feed).toEqual(feed);
    expect(errorOf(await emitAck(s, EV.feedCreate, { name: 'x', pools: ['nope'] })).code).toBe('INVALID');
    expect(errorOf(await emitAck(s, EV.feedKey, { id: 'feed_nope' })).code).toBe('NOT_FOUND');
    expect(await emitAck(s, EV.feedDelete, { id: feed.id })).toEqual({ ok: true });
    expect(errorOf(await emitAck(s, EV.feedDelete, { id: feed.id })).code).toBe('NOT_FOUND');
    for (const e of m.rec.events) expect(findIn(e.payload, [key, rotated.key], ['keyHash', 'key']), e.event).toEqual([]);

    // deleting
    expect(errorOf(await emitAck(s, EV.poolDelete, { poolId: 'default' })).code).toBe('CONFLICT');
    expect(errorOf(await emitAck(s, EV.poolDelete, { poolId: 'eu' })).code).toBe('CONFLICT'); // an open lead
    const [euRep] = await createReps(p.manager, 1, { pools: ['eu'] });
    expect((await p.manager.post(`/api/leads/${euLead.id}/assign`, { repId: euRep.rep.id })).status).toBe(200);
    expect(errorOf(await emitAck(s, EV.poolDelete, { poolId: 'eu' })).code).toBe('CONFLICT'); // a claimed lead
    await p.manager.post(`/api/leads/${euLead.id}/release`);
    await p.manager.post(`/api/leads/${euLead.id}/assign`, { repId: euRep.rep.id });
    expect(errorOf(await emitAck(s, EV.poolDelete, { poolId: 'nope' })).code).toBe('NOT_FOUND');
    expect(errorOf(await emitAck(s, EV.poolDelete, { poolId: 'Bad!' })).code).toBe('INVALID');
  });

  it('pool:delete ok: pools:changed, and its reps get pool:left', async () => {
    const { server, p } = await fresh();
    const m = await connectManager(server.url, server.managerToken);
    await okAck(m.socket, EV.poolCreate, { id: 'eu', name: 'EU' });
    const [r] = await online(server, p.manager, [{ pools: ['eu'] }]);
    const mark = m.rec.mark();
    expect(await emitAck(m.socket, EV.poolDelete, { poolId: 'eu' })).toEqual({ ok: true });
    expect(await r.tab.rec.waitFor(EV.poolLeft)).toEqual({ poolId: 'eu' });
    expect((await m.rec.waitFor(EV.poolsChanged, undefined, { from: mark })).pools.map((x) => x.id)).toEqual(['default']);
  });
});
