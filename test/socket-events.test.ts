// Every rep→server event with its ok and error answers, the /manager namespace and
// socket authentication (assignment, timers, round-robin: assignment.test.ts). A fresh
// server (empty store) per test.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { DashboardState, Lead, LiveStats, PoolState, Rep } from '../shared/protocol.js';
import {
  connectError,
  connectManager,
  connectRep,
  createReps,
  emitAck,
  eventually,
  patchSettings,
  postLead,
  repsOnline,
  setMode,
} from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

const code = (answer: any) => (answer.ok ? 'ok' : answer.error.code);

describe.each(stores)('socket events ($name store)', (factory) => {
  const fresh = serversOf(factory);

  describe('lead:claim', () => {
    it('ok with the full lead; NOT_FOUND, NOT_OPEN (closed, disqualified), ALREADY_CLAIMED', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      const ok = await emitAck(a.socket, EV.claim, { leadId: lead.id });
      expect(ok.ok).toBe(true);
      expect(Object.keys(ok).sort()).toEqual(['lead', 'ok']);
      const { eligible: _eligible, ...fields } = lead;
      expect(ok.lead).toMatchObject({ ...fields, status: 'claimed', claimedBy: a.id });
      expect(ok.lead).not.toHaveProperty('eligible');
      expect(Date.parse(ok.lead.claimedAt)).toBeGreaterThanOrEqual(Date.parse(lead.createdAt));
      expect(code(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ALREADY_CLAIMED');
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ALREADY_CLAIMED');
      const nf = await emitAck(a.socket, EV.claim, { leadId: 'ld_nope' });
      expect(nf).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
      expect((await emitAck(a.socket, EV.outcome, { leadId: lead.id, outcome: 'won' })).ok).toBe(true);
      expect(code(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('NOT_OPEN');
      await patchSettings(p.manager, { filters: { countries: ['DE'] } });
      const dq = (await p.feed.post('/api/leads', { email: 'dq@example.test', country: 'FR' })).body.lead as Lead;
      expect(dq.status).toBe('disqualified');
      expect(code(await emitAck(b.socket, EV.claim, { leadId: dq.id }))).toBe('NOT_OPEN');
    });

    it('NOT_ELIGIBLE in hybrid for a lead routed to other reps', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      const deLead = await postLead(p.feed, { country: 'DE' });
      const open = await postLead(p.feed, { country: 'IT' });
      expect(code(await emitAck(fr.socket, EV.claim, { leadId: deLead.id }))).toBe('NOT_ELIGIBLE');
      expect(code(await emitAck(fr.socket, EV.claim, { leadId: open.id }))).toBe('ok');
      expect(code(await emitAck(de.socket, EV.claim, { leadId: deLead.id }))).toBe('ok');
      // Rule to a rep by id.
      await p.manager.put('/api/rules', { rules: [{ name: 'mine', when: { tags: ['vip'] }, to: { reps: [fr.id] } }] });
      const vip = await postLead(p.feed, { tags: ['VIP'] });
      expect(code(await emitAck(de.socket, EV.claim, { leadId: vip.id }))).toBe('NOT_ELIGIBLE');
      expect(code(await emitAck(fr.socket, EV.claim, { leadId: vip.id }))).toBe('ok');
    });

    it("CAP_REACHED: settings.maxActivePerRep, overridden by a rep's own maxActive; freed by a closing outcome", async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActivePerRep: 1 });
      const [plain, big] = await repsOnline(server, 2, (i) => (i === 1 ? { maxActive: 3 } : {}));
      expect(plain.state.maxActive).toBe(1);
      expect(big.state.maxActive).toBe(3);
      const leads: Lead[] = [];
      for (let i = 0; i < 6; i++) leads.push(await postLead(p.feed));
      expect(code(await emitAck(plain.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(code(await emitAck(plain.socket, EV.claim, { leadId: leads[1].id }))).toBe('CAP_REACHED');
      expect(code(await emitAck(plain.socket, EV.pull, {}))).toBe('CAP_REACHED');
      for (const l of leads.slice(1, 4)) expect(code(await emitAck(big.socket, EV.claim, { leadId: l.id }))).toBe('ok');
      expect(code(await emitAck(big.socket, EV.claim, { leadId: leads[4].id }))).toBe('CAP_REACHED');
      // contacted keeps the lead (still counts); won frees a slot.
      expect(code(await emitAck(plain.socket, EV.outcome, { leadId: leads[0].id, outcome: 'contacted' }))).toBe('ok');
      expect(code(await emitAck(plain.socket, EV.claim, { leadId: leads[4].id }))).toBe('CAP_REACHED');
      expect(code(await emitAck(plain.socket, EV.outcome, { leadId: leads[0].id, outcome: 'unreachable' }))).toBe('ok');
      expect(code(await emitAck(plain.socket, EV.claim, { leadId: leads[4].id }))).toBe('ok');
      // Raising the rep's cap over HTTP applies at once.
      await p.manager.patch(`/api/reps/${plain.id}`, { maxActive: 2 });
      expect(code(await emitAck(plain.socket, EV.claim, { leadId: leads[5].id }))).toBe('ok');
    });

    it('MODE_FORBIDS in blind-pull and round-robin (pull too in round-robin)', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      await emitAck(a.socket, EV.presenceSet, { status: 'away' }); // so round-robin assigns nothing to it
      const lead = await postLead(p.feed);
      await setMode(p.manager, 'blind-pull');
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('MODE_FORBIDS');
      await setMode(p.manager, 'round-robin');
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('MODE_FORBIDS');
      expect(code(await emitAck(a.socket, EV.pull, {}))).toBe('MODE_FORBIDS');
      await setMode(p.manager, 'cherry-pick');
      await emitAck(a.socket, EV.presenceSet, { status: 'available' });
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
    });

    it('UNAVAILABLE while away (claim and pull), though offers still arrive', async () => {
      const { server, p } = await fresh();
      const [a] = await repsOnline(server, 1);
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      const lead = await postLead(p.feed);
      await a.rec.waitFor(EV.leadOffered, (v: any) => v.id === lead.id);
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('UNAVAILABLE');
      expect(code(await emitAck(a.socket, EV.pull, {}))).toBe('UNAVAILABLE');
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'available' })).toEqual({ ok: true });
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
    });

    it('COOLDOWN after a win, for claims and pulls, until claimCooldownMs has passed', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { claimCooldownMs: 300 });
      const [a, b] = await repsOnline(server, 2);
      const leads = [await postLead(p.feed), await postLead(p.feed), await postLead(p.feed)];
      const won = await emitAck(a.socket, EV.claim, { leadId: leads[0].id });
      const wonAt = Date.now();
      expect(won.ok).toBe(true);
      expect(code(await emitAck(a.socket, EV.claim, { leadId: leads[1].id }))).toBe('COOLDOWN');
      expect(code(await emitAck(a.socket, EV.pull, {}))).toBe('COOLDOWN');
      // Another rep is not affected.
      expect(code(await emitAck(b.socket, EV.claim, { leadId: leads[1].id }))).toBe('ok');
      const after = await eventually(
        async () => ((await emitAck(a.socket, EV.claim, { leadId: leads[2].id })).ok ? Date.now() : 0),
        3000,
        50,
      );
      expect(after - wonAt).toBeGreaterThanOrEqual(250);
    });

    it('WINDOW_CAP: at most maxClaimsPerWindow wins per claimWindowMs', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxClaimsPerWindow: 2, claimWindowMs: 60_000 });
      const [a, b] = await repsOnline(server, 2);
      const leads: Lead[] = [];
      for (let i = 0; i < 4; i++) leads.push(await postLead(p.feed));
      expect(code(await emitAck(a.socket, EV.claim, { leadId: leads[0].id }))).toBe('ok');
      expect(code(await emitAck(a.socket, EV.pull, {}))).toBe('ok');
      expect(code(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('WINDOW_CAP');
      expect(code(await emitAck(a.socket, EV.pull, {}))).toBe('WINDOW_CAP');
      // Closing leads does not give the window back.
      expect(code(await emitAck(a.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' }))).toBe('ok');
      expect(code(await emitAck(a.socket, EV.claim, { leadId: leads[2].id }))).toBe('WINDOW_CAP');
      expect(code(await emitAck(b.socket, EV.claim, { leadId: leads[2].id }))).toBe('ok');
      // Turning the window off lifts the cap.
      await patchSettings(p.manager, { maxClaimsPerWindow: null });
      expect(code(await emitAck(a.socket, EV.claim, { leadId: leads[3].id }))).toBe('ok');
    });
  });

  describe('flood guard', () => {
    it('RATE_LIMITED beyond maxActionsPerSecond pulls per rep; other reps unaffected', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { maxActionsPerSecond: 3 });
      const [a, b] = await repsOnline(server, 2);
      const answers = await Promise.all(Array.from({ length: 12 }, () => emitAck(a.socket, EV.pull, {})));
      const codes = answers.map(code);
      // At most 3 per one-second bucket pass; even across a bucket boundary that is 6.
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(6);
      expect(codes.every((c) => ['RATE_LIMITED', 'POOL_EMPTY'].includes(c))).toBe(true);
      const lead = await postLead(p.feed);
      expect(code(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
    });
  });

  describe('lead:pull', () => {
    it('POOL_EMPTY, then the oldest lead this rep is eligible for; others hear lead:gone', async () => {
      const { server, p } = await fresh();
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      expect(await emitAck(de.socket, EV.pull, {})).toEqual({ ok: false, error: { code: 'POOL_EMPTY', message: expect.any(String) } });
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      const deOld = await postLead(p.feed, { country: 'DE' });
      const any1 = await postLead(p.feed, { country: 'GB' });
      const any2 = await postLead(p.feed, { country: 'GB' });
      // Shark-tank: pulls are allowed and take the oldest (routing ignored outside hybrid).
      const first = await emitAck(fr.socket, EV.pull, {});
      expect(first.lead).toMatchObject({ id: deOld.id, claimedBy: fr.id, email: deOld.email });
      expect(await de.rec.waitFor(EV.leadGone, (g: any) => g.leadId === deOld.id)).toEqual({ leadId: deOld.id, reason: 'claimed' });
      expect(code(await emitAck(fr.socket, EV.release, { leadId: deOld.id }))).toBe('ok');
      // Hybrid: the oldest lead is routed to DE, so FR pulls the next one it may take.
      await setMode(p.manager, 'hybrid');
      const pulled = await emitAck(fr.socket, EV.pull, {});
      expect(pulled.lead.id).toBe(any1.id);
      expect((await emitAck(de.socket, EV.pull, {})).lead.id).toBe(deOld.id);
      expect((await emitAck(fr.socket, EV.pull, {})).lead.id).toBe(any2.id);
      expect(code(await emitAck(fr.socket, EV.pull, {}))).toBe('POOL_EMPTY');
      expect(code(await emitAck(de.socket, EV.pull, undefined))).toBe('POOL_EMPTY');
    });
  });

  describe('lead:release', () => {
    it("ok re-offers the lead to others; NOT_OWNER for another's or an open lead; NOT_FOUND", async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const m = await connectManager(server.url, server.managerToken);
      const lead = await postLead(p.feed);
      expect(code(await emitAck(a.socket, EV.release, { leadId: lead.id }))).toBe('NOT_OWNER');
      expect(code(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(code(await emitAck(b.socket, EV.release, { leadId: lead.id }))).toBe('NOT_OWNER');
      expect(code(await emitAck(a.socket, EV.release, { leadId: 'ld_nope' }))).toBe('NOT_FOUND');
      const mark = b.rec.mark();
      expect(await emitAck(a.socket, EV.release, { leadId: lead.id })).toEqual({ ok: true });
      const again = await b.rec.waitFor(EV.leadOffered, (v: any) => v.id === lead.id, { from: mark });
      expect(again).toEqual({
        id: lead.id,
        createdAt: lead.createdAt,
        country: lead.country,
        language: lead.language,
        industry: lead.industry,
        companySize: lead.companySize,
        source: lead.source,
      });
      expect(await m.rec.waitFor(EV.leadReleased, (l: Lead) => l.id === lead.id)).toMatchObject({ status: 'open' });
      // Released twice: no longer the owner.
      expect(code(await emitAck(a.socket, EV.release, { leadId: lead.id }))).toBe('NOT_OWNER');
      expect(code(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      await a.rec.waitFor(EV.leadGone, (g: any) => g.leadId === lead.id);
    });
  });

  describe('lead:outcome', () => {
    it('contacted keeps the lead; won, lost and unreachable close it; NOT_OWNER; INVALID', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const m = await connectManager(server.url, server.managerToken);
      const leads: Lead[] = [];
      for (let i = 0; i < 4; i++) leads.push(await postLead(p.feed));
      for (const l of leads) expect(code(await emitAck(a.socket, EV.claim, { leadId: l.id }))).toBe('ok');

      const contacted = await emitAck(a.socket, EV.outcome, { leadId: leads[0].id, outcome: 'contacted', note: 'left a voicemail' });
      expect(contacted.lead).toMatchObject({
        id: leads[0].id,
        status: 'claimed',
        outcome: 'contacted',
        outcomeNote: 'left a voicemail',
        claimedBy: a.id,
        email: leads[0].email,
      });
      expect(contacted.lead).not.toHaveProperty('eligible');
      expect(await m.rec.waitFor(EV.leadUpdated, (l: Lead) => l.id === leads[0].id)).toMatchObject({ outcome: 'contacted' });
      for (const [i, outcome] of (['won', 'lost', 'unreachable'] as const).entries()) {
        const closed = await emitAck(a.socket, EV.outcome, { leadId: leads[i + 1].id, outcome });
        expect(closed.lead).toMatchObject({ status: 'closed', outcome, claimedBy: a.id });
        expect(Date.parse(closed.lead.closedAt)).not.toBeNaN();
        expect(await m.rec.waitFor(EV.leadClosed, (l: Lead) => l.id === leads[i + 1].id)).toMatchObject({ status: 'closed', outcome });
      }
      // A closed lead has no owner to report on; a contacted one can still be closed.
      expect(code(await emitAck(a.socket, EV.outcome, { leadId: leads[1].id, outcome: 'lost' }))).toBe('NOT_OWNER');
      expect(code(await emitAck(b.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' }))).toBe('NOT_OWNER');
      expect(code(await emitAck(b.socket, EV.outcome, { leadId: 'ld_nope', outcome: 'won' }))).toMatch(/NOT_OWNER|NOT_FOUND/);
      for (const bad of [
        { leadId: leads[0].id, outcome: 'maybe' },
        { leadId: leads[0].id },
        { leadId: leads[0].id, outcome: 'won', note: 'x'.repeat(2001) },
        { leadId: leads[0].id, outcome: 'won', note: 7 },
      ]) {
        expect(code(await emitAck(a.socket, EV.outcome, bad))).toBe('INVALID');
      }
      expect((await emitAck(a.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' })).lead.status).toBe('closed');
      const me = await connectRep(server.url, a.token);
      expect(me.state.mine).toEqual([]);
    });
  });

  describe('presence', () => {
    it('presence:set INVALID; the manager sees available, away, offline (only when the last tab closes)', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const m = await connectManager(server.url, server.managerToken);
      expect(m.state.reps.find((x) => x.id === r.rep.id)!.presence).toBe('offline');
      const presences = () =>
        m.rec
          .of(EV.repPresence)
          .filter((e) => e.repId === r.rep.id)
          .map((e) => e.presence);

      const tab1 = await connectRep(server.url, r.token);
      expect(tab1.state.you.presence).toBe('available');
      await m.rec.waitFor(EV.repPresence, (e: any) => e.repId === r.rep.id && e.presence === 'available');
      for (const bad of [{ status: 'busy' }, { status: 'offline' }, {}, { status: null }, 'away']) {
        expect(code(await emitAck(tab1.socket, EV.presenceSet, bad))).toBe('INVALID');
      }
      expect(await emitAck(tab1.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      expect(await m.rec.waitFor(EV.repPresence, (e: any) => e.repId === r.rep.id && e.presence === 'away')).toEqual({
        repId: r.rep.id,
        presence: 'away',
      });
      expect(await emitAck(tab1.socket, EV.presenceSet, { status: 'available' })).toEqual({ ok: true });
      await m.rec.waitFor(EV.repPresence, (e: any) => e.repId === r.rep.id && e.presence === 'available' && presences().length === 3);

      // A second tab, then the first closes: still online.
      const tab2 = await connectRep(server.url, r.token);
      expect(tab2.state.you.presence).toBe('available');
      const reps = server.leadpool.io.of('/rep');
      tab1.close();
      await eventually(() => reps.sockets.size === 1);
      const snapshot = await emitAck(m.socket, 'dashboard:get', {});
      expect(snapshot.state.reps.find((x: Rep) => x.id === r.rep.id).presence).toBe('available');
      expect((await p.manager.get('/api/reps')).body.reps[0].presence).toBe('available');
      expect(presences()).toEqual(['available', 'away', 'available']);
      // The last tab closes: offline.
      tab2.close();
      expect(await m.rec.waitFor(EV.repPresence, (e: any) => e.presence === 'offline')).toEqual({ repId: r.rep.id, presence: 'offline' });
      expect(presences()).toEqual(['available', 'away', 'available', 'offline']);
      expect((await p.manager.get('/api/reps')).body.reps[0].presence).toBe('offline');
    });
  });

  describe('/manager namespace', () => {
    it('dashboard:state on connect, then live lead and presence events, stats, and mode:set with ack', async () => {
      const { server, p } = await fresh();
      const [r1] = await createReps(p.manager, 1);
      const before = await postLead(p.feed);
      const m = await connectManager(server.url, server.managerToken);
      const s: DashboardState = m.state;
      expect(s.mode).toBe('shark-tank');
      expect(s.settings.maxActivePerRep).toBe(10);
      expect(s.rules).toEqual([]);
      expect(s.reps).toEqual([expect.objectContaining({ id: r1.rep.id, presence: 'offline' })]);
      expect(JSON.stringify(s)).not.toContain(r1.token);
      expect(s.open.map((l) => l.id)).toEqual([before.id]);
      expect(s.open[0].email).toBe(before.email);
      expect(s.recent.map((l) => l.id)).toEqual([before.id]);
      expect(s.stats).toMatchObject({ open: 1, claimed: 0, closed: 0, disqualified: 0, repsOnline: 0, repsAvailable: 0 });

      const rep = await connectRep(server.url, r1.token);
      expect(await m.rec.waitFor(EV.repPresence)).toEqual({ repId: r1.rep.id, presence: 'available' });
      const lead = await postLead(p.feed);
      expect(await m.rec.waitFor(EV.leadCreated, (l: Lead) => l.id === lead.id)).toMatchObject({ ...lead });
      expect(code(await emitAck(rep.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadClaimed, (l: Lead) => l.id === lead.id)).toMatchObject({ status: 'claimed', claimedBy: r1.rep.id });
      expect(code(await emitAck(rep.socket, EV.release, { leadId: lead.id }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadReleased, (l: Lead) => l.id === lead.id)).toMatchObject({ status: 'open' });
      expect(code(await emitAck(rep.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(code(await emitAck(rep.socket, EV.outcome, { leadId: lead.id, outcome: 'won' }))).toBe('ok');
      expect(await m.rec.waitFor(EV.leadClosed, (l: Lead) => l.id === lead.id)).toMatchObject({ status: 'closed', outcome: 'won' });
      const stats = await m.rec.waitFor<LiveStats>(EV.stats, (x) => x.closed === 1, { timeoutMs: 5000 });
      expect(stats).toMatchObject({ open: 1, claimed: 0, closed: 1, repsOnline: 1, repsAvailable: 1 });
      expect(typeof stats.medianSpeedToClaimMs).toBe('number');

      // mode:set with an ack: every rep hears mode:changed, then a snapshot.
      const ack = await emitAck(m.socket, EV.modeSet, { mode: 'blind-pull' });
      expect(ack).toEqual({ ok: true, mode: 'blind-pull' });
      expect(await m.rec.waitFor(EV.modeChanged)).toEqual({ mode: 'blind-pull' });
      expect(await rep.rec.waitFor(EV.modeChanged)).toEqual({ mode: 'blind-pull' });
      expect(await rep.rec.waitFor<PoolState>(EV.poolState, (x) => x.mode === 'blind-pull')).toMatchObject({ leads: [], waiting: 1 });
      expect((await p.manager.get('/api/pool')).body.mode).toBe('blind-pull');
      for (const bad of [{ mode: 'chaos' }, {}, null, 'hybrid', { mode: 'hybrid', x: 1 }])
        expect(code(await emitAck(m.socket, EV.modeSet, bad))).toBe('INVALID');
      expect((await p.manager.get('/api/pool')).body.mode).toBe('blind-pull');
      // The rest of the manager routes as events.
      const created = await emitAck(m.socket, 'rep:create', { name: 'Via socket' });
      expect(created).toMatchObject({ ok: true, rep: { name: 'Via socket' }, token: expect.any(String) });
      expect(await m.rec.waitFor(EV.repsChanged, (x: any) => x.reps.length === 2)).toBeTruthy();
      expect(await emitAck(m.socket, 'settings:patch', { claimCooldownMs: 5 })).toMatchObject({
        ok: true,
        settings: { claimCooldownMs: 5 },
      });
      expect(code(await emitAck(m.socket, 'settings:patch', { teaserFields: ['email'] }))).toBe('INVALID');
      rep.close();
      expect(await m.rec.waitFor(EV.repPresence, (e: any) => e.presence === 'offline')).toEqual({ repId: r1.rep.id, presence: 'offline' });
    });
  });

  describe('socket authentication', () => {
    it('connect_error unauthorized for a missing or wrong token, forbidden for the wrong role, on both namespaces', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      for (const ns of ['/rep', '/manager'] as const) {
        expect(await connectError(server.url, ns)).toBe('unauthorized');
        expect(await connectError(server.url, ns, 'lpr_wrong-token-0000000000')).toBe('unauthorized');
        expect(await connectError(server.url, ns, '')).toBe('unauthorized');
        expect(await connectError(server.url, ns, 'x'.repeat(10_000))).toBe('unauthorized');
        expect(await connectError(server.url, ns, server.feedKey)).toBe('forbidden');
      }
      expect(await connectError(server.url, '/rep', server.managerToken)).toBe('forbidden');
      expect(await connectError(server.url, '/manager', r.token)).toBe('forbidden');
      // Non-string tokens.
      const { io } = await import('socket.io-client');
      for (const token of [42, { a: 1 }, [r.token], null]) {
        const s = io(`${server.url}/rep`, { auth: { token } as any, transports: ['websocket'], forceNew: true, reconnection: false });
        const msg = await new Promise<string>((resolve) => {
          s.once('connect_error', (e) => resolve(e.message));
          s.once('connect', () => resolve('connected'));
        });
        s.close();
        expect(msg).toBe('unauthorized');
      }
      // The right tokens work, and a deleted rep's token stops working.
      const ok = await connectRep(server.url, r.token);
      expect(ok.state.you.id).toBe(r.rep.id);
      await connectManager(server.url, server.managerToken);
      expect((await p.manager.del(`/api/reps/${r.rep.id}`)).status).toBe(204);
      expect(await connectError(server.url, '/rep', r.token)).toBe('unauthorized');
    });
  });
});
