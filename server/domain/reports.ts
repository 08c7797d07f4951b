// Live stats and the summary report, computed from leads (pure).
import {
  type Lead,
  type LeadStatus,
  type LiveStats,
  OUTCOMES,
  type Outcome,
  type PoolFigures,
  type ReportSummary,
} from '../../shared/protocol.js';

const speedOf = (lead: Lead): number | null => (lead.claimedAt ? Date.parse(lead.claimedAt) - Date.parse(lead.createdAt) : null);

function percentile(sorted: number[], p: number): number | null {
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

export function summarize(leads: Lead[], reps: { id: string; name: string }[], now = Date.now()): ReportSummary {
  const names = new Map(reps.map((r) => [r.id, r.name]));
  const totals = { total: leads.length, open: 0, claimed: 0, closed: 0, disqualified: 0 };
  const outcomes = zeroOutcomes();
  const speeds: number[] = [];
  const perRep = new Map<string, { claimed: number; held: number; outcomes: Record<Outcome, number>; speeds: number[] }>();
  const repEntry = (id: string) => {
    let e = perRep.get(id);
    if (!e) {
      e = { claimed: 0, held: 0, outcomes: zeroOutcomes(), speeds: [] };
      perRep.set(id, e);
    }
    return e;
  };
  for (const r of reps) repEntry(r.id);
  for (const lead of leads) {
    totals[lead.status]++;
    if (lead.outcome) outcomes[lead.outcome]++;
    if (!lead.claimedBy) continue;
    const e = repEntry(lead.claimedBy);
    e.claimed++;
    if (lead.status === 'claimed') e.held++;
    if (lead.outcome) e.outcomes[lead.outcome]++;
    const ms = speedOf(lead);
    if (ms !== null) {
      speeds.push(ms);
      e.speeds.push(ms);
    }
  }
  speeds.sort((a, b) => a - b);
  const counts = [...perRep.values()].map((e) => e.claimed).filter((c) => c > 0);
  const sum = counts.reduce((a, b) => a + b, 0);
  const sumSq = counts.reduce((a, b) => a + b * b, 0);
  return {
    generatedAt: new Date(now).toISOString(),
    leads: totals,
    speedToClaimMs: {
      count: speeds.length,
      median: percentile(speeds, 0.5),
      p90: percentile(speeds, 0.9),
      mean: speeds.length ? Math.round(speeds.reduce((a, b) => a + b, 0) / speeds.length) : null,
    },
    perRep: [...perRep.entries()].map(([repId, e]) => ({
      repId,
      name: names.get(repId) ?? '(removed rep)',
      claimed: e.claimed,
      active: e.held,
      outcomes: e.outcomes,
      medianSpeedToClaimMs: percentile(
        e.speeds.sort((a, b) => a - b),
        0.5,
      ),
    })),
    fairness: {
      jainIndex: counts.length ? (sum * sum) / (counts.length * sumSq) : null,
      maxShare: sum ? Math.max(...counts) / sum : null,
    },
    outcomes,
  };
}
