// The report and the rules preview against hand-computed fixtures (server/domain/reports.ts,
// preview.ts): percentiles (nearest rank), win rates, Gini, buckets, CSV, stranded leads.
import { describe, expect, it } from 'vitest';
import { csvCell } from '../server/domain/csv.js';
import { previewRules } from '../server/domain/preview.js';
import { bucketInterval, gini, percentile, reportCsv, summarize } from '../server/domain/reports.js';
import type { Lead, Mode, Rule } from '../shared/protocol.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

/** A lead created at T0 + `at`, claimed `speed` ms later by `rep` under `mode`. */
function lead(id: string, at: number, over: Partial<Lead> & { speed?: number; mode?: Mode } = {}): Lead {
  const { speed, mode, ...rest } = over;
  const l: Lead = { id, poolId: 'default', status: 'open', createdAt: iso(T0 + at), ...rest };
  if (speed !== undefined) {
    l.claimedAt = iso(T0 + at + speed);
    if (mode) l.claimMode = mode;
    if (l.status === 'open') l.status = 'claimed';
  }
  return l;
}

// Speeds (ms): Ann 1000, 3000, 5000, 7000; Bob 2000, 4000; Cy 10000. Dee took none.
const leads: Lead[] = [
  lead('1', 0, { source: 'web', claimedBy: 'a', speed: 1000, status: 'closed', outcome: 'won', mode: 'shark-tank' }),
  lead('2', 10 * MIN, { source: 'web', claimedBy: 'a', speed: 3000, status: 'closed', outcome: 'lost', mode: 'shark-tank' }),
  lead('3', 20 * MIN, { source: 'web', claimedBy: 'a', speed: 5000, outcome: 'contacted', mode: 'shark-tank' }),
  lead('4', 30 * MIN, { source: 'ads', claimedBy: 'a', speed: 7000, status: 'closed', outcome: 'won', mode: 'hybrid' }),
  lead('5', 2 * HOUR, { source: 'ads', claimedBy: 'b', speed: 2000, status: 'closed', outcome: 'won', mode: 'hybrid' }),
  lead('6', 2 * HOUR + 10 * MIN, { source: 'ads', claimedBy: 'b', speed: 4000, status: 'closed', outcome: 'unreachable', mode: 'hybrid' }),
  lead('7', 2 * HOUR + 20 * MIN, { claimedBy: 'c', speed: 10000, mode: 'round-robin' }),
  lead('8', 5 * HOUR, { source: 'web', poolId: 'eu' }),
  lead('9', 5 * HOUR, { source: 'ads', poolId: 'eu', status: 'disqualified', disqualifiedReasons: ['country', 'minVisits'] }),
  lead('10', 5 * HOUR, { source: 'ads', poolId: 'eu', status: 'disqualified', disqualifiedReasons: ['country'] }),
];
const reps = [
  { id: 'a', name: 'Ann' },
  { id: 'b', name: 'Bob' },
  { id: 'c', name: 'Cy' },
  { id: 'd', name: 'Dee' },
];
const pools = [
  { id: 'default', name: 'Default' },
  { id: 'eu', name: 'Europe' },
];
const report = () => summarize(leads, reps, T0 + 24 * HOUR, { pools, from: T0, to: T0 + 24 * HOUR });

describe('report figures (hand-computed)', () => {
  it('nearest-rank percentiles', () => {
    const xs = [1000, 2000, 3000, 4000, 5000, 7000, 10000];
    expect(percentile(xs, 0.5)).toBe(4000); // rank ceil(3.5) = 4
    expect(percentile(xs, 0.9)).toBe(10000); // rank ceil(6.3) = 7
    expect(percentile([], 0.5)).toBeNull();
  });

  it('speed to claim overall: p50, p90, max (and the v1 fields)', () => {
    expect(report().speedToClaimMs).toEqual({ count: 7, median: 4000, p90: 10000, mean: 4571, p50: 4000, max: 10000 });
  });

  it('Gini of leads per active rep: [1, 2, 4] is 2/7; even is 0; one rep alone is 0; none is null', () => {
    // mean absolute difference: (1 + 3 + 2) * 2 / (2 * 3² * 7/3) = 12 / 42
    expect(gini([1, 2, 4])).toBeCloseTo(2 / 7, 12);
    expect(gini([3, 3, 3])).toBeCloseTo(0, 12);
    expect(gini([5])).toBeCloseTo(0, 12);
    expect(gini([0, 0])).toBeNull();
    expect(gini([0, 1, 2, 4])).toBeCloseTo(2 / 7, 12); // reps that took nothing are not active
  });

  it('fairness in numbers and in words', () => {
    const f = report().fairness;
    expect(f.gini).toBeCloseTo(2 / 7, 12);
    expect(f.activeReps).toBe(3);
    expect(f.busiest).toEqual({ repId: 'a', name: 'Ann', share: 4 / 7 });
    expect(f.maxShare).toBeCloseTo(4 / 7, 12);
    expect(f.jainIndex).toBeCloseTo(49 / (3 * 21), 12);
    expect(f.text).toContain('The busiest rep, Ann, took 57% of leads (4 of 7)');
    expect(f.text).toContain('33% each');
    expect(f.text).toContain('Gini 0.29');
  });

  it('per rep: leads, share, outcomes, win rate over closed leads, median speed', () => {
    const per = Object.fromEntries(report().perRep.map((r) => [r.repId, r]));
    expect(per.a).toMatchObject({
      name: 'Ann',
      leads: 4,
      claimed: 4,
      active: 1,
      contacted: 1,
      won: 2,
      lost: 1,
      unreachable: 0,
      share: 4 / 7,
    });
    expect(per.a.winRate).toBeCloseTo(2 / 3, 12);
    expect(per.a.medianSpeedToClaimMs).toBe(3000); // 1000 3000 5000 7000: rank 2
    expect(per.a.speedToClaimMs).toEqual({ count: 4, p50: 3000, p90: 7000, max: 7000 });
    expect(per.b).toMatchObject({ leads: 2, won: 1, unreachable: 1, winRate: 0.5, medianSpeedToClaimMs: 2000, share: 2 / 7 });
    expect(per.c).toMatchObject({ leads: 1, winRate: null, medianSpeedToClaimMs: 10000 });
    expect(per.d).toMatchObject({ leads: 0, share: 0, winRate: null, medianSpeedToClaimMs: null });
  });

  it('per source, per pool, per mode', () => {
    const r = report();
    const src = Object.fromEntries(r.perSource.map((s) => [s.source, s]));
    expect(src.ads).toMatchObject({ leads: 5, claimed: 3, won: 2, unreachable: 1, disqualified: 2 });
    expect(src.ads.winRate).toBeCloseTo(2 / 3, 12);
    expect(src.web).toMatchObject({ leads: 4, claimed: 3, won: 1, lost: 1, winRate: 0.5, speedToClaimMs: { p50: 3000 } });
    expect(src['(none)']).toMatchObject({ leads: 1, claimed: 1 });
    expect(r.perSource.map((s) => s.source)).toEqual(['ads', 'web', '(none)']);
    expect(r.perPool).toEqual([
      expect.objectContaining({ poolId: 'default', name: 'Default', leads: 7, claimed: 7, won: 3, disqualified: 0 }),
      expect.objectContaining({ poolId: 'eu', name: 'Europe', leads: 3, claimed: 0, disqualified: 2, winRate: null }),
    ]);
    const mode = Object.fromEntries(r.perMode.map((m) => [m.mode, m.speedToClaimMs]));
    expect(mode['shark-tank']).toEqual({ count: 3, p50: 3000, p90: 5000, max: 5000 });
    expect(mode.hybrid).toEqual({ count: 3, p50: 4000, p90: 7000, max: 7000 });
    expect(mode['round-robin']).toEqual({ count: 1, p50: 10000, p90: 10000, max: 10000 });
  });

  it('flow: leads in, disqualified by reason, claimed, closed, open', () => {
    const r = report();
    expect(r.flow).toEqual({ in: 10, disqualified: 2, claimed: 7, closed: 5, open: 1 });
    expect(r.disqualifiedByReason).toEqual({ country: 2, minVisits: 1 });
    expect(r.leads).toEqual({ total: 10, open: 1, claimed: 2, closed: 5, disqualified: 2 });
    expect(r.overdue).toBeNull(); // no SLA recorded yet
    expect(r.range).toEqual({ from: iso(T0), to: iso(T0 + 24 * HOUR), poolId: null });
  });

  it('speed over time: a day in hourly buckets, by arrival', () => {
    const { intervalMs, buckets } = report().series;
    expect(intervalMs).toBe(HOUR);
    expect(buckets).toHaveLength(24);
    expect(buckets[0]).toEqual({ start: iso(T0), leads: 4, claimed: 4, p50: 3000, p90: 7000 });
    expect(buckets[1]).toEqual({ start: iso(T0 + HOUR), leads: 0, claimed: 0, p50: null, p90: null });
    expect(buckets[2]).toMatchObject({ leads: 3, claimed: 3, p50: 4000, p90: 10000 });
    expect(buckets[5]).toMatchObject({ leads: 3, claimed: 0, p50: null });
  });

  it('bucket length follows the range: today hours, a week 6 hours, a month days, a year weeks', () => {
    expect(bucketInterval(24 * HOUR)).toBe(HOUR);
    expect(bucketInterval(7 * 24 * HOUR)).toBe(6 * HOUR);
    expect(bucketInterval(30 * 24 * HOUR)).toBe(24 * HOUR);
    expect(bucketInterval(365 * 24 * HOUR)).toBe(7 * 24 * HOUR);
    expect(bucketInterval(20 * 365 * 24 * HOUR)).toBe(365 * 24 * HOUR); // years: still a readable number of buckets
  });

  it('only pool members are listed without leads when a pool is asked for', () => {
    const r = summarize([], reps, T0, { members: new Set(['b']), poolId: 'eu' });
    expect(r.perRep.map((p) => p.repId)).toEqual(['b']);
    expect(r.fairness.text).toBe('No rep took a lead in this period.');
    expect(r.speedToClaimMs).toEqual({ count: 0, median: null, p90: null, mean: null, p50: null, max: null });
  });

  it('CSV: a header, a section per figure, no formula can reach a spreadsheet', () => {
    const csv = reportCsv(
      summarize(leads, [...reps, { id: 'e', name: '=HYPERLINK("x")' }], T0 + 24 * HOUR, { pools, from: T0, to: T0 + 24 * HOUR }),
    );
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'section,key,name,leads,claimed,contacted,won,lost,unreachable,win_rate,share,speed_p50_ms,speed_p90_ms,speed_max_ms',
    );
    expect(lines[1]).toMatch(/^total,all,.*,10,7,1,3,1,1,0\.6,,4000,10000,10000$/);
    expect(lines).toContain('rep,a,Ann,4,4,1,2,1,0,0.6667,0.5714,3000,7000,7000');
    expect(lines).toContain('source,ads,,5,3,0,2,0,1,0.6667,,4000,7000,7000');
    expect(lines).toContain('disqualified,country,,2,,,,,,,,,,');
    expect(lines.some((l) => l.startsWith('rep,e,"\'=HYPERLINK(""x"")",0'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('bucket,'))).toHaveLength(24);
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
  });
});

describe('rules preview (hand-computed)', () => {
  const member = (id: string, name: string, presence: 'available' | 'away' | 'offline', languages: string[]) => ({
    id,
    name,
    presence,
    languages,
    skills: [],
    countries: [],
    teams: [],
  });
  const members = [member('es1', 'Esa', 'offline', ['es']), member('en1', 'Eve', 'available', ['en']), member('en2', 'Ed', 'away', ['en'])];
  const rules: Rule[] = [
    { name: 'Spanish', when: { language: ['es'] }, to: { languages: ['es'] } },
    { name: 'Big', when: { companySize: { min: 1000 } }, to: { reps: ['en2'] } },
  ];
  const recent: Lead[] = [
    lead('l1', 0, { language: 'es', email: 'a@x.es', name: 'Ana' }),
    lead('l2', 1, { language: 'es' }),
    lead('l3', 2, { language: 'es', country: 'ES' }),
    lead('l4', 3, { language: 'en', companySize: 5000 }),
    lead('l5', 4, { language: 'en', companySize: 10 }),
    lead('l6', 5, { language: 'es', status: 'disqualified' }),
  ];

  it('counts per rule and per rep, and finds the leads no available rep could take', () => {
    const p = previewRules('default', recent, rules, members);
    expect(p.leads).toBe(5);
    expect(p.perRule).toEqual([
      { rule: 'Spanish', leads: 3, stranded: 3 },
      { rule: 'Big', leads: 1, stranded: 1 },
      { rule: null, leads: 1, stranded: 0 },
    ]);
    expect(p.perRep).toEqual([
      { repId: 'es1', name: 'Esa', presence: 'offline', eligible: 4 }, // 3 Spanish + l5 (no rule: everyone)
      { repId: 'en1', name: 'Eve', presence: 'available', eligible: 1 },
      { repId: 'en2', name: 'Ed', presence: 'away', eligible: 2 },
    ]);
    expect(p.stranded.map((s) => s.leadId)).toEqual(['l1', 'l2', 'l3', 'l4']);
    expect(p.stranded[0]).toMatchObject({ rule: 'Spanish', eligible: ['es1'], language: 'es' });
    expect(p.stranded[0].reason).toBe('only Esa (offline) could take it (rule "Spanish")');
    expect(p.stranded[3].reason).toBe('only Ed (away) could take it (rule "Big")');
    expect(p.items.find((i) => i.leadId === 'l5')).toMatchObject({ rule: null, eligible: '*', available: 1 });
    // no contact field in a preview
    expect(JSON.stringify(p)).not.toMatch(/a@x\.es|Ana/);
  });

  it('a rule whose target meets no rep offers the lead to everyone (as routing does)', () => {
    const p = previewRules('default', [lead('x', 0, { language: 'es' })], [{ name: 'Ghost', when: {}, to: { teams: ['none'] } }], members);
    expect(p.items[0]).toMatchObject({ rule: 'Ghost', eligible: '*', available: 1 });
    expect(p.stranded).toEqual([]);
  });

  it('with nobody available every lead is stranded; a pool without reps says so', () => {
    const away = members.map((m) => ({ ...m, presence: 'offline' as const }));
    expect(previewRules('default', recent, [], away).stranded).toHaveLength(5);
    expect(previewRules('default', recent.slice(0, 1), [], []).stranded[0].reason).toBe('the pool has no reps');
  });
});
