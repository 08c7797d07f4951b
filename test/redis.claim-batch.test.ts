// Claims that reach one server together (a race: every rep clicked at once) are decided by
// one call of claim.lua (server/store/redis/call-batcher.ts), pulls by one call of pull.lua,
// tabs closing together by one call of tabClosed.lua: one after the other, in the order they came, each answered as if it had been called alone, each recorded as its own
// rep's act. What a batch must never change: exactly one winner per lead, every refusal its
// own code, nothing done twice when the call's reply is lost and found out.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { randomPrefix, useRedisWithClient } from './support/redis.js';
import { draft, makeRep } from './support/store-harness.js';

const db = useRedisWithClient();

/** Successful calls of EVALSHA so far (a NOSCRIPT refusal is a failed call). */
async function evalshaCalls(): Promise<number> {
  const info = await db.raw.info('commandstats');
  const m = /^cmdstat_evalsha:calls=(\d+),.*failed_calls=(\d+)/m.exec(info);
  return Number(m?.[1] ?? 0) - Number(m?.[2] ?? 0);
}

describe('Redis store: claims decided together', () => {
  it('a race of 8 reps on 10 leads: one call, one winner per lead, the others ALREADY_CLAIMED, each win its own rep’s act', async () => {
    const store = await db.open(randomPrefix());
    const reps = Array.from({ length: 8 }, (_, i) => `rep_${i}`);
    for (const id of reps) await store.createRep(makeRep(id));
    const leads = [];
    for (let i = 0; i < 10; i++) leads.push((await store.insertLead(draft())).lead);
    await store.claim('ld_warm', reps[0]); // the script cached, the pools read

    const before = await evalshaCalls();
    const attempts = leads.flatMap((lead) => reps.map((rep) => ({ lead: lead.id, rep })));
    const results = await Promise.all(attempts.map((a) => store.claim(a.lead, a.rep, `tab-${a.rep}`)));
    expect(await evalshaCalls()).toBe(before + 2); // 80 claims, 64 a call

    for (const lead of leads) {
      const answers = results.filter((_, i) => attempts[i].lead === lead.id);
      const winners = answers.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      // In the order they came: the first rep to ask got it.
      expect(answers[0]).toMatchObject({ ok: true, lead: { id: lead.id, status: 'claimed', claimedBy: reps[0] } });
      expect(answers.slice(1).map((r) => (r.ok ? 'ok' : r.code))).toEqual(reps.slice(1).map(() => 'ALREADY_CLAIMED'));
      expect(await store.getLead(lead.id)).toMatchObject({ status: 'claimed', claimedBy: reps[0] });
    }
    const { events } = await store.listEvents({ type: 'lead.claimed', limit: 100 });
    expect(events).toHaveLength(10);
    for (const e of events) expect(e).toMatchObject({ repId: reps[0], actor: { role: 'rep', id: reps[0] }, poolId: DEFAULT_POOL });
  });

  it('in one call each claim gets its own answer: gone rep, gone lead, the cap reached by the claim before it, a win', async () => {
    const store = await db.open(randomPrefix());
    await store.createRep(makeRep('capped', { maxActive: 1 }));
    await store.createRep(makeRep('free'));
    const [a, b, c] = [await store.insertLead(draft()), await store.insertLead(draft()), await store.insertLead(draft())].map(
      (r) => r.lead,
    );
    await store.claim('ld_warm', 'free');

    const before = await evalshaCalls();
    const answers = await Promise.all([
      store.claim(a.id, 'nobody'),
      store.claim('ld_nothing', 'free'),
      store.claim(a.id, 'capped'),
      store.claim(b.id, 'capped'),
      store.claim(c.id, 'free'),
    ]);
    expect(await evalshaCalls()).toBe(before + 1);
    expect(answers.map((r) => (r.ok ? `ok ${r.lead.claimedBy}` : r.code))).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'ok capped',
      'CAP_REACHED',
      'ok free',
    ]);
    expect(await store.getLead(b.id)).toMatchObject({ status: 'open' });
    expect(await store.heldCounts()).toEqual({ capped: 1, free: 1 });
  });

  it('a lone claim is sent at once, in a call of its own', async () => {
    const store = await db.open(randomPrefix());
    await store.createRep(makeRep('r'));
    const { lead } = await store.insertLead(draft());
    await store.claim('ld_warm', 'r');
    const before = await evalshaCalls();
    expect(await store.claim(lead.id, 'r')).toMatchObject({ ok: true, lead: { id: lead.id, claimedBy: 'r' } });
    expect(await evalshaCalls()).toBe(before + 1);
  });

  it('blind-pull: 6 reps pull at once from 4 leads: one call, the 4 oldest leads to the first 4 reps in turn, POOL_EMPTY after', async () => {
    const store = await db.open(randomPrefix());
    await store.setMode(DEFAULT_POOL, 'blind-pull');
    const reps = Array.from({ length: 6 }, (_, i) => `puller_${i}`);
    for (const id of reps) await store.createRep(makeRep(id));
    const leads = [];
    for (let i = 0; i < 4; i++) leads.push((await store.insertLead(draft())).lead);
    await store.pull('nobody'); // the script cached, the pools read

    const before = await evalshaCalls();
    const answers = await Promise.all(reps.map((rep) => store.pull(rep, DEFAULT_POOL, `tab-${rep}`)));
    expect(await evalshaCalls()).toBe(before + 1);
    expect(answers.map((r) => (r.ok ? `${r.lead.id} ${r.lead.claimedBy}` : r.code))).toEqual([
      ...leads.map((lead, i) => `${lead.id} ${reps[i]}`),
      'POOL_EMPTY',
      'POOL_EMPTY',
    ]);
    const { events } = await store.listEvents({ type: 'lead.pulled', limit: 100 });
    expect(events.map((e) => [e.leadId, e.actor]).sort()).toEqual(leads.map((lead, i) => [lead.id, { role: 'rep', id: reps[i] }]).sort());
  });

  it('tabs that close together: one call; a rep goes offline (one rep.offline, its own) only with its last tab', async () => {
    const store = await db.open(randomPrefix());
    for (const id of ['a', 'b', 'c']) await store.createRep(makeRep(id));
    const tabs = [
      ['a', 'a1'],
      ['a', 'a2'],
      ['b', 'b1'],
      ['b', 'b2'],
      ['c', 'c1'],
    ] as const;
    for (const [rep, tab] of tabs) await store.tabOpened(rep, tab);
    await store.tabClosed('a', 'never-opened'); // the script cached

    const before = await evalshaCalls();
    // a's two tabs, b's first, c's only one
    const changes = await Promise.all([tabs[0], tabs[1], tabs[2], tabs[4]].map(([rep, tab]) => store.tabClosed(rep, tab)));
    expect(await evalshaCalls()).toBe(before + 1);
    expect(changes).toEqual([
      { repId: 'a', before: 'available', after: 'available' },
      { repId: 'a', before: 'available', after: 'offline', pools: ['default'] },
      { repId: 'b', before: 'available', after: 'available' },
      { repId: 'c', before: 'available', after: 'offline', pools: ['default'] },
    ]);
    expect(await store.onlinePresence()).toEqual({ b: 'available' });
    const { events } = await store.listEvents({ type: 'rep.offline', limit: 100 });
    expect(events.map((e) => [e.repId, e.actor]).sort()).toEqual([
      ['a', { role: 'rep', id: 'a' }],
      ['c', { role: 'rep', id: 'c' }],
    ]);
  });
});
