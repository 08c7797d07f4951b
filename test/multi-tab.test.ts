// A rep with several tabs: what one tab does shows in the others (mine:changed), and a
// rep is offline only when its last tab is gone.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { barrier, connectRep, emitAck, postLead, repsOnline } from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

describe.each(stores)('several tabs of one rep ($name)', (factory) => {
  const fresh = serversOf(factory);

  it('claim, outcome and release in one tab reach the others, never as a lost race', async () => {
    const {
      server,
      p: { feed },
    } = await fresh();
    const [tabA] = await repsOnline(server, 1);
    const tabB = await connectRep(server.url, tabA.token);
    const [other] = await repsOnline(server, 1);
    const lead = await postLead(feed);
    await tabB.rec.waitFor(EV.leadOffered, (v: { id: string }) => v.id === lead.id);

    const a0 = tabA.rec.mark();
    const claimed = await emitAck(tabA.socket, EV.claim, { leadId: lead.id });
    expect(claimed.ok).toBe(true);
    const mine = await tabB.rec.waitFor(EV.mineChanged, (c) => c.leadId === lead.id);
    expect(mine.lead).toMatchObject({ id: lead.id, status: 'claimed', email: lead.email, name: lead.name });
    expect(mine.lead).not.toHaveProperty('eligible');
    await other.rec.waitFor(EV.leadGone, (g: { leadId: string }) => g.leadId === lead.id);
    await barrier(tabA.socket);
    await barrier(tabB.socket);
    expect(tabB.rec.of(EV.leadGone)).toEqual([]);
    expect(tabA.rec.events.slice(a0).map((e) => e.event)).not.toContain(EV.mineChanged);
    expect(other.rec.of(EV.mineChanged)).toEqual([]);

    const contacted = await emitAck(tabA.socket, EV.outcome, { leadId: lead.id, outcome: 'contacted' });
    expect(contacted.ok).toBe(true);
    await tabB.rec.waitFor(EV.mineChanged, (c) => c.lead?.outcome === 'contacted');

    const b0 = tabB.rec.mark();
    expect((await emitAck(tabA.socket, EV.release, { leadId: lead.id })).ok).toBe(true);
    const released = await tabB.rec.waitFor(EV.mineChanged, (c) => c.leadId === lead.id && !c.lead, { from: b0 });
    expect(released).toEqual({ leadId: lead.id, poolId: 'default' });
  });

  it('a closing outcome tells the other tabs the lead is closed', async () => {
    const {
      server,
      p: { feed },
    } = await fresh();
    const [tabA] = await repsOnline(server, 1);
    const tabB = await connectRep(server.url, tabA.token);
    const lead = await postLead(feed);
    expect((await emitAck(tabA.socket, EV.claim, { leadId: lead.id })).ok).toBe(true);
    expect((await emitAck(tabA.socket, EV.outcome, { leadId: lead.id, outcome: 'won' })).ok).toBe(true);
    const closed = await tabB.rec.waitFor(EV.mineChanged, (c) => c.lead?.status === 'closed');
    expect(closed.lead).toMatchObject({ id: lead.id, outcome: 'won' });
  });
});
