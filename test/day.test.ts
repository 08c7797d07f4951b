// What the web app's day needs from the server (issue #12), on both stores: a new link for
// a rep (the old token refused at once, its tabs closed), a rep's Recent (GET /api/me/leads),
// who released a lead and why (lead:released), the claim timeout in pool:state, and live
// figures that follow round-robin assignments.
import { describe, expect, it } from 'vitest';
import { EV, type LeadReleased } from '../shared/events.js';
import type { Lead, Rep } from '../shared/protocol.js';
import { api } from './support/api.js';
import {
  codeOf,
  connectError,
  connectManager,
  connectRep,
  createReps,
  disconnected,
  emitAck,
  eventually,
  okAck,
  patchSettings,
  postLead,
  repsOnline,
  setMode,
} from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

describe.each(stores)('the rep’s and the manager’s day ($name store)', (factory) => {
  const fresh = serversOf(factory);

  describe('a new link for a rep', () => {
    it('POST /api/reps/:id/token answers a new token once; the old one is refused at once and its tabs close', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const tabs = await Promise.all([connectRep(server.url, r.token), connectRep(server.url, r.token)]);
      const lead = await postLead(p.feed);
      expect(codeOf(await emitAck(tabs[0].socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      const closed = tabs.map((t) => disconnected(t.socket));

      const res = await p.manager.post(`/api/reps/${r.rep.id}/token`, {});
      expect(res.status).toBe(200);
      const { rep, token } = res.body as { rep: Rep; token: string };
      expect(rep).toMatchObject({ id: r.rep.id, name: r.rep.name });
      expect(rep).not.toHaveProperty('tokenHash');
      expect(token).toMatch(/^lpr_/);
      expect(token).not.toBe(r.token);
      expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);

      expect((await api(server.url, r.token).get('/api/me')).status).toBe(401);
      expect(await connectError(server.url, '/rep', r.token)).toBe('unauthorized');
      expect((await api(server.url, token).get('/api/me')).body.rep.id).toBe(r.rep.id);
      // The rep keeps what it held: a new link is not a new rep.
      const again = await connectRep(server.url, token);
      expect(again.state.mine.map((l) => l.id)).toEqual([lead.id]);
      // The token never shows in the reps list.
      expect(JSON.stringify((await p.manager.get('/api/reps')).body)).not.toContain(token);

      expect((await p.manager.post('/api/reps/rep_nope/token', {})).status).toBe(404);
      expect((await api(server.url, token).post(`/api/reps/${r.rep.id}/token`, {})).status).toBe(403);
      expect((await p.feed.post(`/api/reps/${r.rep.id}/token`, {})).status).toBe(403);
    });

    it('rep:token on the manager socket does the same', async () => {
      const { server, p } = await fresh();
      const [r] = await createReps(p.manager, 1);
      const tab = await connectRep(server.url, r.token);
      const closed = disconnected(tab.socket);
      const m = await connectManager(server.url, server.managerToken);
      const answer = await okAck(m.socket, EV.repToken, { id: r.rep.id });
      expect(answer.rep.id).toBe(r.rep.id);
      await closed;
      expect(await connectError(server.url, '/rep', r.token)).toBe('unauthorized');
      await connectRep(server.url, answer.token);
      expect(codeOf(await emitAck(m.socket, EV.repToken, { id: 'rep_nope' }))).toBe('NOT_FOUND');
      expect(codeOf(await emitAck(m.socket, EV.repToken, { id: r.rep.id, extra: 1 } as never))).toBe('INVALID');
    });
  });

  describe('GET /api/me/leads', () => {
    it('a rep’s closed leads of the last days, newest close first, with outcome and note; its held ones with status=claimed', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const leads: Lead[] = [];
      for (let i = 0; i < 4; i++) leads.push(await postLead(p.feed));
      for (const l of leads.slice(0, 3)) expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: l.id }))).toBe('ok');
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: leads[3].id }))).toBe('ok');
      await okAck(a.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won', note: 'Signed the pilot' });
      await okAck(a.socket, EV.outcome, { leadId: leads[1].id, outcome: 'unreachable' });
      await okAck(b.socket, EV.outcome, { leadId: leads[3].id, outcome: 'lost', note: 'not mine' });

      const asA = api(server.url, a.token);
      const recent = await asA.get('/api/me/leads?status=closed&days=7');
      expect(recent.status).toBe(200);
      const closed = recent.body.leads as Lead[];
      expect(closed.map((l) => [l.id, l.outcome])).toEqual([
        [leads[1].id, 'unreachable'],
        [leads[0].id, 'won'],
      ]);
      expect(closed[1]).toMatchObject({ status: 'closed', outcomeNote: 'Signed the pilot', email: leads[0].email, claimedBy: a.id });
      expect(closed[1]).not.toHaveProperty('eligible');
      expect((await asA.get('/api/me/leads')).body.leads.map((l: Lead) => l.id)).toEqual(closed.map((l) => l.id));
      expect((await asA.get('/api/me/leads?status=claimed')).body.leads.map((l: Lead) => l.id)).toEqual([leads[2].id]);
      expect((await asA.get('/api/me/leads?limit=1')).body.leads.map((l: Lead) => l.id)).toEqual([leads[1].id]);

      for (const bad of ['days=0', 'days=91', 'status=open', 'limit=0', 'days=soon']) {
        expect((await asA.get(`/api/me/leads?${bad}`)).status, bad).toBe(422);
      }
      expect((await p.manager.get('/api/me/leads')).status).toBe(403);
      expect((await p.feed.get('/api/me/leads')).status).toBe(403);
      expect((await api(server.url, 'lpr_not_a_token_at_all').get('/api/me/leads')).status).toBe(401);
    });
  });

  describe('lead:released says who released the lead and why', () => {
    it('the rep, a manager, the claim timeout, the rep’s removal', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const m = await connectManager(server.url, server.managerToken);
      const released = (id: string, mark = 0) => m.rec.waitFor(EV.leadReleased, (l: LeadReleased) => l.id === id, { from: mark });

      const one = await postLead(p.feed);
      await okAck(a.socket, EV.claim, { leadId: one.id });
      await okAck(a.socket, EV.release, { leadId: one.id });
      expect(await released(one.id)).toMatchObject({
        status: 'open',
        releasedBy: { role: 'rep', repId: a.id },
        reason: 'rep',
        previousOwner: a.id,
      });

      let mark = m.rec.mark();
      await okAck(b.socket, EV.claim, { leadId: one.id });
      expect((await p.manager.post(`/api/leads/${one.id}/release`, {})).status).toBe(200);
      const byManager = await released(one.id, mark);
      expect(byManager).toMatchObject({ releasedBy: { role: 'manager' }, reason: 'manager', previousOwner: b.id });
      expect(byManager.releasedBy.repId).toBeUndefined();

      await patchSettings(p.manager, { claimTimeoutMs: 200 });
      mark = m.rec.mark();
      await okAck(a.socket, EV.claim, { leadId: one.id });
      expect(await m.rec.waitFor(EV.leadReleased, (l) => l.id === one.id, { from: mark, timeoutMs: 5000 })).toMatchObject({
        releasedBy: { role: 'system' },
        reason: 'expired',
        previousOwner: a.id,
      });
      await patchSettings(p.manager, { claimTimeoutMs: null });

      mark = m.rec.mark();
      await okAck(b.socket, EV.claim, { leadId: one.id });
      expect((await p.manager.del(`/api/reps/${b.id}`)).status).toBe(204);
      expect(await released(one.id, mark)).toMatchObject({ releasedBy: { role: 'manager' }, reason: 'removed', previousOwner: b.id });
    });
  });

  it('pool:state carries the pool’s claim timeout', async () => {
    const { server, p } = await fresh();
    const [r] = await createReps(p.manager, 1);
    expect((await connectRep(server.url, r.token)).state.claimTimeoutMs).toBeNull();
    await patchSettings(p.manager, { claimTimeoutMs: 90_000 });
    const tab = await connectRep(server.url, r.token);
    expect(tab.state.claimTimeoutMs).toBe(90_000);
    await patchSettings(p.manager, { claimTimeoutMs: 0 });
    await tab.rec.waitFor(EV.poolState, (s) => s.claimTimeoutMs === null);
  });

  it('after a switch to round-robin the live figures follow the assignments', async () => {
    const { server, p } = await fresh();
    await repsOnline(server, 2);
    for (let i = 0; i < 4; i++) await postLead(p.feed);
    const m = await connectManager(server.url, server.managerToken);
    expect(m.state.stats.open).toBe(4);
    // Let the stats pushes of the setup go out first: what follows the switch must come from it.
    await new Promise((r) => setTimeout(r, 1300));
    const mark = m.rec.mark();
    await setMode(p.manager, 'round-robin');
    const stats = await m.rec.waitFor(EV.stats, (s) => s.open === 0, { from: mark, timeoutMs: 5000 });
    expect(stats).toMatchObject({ open: 0, claimed: 4 });
    expect(stats.pools.default).toMatchObject({ open: 0, claimed: 4 });
    await eventually(async () => (await p.manager.get('/api/pools/default')).body.pool.waiting === 0);
  });
});
