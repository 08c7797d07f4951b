// Every rep→server event with its ok and error answers, the /manager namespace and
// socket authentication (assignment, timers, round-robin: assignment.test.ts). A fresh
// server (empty store) per test; each test names the one rule it checks.
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead } from '../shared/protocol.js';
import {
  codeOf,
  connectError,
  connectManager,
  connectRep,
  createReps,
  emitAck,
  emitRawAck,
  eventually,
  okAck,
  okOf,
  patchSettings,
  postLead,
  repsOnline,
  setMode,
} from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

describe.each(stores)('socket events ($name store)', (factory) => {
  const fresh = serversOf(factory);

  describe('lead:claim', () => {
    it('ok answers the full lead (contact fields, no eligible) with claimedAt', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const lead = await postLead(p.feed);
      const ok = await emitAck(a.socket, EV.claim, { leadId: lead.id });
      expect(ok.ok).toBe(true);
      expect(Object.keys(ok).sort()).toEqual(['lead', 'ok']);
      const claimed = okOf(ok).lead;
      const { eligible: _eligible, ...fields } = lead;
      expect(claimed).toMatchObject({ ...fields, status: 'claimed', claimedBy: a.id });
      expect(claimed).not.toHaveProperty('eligible');
      expect(Date.parse(claimed.claimedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(lead.createdAt));
    });

    it('ALREADY_CLAIMED for a claimed lead, for another rep and for its owner', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ALREADY_CLAIMED');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ALREADY_CLAIMED');
    });

    it('NOT_FOUND for an unknown lead', async () => {
      const { server } = await fresh();
      const [a] = await repsOnline(server, 1);
      const nf = await emitAck(a.socket, EV.claim, { leadId: 'ld_nope' });
      expect(nf).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
    });

    it('NOT_OPEN for a closed lead', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect((await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'won' })).ok).toBe(true);
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('NOT_OPEN');
    });

    it('NOT_OPEN for a disqualified lead', async () => {
      const { server, p } = await fresh();
      const [b] = await repsOnline(server, 1);
      await patchSettings(p.manager, { filters: { countries: ['DE'] } });
      const dq = (await p.feed.post('/api/leads', { email: 'dq@example.test', country: 'FR' })).body.lead;
      expect(dq.status).toBe('disqualified');
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: dq.id }))).toBe('NOT_OPEN');
    });

    it('NOT_ELIGIBLE in hybrid for a lead a rule routes to other reps; a lead no rule matches is for everyone', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      const deLead = await postLead(p.feed, { country: 'DE' });
      const open = await postLead(p.feed, { country: 'IT' });
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: deLead.id }))).toBe('NOT_ELIGIBLE');
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: open.id }))).toBe('ok');
      expect(codeOf(await emitAck(de.socket, EV.claim, { leadId: deLead.id }))).toBe('ok');
    });

    it('NOT_ELIGIBLE in hybrid for a lead a rule routes to one rep by id', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      await p.manager.put('/api/rules', { rules: [{ name: 'mine', when: { tags: ['vip'] }, to: { reps: [fr.id] } }] });
      const vip = await postLead(p.feed, { tags: ['VIP'] });
      expect(codeOf(await emitAck(de.socket, EV.claim, { leadId: vip.id }))).toBe('NOT_ELIGIBLE');
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: vip.id }))).toBe('ok');
    });

    it('CAP_REACHED at settings.maxActivePerRep, for claims and pulls', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActivePerRep: 1 });
      const [plain] = await repsOnline(server, 1);
      expect(plain.state.maxActive).toBe(1);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[1].id }))).toBe('CAP_REACHED');
      expect(codeOf(await emitAck(plain.socket, EV.pull, {}))).toBe('CAP_REACHED');
    });

    it("CAP_REACHED at a rep's own maxActive, which overrides settings.maxActivePerRep", async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActivePerRep: 1 });
      const [big] = await repsOnline(server, 1, { maxActive: 3 });
      expect(big.state.maxActive).toBe(3);
      const leads: Lead[] = [];
      for (let i = 0; i < 4; i++) leads.push(await postLead(p.feed));
      for (const l of leads.slice(0, 3)) expect(codeOf(await emitAck(big.socket, EV.claim, { leadId: l.id }))).toBe('ok');
      expect(codeOf(await emitAck(big.socket, EV.claim, { leadId: leads[3].id }))).toBe('CAP_REACHED');
    });

    it('CAP_REACHED counts a contacted lead; a closing outcome frees its slot', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActivePerRep: 1 });
      const [plain] = await repsOnline(server, 1);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(plain.socket, EV.outcome, { leadId: leads[0].id, outcome: 'contacted' }))).toBe('ok');
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[1].id }))).toBe('CAP_REACHED');
      expect(codeOf(await emitAck(plain.socket, EV.outcome, { leadId: leads[0].id, outcome: 'unreachable' }))).toBe('ok');
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[1].id }))).toBe('ok');
    });

    it("CAP_REACHED follows a rep's maxActive raised over HTTP at once", async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActivePerRep: 1 });
      const [plain] = await repsOnline(server, 1);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[1].id }))).toBe('CAP_REACHED');
      await p.manager.patch(`/api/reps/${plain.id}`, { maxActive: 2 });
      expect(codeOf(await emitAck(plain.socket, EV.claim, { leadId: leads[1].id }))).toBe('ok');
    });

    it('MODE_FORBIDS claims in blind-pull', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const lead = await postLead(p.feed);
      await setMode(p.manager, 'blind-pull');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('MODE_FORBIDS');
    });

    it('MODE_FORBIDS claims and pulls in round-robin', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      await emitAck(a.socket, EV.presenceSet, { status: 'away' }); // so round-robin assigns nothing to it
      const lead = await postLead(p.feed);
      await setMode(p.manager, 'round-robin');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('MODE_FORBIDS');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('MODE_FORBIDS');
    });

    it('a lead refused with MODE_FORBIDS is claimable once the mode offers leads again', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      await emitAck(a.socket, EV.presenceSet, { status: 'away' }); // so round-robin assigns nothing to it
      const lead = await postLead(p.feed);
      await setMode(p.manager, 'round-robin');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('MODE_FORBIDS');
      await setMode(p.manager, 'cherry-pick');
      await emitAck(a.socket, EV.presenceSet, { status: 'available' });
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
    });

    it('UNAVAILABLE for claims and pulls while away', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('UNAVAILABLE');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('UNAVAILABLE');
    });

    it('an away rep is still offered leads', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      const lead = await postLead(p.feed);
      await a.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
    });

    it('a rep available again may claim', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('UNAVAILABLE');
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'available' })).toEqual({ ok: true });
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
    });

    it('COOLDOWN for claims and pulls right after a successful claim', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { claimCooldownMs: 300 });
      const [a] = await repsOnline(server, 1);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      expect((await emitAck(a.socket, EV.claim, { leadId: leads[0].id })).ok).toBe(true);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[1].id }))).toBe('COOLDOWN');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('COOLDOWN');
    });

    it('COOLDOWN is per rep: another rep claims meanwhile', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { claimCooldownMs: 300 });
      const [a, b] = await repsOnline(server, 2);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      expect((await emitAck(a.socket, EV.claim, { leadId: leads[0].id })).ok).toBe(true);
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: leads[1].id }))).toBe('ok');
    });

    it('COOLDOWN ends once claimCooldownMs has passed', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { claimCooldownMs: 300 });
      const [a] = await repsOnline(server, 1);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      const claimed = await emitAck(a.socket, EV.claim, { leadId: leads[0].id });
      const claimedAt = Date.now();
      expect(claimed.ok).toBe(true);
      const after = await eventually(
        async () => ((await emitAck(a.socket, EV.claim, { leadId: leads[1].id })).ok ? Date.now() : 0),
        3000,
        50,
      );
      expect(after - claimedAt).toBeGreaterThanOrEqual(250);
    });

    it('WINDOW_CAP after maxClaimsPerWindow successful claims per claimWindowMs, pulls included', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const [a] = await repsOnline(server, 1);
      const leads: Lead[] = [];
      for (let i = 0; i < 3; i++) leads.push(await postLead(p.feed));
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('WINDOW_CAP');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('WINDOW_CAP');
    });

    it('WINDOW_CAP stays when a lead is closed: the window is not given back', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const [a] = await repsOnline(server, 1);
      const leads: Lead[] = [];
      for (let i = 0; i < 3; i++) leads.push(await postLead(p.feed));
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('WINDOW_CAP');
    });

    it('WINDOW_CAP is per rep', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const [a, b] = await repsOnline(server, 2);
      const leads: Lead[] = [];
      for (let i = 0; i < 3; i++) leads.push(await postLead(p.feed));
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('WINDOW_CAP');
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: leads[2].id }))).toBe('ok');
    });

    it('WINDOW_CAP is lifted when the window is turned off', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const [a] = await repsOnline(server, 1);
      const leads: Lead[] = [];
      for (let i = 0; i < 3; i++) leads.push(await postLead(p.feed));
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.pull, {}))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('WINDOW_CAP');
      await patchSettings(p.manager, { maxClaimsPerWindow: null });
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('ok');
    });
  });

  describe('flood guard', () => {
    it('RATE_LIMITED beyond maxActionsPerSecond pulls per rep', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActionsPerSecond: 3 });
      const [a] = await repsOnline(server, 1);
      const answers = await Promise.all(Array.from({ length: 12 }, () => emitAck(a.socket, EV.pull, {})));
      const codes = answers.map(codeOf);
      // At most 3 per one-second bucket pass; even across a bucket boundary that is 6.
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(6);
      expect(codes.every((c) => ['RATE_LIMITED', 'POOL_EMPTY'].includes(c))).toBe(true);
    });

    it('RATE_LIMITED is per rep: another rep claims during the flood', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActionsPerSecond: 3 });
      const [a, b] = await repsOnline(server, 2);
      const answers = await Promise.all(Array.from({ length: 12 }, () => emitAck(a.socket, EV.pull, {})));
      expect(answers.map(codeOf)).toContain('RATE_LIMITED');
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
    });
  });

  describe('lead:pull', () => {
    it('POOL_EMPTY when no lead waits', async () => {
      const { server } = await fresh();
      const [de] = await repsOnline(server, 1);
      expect(await emitAck(de.socket, EV.pull, {})).toEqual({ ok: false, error: { code: 'POOL_EMPTY', message: expect.any(String) } });
    });

    it('outside hybrid a pull takes the oldest open lead, whatever the routing', async () => {
      const { server, p } = await fresh();
      const [, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      const deOld = await postLead(p.feed, { country: 'DE' });
      await postLead(p.feed, { country: 'GB' });
      const first = await okAck(fr.socket, EV.pull, {});
      expect(first.lead).toMatchObject({ id: deOld.id, claimedBy: fr.id, email: deOld.email });
    });

    it('the other reps hear lead:gone (claimed) for a pulled lead', async () => {
      const { server, p } = await fresh();
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      const deOld = await postLead(p.feed, { country: 'DE' });
      expect(codeOf(await emitAck(fr.socket, EV.pull, {}))).toBe('ok');
      expect(await de.rec.waitFor(EV.leadGone, (g) => g.leadId === deOld.id)).toEqual({
        leadId: deOld.id,
        poolId: 'default',
        reason: 'claimed',
      });
    });

    it('in hybrid a pull takes the oldest lead the rep is eligible for', async () => {
      const { server, p } = await fresh();
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      const deOld = await postLead(p.feed, { country: 'DE' });
      const any1 = await postLead(p.feed, { country: 'GB' });
      const any2 = await postLead(p.feed, { country: 'GB' });
      await setMode(p.manager, 'hybrid');
      // The oldest lead is routed to DE, so FR pulls the next one it may take.
      expect((await okAck(fr.socket, EV.pull, {})).lead.id).toBe(any1.id);
      expect((await okAck(de.socket, EV.pull, {})).lead.id).toBe(deOld.id);
      expect((await okAck(fr.socket, EV.pull, {})).lead.id).toBe(any2.id);
    });

    it('POOL_EMPTY in hybrid once every lead the rep may take is gone, with or without a payload', async () => {
      const { server, p } = await fresh();
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      await postLead(p.feed, { country: 'DE' });
      await postLead(p.feed, { country: 'GB' });
      await setMode(p.manager, 'hybrid');
      expect(codeOf(await emitAck(fr.socket, EV.pull, {}))).toBe('ok');
      expect(codeOf(await emitAck(de.socket, EV.pull, {}))).toBe('ok');
      expect(codeOf(await emitAck(fr.socket, EV.pull, {}))).toBe('POOL_EMPTY');
      expect(codeOf(await emitAck(de.socket, EV.pull, undefined))).toBe('POOL_EMPTY');
    });
  });

  describe('lead:release', () => {
    it('ok answers { ok: true } and offers the lead again to the other reps', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      const mark = b.rec.mark();
      expect(await emitAck(a.socket, EV.release, { leadId: lead.id })).toEqual({ ok: true });
      const again = await b.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id, { from: mark });
      expect(again).toEqual({
        id: lead.id,
        createdAt: lead.createdAt,
        poolId: 'default',
        country: lead.country,
        language: lead.language,
        industry: lead.industry,
        companySize: lead.companySize,
        source: lead.source,
      });
    });

    it('managers hear lead:released with the lead open again', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(await emitAck(a.socket, EV.release, { leadId: lead.id })).toEqual({ ok: true });
      expect(await m.rec.waitFor(EV.leadReleased, (l) => l.id === lead.id)).toMatchObject({ status: 'open' });
    });

    it("NOT_OWNER for an open lead, another rep's lead and a lead released already", async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.release, { leadId: lead.id }))).toBe('NOT_OWNER');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(b.socket, EV.release, { leadId: lead.id }))).toBe('NOT_OWNER');
      expect(await emitAck(a.socket, EV.release, { leadId: lead.id })).toEqual({ ok: true });
      expect(codeOf(await emitAck(a.socket, EV.release, { leadId: lead.id }))).toBe('NOT_OWNER');
    });

    it('NOT_FOUND for an unknown lead', async () => {
      const { server } = await fresh();
      const [a] = await repsOnline(server, 1);
      expect(codeOf(await emitAck(a.socket, EV.release, { leadId: 'ld_nope' }))).toBe('NOT_FOUND');
    });

    it('a released lead may be claimed by another rep; the releasing rep then hears lead:gone', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(await emitAck(a.socket, EV.release, { leadId: lead.id })).toEqual({ ok: true });
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      await a.rec.waitFor(EV.leadGone, (g) => g.leadId === lead.id);
    });
  });

  describe('lead:outcome', () => {
    it('contacted keeps the lead claimed, with the outcome and its note, without eligible', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      const contacted = await okAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'contacted', note: 'left a voicemail' });
      expect(contacted.lead).toMatchObject({
        id: lead.id,
        status: 'claimed',
        outcome: 'contacted',
        outcomeNote: 'left a voicemail',
        claimedBy: a.id,
        email: lead.email,
      });
      expect(contacted.lead).not.toHaveProperty('eligible');
    });

    it('managers hear lead:updated for contacted', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'contacted', note: 'left a voicemail' }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadUpdated, (l) => l.id === lead.id)).toMatchObject({ outcome: 'contacted' });
    });

    it('won, lost and unreachable close the lead', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      for (const outcome of ['won', 'lost', 'unreachable'] as const) {
        const lead = await postLead(p.feed);
        expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
        const closed = await okAck(a.socket, EV.outcome, { leadId: lead.id, outcome });
        expect(closed.lead).toMatchObject({ status: 'closed', outcome, claimedBy: a.id });
        expect(Date.parse(closed.lead.closedAt ?? '')).not.toBeNaN();
      }
    });

    it('managers hear lead:closed for won, lost and unreachable', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      for (const outcome of ['won', 'lost', 'unreachable'] as const) {
        const lead = await postLead(p.feed);
        expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
        expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome }))).toBe('ok');
        expect(await m.rec.waitFor(EV.leadClosed, (l) => l.id === lead.id)).toMatchObject({ status: 'closed', outcome });
      }
    });

    it('NOT_OWNER for a closed lead: it has no owner to report on', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'won' }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'lost' }))).toBe('NOT_OWNER');
    });

    it("NOT_OWNER for another rep's lead", async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(b.socket, EV.outcome, { leadId: lead.id, outcome: 'won' }))).toBe('NOT_OWNER');
    });

    it('NOT_OWNER or NOT_FOUND for an unknown lead', async () => {
      const { server } = await fresh();
      const [b] = await repsOnline(server, 1);
      expect(codeOf(await emitAck(b.socket, EV.outcome, { leadId: 'ld_nope', outcome: 'won' }))).toMatch(/NOT_OWNER|NOT_FOUND/);
    });

    it('INVALID for an unknown or missing outcome and a bad note', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      for (const bad of [
        { leadId: lead.id, outcome: 'maybe' },
        { leadId: lead.id },
        { leadId: lead.id, outcome: 'won', note: 'x'.repeat(2001) },
        { leadId: lead.id, outcome: 'won', note: 7 },
      ]) {
        expect(codeOf(await emitRawAck(a.socket, EV.outcome, [bad]))).toBe('INVALID');
      }
    });

    it('a contacted lead can still be closed, and then leaves pool:state.mine', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'contacted' }))).toBe('ok');
      expect((await okAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'won' })).lead.status).toBe('closed');
      const me = await connectRep(server.url, a.token);
      expect(me.state.mine).toEqual([]);
    });
  });

  describe('presence', () => {
    it('presence:set INVALID for anything but available or away', async () => {
      const { server } = await fresh();
      const [tab] = await repsOnline(server, 1);
      for (const bad of [{ status: 'busy' }, { status: 'offline' }, {}, { status: null }, 'away']) {
        expect(codeOf(await emitRawAck(tab.socket, EV.presenceSet, [bad]))).toBe('INVALID');
      }
    });

    it('managers see each change: offline, available when a tab connects, away and available as the rep says', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const m = await connectManager(server.url, server.managerToken);
      expect(m.state.reps.find((x) => x.id === r.rep.id)?.presence).toBe('offline');
      const presences = () =>
        m.rec
          .of(EV.repPresence)
          .filter((e) => e.repId === r.rep.id)
          .map((e) => e.presence);

      const tab = await connectRep(server.url, r.token);
      expect(tab.state.you.presence).toBe('available');
      await m.rec.waitFor(EV.repPresence, (e) => e.repId === r.rep.id && e.presence === 'available');
      expect(await emitAck(tab.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      expect(await m.rec.waitFor(EV.repPresence, (e) => e.repId === r.rep.id && e.presence === 'away')).toEqual({
        repId: r.rep.id,
        presence: 'away',
      });
      expect(await emitAck(tab.socket, EV.presenceSet, { status: 'available' })).toEqual({ ok: true });
      await m.rec.waitFor(EV.repPresence, (e) => e.repId === r.rep.id && e.presence === 'available' && presences().length === 3);
      expect(presences()).toEqual(['available', 'away', 'available']);
    });

    it('a rep stays available while another of its tabs is open', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const m = await connectManager(server.url, server.managerToken);
      const tab1 = await connectRep(server.url, r.token);
      await m.rec.waitFor(EV.repPresence, (e) => e.repId === r.rep.id && e.presence === 'available');
      const tab2 = await connectRep(server.url, r.token);
      expect(tab2.state.you.presence).toBe('available');
      const reps = server.leadpool.io.of('/rep');
      tab1.close();
      await eventually(() => reps.sockets.size === 1);
      const snapshot = await okAck(m.socket, EV.dashboardGet, {});
      expect(snapshot.state.reps.find((x) => x.id === r.rep.id)?.presence).toBe('available');
      expect((await p.manager.get('/api/reps')).body.reps[0].presence).toBe('available');
      expect(m.rec.of(EV.repPresence).filter((e) => e.repId === r.rep.id)).toEqual([{ repId: r.rep.id, presence: 'available' }]);
    });

    it('a rep is offline when its last tab closes', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const m = await connectManager(server.url, server.managerToken);
      const tab1 = await connectRep(server.url, r.token);
      const tab2 = await connectRep(server.url, r.token);
      await m.rec.waitFor(EV.repPresence, (e) => e.repId === r.rep.id && e.presence === 'available');
      tab1.close();
      tab2.close();
      expect(await m.rec.waitFor(EV.repPresence, (e) => e.presence === 'offline')).toEqual({ repId: r.rep.id, presence: 'offline' });
      expect(m.rec.of(EV.repPresence).map((e) => e.presence)).toEqual(['available', 'offline']);
      expect((await p.manager.get('/api/reps')).body.reps[0].presence).toBe('offline');
    });
  });

  describe('/manager namespace', () => {
    it('dashboard:state on connect: mode, settings, rules, reps without tokens, open and recent leads, stats', async () => {
      const { server, p } = await fresh();
      const [r1] = await createReps(p.manager, 1);
      const before = await postLead(p.feed);
      const m = await connectManager(server.url, server.managerToken);
      const s = m.state;
      expect(s.mode).toBe('shark-tank');
      expect(s.settings.maxActivePerRep).toBe(10);
      expect(s.rules).toEqual([]);
      expect(s.reps).toEqual([expect.objectContaining({ id: r1.rep.id, presence: 'offline' })]);
      expect(JSON.stringify(s)).not.toContain(r1.token);
      expect(s.open.map((l) => l.id)).toEqual([before.id]);
      expect(s.open[0].email).toBe(before.email);
      expect(s.recent.map((l) => l.id)).toEqual([before.id]);
      expect(s.stats).toMatchObject({ open: 1, claimed: 0, closed: 0, disqualified: 0, repsOnline: 0, repsAvailable: 0 });
    });

    it('rep:presence when a rep connects and when it leaves', async () => {
      const { server, p } = await fresh();
      const [r1] = await createReps(p.manager, 1);
      const m = await connectManager(server.url, server.managerToken);
      const rep = await connectRep(server.url, r1.token);
      expect(await m.rec.waitFor(EV.repPresence)).toEqual({ repId: r1.rep.id, presence: 'available' });
      rep.close();
      expect(await m.rec.waitFor(EV.repPresence, (e) => e.presence === 'offline')).toEqual({ repId: r1.rep.id, presence: 'offline' });
    });

    it('lead:created with the full lead when a lead arrives', async () => {
      const { server, p } = await fresh();
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(await m.rec.waitFor(EV.leadCreated, (l) => l.id === lead.id)).toMatchObject({ ...lead });
    });

    it('lead:claimed when a rep claims', async () => {
      const { server, p } = await fresh();
      const [r1] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(r1.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadClaimed, (l) => l.id === lead.id)).toMatchObject({ status: 'claimed', claimedBy: r1.id });
    });

    it('lead:released when a rep releases', async () => {
      const { server, p } = await fresh();
      const [r1] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(r1.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(r1.socket, EV.release, { leadId: lead.id }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadReleased, (l) => l.id === lead.id)).toMatchObject({ status: 'open' });
    });

    it('lead:closed when a rep closes a lead', async () => {
      const { server, p } = await fresh();
      const [r1] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(r1.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(r1.socket, EV.outcome, { leadId: lead.id, outcome: 'won' }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadClosed, (l) => l.id === lead.id)).toMatchObject({ status: 'closed', outcome: 'won' });
    });

    it('stats after changes: counts, reps online and available, median speed-to-claim', async () => {
      const { server, p } = await fresh();
      const [r1] = await createReps(p.manager, 1);
      await postLead(p.feed);
      const m = await connectManager(server.url, server.managerToken);
      const rep = await connectRep(server.url, r1.token);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(rep.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(rep.socket, EV.outcome, { leadId: lead.id, outcome: 'won' }))).toBe('ok');
      const stats = await m.rec.waitFor(EV.stats, (x) => x.closed === 1, { timeoutMs: 5000 });
      expect(stats).toMatchObject({ open: 1, claimed: 0, closed: 1, repsOnline: 1, repsAvailable: 1 });
      expect(typeof stats.medianSpeedToClaimMs).toBe('number');
    });

    it('mode:set answers the mode; managers and reps hear mode:changed, reps then a fresh pool:state', async () => {
      const { server, p } = await fresh();
      const [rep] = await repsOnline(server, 1);
      await postLead(p.feed);
      const m = await connectManager(server.url, server.managerToken);
      const ack = await emitAck(m.socket, EV.modeSet, { mode: 'blind-pull' });
      expect(ack).toEqual({ ok: true, mode: 'blind-pull' });
      expect(await m.rec.waitFor(EV.modeChanged)).toEqual({ mode: 'blind-pull', poolId: 'default' });
      expect(await rep.rec.waitFor(EV.modeChanged)).toEqual({ mode: 'blind-pull', poolId: 'default' });
      expect(await rep.rec.waitFor(EV.poolState, (x) => x.mode === 'blind-pull')).toMatchObject({ leads: [], waiting: 1 });
      expect((await p.manager.get('/api/pool')).body.mode).toBe('blind-pull');
    });

    it('mode:set INVALID for a bad payload, changing nothing', async () => {
      const { server, p } = await fresh();
      const m = await connectManager(server.url, server.managerToken);
      for (const bad of [{ mode: 'chaos' }, {}, null, 'hybrid', { mode: 'hybrid', x: 1 }])
        expect(codeOf(await emitRawAck(m.socket, EV.modeSet, [bad]))).toBe('INVALID');
      expect((await p.manager.get('/api/pool')).body.mode).toBe('shark-tank');
    });

    it('rep:create answers the rep and its token; managers hear reps:changed', async () => {
      const { server, p } = await fresh();
      await createReps(p.manager, 1);
      const m = await connectManager(server.url, server.managerToken);
      const created = await emitAck(m.socket, EV.repCreate, { name: 'Via socket' });
      expect(created).toMatchObject({ ok: true, rep: { name: 'Via socket' }, token: expect.any(String) });
      expect(await m.rec.waitFor(EV.repsChanged, (x) => x.reps.length === 2)).toBeTruthy();
    });

    it('settings:patch answers the settings', async () => {
      const { server } = await fresh();
      const m = await connectManager(server.url, server.managerToken);
      expect(await emitAck(m.socket, EV.settingsPatch, { claimCooldownMs: 5 })).toMatchObject({
        ok: true,
        settings: { claimCooldownMs: 5 },
      });
    });

    it('settings:patch INVALID for a contact field as a teaser field', async () => {
      const { server } = await fresh();
      const m = await connectManager(server.url, server.managerToken);
      expect(codeOf(await emitAck(m.socket, EV.settingsPatch, { teaserFields: ['email'] }))).toBe('INVALID');
    });
  });

  describe('socket authentication', () => {
    it('connect_error unauthorized for a missing, unknown, empty or over-long token, on both namespaces', async () => {
      const { server } = await fresh();
      for (const ns of ['/rep', '/manager'] as const) {
        expect(await connectError(server.url, ns)).toBe('unauthorized');
        expect(await connectError(server.url, ns, 'lpr_wrong-token-0000000000')).toBe('unauthorized');
        expect(await connectError(server.url, ns, '')).toBe('unauthorized');
        expect(await connectError(server.url, ns, 'x'.repeat(10_000))).toBe('unauthorized');
      }
    });

    it("connect_error forbidden for the feed key on both namespaces and for the other role's token", async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      for (const ns of ['/rep', '/manager'] as const) expect(await connectError(server.url, ns, server.feedKey)).toBe('forbidden');
      expect(await connectError(server.url, '/rep', server.managerToken)).toBe('forbidden');
      expect(await connectError(server.url, '/manager', r.token)).toBe('forbidden');
    });

    it('connect_error unauthorized for a token that is not a string', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      for (const token of [42, { a: 1 }, [r.token], null]) {
        const s = io(`${server.url}/rep`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
        const msg = await new Promise<string>((resolve) => {
          s.once('connect_error', (e) => resolve(e.message));
          s.once('connect', () => resolve('connected'));
        });
        s.close();
        expect(msg).toBe('unauthorized');
      }
    });

    it('the right tokens connect to their namespace', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const ok = await connectRep(server.url, r.token);
      expect(ok.state.you.id).toBe(r.rep.id);
      await connectManager(server.url, server.managerToken);
    });

    it("a deleted rep's token stops working", async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      expect((await p.manager.del(`/api/reps/${r.rep.id}`)).status).toBe(204);
      expect(await connectError(server.url, '/rep', r.token)).toBe('unauthorized');
    });
  });
});
