import { now } from '../lib/clock';
import { formatAge } from '../lib/format';

/** A ticking age ("1m 05s") from an ISO time or epoch ms. */
export function Age({ since, suffix = '' }: { since: string | number | null | undefined; suffix?: string }) {
  if (since === null || since === undefined) return <span>—</span>;
  const t = typeof since === 'number' ? since : Date.parse(since);
  const iso = Number.isFinite(t) ? new Date(t).toISOString() : undefined;
  // The clock signal re-renders this every second; the time itself is read fresh.
  return (
    <time dateTime={iso} class="age">
      {formatAge(Math.max(now.value, Date.now()) - t)}
      {suffix}
    </time>
  );
}
