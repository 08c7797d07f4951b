// The reports view's time range: presets and a custom pair of dates, as the query of
// GET /api/reports/summary (ISO times; `to` exclusive).
export type RangePreset = 'today' | '7d' | '30d' | 'all' | 'custom';

export interface ReportRange {
  preset: RangePreset;
  /** custom: first and last day included, as <input type="date"> values (local days). */
  fromDay?: string;
  toDay?: string;
  /** '' = every pool. */
  poolId: string;
}

export const RANGE_PRESETS: { id: RangePreset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: '7d', label: '7 days' },
  { id: '30d', label: '30 days' },
  { id: 'all', label: 'All time' },
  { id: 'custom', label: 'Custom' },
];

const DAY = 86_400_000;

/** Local midnight of a YYYY-MM-DD day, or null when it is not a day. */
function localDay(day: string | undefined): Date | null {
  const m = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The query string (with its `?`, or '') of a range, relative to `now`. */
export function reportQuery(range: ReportRange, now = new Date()): string {
  const params = new URLSearchParams();
  if (range.preset === 'today') params.set('from', new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString());
  if (range.preset === '7d') params.set('from', new Date(now.getTime() - 7 * DAY).toISOString());
  if (range.preset === '30d') params.set('from', new Date(now.getTime() - 30 * DAY).toISOString());
  if (range.preset === 'custom') {
    const from = localDay(range.fromDay);
    const to = localDay(range.toDay);
    if (from) params.set('from', from.toISOString());
    // the last day is included: up to the next midnight
    if (to) params.set('to', new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).toISOString());
  }
  if (range.poolId) params.set('poolId', range.poolId);
  const q = params.toString();
  return q ? `?${q}` : '';
}
