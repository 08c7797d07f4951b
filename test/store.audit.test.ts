// The audit trail of the Store contract, on both stores: every kind of change records its
// events in the same step, with its actor and reason and never a contact field; listEvents
// filters and pages newest first; eventsAfter reads oldest first after a cursor.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareEventIds } from '../server/store/audit.js';
import { EmbeddedStore } from '../server/store/embedded.js';
import type { PoolRecord, Store } from '../server/store/types.js';
import type { AuditEvent } from '../shared/protocol.js';
import { DEFAULT_SETTINGS } from '../shared/protocol.js';
import { tempDir } from './support/server.js';
import { draft, type Harness, makeRep, sha, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

/** Every event of the store, oldest first. */
async function all(store: Store): Promise<AuditEvent[]> {
  return store.eventsAfter(null, 10_000);
}

const typesOf = (events: AuditEvent[]) => events.map((e) => e.type);

function pool(id: string): PoolRecord {
  return {
    id,
    name: `Pool ${id}`,
    mode: 'shark-tank',
    settings: structuredClone(DEFAULT_SETTINGS),
    rules: [],
    createdAt: new Date().toISOString(),
  };
}

describe.each(factories)('Audit trail: $name', ({ make }) => {
  let h: Harness;
  let store: Store;
  const setup = async () => {
    h = await make();
    store = h.store;
  };

  it('ingest: lead.created (the feed as actor), lead.disqualified with reasons, lead.duplicate; never a contact field', async () => {
    await setup();
    const contact = { name: 'Ada Secret', email: 'ada.secret@example.com', phone: '+44 20 7946 0000' };
    const { lead } = await store.insertLead(draft({ ...contact, externalId: 'x-1', source: 'web', feedId: 'fd_1' }));
    const disq = await store.insertLead(draft({ status: 'disqualified', disqualifiedReasons: ['country'] }), {
      actor: { role: 'form', id: 'fm_1' },
    });
    const dup = await store.insertLead(draft({ ...contact, externalId: 'x-1' }));
    expect(dup.duplicate).toBe(true);
    const events = await all(store);
    expect(typesOf(events)).toEqual(['lead.created', 'lead.disqualified', 'lead.duplicate']);
    expect(events[0]).toMatchObject({
      type: 'lead.created',
      poolId: 'default',
      leadId: lead.id,
      actor: { role: 'feed', id: 'fd_1' },
      data: { source: 'web', externalId: 'x-1', feedId: 'fd_1' },
    });
    expect(events[1]).toMatchObject({ leadId: disq.lead.id, actor: { role: 'form', id: 'fm_1' }, data: { reasons: ['country'] } });
    expect(events[2]).toMatchObject({ leadId: lead.id, actor: { role: 'manager' }, data: { by: 'externalId' } });
    const text = JSON.stringify(events);
    for (const value of Object.values(contact)) expect(text).not.toContain(value);
    for (const e of events) {
      expect(e.id).toMatch(/^\d+-\d+$/);
      expect(Date.parse(e.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(new Date(e.at).toISOString()).toBe(e.at);
    }
  });

  it('claim, pull, release (rep, manager, system with a reason), assign, reassign, outcome with note, close', async () => {
    await setup();
    await store.createRep(makeRep('a'));
    await store.createRep(makeRep('b'));
    const [l1, l2] = [(await store.insertLead(draft())).lead, (await store.insertLead(draft())).lead];
    const after = (await all(store)).at(-1)!.id;
    expect((await store.claim(l1.id, 'a')).ok).toBe(true);
    expect((await store.release(l1.id, { repId: 'a' })).ok).toBe(true);
    expect((await store.pull('b')).ok).toBe(true); // l1 again: the oldest
    expect((await store.release(l1.id, { manager: true })).ok).toBe(true);
    expect((await store.assign(l2.id, 'a')).ok).toBe(true);
    expect((await store.assign(l2.id, 'b')).ok).toBe(true);
    expect((await store.outcome(l2.id, 'b', 'contacted', 'called, call back Monday')).ok).toBe(true);
    expect((await store.claim(l1.id, 'a')).ok).toBe(true);
    expect((await store.release(l1.id, { manager: true }, { actor: { role: 'system' }, reason: 'offline' })).ok).toBe(true);
    expect((await store.outcome(l2.id, 'b', 'won')).ok).toBe(true);
    const events = await store.eventsAfter(after, 100);
    const brief = events.map((e) => [e.type, e.leadId, e.repId, e.actor, e.data]);
    expect(brief).toEqual([
      ['lead.claimed', l1.id, 'a', { role: 'rep', id: 'a' }, undefined],
      ['lead.released', l1.id, 'a', { role: 'rep', id: 'a' }, { reason: 'rep', by: 'rep' }],
      ['lead.pulled', l1.id, 'b', { role: 'rep', id: 'b' }, undefined],
      ['lead.released', l1.id, 'b', { role: 'manager' }, { reason: 'manager', by: 'manager' }],
      ['lead.assigned', l2.id, 'a', { role: 'manager' }, { via: 'manual' }],
      ['lead.revoked', l2.id, 'a', { role: 'manager' }, { reason: 'reassigned' }],
      ['lead.assigned', l2.id, 'b', { role: 'manager' }, { via: 'manual', previousOwner: 'a' }],
      ['lead.outcome', l2.id, 'b', { role: 'rep', id: 'b' }, { outcome: 'contacted', note: 'called, call back Monday' }],
      ['lead.claimed', l1.id, 'a', { role: 'rep', id: 'a' }, undefined],
      ['lead.released', l1.id, 'a', { role: 'system' }, { reason: 'offline', by: 'system' }],
      ['lead.outcome', l2.id, 'b', { role: 'rep', id: 'b' }, { outcome: 'won' }],
      ['lead.closed', l2.id, 'b', { role: 'rep', id: 'b' }, { outcome: 'won' }],
    ]);
    for (const e of events) expect(e.poolId).toBe('default');
    // ids strictly increase
    for (let i = 1; i < events.length; i++) expect(compareEventIds(events[i - 1].id, events[i].id)).toBeLessThan(0);
  });

  it('a refused change records nothing', async () => {
    await setup();
    await store.createRep(makeRep('a'));
    await store.createRep(makeRep('b'));
    const { lead } = await store.insertLead(draft());
    await store.claim(lead.id, 'a');
    const before = (await all(store)).length;
    expect((await store.claim(lead.id, 'b')).ok).toBe(false);
    expect((await store.release(lead.id, { repId: 'b' })).ok).toBe(false);
    expect((await store.outcome(lead.id, 'b', 'won')).ok).toBe(false);
    expect(await store.setMode('nope', 'hybrid')).toBeNull();
    expect((await all(store)).length).toBe(before);
  });

  it('round-robin assignment, escalation and claim timeout are recorded as the system', async () => {
    await setup();
    await store.createRep(makeRep('a'));
    await store.createRep(makeRep('b'));
    await store.setMode('default', 'round-robin');
    const { lead: rr } = await store.insertLead(draft());
    expect(await store.autoAssign('default', ['a'])).not.toBeNull();
    await store.setMode('default', 'hybrid');
    await store.patchSettings('default', { escalateAfterMs: 40, claimTimeoutMs: 40 });
    const { lead: narrow } = await store.insertLead(draft({ eligible: ['a'] }));
    const { lead: held } = await store.insertLead(draft());
    expect((await store.claim(held.id, 'b')).ok).toBe(true);
    await sleep(150);
    const peer = await h.peer();
    await Promise.all([store.runDue(), peer.runDue()]);
    const events = await all(store);
    expect(events.find((e) => e.type === 'lead.assigned')).toMatchObject({
      leadId: rr.id,
      repId: 'a',
      actor: { role: 'system' },
      data: { via: 'round-robin' },
    });
    expect(events.filter((e) => e.type === 'lead.escalated')).toEqual([
      expect.objectContaining({ leadId: narrow.id, actor: { role: 'system' }, data: { previousEligible: ['a'] } }),
    ]);
    // The claim timeout turned on applies to leads already held too (the round-robin one).
    const expired = events.filter((e) => e.type === 'lead.expired');
    expect(expired).toHaveLength(2);
    expect(expired).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ leadId: held.id, repId: 'b', actor: { role: 'system' }, data: { reason: 'claim-timeout' } }),
        expect.objectContaining({ leadId: rr.id, repId: 'a', actor: { role: 'system' }, data: { reason: 'claim-timeout' } }),
      ]),
    );
  });

  it('pools, reps and feeds: each change with its data; removing a rep releases its leads', async () => {
    await setup();
    await store.createPool(pool('west'));
    await store.renamePool('west', 'West coast');
    await store.setMode('west', 'cherry-pick');
    await store.patchSettings('west', { maxActivePerRep: 3 });
    await store.setRules('west', [{ name: 'Spanish', when: { language: ['es'] }, to: { languages: ['es'] } }]);
    await store.createRep(makeRep('r1', { pools: ['default', 'west'] }));
    await store.updateRep('r1', { name: 'Rep One', maxActive: 4 });
    await store.setRepToken('r1', sha('new-token'));
    const { lead } = await store.insertLead(draft());
    await store.claim(lead.id, 'r1');
    await store.deleteRep('r1');
    await store.deletePool('west');
    await store.createFeed({ id: 'fd_9', name: 'Partner', pools: ['default'], createdAt: new Date().toISOString(), keyHash: sha('k1') });
    await store.setFeedKey('fd_9', sha('k2'));
    await store.deleteFeed('fd_9');
    const events = (await all(store)).filter((e) => e.type !== 'lead.created' && e.type !== 'lead.claimed');
    expect(events.map((e) => [e.type, e.poolId, e.repId, e.actor.role, e.data])).toEqual([
      ['pool.created', 'west', undefined, 'manager', { name: 'Pool west', mode: 'shark-tank' }],
      ['pool.renamed', 'west', undefined, 'manager', { name: 'West coast' }],
      ['pool.mode', 'west', undefined, 'manager', { mode: 'cherry-pick', previous: 'shark-tank' }],
      ['pool.settings', 'west', undefined, 'manager', { patch: { maxActivePerRep: 3 } }],
      ['pool.rules', 'west', undefined, 'manager', { rules: ['Spanish'] }],
      ['rep.created', undefined, 'r1', 'manager', { name: 'Rep r1', pools: ['default', 'west'] }],
      ['rep.updated', undefined, 'r1', 'manager', { fields: ['name', 'maxActive'] }],
      ['rep.token', undefined, 'r1', 'manager', undefined],
      ['lead.released', 'default', 'r1', 'manager', { reason: 'rep-removed', by: 'manager' }],
      ['rep.removed', undefined, 'r1', 'manager', { name: 'Rep One' }],
      ['pool.deleted', 'west', undefined, 'manager', undefined],
      ['feed.created', undefined, undefined, 'manager', { feedId: 'fd_9', name: 'Partner', pools: ['default'] }],
      ['feed.key', undefined, undefined, 'manager', { feedId: 'fd_9' }],
      ['feed.revoked', undefined, undefined, 'manager', { feedId: 'fd_9' }],
    ]);
    expect(JSON.stringify(events)).not.toContain(sha('k2'));
  });

  it('a rep whose last tab closes goes offline: rep.offline', async () => {
    await setup();
    await store.createRep(makeRep('a'));
    await store.tabOpened('a', 't1');
    await store.tabOpened('a', 't2');
    await store.tabClosed('a', 't1');
    expect(typesOf(await all(store))).toEqual(['rep.created']);
    await store.tabClosed('a', 't2');
    expect((await all(store)).at(-1)).toMatchObject({ type: 'rep.offline', repId: 'a', actor: { role: 'rep', id: 'a' } });
  });

  describe('listEvents and eventsAfter', () => {
    /** Two pools, two reps, a few leads with claims: 3 leads in default, 2 in west. */
    const fill = async () => {
      await setup();
      await store.createPool(pool('west'));
      await store.createRep(makeRep('a', { pools: ['default', 'west'] }));
      await store.createRep(makeRep('b'));
      const d = [];
      for (let i = 0; i < 3; i++) d.push((await store.insertLead(draft())).lead);
      const w = [];
      for (let i = 0; i < 2; i++) w.push((await store.insertLead(draft({ poolId: 'west' }))).lead);
      await store.claim(d[0].id, 'a');
      await store.claim(d[1].id, 'b');
      await store.claim(w[0].id, 'a');
      await store.outcome(d[0].id, 'a', 'lost', 'no budget');
      return { d, w };
    };

    it('newest first, filtered by lead, rep, pool, type or type prefix', async () => {
      const { d, w } = await fill();
      const everything = await all(store);
      const { events, next } = await store.listEvents({});
      expect(next).toBeUndefined();
      expect(events).toEqual([...everything].reverse());
      expect(typesOf((await store.listEvents({ leadId: d[0].id })).events)).toEqual([
        'lead.closed',
        'lead.outcome',
        'lead.claimed',
        'lead.created',
      ]);
      const byA = (await store.listEvents({ repId: 'a' })).events;
      expect(byA.map((e) => [e.type, e.leadId])).toEqual([
        ['lead.closed', d[0].id],
        ['lead.outcome', d[0].id],
        ['lead.claimed', w[0].id],
        ['lead.claimed', d[0].id],
        ['rep.created', undefined],
      ]);
      const west = (await store.listEvents({ poolId: 'west' })).events;
      expect(west.map((e) => e.type)).toEqual(['lead.claimed', 'lead.created', 'lead.created', 'pool.created']);
      expect((await store.listEvents({ type: 'lead.claimed' })).events).toHaveLength(3);
      expect(typesOf((await store.listEvents({ type: 'rep' })).events)).toEqual(['rep.created', 'rep.created']);
      expect((await store.listEvents({ type: 'pool', poolId: 'default' })).events).toEqual([]);
    });

    it('pages with limit and before (next), and bounds by time', async () => {
      await fill();
      const everything = [...(await all(store))].reverse();
      const seen: AuditEvent[] = [];
      let before: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await store.listEvents({ limit: 3, ...(before ? { before } : {}) });
        seen.push(...res.events);
        expect(res.events.length).toBeLessThanOrEqual(3);
        if (!res.next) break;
        before = res.next;
      }
      expect(seen).toEqual(everything);
      const filtered = await store.listEvents({ type: 'lead.created', limit: 2 });
      expect(filtered.events).toHaveLength(2);
      const rest = await store.listEvents({ type: 'lead.created', limit: 2, before: filtered.next! });
      expect(rest.events).toHaveLength(2);
      const last = await store.listEvents({ type: 'lead.created', limit: 2, before: rest.next! });
      expect(last).toEqual({ events: [expect.objectContaining({ type: 'lead.created' })] });
      // time bounds: nothing before the first, everything up to now, nothing in the future
      const first = everything.at(-1)!;
      expect((await store.listEvents({ until: new Date(Date.parse(first.at) - 1000).toISOString() })).events).toEqual([]);
      expect((await store.listEvents({ since: first.at, limit: 1000 })).events).toHaveLength(everything.length);
      expect((await store.listEvents({ since: new Date(Date.now() + 60_000).toISOString() })).events).toEqual([]);
    });

    it('eventsAfter: oldest first, strictly after the cursor, at most limit; kept across a reopen', async () => {
      await fill();
      const everything = await all(store);
      expect(await store.eventsAfter(null, 2)).toEqual(everything.slice(0, 2));
      expect(await store.eventsAfter(everything[1].id, 3)).toEqual(everything.slice(2, 5));
      expect(await store.eventsAfter(everything.at(-1)!.id, 10)).toEqual([]);
      const reopened = await h.reopen();
      expect(await all(reopened)).toEqual(everything);
      await reopened.createRep(makeRep('c'));
      const after = await reopened.eventsAfter(everything.at(-1)!.id, 10);
      expect(typesOf(after)).toEqual(['rep.created']);
      expect(compareEventIds(after[0].id, everything.at(-1)!.id)).toBeGreaterThan(0);
    });
  });
});

describe('Audit trail: embedded retention', () => {
  it('keeps at least the bound, in segment files, dropping the oldest segments; ids keep increasing after a reopen', async () => {
    const dir = tempDir('leadpool-audit-');
    let store = new EmbeddedStore(dir, Date.now, { auditMaxEvents: 20 });
    await store.init();
    for (let i = 0; i < 70; i++) await store.createRep(makeRep(`r${i}`));
    const kept = await store.eventsAfter(null, 1000);
    expect(kept.length).toBeGreaterThanOrEqual(20);
    expect(kept.length).toBeLessThanOrEqual(22);
    expect(kept.at(-1)).toMatchObject({ type: 'rep.created', repId: 'r69' });
    await store.close();
    const segments = readdirSync(dir).filter((f) => /^events-\d+\.json$/.test(f));
    expect(segments.length).toBeLessThanOrEqual(11);
    store = new EmbeddedStore(dir, Date.now, { auditMaxEvents: 20 });
    await store.init();
    expect(await store.eventsAfter(null, 1000)).toEqual(kept);
    await store.createRep(makeRep('last'));
    const newest = (await store.listEvents({ limit: 1 })).events[0];
    expect(newest.repId).toBe('last');
    expect(compareEventIds(newest.id, kept.at(-1)!.id)).toBeGreaterThan(0);
    await store.close();
  });
});
