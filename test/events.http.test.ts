// GET /api/events (docs/API.md, Audit trail) over HTTP and sockets: who did what through
// the real routes and socket events (feed key, manager, rep, timers), filters, the cursor,
// validation, and reps refused. Both stores record the same (test/store.audit.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { AuditEvent, EventPage } from '../shared/protocol.js';
import { api } from './support/api.js';
import { closeAllSockets, createFeed, emitAck, eventually, leadInput, okOf, postLead, repsOnline } from './support/clients.js';
import { type InProcessServer, startInProcess } from './support/server.js';

const servers: InProcessServer[] = [];
afterAll(async () => {
  closeAllSockets();
  await Promise.all(servers.map((s) => s.close()));
});

async function fresh() {
  const server = await startInProcess();
  servers.push(server);
  return { server, manager: api(server.url, server.managerToken), feed: api(server.url, server.feedKey) };
}

describe('GET /api/events', () => {
  it('records who did it through the routes and sockets, filters, pages with next, validates, refuses reps', async () => {
    const { server, manager, feed } = await fresh();
    const [rep] = await repsOnline(server, 1);
    const partner = await createFeed(manager, { name: 'Partner' });
    const contact = leadInput();
    const fromFeed = await postLead(api(server.url, partner.key), contact);
    const fromManager = await postLead(manager);
    const fromGlobalKey = await postLead(feed);
    okOf(await emitAck(rep.socket, EV.claim, { leadId: fromFeed.id }));
    okOf(await emitAck(rep.socket, EV.outcome, { leadId: fromFeed.id, outcome: 'won', note: 'signed today' }));
    expect((await manager.post(`/api/leads/${fromManager.id}/assign`, { repId: rep.id })).status).toBe(200);
    expect((await manager.post(`/api/leads/${fromManager.id}/release`)).status).toBe(200);

    const all = await manager.get<EventPage>('/api/events?limit=1000');
    expect(all.status).toBe(200);
    const events = all.body.events;
    expect(JSON.stringify(events)).not.toContain(contact.email!);
    expect(JSON.stringify(events)).not.toContain(contact.name!);
    const created = (leadId: string) => events.find((e) => e.type === 'lead.created' && e.leadId === leadId)!;
    expect(created(fromFeed.id).actor).toEqual({ role: 'feed', id: partner.feed.id });
    expect(created(fromManager.id).actor).toEqual({ role: 'manager' });
    expect(created(fromGlobalKey.id).actor).toEqual({ role: 'feed' });

    const timeline = await manager.get<EventPage>(`/api/events?leadId=${fromFeed.id}`);
    expect(timeline.body.events.map((e) => [e.type, e.actor.role])).toEqual([
      ['lead.closed', 'rep'],
      ['lead.outcome', 'rep'],
      ['lead.claimed', 'rep'],
      ['lead.created', 'feed'],
    ]);
    expect(timeline.body.events[1].data).toEqual({ outcome: 'won', note: 'signed today' });
    const released = await manager.get<EventPage>(`/api/events?type=lead.released&leadId=${fromManager.id}`);
    expect(released.body.events).toEqual([
      expect.objectContaining({ repId: rep.id, actor: { role: 'manager' }, data: { reason: 'manager', by: 'manager' } }),
    ]);
    expect((await manager.get<EventPage>('/api/events?type=rep')).body.events.map((e) => e.type)).toEqual(['rep.created']);
    expect((await manager.get<EventPage>(`/api/events?repId=${rep.id}&type=lead.assigned`)).body.events).toHaveLength(1);

    // the cursor: pages of 2 cover everything once, newest first
    const seen: AuditEvent[] = [];
    let url = '/api/events?limit=2';
    for (let i = 0; i < 50; i++) {
      const page = await manager.get<EventPage>(url);
      seen.push(...page.body.events);
      if (!page.body.next) break;
      url = `/api/events?limit=2&before=${encodeURIComponent(page.body.next)}`;
    }
    expect(seen).toEqual(events);

    // time range
    const oldest = events.at(-1)!;
    const until = new Date(Date.parse(oldest.at) - 1000).toISOString();
    expect((await manager.get<EventPage>(`/api/events?until=${until}`)).body.events).toEqual([]);
    expect((await manager.get<EventPage>(`/api/events?since=${oldest.at}&limit=1000`)).body.events).toEqual(events);

    for (const bad of ['limit=0', 'limit=5000', 'type=lead.nope', 'since=yesterday', 'before=abc', 'poolId=Not_A_Pool']) {
      const res = await manager.get(`/api/events?${bad}`);
      expect(res.status, bad).toBe(422);
      expect(res.body.error.code).toBe('INVALID');
    }
    expect((await api(server.url, rep.token).get('/api/events')).status).toBe(403);
    expect((await feed.get('/api/events')).status).toBe(403);
    expect((await api(server.url).get('/api/events')).status).toBe(401);
  });

  it('a claim timeout is recorded as the system', async () => {
    const { server, manager } = await fresh();
    const [rep] = await repsOnline(server, 1);
    expect((await manager.patch('/api/pool/settings', { claimTimeoutMs: 200 })).status).toBe(200);
    const lead = await postLead(manager);
    okOf(await emitAck(rep.socket, EV.claim, { leadId: lead.id }));
    const expired = await eventually(
      async () => (await manager.get<EventPage>(`/api/events?leadId=${lead.id}&type=lead.expired`)).body.events[0],
      15_000,
      100,
    );
    expect(expired).toMatchObject({ repId: rep.id, actor: { role: 'system' }, data: { reason: 'claim-timeout' } });
  });
});
