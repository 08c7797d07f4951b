// The Store contract: one suite, run against both implementations through the Store
// interface only (embedded in a temp dir, Redis on a throwaway redis-server with a random
// key prefix per test). The embedded store is the reference; Redis must behave the same.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../server/store/embedded.js';
import { type LeadDraft, type Store, StoreCorruptError } from '../server/store/types.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { tempDir } from './support/server.js';
import { draft, type Harness, makeRep, sha, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

describe.each(factories)('Store contract: $name', ({ make }) => {
  let h: Harness;
  let store: Store;

  const setup = async () => {
    h = await make();
    store = h.store;
  };
  const reps = async (...ids: string[]) => {
    for (const id of ids) await store.createRep(makeRep(id));
  };
  const leads = async (count: number, over: Partial<LeadDraft> = {}) => {
    const out: Lead[] = [];
    for (let i = 0; i < count; i++) out.push((await store.insertLead(draft(over))).lead);
    return out;
  };

  describe('insertLead and getLead', () => {
    const fullDraft = () =>
      draft({
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

    it('a new lead keeps every input field and gets an ld_ id, its arrival time, status open, no owner and no reasons', async () => {
      await setup();
      const input = fullDraft();
      const res = await store.insertLead(input);
      expect(res.duplicate).toBe(false);
      const lead = res.lead;
      expect(lead).toMatchObject({ ...input, status: 'open', eligible: '*' });
      expect(lead.id).toMatch(/^ld_/);
      expect(Date.parse(lead.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(lead.tags).toEqual([]);
      expect(lead.claimedBy).toBeUndefined();
      expect(lead.disqualifiedReasons).toBeUndefined();
    });

    it('getLead returns the lead exactly as insertLead returned it', async () => {
      await setup();
      const { lead } = await store.insertLead(fullDraft());
      expect(await store.getLead(lead.id)).toEqual(lead);
    });

    it('getLead of an unknown id is null', async () => {
      await setup();
      expect(await store.getLead('ld_nope')).toBeNull();
    });
  });

  describe('duplicates', () => {
    it('a known externalId is a duplicate of its lead, with no duplicate window set', async () => {
      await setup();
      const first = await store.insertLead(draft({ externalId: 'x-1', email: 'Same@Example.com', phone: '+1 (555) 010-9999' }));
      const again = await store.insertLead(draft({ externalId: 'x-1' }));
      expect(again).toMatchObject({ duplicate: true, by: 'externalId' });
      expect(again.lead.id).toBe(first.lead.id);
    });

    it('with no duplicate window the same email is a new lead', async () => {
      await setup();
      await store.insertLead(draft({ email: 'Same@Example.com' }));
      const sameEmail = await store.insertLead(draft({ email: 'same@example.com' }));
      expect(sameEmail.duplicate).toBe(false);
    });

    it('within the window the same email in any case is a duplicate of the latest lead with that address', async () => {
      await setup();
      await store.insertLead(draft({ email: 'Same@Example.com' }));
      const sameEmail = await store.insertLead(draft({ email: 'same@example.com' }));
      await store.patchSettings('default', { duplicateWindowMs: 60_000 });
      const byEmail = await store.insertLead(draft({ email: 'SAME@example.com' }));
      expect(byEmail).toMatchObject({ duplicate: true, by: 'email' });
      expect(byEmail.lead.id).toBe(sameEmail.lead.id);
    });

    it('within the window the same phone written differently is a duplicate', async () => {
      await setup();
      const first = await store.insertLead(draft({ phone: '+1 (555) 010-9999' }));
      await store.patchSettings('default', { duplicateWindowMs: 60_000 });
      const byPhone = await store.insertLead(draft({ phone: '+15550109999' }));
      expect(byPhone).toMatchObject({ duplicate: true, by: 'phone' });
      expect(byPhone.lead.id).toBe(first.lead.id);
    });

    it('past the window the same email is a new lead', async () => {
      await setup();
      await store.insertLead(draft({ email: 'same@example.com' }));
      await store.patchSettings('default', { duplicateWindowMs: 40 });
      await sleep(80);
      expect((await store.insertLead(draft({ email: 'same@example.com' }))).duplicate).toBe(false);
    });

    it('a duplicate is not stored', async () => {
      await setup();
      await store.insertLead(draft({ externalId: 'x-1', email: 'Same@Example.com', phone: '+1 (555) 010-9999' }));
      await store.patchSettings('default', { duplicateWindowMs: 60_000 });
      const dups = [
        await store.insertLead(draft({ externalId: 'x-1' })),
        await store.insertLead(draft({ email: 'same@example.com' })),
        await store.insertLead(draft({ phone: '+15550109999' })),
      ];
      expect(dups.map((d) => d.duplicate)).toEqual([true, true, true]);
      expect(await store.listLeads({ limit: Infinity })).toHaveLength(1);
    });
  });

  describe('disqualified leads', () => {
    const disqualified = async () => (await store.insertLead(draft({ status: 'disqualified', disqualifiedReasons: ['country'] }))).lead;

    it('a disqualified lead is stored with its reasons', async () => {
      await setup();
      expect(await disqualified()).toMatchObject({ status: 'disqualified', disqualifiedReasons: ['country'] });
    });

    it('an open lead keeps no disqualifiedReasons', async () => {
      await setup();
      const kept = await store.insertLead(draft({ disqualifiedReasons: ['ignored'] }));
      expect(kept.lead.disqualifiedReasons).toBeUndefined();
    });

    it('a disqualified lead is never among the open leads', async () => {
      await setup();
      await disqualified();
      const [open] = await leads(1);
      expect((await store.openLeads('default')).map((l) => l.id)).toEqual([open.id]);
    });

    it('claiming a disqualified lead answers NOT_OPEN', async () => {
      await setup();
      await reps('a');
      const lead = await disqualified();
      expect(await store.claim(lead.id, 'a')).toEqual({ ok: false, code: 'NOT_OPEN' });
    });

    it('a pull never hands out a disqualified lead: POOL_EMPTY', async () => {
      await setup();
      await reps('a');
      await disqualified();
      await store.setMode('default', 'blind-pull');
      expect(await store.pull('a')).toEqual({ ok: false, code: 'POOL_EMPTY' });
    });

    it('assigning a disqualified lead answers NOT_OPEN', async () => {
      await setup();
      await reps('a');
      const lead = await disqualified();
      expect(await store.assign(lead.id, 'a')).toMatchObject({ ok: false, code: 'NOT_OPEN' });
    });

    it('listLeads with status disqualified lists it', async () => {
      await setup();
      const lead = await disqualified();
      await leads(1);
      expect((await store.listLeads({ status: 'disqualified' })).map((l) => l.id)).toEqual([lead.id]);
    });
  });

  describe('listing', () => {
    /** Five leads: a holds 3, b holds 2, a closed 1 (won), 0 and 4 are open. */
    const fiveLeads = async () => {
      await setup();
      await reps('a', 'b');
      const ls = await leads(5);
      await store.claim(ls[3].id, 'a');
      await store.claim(ls[1].id, 'a');
      await store.claim(ls[2].id, 'b');
      await store.outcome(ls[1].id, 'a', 'won');
      return ls;
    };

    it('listLeads returns every lead, newest first', async () => {
      const ls = await fiveLeads();
      expect((await store.listLeads({})).map((l) => l.id)).toEqual(ls.map((l) => l.id).reverse());
    });

    it('listLeads with a limit returns the newest leads', async () => {
      const ls = await fiveLeads();
      expect((await store.listLeads({ limit: 2 })).map((l) => l.id)).toEqual([ls[4].id, ls[3].id]);
    });

    it('listLeads with a status returns only leads in that status', async () => {
      const ls = await fiveLeads();
      expect((await store.listLeads({ status: 'open' })).map((l) => l.id)).toEqual([ls[4].id, ls[0].id]);
    });

    it('listLeads with a repId returns every lead the rep claimed, closed ones included', async () => {
      const ls = await fiveLeads();
      expect((await store.listLeads({ repId: 'a' })).map((l) => l.id)).toEqual([ls[3].id, ls[1].id]);
    });

    it('listLeads with a repId and a status applies both', async () => {
      const ls = await fiveLeads();
      expect((await store.listLeads({ repId: 'a', status: 'closed' })).map((l) => l.id)).toEqual([ls[1].id]);
    });

    it('heldLeads lists only the leads the rep still holds, not the ones it closed', async () => {
      const ls = await fiveLeads();
      expect((await store.heldLeads('a')).map((l) => l.id)).toEqual([ls[3].id]);
    });

    it('openLeads lists the open leads oldest first', async () => {
      const ls = await fiveLeads();
      expect((await store.openLeads('default')).map((l) => l.id)).toEqual([ls[0].id, ls[4].id]);
    });

    it('heldCounts counts the leads each rep holds', async () => {
      await fiveLeads();
      expect(await store.heldCounts()).toEqual({ a: 1, b: 1 });
    });

    it('heldLeads lists the oldest claim first, whatever the arrival order', async () => {
      const ls = await fiveLeads();
      const held = await leads(2);
      await store.claim(held[1].id, 'b');
      await sleep(5);
      await store.claim(held[0].id, 'b');
      expect((await store.heldLeads('b')).map((l) => l.id)).toEqual([ls[2].id, held[1].id, held[0].id]);
    });
  });

  describe('claim', () => {
    it('an unknown rep answers NOT_FOUND in every mode, before the mode is checked', async () => {
      await setup();
      await reps('a', 'b');
      const [l1] = await leads(1);
      expect(await store.claim(l1.id, 'ghost')).toEqual({ ok: false, code: 'NOT_FOUND' });
      for (const mode of ['blind-pull', 'round-robin'] as const) {
        await store.setMode('default', mode);
        expect(await store.claim(l1.id, 'ghost')).toEqual({ ok: false, code: 'NOT_FOUND' });
      }
    });

    it('blind-pull and round-robin forbid claims: MODE_FORBIDS (the mode of the lead’s pool, so an unknown lead is NOT_FOUND first)', async () => {
      await setup();
      await reps('a', 'b');
      const [l1] = await leads(1);
      for (const mode of ['blind-pull', 'round-robin'] as const) {
        await store.setMode('default', mode);
        expect(await store.claim('ld_missing', 'a')).toEqual({ ok: false, code: 'NOT_FOUND' });
        expect(await store.claim(l1.id, 'a')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
      }
    });

    it('an unknown lead answers NOT_FOUND', async () => {
      await setup();
      await reps('a');
      expect(await store.claim('ld_missing', 'a')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('a successful claim returns the lead claimed by the rep now, and the mode', async () => {
      await setup();
      await reps('a');
      const [l1] = await leads(1);
      const claimed = await store.claim(l1.id, 'a');
      expect(claimed).toMatchObject({ ok: true, mode: 'shark-tank', lead: { id: l1.id, status: 'claimed', claimedBy: 'a' } });
      if (claimed.ok) expect(Date.parse(claimed.lead.claimedAt!)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('a claimed lead answers ALREADY_CLAIMED, to its owner too, before the rep limits (an away rep)', async () => {
      await setup();
      await reps('a', 'b');
      const [l1] = await leads(1);
      await store.claim(l1.id, 'a');
      await store.setAway('b', true);
      expect(await store.claim(l1.id, 'b')).toEqual({ ok: false, code: 'ALREADY_CLAIMED' });
      expect(await store.claim(l1.id, 'a')).toEqual({ ok: false, code: 'ALREADY_CLAIMED' });
    });

    it('a closed lead answers NOT_OPEN, before the rep limits (an away rep)', async () => {
      await setup();
      await reps('a', 'b');
      const [l1] = await leads(1);
      await store.claim(l1.id, 'a');
      await store.outcome(l1.id, 'a', 'lost');
      await store.setAway('b', true);
      expect(await store.claim(l1.id, 'b')).toEqual({ ok: false, code: 'NOT_OPEN' });
    });

    it('in hybrid a rep the lead is not routed to answers NOT_ELIGIBLE, before the rep limits (an away rep)', async () => {
      await setup();
      await reps('a', 'b');
      const { lead: narrow } = await store.insertLead(draft({ eligible: ['a'] }));
      await store.setMode('default', 'hybrid');
      await store.setAway('b', true);
      expect(await store.claim(narrow.id, 'b')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('an away rep answers UNAVAILABLE', async () => {
      await setup();
      await reps('a', 'b');
      await store.setMode('default', 'hybrid');
      const [wide] = await leads(1);
      await store.setAway('b', true);
      expect(await store.claim(wide.id, 'b')).toEqual({ ok: false, code: 'UNAVAILABLE' });
    });

    it('eligibility narrows claims in hybrid only', async () => {
      await setup();
      await reps('a', 'b');
      const { lead: narrow } = await store.insertLead(draft({ eligible: ['a'] }));
      await store.setMode('default', 'cherry-pick');
      expect(await store.claim(narrow.id, 'b')).toMatchObject({ ok: true, mode: 'cherry-pick' });
    });

    it('CAP_REACHED once a rep holds settings.maxActivePerRep leads', async () => {
      await setup();
      await reps('c');
      await store.patchSettings('default', { maxActivePerRep: 2 });
      const ls = await leads(3);
      expect((await store.claim(ls[0].id, 'c')).ok).toBe(true);
      expect((await store.claim(ls[1].id, 'c')).ok).toBe(true);
      expect(await store.claim(ls[2].id, 'c')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('a rep maxActive above the setting is its cap', async () => {
      await setup();
      await store.createRep(makeRep('big', { maxActive: 3 }));
      await store.patchSettings('default', { maxActivePerRep: 2 });
      const ls = await leads(4);
      for (const l of ls.slice(0, 3)) expect((await store.claim(l.id, 'big')).ok).toBe(true);
      expect(await store.claim(ls[3].id, 'big')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('a rep maxActive below the setting is its cap', async () => {
      await setup();
      await store.createRep(makeRep('small', { maxActive: 1 }));
      await store.patchSettings('default', { maxActivePerRep: 2 });
      const ls = await leads(2);
      expect((await store.claim(ls[0].id, 'small')).ok).toBe(true);
      expect(await store.claim(ls[1].id, 'small')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('an updated rep maxActive applies to its next claim', async () => {
      await setup();
      await store.createRep(makeRep('small', { maxActive: 1 }));
      const ls = await leads(2);
      expect((await store.claim(ls[0].id, 'small')).ok).toBe(true);
      expect(await store.claim(ls[1].id, 'small')).toEqual({ ok: false, code: 'CAP_REACHED' });
      await store.updateRep('small', { maxActive: 5 });
      expect((await store.claim(ls[1].id, 'small')).ok).toBe(true);
    });

    it('COOLDOWN within claimCooldownMs of the rep’s last claim, one made before the setting included', async () => {
      await setup();
      await store.createRep(makeRep('small', { maxActive: 5 }));
      const ls = await leads(2);
      expect((await store.claim(ls[0].id, 'small')).ok).toBe(true);
      await store.patchSettings('default', { claimCooldownMs: 60_000 });
      expect(await store.claim(ls[1].id, 'small')).toEqual({ ok: false, code: 'COOLDOWN' });
    });

    it('CAP_REACHED is answered before COOLDOWN', async () => {
      await setup();
      await reps('c');
      await store.patchSettings('default', { maxActivePerRep: 2 });
      const ls = await leads(3);
      expect((await store.claim(ls[0].id, 'c')).ok).toBe(true);
      expect((await store.claim(ls[1].id, 'c')).ok).toBe(true);
      await store.patchSettings('default', { claimCooldownMs: 60_000 });
      expect(await store.claim(ls[2].id, 'c')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('claims made while no claim window is set do not count toward one set later', async () => {
      await setup();
      await store.createRep(makeRep('small', { maxActive: 5 }));
      const ls = await leads(3);
      expect((await store.claim(ls[0].id, 'small')).ok).toBe(true);
      await store.patchSettings('default', { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      expect((await store.claim(ls[1].id, 'small')).ok).toBe(true);
      expect((await store.claim(ls[2].id, 'small')).ok).toBe(true);
    });

    it('WINDOW_CAP after maxClaimsPerWindow claims in the window; releasing does not refund one', async () => {
      await setup();
      await store.createRep(makeRep('small', { maxActive: 5 }));
      await store.patchSettings('default', { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const ls = await leads(2);
      expect((await store.claim(ls[0].id, 'small')).ok).toBe(true);
      await store.release(ls[0].id, { repId: 'small' });
      expect((await store.claim(ls[1].id, 'small')).ok).toBe(true);
      expect(await store.claim(ls[0].id, 'small')).toEqual({ ok: false, code: 'WINDOW_CAP' });
    });

    it('pull applies the same rep limits as claim: CAP_REACHED and WINDOW_CAP', async () => {
      await setup();
      await store.createRep(makeRep('small', { maxActive: 5 }));
      await reps('c');
      await store.patchSettings('default', { maxActivePerRep: 2, maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const ls = await leads(5);
      for (const l of ls.slice(0, 2)) expect((await store.claim(l.id, 'small')).ok).toBe(true);
      for (const l of ls.slice(2, 4)) expect((await store.claim(l.id, 'c')).ok).toBe(true);
      await store.setMode('default', 'blind-pull');
      expect(await store.pull('small')).toEqual({ ok: false, code: 'WINDOW_CAP' });
      expect(await store.pull('c')).toEqual({ ok: false, code: 'CAP_REACHED' });
    });

    it('RATE_LIMITED past maxActionsPerSecond, all attempts counted', async () => {
      await setup();
      await reps('a');
      await store.patchSettings('default', { maxActionsPerSecond: 1 });
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
      await store.setMode('default', 'blind-pull');
      const ls = await leads(15);
      const peer = await h.peer();
      const results = await Promise.all(ids.map((id, i) => (i % 2 ? peer : store).pull(id)));
      const got = results.map((r) => (r.ok ? r.lead.id : r.code));
      expect(new Set(got).size).toBe(10);
      expect(new Set(got)).toEqual(new Set(ls.slice(0, 10).map((l) => l.id)));
      for (const r of results) if (r.ok) expect(r.mode).toBe('blind-pull');
    });

    it('a released lead goes back to the pool at its original place', async () => {
      await setup();
      await reps('a');
      await store.setMode('default', 'blind-pull');
      const ls = await leads(3);
      expect(await store.pull('a')).toMatchObject({ ok: true, lead: { id: ls[0].id } });
      await store.release(ls[0].id, { repId: 'a' });
      expect((await store.openLeads('default')).map((l) => l.id)).toEqual(ls.map((l) => l.id));
    });

    it('round-robin forbids pulls: MODE_FORBIDS', async () => {
      await setup();
      await reps('p0');
      await leads(1);
      await store.setMode('default', 'round-robin');
      expect(await store.pull('p0')).toEqual({ ok: false, code: 'MODE_FORBIDS' });
    });

    it('an unknown rep answers NOT_FOUND, before the mode is checked', async () => {
      await setup();
      await leads(1);
      await store.setMode('default', 'round-robin');
      expect(await store.pull('ghost')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('in hybrid a rep pulls only the leads routed to it or to everyone', async () => {
      await setup();
      await reps('a', 'b', 'c');
      await store.setMode('default', 'hybrid');
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
  });

  describe('counts', () => {
    it('openSummary counts the open leads and gives the arrival time of the oldest', async () => {
      await setup();
      await reps('a');
      expect(await store.openSummary('default')).toEqual({ count: 0, oldestCreatedAt: null });
      const [first] = await leads(3);
      await store.insertLead(draft({ status: 'disqualified', disqualifiedReasons: ['x'] }));
      expect(await store.openSummary('default')).toEqual({ count: 3, oldestCreatedAt: first.createdAt });
      expect(await store.claim(first.id, 'a')).toMatchObject({ ok: true });
      const summary = await store.openSummary('default');
      expect(summary.count).toBe(2);
      expect(summary.oldestCreatedAt! >= first.createdAt).toBe(true);
    });

    it('statusCounts counts the leads in each status', async () => {
      await setup();
      await reps('a');
      const [first] = await leads(3);
      await store.insertLead(draft({ status: 'disqualified', disqualifiedReasons: ['x'] }));
      expect(await store.claim(first.id, 'a')).toMatchObject({ ok: true });
      expect(await store.statusCounts()).toEqual({ open: 2, claimed: 1, closed: 0, disqualified: 1 });
      expect(await store.outcome(first.id, 'a', 'won')).toMatchObject({ ok: true });
      expect(await store.statusCounts()).toEqual({ open: 2, claimed: 0, closed: 1, disqualified: 1 });
    });
  });

  describe('reroute', () => {
    /** Hybrid, three leads routed to a; a holds the third. */
    const routedToA = async () => {
      await setup();
      await reps('a', 'b');
      await store.setMode('default', 'hybrid');
      const ls = await leads(3, { eligible: ['a'] });
      expect(await store.claim(ls[2].id, 'a')).toMatchObject({ ok: true });
      return ls;
    };

    it('reroute changes who may claim an open lead and returns its id', async () => {
      const [toA] = await routedToA();
      expect(await store.reroute('default', [{ leadId: toA.id, eligible: ['b'] }])).toEqual([toA.id]);
      expect((await store.getLead(toA.id))!.eligible).toEqual(['b']);
      expect(await store.claim(toA.id, 'a')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('reroute does not return a lead whose eligibility it leaves unchanged', async () => {
      const [toA, open2] = await routedToA();
      const changed = await store.reroute('default', [
        { leadId: toA.id, eligible: ['b'] },
        { leadId: open2.id, eligible: ['a'] }, // unchanged
      ]);
      expect(changed).toEqual([toA.id]);
    });

    it('reroute leaves claimed leads alone', async () => {
      const [toA, open2, claimed] = await routedToA();
      const changed = await store.reroute('default', [
        { leadId: toA.id, eligible: ['b'] },
        { leadId: claimed.id, eligible: ['b'] }, // not open
      ]);
      expect(changed).toEqual([toA.id]);
      expect((await store.getLead(claimed.id))!.eligible).toEqual(['a']);
      expect(await store.pull('a')).toMatchObject({ ok: true, lead: { id: open2.id } });
      expect(await store.reroute('default', [{ leadId: open2.id, eligible: '*' }])).toEqual([]);
    });

    it('pulls follow a reroute: each rep gets the leads now routed to it', async () => {
      const [toA, open2] = await routedToA();
      await store.reroute('default', [{ leadId: toA.id, eligible: ['b'] }]);
      expect(await store.pull('a')).toMatchObject({ ok: true, lead: { id: open2.id } });
      expect(await store.pull('a')).toEqual({ ok: false, code: 'POOL_EMPTY' });
      expect(await store.pull('b')).toMatchObject({ ok: true, lead: { id: toA.id } });
    });
  });

  describe('release', () => {
    it('releasing an unknown lead answers NOT_FOUND', async () => {
      await setup();
      expect(await store.release('ld_missing', { manager: true })).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('releasing a lead nobody holds answers NOT_OWNER, to a manager too', async () => {
      await setup();
      const [l1] = await leads(1);
      expect(await store.release(l1.id, { manager: true })).toEqual({ ok: false, code: 'NOT_OWNER' });
    });

    it('a rep cannot release a lead another rep holds: NOT_OWNER', async () => {
      await setup();
      await reps('a', 'b');
      const [l1] = await leads(1);
      await store.claim(l1.id, 'a');
      expect(await store.release(l1.id, { repId: 'b' })).toEqual({ ok: false, code: 'NOT_OWNER' });
    });

    it('the owner releases its lead: open again with no owner, previous owner and mode returned', async () => {
      await setup();
      await reps('a');
      const [l1] = await leads(1);
      await store.claim(l1.id, 'a');
      const mine = await store.release(l1.id, { repId: 'a' });
      expect(mine).toMatchObject({ ok: true, previousOwner: 'a', mode: 'shark-tank', lead: { id: l1.id, status: 'open' } });
      if (mine.ok) expect(mine.lead.claimedBy).toBeUndefined();
    });

    it('a manager releases any claimed lead', async () => {
      await setup();
      await reps('a');
      const [, l2] = await leads(2);
      await store.claim(l2.id, 'a');
      const byManager = await store.release(l2.id, { manager: true });
      expect(byManager).toMatchObject({ ok: true, previousOwner: 'a', lead: { status: 'open' } });
    });

    it('released leads are held by nobody and open again in arrival order', async () => {
      await setup();
      await reps('a');
      const [l1, l2] = await leads(2);
      await store.claim(l1.id, 'a');
      await store.claim(l2.id, 'a');
      await store.release(l1.id, { repId: 'a' });
      await store.release(l2.id, { manager: true });
      expect(await store.heldCounts()).toEqual({});
      expect((await store.openLeads('default')).map((l) => l.id)).toEqual([l1.id, l2.id]);
    });
  });

  describe('assign', () => {
    /** Round-robin, a cap of 1, reps a and b, three open leads. */
    const capOfOne = async () => {
      await setup();
      await reps('a', 'b');
      await store.patchSettings('default', { maxActivePerRep: 1 });
      await store.setMode('default', 'round-robin');
      return leads(3);
    };

    it('assign works in any mode (round-robin here) and returns no previous owner for an open lead', async () => {
      const [l1] = await capOfOne();
      expect(await store.assign(l1.id, 'a')).toMatchObject({
        ok: true,
        previousOwner: null,
        mode: 'round-robin',
        lead: { status: 'claimed', claimedBy: 'a' },
      });
    });

    it('assign ignores the rep cap', async () => {
      const [l1, l2] = await capOfOne();
      await store.assign(l1.id, 'a');
      expect(await store.assign(l2.id, 'a')).toMatchObject({ ok: true, lead: { claimedBy: 'a' } });
    });

    it('assign moves a claimed lead to another rep and returns the previous owner', async () => {
      const [l1] = await capOfOne();
      await store.assign(l1.id, 'a');
      expect(await store.assign(l1.id, 'b')).toMatchObject({ ok: true, previousOwner: 'a', lead: { claimedBy: 'b' } });
    });

    it('after a reassignment the held leads and counts follow the new owner', async () => {
      const [l1, l2] = await capOfOne();
      await store.assign(l1.id, 'a');
      await store.assign(l2.id, 'a');
      await store.assign(l1.id, 'b');
      expect(await store.heldCounts()).toEqual({ a: 1, b: 1 });
      expect((await store.heldLeads('a')).map((l) => l.id)).toEqual([l2.id]);
    });

    it('an unknown lead or rep answers NOT_FOUND and says which', async () => {
      const [, , l3] = await capOfOne();
      expect(await store.assign('ld_missing', 'a')).toEqual({ ok: false, code: 'NOT_FOUND', what: 'lead' });
      expect(await store.assign(l3.id, 'ghost')).toEqual({ ok: false, code: 'NOT_FOUND', what: 'rep' });
    });

    it('a closed lead cannot be assigned: NOT_OPEN', async () => {
      const [, l2] = await capOfOne();
      await store.assign(l2.id, 'a');
      await store.outcome(l2.id, 'a', 'won');
      expect(await store.assign(l2.id, 'b')).toEqual({ ok: false, code: 'NOT_OPEN' });
    });

    it('assigned leads leave the open list', async () => {
      const [l1, l2, l3] = await capOfOne();
      await store.assign(l1.id, 'a');
      await store.assign(l2.id, 'a');
      expect((await store.openLeads('default')).map((l) => l.id)).toEqual([l3.id]);
    });
  });

  describe('outcome', () => {
    /** Rep a holds four leads; b exists. */
    const fourHeld = async () => {
      await setup();
      await reps('a', 'b');
      const ls = await leads(4);
      for (const l of ls) await store.claim(l.id, 'a');
      return ls;
    };
    const closeThree = async (ls: Lead[]) => {
      const results = [];
      for (const [i, o] of [
        [1, 'won'],
        [2, 'lost'],
        [3, 'unreachable'],
      ] as const) {
        results.push([o, await store.outcome(ls[i].id, 'a', o, '')] as const);
      }
      return results;
    };

    it('an outcome for an unknown lead answers NOT_FOUND', async () => {
      await fourHeld();
      expect(await store.outcome('ld_missing', 'a', 'won')).toEqual({ ok: false, code: 'NOT_FOUND' });
    });

    it('only the owner records an outcome: NOT_OWNER', async () => {
      const ls = await fourHeld();
      expect(await store.outcome(ls[0].id, 'b', 'won')).toEqual({ ok: false, code: 'NOT_OWNER' });
    });

    it('contacted records the outcome and the note and keeps the lead claimed', async () => {
      const ls = await fourHeld();
      const contacted = await store.outcome(ls[0].id, 'a', 'contacted', 'left a voicemail');
      expect(contacted).toMatchObject({
        ok: true,
        lead: { status: 'claimed', outcome: 'contacted', outcomeNote: 'left a voicemail', claimedBy: 'a' },
      });
    });

    it('won, lost and unreachable close the lead, keep its owner and note and set closedAt', async () => {
      const ls = await fourHeld();
      for (const [o, r] of await closeThree(ls)) {
        expect(r).toMatchObject({ ok: true, lead: { status: 'closed', outcome: o, outcomeNote: '', claimedBy: 'a' } });
        if (r.ok) expect(Date.parse(r.lead.closedAt!)).toBeGreaterThan(Date.now() - 60_000);
      }
    });

    it('a closed lead takes no more outcomes: NOT_OWNER', async () => {
      const ls = await fourHeld();
      await closeThree(ls);
      expect(await store.outcome(ls[1].id, 'a', 'contacted')).toEqual({ ok: false, code: 'NOT_OWNER' });
    });

    it('a closed lead is no longer held', async () => {
      const ls = await fourHeld();
      await closeThree(ls);
      expect(await store.heldCounts()).toEqual({ a: 1 });
    });

    it('an outcome without a note keeps the note recorded before', async () => {
      const ls = await fourHeld();
      await store.outcome(ls[0].id, 'a', 'contacted', 'left a voicemail');
      const final = await store.outcome(ls[0].id, 'a', 'won');
      expect(final).toMatchObject({ ok: true, lead: { status: 'closed', outcomeNote: 'left a voicemail' } });
    });
  });

  describe('round-robin', () => {
    /** Reps a, b, c, and d (away); seven open leads. */
    const sevenLeads = async () => {
      await setup();
      await reps('a', 'b', 'c', 'd');
      const ls = await leads(7);
      await store.setAway('d', true);
      return ls;
    };
    const assignSix = async () => {
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await store.autoAssign('default', ['a', 'b', 'c', 'd', 'ghost']));
      return results;
    };

    it('autoAssign does nothing outside round-robin', async () => {
      await sevenLeads();
      expect(await store.autoAssign('default', ['a', 'b', 'c'])).toBeNull();
    });

    it('autoAssign gives the oldest open lead to the candidates in turn, skipping away and unknown ones', async () => {
      const ls = await sevenLeads();
      await store.setMode('default', 'round-robin');
      const owners: string[] = [];
      for (const [i, r] of (await assignSix()).entries()) {
        expect(r).toMatchObject({ mode: 'round-robin', lead: { id: ls[i].id, status: 'claimed' } });
        owners.push(r!.lead.claimedBy!);
      }
      expect(owners).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    });

    it('autoAssign skips candidates at their cap, and does nothing when all are', async () => {
      const ls = await sevenLeads();
      await store.setMode('default', 'round-robin');
      await assignSix();
      await store.patchSettings('default', { maxActivePerRep: 2 });
      expect(await store.autoAssign('default', ['a', 'b', 'c'])).toBeNull();
      await store.outcome(ls[1].id, 'b', 'won');
      expect(await store.autoAssign('default', ['a', 'b', 'c'])).toMatchObject({ lead: { id: ls[6].id, claimedBy: 'b' } });
    });

    it('autoAssign with no open lead does nothing', async () => {
      await sevenLeads();
      await store.setMode('default', 'round-robin');
      await assignSix();
      await store.autoAssign('default', ['a', 'b', 'c']);
      expect(await store.autoAssign('default', ['a', 'b', 'c'])).toBeNull();
    });

    it('weighted rotation assigns in proportion to weight (1 and 3 over 40 leads: 10/30)', async () => {
      await setup();
      await store.createRep(makeRep('light', { weight: 1 }));
      await store.createRep(makeRep('heavy', { weight: 3 }));
      await store.patchSettings('default', { weighted: true, maxActivePerRep: 1000 });
      await store.setMode('default', 'round-robin');
      await leads(40);
      const count: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        const r = await store.autoAssign('default', ['light', 'heavy']);
        count[r!.lead.claimedBy!] = (count[r!.lead.claimedBy!] ?? 0) + 1;
      }
      expect(count).toEqual({ light: 10, heavy: 30 });
      expect(await store.heldCounts()).toEqual({ light: 10, heavy: 30 });
    });
  });

  describe('due work', () => {
    /** Hybrid, escalation after `afterMs` (100 by default): one lead routed to a, one to everyone. */
    const narrowLead = async (afterMs = 100) => {
      await setup();
      await reps('a', 'b');
      await store.setMode('default', 'hybrid');
      await store.patchSettings('default', { escalateAfterMs: afterMs });
      const { lead } = await store.insertLead(draft({ eligible: ['a'] }));
      await store.insertLead(draft({ eligible: '*' })); // nothing to escalate
      return lead;
    };
    /** runDue on this node and on a peer at the same time: what either popped. */
    const runDueTwice = async () => {
      const peer = await h.peer();
      const [e1, e2] = await Promise.all([store.runDue(), peer.runDue()]);
      return [...e1, ...e2];
    };

    it('nothing escalates before escalateAfterMs', async () => {
      // A delay no slow machine reaches between the insert and runDue.
      const lead = await narrowLead(60_000);
      expect(await store.runDue()).toEqual([]);
      expect(await store.claim(lead.id, 'b')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    });

    it('after escalateAfterMs a narrowed open lead is offered to everyone, once cluster-wide', async () => {
      const lead = await narrowLead();
      await sleep(150);
      const events = await runDueTwice();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        kind: 'escalated',
        mode: 'hybrid',
        previousEligible: ['a'],
        lead: { id: lead.id, eligible: '*', status: 'open' },
      });
      expect(events[0].lead.escalatedAt).toBeDefined();
      expect(await store.runDue()).toEqual([]);
    });

    it('any rep may claim an escalated lead', async () => {
      const lead = await narrowLead();
      await sleep(150);
      await runDueTwice();
      expect(await store.claim(lead.id, 'b')).toMatchObject({ ok: true });
    });

    it('a claimed lead with no outcome goes back to the pool after claimTimeoutMs, once cluster-wide', async () => {
      await setup();
      await reps('a');
      await store.patchSettings('default', { claimTimeoutMs: 100 });
      const [l1] = await leads(1);
      await store.claim(l1.id, 'a');
      await sleep(120);
      const events = await runDueTwice();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'expired', previousOwner: 'a', lead: { id: l1.id, status: 'open' } });
      expect(events[0].lead.claimedBy).toBeUndefined();
      expect(await store.runDue()).toEqual([]);
    });

    it('a claimed lead with an outcome does not time out', async () => {
      await setup();
      await reps('a');
      await store.patchSettings('default', { claimTimeoutMs: 100 });
      const [l2] = await leads(1);
      await store.claim(l2.id, 'a');
      await store.outcome(l2.id, 'a', 'contacted'); // worked on: stays
      await sleep(120);
      expect(await runDueTwice()).toEqual([]);
      expect((await store.getLead(l2.id))!.status).toBe('claimed');
    });

    it('the timeout of a released claim does not end a later claim of the same lead', async () => {
      await setup();
      await reps('a', 'b');
      // Sleeps only ever run long: the old job is surely due at the first runDue, the new one
      // surely due at the second; the new one not yet due at the first has 150 ms of slack.
      await store.patchSettings('default', { claimTimeoutMs: 300 });
      const [l3] = await leads(1);
      await store.claim(l3.id, 'b');
      await store.release(l3.id, { repId: 'b' }); // released: its old job must not touch a new claim
      await sleep(150);
      await store.claim(l3.id, 'a');
      await sleep(150);
      expect(await runDueTwice()).toEqual([]);
      expect((await store.getLead(l3.id))!.claimedBy).toBe('a');
      await sleep(200);
      const later = await store.runDue();
      expect(later.map((e) => [e.kind, e.lead.id])).toEqual([['expired', l3.id]]);
    });

    it('turning claimTimeoutMs off cancels the timeouts already scheduled', async () => {
      await setup();
      await reps('a');
      await store.patchSettings('default', { claimTimeoutMs: 50 });
      const [claimed] = await leads(1);
      await store.claim(claimed.id, 'a');
      await store.patchSettings('default', { claimTimeoutMs: null });
      await sleep(100);
      expect(await store.runDue()).toEqual([]);
      expect((await store.getLead(claimed.id))!.status).toBe('claimed');
    });

    it('turning escalateAfterMs off cancels the escalations already scheduled', async () => {
      await setup();
      await reps('a');
      await store.setMode('default', 'hybrid');
      await store.patchSettings('default', { escalateAfterMs: 50 });
      const narrowed = (await store.insertLead(draft({ eligible: ['a'] }))).lead;
      await store.patchSettings('default', { escalateAfterMs: null });
      await sleep(100);
      expect(await store.runDue()).toEqual([]);
      expect((await store.getLead(narrowed.id))!.eligible).toEqual(['a']);
    });
  });

  describe('presence', () => {
    it('the first tab makes a rep available; another tab changes nothing', async () => {
      await setup();
      await reps('a');
      expect(await store.tabOpened('a', 't1')).toEqual({ repId: 'a', before: 'offline', after: 'available' });
      expect(await store.tabOpened('a', 't2')).toEqual({ repId: 'a', before: 'available', after: 'available' });
    });

    it('a claim or pull says whether the rep has an open tab besides the acting one (those hear of the lead)', async () => {
      await setup();
      await reps('a');
      const taken = async (tabId?: string) => {
        const lead = (await store.insertLead(draft())).lead;
        const result = await store.claim(lead.id, 'a', tabId);
        if (!result.ok) throw new Error(result.code);
        return result.otherTabs;
      };
      expect(await taken('t1')).toBe(false); // no tab open at all
      expect(await taken()).toBe(false);
      await store.tabOpened('a', 't1');
      expect(await taken('t1')).toBe(false); // its only tab acts
      expect(await taken('t9')).toBe(true); // a tab not recorded yet acts: t1 must hear of it
      expect(await taken()).toBe(true); // no acting tab (every tab hears)
      await store.tabOpened('a', 't2');
      expect(await taken('t1')).toBe(true);
      await store.tabClosed('a', 't2');
      expect(await taken('t1')).toBe(false);
      await store.insertLead(draft());
      expect(await store.pull('a', undefined, 't1')).toMatchObject({ ok: true, otherTabs: false });
      await store.tabOpened('a', 't2');
      await store.insertLead(draft());
      expect(await store.pull('a', undefined, 't1')).toMatchObject({ ok: true, otherTabs: true });
    });

    it('setAway makes an online rep away, and the rep is stored away', async () => {
      await setup();
      await reps('a');
      await store.tabOpened('a', 't1');
      expect(await store.setAway('a', true)).toEqual({ repId: 'a', before: 'available', after: 'away', pools: ['default'] });
      expect((await store.getRep('a'))!.away).toBe(true);
    });

    it('a rep with no tab stays offline when set away', async () => {
      await setup();
      await reps('b');
      expect(await store.setAway('b', true)).toEqual({ repId: 'b', before: 'offline', after: 'offline' });
    });

    it('onlinePresence lists the reps with a tab and their presence', async () => {
      await setup();
      await reps('a', 'b', 'c');
      await store.tabOpened('a', 't1');
      await store.setAway('a', true);
      await store.setAway('b', true);
      expect(await store.onlinePresence()).toEqual({ a: 'away' });
      await store.tabOpened('c', 't1');
      expect(await store.onlinePresence()).toEqual({ a: 'away', c: 'available' });
    });

    it('opening a tab clears away', async () => {
      await setup();
      await reps('a', 'b');
      await store.tabOpened('a', 't1');
      await store.setAway('a', true);
      await store.setAway('b', true);
      expect(await store.tabOpened('a', 't3')).toEqual({ repId: 'a', before: 'away', after: 'available' });
      expect(await store.tabOpened('b', 't1')).toEqual({ repId: 'b', before: 'offline', after: 'available' });
      expect(await store.onlinePresence()).toEqual({ a: 'available', b: 'available' });
    });

    it('closing a tab, or one already closed, leaves the rep online while another tab is open', async () => {
      await setup();
      await reps('a');
      await store.tabOpened('a', 't1');
      await store.tabOpened('a', 't2');
      expect(await store.tabClosed('a', 't1')).toEqual({ repId: 'a', before: 'available', after: 'available' });
      expect(await store.tabClosed('a', 't1')).toEqual({ repId: 'a', before: 'available', after: 'available' });
    });

    it('closing the last tab makes the rep offline and drops it from onlinePresence', async () => {
      await setup();
      await reps('a', 'b');
      await store.tabOpened('a', 't2');
      await store.tabOpened('a', 't3');
      await store.tabOpened('b', 't1');
      await store.tabClosed('a', 't2');
      expect(await store.tabClosed('a', 't3')).toEqual({ repId: 'a', before: 'available', after: 'offline', pools: ['default'] });
      expect(await store.onlinePresence()).toEqual({ b: 'available' });
    });

    it('an available rep that stops being available names its pools, whatever stopped it; no other change does', async () => {
      await setup();
      const west = { id: 'west', name: 'West', mode: 'shark-tank' as const, settings: structuredClone(DEFAULT_SETTINGS), rules: [] };
      await store.createPool({ ...west, createdAt: new Date().toISOString() });
      await store.createRep(makeRep('a', { pools: ['west', 'default'] }));
      const pools = ['west', 'default'];
      expect(await store.tabOpened('a', 't1')).toEqual({ repId: 'a', before: 'offline', after: 'available' });
      expect(await store.setAway('a', true)).toEqual({ repId: 'a', before: 'available', after: 'away', pools });
      expect(await store.setAway('a', false)).toEqual({ repId: 'a', before: 'away', after: 'available' });
      expect(await store.setOffShift('a', true)).toEqual({ repId: 'a', before: 'available', after: 'off-shift', pools });
      expect(await store.setOffShift('a', false)).toEqual({ repId: 'a', before: 'off-shift', after: 'available' });
      expect(await store.tabClosed('a', 't1')).toEqual({ repId: 'a', before: 'available', after: 'offline', pools });
      // away, then offline: it was not available when it went
      await store.tabOpened('a', 't2');
      await store.setAway('a', true);
      expect(await store.tabClosed('a', 't2')).toEqual({ repId: 'a', before: 'away', after: 'offline' });
    });

    it('a tab of an unknown rep leaves it offline', async () => {
      await setup();
      expect(await store.tabOpened('ghost', 't1')).toEqual({ repId: 'ghost', before: 'offline', after: 'offline' });
    });

    it('sweepPresence with every node alive changes nothing', async () => {
      await setup();
      await reps('b');
      await store.tabOpened('b', 't1');
      expect(await store.sweepPresence()).toEqual([]);
      expect(await store.onlinePresence()).toEqual({ b: 'available' });
    });
  });

  describe('reps', () => {
    const repA = () =>
      makeRep('a', { skills: ['saas'], languages: ['en', 'de'], countries: [], teams: ['emea'], maxActive: 4, weight: 2.5 });

    it('getRep returns the rep as created', async () => {
      await setup();
      const rep = repA();
      await store.createRep(rep);
      expect(await store.getRep('a')).toEqual(rep);
    });

    it('repByTokenHash finds a rep by its token hash, null for an unknown hash', async () => {
      await setup();
      const rep = repA();
      await store.createRep(rep);
      expect((await store.repByTokenHash(rep.tokenHash))?.id ?? null).toBe('a');
      expect((await store.repByTokenHash('nope'))?.id ?? null).toBeNull();
    });

    it('listReps lists the reps in creation order', async () => {
      await setup();
      await store.createRep(repA());
      await reps('b');
      expect((await store.listReps()).map((r) => r.id)).toEqual(['a', 'b']);
    });

    it('updateRep changes the given fields and returns the rep as stored', async () => {
      await setup();
      const rep = repA();
      await store.createRep(rep);
      const updated = await store.updateRep('a', { name: 'Renamed', maxActive: null, skills: [] });
      expect(updated).toEqual({ ...rep, name: 'Renamed', maxActive: null, skills: [] });
      expect(await store.getRep('a')).toEqual(updated);
    });

    it('updateRep and getRep of an unknown rep are null', async () => {
      await setup();
      expect(await store.updateRep('ghost', { name: 'x' })).toBeNull();
      expect(await store.getRep('ghost')).toBeNull();
    });

    it('setRepToken: the new hash finds the rep, the old one no longer does; the rep is otherwise unchanged', async () => {
      await setup();
      const rep = repA();
      await store.createRep(rep);
      await reps('b');
      expect(await store.setRepToken('a', sha('token-a-2'))).toBe(true);
      expect((await store.repByTokenHash(sha('token-a-2')))?.id ?? null).toBe('a');
      expect((await store.repByTokenHash(rep.tokenHash))?.id ?? null).toBeNull();
      expect((await store.repByTokenHash(sha('token-b')))?.id ?? null).toBe('b');
      expect(await store.getRep('a')).toEqual({ ...rep, tokenHash: sha('token-a-2') });
      // Rotating again, and deleting after a rotation, leave no hash behind.
      expect(await store.setRepToken('a', sha('token-a-3'))).toBe(true);
      expect((await store.repByTokenHash(sha('token-a-2')))?.id ?? null).toBeNull();
      await store.deleteRep('a');
      expect((await store.repByTokenHash(sha('token-a-3')))?.id ?? null).toBeNull();
      expect(await store.setRepToken('a', sha('token-a-4'))).toBe(false);
      expect((await store.repByTokenHash(sha('token-a-4')))?.id ?? null).toBeNull();
    });

    describe('deleteRep', () => {
      /** Reps a and b; a holds leads 0 and 2 and has a tab, b holds lead 1; two leads routed to a. */
      const aHoldsTwo = async () => {
        await setup();
        await reps('a', 'b');
        const ls = await leads(3);
        const narrow = (await store.insertLead(draft({ eligible: ['a', 'b'] }))).lead;
        const onlyA = (await store.insertLead(draft({ eligible: ['a'] }))).lead;
        await store.claim(ls[0].id, 'a');
        await store.claim(ls[2].id, 'a');
        await store.claim(ls[1].id, 'b');
        await store.tabOpened('a', 't1');
        return { ls, narrow, onlyA, res: await store.deleteRep('a') };
      };

      it('deleteRep returns the rep and the leads it held, released as open', async () => {
        const { ls, res } = await aHoldsTwo();
        expect(res!.rep.id).toBe('a');
        expect(res!.released.map((l) => l.id).sort()).toEqual([ls[0].id, ls[2].id].sort());
        for (const l of res!.released) {
          expect(l.status).toBe('open');
          expect(l.claimedBy).toBeUndefined();
        }
      });

      it('a deleted rep is forgotten: no rep, no token, not listed, holds nothing, offline', async () => {
        await aHoldsTwo();
        expect(await store.getRep('a')).toBeNull();
        expect((await store.repByTokenHash(sha('token-a')))?.id ?? null).toBeNull();
        expect((await store.listReps()).map((r) => r.id)).toEqual(['b']);
        expect(await store.heldCounts()).toEqual({ b: 1 });
        expect(await store.onlinePresence()).toEqual({});
      });

      it('a deleted rep leaves the eligible list of every lead', async () => {
        const { narrow, onlyA } = await aHoldsTwo();
        expect((await store.getLead(narrow.id))!.eligible).toEqual(['b']);
        expect((await store.getLead(onlyA.id))!.eligible).toEqual([]);
      });

      it('the released leads are open again in arrival order', async () => {
        const { ls, narrow, onlyA } = await aHoldsTwo();
        expect((await store.openLeads('default')).map((l) => l.id)).toEqual([ls[0].id, ls[2].id, narrow.id, onlyA.id]);
      });

      it('deleting an unknown rep is null', async () => {
        await aHoldsTwo();
        expect(await store.deleteRep('a')).toBeNull();
      });

      it('a deleted rep cannot claim: NOT_FOUND', async () => {
        const { ls } = await aHoldsTwo();
        expect(await store.claim(ls[0].id, 'a')).toEqual({ ok: false, code: 'NOT_FOUND' });
      });
    });
  });

  describe('pool and secrets', () => {
    it('a new pool is shark-tank, with no rules and the default settings', async () => {
      await setup();
      const pool = (await store.getPool('default'))!;
      expect(pool.mode).toBe('shark-tank');
      expect(pool.rules).toEqual([]);
      expect(pool.settings.maxActivePerRep).toBe(10);
    });

    it('setMode returns the previous mode', async () => {
      await setup();
      expect(await store.setMode('default', 'hybrid')).toEqual({ previous: 'shark-tank' });
      expect(await store.setMode('default', 'blind-pull')).toEqual({ previous: 'hybrid' });
    });

    it('patchSettings changes the given settings and returns them all', async () => {
      await setup();
      const pool = (await store.getPool('default'))!;
      const settings = await store.patchSettings('default', {
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
    });

    it('getPool returns the mode, settings and rules last set, with the pool’s id, name and creation time', async () => {
      await setup();
      const { createdAt } = (await store.getPool('default'))!;
      await store.setMode('default', 'blind-pull');
      const settings = await store.patchSettings('default', {
        maxActivePerRep: 3,
        teaserFields: [],
        filters: { countries: ['DE'] },
        claimTimeoutMs: null,
      });
      const rules = [{ name: 'de', when: { country: ['DE'] }, to: { languages: ['de'], reps: [] } }];
      await store.setRules('default', rules);
      expect(await store.getPool('default')).toEqual({ id: 'default', name: 'Default', createdAt, mode: 'blind-pull', settings, rules });
    });

    it('ensureSecret: of concurrent writers on two nodes exactly one creates the secret, and all get its hash', async () => {
      await setup();
      const peer = await h.peer();
      const results = await Promise.all([
        store.ensureSecret('manager', 'h1'),
        peer.ensureSecret('manager', 'h2'),
        store.ensureSecret('manager', 'h3'),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const stored = results.find((r) => r.created)!.hash;
      for (const r of results) expect(r.hash).toBe(stored);
    });

    it('ensureSecret keeps each name apart, and a later call gets the stored hash', async () => {
      await setup();
      await store.ensureSecret('manager', 'h1');
      expect(await store.ensureSecret('feed', 'f1')).toEqual({ hash: 'f1', created: true });
      expect(await store.ensureSecret('feed', 'f2')).toEqual({ hash: 'f1', created: false });
    });
  });

  describe('reopen', () => {
    /** A store with everything in it, what it answered before, and the store reopened on its data. */
    const reopened = async () => {
      await setup();
      await reps('a', 'b');
      await store.setMode('default', 'cherry-pick');
      await store.patchSettings('default', { maxActivePerRep: 7, claimCooldownMs: 60_000 });
      await store.setRules('default', [{ name: 'r', when: {}, to: { reps: ['a'] } }]);
      await store.ensureSecret('manager', 'mh');
      const ls = await leads(4, { tags: ['x'] });
      await store.claim(ls[1].id, 'a');
      await store.claim(ls[2].id, 'b');
      await store.outcome(ls[2].id, 'b', 'won');
      await store.setAway('b', true);
      const before = {
        pool: await store.getPool('default'),
        reps: await store.listReps(),
        all: await store.listLeads({ limit: Infinity }),
        open: await store.openLeads('default'),
        counts: await store.heldCounts(),
      };
      return { ls, before, again: await h.reopen() };
    };

    it('the pool (mode, settings, rules) survives a reopen', async () => {
      const { before, again } = await reopened();
      expect(await again.getPool('default')).toEqual(before.pool);
    });

    it('reps survive a reopen', async () => {
      const { before, again } = await reopened();
      expect(await again.listReps()).toEqual(before.reps);
    });

    it('leads survive a reopen, and the open ones keep their order', async () => {
      const { before, again } = await reopened();
      expect(await again.listLeads({ limit: Infinity })).toEqual(before.all);
      expect(await again.openLeads('default')).toEqual(before.open);
    });

    it('held counts survive a reopen', async () => {
      const { before, again } = await reopened();
      expect(await again.heldCounts()).toEqual(before.counts);
    });

    it('secrets survive a reopen', async () => {
      const { again } = await reopened();
      expect(await again.ensureSecret('manager', 'other')).toEqual({ hash: 'mh', created: false });
    });

    it('claim counters survive a reopen (COOLDOWN)', async () => {
      const { ls, again } = await reopened();
      expect(await again.claim(ls[3].id, 'a')).toEqual({ ok: false, code: 'COOLDOWN' });
    });

    it('a lead inserted after a reopen arrives after the old ones', async () => {
      const { ls, again } = await reopened();
      expect((await again.insertLead(draft({ externalId: 'late' }))).duplicate).toBe(false);
      expect((await again.openLeads('default')).map((l) => l.id).slice(0, 3)).toEqual([ls[0].id, ls[3].id, expect.any(String)]);
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
    await first.patchSettings('default', { claimCooldownMs: 60_000, maxClaimsPerWindow: 1, claimWindowMs: 60_000 });
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
    await store.patchSettings('default', { claimCooldownMs: 0 });
    expect(await store.claim(l2.id, 'a')).toEqual({ ok: false, code: 'WINDOW_CAP' });
    await store.close();
    expect(JSON.parse(readFileSync(file, 'utf8')).counters.a).toEqual({ ...rest, lastClaimAt, recentClaims });
  });
});
