// Leads that change hands without a claim: manual assignment (lead:assigned), revocation
// by a manager or by claimTimeoutMs (lead:revoked), hybrid escalation after
// escalateAfterMs, and round-robin assignment in rotation (plain and weighted).
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead } from '../shared/protocol.js';
import {
  barrier,
  codeOf,
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

describe.each(stores)('assignment and timers ($name store)', (factory) => {
  const fresh = serversOf(factory);

  describe('assignment, revocation, escalation', () => {
    it('lead:assigned on a manual assignment; lead:revoked on a manager release and on claimTimeoutMs expiry', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const lead = await postLead(p.feed);
      expect((await p.manager.post(`/api/leads/${lead.id}/assign`, { repId: a.id })).status).toBe(200);
      const assigned = await a.rec.waitFor(EV.leadAssigned, (l) => l.id === lead.id);
      expect(assigned).toMatchObject({ id: lead.id, status: 'claimed', claimedBy: a.id, email: lead.email });
      expect(await b.rec.waitFor(EV.leadGone, (g) => g.leadId === lead.id)).toEqual({
        leadId: lead.id,
        poolId: 'default',
        reason: 'assigned',
      });
      expect((await p.manager.post(`/api/leads/${lead.id}/release`)).status).toBe(200);
      expect(await a.rec.waitFor(EV.leadRevoked, (e) => e.leadId === lead.id)).toEqual({
        leadId: lead.id,
        poolId: 'default',
        reason: 'released',
      });
      await b.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);

      // Claim timeout: a lead with no outcome goes back; one with an outcome stays.
      await patchSettings(p.manager, { claimTimeoutMs: 250 });
      const kept = await postLead(p.feed);
      // Taken before the claim is sent: the store's claim time is later, so expiry is at least 250 ms after it.
      const claimedAt = Date.now();
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.claim, { leadId: kept.id }))).toBe('ok');
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: kept.id, outcome: 'contacted' }))).toBe('ok');
      const mark = b.rec.mark();
      expect(await a.rec.waitFor(EV.leadRevoked, (e) => e.leadId === lead.id && e.reason === 'expired', { timeoutMs: 15_000 })).toEqual({
        leadId: lead.id,
        poolId: 'default',
        reason: 'expired',
      });
      expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(250);
      await b.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id, { from: mark, timeoutMs: 15_000 });
      expect((await p.manager.get(`/api/leads/${lead.id}`)).body.lead).toMatchObject({ status: 'open' });
      expect(codeOf(await emitAck(b.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      // The contacted lead is still a's, well past the timeout.
      await eventually(() => Date.now() - claimedAt > 700, 3000);
      expect((await p.manager.get(`/api/leads/${kept.id}`)).body.lead).toMatchObject({ status: 'claimed', claimedBy: a.id });
      expect(a.rec.of(EV.leadRevoked).filter((e) => e.leadId === kept.id)).toEqual([]);
    });

    it('hybrid escalateAfterMs offers an unclaimed routed lead to everyone after the delay', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'hybrid');
      await patchSettings(p.manager, { escalateAfterMs: 300 });
      const [de, fr] = await repsOnline(server, 2, (i) => ({ countries: [i === 0 ? 'DE' : 'FR'] }));
      const m = await connectManager(server.url, server.managerToken);
      await p.manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
      // Taken before the post: the lead's clock starts inside it, so the escalation comes at least 300 ms after this.
      const postedAt = Date.now();
      const lead = await postLead(p.feed, { country: 'DE' });
      await de.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id);
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: lead.id }))).toBe('NOT_ELIGIBLE');
      const offered = await fr.rec.waitFor(EV.leadOffered, (v) => v.id === lead.id, { timeoutMs: 5000 });
      expect(Date.now() - postedAt).toBeGreaterThanOrEqual(295);
      expect(offered).not.toHaveProperty('email');
      expect(offered).not.toHaveProperty('eligible');
      expect(await m.rec.waitFor(EV.leadUpdated, (l: Lead) => l.id === lead.id)).toMatchObject({
        eligible: '*',
        escalatedAt: expect.any(String),
      });
      // The DE rep, offered it at arrival, is not offered it a second time.
      await barrier(de.socket);
      expect(de.rec.of(EV.leadOffered).filter((v) => v.id === lead.id)).toHaveLength(1);
      // A snapshot taken now lists it for the FR rep too.
      const frTab = await connectRep(server.url, fr.token);
      expect(frTab.state.leads.map((v) => v.id)).toContain(lead.id);
      frTab.close();
      expect(codeOf(await emitAck(fr.socket, EV.claim, { leadId: lead.id }))).toBe('ok');
      // A lead claimed before the delay is not escalated.
      const quick = await postLead(p.feed, { country: 'DE' });
      expect(codeOf(await emitAck(de.socket, EV.claim, { leadId: quick.id }))).toBe('ok');
      await eventually(() => Date.now() - postedAt > 1000, 3000);
      await barrier(fr.socket);
      expect(fr.rec.of(EV.leadOffered).filter((v) => v.id === quick.id)).toEqual([]);
    });
  });

  describe('round-robin', () => {
    it('assigns in rotation to available reps only, within caps', async () => {
      const { server, p } = await fresh();
      const reps = await repsOnline(server, 3);
      await setMode(p.manager, 'round-robin');
      const owners: string[] = [];
      for (let i = 0; i < 6; i++) {
        const lead = await postLead(p.feed);
        const owner = await Promise.any(reps.map((r) => r.rec.waitFor(EV.leadAssigned, (l) => l.id === lead.id).then(() => r.id)));
        owners.push(owner);
      }
      // Each of the three once per round, in the same order both rounds.
      expect(new Set(owners.slice(0, 3)).size).toBe(3);
      expect(owners.slice(3)).toEqual(owners.slice(0, 3));

      // An away rep is skipped.
      const [a, b, c] = reps;
      await emitAck(c.socket, EV.presenceSet, { status: 'away' });
      const next: string[] = [];
      for (let i = 0; i < 4; i++) {
        const lead = await postLead(p.feed);
        next.push(await Promise.any([a, b].map((r) => r.rec.waitFor(EV.leadAssigned, (l) => l.id === lead.id).then(() => r.id))));
      }
      expect(next.filter((id) => id === a.id)).toHaveLength(2);
      expect(next.filter((id) => id === b.id)).toHaveLength(2);
      expect(c.rec.of(EV.leadAssigned)).toHaveLength(2);

      // Caps: a and b hold 4 each; with a cap of 4 a new lead waits until one closes.
      await patchSettings(p.manager, { maxActivePerRep: 4 });
      const waiting = await postLead(p.feed);
      const m = await connectManager(server.url, server.managerToken);
      expect(m.state.open.map((l) => l.id)).toEqual([waiting.id]);
      const first = a.rec.of(EV.leadAssigned)[0];
      expect(codeOf(await emitAck(a.socket, EV.outcome, { leadId: first.id, outcome: 'won' }))).toBe('ok');
      expect(await a.rec.waitFor(EV.leadAssigned, (l) => l.id === waiting.id)).toMatchObject({
        claimedBy: a.id,
        email: waiting.email,
      });
    });

    it('a rep coming online or back from away gets the waiting leads', async () => {
      const { server, p } = await fresh();
      await setMode(p.manager, 'round-robin');
      const [r] = await createReps(p.manager, 1, { maxActive: 2 });
      const leads = [await postLead(p.feed), await postLead(p.feed), await postLead(p.feed)];
      const tab = await connectRep(server.url, r.token);
      // Assigned on connect: either already in the snapshot's `mine` or by lead:assigned.
      const held = async () =>
        new Set([...(await p.manager.get(`/api/leads?repId=${r.rep.id}&status=claimed`)).body.leads.map((l: Lead) => l.id)]);
      await eventually(async () => (await held()).size === 2);
      expect(await held()).toEqual(new Set([leads[0].id, leads[1].id]));
      await eventually(() => {
        const seen = new Set([
          ...tab.rec.of(EV.poolState).flatMap((st) => st.mine.map((l) => l.id)),
          ...tab.rec.of(EV.leadAssigned).map((l) => l.id),
        ]);
        return seen.has(leads[0].id) && seen.has(leads[1].id);
      });
      // Away: a freed slot is not refilled until it is available again.
      expect(codeOf(await emitAck(tab.socket, EV.presenceSet, { status: 'away' }))).toBe('ok');
      expect(codeOf(await emitAck(tab.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' }))).toBe('ok');
      await barrier(tab.socket);
      expect((await p.manager.get(`/api/leads/${leads[2].id}`)).body.lead.status).toBe('open');
      expect(codeOf(await emitAck(tab.socket, EV.presenceSet, { status: 'available' }))).toBe('ok');
      expect(await tab.rec.waitFor(EV.leadAssigned, (l) => l.id === leads[2].id)).toMatchObject({
        claimedBy: r.rep.id,
        email: leads[2].email,
      });
    });

    it('weighted: assignments in proportion to weight', async () => {
      const { server, p } = await fresh();
      await patchSettings(p.manager, { weighted: true, maxActivePerRep: 100 });
      const [heavy, light] = await repsOnline(server, 2, (i) => ({ weight: i === 0 ? 3 : 1 }));
      await setMode(p.manager, 'round-robin');
      for (let i = 0; i < 12; i++) await postLead(p.feed);
      await eventually(() => heavy.rec.of(EV.leadAssigned).length + light.rec.of(EV.leadAssigned).length === 12);
      expect(heavy.rec.of(EV.leadAssigned)).toHaveLength(9);
      expect(light.rec.of(EV.leadAssigned)).toHaveLength(3);
    });

    it('switching to round-robin assigns the waiting leads to the available reps', async () => {
      const { server, p } = await fresh();
      const [a, b] = await repsOnline(server, 2);
      const leads = [await postLead(p.feed), await postLead(p.feed)];
      await setMode(p.manager, 'round-robin');
      const got = await Promise.all(
        leads.map((l) => Promise.any([a, b].map((r) => r.rec.waitFor(EV.leadAssigned, (x) => x.id === l.id).then(() => r.id)))),
      );
      expect(new Set(got)).toEqual(new Set([a.id, b.id]));
    });
  });
});
