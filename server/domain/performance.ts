// Push to top performers: round-robin weights measured from each rep's recent results
// (pool setting weightBy "performance"). Pure. Over a sliding window (the pool's latest
// closed leads, within a few days) each rep gets:
//   win rate   won / closed, smoothed toward the team's rate with a Bayesian prior of
//              PRIOR leads, so a new rep starts at the team average instead of 0 or 1;
//   speed      median time from claim to close, smoothed the same way toward the team's;
//   weight     (win rate / team rate) x sqrt(team time / its time), divided by the mean
//              over the pool's reps (the average rep weighs 1), then bounded to
//              [MIN_WEIGHT, MAX_WEIGHT] so nobody is starved or flooded.
import type { Lead } from '../../shared/protocol.js';

export const PERFORMANCE_WINDOW = { leads: 500, ms: 7 * 24 * 3600_000 } as const;
/** Weight of the team's figures in each rep's, in leads. */
export const PRIOR = 5;
export const MIN_WEIGHT = 0.5;
export const MAX_WEIGHT = 2;

export interface RepPerformance {
  /** Closed leads of the rep in the window. */
  closed: number;
  won: number;
  /** Smoothed win rate. */
  winRate: number;
  /** Smoothed median ms from claim to close, null when nobody closed anything. */
  handleMs: number | null;
  weight: number;
}

/** The closed leads that count: with an owner and a close time, in the window, newest first. */
function windowOf(leads: readonly Lead[], now: number): Lead[] {
  return leads
    .filter(
      (l) => l.status === 'closed' && l.claimedBy && l.claimedAt && l.closedAt && now - Date.parse(l.closedAt) <= PERFORMANCE_WINDOW.ms,
    )
    .sort((a, b) => Date.parse(b.closedAt!) - Date.parse(a.closedAt!))
    .slice(0, PERFORMANCE_WINDOW.leads);
}

const handleOf = (l: Lead) => Math.max(0, Date.parse(l.closedAt!) - Date.parse(l.claimedAt!));
function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Each rep's figures and weight; `repIds`: the pool's reps (a rep with no closed lead weighs about 1). */
export function performanceOf(repIds: readonly string[], leads: readonly Lead[], now = Date.now()): Record<string, RepPerformance> {
  const recent = windowOf(leads, now);
  const teamWon = recent.filter((l) => l.outcome === 'won').length;
  const teamRate = recent.length ? teamWon / recent.length : 0;
  const teamHandle = median(recent.map(handleOf));
  const raw: Record<string, Omit<RepPerformance, 'weight'> & { raw: number }> = {};
  for (const id of repIds) {
    const mine = recent.filter((l) => l.claimedBy === id);
    const won = mine.filter((l) => l.outcome === 'won').length;
    const n = mine.length;
    const winRate = (won + PRIOR * teamRate) / (n + PRIOR);
    const ownHandle = median(mine.map(handleOf));
    const handleMs = teamHandle === null ? null : ((ownHandle ?? teamHandle) * n + teamHandle * PRIOR) / (n + PRIOR);
    const rateFactor = teamRate > 0 ? winRate / teamRate : 1;
    const speedFactor = teamHandle && handleMs ? Math.sqrt(teamHandle / handleMs) : 1;
    raw[id] = { closed: n, won, winRate, handleMs, raw: rateFactor * speedFactor };
  }
  const mean = repIds.length ? repIds.reduce((sum, id) => sum + raw[id].raw, 0) / repIds.length : 1;
  const out: Record<string, RepPerformance> = {};
  for (const id of repIds) {
    const { raw: r, ...figures } = raw[id];
    const weight = Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, mean > 0 ? r / mean : 1));
    out[id] = { ...figures, weight: Math.round(weight * 1000) / 1000 };
  }
  return out;
}

/** Just the weights (what round-robin passes to the store). */
export function performanceWeights(repIds: readonly string[], leads: readonly Lead[], now = Date.now()): Record<string, number> {
  return Object.fromEntries(Object.entries(performanceOf(repIds, leads, now)).map(([id, p]) => [id, p.weight]));
}
