// Store.repView, on both stores: what a rep's pool:state snapshots are built from, in one
// read (a connecting tab: one Redis script), whichever pools the caller expected the rep in.
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
});
