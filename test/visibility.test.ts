// What a rep may see. A recorder on every rep socket keeps every event it received; each
// payload is walked recursively (support/leaks.ts) for the contact values seeded into the
// leads (unique strings), so a leak anywhere (nested, renamed, stringified) is found, not
// just a top-level key. Contact fields reach only the owner; `eligible` reaches no rep.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { CONTACT_FIELDS, DEFAULT_TEASER_FIELDS, type Lead, type Mode } from '../shared/protocol.js';
import {
  barrier,
  connectRep,
  emitAck,
  type OnlineRep,
  okAck,
  okOf,
  type Pool,
  patchSettings,
  postLead,
  repsOnline,
  setMode,
} from './support/clients.js';
import { findIn, REP_NEVER } from './support/leaks.js';
import { serversOf, stores } from './support/stores.js';

const contactValues = (lead: Lead) => CONTACT_FIELDS.map((f) => lead[f]).filter((v): v is string => typeof v === 'string');
/** Seeded values that are not teaser fields by default (shark-tank must not show them). */
const nonTeaserValues = (lead: Lead) => [lead.company!, lead.jobTitle!, String(lead.attributes!.plan)];

/**
 * Asserts no rep received a contact value of a lead it does not own (at the end, per the
 * manager's view), nor any `eligible` (or token) key, in any event payload. `extra(lead)` adds more
 * values that must not reach non-owners (e.g. lead ids in blind-pull).
 */
async function assertNoLeaks(p: Pool, reps: OnlineRep[], leads: Lead[], extra: (lead: Lead) => string[] = () => []) {
  await Promise.all(reps.filter((r) => r.socket.connected).map((r) => barrier(r.socket)));
  const stored = new Map<string, Lead>((await p.manager.get('/api/leads?limit=1000')).body.leads.map((l) => [l.id, l]));
  let checked = 0;
  for (const rep of reps) {
    const foreign = leads.filter((l) => stored.get(l.id)!.claimedBy !== rep.id);
    const needles = foreign.flatMap((l) => [...contactValues(l), ...extra(l)]);
    for (const { event, payload } of rep.rec.events) {
      checked++;
      const found = findIn(payload, needles, REP_NEVER);
      expect(found, `rep ${rep.rep.name} got ${event}: ${JSON.stringify(payload)}`).toEqual([]);
    }
  }
  expect(checked).toBeGreaterThan(0);
}

const viewKeys = (v: object) => Object.keys(v).sort();
const omit = (lead: Lead, keys: string[]) => Object.fromEntries(Object.entries(lead).filter(([k]) => !keys.includes(k)));

describe.each(stores)('what reps see ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('shark-tank: only id, createdAt and the teaser fields; contacts only to the owner', async () => {
    const { server, p } = await fresh();
    const reps = await repsOnline(server, 3);
    const leads: Lead[] = [];
    for (let i = 0; i < 4; i++) leads.push(await postLead(p.feed));
    leads.push(await postLead(p.feed, { country: undefined, industry: undefined })); // teaser fields absent stay absent

    for (const r of reps) {
      const offered = await Promise.all(leads.map((l) => r.rec.waitFor(EV.leadOffered, (v) => v.id === l.id)));
      for (const [i, v] of offered.entries()) {
        const expected: Record<string, unknown> = { id: leads[i].id, createdAt: leads[i].createdAt, poolId: 'default' };
        for (const f of DEFAULT_TEASER_FIELDS) if (leads[i][f] !== undefined) expected[f] = leads[i][f];
        expect(v).toEqual(expected);
      }
    }
    // The owner gets everything in its ack; the others lead:gone only.
    const ack = await okAck(reps[0].socket, EV.claim, { leadId: leads[0].id });
    expect(ack.lead).toMatchObject({ name: leads[0].name, email: leads[0].email, phone: leads[0].phone, company: leads[0].company });
    await reps[1].rec.waitFor(EV.leadGone, (g) => g.leadId === leads[0].id);

    // A tab connecting now: pool:state.leads in the same shape, `mine` only for the owner.
    const late = await connectRep(server.url, reps[0].token);
    reps.push({ ...reps[0], ...late });
    expect(late.state.mine.map((l) => l.id)).toEqual([leads[0].id]);
    expect(late.state.mine[0].email).toBe(leads[0].email);
    expect(late.state.leads.map((v) => v.id)).toEqual(leads.slice(1).map((l) => l.id));
    for (const v of late.state.leads) {
      expect(viewKeys(v).every((k) => ['id', 'createdAt', 'poolId', ...DEFAULT_TEASER_FIELDS].includes(k))).toBe(true);
    }

    // New teaser fields: every rep gets a fresh snapshot in that shape.
    const mark = reps.map((r) => r.rec.mark());
    await patchSettings(p.manager, { teaserFields: ['industry', 'companySize'] });
    for (const [i, r] of reps.entries()) {
      const state = await r.rec.waitFor(EV.poolState, () => true, { from: mark[i] });
      expect(state.leads.length).toBe(4);
      for (const v of state.leads)
        expect(viewKeys(v)).toEqual(
          v.industry ? ['companySize', 'createdAt', 'id', 'industry', 'poolId'] : ['companySize', 'createdAt', 'id', 'poolId'],
        );
    }
    const next = await postLead(p.feed);
    leads.push(next);
    for (const r of reps)
      expect(await r.rec.waitFor(EV.leadOffered, (v) => v.id === next.id)).toEqual({
        id: next.id,
        createdAt: next.createdAt,
        poolId: 'default',
        industry: next.industry,
        companySize: next.companySize,
      });

    // Neither contact values nor non-teaser fields of a foreign lead reached anyone.
    await assertNoLeaks(p, reps, leads, nonTeaserValues);
  });

  it('cherry-pick: every field but the contact fields (and never eligible)', async () => {
    const { server, p } = await fresh();
    await setMode(p.manager, 'cherry-pick');
    const reps = await repsOnline(server, 3);
    const leads: Lead[] = [];
    for (let i = 0; i < 4; i++)
      leads.push(await postLead(p.feed, { tags: ['a', `t${i}`], attributes: { score: i, vip: true, plan: `p${i}` } }));
    for (const r of reps) {
      for (const l of leads) {
        const v = await r.rec.waitFor(EV.leadOffered, (x) => x.id === l.id);
        expect(v).toEqual(omit(l, ['name', 'email', 'phone', 'eligible']));
        expect(v.company).toBe(l.company);
      }
    }
    expect((await emitAck(reps[2].socket, EV.claim, { leadId: leads[3].id })).ok).toBe(true);
    const late = await connectRep(server.url, reps[0].token);
    reps.push({ ...reps[0], ...late });
    expect(late.state.leads).toEqual(leads.slice(0, 3).map((l) => omit(l, ['name', 'email', 'phone', 'eligible'])));
    await assertNoLeaks(p, reps, leads);
  });

  it('hybrid: views only to the reps the rules route a lead to', async () => {
    const { server, p } = await fresh();
    await setMode(p.manager, 'hybrid');
    const reps = await repsOnline(server, 4, (i) => ({ countries: i < 2 ? ['DE'] : ['FR'] }));
    const [de1, de2, fr1, fr2] = reps;
    const rules = await p.manager.put('/api/rules', {
      rules: [{ name: 'DACH', when: { country: ['DE', 'AT'] }, to: { countries: ['DE'] } }],
    });
    expect(rules.status).toBe(200);
    const deLeads = [await postLead(p.feed, { country: 'DE' }), await postLead(p.feed, { country: 'AT' })];
    const anyLead = await postLead(p.feed, { country: 'FR' });
    const leads = [...deLeads, anyLead];
    // Manager sees the routing; reps never do.
    const stored = (await p.manager.get(`/api/leads/${deLeads[0].id}`)).body.lead;
    expect([...(stored.eligible as string[])].sort()).toEqual([de1.id, de2.id].sort());
    expect((await p.manager.get(`/api/leads/${anyLead.id}`)).body.lead.eligible).toBe('*');

    for (const r of [de1, de2]) {
      for (const l of leads)
        expect(await r.rec.waitFor(EV.leadOffered, (v) => v.id === l.id)).toEqual(omit(l, ['name', 'email', 'phone', 'eligible']));
    }
    for (const r of [fr1, fr2]) await r.rec.waitFor(EV.leadOffered, (v) => v.id === anyLead.id);
    await Promise.all(reps.map((r) => barrier(r.socket)));
    for (const r of [fr1, fr2]) expect(r.rec.of(EV.leadOffered).map((v) => v.id)).toEqual([anyLead.id]);

    // Snapshots follow the same routing.
    const deTab = await connectRep(server.url, de1.token);
    const frTab = await connectRep(server.url, fr1.token);
    expect(deTab.state.leads.map((v) => v.id)).toEqual(leads.map((l) => l.id));
    expect(frTab.state.leads.map((v) => v.id)).toEqual([anyLead.id]);
    expect(frTab.state.waiting).toBe(1);
    expect(deTab.state.waiting).toBe(3);
    reps.push({ ...de1, ...deTab }, { ...fr1, ...frTab });
    const frLate = reps[reps.length - 1];

    // A claim tells only the reps that were shown the lead.
    expect((await emitAck(de2.socket, EV.claim, { leadId: deLeads[0].id })).ok).toBe(true);
    await de1.rec.waitFor(EV.leadGone, (g) => g.leadId === deLeads[0].id);
    // FR reps never got anything naming a DE lead: not its contacts, not even its id.
    await assertNoLeaks(p, [fr1, fr2, frLate], deLeads, (l) => [l.id, l.company!]);
    await assertNoLeaks(p, reps, leads);
  });

  it('blind-pull: nothing per lead, only counts in pool:waiting', async () => {
    const { server, p } = await fresh();
    await setMode(p.manager, 'blind-pull');
    const reps = await repsOnline(server, 3);
    const leads: Lead[] = [];
    for (let i = 0; i < 5; i++) leads.push(await postLead(p.feed));
    for (const r of reps) {
      const w = await r.rec.waitFor(EV.poolWaiting, (x) => x.waiting === 5);
      expect(viewKeys(w)).toEqual(['oldestAgeMs', 'poolId', 'waiting']);
      expect(typeof w.oldestAgeMs).toBe('number');
      expect(r.state.leads).toEqual([]);
    }
    const ack = await emitAck(reps[0].socket, EV.pull, {});
    expect(ack.ok).toBe(true);
    expect(okOf(ack).lead).toMatchObject({ id: leads[0].id, email: leads[0].email, name: leads[0].name });
    for (const r of reps) await r.rec.waitFor(EV.poolWaiting, (x) => x.waiting === 4);
    const late = await connectRep(server.url, reps[1].token);
    expect(late.state).toMatchObject({ mode: 'blind-pull', leads: [], waiting: 4 });
    reps.push({ ...reps[1], ...late });
    await Promise.all(reps.map((r) => barrier(r.socket)));
    for (const r of reps) {
      expect(r.rec.of(EV.leadOffered)).toEqual([]);
      expect(r.rec.of(EV.leadGone)).toEqual([]);
      for (const s of r.rec.of(EV.poolState)) expect(s.leads).toEqual([]);
      for (const w of r.rec.of(EV.poolWaiting)) expect(viewKeys(w)).toEqual(['oldestAgeMs', 'poolId', 'waiting']);
    }
    // No id, contact or other value of a lead a rep does not hold reached it.
    await assertNoLeaks(p, reps, leads, (l) => [l.id, ...nonTeaserValues(l)]);
  });

  it('round-robin: nothing offered, lead:assigned only to the owner', async () => {
    const { server, p } = await fresh();
    await setMode(p.manager, 'round-robin');
    const reps = await repsOnline(server, 3);
    const leads: Lead[] = [];
    for (let i = 0; i < 6; i++) leads.push(await postLead(p.feed));
    const byRep = new Map<string, Lead[]>();
    for (const r of reps) {
      await r.rec.waitFor(EV.leadAssigned, () => r.rec.of(EV.leadAssigned).length === 2);
      byRep.set(r.id, r.rec.of(EV.leadAssigned));
    }
    const stored = new Map<string, Lead>((await p.manager.get('/api/leads')).body.leads.map((l) => [l.id, l]));
    for (const r of reps) {
      for (const a of byRep.get(r.id)!) {
        expect(stored.get(a.id)!.claimedBy).toBe(r.id);
        expect(a).toMatchObject({ status: 'claimed', claimedBy: r.id });
        expect(a.email).toBe(leads.find((l) => l.id === a.id)!.email);
        expect(a).not.toHaveProperty('eligible');
      }
    }
    await Promise.all(reps.map((r) => barrier(r.socket)));
    for (const r of reps) {
      expect(r.rec.of(EV.leadOffered)).toEqual([]);
      expect(r.rec.of(EV.leadGone)).toEqual([]);
      expect(r.state.leads).toEqual([]);
    }
    await assertNoLeaks(p, reps, leads, (l) => [l.id, ...nonTeaserValues(l)]);
  });

  it('a live mode switch: mode:changed then pool:state with the new views, for every rep', async () => {
    const { server, p } = await fresh();
    const reps = await repsOnline(server, 3, (i) => ({ countries: i === 0 ? ['DE'] : ['GB'] }));
    await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
    const leads: Lead[] = [await postLead(p.feed, { country: 'DE' }), await postLead(p.feed), await postLead(p.feed)];
    expect((await emitAck(reps[1].socket, EV.claim, { leadId: leads[2].id })).ok).toBe(true);
    const open = leads.slice(0, 2);

    /** Switches and returns each rep's pool:state after its mode:changed. */
    const switchTo = async (mode: Mode) => {
      const marks = reps.map((r) => r.rec.mark());
      await setMode(p.manager, mode);
      return Promise.all(
        reps.map(async (r, i) => {
          const changed = await r.rec.waitFor(EV.modeChanged, () => true, { from: marks[i] });
          expect(changed).toEqual({ mode, poolId: 'default' });
          const state = await r.rec.waitFor(EV.poolState, (s) => s.mode === mode, { from: marks[i] });
          const after = r.rec.events.slice(marks[i]);
          expect(after.findIndex((e) => e.event === EV.modeChanged)).toBeLessThan(after.findIndex((e) => e.event === EV.poolState));
          return state;
        }),
      );
    };

    let states = await switchTo('cherry-pick');
    for (const s of states) {
      expect(s.leads).toEqual(open.map((l) => omit(l, ['name', 'email', 'phone', 'eligible'])));
      expect(s.waiting).toBe(2);
    }
    expect(states[1].mine.map((l) => l.id)).toEqual([leads[2].id]);
    expect(states[1].mine[0].email).toBe(leads[2].email);

    states = await switchTo('hybrid');
    expect(states[0].leads.map((v) => v.id)).toEqual(open.map((l) => l.id));
    expect(states[1].leads.map((v) => v.id)).toEqual([leads[1].id]);
    expect(states[2].leads.map((v) => v.id)).toEqual([leads[1].id]);

    states = await switchTo('shark-tank');
    for (const s of states)
      for (const v of s.leads)
        expect(viewKeys(v).every((k) => ['id', 'createdAt', 'poolId', ...DEFAULT_TEASER_FIELDS].includes(k))).toBe(true);
    expect(states[2].leads.map((v) => v.id)).toEqual(open.map((l) => l.id));

    // blind-pull: the snapshot carries no lead detail at all, only the count.
    const marks = reps.map((r) => r.rec.mark());
    states = await switchTo('blind-pull');
    for (const s of states) {
      expect(s.leads).toEqual([]);
      expect(s.waiting).toBe(2);
    }
    await Promise.all(reps.map((r) => barrier(r.socket)));
    for (const [i, r] of reps.entries()) {
      const since = r.rec.events.slice(marks[i]);
      const names = since.map((e) => e.event);
      expect(names).not.toContain(EV.leadOffered);
      for (const e of since) {
        const ids = open.map((l) => l.id);
        expect(findIn(e.payload, ids, REP_NEVER), `${e.event} after switching to blind-pull`).toEqual([]);
      }
    }

    // round-robin: the open leads get assigned; still nothing offered.
    const rr = reps.map((r) => r.rec.mark());
    states = await switchTo('round-robin');
    for (const s of states) {
      expect(s.leads).toEqual([]);
    }
    const assigned = await Promise.all(
      open.map(async (l) => {
        const owner = await Promise.any(
          reps.map((r, i) => r.rec.waitFor(EV.leadAssigned, (a) => a.id === l.id, { from: rr[i] }).then(() => r)),
        );
        return owner;
      }),
    );
    expect(assigned).toHaveLength(2);
    await Promise.all(reps.map((r) => barrier(r.socket)));
    for (const [i, r] of reps.entries()) {
      expect(r.rec.events.slice(rr[i]).map((e) => e.event)).not.toContain(EV.leadOffered);
    }
    await assertNoLeaks(p, reps, leads);
  });
});
