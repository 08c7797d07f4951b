// GET /api/leads (v2 filters and cursor), GET /api/reports/leads.csv (escaping, filters,
// streamed pages) and GET /api/leads/:id/explain over HTTP (docs/API.md).
import { afterAll, describe, expect, it } from 'vitest';
import type { LeadPage } from '../server/store/types.js';
import type { LeadExplanation } from '../shared/protocol.js';
import { api } from './support/api.js';
import { closeAllSockets, postLead, repsOnline } from './support/clients.js';
import { type InProcessServer, startInProcess } from './support/server.js';

const servers: InProcessServer[] = [];
afterAll(async () => {
  closeAllSockets();
  await Promise.all(servers.map((s) => s.close()));
});

describe('the lead list over HTTP', () => {
  it('GET /api/leads: v1 params, search, filters, cursor; 422 on bad params; reps 403', async () => {
    const server = await startInProcess();
    servers.push(server);
    const manager = api(server.url, server.managerToken);
    const a = await postLead(manager, { name: 'Ada Lovelace', email: 'ada@analytical.example', country: 'GB', source: 'web' });
    const b = await postLead(manager, {
      name: '=HYPERLINK("http://evil")',
      email: 'b@x.example',
      company: '+cmd, "quoted"',
      source: '@ads',
    });
    const c = await postLead(manager, { name: 'Grace', email: 'grace@navy.example', country: 'US', source: 'web' });
    const dup = await manager.post('/api/leads', { email: 'x@y.example', externalId: a.externalId ?? 'e1' });
    expect([200, 201]).toContain(dup.status);

    const all = await manager.get<LeadPage>('/api/leads');
    expect(all.status).toBe(200);
    expect(all.body.leads.slice(-3).map((l) => l.id)).toEqual([c.id, b.id, a.id]);
    expect((await manager.get<LeadPage>('/api/leads?q=ada%40analytical')).body.leads.map((l) => l.id)).toEqual([a.id]);
    expect((await manager.get<LeadPage>('/api/leads?source=web&country=US')).body.leads.map((l) => l.id)).toEqual([c.id]);
    const first = await manager.get<LeadPage>('/api/leads?source=web&limit=1');
    expect(first.body.leads.map((l) => l.id)).toEqual([c.id]);
    const second = await manager.get<LeadPage>(`/api/leads?source=web&limit=1&before=${first.body.next}`);
    expect(second.body.leads.map((l) => l.id)).toEqual([a.id]);
    expect(second.body.next).toBeUndefined();
    for (const bad of ['limit=0', 'status=lost', 'country=Britain', 'from=soon', 'before=x1']) {
      expect((await manager.get(`/api/leads?${bad}`)).status, bad).toBe(422);
    }
    const [rep] = await repsOnline(server, 1);
    expect((await api(server.url, rep.token).get('/api/leads')).status).toBe(403);

    // the CSV export: a header, a row per lead, formulas neutralized, filters applied
    const res = await fetch(`${server.url}/api/reports/leads.csv?source=%40ads`, {
      headers: { authorization: `Bearer ${server.managerToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['id', 'createdAt', 'poolId', 'status']);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`'@ads`);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain(`"'+cmd, ""quoted"""`);
    const everything = await fetch(`${server.url}/api/reports/leads.csv`, { headers: { authorization: `Bearer ${server.managerToken}` } });
    expect((await everything.text()).trimEnd().split('\r\n')).toHaveLength(1 + all.body.leads.length);
    expect((await api(server.url, rep.token).get('/api/reports/leads.csv')).status).toBe(403);

    // why is it waiting
    const why = await manager.get<LeadExplanation>(`/api/leads/${c.id}/explain`);
    expect(why.status).toBe(200);
    expect(why.body).toMatchObject({ leadId: c.id, status: 'open', mode: 'shark-tank', rule: null, eligible: '*', canTakeNow: 1 });
    expect(why.body.reps).toEqual([{ id: rep.id, name: rep.rep.name, presence: 'available', eligible: true, atCap: false }]);
    expect(why.body.why.join(' ')).toContain('1 of 1 reps');
    expect((await manager.get('/api/leads/ld_nope/explain')).status).toBe(404);
  });

  it('explain: a hybrid lead routed to an offline rep, its rule and when it escalates', async () => {
    const server = await startInProcess();
    servers.push(server);
    const manager = api(server.url, server.managerToken);
    const spanish = (await manager.post('/api/reps', { name: 'Sofía', languages: ['es'] })).body;
    const [online] = await repsOnline(server, 1);
    expect((await manager.put('/api/pool/mode', { mode: 'hybrid' })).status).toBe(200);
    expect((await manager.patch('/api/pool/settings', { escalateAfterMs: 600_000, whenNobodyEligible: 'wait' })).status).toBe(200);
    const rules = [{ name: 'Spanish', when: { language: ['es'] }, to: { languages: ['es'] } }];
    expect((await manager.put('/api/rules', { rules })).status).toBe(200);
    const lead = await postLead(manager, { language: 'es' });
    const why = (await manager.get<LeadExplanation>(`/api/leads/${lead.id}/explain`)).body;
    expect(why).toMatchObject({ mode: 'hybrid', rule: 'Spanish', eligible: [spanish.rep.id], canTakeNow: 0 });
    expect(why.reps.find((r) => r.id === online.id)).toMatchObject({ eligible: false, presence: 'available' });
    expect(why.reps.find((r) => r.id === spanish.rep.id)).toMatchObject({ eligible: true, presence: 'offline' });
    expect(Date.parse(why.escalatesAt!) - Date.parse(lead.createdAt)).toBe(600_000);
    expect(why.why.join(' ')).toMatch(/Spanish.*1 eligible rep is offline/s);
  });
});
