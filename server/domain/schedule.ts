// Working hours: whether a rep is on shift at an instant, and when that next changes.
// Pure, with Intl only (no time-zone library). Wall-clock semantics in the schedule's zone:
// - a weekly row { day, from, to } is on from `from` (included) to `to` (excluded) local
//   time on `day` (1 = Monday … 7 = Sunday); `to` may be "24:00" (end of the day); `to`
//   before `from` is an overnight shift ending on the next day at `to`;
// - `weekly: []` means every hour of every day (only the absences apply);
// - an absence `{ from, to }` is off from `from` to `to`: a date ("2026-12-24") means that
//   local day, whole (`to` included); a time without an offset ("2026-12-24T13:00") is local;
//   a time with one ("…Z", "…+05:30") is that instant. Absences win over the weekly hours.
// Across daylight-saving changes a local time that does not exist (spring forward) is passed
// when the clock jumps over it; one that occurs twice (fall back) counts at its first
// occurrence, and the wall clock decides after that (it reads that hour twice).
import type { Schedule } from '../../shared/protocol.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `t` in `timeZone`, as ms since the epoch as if that wall clock were UTC. */
export function wallClock(t: number, timeZone: string): number {
  // format() of a number is several times faster than formatToParts(): "M/D/YYYY, HH:MM:SS"
  const m = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/.exec(formatter(timeZone).format(t));
  if (!m) throw new Error(`unexpected date format for ${timeZone}`);
  const whole = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  return whole + (((t % 1000) + 1000) % 1000);
}

/** UTC offset (ms) in effect at instant t. */
const offsetAt = (t: number, timeZone: string) => wallClock(t, timeZone) - t;

/** ISO weekday (1 = Monday … 7 = Sunday) of a wall-clock ms value. */
const weekdayOf = (wall: number) => ((new Date(wall).getUTCDay() + 6) % 7) + 1;

/** "HH:MM" -> minutes after midnight ("24:00" = 1440). */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The instant a local wall clock (ms, as if UTC) is reached in `timeZone`: for a time that
 * occurs twice the first occurrence, for one skipped by a daylight-saving jump the jump.
 */
export function instantOf(wall: number, timeZone: string): number {
  const before = wall - offsetAt(wall - DAY, timeZone);
  const after = wall - offsetAt(wall + DAY, timeZone);
  const candidates = [before, after].filter((t) => wallClock(t, timeZone) === wall).sort((a, b) => a - b);
  if (candidates.length) return candidates[0];
  // A gap: the first instant whose wall clock is past `wall` (binary search to the ms).
  let lo = Math.min(before, after);
  let hi = Math.max(before, after);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** An absence edge as an instant; `end`: a date means the end of that day. NaN when unreadable. */
export function absenceEdge(value: string, timeZone: string, end: boolean): number {
  if (DATE.test(value)) return instantOf(Date.parse(`${value}T00:00:00Z`) + (end ? DAY : 0), timeZone);
  if (LOCAL_TIME.test(value)) return instantOf(Date.parse(`${value}Z`), timeZone);
  return Date.parse(value);
}

const absencesOf = new WeakMap<Schedule, [number, number][]>();
/** The absences as instants, read once per schedule object (a schedule is not mutated). */
function absences(s: Schedule): [number, number][] {
  let out = absencesOf.get(s);
  if (!out) {
    out = (s.off ?? []).map((a) => [absenceEdge(a.from, s.timeZone, false), absenceEdge(a.to, s.timeZone, true)]);
    absencesOf.set(s, out);
  }
  return out;
}

/** Whether the weekly hours are on at a wall-clock ms value. */
function weeklyOn(s: Schedule, wall: number): boolean {
  if (s.weekly.length === 0) return true;
  const day = weekdayOf(wall);
  const minute = Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);
  const yesterday = day === 1 ? 7 : day - 1;
  return s.weekly.some((w) => {
    const from = minutesOf(w.from);
    const to = minutesOf(w.to);
    if (from < to) return w.day === day && minute >= from && minute < to;
    return (w.day === day && minute >= from) || (w.day === yesterday && minute < to);
  });
}

/** Whether a rep with this schedule (none: always) is on shift at instant t. */
export function onShift(s: Schedule | null | undefined, t: number): boolean {
  if (!s) return true;
  if (absences(s).some(([from, to]) => t >= from && t < to)) return false;
  return weeklyOn(s, wallClock(t, s.timeZone));
}

/**
 * Instants in [start, end] (at most days apart) where the zone's UTC offset changes: none
 * when both ends agree (changes are months apart), else sampled daily, then to the ms.
 */
function offsetChanges(timeZone: string, start: number, end: number): number[] {
  const out: number[] = [];
  if (offsetAt(start, timeZone) === offsetAt(end, timeZone)) return out;
  const step = DAY;
  for (let a = start; a < end; a += step) {
    const b = Math.min(a + step, end);
    if (offsetAt(a, timeZone) === offsetAt(b, timeZone)) continue;
    let lo = a;
    let hi = b;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid, timeZone) === offsetAt(a, timeZone)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/** Instants in [start, start + 8 days] where the weekly hours may turn on or off. */
function weeklyEdges(s: Schedule, start: number): number[] {
  const end = start + 8 * DAY;
  const offsets = new Set([offsetAt(start, s.timeZone), offsetAt(end, s.timeZone)]);
  const changes = offsetChanges(s.timeZone, start, end);
  for (const c of changes) offsets.add(offsetAt(c, s.timeZone));
  const out = [...changes];
  const firstDay = Math.floor(wallClock(start, s.timeZone) / DAY) * DAY - DAY;
  for (let d = firstDay; d <= firstDay + 10 * DAY; d += DAY) {
    for (const w of s.weekly) {
      if (w.day !== weekdayOf(d)) continue;
      const from = minutesOf(w.from);
      const to = minutesOf(w.to);
      for (const wall of [d + from * MINUTE, d + (to > from ? 0 : DAY) + to * MINUTE]) {
        // Each offset in effect nearby: a wall time that occurs twice yields both instants.
        if (changes.length === 0) out.push(wall - [...offsets][0]);
        else for (const o of offsets) if (wallClock(wall - o, s.timeZone) === wall) out.push(wall - o);
      }
    }
  }
  return out.filter((t) => t >= start && t <= end);
}

/**
 * The next instant after t at which onShift changes, or null when it never does (no
 * schedule, or hours that never change and no absence ahead).
 */
export function nextShiftChange(s: Schedule | null | undefined, t: number): number | null {
  if (!s) return null;
  const now = onShift(s, t);
  const off = absences(s);
  const starts = [t, ...off.map(([, to]) => to).filter((to) => to > t)];
  const candidates = new Set<number>();
  for (const [from, to] of off) for (const e of [from, to]) if (e > t) candidates.add(e);
  if (s.weekly.length) for (const start of starts) for (const e of weeklyEdges(s, start)) if (e > t) candidates.add(e);
  for (const c of [...candidates].sort((a, b) => a - b)) if (onShift(s, c) !== now) return c;
  return null;
}
