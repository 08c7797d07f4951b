// Store.repView, on both stores: what a rep's pool:state snapshots are built from, in one
// read, whichever pools the caller expected the rep in; and Store.tabOpened with a read: a
// connecting tab records its presence and reads that view in one step (Redis: one script).
import { describe, expect, it } from 'vitest';
import { DEFAULT_POOL, DEFAULT_SETTINGS } from '../shared/protocol.js';
import { draft, makeRep, storeFactories } from './support/store-harness.js';

describe.each(storeFactories())('Store.repView: $name', ({ make }) => {
  it('the rep, its pools in creation order with their open leads, its held leads; pools it is not in are left out', async () => {
    const { store } = await make();
    const createdAt = new Date().toISOString();
    for (const id of ['sales', 'support'])
      await store.createPool({ id, name: id, mode: 'shark-tank', settings: DEFAULT_SETTINGS, rules: [], createdAt });
    await store.createRep(makeRep('r', { pools: ['support', DEFAULT_POOL] }));
    const waiting = (await store.insertLead(draft({ poolId: 'support' }))).lead;
    const held = (await store.insertLead(draft({ poolId: DEFAULT_POOL }))).lead;
    await store.insertLead(draft({ poolId: 'sales' }));
    expect((await store.claim(held.id, 'r')).ok).toBe(true);
    for (const expected of [['sales'], [], [DEFAULT_POOL, 'support']]) {
      const view = await store.repView('r', expected);
      expect(view?.rep).toEqual(await store.getRep('r'));
      expect(view?.pools.map((p) => p.pool)).toEqual((await store.listPools()).filter((p) => p.id !== 'sales'));
      expect(view?.pools.map((p) => p.open.map((l) => l.id))).toEqual([[], [waiting.id]]);
      expect(view?.held).toEqual(await store.heldLeads('r'));
      expect(view?.held.map((l) => l.id)).toEqual([held.id]);
    }
  });

  it('null for a rep that does not exist', async () => {
    const { store } = await make();
    expect(await store.repView('nobody', [DEFAULT_POOL])).toBeNull();
  });

  it('tabOpened with a read: the presence change and the view of that moment, whichever pools were expected', async () => {
    const { store } = await make();
    const createdAt = new Date().toISOString();
    await store.createPool({ id: 'sales', name: 'sales', mode: 'shark-tank', settings: DEFAULT_SETTINGS, rules: [], createdAt });
    await store.createRep(makeRep('r', { pools: ['sales'] }));
    const waiting = (await store.insertLead(draft({ poolId: 'sales' }))).lead;
    await store.setAway('r', true);
    // Expected in the default pool only: it is in sales (joined since), read too.
    const first = await store.tabOpened('r', 't1', { pools: [DEFAULT_POOL] });
    expect(first).toMatchObject({ repId: 'r', before: 'offline', after: 'available' });
    expect(first.view).toEqual(await store.repView('r', ['sales']));
    expect(first.view?.rep.away).toBe(false);
    expect(first.view?.pools.map((p) => [p.pool.id, p.open.map((l) => l.id)])).toEqual([['sales', [waiting.id]]]);
    const second = await store.tabOpened('r', 't2', { pools: ['sales'] });
    expect(second).toMatchObject({ before: 'available', after: 'available' });
    expect(second.view).toEqual(first.view);
    // Without a read: the change alone.
    expect(await store.tabOpened('r', 't3')).toEqual({ repId: 'r', before: 'available', after: 'available' });
  });

  it('tabOpened with a read for a rep that does not exist: no change, no view', async () => {
    const { store } = await make();
    expect(await store.tabOpened('nobody', 't1', { pools: [DEFAULT_POOL] })).toEqual({
      repId: 'nobody',
      before: 'offline',
      after: 'offline',
      view: null,
    });
  });

  it('tabs opened at once (a burst of connects; Redis: one script for them) are each answered as if alone, in order', async () => {
    const { store } = await make();
    const createdAt = new Date().toISOString();
    await store.createPool({ id: 'sales', name: 'sales', mode: 'shark-tank', settings: DEFAULT_SETTINGS, rules: [], createdAt });
    await store.createRep(makeRep('a', { pools: ['sales'] }));
    await store.createRep(makeRep('b', { pools: [DEFAULT_POOL] }));
    await store.createRep(makeRep('c', { pools: [DEFAULT_POOL, 'sales'] }));
    const lead = (await store.insertLead(draft({ poolId: 'sales' }))).lead;
    const [a1, c1, ghost, a2, b1, bNoRead] = await Promise.all([
      store.tabOpened('a', 't1', { pools: ['sales'] }),
      store.tabOpened('c', 't6', { pools: [DEFAULT_POOL, 'sales'] }),
      store.tabOpened('nobody', 't2', { pools: [DEFAULT_POOL] }),
      store.tabOpened('a', 't3', { pools: [DEFAULT_POOL] }),
      store.tabOpened('b', 't4', { pools: [DEFAULT_POOL] }),
      store.tabOpened('b', 't5'),
    ]);
    expect(a1).toMatchObject({ repId: 'a', before: 'offline', after: 'available' });
    expect(a2).toMatchObject({ repId: 'a', before: 'available', after: 'available' });
    expect(a1.view?.pools.map((p) => [p.pool.id, p.open.map((l) => l.id)])).toEqual([['sales', [lead.id]]]);
    expect(a2.view).toEqual(a1.view);
    // Two reps of one pool in one call: each view has the pool's open leads (Redis: read once for both).
    expect(c1.view?.pools.map((p) => [p.pool.id, p.open.map((l) => l.id)])).toEqual([
      [DEFAULT_POOL, []],
      ['sales', [lead.id]],
    ]);
    expect(ghost).toEqual({ repId: 'nobody', before: 'offline', after: 'offline', view: null });
    expect(b1).toMatchObject({ repId: 'b', before: 'offline', after: 'available' });
    expect(b1.view?.pools.map((p) => p.pool.id)).toEqual([DEFAULT_POOL]);
    expect(bNoRead).toEqual({ repId: 'b', before: 'available', after: 'available' });
    expect(await store.onlinePresence(['a', 'b', 'c', 'nobody'])).toEqual({ a: 'available', b: 'available', c: 'available' });
  });
});
