// `npm run simulate` (scripts/simulate.ts), a short scenario through the real server: no lead
// is left stranded, and the fairness preset (round-robin) spreads leads more evenly than
// plain shark-tank, where the fastest reps take most.
import { describe, expect, it } from 'vitest';
import { gini, simulate } from '../scripts/simulate.js';

describe('simulate', () => {
  it('gini: 0 for equal shares, towards 1 when one takes all', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 12])).toBeCloseTo(0.75);
    expect(gini([])).toBe(0);
  });

  it('a short day: nothing stranded; the fairness preset has a lower Gini than plain shark-tank', async () => {
    const results = await simulate({ leads: 40, reps: 5, dayMs: 4000, presets: ['shark-tank', 'round-robin'], seed: 1 });
    const [shark, fair] = results;
    expect(shark.preset).toBe('shark-tank');
    expect(fair).toMatchObject({ preset: 'round-robin', fairness: true });
    for (const r of results) {
      expect(r.leads).toBe(40);
      expect(r.stranded).toBe(0);
      expect(Object.values(r.perRep).reduce((a, b) => a + b, 0)).toBe(40);
    }
    expect(fair.gini).toBeLessThan(shark.gini);
  }, 120_000);
});
