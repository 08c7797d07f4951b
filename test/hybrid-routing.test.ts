// Hybrid routing when rules and reps change while leads wait: open leads are routed again
// and, in hybrid mode, the reps get a fresh pool:state (docs/API.md, "Hybrid rules").
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { codeOf, emitAck, postLead, repsOnline, setMode } from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

describe.each(stores)('hybrid rerouting ($name)', (factory) => {
  const fresh = serversOf(factory);

  it('a new rule narrows waiting leads; a rep gaining a country gains them', async () => {
    const {
      server,
      p: { manager, feed },
    } = await fresh();
    const [de, us] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'US'] }));
    await setMode(manager, 'hybrid');
    const lead = await postLead(feed, { country: 'DE' });
    await de.rec.waitFor(EV.leadOffered, (v: { id: string }) => v.id === lead.id);
    await us.rec.waitFor(EV.leadOffered, (v: { id: string }) => v.id === lead.id);

    // Route DE leads to DE reps: the US rep's pool loses the lead.
    const rules = [{ name: 'dach', when: { country: ['DE'] }, to: { countries: ['DE'] } }];
    const beforeRules = us.rec.mark();
    expect((await manager.put('/api/rules', { rules })).status).toBe(200);
    const usState = await us.rec.waitFor(EV.poolState, (s) => !s.leads.some((l) => l.id === lead.id), { from: beforeRules });
    expect(usState.waiting).toBe(0);
    expect(codeOf(await emitAck(us.socket, EV.claim, { leadId: lead.id }))).toBe('NOT_ELIGIBLE');
    expect((await manager.get(`/api/leads/${lead.id}`)).body.lead.eligible).toEqual([de.id]);

    // The US rep now also covers DE: eligible again, told by a fresh pool:state.
    expect((await manager.patch(`/api/reps/${us.id}`, { countries: ['US', 'DE'] })).status).toBe(200);
    await us.rec.waitFor(EV.poolState, (s) => s.leads.some((l) => l.id === lead.id));
    const claimed = await emitAck(us.socket, EV.claim, { leadId: lead.id });
    expect(claimed.ok).toBe(true);
  });

  it('a rule whose target no rep meets offers the lead to everyone', async () => {
    const {
      server,
      p: { manager, feed },
    } = await fresh();
    const [rep] = await repsOnline(server, 1, { countries: ['US'] });
    await setMode(manager, 'hybrid');
    await manager.put('/api/rules', { rules: [{ name: 'nobody', when: { country: ['FR'] }, to: { teams: ['paris'] } }] });
    const lead = await postLead(feed, { country: 'FR' });
    await rep.rec.waitFor(EV.leadOffered, (v: { id: string }) => v.id === lead.id);
    expect(lead.eligible).toBe('*');
  });
});
