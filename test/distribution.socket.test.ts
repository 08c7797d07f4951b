// Distribution v2 end to end, on both stores (docs/API.md, "No lead stranded", "Reclaiming
// leads", "Lead aging (SLA)"): what reps and managers see when nobody available may take a
// lead, when an unavailable rep's leads are taken back, and when a lead is overdue.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead } from '../shared/protocol.js';
import {
  barrier,
  codeOf,
  connectManager,
  connectRep,
  createPool,
  createReps,
  emitAck,
  okAck,
  patchSettings,
  postLead,
  repsOnline,
  setMode,
} from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

const DE_RULE = [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }];

describe.each(stores)('distribution v2 ($name)', (factory) => {
  const fresh = serversOf(factory);

  describe('whenNobodyEligible', () => {
    it('everyone (default): a hybrid lead whose only routed rep is offline is offered at once to every available rep; managers are told once', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      await createReps(p.manager, 1, { countries: ['DE'] }); // never connects
      const [fr] = await repsOnline(server, 1, { countries: ['FR'] });
      const m = await connectManager(server.url, server.managerToken);
      await p.manager.put('/api/rules', { rules: DE_RULE });
      const lead = await postLead(p.feed, { country: 'DE' });
      expect(await m.rec.waitFor(EV.leadStranded, (s) => s.leadId === lead.id)).toMatchObject({
        leadId: lead.id,
        poolId: 'default',
        action: 'everyone',
        lead: { eligible: '*', stranded: { action: 'everyone', poolId: 'default' } },
      });
      const offered = await fr.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
      expect(offered).not.toHaveProperty('stranded');
      expect(offered).not.toHaveProperty('eligible');
      expect(await okAck(fr.socket, EV.claim, { leadId: lead.id })).toMatchObject({ lead: { id: lead.id } });
      await barrier(fr.socket);
      expect(m.rec.of(EV.leadStranded).filter((s) => s.leadId === lead.id)).toHaveLength(1);
    });

    it('when the last routed rep goes away or offline, its waiting leads apply at once', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      const m = await connectManager(server.url, server.managerToken);
      await p.manager.put('/api/rules', { rules: DE_RULE });
      const lead = await postLead(p.feed, { country: 'DE' });
      await de.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: lead.id }))).toBe('NOT_ELIGIBLE');
      // A reload (the tab back within the offline grace) strands nothing.
      de.close();
      const deBack = await connectRep(server.url, de.token);
      await new Promise((r) => setTimeout(r, 3000));
      expect(m.rec.of(EV.leadStranded).filter((s) => s.leadId === lead.id)).toEqual([]);
      deBack.close();
      await m.rec.waitFor(EV.leadStranded, (s) => s.leadId === lead.id && s.action === 'everyone', { timeoutMs: 15_000 });
      await fr.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: lead.id }))).toBe('ok');

      // away, with its tab open, is unavailable too
      const [de2] = await repsOnline(server, 1, { countries: ['DE'] });
      const second = await postLead(p.feed, { country: 'DE' });
      await de2.rec.waitFor(EV.leadOffered, (v) => v.id === second.id);
      expect(await emitAck(de2.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      await m.rec.waitFor(EV.leadStranded, (s) => s.leadId === second.id && s.action === 'everyone');
      await fr.rec.waitFor(EV.leadOffered, (v) => v.id === second.id);
    });

    it('wait: the lead stays with its routed reps; managers are told', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      await patchSettings(p.manager, { whenNobodyEligible: 'wait' });
      await createReps(p.manager, 1, { countries: ['DE'] });
      const [fr] = await repsOnline(server, 1, { countries: ['FR'] });
      const m = await connectManager(server.url, server.managerToken);
      await p.manager.put('/api/rules', { rules: DE_RULE });
      const lead = await postLead(p.feed, { country: 'DE' });
      expect(await m.rec.waitFor(EV.leadStranded, (s) => s.leadId === lead.id)).toMatchObject({ action: 'wait', poolId: 'default' });
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: lead.id }))).toBe('NOT_ELIGIBLE');
      await barrier(fr.socket);
      expect(fr.rec.of(EV.leadOffered).filter((v) => v.id === lead.id)).toEqual([]);
    });

    it("a fallback pool: the lead moves there at once, gone from the old pool's reps, offered in the new one", async () => {
      const { server, p } = await fresh();
      await createPool(p.manager, 'night');
      const [day] = await repsOnline(server, 1);
      const [night] = await repsOnline(server, 1, { pools: ['night'] });
      const m = await connectManager(server.url, server.managerToken);
      await patchSettings(p.manager, { whenNobodyEligible: { pool: 'night' } });
      const lead = await postLead(p.feed);
      await day.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
      expect(await emitAck(day.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      expect(await m.rec.waitFor(EV.leadStranded, (s) => s.leadId === lead.id)).toMatchObject({
        poolId: 'default',
        action: 'moved',
        toPoolId: 'night',
        lead: { poolId: 'night' },
      });
      expect(await day.rec.waitFor(EV.leadGone, (g) => g.leadId === lead.id)).toEqual({
        leadId: lead.id,
        poolId: 'default',
        reason: 'withdrawn',
      });
      expect(await night.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id)).toMatchObject({ poolId: 'night' });
      expect(await okAck(night.socket, EV.claim, { leadId: lead.id })).toMatchObject({ lead: { poolId: 'night' } });
      const stored = (await p.manager.get(`/api/leads/${lead.id}`)).body.lead as Lead;
      expect(stored).toMatchObject({ poolId: 'night', status: 'claimed', stranded: { action: 'moved', poolId: 'default' } });
      // A lead arriving while nobody in the pool is available moves at once too.
      const late = await postLead(p.feed);
      await night.rec.waitFor(EV.leadOffered, (v) => v.id === late.id);
    });

    it('settings: a fallback pool must exist and differ; a pool that is a fallback cannot be deleted (409)', async () => {
      const { p } = await fresh();
      await createPool(p.manager, 'night');
      const bad = [{ pool: 'nope' }, { pool: 'default' }, 'maybe', { pool: 'NOT VALID' }, { pool: 'night', extra: 1 }];
      for (const whenNobodyEligible of bad) {
        const res = await p.manager.patch('/api/pool/settings', { whenNobodyEligible });
        expect(res.status, JSON.stringify(whenNobodyEligible)).toBe(422);
        expect(res.body.error.code).toBe('INVALID');
      }
      const ok = await p.manager.patch('/api/pool/settings', {
        whenNobodyEligible: { pool: 'night' },
        reclaimAfterOfflineMs: 60_000,
        slaMs: 30_000,
      });
      expect(ok.status).toBe(200);
      expect(ok.body.settings).toMatchObject({ whenNobodyEligible: { pool: 'night' }, reclaimAfterOfflineMs: 60_000, slaMs: 30_000 });
      expect(
        (await p.manager.post('/api/pools', { id: 'eve', name: 'Eve', settings: { whenNobodyEligible: { pool: 'eve' } } })).status,
      ).toBe(422);
      expect(
        (await p.manager.post('/api/pools', { id: 'eve', name: 'Eve', settings: { whenNobodyEligible: { pool: 'nope' } } })).status,
      ).toBe(422);
      expect(
        (await p.manager.post('/api/pools', { id: 'eve', name: 'Eve', settings: { whenNobodyEligible: { pool: 'night' } } })).status,
      ).toBe(201);
      const del = await p.manager.del('/api/pools/night');
      expect(del.status).toBe(409);
      expect(del.body.error.code).toBe('CONFLICT');
      expect((await p.manager.patch('/api/pool/settings', { whenNobodyEligible: 'everyone', slaMs: 0 })).body.settings).toMatchObject({
        whenNobodyEligible: 'everyone',
        slaMs: null,
      });
      expect((await p.manager.del('/api/pools/night')).status).toBe(409); // still eve's fallback
      expect((await p.manager.del('/api/pools/eve')).status).toBe(204);
      expect((await p.manager.del('/api/pools/night')).status).toBe(204);
    });
  });

  describe('reclaimAfterOfflineMs', () => {
    it('an away rep loses its claimed leads without an outcome (lead:revoked offline); they are offered again', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const m = await connectManager(server.url, server.managerToken);
      await patchSettings(p.manager, { reclaimAfterOfflineMs: 300 });
      const [lost, kept] = [await postLead(p.feed), await postLead(p.feed)];
      await okAck(a.socket, EV.claim, { leadId: lost.id });
      await okAck(a.socket, EV.claim, { leadId: kept.id });
      await okAck(a.socket, EV.outcome, { leadId: kept.id, outcome: 'contacted' });
      const mark = b.rec.mark();
      expect(await emitAck(a.socket, EV.presenceSet, { status: 'away' })).toEqual({ ok: true });
      expect(await a.rec.waitFor(EV.leadRevoked, (r) => r.leadId === lost.id)).toEqual({
        leadId: lost.id,
        poolId: 'default',
        reason: 'offline',
      });
      expect(await m.rec.waitFor(EV.leadReleased, (l) => l.id === lost.id)).toMatchObject({
        status: 'open',
        reason: 'offline',
        releasedBy: { role: 'system' },
        previousOwner: a.id,
      });
      await b.rec.waitFor(EV.leadOffered, (v) => v.id === lost.id, { from: mark });
      expect((await p.manager.get(`/api/leads/${kept.id}`)).body.lead).toMatchObject({ status: 'claimed', claimedBy: a.id });
    });

    it('a rep whose every tab is gone finds them gone from its leads when back; back in time it keeps them', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      await patchSettings(p.manager, { reclaimAfterOfflineMs: 400 });
      const lead = await postLead(p.feed);
      await okAck(a.socket, EV.claim, { leadId: lead.id });
      const mark = b.rec.mark();
      a.close();
      await b.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id, { from: mark, timeoutMs: 10_000 });
      const back = await connectRep(server.url, a.token);
      expect(back.state.mine).toEqual([]);
      expect(back.state.leads.map((v) => v.id)).toContain(lead.id);

      // back within the delay: nothing is taken
      await patchSettings(p.manager, { reclaimAfterOfflineMs: 1500 });
      const other = await postLead(p.feed);
      await okAck(back.socket, EV.claim, { leadId: other.id });
      back.close();
      const again = await connectRep(server.url, a.token);
      expect(again.state.mine.map((l) => l.id)).toEqual([other.id]);
      await new Promise((r) => setTimeout(r, 2000));
      await barrier(again.socket);
      expect(again.rec.of(EV.leadRevoked)).toEqual([]);
      expect((await p.manager.get(`/api/leads/${other.id}`)).body.lead).toMatchObject({ status: 'claimed', claimedBy: a.id });
    });
  });

  describe('slaMs', () => {
    it("a lead waiting past slaMs: lead:overdue once, flagged in reps' views and the dashboard; turned on later it counts from arrival", async () => {
      const { server, p } = await fresh();
      const [rep] = await repsOnline(server, 1);
      const m = await connectManager(server.url, server.managerToken);
      const waiting = await postLead(p.feed);
      await new Promise((r) => setTimeout(r, 300));
      await patchSettings(p.manager, { slaMs: 200 });
      const overdue = await m.rec.waitFor(EV.leadOverdue, (o) => o.leadId === waiting.id);
      expect(overdue).toMatchObject({ leadId: waiting.id, poolId: 'default', lead: { id: waiting.id } });
      expect(Date.parse(overdue.overdueAt)).toBeGreaterThanOrEqual(Date.parse(waiting.createdAt) + 200);
      const reoffered = await rep.rec.waitFor(EV.leadOffered, (v) => v.id === waiting.id && !!v.overdueAt);
      expect(reoffered.overdueAt).toBe(overdue.overdueAt);
      const tab = await connectRep(server.url, rep.token);
      expect(tab.state.leads.find((v) => v.id === waiting.id)?.overdueAt).toBe(overdue.overdueAt);
      const dash = await connectManager(server.url, server.managerToken);
      expect(dash.state.open.find((l) => l.id === waiting.id)?.overdueAt).toBe(overdue.overdueAt);
      // a new lead, claimed in time, never is
      const quick = await postLead(p.feed);
      await okAck(rep.socket, EV.claim, { leadId: quick.id });
      await new Promise((r) => setTimeout(r, 500));
      await barrier(rep.socket);
      expect(m.rec.of(EV.leadOverdue).map((o) => o.leadId)).toEqual([waiting.id]);
    });
  });
});
