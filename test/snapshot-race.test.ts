// A tab that connects while leads arrive and go misses none and keeps none that went; so
// does a tab that gets a fresh pool:state (a mode switch, its rep changed) meanwhile. The documented client replaces a
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
        // Claimed as a rep would, once offered (a lead posted to the peer reaches this process through Redis).
        await claiming.rec.waitFor(EV.leadOffered, (view) => view.id === leadId);
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

  it('tabs online through mode switches and rep changes end with exactly the open leads', async () => {
    const { server, p } = await fresh();
    const peer = await fresh.peer(server);
    const feeds = peer ? [p.feed, peer.p.feed] : [p.feed];
    const urls = peer ? [server.url, peer.url] : [server.url];
    const [claimer, ...reps] = await createReps(p.manager, 21, (i) => (i === 0 ? { maxActive: 100 } : {}));
    const claiming = await connectRep(server.url, claimer.token);
    // On Redis the tabs are spread over both processes: each refreshes its own.
    const tabs = await Promise.all(reps.map((r, i) => connectRep(urls[i % urls.length], r.token)));
    const leadIds: string[] = [];
    const claimed = new Set<string>();
    const modes = ['cherry-pick', 'shark-tank'] as const;
    for (let wave = 0; wave < 12; wave++) {
      const posting = Promise.all(feeds.flatMap((feed) => [0, 1].map(() => feed.post('/api/leads', leadInput()))));
      // Meanwhile: the pool's mode switches (every tab's snapshot), or one rep changes (its tabs' snapshot).
      const changing =
        wave % 2 === 0
          ? p.manager.put('/api/pool/mode', { mode: modes[(wave / 2) % 2] })
          : p.manager.patch(`/api/reps/${reps[wave].rep.id}`, { name: `Renamed ${wave}` });
      const [posted, changed] = await Promise.all([posting, changing]);
      expect(changed.status).toBe(200);
      for (const r of posted) {
        expect(r.status).toBe(201);
        leadIds.push(r.body.lead.id);
      }
      const leadId = posted[wave % posted.length].body.lead.id;
      await claiming.rec.waitFor(EV.leadOffered, (view) => view.id === leadId);
      expect(codeOf(await emitAck(claiming.socket, EV.claim, { leadId }))).toBe('ok');
      claimed.add(leadId);
    }
    await Promise.all(tabs.map((t) => barrier(t.socket)));
    const expected = leadIds.filter((id) => !claimed.has(id)).sort();
    expect(expected).toHaveLength(leadIds.length - 12);
    for (const tab of tabs) {
      expect(tab.rec.of(EV.poolState).length).toBeGreaterThan(1);
      await expect.poll(() => [...poolAsClientSees(tab)].sort(), { timeout: 5000 }).toEqual(expected);
    }
  });
});
