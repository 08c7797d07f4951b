// The reports view's time range as the summary's query (client/src/lib/reportRange.ts).
import { describe, expect, it } from 'vitest';
import { reportQuery } from '../../client/src/lib/reportRange';

const now = new Date(2026, 10, 29, 15, 30); // local time
const params = (q: string) => Object.fromEntries(new URLSearchParams(q.slice(1)));

describe('reportQuery', () => {
  it('presets: today from local midnight, 7 and 30 days back, all time nothing', () => {
    expect(params(reportQuery({ preset: 'today', poolId: '' }, now))).toEqual({ from: new Date(2026, 10, 29).toISOString() });
    expect(params(reportQuery({ preset: '7d', poolId: '' }, now)).from).toBe(new Date(now.getTime() - 7 * 86_400_000).toISOString());
    expect(params(reportQuery({ preset: '30d', poolId: '' }, now)).from).toBe(new Date(now.getTime() - 30 * 86_400_000).toISOString());
    expect(reportQuery({ preset: 'all', poolId: '' }, now)).toBe('');
  });

  it('custom: both days included (to = the next midnight); bad days left out; the pool filter', () => {
    expect(params(reportQuery({ preset: 'custom', fromDay: '2026-11-01', toDay: '2026-11-30', poolId: 'eu' }, now))).toEqual({
      from: new Date(2026, 10, 1).toISOString(),
      to: new Date(2026, 11, 1).toISOString(),
      poolId: 'eu',
    });
    expect(reportQuery({ preset: 'custom', fromDay: 'nope', poolId: '' }, now)).toBe('');
  });
});
