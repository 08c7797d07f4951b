// Reports and routing preview over HTTP, on both stores (docs/API.md, Reports):
// GET /api/reports/summary with time ranges and the pool filter, its CSV, and
// POST /api/rules/preview (and per pool) against a fixture, with their errors.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead, ReportSummary, RulesPreview } from '../shared/protocol.js';
import { type ApiBody, api } from './support/api.js';
import { connectRep, createPool, createReps, emitAck, okAck, postLead, postLeadTo } from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = res.body as ApiBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
}

const ms = (l: Lead) => Date.parse(l.createdAt);
const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe.each(stores)('reports over HTTP ($name store)', (factory) => {
  const fresh = serversOf(factory);

  /** Pool default: 3 leads (web, web, ads), 2 claimed by Rep 1 (won, lost); pool eu: 2 leads, 1 claimed by Rep 2. */
  async function fixture() {
    const started = await fresh();
    const { p, url } = started;
    await createPool(p.manager, 'eu', { name: 'Europe' });
    const [r1, r2] = await createReps(p.manager, 2, (i) => ({ pools: i === 0 ? ['default'] : ['eu'] }));
    const leads: Lead[] = [];
    leads.push(await postLead(p.feed, { source: 'web' }));
    leads.push(await postLead(p.feed, { source: 'web' }));
    leads.push(await postLeadTo(p.manager, 'eu', { source: 'partner' }));
    leads.push(await postLead(p.feed, { source: 'ads' }));
    leads.push(await postLeadTo(p.manager, 'eu', { source: 'partner' }));
    const t1 = await connectRep(url, r1.token);
    const t2 = await connectRep(url, r2.token);
    for (const [t, lead] of [
      [t1, leads[0]],
      [t1, leads[1]],
      [t2, leads[2]],
    ] as const) {
      expect((await emitAck(t.socket, EV.claim, { leadId: lead.id })).ok).toBe(true);
    }
    await okAck(t1.socket, EV.outcome, { leadId: leads[0].id, outcome: 'won' });
    await okAck(t1.socket, EV.outcome, { leadId: leads[1].id, outcome: 'lost' });
    return { ...started, r1, r2, leads };
  }

  it('the summary: v1 fields, v2 figures, per rep / source / pool / mode, fairness in words', async () => {
    const { p, r1, r2 } = await fixture();
    const res = await p.manager.get<ReportSummary>('/api/reports/summary');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s.range).toEqual({ from: null, to: null, poolId: null });
    expect(s.leads).toEqual({ total: 5, open: 2, claimed: 1, closed: 2, disqualified: 0 });
    expect(s.flow).toEqual({ in: 5, disqualified: 0, claimed: 3, closed: 2, open: 2 });
    expect(s.speedToClaimMs.count).toBe(3);
    expect(s.speedToClaimMs.max).toBeGreaterThanOrEqual(s.speedToClaimMs.p90!);
    expect(s.speedToClaimMs.p90).toBeGreaterThanOrEqual(s.speedToClaimMs.p50!);
    const per = Object.fromEntries(s.perRep.map((r) => [r.repId, r]));
    expect(per[r1.rep.id]).toMatchObject({ leads: 2, claimed: 2, won: 1, lost: 1, winRate: 0.5, share: 2 / 3 });
    expect(per[r2.rep.id]).toMatchObject({ leads: 1, won: 0, winRate: null, share: 1 / 3 });
    expect(s.fairness.busiest).toMatchObject({ repId: r1.rep.id, share: 2 / 3 });
    expect(s.fairness.gini).toBeCloseTo(1 / 6, 10); // [1, 2]: 2·(1 + 4) / (2·3) − 3/2
    expect(s.fairness.text).toContain('The busiest rep, Rep 1, took 67% of leads (2 of 3)');
    const src = Object.fromEntries(s.perSource.map((r) => [r.source, r]));
    expect(src.web).toMatchObject({ leads: 2, claimed: 2, won: 1, winRate: 0.5 });
    expect(src.partner).toMatchObject({ leads: 2, claimed: 1 });
    expect(src.ads).toMatchObject({ leads: 1, claimed: 0, winRate: null });
    expect(s.perPool.map((r) => [r.poolId, r.name, r.leads])).toEqual([
      ['default', 'Default', 3],
      ['eu', 'Europe', 2],
    ]);
    expect(s.perMode).toEqual([{ mode: 'shark-tank', speedToClaimMs: expect.objectContaining({ count: 3 }) }]);
    expect(s.series.buckets.reduce((n, b) => n + b.leads, 0)).toBe(5);
    expect(s.overdue).toBeNull();
  });

  it('a time range counts only the leads that arrived in it; the pool filter only that pool', async () => {
    const { p, leads, r1, r2 } = await fixture();
    const get = async (params: Record<string, string>) => {
      const res = await p.manager.get<ReportSummary>(`/api/reports/summary${q(params)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const from = ms(leads[2]);
    const inRange = leads.filter((l) => ms(l) >= from);
    const s = await get({ from: new Date(from).toISOString() });
    expect(s.leads.total).toBe(inRange.length);
    expect(s.range.from).toBe(new Date(from).toISOString());
    const before = await get({ to: leads[0].createdAt });
    expect(before.leads.total).toBe(0);
    expect(before.speedToClaimMs.p50).toBeNull();
    const future = await get({ from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.flow.in).toBe(0);
    const all = await get({ from: '2000-01-01', to: new Date(Date.now() + 60_000).toISOString() });
    expect(all.leads.total).toBe(5);

    const eu = await get({ poolId: 'eu' });
    expect(eu.range.poolId).toBe('eu');
    expect(eu.leads.total).toBe(2);
    expect(eu.perPool.map((r) => r.poolId)).toEqual(['eu']);
    expect(eu.perRep.map((r) => r.repId)).toEqual([r2.rep.id]); // members of eu only
    const def = await get({ poolId: 'default', from: leads[1].createdAt });
    expect(def.leads.total).toBe(leads.filter((l) => l.poolId === 'default' && ms(l) >= ms(leads[1])).length);
    expect(def.perRep.find((r) => r.repId === r1.rep.id)).toBeDefined();
  });

  it('bad input: 422 with what is wrong; an unknown pool 404; reps 403', async () => {
    const { p, r1 } = await fixture();
    for (const params of <Record<string, string>[]>[
      { from: 'yesterday' },
      { to: '2026-13-45' },
      { from: '2026-02-01', to: '2026-01-01' },
      { poolId: 'Bad Pool!' },
      { since: '2026-01-01' },
    ]) {
      const res = await p.manager.get(`/api/reports/summary${q(params)}`);
      expectError(res, 422, 'INVALID');
      expect(res.body.error.details, JSON.stringify(params)).toBeInstanceOf(Array);
    }
    expectError(await p.manager.get(`/api/reports/summary${q({ poolId: 'nowhere' })}`), 404, 'NOT_FOUND');
    expectError(await p.manager.get(`/api/reports/summary.csv${q({ from: 'x' })}`), 422, 'INVALID');
    expectError(await api(p.url, r1.token).get('/api/reports/summary'), 403, 'FORBIDDEN');
    expectError(await api(p.url, r1.token).get('/api/reports/summary.csv'), 403, 'FORBIDDEN');
  });

  it('summary.csv: text/csv, a header, the totals and a row per rep and source', async () => {
    const { server, url, r1 } = await fixture();
    const res = await fetch(`${url}/api/reports/summary.csv${q({ poolId: 'default' })}`, {
      headers: { authorization: `Bearer ${server.managerToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['section', 'key', 'name', 'leads']);
    expect(lines[1]).toMatch(/^total,default,[^,]*,3,2,0,1,1,0,0\.5,/);
    expect(lines.some((l) => l.startsWith(`rep,${r1.rep.id},Rep 1,2,2,0,1,1,0,0.5,1,`))).toBe(true);
    expect(lines.some((l) => l.startsWith('source,web,,2,2,'))).toBe(true);
    expect((await fetch(`${url}/api/reports/summary.csv`)).status).toBe(401);
  });
});

describe.each(stores)('rules preview over HTTP ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('which rule each recent lead matches, who is eligible, and the leads only an offline rep could take', async () => {
    const { p, url } = await fresh();
    const [esa, eve] = await createReps(p.manager, 2, (i) =>
      i === 0 ? { name: 'Esa', languages: ['es'] } : { name: 'Eve', languages: ['en'] },
    );
    await connectRep(url, eve.token); // Eve available, Esa never online
    const es = [
      await postLead(p.feed, { language: 'es' }),
      await postLead(p.feed, { language: 'es' }),
      await postLead(p.feed, { language: 'es' }),
    ];
    const en = await postLead(p.feed, { language: 'en' });
    const rules = [{ name: 'Spanish', when: { language: ['es'] }, to: { languages: ['es'] } }];
    const res = await p.manager.post<RulesPreview>('/api/rules/preview', { rules });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const pv = res.body;
    expect(pv.poolId).toBe('default');
    expect(pv.leads).toBe(4);
    expect(pv.perRule).toEqual([
      { rule: 'Spanish', leads: 3, stranded: 3 },
      { rule: null, leads: 1, stranded: 0 },
    ]);
    expect(Object.fromEntries(pv.perRep.map((r) => [r.name, [r.presence, r.eligible]]))).toEqual({
      Esa: ['offline', 4],
      Eve: ['available', 1],
    });
    expect(pv.stranded.map((s) => s.leadId).sort()).toEqual(es.map((l) => l.id).sort());
    expect(pv.stranded[0]).toMatchObject({ rule: 'Spanish', eligible: [esa.rep.id], language: 'es' });
    expect(pv.stranded[0].reason).toContain('Esa (offline)');
    expect(pv.items.find((i) => i.leadId === en.id)).toMatchObject({ rule: null, eligible: '*', available: 1 });
    // never a contact field; the saved rules did not change
    expect(JSON.stringify(pv)).not.toContain(es[0].email!);
    expect((await p.manager.get('/api/rules')).body.rules).toEqual([]);
    // limit: the latest N only
    const latest = await p.manager.post<RulesPreview>('/api/rules/preview', { rules, limit: 1 });
    expect(latest.body.items.map((i) => i.leadId)).toEqual([en.id]);
  });

  it('per pool; errors: 422 for bad rules or limit, 400 for malformed JSON, 404 for an unknown pool, 403 for a rep', async () => {
    const { p } = await fresh();
    await createPool(p.manager, 'eu');
    await postLeadTo(p.manager, 'eu', { language: 'de' });
    const ok = await p.manager.post<RulesPreview>('/api/pools/eu/rules/preview', { rules: [] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ poolId: 'eu', leads: 1, perRule: [{ rule: null, leads: 1, stranded: 1 }] });
    expect(ok.body.stranded[0].reason).toBe('the pool has no reps');
    expectError(await p.manager.post('/api/pools/nowhere/rules/preview', { rules: [] }), 404, 'NOT_FOUND');
    expectError(
      await p.manager.post('/api/rules/preview', { rules: [{ name: 'x', when: { language: ['spanish'] }, to: {} }] }),
      422,
      'INVALID',
    );
    expectError(await p.manager.post('/api/rules/preview', { rules: [], limit: 100_000 }), 422, 'INVALID');
    expectError(await p.manager.post('/api/rules/preview', { rules: [], limit: 0 }), 422, 'INVALID');
    expectError(await p.manager.post('/api/rules/preview', {}), 422, 'INVALID');
    expectError(await p.manager.post('/api/rules/preview', '{"rules": ['), 400, 'BAD_JSON');
    const [rep] = await createReps(p.manager, 1);
    expectError(await api(p.url, rep.token).post('/api/rules/preview', { rules: [] }), 403, 'FORBIDDEN');
  });
});
