// The offline grace of server/service/stranding.ts: reps of a pool going offline together
// (a whole team's tabs closing) make one check of the pool per grace, not one per rep, and
// each rep is still checked only after its own grace ended.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Fanout } from '../server/realtime/fanout.js';
import type { FollowUps } from '../server/service/follow-ups.js';
import type { Logger } from '../server/service/logger.js';
import { OFFLINE_GRACE_MS, Stranding } from '../server/service/stranding.js';
import type { Store } from '../server/store/types.js';

afterEach(() => {
  vi.useRealTimers();
});

function stranding() {
  const checked: { poolId: string; at: number }[] = [];
  // passOver starts with getPool: a pool that does not exist ends the pass there.
  const store = {
    getPool: async (poolId: string) => {
      checked.push({ poolId, at: Date.now() });
      return null;
    },
  } as unknown as Store;
  const s = new Stranding(store, {} as Fanout, {} as FollowUps, { error: () => {} } as unknown as Logger);
  return { s, checked };
}

describe('Stranding offline grace', () => {
  it('reps of one pool going offline within a grace: a check when the first grace ends and one when the last ends', async () => {
    vi.useFakeTimers({ now: 0 });
    const { s, checked } = stranding();
    s.repUnavailable(['p', 'q'], 'offline');
    await vi.advanceTimersByTimeAsync(500);
    s.repUnavailable(['p'], 'offline');
    await vi.advanceTimersByTimeAsync(1000);
    s.repUnavailable(['p'], 'offline'); // due at 3500
    await vi.advanceTimersByTimeAsync(OFFLINE_GRACE_MS - 1500 - 1);
    expect(checked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(checked).toEqual([
      { poolId: 'p', at: OFFLINE_GRACE_MS },
      { poolId: 'q', at: OFFLINE_GRACE_MS },
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(checked.filter((c) => c.poolId === 'p').map((c) => c.at)).toEqual([OFFLINE_GRACE_MS, 1500 + OFFLINE_GRACE_MS]);
    expect(checked).toHaveLength(3);
    s.stop();
  });

  it('away counts at once; stop() cancels the pending checks', async () => {
    vi.useFakeTimers({ now: 0 });
    const { s, checked } = stranding();
    s.repUnavailable(['p'], 'away');
    await vi.advanceTimersByTimeAsync(0);
    expect(checked).toEqual([{ poolId: 'p', at: 0 }]);
    s.repUnavailable(['q'], 'offline');
    s.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(checked).toHaveLength(1);
  });
});
