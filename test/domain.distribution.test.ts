// The pure rules of distribution v2 (server/domain/policy.ts): one availability predicate,
// when a lead is stranded, and which leads stranding has opened for good.
import { describe, expect, it } from 'vitest';
import { isAvailable, isStranded, mayStrand, openedByStranding } from '../server/domain/policy.js';
import type { Lead, Presence } from '../shared/protocol.js';

const reps = [
  { id: 'a', pools: ['default'] },
  { id: 'b', pools: ['default'] },
  { id: 'x', pools: ['other'] },
];
const lead = (over: Partial<Lead> = {}) => ({ poolId: 'default', status: 'open' as const, eligible: ['a'] as Lead['eligible'], ...over });
const presence =
  (p: Record<string, Presence>) =>
  (id: string): Presence | undefined =>
    p[id];

describe('distribution v2 rules', () => {
  it('only available is available (away, offline, anything else is not)', () => {
    expect(isAvailable('available')).toBe(true);
    for (const p of ['away', 'offline', 'off-shift', undefined] as (Presence | undefined)[]) expect(isAvailable(p)).toBe(false);
  });

  it('a hybrid lead is stranded when none of its routed reps is available, under any policy', () => {
    for (const policy of ['everyone', 'wait', { pool: 'night' }] as const) {
      expect(isStranded(lead(), 'hybrid', policy, reps, presence({ b: 'available' }))).toBe(true);
      expect(isStranded(lead(), 'hybrid', policy, reps, presence({ a: 'away', b: 'available' }))).toBe(true);
      expect(isStranded(lead(), 'hybrid', policy, reps, presence({ a: 'available' }))).toBe(false);
    }
  });

  it('a lead open to the whole pool counts only under a fallback pool, and only when no member is available', () => {
    expect(isStranded(lead({ eligible: '*' }), 'hybrid', 'everyone', reps, presence({}))).toBe(false);
    expect(isStranded(lead(), 'shark-tank', 'wait', reps, presence({}))).toBe(false);
    expect(isStranded(lead(), 'shark-tank', { pool: 'night' }, reps, presence({ x: 'available' }))).toBe(true);
    expect(isStranded(lead(), 'shark-tank', { pool: 'night' }, reps, presence({ b: 'available' }))).toBe(false);
  });

  it('a lead handled once, or not open, is never stranded again', () => {
    const handled = lead({ stranded: { at: '2026-01-01T00:00:00.000Z', action: 'wait', poolId: 'default' } });
    expect(mayStrand(handled, 'hybrid', 'everyone')).toBe(false);
    expect(mayStrand(lead({ status: 'claimed' }), 'hybrid', 'everyone')).toBe(false);
    expect(openedByStranding(handled)).toBe(false);
    expect(openedByStranding({ stranded: { ...handled.stranded!, action: 'everyone' } })).toBe(true);
    expect(openedByStranding({ stranded: { ...handled.stranded!, action: 'moved' } })).toBe(true);
  });
});
