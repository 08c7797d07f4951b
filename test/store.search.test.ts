// The lead list (Store.searchLeads) on both stores: search words by prefix over name,
// email, phone, company and external id; filters by pool, status, rep, source, country and
// time; newest first with a cursor; duplicate counts. Both stores answer the same.
import { describe, expect, it } from 'vitest';
import type { LeadSearch, PoolRecord, Store } from '../server/store/types.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { draft, type Harness, makeRep, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

const pool = (id: string): PoolRecord => ({
  id,
  name: id,
  mode: 'shark-tank',
  settings: structuredClone(DEFAULT_SETTINGS),
  rules: [],
  createdAt: new Date().toISOString(),
});

describe.each(factories)('Lead list: $name', ({ make }) => {
  let h: Harness;
  let store: Store;
  let l: Lead[];
  let middle: string;

  /** Six leads over two pools, in this order; a claimed, a closed, a disqualified one. */
  const fill = async () => {
    h = await make();
    store = h.store;
    await store.createPool(pool('west'));
    await store.createRep(makeRep('a', { pools: ['default', 'west'] }));
    const add = async (over: Parameters<typeof draft>[0]) => (await store.insertLead(draft(over))).lead;
    l = [];
    l.push(
      await add({ name: 'Ada Lovelace', email: 'ada@analytical.example', company: 'Analytical Engines', country: 'GB', source: 'web' }),
    );
    l.push(await add({ name: 'Grace Hopper', email: 'grace@navy.example', phone: '+1 (202) 555-0147', country: 'US', source: 'ads' }));
    await sleep(5);
    middle = new Date().toISOString();
    await sleep(5);
    l.push(
      await add({
        name: 'Alan Turing',
        email: 'alan@bletchley.example',
        externalId: 'CRM-42',
        country: 'GB',
        source: 'web',
        poolId: 'west',
      }),
    );
    l.push(await add({ name: 'Adele Goldberg', email: 'adele@parc.example', company: 'Xerox PARC', country: 'US', source: 'partner' }));
    l.push(await add({ email: 'spam@junk.example', status: 'disqualified', disqualifiedReasons: ['country'], country: 'FR' }));
    l.push(await add({ name: 'Ada Byron', email: 'byron@poets.example', country: 'GB', source: 'web', poolId: 'west' }));
    expect((await store.claim(l[0].id, 'a')).ok).toBe(true);
    expect((await store.claim(l[2].id, 'a')).ok).toBe(true);
    expect((await store.outcome(l[2].id, 'a', 'won')).ok).toBe(true);
  };
  const ids = async (q: Partial<LeadSearch>) =>
    (await store.searchLeads({ limit: 100, ...q })).leads.map((x) => l.indexOf(l.find((y) => y.id === x.id)!));

  it('search by name, email, phone, company, external id: word prefixes, every word', async () => {
    await fill();
    expect(await ids({})).toEqual([5, 4, 3, 2, 1, 0]);
    expect(await ids({ q: 'ada' })).toEqual([5, 0]);
    expect(await ids({ q: 'Ada Love' })).toEqual([0]);
    expect(await ids({ q: 'grace@navy' })).toEqual([1]);
    expect(await ids({ q: 'navy.example' })).toEqual([1]);
    expect(await ids({ q: '+1 202 555' })).toEqual([1]);
    expect(await ids({ q: '5550147' })).toEqual([1]);
    expect(await ids({ q: 'xerox' })).toEqual([3]);
    expect(await ids({ q: 'crm-4' })).toEqual([2]);
    expect(await ids({ q: 'zz' })).toEqual([]);
    expect(await ids({ q: 'nobody-like-this' })).toEqual([]);
  });

  it('filters: pool, status, rep, source, country, time; combined with search', async () => {
    await fill();
    expect(await ids({ poolId: 'west' })).toEqual([5, 2]);
    expect(await ids({ status: 'open' })).toEqual([5, 3, 1]);
    expect(await ids({ status: 'claimed' })).toEqual([0]);
    expect(await ids({ status: 'claimed', repId: 'a' })).toEqual([0]);
    expect(await ids({ status: 'closed' })).toEqual([2]);
    expect(await ids({ repId: 'a' })).toEqual([2, 0]);
    expect(await ids({ status: 'disqualified' })).toEqual([4]);
    expect((await store.searchLeads({ limit: 10, status: 'disqualified' })).leads[0].disqualifiedReasons).toEqual(['country']);
    expect(await ids({ source: 'web' })).toEqual([5, 2, 0]);
    expect(await ids({ country: 'US' })).toEqual([3, 1]);
    expect(await ids({ from: middle })).toEqual([5, 4, 3, 2]);
    expect(await ids({ to: middle })).toEqual([1, 0]);
    expect(await ids({ q: 'ada', poolId: 'west' })).toEqual([5]);
    expect(await ids({ q: 'ada', status: 'claimed', country: 'GB', source: 'web' })).toEqual([0]);
  });

  it('pages newest first with next; duplicates counted', async () => {
    await fill();
    const seen: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await store.searchLeads({ limit: 2, ...(before ? { before } : {}) });
      seen.push(...page.leads.map((x) => x.id));
      if (!page.next) break;
      before = page.next;
    }
    expect(seen).toEqual([...l].reverse().map((x) => x.id));
    const web = await store.searchLeads({ limit: 1, source: 'web' });
    expect(web.leads.map((x) => x.id)).toEqual([l[5].id]);
    const rest = await store.searchLeads({ limit: 5, source: 'web', before: web.next! });
    expect(rest.leads.map((x) => x.id)).toEqual([l[2].id, l[0].id]);
    expect(rest.next).toBeUndefined();

    expect((await store.searchLeads({ limit: 10 })).duplicates).toEqual({});
    await store.insertLead(draft({ externalId: 'CRM-42', poolId: 'west' }));
    await store.insertLead(draft({ externalId: 'CRM-42', poolId: 'west' }));
    const page = await store.searchLeads({ limit: 10, q: 'crm-42' });
    expect(page.duplicates).toEqual({ [l[2].id]: 2 });
    expect(page.leads[0]).not.toHaveProperty('duplicates');
  });
});
