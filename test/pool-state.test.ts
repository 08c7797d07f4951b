// pool:state, the snapshot a rep tab gets on every (re)connect: at most the 500 oldest
// leads it may claim, `waiting` counting all of them, `mine` its own leads.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { codeOf, connectRep, emitAck, repsOnline } from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

describe.each(stores)('pool:state ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('carries at most the 500 oldest leads a rep may claim; waiting counts them all', async () => {
    const { server, p } = await fresh();
    for (let batch = 0; batch < 11; batch++) {
      const posted = await Promise.all(
        Array.from({ length: 50 }, () => p.feed.post('/api/leads', { email: `bulk-${Math.random()}@example.test`, country: 'GB' })),
      );
      for (const r of posted) expect(r.status).toBe(201);
    }
    const oldestFirst = (await p.manager.get('/api/leads?limit=1000')).body.leads.map((l) => l.id).reverse();
    expect(oldestFirst).toHaveLength(550);
    const [r] = await repsOnline(server, 1);
    expect(r.state.waiting).toBe(550);
    expect(r.state.leads).toHaveLength(500);
    expect(r.state.leads.map((v) => v.id)).toEqual(oldestFirst.slice(0, 500));
    expect(r.state.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(r.state.you).toMatchObject({ id: r.id, presence: 'available' });
    expect(r.state.mine).toEqual([]);
    // Claiming the oldest moves the window by one.
    expect(codeOf(await emitAck(r.socket, EV.claim, { leadId: oldestFirst[0] }))).toBe('ok');
    const again = await connectRep(server.url, r.token);
    expect(again.state.waiting).toBe(549);
    expect(again.state.leads.map((v) => v.id)).toEqual(oldestFirst.slice(1, 501));
    expect(again.state.mine.map((l) => l.id)).toEqual([oldestFirst[0]]);
  });
});
