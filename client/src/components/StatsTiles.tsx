import type { LiveStats } from '../../../shared/protocol';
import { formatMs } from '../lib/format';

/** Live tiles: waiting leads, median speed-to-claim, claimed, reps online. */
export function StatsTiles({ stats }: { stats: LiveStats | null }) {
  const tiles = [
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
    <div class="tiles tiles-4" role="group" aria-label="Live statistics">
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
