// Claim races: many reps on separate connections click the same lead at once. Exactly one
// claim takes it, every other hears ALREADY_CLAIMED and lead:gone, the taker gets the
// contact fields. Pulls in blind-pull hand out distinct leads, oldest first.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead } from '../shared/protocol.js';
import {
  barrier,
  closeAllSockets,
  connectRep,
  emitAck,
  errorOf,
  type OnlineRep,
  okOf,
  type Pool,
  patchSettings,
  pool,
  postLead,
  repsOnline,
  setMode,
} from './support/clients.js';
import type { InProcessServer } from './support/server.js';
import { serversOf, stores } from './support/stores.js';

const REPS = 20;
const LEADS = 50;

describe.each(stores)('claim races ($name store)', (factory) => {
  let server: InProcessServer;
  let p: Pool;
  let reps: OnlineRep[];

  beforeAll(async () => {
    server = await factory.start();
    p = pool(server);
    await patchSettings(p.manager, { maxActivePerRep: 1000 });
    reps = await repsOnline(server, REPS);
  });
  afterEach(() => {
    for (const r of reps) r.rec.clear();
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
    await factory.teardown?.();
  });

  it(`${REPS} reps race for each of ${LEADS} leads: one taker each, every other ALREADY_CLAIMED and lead:gone`, async () => {
    const leads: Lead[] = [];
    for (let i = 0; i < LEADS; i++) leads.push(await postLead(p.feed));
    // Everyone was offered every lead before the race starts.
    await Promise.all(reps.map((r) => r.rec.waitFor(EV.leadOffered, (v) => v.id === leads[LEADS - 1].id)));

    // Every lead's claims fire together, and all leads at once: 1000 claims in flight.
    const results = await Promise.all(
      leads.map(async (lead) => {
        const answers = await Promise.all(reps.map((r) => emitAck(r.socket, EV.claim, { leadId: lead.id }, 20_000)));
        return { lead, answers };
      }),
    );

    const takenBy = new Map<string, OnlineRep>();
    for (const { lead, answers } of results) {
      const takers = answers.flatMap((a, i) => (a.ok ? [i] : []));
      expect(takers, `lead ${lead.id}`).toHaveLength(1);
      const t = takers[0];
      takenBy.set(lead.id, reps[t]);
      const ack = okOf(answers[t]);
      // The taker's ack is the lead with its contact fields (and no `eligible`).
      expect(ack.lead).toMatchObject({
        id: lead.id,
        status: 'claimed',
        claimedBy: reps[t].id,
        name: lead.name,
        email: lead.email,
        phone: lead.phone,
        company: lead.company,
      });
      expect(ack.lead).not.toHaveProperty('eligible');
      for (const [i, a] of answers.entries()) {
        if (i === t) continue;
        expect(a).toMatchObject({ ok: false, error: { code: 'ALREADY_CLAIMED' } });
        expect(typeof errorOf(a).message).toBe('string');
      }
    }

    // Every other rep hears lead:gone { leadId, poolId, reason: 'claimed' }; the taker does not.
    await Promise.all(
      reps.flatMap((r) =>
        leads
          .filter((l) => takenBy.get(l.id) !== r)
          .map((l) => r.rec.waitFor(EV.leadGone, (g) => g.leadId === l.id, { timeoutMs: 10_000 })),
      ),
    );
    await Promise.all(reps.map((r) => barrier(r.socket)));
    for (const r of reps) {
      const gone = r.rec.of(EV.leadGone);
      for (const g of gone) expect(g).toEqual({ leadId: g.leadId, poolId: 'default', reason: 'claimed' });
      const goneIds = gone.map((g) => g.leadId);
      const taken = leads.filter((l) => takenBy.get(l.id) === r).map((l) => l.id);
      const lost = leads.filter((l) => takenBy.get(l.id) !== r).map((l) => l.id);
      expect(goneIds.filter((id) => taken.includes(id))).toEqual([]);
      expect(new Set(goneIds)).toEqual(new Set(lost));
      expect(goneIds).toHaveLength(lost.length); // once each
    }

    // The store agrees: every lead claimed by the rep that got the ok.
    const listed = (await p.manager.get('/api/leads?status=claimed&limit=1000')).body.leads;
    expect(listed).toHaveLength(LEADS);
    for (const l of listed) expect(l.claimedBy).toBe(takenBy.get(l.id)!.id);
    const counts = (await p.manager.get('/api/reps')).body.reps.reduce((n, r) => n + (r.activeCount ?? 0), 0);
    expect(counts).toBe(LEADS);
  });

  it('two tabs of the same rep racing: one ok, the other ALREADY_CLAIMED', async () => {
    const lead = await postLead(p.feed);
    const [a] = reps;
    const second = await connectRep(server.url, a.token);
    const answers = await Promise.all(
      [a.socket, second.socket, a.socket, second.socket].map((s) => emitAck(s, EV.claim, { leadId: lead.id })),
    );
    expect(answers.filter((x) => x.ok)).toHaveLength(1);
    expect(answers.filter((x) => !x.ok).map((x) => x.error.code)).toEqual(['ALREADY_CLAIMED', 'ALREADY_CLAIMED', 'ALREADY_CLAIMED']);
    second.close();
  });

  it('blind-pull: concurrent pulls from many reps get distinct leads, the oldest first', async () => {
    await setMode(p.manager, 'blind-pull');
    const created: Lead[] = [];
    for (let i = 0; i < 30; i++) created.push(await postLead(p.feed));
    const pullers = reps.slice(0, 15);
    const answers = await Promise.all(pullers.flatMap((r) => [emitAck(r.socket, EV.pull, {}), emitAck(r.socket, EV.pull, {})]));
    expect(answers.every((a) => a.ok)).toBe(true);
    const pulled = answers.map((a) => okOf(a).lead);
    const ids = pulled.map((l) => l.id);
    expect(new Set(ids).size).toBe(30);
    expect(new Set(ids)).toEqual(new Set(created.map((l) => l.id)));
    for (const l of pulled) expect(l.email).toMatch(/@example\.test$/);

    // 10 more leads, 6 pulls: exactly the 6 oldest go out.
    const more: Lead[] = [];
    for (let i = 0; i < 10; i++) more.push(await postLead(p.feed));
    const six = await Promise.all(reps.slice(0, 6).map((r) => emitAck(r.socket, EV.pull, {})));
    expect(new Set(six.map((a) => okOf(a).lead.id))).toEqual(new Set(more.slice(0, 6).map((l) => l.id)));

    // One rep pulling the rest one by one gets them in creation order, then POOL_EMPTY.
    const solo = reps[19];
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await emitAck(solo.socket, EV.pull, {});
      expect(a.ok).toBe(true);
      order.push(okOf(a).lead.id);
    }
    expect(order).toEqual(more.slice(6).map((l) => l.id));
    expect(await emitAck(solo.socket, EV.pull, {})).toMatchObject({ ok: false, error: { code: 'POOL_EMPTY' } });

    // More pullers than leads: exactly as many leads pulled as there are, the rest POOL_EMPTY.
    const few: Lead[] = [];
    for (let i = 0; i < 3; i++) few.push(await postLead(p.feed));
    const crowd = await Promise.all(reps.map((r) => emitAck(r.socket, EV.pull, {})));
    const got = crowd.filter((a) => a.ok).map((a) => a.lead.id);
    expect(new Set(got)).toEqual(new Set(few.map((l) => l.id)));
    expect(got).toHaveLength(3);
    expect(crowd.filter((a) => !a.ok).every((a) => a.error.code === 'POOL_EMPTY')).toBe(true);
    await setMode(p.manager, 'shark-tank');
  });

  it('claims and pulls racing in shark-tank: each lead goes to exactly one rep', async () => {
    const leads: Lead[] = [];
    for (let i = 0; i < 10; i++) leads.push(await postLead(p.feed));
    const attempts = reps.flatMap((r, i) =>
      i % 2 === 0 ? leads.map((l) => emitAck(r.socket, EV.claim, { leadId: l.id })) : [emitAck(r.socket, EV.pull, {})],
    );
    const answers = await Promise.all(attempts);
    const taken = answers.filter((a) => a.ok).map((a) => a.lead.id);
    expect(new Set(taken)).toEqual(new Set(leads.map((l) => l.id)));
    expect(taken).toHaveLength(leads.length);
    for (const a of answers.filter((x) => !x.ok)) expect(['ALREADY_CLAIMED', 'POOL_EMPTY']).toContain(a.error.code);
  });
});

describe.each(stores)('claims racing a manager assignment ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('the lead ends with exactly one owner, and every answer agrees with it', async () => {
    const { server, p } = await fresh();
    const reps = await repsOnline(server, 6);
    for (let round = 0; round < 5; round++) {
      const lead = await postLead(p.feed);
      const target = reps[round];
      const [assigned, ...claims] = await Promise.all([
        p.manager.post(`/api/leads/${lead.id}/assign`, { repId: target.id }),
        ...reps.map((r) => emitAck(r.socket, EV.claim, { leadId: lead.id })),
      ]);
      expect(assigned.status).toBe(200);
      const owner = (await p.manager.get(`/api/leads/${lead.id}`)).body.lead.claimedBy;
      expect(owner).toBe(target.id); // assignment overrides, whether it came first or last
      const taken = claims.filter((c) => c.ok).length;
      expect(taken).toBeLessThanOrEqual(1);
      for (const c of claims) if (!c.ok) expect(c.error.code).toBe('ALREADY_CLAIMED');
      // A claim that took the lead before the assignment lost it to it: its rep was told.
      const claimer = reps.find((_, i) => claims[i].ok);
      if (claimer && claimer !== target) {
        expect(await claimer.rec.waitFor(EV.leadRevoked, (e) => e.leadId === lead.id)).toEqual({
          leadId: lead.id,
          poolId: 'default',
          reason: 'reassigned',
        });
      }
      await target.rec.waitFor(EV.leadAssigned, (l) => l.id === lead.id);
    }
  });
});
