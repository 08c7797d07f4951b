import type { LiveStats, PoolOverview } from '../../../shared/protocol';
import { formatMs } from '../lib/format';

/**
 * Live tiles: waiting leads, median speed-to-claim, claimed, reps. With several pools the
 * counts are the selected pool's (`pool`, kept live from stats.pools) and the median is over
 * every pool; with one, they are the deployment's (v1).
 */
export function StatsTiles({ stats, pool, poolReps }: { stats: LiveStats | null; pool?: PoolOverview | null; poolReps?: number }) {
  const tiles = pool
    ? [
        {
          label: 'Waiting leads',
          value: String(pool.waiting),
          sub: pool.waiting > 0 && pool.oldestAgeMs ? `oldest ${formatMs(pool.oldestAgeMs)}` : 'none waiting',
        },
        { label: 'Median speed-to-claim', value: formatMs(stats?.medianSpeedToClaimMs), sub: 'last 100 claims, all pools' },
        { label: 'Being worked', value: String(pool.claimed), sub: stats ? `${stats.claimed} in all pools` : '' },
        { label: 'Reps online', value: String(pool.repsOnline), sub: `of ${poolReps ?? 0} in this pool` },
      ]
    : [
        {
          label: 'Waiting leads',
          value: stats ? String(stats.open) : '—',
          sub: stats?.oldestWaitingMs ? `oldest ${formatMs(stats.oldestWaitingMs)}` : 'none waiting',
        },
        { label: 'Median speed-to-claim', value: formatMs(stats?.medianSpeedToClaimMs), sub: 'last 100 claims' },
        { label: 'Being worked', value: stats ? String(stats.claimed) : '—', sub: stats ? `${stats.closed} closed` : '' },
        { label: 'Reps available', value: stats ? String(stats.repsAvailable) : '—', sub: stats ? `${stats.repsOnline} online` : '' },
      ];
  return (
    <div class="tiles tiles-4" role="group" aria-label={pool ? `Live statistics: ${pool.name}` : 'Live statistics'}>
      {tiles.map((t) => (
        <div class="tile" key={t.label}>
          <span class="tile-label">{t.label}</span>
          <span class="tile-value">{t.value}</span>
          <span class="tile-sub">{t.sub}</span>
        </div>
      ))}
    </div>
  );
}
