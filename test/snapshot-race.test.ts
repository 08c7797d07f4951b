// A tab that connects while leads arrive and go misses none and keeps none that went. The documented client replaces a
// pool with each pool:state and then applies lead:offered and lead:gone: so whatever
// reaches a tab before its pool:state must be in that snapshot, and whatever is not in it
// must reach the tab after it. Tabs connect while leads are posted, on one process and,
// on Redis, through another process too.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { LeadView, PoolState } from '../shared/protocol.js';
import { barrier, codeOf, connectRep, createReps, emitAck, leadInput, type RepClient } from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

/** The pool as the client in docs/API.md keeps it: each pool:state replaces it, then the live events. */
function poolAsClientSees(tab: RepClient): Set<string> {
  const pool = new Set<string>();
  for (const { event, payload } of tab.rec.events) {
    if (event === EV.poolState) {
      pool.clear();
      for (const view of (payload as PoolState).leads) pool.add(view.id);
    } else if (event === EV.leadOffered) pool.add((payload as LeadView).id);
    else if (event === EV.leadGone) pool.delete((payload as { leadId: string }).leadId);
  }
  return pool;
}

describe.each(stores)('a tab connecting while leads come and go ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('ends with exactly the open leads, whatever came before or after its pool:state', async () => {
    const { server, p } = await fresh();
    // On Redis half the leads go in through another process of the cluster.
    const peer = await fresh.peer(server);
    const feeds = peer ? [p.feed, peer.p.feed] : [p.feed];
    const [claimer, ...reps] = await createReps(p.manager, 41, (i) => (i === 0 ? { maxActive: 100 } : {}));
    const claiming = await connectRep(server.url, claimer.token);
    const leadIds: string[] = [];
    const claimed = new Set<string>();
    // Waves of leads, one of each wave claimed at once by a rep already online (lead:gone to the others).
    const posting = (async () => {
      for (let wave = 0; wave < 20; wave++) {
        const posted = await Promise.all(feeds.flatMap((feed) => [0, 1].map(() => feed.post('/api/leads', leadInput()))));
        for (const r of posted) {
          expect(r.status).toBe(201);
          leadIds.push(r.body.lead.id);
        }
        const leadId = posted[wave % posted.length].body.lead.id;
        expect(codeOf(await emitAck(claiming.socket, EV.claim, { leadId }))).toBe('ok');
        claimed.add(leadId);
      }
    })();
    // Tabs open a few at a time over the whole posting.
    const tabs: RepClient[] = [];
    for (let i = 0; i < reps.length; i += 4) {
      tabs.push(...(await Promise.all(reps.slice(i, i + 4).map((r) => connectRep(server.url, r.token)))));
    }
    await posting;
    await Promise.all(tabs.map((t) => barrier(t.socket)));
    // A peer's events come through Redis: the last of them may still be on the way.
    const expected = leadIds.filter((id) => !claimed.has(id)).sort();
    expect(expected).toHaveLength(leadIds.length - 20);
    for (const tab of tabs) {
      await expect.poll(() => [...poolAsClientSees(tab)].sort(), { timeout: 5000 }).toEqual(expected);
    }
  });
});
