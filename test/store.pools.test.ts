// The pools contract (issue #8, POOLS.md): several pools, each with its own mode, settings,
// rules, open leads, rotation and timers; reps and feed keys bound to pools. Run against
// both stores through the Store interface only, like test/store.contract.test.ts; the
// embedded store is the reference.
import { describe, expect, it } from 'vitest';
import { type LeadDraft, type PoolRecord, type Store, type StoredRep, UnknownPoolError } from '../server/store/types.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { draft, type Harness, makeRep, sha, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

/** A pool record as the service would create it. */
function poolRecord(id: string, over: Partial<PoolRecord> = {}): PoolRecord {
  return {
    id,
    name: `Pool ${id}`,
    mode: 'shark-tank',
    settings: structuredClone(DEFAULT_SETTINGS),
    rules: [],
    createdAt: new Date().toISOString(),
    ...over,
  };
}

const feed = (id: string, pools: string[]) => ({
  id,
  name: `Feed ${id}`,
  pools,
  createdAt: new Date().toISOString(),
  keyHash: sha(`key-${id}`),
});

describe.each(factories)('Store pools: $name', ({ make }) => {
  let h: Harness;
  let store: Store;

  /** A fresh store with pools `a` and `b` (shark-tank, default settings) besides `default`. */
  const setup = async () => {
    h = await make();
    store = h.store;
    expect(await store.createPool(poolRecord('a'))).toBe(true);
    expect(await store.createPool(poolRecord('b'))).toBe(true);
  };
  const rep = (id: string, pools: string[], over: Partial<StoredRep> = {}) => store.createRep(makeRep(id, { pools, ...over }));
  const lead = async (poolId: string, over: Partial<LeadDraft> = {}): Promise<Lead> =>
    (await store.insertLead(draft({ poolId, ...over }))).lead;
  const ids = (leads: Lead[]) => leads.map((l) => l.id);

  describe('pools', () => {
    it('a fresh store has the pool default: "Default", shark-tank, default settings, no rules', async () => {
      h = await make();
      store = h.store;
      const pools = await store.listPools();
      expect(pools).toEqual([
        { id: 'default', name: 'Default', mode: 'shark-tank', settings: DEFAULT_SETTINGS, rules: [], createdAt: expect.any(String) },
      ]);
      expect(Number.isNaN(Date.parse(pools[0].createdAt))).toBe(false);
    });

    it('getPool returns a created pool as it was created', async () => {
      await setup();
      const rules = [{ name: 'r', when: { country: ['ES'] }, to: { languages: ['es'] } }];
      const pool = poolRecord('c', { name: 'Spain', mode: 'hybrid', rules, settings: { ...DEFAULT_SETTINGS, maxActivePerRep: 3 } });
      await store.createPool(pool);
      expect(await store.getPool('c')).toEqual(pool);
    });

    it('getPool of an unknown pool is null', async () => {
      await setup();
      expect(await store.getPool('nope')).toBeNull();
    });

    it('listPools lists the pools in creation order, default first (ids that look like numbers too)', async () => {
      await setup();
      await store.createPool(poolRecord('10'));
      await store.createPool(poolRecord('2'));
      expect((await store.listPools()).map((p) => p.id)).toEqual(['default', 'a', 'b', '10', '2']);
    });

    it('createPool with an existing id answers false and changes nothing', async () => {
      await setup();
      expect(await store.createPool(poolRecord('a', { name: 'Other', mode: 'blind-pull' }))).toBe(false);
      expect(await store.createPool(poolRecord('default', { name: 'Other' }))).toBe(false);
      expect(await store.getPool('a')).toMatchObject({ name: 'Pool a', mode: 'shark-tank' });
      expect(await store.getPool('default')).toMatchObject({ name: 'Default' });
    });

    it('renamePool changes the name only and returns the pool', async () => {
      await setup();
      const before = (await store.getPool('a'))!;
      expect(await store.renamePool('a', 'Renamed')).toEqual({ ...before, name: 'Renamed' });
      expect(await store.getPool('a')).toEqual({ ...before, name: 'Renamed' });
    });

    it('renamePool of an unknown pool is null', async () => {
      await setup();
      expect(await store.renamePool('nope', 'x')).toBeNull();
    });

    it('setMode, patchSettings and setRules change only the pool named', async () => {
      await setup();
      expect(await store.setMode('a', 'blind-pull')).toEqual({ previous: 'shark-tank' });
      expect(await store.patchSettings('a', { maxActivePerRep: 2 })).toEqual({ ...DEFAULT_SETTINGS, maxActivePerRep: 2 });
      expect(await store.setRules('a', [{ name: 'r', when: {}, to: { reps: ['x'] } }])).toBe(true);
      expect(await store.getPool('a')).toMatchObject({ mode: 'blind-pull', settings: { maxActivePerRep: 2 }, rules: [{ name: 'r' }] });
      for (const id of ['default', 'b']) {
        expect(await store.getPool(id)).toMatchObject({ mode: 'shark-tank', settings: DEFAULT_SETTINGS, rules: [] });
      }
    });

    it('setMode, patchSettings and setRules of an unknown pool change nothing: null, null, false', async () => {
      await setup();
      expect(await store.setMode('nope', 'blind-pull')).toBeNull();
      expect(await store.patchSettings('nope', { maxActivePerRep: 2 })).toBeNull();
      expect(await store.setRules('nope', [])).toBe(false);
      expect((await store.listPools()).map((p) => p.id)).toEqual(['default', 'a', 'b']);
    });

    it('pools, with their mode, settings and rules, survive a reopen in their order', async () => {
      await setup();
      await store.setMode('b', 'cherry-pick');
      await store.patchSettings('a', { claimCooldownMs: 5 });
      await store.setRules('b', [{ name: 'r', when: {}, to: { teams: ['t'] } }]);
      const before = await store.listPools();
      const again = await h.reopen();
      expect(await again.listPools()).toEqual(before);
    });
  });

  describe('signing in', () => {
    // A connecting tab joins its pools' rooms with what the token lookup answers, before it
    // reads its snapshot: the pools must be the rep's own after every change.
    const signIn = async (token: string) => (await store.repByTokenHash(sha(token)))?.pools ?? null;

    it('repByTokenHash answers the rep and its pools, kept as they change', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      expect(await store.repByTokenHash(sha('token-r'))).toEqual({ id: 'r', pools: ['a', 'b'] });
      await store.updateRep('r', { pools: ['b', 'default'] });
      expect(await signIn('token-r')).toEqual(['b', 'default']);
      await store.updateRep('r', { name: 'Renamed' });
      expect(await signIn('token-r')).toEqual(['b', 'default']);
      await store.deletePool('b');
      expect(await signIn('token-r')).toEqual(['default']);
      await store.setRepToken('r', sha('token-r-2'));
      expect(await signIn('token-r')).toBeNull();
      expect(await signIn('token-r-2')).toEqual(['default']);
      await store.updateRep('r', { pools: [] });
      expect(await store.repByTokenHash(sha('token-r-2'))).toEqual({ id: 'r', pools: [] });
      await store.deleteRep('r');
      expect(await store.repByTokenHash(sha('token-r-2'))).toBeNull();
      expect(await store.repByTokenHash(sha('nobody'))).toBeNull();
    });

    it('a rep created without pools signs in to the pool default', async () => {
      await setup();
      const { pools: _none, ...noPools } = makeRep('d');
      await store.createRep(noPools as StoredRep);
      expect(await signIn('token-d')).toEqual(['default']);
    });
  });

  describe('leads belong to a pool', () => {
    it('a lead records its pool and its feed', async () => {
      await setup();
      const l = await lead('a', { feedId: 'fd_1' });
      expect(l).toMatchObject({ poolId: 'a', feedId: 'fd_1' });
      expect(await store.getLead(l.id)).toEqual(l);
    });

    it('insertLead into an unknown pool rejects with UnknownPoolError and stores nothing', async () => {
      await setup();
      await expect(store.insertLead(draft({ poolId: 'nope' }))).rejects.toBeInstanceOf(UnknownPoolError);
      expect(await store.listLeads({ limit: Infinity })).toEqual([]);
    });

    it('acceptance order is one for all pools: openLeads of each pool, and listLeads of all, follow arrival', async () => {
      await setup();
      const l1 = await lead('a');
      const l2 = await lead('b');
      const l3 = await lead('a');
      expect(ids(await store.openLeads('a'))).toEqual([l1.id, l3.id]);
      expect(ids(await store.listLeads({}))).toEqual([l3.id, l2.id, l1.id]);
    });
  });

  describe('isolation', () => {
    it('a rep claims a lead of its pool', async () => {
      await setup();
      await rep('r', ['a']);
      const l = await lead('a');
      expect(await store.claim(l.id, 'r')).toMatchObject({ ok: true, lead: { id: l.id, poolId: 'a', claimedBy: 'r' } });
    });

    it('a claim of a lead of a pool the rep is not in answers NOT_ELIGIBLE', async () => {
      await setup();
      await rep('r', ['a']);
      const l = await lead('b');
      expect(await store.claim(l.id, 'r')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('NOT_ELIGIBLE for a rep outside the lead’s pool comes before the rep’s own limits (away)', async () => {
      await setup();
      await rep('r', ['a'], { away: true });
      const l = await lead('b');
      expect(await store.claim(l.id, 'r')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('a rep in no pool can claim nothing: NOT_ELIGIBLE', async () => {
      await setup();
      await rep('r', []);
      const l = await lead('default');
      expect(await store.claim(l.id, 'r')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('pull in a pool takes the oldest open lead of that pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await lead('b');
      const inA = await lead('a');
      expect(await store.pull('r', 'a')).toMatchObject({ ok: true, lead: { id: inA.id, poolId: 'a' } });
    });

    it('pull in a pool with no open lead answers POOL_EMPTY, even with leads in the rep’s other pools', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await lead('b');
      expect(await store.pull('r', 'a')).toEqual({ ok: false, code: 'POOL_EMPTY' });
    });

    it('pull without a pool takes the oldest open lead across the rep’s pools', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      const first = await lead('b');
      const second = await lead('a');
      expect(await store.pull('r')).toMatchObject({ ok: true, lead: { id: first.id } });
      expect(await store.pull('r')).toMatchObject({ ok: true, lead: { id: second.id } });
    });

    it('pull without a pool never takes a lead of a pool the rep is not in: POOL_EMPTY', async () => {
      await setup();
      await rep('r', ['a']);
      await lead('b');
      await lead('default');
      expect(await store.pull('r')).toEqual({ ok: false, code: 'POOL_EMPTY' });
    });

    it('pull in a pool the rep is not in answers NOT_ELIGIBLE', async () => {
      await setup();
      await rep('r', ['a']);
      await lead('b');
      expect(await store.pull('r', 'b')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('pull in an unknown pool answers NOT_FOUND', async () => {
      await setup();
      await rep('r', ['a']);
      expect(await store.pull('r', 'nope')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('pull without a pool skips the rep’s round-robin pools', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.setMode('a', 'round-robin');
      await lead('a');
      const inB = await lead('b');
      expect(await store.pull('r')).toMatchObject({ ok: true, lead: { id: inB.id }, mode: 'shark-tank' });
    });

    it('pull without a pool when all the rep’s pools are round-robin, or it has none, answers MODE_FORBIDS', async () => {
      await setup();
      await rep('r', ['a']);
      await rep('nowhere', []);
      await store.setMode('a', 'round-robin');
      await lead('a');
      expect(await store.pull('r')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
      expect(await store.pull('nowhere')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
    });

    it('assign to a rep not in the lead’s pool answers NOT_ELIGIBLE', async () => {
      await setup();
      await rep('r', ['a']);
      const l = await lead('b');
      expect(await store.assign(l.id, 'r')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
      expect((await store.getLead(l.id))!.status).toBe('open');
    });
  });

  describe('per-pool mode', () => {
    it('a claim is MODE_FORBIDS in a blind-pull pool while allowed in a shark-tank pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.setMode('a', 'blind-pull');
      const inA = await lead('a');
      const inB = await lead('b');
      expect(await store.claim(inA.id, 'r')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
      expect(await store.claim(inB.id, 'r')).toMatchObject({ ok: true, mode: 'shark-tank' });
    });

    it('claim, pull, release and assign report the mode of the lead’s pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.setMode('a', 'cherry-pick');
      await store.setMode('b', 'blind-pull');
      const inA = await lead('a');
      const inB = await lead('b');
      expect(await store.claim(inA.id, 'r')).toMatchObject({ ok: true, mode: 'cherry-pick' });
      expect(await store.pull('r', 'b')).toMatchObject({ ok: true, mode: 'blind-pull' });
      expect(await store.release(inB.id, { repId: 'r' })).toMatchObject({ ok: true, mode: 'blind-pull' });
      expect(await store.assign(inB.id, 'r')).toMatchObject({ ok: true, mode: 'blind-pull' });
    });

    it('hybrid eligibility narrows claims only in the hybrid pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.setMode('a', 'hybrid');
      const inA = await lead('a', { eligible: ['other'] });
      const inB = await lead('b', { eligible: ['other'] });
      expect(await store.claim(inA.id, 'r')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
      expect(await store.claim(inB.id, 'r')).toMatchObject({ ok: true });
    });
  });

  describe('caps', () => {
    it('a pool’s maxActivePerRep counts only the rep’s leads in that pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('a', { maxActivePerRep: 1 });
      const [a1, a2, b1] = [await lead('a'), await lead('a'), await lead('b')];
      expect(await store.claim(a1.id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim(b1.id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim(a2.id, 'r')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('a rep’s maxActive caps its leads in all pools together', async () => {
      await setup();
      await rep('r', ['a', 'b', 'default'], { maxActive: 2 });
      const [l1, l2, l3] = [await lead('a'), await lead('b'), await lead('default')];
      expect(await store.claim(l1.id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim(l2.id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim(l3.id, 'r')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('a rep’s maxActive overrides the pool’s maxActivePerRep', async () => {
      await setup();
      await rep('r', ['a'], { maxActive: 3 });
      await store.patchSettings('a', { maxActivePerRep: 1 });
      const [l1, l2] = [await lead('a'), await lead('a')];
      expect(await store.claim(l1.id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim(l2.id, 'r')).toMatchObject({ ok: true });
    });

    it('pull without a pool skips the pools where the rep is at the pool’s cap', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('a', { maxActivePerRep: 1 });
      const held = await lead('a');
      await lead('a');
      const inB = await lead('b');
      expect(await store.claim(held.id, 'r')).toMatchObject({ ok: true });
      expect(await store.pull('r')).toMatchObject({ ok: true, lead: { id: inB.id } });
    });

    it('pull without a pool answers CAP_REACHED when the rep is at the cap in every pool it could pull from', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('a', { maxActivePerRep: 1 });
      await store.patchSettings('b', { maxActivePerRep: 1 });
      for (const p of ['a', 'b']) expect(await store.claim((await lead(p)).id, 'r')).toMatchObject({ ok: true });
      await lead('a');
      expect(await store.pull('r')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('pull without a pool answers CAP_REACHED at the rep’s maxActive, whatever the pools’ caps', async () => {
      await setup();
      await rep('r', ['a', 'b'], { maxActive: 1 });
      expect(await store.claim((await lead('a')).id, 'r')).toMatchObject({ ok: true });
      await lead('b');
      expect(await store.pull('r')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });
  });

  describe('per-rep counters across pools', () => {
    it('the cooldown of the pool of the lead being taken applies to the rep’s last claim in any pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('b', { claimCooldownMs: 60_000 });
      expect(await store.claim((await lead('a')).id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim((await lead('a')).id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim((await lead('b')).id, 'r')).toEqual({ ok: false, code: 'COOLDOWN' });
    });

    it('pull without a pool checks the cooldown of the chosen lead’s pool', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('b', { claimCooldownMs: 60_000 });
      expect(await store.claim((await lead('a')).id, 'r')).toMatchObject({ ok: true });
      await lead('b');
      await lead('a');
      expect(await store.pull('r')).toEqual({ ok: false, code: 'COOLDOWN' });
    });

    it('a claim in a pool without a claim window still counts toward another pool’s window', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('a', { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      expect(await store.claim((await lead('a')).id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim((await lead('b')).id, 'r')).toMatchObject({ ok: true });
      expect(await store.claim((await lead('a')).id, 'r')).toEqual({ ok: false, code: 'WINDOW_CAP' });
    });
  });

  describe('duplicates per pool', () => {
    it('the same externalId in two pools makes two leads', async () => {
      await setup();
      const inA = await store.insertLead(draft({ poolId: 'a', externalId: 'x-1' }));
      const inB = await store.insertLead(draft({ poolId: 'b', externalId: 'x-1' }));
      expect(inB.duplicate).toBe(false);
      expect(inB.lead.id).not.toBe(inA.lead.id);
    });

    it('the same externalId again in one pool is a duplicate of the lead in that pool', async () => {
      await setup();
      await store.insertLead(draft({ poolId: 'a', externalId: 'x-1' }));
      const inB = await store.insertLead(draft({ poolId: 'b', externalId: 'x-1' }));
      const again = await store.insertLead(draft({ poolId: 'b', externalId: 'x-1' }));
      expect(again).toMatchObject({ duplicate: true, by: 'externalId', lead: { id: inB.lead.id, poolId: 'b' } });
    });

    it('a pool’s duplicate window looks only inside that pool', async () => {
      await setup();
      await store.patchSettings('b', { duplicateWindowMs: 60_000 });
      await store.insertLead(draft({ poolId: 'a', email: 'same@example.com', phone: '+1 555 0100' }));
      const inB = await store.insertLead(draft({ poolId: 'b', email: 'same@example.com', phone: '+1 555 0100' }));
      expect(inB.duplicate).toBe(false);
    });

    it('each pool applies its own duplicateWindowMs', async () => {
      await setup();
      await store.patchSettings('a', { duplicateWindowMs: 60_000 });
      await store.insertLead(draft({ poolId: 'a', email: 'same@example.com' }));
      await store.insertLead(draft({ poolId: 'b', email: 'same@example.com' }));
      expect(await store.insertLead(draft({ poolId: 'a', email: 'SAME@example.com' }))).toMatchObject({ duplicate: true, by: 'email' });
      expect((await store.insertLead(draft({ poolId: 'b', email: 'SAME@example.com' }))).duplicate).toBe(false);
    });
  });

  describe('reads per pool', () => {
    /** Rep r (a, b) holds one lead of a; a has one more open lead, b two open and one disqualified, default one open. */
    const spread = async () => {
      await setup();
      await rep('r', ['a', 'b']);
      const a1 = await lead('a');
      const a2 = await lead('a');
      const b1 = await lead('b');
      const d1 = await lead('default');
      const b2 = await lead('b');
      const bx = await lead('b', { status: 'disqualified', disqualifiedReasons: ['x'] });
      expect(await store.claim(a1.id, 'r')).toMatchObject({ ok: true });
      return { a1, a2, b1, b2, bx, d1 };
    };

    it('openLeads lists the open leads of that pool only, oldest first', async () => {
      const { a2, b1, b2 } = await spread();
      expect(ids(await store.openLeads('a'))).toEqual([a2.id]);
      expect(ids(await store.openLeads('b'))).toEqual([b1.id, b2.id]);
    });

    it('openSummary counts the open leads of that pool only', async () => {
      const { b1 } = await spread();
      expect(await store.openSummary('b')).toEqual({ count: 2, oldestCreatedAt: b1.createdAt });
      expect((await store.openSummary('default')).count).toBe(1);
    });

    it('openLeads and openSummary of an unknown pool are empty', async () => {
      await spread();
      expect(await store.openLeads('nope')).toEqual([]);
      expect(await store.openSummary('nope')).toEqual({ count: 0, oldestCreatedAt: null });
    });

    it('statusCounts with a pool counts that pool’s leads; without, every pool’s', async () => {
      await spread();
      expect(await store.statusCounts('a')).toEqual({ open: 1, claimed: 1, closed: 0, disqualified: 0 });
      expect(await store.statusCounts('b')).toEqual({ open: 2, claimed: 0, closed: 0, disqualified: 1 });
      expect(await store.statusCounts()).toEqual({ open: 4, claimed: 1, closed: 0, disqualified: 1 });
    });

    it('heldCounts with a pool counts the leads held in that pool; without, in every pool', async () => {
      const { b1 } = await spread();
      await store.claim(b1.id, 'r');
      expect(await store.heldCounts('a')).toEqual({ r: 1 });
      expect(await store.heldCounts('default')).toEqual({});
      expect(await store.heldCounts()).toEqual({ r: 2 });
    });

    it('heldLeads lists the rep’s leads of every pool', async () => {
      const { a1, b1 } = await spread();
      await store.claim(b1.id, 'r');
      expect(ids(await store.heldLeads('r')).sort()).toEqual([a1.id, b1.id].sort());
    });

    it('listLeads with a poolId lists that pool’s leads only, newest first', async () => {
      const { b1, b2, bx } = await spread();
      expect(ids(await store.listLeads({ poolId: 'b' }))).toEqual([bx.id, b2.id, b1.id]);
      expect(ids(await store.listLeads({ poolId: 'b', status: 'open', limit: 1 }))).toEqual([b2.id]);
    });

    it('reroute changes only the leads of the pool named', async () => {
      const { a2, b1 } = await spread();
      const changed = await store.reroute('b', [
        { leadId: a2.id, eligible: ['x'] },
        { leadId: b1.id, eligible: ['x'] },
      ]);
      expect(changed).toEqual([b1.id]);
      expect((await store.getLead(a2.id))!.eligible).toBe('*');
    });
  });

  describe('round-robin per pool', () => {
    /** Pools a and b in round-robin; reps x and y in both, z in b only. */
    const twoRoundRobins = async () => {
      await setup();
      await store.setMode('a', 'round-robin');
      await store.setMode('b', 'round-robin');
      await rep('x', ['a', 'b']);
      await rep('y', ['a', 'b']);
      await rep('z', ['b']);
    };

    it('autoAssign gives the oldest open lead of that pool', async () => {
      await twoRoundRobins();
      await lead('b');
      const inA = await lead('a');
      expect(await store.autoAssign('a', ['x'])).toMatchObject({ mode: 'round-robin', lead: { id: inA.id, claimedBy: 'x' } });
    });

    it('autoAssign does nothing in a pool that is not round-robin, or unknown', async () => {
      await twoRoundRobins();
      await rep('d', ['default']);
      await lead('default');
      expect(await store.autoAssign('default', ['d'])).toBeNull();
      expect(await store.autoAssign('nope', ['d'])).toBeNull();
    });

    it('autoAssign skips candidates that are not in the pool', async () => {
      await twoRoundRobins();
      await lead('a');
      expect(await store.autoAssign('a', ['z'])).toBeNull();
      expect(await store.autoAssign('a', ['z', 'y'])).toMatchObject({ lead: { claimedBy: 'y' } });
    });

    it('autoAssign skips a candidate at the pool’s cap in that pool, not for its leads elsewhere', async () => {
      await twoRoundRobins();
      await store.patchSettings('a', { maxActivePerRep: 1 });
      await lead('a');
      await lead('a');
      await lead('b');
      expect(await store.autoAssign('a', ['x'])).toMatchObject({ lead: { claimedBy: 'x' } });
      expect(await store.autoAssign('a', ['x'])).toBeNull();
      expect(await store.autoAssign('b', ['x'])).toMatchObject({ lead: { claimedBy: 'x', poolId: 'b' } });
    });

    it('each pool has its own rotation', async () => {
      await twoRoundRobins();
      for (let i = 0; i < 3; i++) {
        await lead('a');
        await lead('b');
      }
      const owners: string[] = [];
      for (const p of ['a', 'a', 'b', 'b', 'a', 'b']) owners.push((await store.autoAssign(p, ['x', 'y']))!.lead.claimedBy!);
      expect(owners).toEqual(['x', 'y', 'x', 'y', 'x', 'x']);
    });
  });

  describe('due work per pool', () => {
    it('a claim times out after the claimTimeoutMs of the lead’s pool only', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('a', { claimTimeoutMs: 80 });
      await store.setMode('a', 'cherry-pick');
      const inA = await lead('a');
      const inB = await lead('b');
      await store.claim(inA.id, 'r');
      await store.claim(inB.id, 'r');
      await sleep(150);
      const events = await store.runDue();
      expect(events.map((e) => [e.kind, e.lead.id, e.lead.poolId, e.mode])).toEqual([['expired', inA.id, 'a', 'cherry-pick']]);
      expect((await store.getLead(inB.id))!.status).toBe('claimed');
    });

    it('a lead escalates after the escalateAfterMs of its pool only', async () => {
      await setup();
      await store.setMode('a', 'hybrid');
      await store.setMode('b', 'hybrid');
      await store.patchSettings('a', { escalateAfterMs: 80 });
      const inA = await lead('a', { eligible: ['x'] });
      const inB = await lead('b', { eligible: ['x'] });
      await sleep(150);
      const events = await store.runDue();
      expect(events.map((e) => [e.kind, e.lead.id, e.mode])).toEqual([['escalated', inA.id, 'hybrid']]);
      expect((await store.getLead(inB.id))!.eligible).toEqual(['x']);
    });

    it('turning a timer off in a pool cancels that pool’s jobs, not another’s', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      await store.patchSettings('a', { claimTimeoutMs: 80 });
      await store.patchSettings('b', { claimTimeoutMs: 80 });
      const inA = await lead('a');
      const inB = await lead('b');
      await store.claim(inA.id, 'r');
      await store.claim(inB.id, 'r');
      await store.patchSettings('a', { claimTimeoutMs: null });
      await sleep(150);
      expect((await store.runDue()).map((e) => e.lead.id)).toEqual([inB.id]);
    });
  });

  describe('deletePool', () => {
    it('the pool default cannot be deleted: CONFLICT', async () => {
      await setup();
      expect(await store.deletePool('default')).toEqual({ ok: false, code: 'CONFLICT' });
      expect(await store.getPool('default')).not.toBeNull();
    });

    it('an unknown pool: NOT_FOUND', async () => {
      await setup();
      expect(await store.deletePool('nope')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('a pool holding an open lead is refused: CONFLICT, and nothing changes', async () => {
      await setup();
      await rep('r', ['a']);
      const l = await lead('a');
      expect(await store.deletePool('a')).toEqual({ ok: false, code: 'CONFLICT' });
      expect(await store.getPool('a')).not.toBeNull();
      expect((await store.getRep('r'))!.pools).toEqual(['a']);
      expect(ids(await store.openLeads('a'))).toEqual([l.id]);
    });

    it('a pool holding a claimed lead is refused: CONFLICT', async () => {
      await setup();
      await rep('r', ['a']);
      const l = await lead('a');
      await store.claim(l.id, 'r');
      expect(await store.deletePool('a')).toEqual({ ok: false, code: 'CONFLICT' });
    });

    it('a pool with no open or claimed lead is deleted and returns the reps that were in it', async () => {
      await setup();
      await rep('r1', ['a', 'b']);
      await rep('r2', ['b']);
      await rep('r3', ['a']);
      expect(await store.deletePool('a')).toEqual({ ok: true, repIds: ['r1', 'r3'] });
      expect(await store.getPool('a')).toBeNull();
      expect((await store.listPools()).map((p) => p.id)).toEqual(['default', 'b']);
    });

    it('deleting a pool takes it out of every rep’s pools', async () => {
      await setup();
      await rep('r1', ['a', 'b']);
      await rep('r2', ['b']);
      await store.deletePool('a');
      expect((await store.listReps()).map((r) => [r.id, r.pools])).toEqual([
        ['r1', ['b']],
        ['r2', ['b']],
      ]);
    });

    it('deleting a pool takes it out of every feed’s pools', async () => {
      await setup();
      await store.createFeed(feed('f1', ['a', 'b']));
      await store.createFeed(feed('f2', ['a']));
      await store.deletePool('a');
      expect((await store.listFeeds()).map((f) => [f.id, f.pools])).toEqual([
        ['f1', ['b']],
        ['f2', []],
      ]);
    });

    it('the closed and disqualified leads of a deleted pool keep their poolId', async () => {
      await setup();
      await rep('r', ['a']);
      const won = await lead('a');
      const dq = await lead('a', { status: 'disqualified', disqualifiedReasons: ['x'] });
      await store.claim(won.id, 'r');
      await store.outcome(won.id, 'r', 'won');
      expect(await store.deletePool('a')).toMatchObject({ ok: true });
      expect(await store.getLead(won.id)).toMatchObject({ poolId: 'a', status: 'closed', claimedBy: 'r', outcome: 'won' });
      expect(await store.getLead(dq.id)).toMatchObject({ poolId: 'a', status: 'disqualified' });
      expect(ids(await store.listLeads({ poolId: 'a' }))).toEqual([dq.id, won.id]);
    });

    it('a closed lead of a deleted pool answers NOT_OPEN to a claim', async () => {
      await setup();
      await rep('r', ['a', 'b']);
      const won = await lead('a');
      await store.claim(won.id, 'r');
      await store.outcome(won.id, 'r', 'won');
      await store.deletePool('a');
      expect(await store.claim(won.id, 'r')).toEqual({ ok: false, code: 'NOT_OPEN' });
    });

    it('a deleted pool takes no more leads: UnknownPoolError', async () => {
      await setup();
      await store.deletePool('a');
      await expect(store.insertLead(draft({ poolId: 'a' }))).rejects.toBeInstanceOf(UnknownPoolError);
    });
  });

  describe('feeds', () => {
    it('createFeed stores a feed that getFeed and listFeeds return, in creation order', async () => {
      await setup();
      const f1 = feed('f1', ['a']);
      const f2 = feed('f2', ['b', 'default']);
      await store.createFeed(f1);
      await store.createFeed(f2);
      expect(await store.getFeed('f1')).toEqual(f1);
      expect(await store.listFeeds()).toEqual([f1, f2]);
    });

    it('feedByKeyHash finds a feed by the hash of its key; an unknown hash is null', async () => {
      await setup();
      const f1 = feed('f1', ['a']);
      await store.createFeed(f1);
      expect(await store.feedByKeyHash(f1.keyHash)).toEqual(f1);
      expect(await store.feedByKeyHash(sha('other'))).toBeNull();
    });

    it('a new key: the old hash is no longer found, the new one is', async () => {
      await setup();
      const f1 = feed('f1', ['a']);
      await store.createFeed(f1);
      const newHash = sha('rotated');
      expect(await store.setFeedKey('f1', newHash)).toEqual({ ...f1, keyHash: newHash });
      expect(await store.feedByKeyHash(f1.keyHash)).toBeNull();
      expect(await store.feedByKeyHash(newHash)).toEqual({ ...f1, keyHash: newHash });
    });

    it('deleteFeed returns the feed; it and its key are gone', async () => {
      await setup();
      const f1 = feed('f1', ['a']);
      await store.createFeed(f1);
      expect(await store.deleteFeed('f1')).toEqual(f1);
      expect(await store.getFeed('f1')).toBeNull();
      expect(await store.feedByKeyHash(f1.keyHash)).toBeNull();
      expect(await store.listFeeds()).toEqual([]);
    });

    it('getFeed, setFeedKey and deleteFeed of an unknown feed are null', async () => {
      await setup();
      expect(await store.getFeed('nope')).toBeNull();
      expect(await store.setFeedKey('nope', sha('x'))).toBeNull();
      expect(await store.deleteFeed('nope')).toBeNull();
    });

    it('a feed’s pools that do not exist are dropped', async () => {
      await setup();
      await store.createFeed(feed('f1', ['a', 'nope']));
      expect((await store.getFeed('f1'))!.pools).toEqual(['a']);
    });

    it('feeds and their keys survive a reopen', async () => {
      await setup();
      const f1 = feed('f1', ['a']);
      await store.createFeed(f1);
      await store.setFeedKey('f1', sha('rotated'));
      const again = await h.reopen();
      expect(await again.listFeeds()).toEqual([{ ...f1, keyHash: sha('rotated') }]);
      expect(await again.feedByKeyHash(sha('rotated'))).toMatchObject({ id: 'f1' });
    });
  });

  describe('reps and pools', () => {
    it('a rep keeps the pools it was created with', async () => {
      await setup();
      await rep('r', ['b', 'a']);
      expect((await store.getRep('r'))!.pools).toEqual(['b', 'a']);
    });

    it('a rep created without pools is in the pool default', async () => {
      await setup();
      const { pools: _pools, ...v1Rep } = makeRep('r');
      await store.createRep(v1Rep as StoredRep);
      expect((await store.getRep('r'))!.pools).toEqual(['default']);
    });

    it('updateRep changes a rep’s pools, and the rep then claims by its new pools', async () => {
      await setup();
      await rep('r', ['a']);
      const inB = await lead('b');
      expect(await store.updateRep('r', { pools: ['b'] })).toMatchObject({ pools: ['b'] });
      expect(await store.claim(inB.id, 'r')).toMatchObject({ ok: true });
    });

    it('pool ids that do not exist are dropped from a rep’s pools', async () => {
      await setup();
      await rep('r', ['a', 'nope']);
      expect((await store.getRep('r'))!.pools).toEqual(['a']);
      expect((await store.updateRep('r', { pools: ['nope', 'b'] }))!.pools).toEqual(['b']);
    });

    it('a rep’s pools survive a reopen', async () => {
      await setup();
      await rep('r', ['b', 'a']);
      const again = await h.reopen();
      expect((await again.getRep('r'))!.pools).toEqual(['b', 'a']);
    });
  });

  describe('concurrency', () => {
    it('30 concurrent claims of one lead from reps of its pool and 10 from reps outside: one winner, from the pool', async () => {
      await setup();
      const inside = Array.from({ length: 30 }, (_, i) => `in${i}`);
      const outside = Array.from({ length: 10 }, (_, i) => `out${i}`);
      for (const id of inside) await rep(id, ['a']);
      for (const id of outside) await rep(id, ['b']);
      const l = await lead('a');
      const peer = await h.peer();
      // Interleaved: an outsider every fourth call, half of all calls through the peer.
      const order = inside.flatMap((id, i) => (i % 3 === 0 && outside[i / 3] ? [id, outside[i / 3]] : [id]));
      const results = await Promise.all(order.map((id, i) => (i % 2 ? peer : store).claim(l.id, id)));
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const owner = winners[0].ok ? winners[0].lead.claimedBy! : '';
      expect(inside).toContain(owner);
      // Lead state comes first: an outsider hears ALREADY_CLAIMED once the lead is taken, else NOT_ELIGIBLE.
      for (const [i, r] of results.entries()) {
        if (!r.ok) expect(outside.includes(order[i]) ? ['NOT_ELIGIBLE', 'ALREADY_CLAIMED'] : ['ALREADY_CLAIMED']).toContain(r.code);
      }
      expect((await store.getLead(l.id))!.claimedBy).toBe(owner);
      expect(await store.heldCounts()).toEqual({ [owner]: 1 });
    });

    it('concurrent pulls without a pool across two pools get distinct leads, the oldest ones', async () => {
      await setup();
      const reps = Array.from({ length: 8 }, (_, i) => `p${i}`);
      for (const id of reps) await rep(id, ['a', 'b']);
      const ls: Lead[] = [];
      for (let i = 0; i < 12; i++) ls.push(await lead(i % 3 ? 'a' : 'b'));
      const peer = await h.peer();
      const results = await Promise.all(reps.map((id, i) => (i % 2 ? peer : store).pull(id)));
      const got = results.map((r) => (r.ok ? r.lead.id : r.code));
      expect(new Set(got)).toEqual(new Set(ids(ls.slice(0, 8))));
    });

    it('a deletePool racing with an insert into that pool: either the pool stays with the lead, or it is gone with no lead', async () => {
      await setup();
      const peer = await h.peer();
      const [inserted, deleted] = await Promise.allSettled([store.insertLead(draft({ poolId: 'a' })), peer.deletePool('a')]);
      const leadsInA = await store.listLeads({ poolId: 'a' });
      if (deleted.status === 'fulfilled' && deleted.value.ok) {
        expect(inserted.status).toBe('rejected');
        expect(leadsInA).toEqual([]);
      } else {
        expect(inserted.status).toBe('fulfilled');
        expect(await store.getPool('a')).not.toBeNull();
        expect(leadsInA).toHaveLength(1);
      }
    });
  });
});
