import type { LiveStats } from '../../../shared/protocol';
import { formatMs } from '../lib/format';
import type { PoolRow } from '../state/managerModel';
import { Age } from './Age';

/** The selected pool's counts as its lists show them, and when its oldest waiting lead arrived. */
export interface TileFigures {
  waiting: number;
  claimed: number;
  oldestAt: number | null;
}

/**
 * Live tiles: waiting leads, median speed-to-claim, leads being worked, reps. Waiting and
 * being worked are counted from the lists below them (so they always agree), the oldest
 * wait ticks. With several pools they are the selected pool's (`pool`) and the median is
 * over every pool; with one, the reps tile is the deployment's (v1).
 */
export function StatsTiles({
  stats,
  figures,
  pool,
  poolReps,
}: {
  stats: LiveStats | null;
  figures: TileFigures;
  pool?: PoolRow | null;
  poolReps?: number;
}) {
  const oldest =
    figures.waiting > 0 && figures.oldestAt !== null ? (
      <>
        oldest <Age since={figures.oldestAt} />
      </>
    ) : (
      'none waiting'
    );
  const tiles = pool
    ? [
        { label: 'Waiting leads', value: String(figures.waiting), sub: oldest },
        { label: 'Median speed-to-claim', value: formatMs(stats?.medianSpeedToClaimMs), sub: 'last 100 claims, all pools' },
        { label: 'Being worked', value: String(figures.claimed), sub: stats ? `${stats.claimed} in all pools` : '' },
        { label: 'Reps online', value: String(pool.repsOnline), sub: `of ${poolReps ?? 0} in this pool` },
      ]
    : [
        { label: 'Waiting leads', value: stats ? String(figures.waiting) : '—', sub: oldest },
        { label: 'Median speed-to-claim', value: formatMs(stats?.medianSpeedToClaimMs), sub: 'last 100 claims' },
        { label: 'Being worked', value: stats ? String(figures.claimed) : '—', sub: stats ? `${stats.closed} closed` : '' },
        { label: 'Reps available', value: stats ? String(stats.repsAvailable) : '—', sub: stats ? `${stats.repsOnline} online` : '' },
      ];
  return (
    <div class="tiles tiles-4" role="group" aria-label={pool ? `Live statistics: ${pool.name}` : 'Live statistics'}>
      {tiles.map((t) => (
        <div class="tile" key={t.label} data-testid={`tile-${t.label.toLowerCase().replace(/[^a-z]+/g, '-')}`}>
          <span class="tile-label">{t.label}</span>
          <span class="tile-value">{t.value}</span>
          <span class="tile-sub">{t.sub}</span>
        </div>
      ))}
    </div>
  );
}
