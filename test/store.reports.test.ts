// Store contract for reports, on both stores: the index of leads by arrival time
// (leadsCreatedBetween: ranges, open ends, pool filter, survives a reopen) and the mode a
// lead was taken under (claimMode: claim, assignment, cleared on release).
import { describe, expect, it } from 'vitest';
import type { PoolRecord, Store } from '../server/store/types.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { draft, type Harness, makeRep, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();
const ms = (l: Lead) => Date.parse(l.createdAt);
const ids = (leads: Lead[]) => leads.map((l) => l.id);

function poolRecord(id: string): PoolRecord {
  return {
    id,
    name: `Pool ${id}`,
    mode: 'shark-tank',
    settings: structuredClone(DEFAULT_SETTINGS),
    rules: [],
    createdAt: new Date().toISOString(),
  };
}

describe.each(factories)('Store reports: $name', ({ make }) => {
  /** Five leads, alternating pools default / eu, a few ms apart (so most have distinct times). */
  async function fixture(): Promise<{ h: Harness; store: Store; leads: Lead[] }> {
    const h = await make();
    await h.store.createPool(poolRecord('eu'));
    const leads: Lead[] = [];
    for (let i = 0; i < 5; i++) {
      leads.push((await h.store.insertLead(draft({ poolId: i % 2 ? 'eu' : 'default' }))).lead);
      await sleep(3);
    }
    return { h, store: h.store, leads };
  }
  /** What a range must answer, from the leads' own times: [from, to), oldest first. */
  const expected = (leads: Lead[], from?: number, to?: number, poolId?: string) =>
    ids(leads.filter((l) => (from === undefined || ms(l) >= from) && (to === undefined || ms(l) < to) && (!poolId || l.poolId === poolId)));

  it('reads the leads that arrived in [from, to), oldest first, in all pools or one', async () => {
    const { store, leads } = await fixture();
    expect(ids(await store.leadsCreatedBetween({}))).toEqual(ids(leads));
    const from = ms(leads[1]);
    const to = ms(leads[3]);
    expect(ids(await store.leadsCreatedBetween({ from }))).toEqual(expected(leads, from));
    expect(ids(await store.leadsCreatedBetween({ to }))).toEqual(expected(leads, undefined, to));
    expect(ids(await store.leadsCreatedBetween({ from, to }))).toEqual(expected(leads, from, to));
    expect(ids(await store.leadsCreatedBetween({ poolId: 'eu' }))).toEqual(expected(leads, undefined, undefined, 'eu'));
    expect(ids(await store.leadsCreatedBetween({ poolId: 'default', from }))).toEqual(expected(leads, from, undefined, 'default'));
    expect(await store.leadsCreatedBetween({ from: ms(leads[4]) + 60_000 })).toEqual([]);
    expect(await store.leadsCreatedBetween({ poolId: 'nowhere' })).toEqual([]);
    // whole leads, as getLead answers them
    const [first] = await store.leadsCreatedBetween({ to: ms(leads[0]) + 1 });
    expect(first).toEqual(await store.getLead(leads[0].id));
  });

  it('the index survives a reopen and follows status changes (it indexes arrivals, not states)', async () => {
    const { h, leads } = await fixture();
    await h.store.createRep(makeRep('a'));
    expect((await h.store.claim(leads[0].id, 'a')).ok).toBe(true);
    const store = await h.reopen();
    const all = await store.leadsCreatedBetween({});
    expect(ids(all)).toEqual(ids(leads));
    expect(all[0]).toMatchObject({ status: 'claimed', claimedBy: 'a' });
  });

  it('a taken lead records the mode it was taken under; going back to the pool clears it', async () => {
    const { store, leads } = await fixture();
    await store.createRep(makeRep('a'));
    const claimed = await store.claim(leads[0].id, 'a');
    expect(claimed.ok && claimed.lead.claimMode).toBe('shark-tank');
    await store.setMode('default', 'cherry-pick');
    const assigned = await store.assign(leads[2].id, 'a');
    expect(assigned.ok && assigned.lead.claimMode).toBe('cherry-pick');
    expect((await store.getLead(leads[2].id))?.claimMode).toBe('cherry-pick');
    const released = await store.release(leads[0].id, { repId: 'a' });
    expect(released.ok && released.lead.claimMode).toBeUndefined();
    expect((await store.getLead(leads[0].id))?.claimMode).toBeUndefined();
    expect((await store.getLead(leads[4].id))?.claimMode).toBeUndefined();
  });
});
