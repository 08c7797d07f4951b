// Store contract of distribution v2 (docs/API.md, "No lead stranded", "Reclaiming leads",
// "Lead aging (SLA)", "Timers apply to what already waits"), on both stores: strand applies
// whenNobodyEligible once per lead, runDue marks overdue leads and reclaims the leads of an
// unavailable rep once cluster-wide, and timers turned on apply to leads already there.
import { describe, expect, it } from 'vitest';
import type { DueEvent, LeadDraft, PoolRecord, Store } from '../server/store/types.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { draft, type Harness, makeRep, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

const poolRecord = (id: string): PoolRecord => ({
  id,
  name: `Pool ${id}`,
  mode: 'shark-tank',
  settings: structuredClone(DEFAULT_SETTINGS),
  rules: [],
  createdAt: new Date().toISOString(),
});

describe.each(factories)('Store distribution: $name', ({ make }) => {
  let h: Harness;
  let store: Store;

  const setup = async (...repIds: string[]) => {
    h = await make();
    store = h.store;
    for (const id of repIds) await store.createRep(makeRep(id));
  };
  const insert = async (over: Partial<LeadDraft> = {}): Promise<Lead> => (await store.insertLead(draft(over))).lead;
  /** strand on this node and on a peer at once: what either applied. */
  const strandTwice = async (poolId: string, leadIds: string[], repIds: string[]) => {
    const peer = await h.peer();
    const [a, b] = await Promise.all([store.strand(poolId, leadIds, repIds), peer.strand(poolId, leadIds, repIds)]);
    return [...a, ...b];
  };
  /** runDue on this node and a peer at once, until `done` or a generous bound: every event either popped. */
  const dueUntil = async (done: (events: DueEvent[]) => boolean, rounds = 50) => {
    const peer = await h.peer();
    const events: DueEvent[] = [];
    for (let i = 0; i < rounds && !done(events); i++) {
      const [a, b] = await Promise.all([store.runDue(), peer.runDue()]);
      events.push(...a, ...b);
      if (!done(events)) await sleep(50);
    }
    return events;
  };

  describe('whenNobodyEligible (strand)', () => {
    it('everyone (the default): a hybrid lead routed only to an unavailable rep opens to everyone, once', async () => {
      await setup('a', 'b');
      await store.setMode('default', 'hybrid');
      await store.tabOpened('b', 't-b');
      const lead = await insert({ eligible: ['a'] });
      const events = await strandTwice('default', [lead.id], ['a', 'b']);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'everyone',
        mode: 'hybrid',
        fromPoolId: 'default',
        fromMode: 'hybrid',
        previousEligible: ['a'],
        lead: { id: lead.id, poolId: 'default', eligible: '*', status: 'open', stranded: { action: 'everyone', poolId: 'default' } },
      });
      expect(Date.parse(events[0].lead.stranded!.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(await store.getLead(lead.id)).toEqual(events[0].lead);
      expect(await store.strand('default', [lead.id], ['a', 'b'])).toEqual([]);
      expect(await store.claim(lead.id, 'b')).toMatchObject({ ok: true });
    });

    it('nothing while a rep it is routed to is available; away and offline are unavailable', async () => {
      await setup('a', 'b');
      await store.setMode('default', 'hybrid');
      const lead = await insert({ eligible: ['a'] });
      await store.tabOpened('a', 't-a');
      expect(await store.strand('default', [lead.id], ['a', 'b'])).toEqual([]);
      expect((await store.getLead(lead.id))?.stranded).toBeUndefined();
      await store.setAway('a', true);
      expect(await store.strand('default', [lead.id], ['a', 'b'])).toMatchObject([{ action: 'everyone' }]);
    });

    it('wait: the lead is only marked (managers are told), once', async () => {
      await setup('a');
      await store.setMode('default', 'hybrid');
      await store.patchSettings('default', { whenNobodyEligible: 'wait' });
      const lead = await insert({ eligible: ['a'] });
      const events = await strandTwice('default', [lead.id], ['a']);
      expect(events).toMatchObject([{ action: 'wait', previousEligible: ['a'], lead: { eligible: ['a'], stranded: { action: 'wait' } } }]);
      expect(await store.claim(lead.id, 'a')).toMatchObject({ ok: true });
    });

    it('a lead open to the whole pool is stranded only under a fallback pool, when no member is available', async () => {
      await setup('a');
      const lead = await insert();
      expect(await store.strand('default', [lead.id], ['a'])).toEqual([]);
      await store.createPool(poolRecord('night'));
      await store.createRep(makeRep('n', { pools: ['night'] }));
      await store.patchSettings('default', { whenNobodyEligible: { pool: 'night' } });
      await store.tabOpened('a', 't-a');
      expect(await store.strand('default', [lead.id], ['a'])).toEqual([]);
      await store.tabClosed('a', 't-a');
      const events = await strandTwice('default', [lead.id], ['a']);
      expect(events).toMatchObject([
        {
          action: 'moved',
          fromPoolId: 'default',
          mode: 'shark-tank',
          lead: { id: lead.id, poolId: 'night', eligible: '*', status: 'open', stranded: { action: 'moved', poolId: 'default' } },
        },
      ]);
      expect((await store.openLeads('default')).map((l) => l.id)).toEqual([]);
      expect((await store.openLeads('night')).map((l) => l.id)).toEqual([lead.id]);
      expect(await store.openSummary('night')).toMatchObject({ count: 1 });
      expect((await store.listLeads({ poolId: 'night' })).map((l) => l.id)).toEqual([lead.id]);
      expect(await store.claim(lead.id, 'a')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
      expect(await store.claim(lead.id, 'n')).toMatchObject({ ok: true, lead: { poolId: 'night' } });
    });

    it('a fallback pool that is gone means everyone', async () => {
      await setup('a');
      await store.setMode('default', 'hybrid');
      await store.createPool(poolRecord('gone'));
      await store.patchSettings('default', { whenNobodyEligible: { pool: 'gone' } });
      expect(await store.deletePool('gone')).toMatchObject({ ok: true });
      const lead = await insert({ eligible: ['a'] });
      expect(await store.strand('default', [lead.id], ['a'])).toMatchObject([{ action: 'everyone', lead: { poolId: 'default' } }]);
    });

    it('a lead opened to everyone by stranding is not narrowed again by rerouting', async () => {
      await setup('a', 'b');
      await store.setMode('default', 'hybrid');
      const lead = await insert({ eligible: ['a'] });
      await store.strand('default', [lead.id], ['a', 'b']);
      expect(await store.reroute('default', [{ leadId: lead.id, eligible: ['b'] }])).toEqual([]);
      expect((await store.getLead(lead.id))?.eligible).toBe('*');
    });
  });

  describe('slaMs', () => {
    it('a lead still waiting past slaMs is marked overdue once, cluster-wide; a claimed one is not', async () => {
      await setup('a');
      await store.patchSettings('default', { slaMs: 100 });
      const waiting = await insert();
      const claimed = await insert();
      expect(await store.claim(claimed.id, 'a')).toMatchObject({ ok: true });
      await sleep(150);
      const events = await dueUntil((e) => e.length > 0);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'overdue', mode: 'shark-tank', lead: { id: waiting.id, status: 'open' } });
      expect(Date.parse(events[0].lead.overdueAt!)).toBeGreaterThanOrEqual(Date.parse(waiting.createdAt) + 100);
      expect((await store.getLead(waiting.id))?.overdueAt).toBe(events[0].lead.overdueAt);
      expect(await store.runDue()).toEqual([]);
      // The marker stays once claimed: reports count it.
      expect(await store.claim(waiting.id, 'a')).toMatchObject({ ok: true, lead: { overdueAt: events[0].lead.overdueAt } });
    });

    it('nothing is overdue before slaMs', async () => {
      await setup();
      await store.patchSettings('default', { slaMs: 60_000 });
      const lead = await insert();
      expect(await store.runDue()).toEqual([]);
      expect((await store.getLead(lead.id))?.overdueAt).toBeUndefined();
    });

    it('a lead released after its SLA passed is overdue at once', async () => {
      await setup('a');
      await store.patchSettings('default', { slaMs: 100 });
      const lead = await insert();
      await store.claim(lead.id, 'a');
      await sleep(150);
      expect(await store.runDue()).toEqual([]);
      await store.release(lead.id, { repId: 'a' });
      const events = await dueUntil((e) => e.length > 0);
      expect(events).toMatchObject([{ kind: 'overdue', lead: { id: lead.id } }]);
    });
  });

  it('a lead a claim timeout reopens after its SLA passed is overdue at once', async () => {
    await setup('a');
    await store.patchSettings('default', { slaMs: 100, claimTimeoutMs: 150 });
    const lead = await insert();
    await store.claim(lead.id, 'a');
    const events = await dueUntil((e) => e.some((x) => x.kind === 'overdue'));
    expect(events.map((e) => [e.kind, e.lead.id])).toEqual([
      ['expired', lead.id],
      ['overdue', lead.id],
    ]);
  });

  describe('timers turned on apply to what already waits or is held', () => {
    it('slaMs counts from arrival for leads already waiting', async () => {
      await setup();
      const lead = await insert();
      await sleep(150);
      await store.patchSettings('default', { slaMs: 100 });
      expect(await dueUntil((e) => e.length > 0)).toMatchObject([{ kind: 'overdue', lead: { id: lead.id } }]);
    });

    it('escalateAfterMs counts from arrival for narrowed leads already waiting', async () => {
      await setup('a', 'b');
      await store.setMode('default', 'hybrid');
      const lead = await insert({ eligible: ['a'] });
      await sleep(150);
      await store.patchSettings('default', { escalateAfterMs: 100 });
      const events = await dueUntil((e) => e.length > 0);
      expect(events).toMatchObject([{ kind: 'escalated', previousEligible: ['a'], lead: { id: lead.id, eligible: '*' } }]);
    });

    it('claimTimeoutMs counts from the claim for leads already held; not before it', async () => {
      await setup('a');
      const old = await insert();
      await store.claim(old.id, 'a');
      await sleep(2500);
      const fresh = await insert();
      await store.claim(fresh.id, 'a');
      await store.patchSettings('default', { claimTimeoutMs: 60_000 });
      await store.patchSettings('default', { claimTimeoutMs: 2000 });
      const events = await dueUntil((e) => e.length > 0);
      expect(events).toMatchObject([{ kind: 'expired', previousOwner: 'a', lead: { id: old.id, status: 'open' } }]);
      expect(await store.getLead(fresh.id)).toMatchObject({ status: 'claimed' });
    });

    it('a timer changed again replaces its jobs: a lead escalates once', async () => {
      await setup('a', 'b');
      await store.setMode('default', 'hybrid');
      const lead = await insert({ eligible: ['a'] });
      await store.patchSettings('default', { escalateAfterMs: 60_000 });
      await store.patchSettings('default', { escalateAfterMs: 50 });
      await sleep(100);
      expect(await dueUntil((e) => e.length > 0)).toMatchObject([{ kind: 'escalated', lead: { id: lead.id } }]);
      await sleep(100);
      expect(await store.runDue()).toEqual([]);
    });
  });

  describe('reclaimAfterOfflineMs', () => {
    /** Rep a online with two claimed leads, one of them `contacted` (kept: it has an outcome). */
    const holding = async () => {
      await setup('a', 'b');
      await store.patchSettings('default', { reclaimAfterOfflineMs: 150 });
      await store.tabOpened('a', 't-a');
      const [l1, l2] = [await insert(), await insert()];
      await store.claim(l1.id, 'a');
      await store.claim(l2.id, 'a');
      await store.outcome(l2.id, 'a', 'contacted');
      return { open: l1, contacted: l2 };
    };

    it('a rep offline this long loses its claimed leads without an outcome, once cluster-wide', async () => {
      const { open, contacted } = await holding();
      await store.tabClosed('a', 't-a');
      const events = await dueUntil((e) => e.length > 0);
      await sleep(100);
      events.push(...(await store.runDue()));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'reclaimed', previousOwner: 'a', mode: 'shark-tank', lead: { id: open.id, status: 'open' } });
      expect(events[0].lead.claimedBy).toBeUndefined();
      expect(await store.getLead(contacted.id)).toMatchObject({ status: 'claimed', claimedBy: 'a' });
      expect(await store.claim(open.id, 'b')).toMatchObject({ ok: true });
    });

    it('away counts as unavailable', async () => {
      const { open } = await holding();
      await store.setAway('a', true);
      expect(await dueUntil((e) => e.length > 0)).toMatchObject([{ kind: 'reclaimed', lead: { id: open.id } }]);
    });

    it('a rep back in time keeps its leads (and its next absence starts a new clock)', async () => {
      const { open } = await holding();
      await store.patchSettings('default', { reclaimAfterOfflineMs: 400 });
      await store.tabClosed('a', 't-a');
      await store.tabOpened('a', 't-a2');
      await sleep(500);
      expect(await dueUntil(() => false, 4)).toEqual([]);
      expect(await store.getLead(open.id)).toMatchObject({ status: 'claimed', claimedBy: 'a' });
      await store.tabClosed('a', 't-a2');
      expect(await dueUntil((e) => e.length > 0)).toMatchObject([{ kind: 'reclaimed', lead: { id: open.id } }]);
    });

    it('after a restart a rep holding leads is offline: its clock starts then', async () => {
      const { open } = await holding();
      await store.patchSettings('default', { reclaimAfterOfflineMs: 200 });
      store = await h.reopen();
      // Redis keeps tabs across a restart of this process (a dead process's tabs go with its heartbeat).
      if (h.store.kind === 'redis') await store.tabClosed('a', 't-a');
      expect(await dueUntil((e) => e.length > 0)).toMatchObject([{ kind: 'reclaimed', lead: { id: open.id } }]);
    });

    it('turned on while a rep is away: counted from when it became unavailable', async () => {
      await setup('a');
      await store.tabOpened('a', 't-a');
      const lead = await insert();
      await store.claim(lead.id, 'a');
      await store.tabClosed('a', 't-a');
      await sleep(150);
      await store.patchSettings('default', { reclaimAfterOfflineMs: 100 });
      expect(await dueUntil((e) => e.length > 0)).toMatchObject([{ kind: 'reclaimed', previousOwner: 'a', lead: { id: lead.id } }]);
    });
  });
});
