// Push to top performers (server/domain/performance.ts): weights from win rate and speed,
// smoothed (a new rep starts at the average), bounded, converging on a fixture.
import { describe, expect, it } from 'vitest';
import { MAX_WEIGHT, MIN_WEIGHT, performanceOf, performanceWeights } from '../server/domain/performance.js';
import type { Lead, Outcome } from '../shared/protocol.js';

const now = Date.parse('2026-06-01T12:00:00Z');
let n = 0;
/** A lead `rep` closed `agoMs` ago after holding it `handleMs`. */
function closed(rep: string, outcome: Outcome, handleMs = 60_000, agoMs = 3600_000): Lead {
  n++;
  const closedAt = now - agoMs - n; // distinct times, newest first by n
  return {
    id: `ld_${n}`,
    poolId: 'default',
    status: 'closed',
    createdAt: new Date(closedAt - handleMs - 1000).toISOString(),
    claimedBy: rep,
    claimedAt: new Date(closedAt - handleMs).toISOString(),
    closedAt: new Date(closedAt).toISOString(),
    outcome,
  };
}
/** `count` leads of `rep`, a share `winRate` of them won. */
const record = (rep: string, count: number, winRate: number, handleMs = 60_000) =>
  Array.from({ length: count }, (_, i) => closed(rep, i < Math.round(count * winRate) ? 'won' : 'lost', handleMs));

describe('performance weights', () => {
  it('nobody closed anything: everyone weighs 1', () => {
    expect(performanceWeights(['a', 'b'], [], now)).toEqual({ a: 1, b: 1 });
  });

  it("converges on the reps' measured win rates as their records grow (0.6 vs 0.3 vs 0.3: 1.5, 0.75, 0.75)", () => {
    let previousGap = Number.POSITIVE_INFINITY;
    for (const size of [5, 20, 80, 160]) {
      const leads = [...record('a', size, 0.6), ...record('b', size, 0.3), ...record('c', size, 0.3)];
      const w = performanceWeights(['a', 'b', 'c'], leads, now);
      const gap = Math.abs(w.a - 1.5) + Math.abs(w.b - 0.75) + Math.abs(w.c - 0.75);
      expect(gap).toBeLessThan(previousGap);
      previousGap = gap;
      expect(w.a).toBeGreaterThan(w.b);
      expect(w.b).toBe(w.c);
    }
    expect(previousGap).toBeLessThan(0.1);
  });

  it('a new rep starts at the team average, not starved', () => {
    const leads = [...record('a', 50, 0.5), ...record('b', 50, 0.3)];
    const w = performanceWeights(['a', 'b', 'new'], leads, now);
    expect(w.new).toBeGreaterThan(0.9);
    expect(w.new).toBeLessThan(1.1);
    expect(performanceOf(['new'], leads, now).new).toMatchObject({ closed: 0, won: 0, winRate: 0.4 });
  });

  it('faster reps weigh more at the same win rate', () => {
    const leads = [...record('fast', 60, 0.4, 30_000), ...record('slow', 60, 0.4, 120_000)];
    const w = performanceWeights(['fast', 'slow'], leads, now);
    expect(w.fast).toBeGreaterThan(w.slow);
  });

  it('weights are bounded: one rep winning everything is not flooded, the others not starved', () => {
    const leads = [...record('star', 60, 1), ...Array.from({ length: 6 }, (_, i) => record(`r${i}`, 60, 0)).flat()];
    const ids = ['star', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
    const w = performanceWeights(ids, leads, now);
    expect(w.star).toBe(MAX_WEIGHT);
    for (const id of ids.slice(1)) expect(w[id]).toBe(MIN_WEIGHT);
  });

  it('only the window counts: leads closed over 7 days ago are ignored', () => {
    const old = Array.from({ length: 50 }, () => closed('a', 'won', 60_000, 8 * 24 * 3600_000));
    const leads = [...old, ...record('a', 20, 0.3), ...record('b', 20, 0.3)];
    expect(performanceWeights(['a', 'b'], leads, now)).toEqual({ a: 1, b: 1 });
  });
});
