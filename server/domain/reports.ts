// Live stats and the summary report, computed from leads (pure). The report is computed
// over the leads that arrived in its range only: the store reads them through its index by
// arrival time (Store.leadsCreatedBetween), so a week's report costs a week of leads, not
// the whole history. Percentiles are nearest-rank (an actual measured value).

import {
  type Lead,
  type LeadFigures,
  type LeadStatus,
  type LiveStats,
  type Mode,
  OUTCOMES,
  type Outcome,
  type PoolFigures,
  type ReportBucket,
  type ReportSummary,
  type SpeedFigures,
} from '../../shared/protocol.js';
import { csvCell } from './csv.js';

const speedOf = (lead: Lead): number | null => (lead.claimedAt ? Date.parse(lead.claimedAt) - Date.parse(lead.createdAt) : null);

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

const zeroOutcomes = (): Record<Outcome, number> => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;

interface LiveStatsInput {
  counts: Record<LeadStatus, number>;
  oldestOpenCreatedAt: string | null;
  /** The newest leads (any status): the recent claims are found among them. */
  recent: Lead[];
  presence: Record<string, 'available' | 'away' | 'off-shift'>;
  /** The figures of each pool (computed by the caller from per-pool counts); none = {}. */
  pools?: Record<string, PoolFigures>;
}

/** The dashboard tiles, from counts and the newest leads: never a read of every lead. */
export function liveStats({ counts, oldestOpenCreatedAt, recent, presence, pools = {} }: LiveStatsInput, now = Date.now()): LiveStats {
  const speeds = recent
    .filter((lead) => lead.claimedAt)
    .sort((a, b) => (a.claimedAt! < b.claimedAt! ? 1 : -1))
    .slice(0, 100)
    .map((lead) => speedOf(lead)!)
    .sort((a, b) => a - b);
  return {
    ...counts,
    repsOnline: Object.keys(presence).length,
    repsAvailable: Object.values(presence).filter((p) => p === 'available').length,
    medianSpeedToClaimMs: percentile(speeds, 0.5),
    oldestWaitingMs: oldestOpenCreatedAt ? now - Date.parse(oldestOpenCreatedAt) : null,
    pools,
  };
}

export interface ReportContext {
  /** Pools by id, for names (a lead of a deleted pool is reported as "(deleted pool)"). */
  pools?: { id: string; name: string }[];
  /** The range asked for (ms; absent = open-ended) and the pool filter, echoed in `range`. */
  from?: number;
  to?: number;
  poolId?: string;
  /** Reps listed even with no lead (default: every rep in `reps`, which also give the names). */
  members?: ReadonlySet<string>;
}

/** Leads taken per active rep -> Gini coefficient: 0 = every rep took as many, toward 1 = one rep took them all. */
export function gini(values: number[]): number | null {
  const xs = values.filter((v) => v > 0).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return null;
  const sum = xs.reduce((a, b) => a + b, 0);
  // G = 2·Σ i·x_i / (n·Σ x) − (n + 1) / n, x ascending, i from 1.
  const weighted = xs.reduce((acc, x, i) => acc + (i + 1) * x, 0);
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

/** p50, p90 and max of some speeds (ms). */
export function speedFigures(speeds: number[]): SpeedFigures {
  const sorted = [...speeds].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

/** won / (won + lost + unreachable): the share of closed leads that were won. */
export function winRate(outcomes: Pick<Record<Outcome, number>, 'won' | 'lost' | 'unreachable'>): number | null {
  const closed = outcomes.won + outcomes.lost + outcomes.unreachable;
  return closed ? outcomes.won / closed : null;
}

/** Leads and what became of them. */
export function leadFigures(leads: Lead[]): LeadFigures {
  const outcomes = zeroOutcomes();
  const speeds: number[] = [];
  let claimed = 0;
  for (const lead of leads) {
    if (lead.outcome) outcomes[lead.outcome]++;
    if (lead.claimedBy) claimed++;
    const ms = speedOf(lead);
    if (ms !== null) speeds.push(ms);
  }
  return { leads: leads.length, claimed, ...outcomes, winRate: winRate(outcomes), speedToClaimMs: speedFigures(speeds) };
}

/**
 * SLA hook: whether a lead waited past its pool's SLA. The store records no such thing yet
 * (the SLA setting, `slaMs`, comes with its own change): null = not known, and the report's
 * `overdue` stays null until this reads what the store records.
 */
export function overdueOf(lead: Lead): boolean | null {
  const flag = (lead as Lead & { overdueAt?: string }).overdueAt;
  return flag === undefined ? null : true;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Bucket lengths of the speed chart, shortest first: the first giving at most MAX_BUCKETS is used. */
const INTERVALS = [15 * 60_000, HOUR, 6 * HOUR, DAY, 7 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
const MAX_BUCKETS = 60;

/** The bucket length for a range of `spanMs` (today: hours, a week: 6 hours, a month: days, ...). */
export function bucketInterval(spanMs: number): number {
  return INTERVALS.find((i) => Math.ceil(spanMs / i) <= MAX_BUCKETS) ?? INTERVALS[INTERVALS.length - 1];
}

/** Speed to claim over time: leads by arrival bucket [from, to) (UTC-aligned), empty buckets included. */
export function speedSeries(leads: Lead[], from: number, to: number): { intervalMs: number; buckets: ReportBucket[] } {
  const intervalMs = bucketInterval(Math.max(1, to - from));
  const first = Math.floor(from / intervalMs) * intervalMs;
  const count = Math.max(1, Math.ceil((to - first) / intervalMs));
  const groups: Lead[][] = Array.from({ length: count }, () => []);
  for (const lead of leads) {
    const i = Math.floor((Date.parse(lead.createdAt) - first) / intervalMs);
    if (i >= 0 && i < count) groups[i].push(lead);
  }
  const buckets = groups.map((group, i) => {
    const speed = leadFigures(group).speedToClaimMs;
    return {
      start: new Date(first + i * intervalMs).toISOString(),
      leads: group.length,
      claimed: speed.count,
      p50: speed.p50,
      p90: speed.p90,
    };
  });
  return { intervalMs, buckets };
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

/** Fairness in words a sales manager reads. */
export function fairnessText(
  f: { gini: number | null; activeReps: number; busiest: { name: string; share: number } | null },
  taken: number,
): string {
  if (!f.busiest || taken === 0) return 'No rep took a lead in this period.';
  if (f.activeReps === 1) return `One rep, ${f.busiest.name}, took every lead (${taken}).`;
  const g = f.gini ?? 0;
  const spread = g < 0.2 ? 'an even spread' : g < 0.35 ? 'a somewhat uneven spread' : 'an uneven spread';
  return (
    `The busiest rep, ${f.busiest.name}, took ${pct(f.busiest.share)} of leads (${Math.round(f.busiest.share * taken)} of ${taken}); ` +
    `an even split over the ${f.activeReps} reps who took leads would be ${pct(1 / f.activeReps)} each. ` +
    `Gini ${g.toFixed(2)}: ${spread} (0 = perfectly even, 1 = one rep takes all).`
  );
}

function groupBy<K>(leads: Lead[], key: (lead: Lead) => K | undefined): Map<K, Lead[]> {
  const out = new Map<K, Lead[]>();
  for (const lead of leads) {
    const k = key(lead);
    if (k === undefined) continue;
    let list = out.get(k);
    if (!list) {
      list = [];
      out.set(k, list);
    }
    list.push(lead);
  }
  return out;
}

const byLeadsDesc = <T extends { leads: number }>(a: T, b: T) => b.leads - a.leads;

/**
 * The report over `leads` (those that arrived in the range, already filtered by pool).
 * `reps` are listed even with no lead (the reps of the pool asked for, or every rep).
 */
export function summarize(leads: Lead[], reps: { id: string; name: string }[], now = Date.now(), ctx: ReportContext = {}): ReportSummary {
  const names = new Map(reps.map((r) => [r.id, r.name]));
  const totals = { total: leads.length, open: 0, claimed: 0, closed: 0, disqualified: 0 };
  const outcomes = zeroOutcomes();
  const speeds: number[] = [];
  const disqualifiedByReason: Record<string, number> = {};
  let overdue: number | null = null;
  for (const lead of leads) {
    totals[lead.status]++;
    if (lead.outcome) outcomes[lead.outcome]++;
    const ms = speedOf(lead);
    if (ms !== null) speeds.push(ms);
    for (const reason of lead.status === 'disqualified' ? (lead.disqualifiedReasons ?? []) : []) {
      disqualifiedByReason[reason] = (disqualifiedByReason[reason] ?? 0) + 1;
    }
    const late = overdueOf(lead);
    if (late !== null) overdue = (overdue ?? 0) + (late ? 1 : 0);
  }
  speeds.sort((a, b) => a - b);

  const byRep = groupBy(leads, (l) => l.claimedBy);
  for (const r of reps) if (!byRep.has(r.id) && (!ctx.members || ctx.members.has(r.id))) byRep.set(r.id, []);
  const taken = leads.filter((l) => l.claimedBy).length;
  const perRep = [...byRep.entries()].map(([repId, own]) => {
    const f = leadFigures(own);
    const { contacted, won, lost, unreachable } = f;
    return {
      repId,
      name: names.get(repId) ?? '(removed rep)',
      active: own.filter((l) => l.status === 'claimed').length,
      outcomes: { contacted, won, lost, unreachable },
      medianSpeedToClaimMs: f.speedToClaimMs.p50,
      ...f,
      share: taken ? own.length / taken : 0,
    };
  });
  const counts = perRep.map((e) => e.claimed).filter((c) => c > 0);
  const sum = counts.reduce((a, b) => a + b, 0);
  const sumSq = counts.reduce((a, b) => a + b * b, 0);
  const busiestRow = perRep.reduce<(typeof perRep)[number] | null>((best, r) => (r.claimed > (best?.claimed ?? 0) ? r : best), null);
  const busiest = busiestRow ? { repId: busiestRow.repId, name: busiestRow.name, share: busiestRow.share } : null;
  const fairness = { gini: gini(counts), activeReps: counts.length, busiest };

  const poolNames = new Map((ctx.pools ?? []).map((p) => [p.id, p.name]));
  const perSource = [...groupBy(leads, (l) => l.source ?? '(none)').entries()]
    .map(([source, own]) => ({ source, ...leadFigures(own), disqualified: own.filter((l) => l.status === 'disqualified').length }))
    .sort(byLeadsDesc);
  const perPool = [...groupBy(leads, (l) => l.poolId).entries()]
    .map(([poolId, own]) => ({
      poolId,
      name: poolNames.get(poolId) ?? '(deleted pool)',
      ...leadFigures(own),
      disqualified: own.filter((l) => l.status === 'disqualified').length,
    }))
    .sort(byLeadsDesc);
  const perMode = [...groupBy<Mode>(leads, (l) => (l.claimedAt ? l.claimMode : undefined)).entries()].map(([mode, own]) => ({
    mode,
    speedToClaimMs: leadFigures(own).speedToClaimMs,
  }));

  // leads come oldest first (Store.leadsCreatedBetween); no spread: 100,000 arguments would overflow
  const seriesFrom = ctx.from ?? leads.reduce((min, l) => Math.min(min, Date.parse(l.createdAt)), now);
  const seriesTo = Math.max(seriesFrom + 1, ctx.to ?? now);
  return {
    generatedAt: new Date(now).toISOString(),
    range: {
      from: ctx.from === undefined ? null : new Date(ctx.from).toISOString(),
      to: ctx.to === undefined ? null : new Date(ctx.to).toISOString(),
      poolId: ctx.poolId ?? null,
    },
    leads: totals,
    speedToClaimMs: {
      count: speeds.length,
      median: percentile(speeds, 0.5),
      p90: percentile(speeds, 0.9),
      mean: speeds.length ? Math.round(speeds.reduce((a, b) => a + b, 0) / speeds.length) : null,
      p50: percentile(speeds, 0.5),
      max: speeds.length ? speeds[speeds.length - 1] : null,
    },
    perRep,
    fairness: {
      jainIndex: counts.length ? (sum * sum) / (counts.length * sumSq) : null,
      maxShare: sum ? Math.max(...counts) / sum : null,
      ...fairness,
      text: fairnessText(fairness, taken),
    },
    outcomes,
    flow: { in: leads.length, disqualified: totals.disqualified, claimed: taken, closed: totals.closed, open: totals.open },
    disqualifiedByReason,
    perSource,
    perPool,
    perMode,
    series: speedSeries(leads, seriesFrom, seriesTo),
    overdue,
  };
}

// ---- CSV ------------------------------------------------------------------------------------

/** A report cell: numbers rounded to 4 places, then a CSV cell (csv.ts csvCell: formulas neutralized). */
const reportCell = (value: string | number | null | undefined) =>
  csvCell(typeof value === 'number' ? Math.round(value * 10_000) / 10_000 : value);

export const REPORT_CSV_HEADER = [
  'section',
  'key',
  'name',
  'leads',
  'claimed',
  'contacted',
  'won',
  'lost',
  'unreachable',
  'win_rate',
  'share',
  'speed_p50_ms',
  'speed_p90_ms',
  'speed_max_ms',
] as const;

/** The report as one CSV table: a `section` column (total, rep, source, pool, mode, disqualified, bucket) and a row per item. */
export function reportCsv(s: ReportSummary): string {
  type Row = Partial<Record<(typeof REPORT_CSV_HEADER)[number], string | number | null>>;
  const fig = (f: LeadFigures): Row => ({
    leads: f.leads,
    claimed: f.claimed,
    contacted: f.contacted,
    won: f.won,
    lost: f.lost,
    unreachable: f.unreachable,
    win_rate: f.winRate,
    speed_p50_ms: f.speedToClaimMs.p50,
    speed_p90_ms: f.speedToClaimMs.p90,
    speed_max_ms: f.speedToClaimMs.max,
  });
  const rows: Row[] = [
    {
      section: 'total',
      key: s.range.poolId ?? 'all',
      name: `${s.range.from ?? 'start'} to ${s.range.to ?? s.generatedAt}`,
      leads: s.flow.in,
      claimed: s.flow.claimed,
      ...s.outcomes,
      win_rate: winRate(s.outcomes),
      speed_p50_ms: s.speedToClaimMs.p50,
      speed_p90_ms: s.speedToClaimMs.p90,
      speed_max_ms: s.speedToClaimMs.max,
    },
    { section: 'fairness', key: 'gini', name: s.fairness.text, share: s.fairness.gini },
    ...Object.entries(s.disqualifiedByReason).map(([reason, n]) => ({ section: 'disqualified', key: reason, leads: n })),
    ...s.perRep.map((r) => ({ section: 'rep', key: r.repId, name: r.name, ...fig(r), share: r.share })),
    ...s.perSource.map((r) => ({ section: 'source', key: r.source, ...fig(r) })),
    ...s.perPool.map((r) => ({ section: 'pool', key: r.poolId, name: r.name, ...fig(r) })),
    ...s.perMode.map((r) => ({
      section: 'mode',
      key: r.mode,
      claimed: r.speedToClaimMs.count,
      speed_p50_ms: r.speedToClaimMs.p50,
      speed_p90_ms: r.speedToClaimMs.p90,
      speed_max_ms: r.speedToClaimMs.max,
    })),
    ...s.series.buckets.map((b) => ({
      section: 'bucket',
      key: b.start,
      leads: b.leads,
      claimed: b.claimed,
      speed_p50_ms: b.p50,
      speed_p90_ms: b.p90,
    })),
  ];
  const lines = [REPORT_CSV_HEADER.join(','), ...rows.map((row) => REPORT_CSV_HEADER.map((h) => reportCell(row[h])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
