// A rep change costs one rep, not the team (issue #14): managers get `rep:changed` with the
// change alone (and still v1's `reps:changed` with the whole list, coalesced); a new or
// changed rep re-routes only the waiting leads its rules can touch; GET /api/reps pages
// with `limit`/`offset` (without them: every rep, as in v1). Both stores.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { connectManager, createReps, postLead, setMode } from './support/clients.js';
import { makeRep, storeFactories } from './support/store-harness.js';
import { serversOf, stores } from './support/stores.js';

describe.each(stores)('reps at scale: $name', (factory) => {
  const fresh = serversOf(factory);

  it('rep:changed carries the created, updated and deleted rep; reps:changed still brings the whole list', async () => {
    const { server, p } = await fresh();
    const m = await connectManager(server.url, server.managerToken);
    const [a, b] = await createReps(p.manager, 2);
    expect((await m.rec.waitFor(EV.repChanged, (c) => c.repId === b.rep.id)).rep).toMatchObject({ id: b.rep.id, presence: 'offline' });
    expect((await p.manager.patch(`/api/reps/${a.rep.id}`, { skills: ['de'] })).status).toBe(200);
    expect((await m.rec.waitFor(EV.repChanged, (c) => c.repId === a.rep.id && c.rep?.skills[0] === 'de')).rep?.name).toBe(a.rep.name);
    expect((await p.manager.del(`/api/reps/${b.rep.id}`)).status).toBe(204);
    expect(await m.rec.waitFor(EV.repChanged, (c) => c.repId === b.rep.id && c.rep === null)).toEqual({ repId: b.rep.id, rep: null });
    // The coalesced whole list catches up with every change.
    const last = await m.rec.waitFor(EV.repsChanged, (c) => c.reps.length === 1 && c.reps[0].skills[0] === 'de', { timeoutMs: 10_000 });
    expect(last.reps.map((r) => r.id)).toEqual([a.rep.id]);
  });

  it('GET /api/reps pages with limit and offset; without them it lists every rep as in v1', async () => {
    const { p } = await fresh();
    const made = await createReps(p.manager, 5);
    const all = await p.manager.get('/api/reps');
    expect(Object.keys(all.body)).toEqual(['reps']);
    expect(all.body.reps.map((r) => r.id)).toEqual(made.map((h) => h.rep.id));
    type Page = { reps: { id: string }[]; total: number; next: number | null };
    const first = await p.manager.get<Page>('/api/reps?limit=2');
    expect(first.body).toMatchObject({ total: 5, next: 2 });
    const second = await p.manager.get<Page>('/api/reps?limit=2&offset=2');
    const third = await p.manager.get<Page>('/api/reps?limit=2&offset=4');
    expect(third.body.next).toBeNull();
    expect([...first.body.reps, ...second.body.reps, ...third.body.reps].map((r) => r.id)).toEqual(made.map((h) => h.rep.id));
    expect((await p.manager.get<Page>('/api/reps?offset=9')).body).toEqual({ reps: [], total: 5, next: null });
    expect((await p.manager.get('/api/reps?limit=0')).status).toBe(422);
    expect((await p.manager.get('/api/reps?offset=-1')).status).toBe(422);
  });

  it('a new rep a rule targets takes the waiting leads of that rule; a rep no rule targets leaves every lead alone', async () => {
    const { p } = await fresh();
    await setMode(p.manager, 'hybrid');
    expect(
      (await p.manager.put('/api/rules', { rules: [{ name: 'de', when: { country: ['DE'] }, to: { skills: ['german'] } }] })).status,
    ).toBe(200);
    const de = await postLead(p.feed, { country: 'DE' });
    const fr = await postLead(p.feed, { country: 'FR' });
    expect((await p.manager.get(`/api/leads/${de.id}`)).body.lead.eligible).toBe('*');
    const [plain] = await createReps(p.manager, 1);
    expect((await p.manager.get(`/api/leads/${de.id}`)).body.lead.eligible).toBe('*');
    const [german] = await createReps(p.manager, 1, () => ({ skills: ['german'] }));
    expect((await p.manager.get(`/api/leads/${de.id}`)).body.lead.eligible).toEqual([german.rep.id]);
    expect((await p.manager.get(`/api/leads/${fr.id}`)).body.lead.eligible).toBe('*');
    // The plain rep learns German: the DE lead is routed to both; it unlearns it: back to one.
    await p.manager.patch(`/api/reps/${plain.rep.id}`, { skills: ['german'] });
    expect(new Set((await p.manager.get(`/api/leads/${de.id}`)).body.lead.eligible)).toEqual(new Set([german.rep.id, plain.rep.id]));
    await p.manager.patch(`/api/reps/${plain.rep.id}`, { skills: [] });
    expect((await p.manager.get(`/api/leads/${de.id}`)).body.lead.eligible).toEqual([german.rep.id]);
    // The only German speaker leaves the pool's rule: nobody meets it, so everyone may take the lead.
    await p.manager.patch(`/api/reps/${german.rep.id}`, { skills: ['french'] });
    expect((await p.manager.get(`/api/leads/${de.id}`)).body.lead.eligible).toBe('*');
  });
});

describe.each(storeFactories())('Store contract, listRepsPage: $name', ({ make }) => {
  it('pages the reps in creation order and counts them all', async () => {
    const { store } = await make();
    for (const id of ['a', 'b', 'c']) await store.createRep(makeRep(id));
    expect(await store.listRepsPage(0, 2)).toMatchObject({ total: 3, reps: [{ id: 'a' }, { id: 'b' }] });
    expect((await store.listRepsPage(2, 2)).reps.map((r) => r.id)).toEqual(['c']);
    expect(await store.listRepsPage(3, 2)).toEqual({ reps: [], total: 3 });
    expect((await store.listRepsPage(0, 10)).reps).toEqual(await store.listReps());
  });
});
