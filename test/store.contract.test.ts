// The Store contract: one suite, run against both implementations through the Store
// interface only (embedded in a temp dir, Redis on a throwaway redis-server with a random
// key prefix per test). The embedded store is the reference; Redis must behave the same.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../server/store/embedded.js';
import { RedisStore } from '../server/store/redis/store.js';
import { type LeadDraft, type Store, StoreCorruptError, type StoredRep } from '../server/store/types.js';
import type { Lead } from '../shared/protocol.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { tempDir } from './support/server.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

interface Harness {
  store: Store;
  /** Closes the store and opens a new one on the same data (dir / key prefix). */
  reopen(): Promise<Store>;
  /** Another handle on the same data, as a second node would have (embedded: the same store). */
  peer(): Promise<Store>;
}

const factories: { name: string; make(): Promise<Harness> }[] = [
  {
    name: 'embedded',
    async make() {
      const dir = tempDir('leadpool-contract-');
      const h: Harness = {
        store: new EmbeddedStore(dir),
        async reopen() {
          await h.store.close();
          h.store = new EmbeddedStore(dir);
          await h.store.init();
          return h.store;
        },
        async peer() {
          return h.store;
        },
      };
      await h.store.init();
      return h;
    },
  },
  {
    name: 'redis',
    async make() {
      const keyPrefix = randomPrefix();
      const open = async (nodeId: string) => {
        const s = new RedisStore({ url: redis.url, keyPrefix, nodeId });
        await s.init();
        opened.push(s);
        return s;
      };
      const h: Harness = {
        store: await open('node-a'),
        async reopen() {
          await h.store.close();
          h.store = await open('node-a');
          return h.store;
        },
        peer: () => open('node-b'),
      };
      return h;
    },
  },
];

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function makeRep(id: string, over: Partial<StoredRep> = {}): StoredRep {
  return {
    id,
    name: `Rep ${id}`,
    skills: [],
    languages: [],
    countries: [],
    teams: [],
    maxActive: null,
    weight: 1,
    createdAt: new Date().toISOString(),
    tokenHash: sha(`token-${id}`),
    away: false,
    ...over,
  };
}

let n = 0;
function draft(over: Partial<LeadDraft> = {}): LeadDraft {
  n++;
  return { email: `lead${n}-${Math.random().toString(36).slice(2, 8)}@example.com`, status: 'open', eligible: '*', ...over };
}

describe.each(factories)('Store contract: $name', ({ make }) => {
  let h: Harness;
  let store: Store;

  const setup = async () => {
    h = await make();
    store = h.store;
    if (!opened.includes(store)) opened.push(store);
  };
  const reps = async (...ids: string[]) => {
    for (const id of ids) await store.createRep(makeRep(id));
  };
  const leads = async (count: number, over: Partial<LeadDraft> = {}) => {
    const out: Lead[] = [];
    for (let i = 0; i < count; i++) out.push((await store.insertLead(draft(over))).lead);
    return out;
  };

  describe('leads', () => {
    it('inserts a lead and reads it back with every field', async () => {
      await setup();
      const input = draft({
        externalId: 'ext-1',
        name: 'Ada',
        phone: '+44 20 1234',
        company: 'Analytical',
        companySize: 40,
        country: 'GB',
        language: 'en',
        industry: 'SaaS',
        jobTitle: 'CTO',
        source: 'web',
        engagement: { visits: 3, secondsOnSite: 12.5 },
        tags: [],
        attributes: { plan: 'pro', seats: 12, trial: true, precise: 0.1 + 0.2, big: 2 ** 53 - 1, text: 'Zoë «ü» 日本 \u0000 "q" \\ /' },
      });
      const res = await store.insertLead(input);
      expect(res.duplicate).toBe(false);
      const lead = res.lead;
      expect(lead).toMatchObject({ ...input, status: 'open', eligible: '*' });
      expect(lead.id).toMatch(/^ld_/);
      expect(Date.parse(lead.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(lead.tags).toEqual([]);
      expect(lead.claimedBy).toBeUndefined();
      expect(lead.disqualifiedReasons).toBeUndefined();
      expect(await store.getLead(lead.id)).toEqual(lead);
      expect(await store.getLead('ld_nope')).toBeNull();
    });

    it('dedupes by externalId always, and by email/phone only within the window', async () => {
      await setup();
      const first = await store.insertLead(draft({ externalId: 'x-1', email: 'Same@Example.com', phone: '+1 (555) 010-9999' }));
      const again = await store.insertLead(draft({ externalId: 'x-1' }));
      expect(again).toMatchObject({ duplicate: true, by: 'externalId' });
      expect(again.lead.id).toBe(first.lead.id);
      // no window: same email is a new lead
      const sameEmail = await store.insertLead(draft({ email: 'same@example.com' }));
      expect(sameEmail.duplicate).toBe(false);
      await store.patchSettings({ duplicateWindowMs: 60_000 });
      const byEmail = await store.insertLead(draft({ email: 'SAME@example.com' }));
      expect(byEmail).toMatchObject({ duplicate: true, by: 'email' });
      expect(byEmail.lead.id).toBe(sameEmail.lead.id); // the latest lead with that address
      const byPhone = await store.insertLead(draft({ phone: '+15550109999' }));
      expect(byPhone).toMatchObject({ duplicate: true, by: 'phone' });
      expect(byPhone.lead.id).toBe(first.lead.id);
      await store.patchSettings({ duplicateWindowMs: 40 });
      await sleep(80);
      expect((await store.insertLead(draft({ email: 'same@example.com' }))).duplicate).toBe(false);
      expect(await store.listLeads({ limit: Infinity })).toHaveLength(3);
    });

    it('stores disqualified leads that never open', async () => {
      await setup();
      await reps('a');
      const { lead } = await store.insertLead(draft({ status: 'disqualified', disqualifiedReasons: ['country'] }));
      expect(lead).toMatchObject({ status: 'disqualified', disqualifiedReasons: ['country'] });
      const kept = await store.insertLead(draft({ disqualifiedReasons: ['ignored'] }));
      expect(kept.lead.disqualifiedReasons).toBeUndefined();
      expect((await store.openLeads()).map((l) => l.id)).toEqual([kept.lead.id]);
      expect(await store.claim(lead.id, 'a')).toEqual({ ok: false, code: 'NOT_OPEN' });
      await store.claim(kept.lead.id, 'a');
      await store.setMode('blind-pull');
      expect(await store.pull('a')).toEqual({ ok: false, code: 'POOL_EMPTY' });
      expect(await store.assign(lead.id, 'a')).toMatchObject({ ok: false, code: 'NOT_OPEN' });
      expect((await store.listLeads({ status: 'disqualified' })).map((l) => l.id)).toEqual([lead.id]);
    });

    it('lists newest first with status, rep and limit filters; heldLeads oldest claim first', async () => {
      await setup();
      await reps('a', 'b');
      const ls = await leads(5);
      await store.claim(ls[3].id, 'a');
      await store.claim(ls[1].id, 'a');
      await store.claim(ls[2].id, 'b');
      await store.outcome(ls[1].id, 'a', 'won');
      expect((await store.listLeads({})).map((l) => l.id)).toEqual(ls.map((l) => l.id).reverse());
      expect((await store.listLeads({ limit: 2 })).map((l) => l.id)).toEqual([ls[4].id, ls[3].id]);
      expect((await store.listLeads({ status: 'open' })).map((l) => l.id)).toEqual([ls[4].id, ls[0].id]);
      expect((await store.listLeads({ repId: 'a' })).map((l) => l.id)).toEqual([ls[3].id, ls[1].id]);
      expect((await store.listLeads({ repId: 'a', status: 'closed' })).map((l) => l.id)).toEqual([ls[1].id]);
      expect((await store.heldLeads('a')).map((l) => l.id)).toEqual([ls[3].id]);
      expect((await store.openLeads()).map((l) => l.id)).toEqual([ls[0].id, ls[4].id]);
      expect(await store.heldCounts()).toEqual({ a: 1, b: 1 });
      const held = await leads(2);
      await store.claim(held[1].id, 'b');
      await sleep(5);
      await store.claim(held[0].id, 'b');
      expect((await store.heldLeads('b')).map((l) => l.id)).toEqual([ls[2].id, held[1].id, held[0].id]);
    });
  });

  describe('claim', () => {
    it('answers the error codes in the policy order', async () => {
      await setup();
      await reps('a', 'b');
      const [l1] = await leads(1);
      expect(await store.claim(l1.id, 'ghost')).toEqual({ ok: false, code: 'NOT_FOUND' });
      for (const mode of ['blind-pull', 'round-robin'] as const) {
        await store.setMode(mode);
        expect(await store.claim(l1.id, 'ghost')).toEqual({ ok: false, code: 'NOT_FOUND' }); // rep first
        expect(await store.claim('ld_missing', 'a')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
        expect(await store.claim(l1.id, 'a')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
      }
      await store.setMode('shark-tank');
      expect(await store.claim('ld_missing', 'a')).toEqual({ ok: false, code: 'NOT_FOUND' });
      const claimed = await store.claim(l1.id, 'a');
      expect(claimed).toMatchObject({ ok: true, mode: 'shark-tank', lead: { id: l1.id, status: 'claimed', claimedBy: 'a' } });
      if (claimed.ok) expect(Date.parse(claimed.lead.claimedAt!)).toBeGreaterThan(Date.now() - 60_000);
      await store.setAway('b', true);
      expect(await store.claim(l1.id, 'b')).toEqual({ ok: false, code: 'ALREADY_CLAIMED' }); // lead state before the rep's limits
      expect(await store.claim(l1.id, 'a')).toEqual({ ok: false, code: 'ALREADY_CLAIMED' });
      await store.outcome(l1.id, 'a', 'lost');
      expect(await store.claim(l1.id, 'b')).toEqual({ ok: false, code: 'NOT_OPEN' });
      // hybrid eligibility, before UNAVAILABLE
      const { lead: narrow } = await store.insertLead(draft({ eligible: ['a'] }));
      await store.setMode('hybrid');
      expect(await store.claim(narrow.id, 'b')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
      const [wide] = await leads(1);
      expect(await store.claim(wide.id, 'b')).toEqual({ ok: false, code: 'UNAVAILABLE' });
      await store.setAway('b', false);
      await store.setMode('cherry-pick');
      expect(await store.claim(narrow.id, 'b')).toMatchObject({ ok: true, mode: 'cherry-pick' }); // eligibility is hybrid's only
    });

    it('CAP_REACHED with the rep maxActive overriding the setting, then COOLDOWN, then WINDOW_CAP', async () => {
      await setup();
      await store.createRep(makeRep('big', { maxActive: 3 }));
      await store.createRep(makeRep('small', { maxActive: 1 }));
      await reps('c');
      await store.patchSettings({ maxActivePerRep: 2 });
      const ls = await leads(10);
      expect((await store.claim(ls[0].id, 'c')).ok).toBe(true);
      expect((await store.claim(ls[1].id, 'c')).ok).toBe(true);
      expect(await store.claim(ls[2].id, 'c')).toEqual({ ok: false, code: 'CAP_REACHED' });
      for (const l of ls.slice(2, 5)) expect((await store.claim(l.id, 'big')).ok).toBe(true);
      expect(await store.claim(ls[5].id, 'big')).toEqual({ ok: false, code: 'CAP_REACHED' });
      expect((await store.claim(ls[5].id, 'small')).ok).toBe(true);
      expect(await store.claim(ls[6].id, 'small')).toEqual({ ok: false, code: 'CAP_REACHED' });
      await store.updateRep('small', { maxActive: 5 });
      await store.patchSettings({ claimCooldownMs: 60_000 });
      expect(await store.claim(ls[6].id, 'small')).toEqual({ ok: false, code: 'COOLDOWN' });
      expect(await store.claim(ls[6].id, 'c')).toEqual({ ok: false, code: 'CAP_REACHED' }); // cap before cooldown
      await store.patchSettings({ claimCooldownMs: 0, maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      // claims count toward the window only while one is set: the earlier claim of 'small' does not
      expect((await store.claim(ls[6].id, 'small')).ok).toBe(true);
      await store.release(ls[6].id, { repId: 'small' });
      expect((await store.claim(ls[7].id, 'small')).ok).toBe(true);
      expect(await store.claim(ls[6].id, 'small')).toEqual({ ok: false, code: 'WINDOW_CAP' }); // releasing does not refund
      // pull shares the rep-side checks
      await store.setMode('blind-pull');
      expect(await store.pull('small')).toEqual({ ok: false, code: 'WINDOW_CAP' });
      expect(await store.pull('c')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('RATE_LIMITED past maxActionsPerSecond, all attempts counted', async () => {
      await setup();
      await reps('a');
      await store.patchSettings({ maxActionsPerSecond: 1 });
      const ls = await leads(4);
      const results = await Promise.all(ls.map((l) => store.claim(l.id, 'a')));
      const codes = results.map((r) => (r.ok ? 'ok' : r.code));
      // Four attempts in at most two one-second buckets: at most two get through.
      expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(1);
      expect(codes.filter((c) => c === 'ok').length).toBeLessThanOrEqual(2);
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(2);
    });

    it('50 concurrent claims of one lead from 50 reps: exactly one succeeds, the rest hear ALREADY_CLAIMED', async () => {
      await setup();
      const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
      await reps(...ids);
      const [lead] = await leads(1);
      const peer = await h.peer();
      const results = await Promise.all(ids.map((id, i) => (i % 2 ? peer : store).claim(lead.id, id)));
      const succeeded = results.filter((r) => r.ok);
      expect(succeeded).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.code === 'ALREADY_CLAIMED')).toHaveLength(49);
      const owner = succeeded[0].ok ? succeeded[0].lead.claimedBy : null;
      expect((await store.getLead(lead.id))!.claimedBy).toBe(owner);
      expect(await store.heldCounts()).toEqual({ [owner!]: 1 });
    });
  });

  describe('pull', () => {
    it('concurrent pulls get distinct leads, oldest first', async () => {
      await setup();
      const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
      await reps(...ids);
      await store.setMode('blind-pull');
      const ls = await leads(15);
      const peer = await h.peer();
      const results = await Promise.all(ids.map((id, i) => (i % 2 ? peer : store).pull(id)));
      const got = results.map((r) => (r.ok ? r.lead.id : r.code));
      expect(new Set(got).size).toBe(10);
      expect(new Set(got)).toEqual(new Set(ls.slice(0, 10).map((l) => l.id)));
      for (const r of results) if (r.ok) expect(r.mode).toBe('blind-pull');
      // a released lead goes back at its original place
      const first = results.find((r) => r.ok && r.lead.id === ls[0].id)!;
      if (first.ok) await store.release(ls[0].id, { repId: first.lead.claimedBy! });
      expect((await store.openLeads()).map((l) => l.id)).toEqual([ls[0].id, ...ls.slice(10).map((l) => l.id)]);
      await store.setMode('round-robin');
      expect(await store.pull('p0')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
      expect(await store.pull('ghost')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('respects hybrid eligibility', async () => {
      await setup();
      await reps('a', 'b', 'c');
      await store.setMode('hybrid');
      const forB = (await store.insertLead(draft({ eligible: ['b'] }))).lead;
      const forA1 = (await store.insertLead(draft({ eligible: ['a', 'c'] }))).lead;
      const anyone = (await store.insertLead(draft({ eligible: '*' }))).lead;
      const forA2 = (await store.insertLead(draft({ eligible: ['a'] }))).lead;
      const [ra, rc] = await Promise.all([store.pull('a'), store.pull('c')]);
      const pulled = [ra, rc].map((r) => (r.ok ? r.lead.id : r.code)).sort();
      expect(pulled).toEqual([forA1.id, anyone.id].sort());
      expect(await store.pull('a')).toMatchObject({ ok: true, lead: { id: forA2.id } });
      expect(await store.pull('c')).toEqual({ ok: false, code: 'POOL_EMPTY' });
      expect(await store.pull('b')).toMatchObject({ ok: true, lead: { id: forB.id } });
    });

    it('openSummary and statusCounts count leads without reading them', async () => {
      await setup();
      await reps('a');
      expect(await store.openSummary()).toEqual({ count: 0, oldestCreatedAt: null });
      const [first] = await leads(3);
      await store.insertLead(draft({ status: 'disqualified', disqualifiedReasons: ['x'] }));
      expect(await store.openSummary()).toEqual({ count: 3, oldestCreatedAt: first.createdAt });
      expect(await store.claim(first.id, 'a')).toMatchObject({ ok: true });
      const summary = await store.openSummary();
      expect(summary.count).toBe(2);
      expect(summary.oldestCreatedAt! >= first.createdAt).toBe(true);
      expect(await store.statusCounts()).toEqual({ open: 2, claimed: 1, closed: 0, disqualified: 1 });
      expect(await store.outcome(first.id, 'a', 'won')).toMatchObject({ ok: true });
      expect(await store.statusCounts()).toEqual({ open: 2, claimed: 0, closed: 1, disqualified: 1 });
    });

    it('reroute changes who may take open leads, and leaves claimed ones alone', async () => {
      await setup();
      await reps('a', 'b');
      await store.setMode('hybrid');
      const [toA, open2, claimed] = await leads(3, { eligible: ['a'] });
      expect(await store.claim(claimed.id, 'a')).toMatchObject({ ok: true });
      const changed = await store.reroute([
        { leadId: toA.id, eligible: ['b'] },
        { leadId: open2.id, eligible: ['a'] }, // unchanged
        { leadId: claimed.id, eligible: ['b'] }, // not open
      ]);
      expect(changed).toEqual([toA.id]);
      expect((await store.getLead(toA.id))!.eligible).toEqual(['b']);
      expect((await store.getLead(claimed.id))!.eligible).toEqual(['a']);
      expect(await store.claim(toA.id, 'a')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
      // the pull index follows: a only gets its remaining lead, b gets the rerouted one
      expect(await store.pull('a')).toMatchObject({ ok: true, lead: { id: open2.id } });
      expect(await store.pull('a')).toEqual({ ok: false, code: 'POOL_EMPTY' });
      expect(await store.pull('b')).toMatchObject({ ok: true, lead: { id: toA.id } });
      expect(await store.reroute([{ leadId: open2.id, eligible: '*' }])).toEqual([]);
    });
  });

  describe('release, assign, outcome', () => {
    it('release: the owner or a manager; NOT_OWNER otherwise', async () => {
      await setup();
      await reps('a', 'b');
      const [l1, l2] = await leads(2);
      expect(await store.release('ld_missing', { manager: true })).toEqual({ ok: false, code: 'NOT_FOUND' });
      expect(await store.release(l1.id, { manager: true })).toEqual({ ok: false, code: 'NOT_OWNER' }); // not claimed
      await store.claim(l1.id, 'a');
      await store.claim(l2.id, 'a');
      expect(await store.release(l1.id, { repId: 'b' })).toEqual({ ok: false, code: 'NOT_OWNER' });
      const mine = await store.release(l1.id, { repId: 'a' });
      expect(mine).toMatchObject({ ok: true, previousOwner: 'a', mode: 'shark-tank', lead: { id: l1.id, status: 'open' } });
      if (mine.ok) expect(mine.lead.claimedBy).toBeUndefined();
      const byManager = await store.release(l2.id, { manager: true });
      expect(byManager).toMatchObject({ ok: true, previousOwner: 'a', lead: { status: 'open' } });
      expect(await store.heldCounts()).toEqual({});
      expect((await store.openLeads()).map((l) => l.id)).toEqual([l1.id, l2.id]);
    });

    it('assign overrides mode and caps and may reassign', async () => {
      await setup();
      await reps('a', 'b');
      await store.patchSettings({ maxActivePerRep: 1 });
      await store.setMode('round-robin');
      const [l1, l2, l3] = await leads(3);
      expect(await store.assign(l1.id, 'a')).toMatchObject({
        ok: true,
        previousOwner: null,
        mode: 'round-robin',
        lead: { status: 'claimed', claimedBy: 'a' },
      });
      expect(await store.assign(l2.id, 'a')).toMatchObject({ ok: true, lead: { claimedBy: 'a' } }); // over the cap
      expect(await store.assign(l1.id, 'b')).toMatchObject({ ok: true, previousOwner: 'a', lead: { claimedBy: 'b' } });
      expect(await store.heldCounts()).toEqual({ a: 1, b: 1 });
      expect((await store.heldLeads('a')).map((l) => l.id)).toEqual([l2.id]);
      expect(await store.assign('ld_missing', 'a')).toEqual({ ok: false, code: 'NOT_FOUND', what: 'lead' });
      expect(await store.assign(l3.id, 'ghost')).toEqual({ ok: false, code: 'NOT_FOUND', what: 'rep' });
      await store.outcome(l2.id, 'a', 'won');
      expect(await store.assign(l2.id, 'b')).toEqual({ ok: false, code: 'NOT_OPEN' });
      expect((await store.openLeads()).map((l) => l.id)).toEqual([l3.id]);
    });

    it('outcome: contacted keeps the lead, won/lost/unreachable close it', async () => {
      await setup();
      await reps('a', 'b');
      const ls = await leads(4);
      for (const l of ls) await store.claim(l.id, 'a');
      expect(await store.outcome('ld_missing', 'a', 'won')).toEqual({ ok: false, code: 'NOT_FOUND' });
      expect(await store.outcome(ls[0].id, 'b', 'won')).toEqual({ ok: false, code: 'NOT_OWNER' });
      const contacted = await store.outcome(ls[0].id, 'a', 'contacted', 'left a voicemail');
      expect(contacted).toMatchObject({
        ok: true,
        lead: { status: 'claimed', outcome: 'contacted', outcomeNote: 'left a voicemail', claimedBy: 'a' },
      });
      for (const [i, o] of [
        [1, 'won'],
        [2, 'lost'],
        [3, 'unreachable'],
      ] as const) {
        const r = await store.outcome(ls[i].id, 'a', o, '');
        expect(r).toMatchObject({ ok: true, lead: { status: 'closed', outcome: o, outcomeNote: '', claimedBy: 'a' } });
        if (r.ok) expect(Date.parse(r.lead.closedAt!)).toBeGreaterThan(Date.now() - 60_000);
      }
      expect(await store.outcome(ls[1].id, 'a', 'contacted')).toEqual({ ok: false, code: 'NOT_OWNER' }); // closed
      expect(await store.heldCounts()).toEqual({ a: 1 });
      const final = await store.outcome(ls[0].id, 'a', 'won');
      expect(final).toMatchObject({ ok: true, lead: { status: 'closed', outcomeNote: 'left a voicemail' } });
    });
  });

  describe('round-robin', () => {
    it('autoAssign rotates over available candidates under their cap', async () => {
      await setup();
      await reps('a', 'b', 'c', 'd');
      const ls = await leads(7);
      expect(await store.autoAssign(['a', 'b', 'c'])).toBeNull(); // not round-robin
      await store.setMode('round-robin');
      await store.setAway('d', true);
      const owners: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await store.autoAssign(['a', 'b', 'c', 'd', 'ghost']);
        expect(r).toMatchObject({ mode: 'round-robin', lead: { id: ls[i].id, status: 'claimed' } });
        owners.push(r!.lead.claimedBy!);
      }
      expect(owners).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
      await store.patchSettings({ maxActivePerRep: 2 });
      expect(await store.autoAssign(['a', 'b', 'c'])).toBeNull(); // all at their cap
      await store.outcome(ls[1].id, 'b', 'won');
      expect(await store.autoAssign(['a', 'b', 'c'])).toMatchObject({ lead: { id: ls[6].id, claimedBy: 'b' } });
      expect(await store.autoAssign(['a', 'b', 'c'])).toBeNull(); // pool empty
    });

    it('weighted rotation assigns in proportion to weight (1 and 3 over 40 leads: 10/30)', async () => {
      await setup();
      await store.createRep(makeRep('light', { weight: 1 }));
      await store.createRep(makeRep('heavy', { weight: 3 }));
      await store.patchSettings({ weighted: true, maxActivePerRep: 1000 });
      await store.setMode('round-robin');
      await leads(40);
      const count: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        const r = await store.autoAssign(['light', 'heavy']);
        count[r!.lead.claimedBy!] = (count[r!.lead.claimedBy!] ?? 0) + 1;
      }
      expect(count).toEqual({ light: 10, heavy: 30 });
      expect(await store.heldCounts()).toEqual({ light: 10, heavy: 30 });
    });
  });

  describe('due work', () => {
    it('escalates an unclaimed hybrid lead once, cluster-wide', async () => {
      await setup();
      await reps('a', 'b');
      await store.setMode('hybrid');
      await store.patchSettings({ escalateAfterMs: 100 });
      const { lead } = await store.insertLead(draft({ eligible: ['a'] }));
      await store.insertLead(draft({ eligible: '*' })); // nothing to escalate
      expect(await store.runDue()).toEqual([]);
      expect(await store.claim(lead.id, 'b')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
      await sleep(150);
      const peer = await h.peer();
      const [e1, e2] = await Promise.all([store.runDue(), peer.runDue()]);
      const events = [...e1, ...e2];
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        kind: 'escalated',
        mode: 'hybrid',
        previousEligible: ['a'],
        lead: { id: lead.id, eligible: '*', status: 'open' },
      });
      expect(events[0].lead.escalatedAt).toBeDefined();
      expect(await store.runDue()).toEqual([]);
      expect(await store.claim(lead.id, 'b')).toMatchObject({ ok: true });
    });

    it('a claimed lead with no outcome goes back to the pool after claimTimeoutMs, once', async () => {
      await setup();
      await reps('a', 'b');
      await store.patchSettings({ claimTimeoutMs: 100 });
      const [l1, l2, l3] = await leads(3);
      await store.claim(l1.id, 'a');
      await store.claim(l2.id, 'a');
      await store.outcome(l2.id, 'a', 'contacted'); // worked on: stays
      await store.claim(l3.id, 'b');
      await store.release(l3.id, { repId: 'b' }); // released: its old job must not touch a new claim
      await sleep(60);
      await store.claim(l3.id, 'a');
      await sleep(60);
      const peer = await h.peer();
      const [e1, e2] = await Promise.all([store.runDue(), peer.runDue()]);
      const events = [...e1, ...e2];
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'expired', previousOwner: 'a', lead: { id: l1.id, status: 'open' } });
      expect(events[0].lead.claimedBy).toBeUndefined();
      expect((await store.getLead(l3.id))!.claimedBy).toBe('a');
      await sleep(80);
      const later = await store.runDue();
      expect(later.map((e) => [e.kind, e.lead.id])).toEqual([['expired', l3.id]]);
      expect((await store.getLead(l2.id))!.status).toBe('claimed');
      expect(await store.runDue()).toEqual([]);
    });

    it('turning a timer setting off cancels the jobs already scheduled', async () => {
      await setup();
      await reps('a');
      await store.setMode('hybrid');
      await store.patchSettings({ claimTimeoutMs: 50, escalateAfterMs: 50 });
      const [claimed] = await leads(1);
      const narrowed = (await store.insertLead(draft({ eligible: ['a'] }))).lead;
      await store.claim(claimed.id, 'a');
      await store.patchSettings({ claimTimeoutMs: null, escalateAfterMs: null });
      await sleep(100);
      expect(await store.runDue()).toEqual([]);
      expect((await store.getLead(claimed.id))!.status).toBe('claimed');
      expect((await store.getLead(narrowed.id))!.eligible).toEqual(['a']);
    });
  });

  describe('presence', () => {
    it('tabs, away and the last tab closing', async () => {
      await setup();
      await reps('a', 'b');
      expect(await store.tabOpened('a', 't1')).toEqual({ repId: 'a', before: 'offline', after: 'available' });
      expect(await store.tabOpened('a', 't2')).toEqual({ repId: 'a', before: 'available', after: 'available' });
      expect(await store.setAway('a', true)).toEqual({ repId: 'a', before: 'available', after: 'away' });
      expect((await store.getRep('a'))!.away).toBe(true);
      expect(await store.setAway('b', true)).toEqual({ repId: 'b', before: 'offline', after: 'offline' });
      expect(await store.onlinePresence()).toEqual({ a: 'away' });
      expect(await store.tabOpened('a', 't3')).toEqual({ repId: 'a', before: 'away', after: 'available' }); // a tab clears away
      expect(await store.tabOpened('b', 't1')).toEqual({ repId: 'b', before: 'offline', after: 'available' });
      expect(await store.onlinePresence()).toEqual({ a: 'available', b: 'available' });
      expect(await store.tabClosed('a', 't1')).toEqual({ repId: 'a', before: 'available', after: 'available' });
      expect(await store.tabClosed('a', 't1')).toEqual({ repId: 'a', before: 'available', after: 'available' });
      await store.tabClosed('a', 't2');
      expect(await store.tabClosed('a', 't3')).toEqual({ repId: 'a', before: 'available', after: 'offline' });
      expect(await store.onlinePresence()).toEqual({ b: 'available' });
      expect(await store.tabOpened('ghost', 't1')).toEqual({ repId: 'ghost', before: 'offline', after: 'offline' });
      expect(await store.sweepPresence()).toEqual([]);
      expect(await store.onlinePresence()).toEqual({ b: 'available' });
    });
  });

  describe('reps', () => {
    it('create, read, update, token lookup', async () => {
      await setup();
      const rep = makeRep('a', { skills: ['saas'], languages: ['en', 'de'], countries: [], teams: ['emea'], maxActive: 4, weight: 2.5 });
      await store.createRep(rep);
      await reps('b');
      expect(await store.getRep('a')).toEqual(rep);
      expect(await store.repIdByTokenHash(rep.tokenHash)).toBe('a');
      expect(await store.repIdByTokenHash('nope')).toBeNull();
      expect((await store.listReps()).map((r) => r.id)).toEqual(['a', 'b']);
      const updated = await store.updateRep('a', { name: 'Renamed', maxActive: null, skills: [] });
      expect(updated).toEqual({ ...rep, name: 'Renamed', maxActive: null, skills: [] });
      expect(await store.getRep('a')).toEqual(updated);
      expect(await store.updateRep('ghost', { name: 'x' })).toBeNull();
      expect(await store.getRep('ghost')).toBeNull();
    });

    it('deleteRep releases its leads and forgets it everywhere', async () => {
      await setup();
      await reps('a', 'b');
      const ls = await leads(3);
      const narrow = (await store.insertLead(draft({ eligible: ['a', 'b'] }))).lead;
      const onlyA = (await store.insertLead(draft({ eligible: ['a'] }))).lead;
      await store.claim(ls[0].id, 'a');
      await store.claim(ls[2].id, 'a');
      await store.claim(ls[1].id, 'b');
      await store.tabOpened('a', 't1');
      const res = await store.deleteRep('a');
      expect(res!.rep.id).toBe('a');
      expect(res!.released.map((l) => l.id).sort()).toEqual([ls[0].id, ls[2].id].sort());
      for (const l of res!.released) {
        expect(l.status).toBe('open');
        expect(l.claimedBy).toBeUndefined();
      }
      expect(await store.getRep('a')).toBeNull();
      expect(await store.repIdByTokenHash(sha('token-a'))).toBeNull();
      expect((await store.listReps()).map((r) => r.id)).toEqual(['b']);
      expect(await store.heldCounts()).toEqual({ b: 1 });
      expect(await store.onlinePresence()).toEqual({});
      expect((await store.getLead(narrow.id))!.eligible).toEqual(['b']);
      expect((await store.getLead(onlyA.id))!.eligible).toEqual([]);
      expect((await store.openLeads()).map((l) => l.id)).toEqual([ls[0].id, ls[2].id, narrow.id, onlyA.id]);
      expect(await store.deleteRep('a')).toBeNull();
      expect(await store.claim(ls[0].id, 'a')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });
  });

  describe('pool and secrets', () => {
    it('mode, settings and rules', async () => {
      await setup();
      const pool = await store.getPool();
      expect(pool.mode).toBe('shark-tank');
      expect(pool.rules).toEqual([]);
      expect(pool.settings.maxActivePerRep).toBe(10);
      expect(await store.setMode('hybrid')).toEqual({ previous: 'shark-tank' });
      expect(await store.setMode('blind-pull')).toEqual({ previous: 'hybrid' });
      const settings = await store.patchSettings({
        maxActivePerRep: 3,
        teaserFields: [],
        filters: { countries: ['DE'] },
        claimTimeoutMs: null,
      });
      expect(settings).toEqual({
        ...pool.settings,
        maxActivePerRep: 3,
        teaserFields: [],
        filters: { countries: ['DE'] },
        claimTimeoutMs: null,
      });
      const rules = [{ name: 'de', when: { country: ['DE'] }, to: { languages: ['de'], reps: [] } }];
      await store.setRules(rules);
      expect(await store.getPool()).toEqual({ mode: 'blind-pull', settings, rules });
    });

    it('ensureSecret: the first writer wins', async () => {
      await setup();
      const peer = await h.peer();
      const results = await Promise.all([
        store.ensureSecret('manager', 'h1'),
        peer.ensureSecret('manager', 'h2'),
        store.ensureSecret('manager', 'h3'),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.hash;
      for (const r of results) expect(r.hash).toBe(winner);
      expect(await store.ensureSecret('feed', 'f1')).toEqual({ hash: 'f1', created: true });
      expect(await store.ensureSecret('feed', 'f2')).toEqual({ hash: 'f1', created: false });
    });

    it('everything survives a reopen', async () => {
      await setup();
      await reps('a', 'b');
      await store.setMode('cherry-pick');
      await store.patchSettings({ maxActivePerRep: 7, claimCooldownMs: 60_000 });
      await store.setRules([{ name: 'r', when: {}, to: { reps: ['a'] } }]);
      await store.ensureSecret('manager', 'mh');
      const ls = await leads(4, { tags: ['x'] });
      await store.claim(ls[1].id, 'a');
      await store.claim(ls[2].id, 'b');
      await store.outcome(ls[2].id, 'b', 'won');
      await store.setAway('b', true);
      const before = {
        pool: await store.getPool(),
        reps: await store.listReps(),
        all: await store.listLeads({ limit: Infinity }),
        open: await store.openLeads(),
        counts: await store.heldCounts(),
      };
      const again = await h.reopen();
      expect(await again.getPool()).toEqual(before.pool);
      expect(await again.listReps()).toEqual(before.reps);
      expect(await again.listLeads({ limit: Infinity })).toEqual(before.all);
      expect(await again.openLeads()).toEqual(before.open);
      expect(await again.heldCounts()).toEqual(before.counts);
      expect(await again.ensureSecret('manager', 'other')).toEqual({ hash: 'mh', created: false });
      expect(await again.claim(ls[3].id, 'a')).toEqual({ ok: false, code: 'COOLDOWN' }); // counters persist too
      expect((await again.insertLead(draft({ externalId: 'late' }))).duplicate).toBe(false);
      expect((await again.openLeads()).map((l) => l.id).slice(0, 3)).toEqual([ls[0].id, ls[3].id, expect.any(String)]);
    });
  });
});

describe('embedded store only', () => {
  it('a corrupt leads.json makes init() throw StoreCorruptError and leaves the file byte-identical', async () => {
    const dir = tempDir('leadpool-corrupt-');
    const first = new EmbeddedStore(dir);
    await first.init();
    await first.insertLead(draft());
    await first.close();
    const file = join(dir, 'leads.json');
    const corrupt = Buffer.concat([readFileSync(file).subarray(0, 20), Buffer.from('\u0000garbage{')]);
    writeFileSync(file, corrupt);
    const store = new EmbeddedStore(dir);
    await expect(store.init()).rejects.toBeInstanceOf(StoreCorruptError);
    expect(readFileSync(file).equals(corrupt)).toBe(true);
  });

  it('counters saved under the old names (lastWinAt, recentWins) keep their cooldown and window after a load', async () => {
    const dir = tempDir('leadpool-migrate-');
    const first = new EmbeddedStore(dir);
    await first.init();
    await first.createRep(makeRep('a'));
    await first.patchSettings({ claimCooldownMs: 60_000, maxClaimsPerWindow: 1, claimWindowMs: 60_000 });
    const l1 = (await first.insertLead(draft())).lead;
    const l2 = (await first.insertLead(draft())).lead;
    expect(await first.claim(l1.id, 'a')).toMatchObject({ ok: true });
    await first.close();
    const file = join(dir, 'pool.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const { lastClaimAt, recentClaims, ...rest } = saved.counters.a;
    saved.counters.a = { ...rest, lastWinAt: lastClaimAt, recentWins: recentClaims };
    writeFileSync(file, JSON.stringify(saved));

    const store = new EmbeddedStore(dir);
    await store.init();
    expect(await store.claim(l2.id, 'a')).toEqual({ ok: false, code: 'COOLDOWN' });
    await store.patchSettings({ claimCooldownMs: 0 });
    expect(await store.claim(l2.id, 'a')).toEqual({ ok: false, code: 'WINDOW_CAP' });
    await store.close();
    expect(JSON.parse(readFileSync(file, 'utf8')).counters.a).toEqual({ ...rest, lastClaimAt, recentClaims });
  });
});
