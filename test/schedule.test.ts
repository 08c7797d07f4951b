// Working hours (server/domain/schedule.ts): on shift at an instant and the next change,
// in several time zones, across daylight-saving changes, overnight shifts and absences.
import { describe, expect, it } from 'vitest';
import { instantOf, nextShiftChange, onShift } from '../server/domain/schedule.js';
import type { Schedule } from '../shared/protocol.js';
import { ScheduleSchema } from '../shared/schemas.js';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const weekdays = (from: string, to: string) => [1, 2, 3, 4, 5].map((day) => ({ day, from, to }));

describe('schedule: on shift and the next change', () => {
  it('no schedule: always on, never changes', () => {
    expect(onShift(undefined, at('2026-01-05T03:00:00Z'))).toBe(true);
    expect(nextShiftChange(null, at('2026-01-05T03:00:00Z'))).toBeNull();
  });

  it('Europe/Berlin, winter and summer time', () => {
    const s: Schedule = { timeZone: 'Europe/Berlin', weekly: weekdays('09:00', '17:00') };
    // Monday 5 Jan 2026: CET (+01:00)
    expect(onShift(s, at('2026-01-05T07:59:59Z'))).toBe(false);
    expect(onShift(s, at('2026-01-05T08:00:00Z'))).toBe(true);
    expect(iso(nextShiftChange(s, at('2026-01-05T07:00:00Z')))).toBe('2026-01-05T08:00:00.000Z');
    expect(iso(nextShiftChange(s, at('2026-01-05T08:00:00Z')))).toBe('2026-01-05T16:00:00.000Z');
    // Friday evening: next is Monday morning
    expect(iso(nextShiftChange(s, at('2026-01-09T16:00:00Z')))).toBe('2026-01-12T08:00:00.000Z');
    // Monday 6 Jul 2026: CEST (+02:00)
    expect(onShift(s, at('2026-07-06T07:00:00Z'))).toBe(true);
    expect(onShift(s, at('2026-07-06T06:59:00Z'))).toBe(false);
    expect(iso(nextShiftChange(s, at('2026-07-06T07:00:00Z')))).toBe('2026-07-06T15:00:00.000Z');
  });

  it('America/New_York across the March change (EST to EDT over a weekend)', () => {
    const s: Schedule = { timeZone: 'America/New_York', weekly: weekdays('09:00', '17:00') };
    expect(onShift(s, at('2026-03-06T14:00:00Z'))).toBe(true); // Friday 09:00 EST
    expect(iso(nextShiftChange(s, at('2026-03-06T14:00:00Z')))).toBe('2026-03-06T22:00:00.000Z');
    // Clocks went forward on Sunday 8 March: Monday 09:00 is 13:00Z
    expect(iso(nextShiftChange(s, at('2026-03-06T22:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
    expect(onShift(s, at('2026-03-09T12:59:00Z'))).toBe(false);
    expect(onShift(s, at('2026-03-09T13:00:00Z'))).toBe(true);
  });

  it('Asia/Kolkata (+05:30, no daylight saving)', () => {
    const s: Schedule = { timeZone: 'Asia/Kolkata', weekly: [{ day: 1, from: '09:30', to: '18:00' }] };
    expect(onShift(s, at('2026-01-05T03:59:00Z'))).toBe(false);
    expect(onShift(s, at('2026-01-05T04:00:00Z'))).toBe(true);
    expect(iso(nextShiftChange(s, at('2026-01-05T04:00:00Z')))).toBe('2026-01-05T12:30:00.000Z');
    expect(iso(nextShiftChange(s, at('2026-01-05T12:30:00Z')))).toBe('2026-01-12T04:00:00.000Z');
  });

  it('on a daylight-saving change day the shift lasts the wall-clock hours (5 h in spring, 7 h in autumn)', () => {
    const spring: Schedule = { timeZone: 'Europe/Berlin', weekly: [{ day: 7, from: '00:00', to: '06:00' }] };
    expect(iso(nextShiftChange(spring, at('2026-03-28T22:00:00Z')))).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(nextShiftChange(spring, at('2026-03-28T23:00:00Z')))).toBe('2026-03-29T04:00:00.000Z');
    const autumn: Schedule = { timeZone: 'Europe/Berlin', weekly: [{ day: 7, from: '00:00', to: '06:00' }] };
    expect(iso(nextShiftChange(autumn, at('2026-10-24T21:00:00Z')))).toBe('2026-10-24T22:00:00.000Z');
    expect(iso(nextShiftChange(autumn, at('2026-10-24T22:00:00Z')))).toBe('2026-10-25T05:00:00.000Z');
    // A start inside the skipped hour (02:30 does not exist on 29 March): on when the clock jumps
    const gap: Schedule = { timeZone: 'Europe/Berlin', weekly: [{ day: 7, from: '02:30', to: '05:00' }] };
    expect(iso(nextShiftChange(gap, at('2026-03-29T00:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(onShift(gap, at('2026-03-29T00:59:59Z'))).toBe(false);
    expect(onShift(gap, at('2026-03-29T01:00:00Z'))).toBe(true);
    expect(instantOf(Date.parse('2026-03-29T02:30:00Z'), 'Europe/Berlin')).toBe(at('2026-03-29T01:00:00Z'));
    // Twice-read 02:30 on 25 October: the first occurrence
    expect(instantOf(Date.parse('2026-10-25T02:30:00Z'), 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z'));
  });

  it('overnight shifts end on the next day', () => {
    const s: Schedule = { timeZone: 'Europe/Berlin', weekly: [{ day: 5, from: '22:00', to: '06:00' }] };
    expect(onShift(s, at('2026-01-09T20:59:00Z'))).toBe(false); // Friday 21:59
    expect(onShift(s, at('2026-01-09T21:00:00Z'))).toBe(true); // Friday 22:00
    expect(onShift(s, at('2026-01-10T04:59:00Z'))).toBe(true); // Saturday 05:59
    expect(iso(nextShiftChange(s, at('2026-01-09T21:00:00Z')))).toBe('2026-01-10T05:00:00.000Z');
    expect(iso(nextShiftChange(s, at('2026-01-10T05:00:00Z')))).toBe('2026-01-16T21:00:00.000Z');
    // "24:00" ends at midnight
    const late: Schedule = { timeZone: 'UTC', weekly: [{ day: 1, from: '20:00', to: '24:00' }] };
    expect(onShift(late, at('2026-01-05T23:59:59Z'))).toBe(true);
    expect(iso(nextShiftChange(late, at('2026-01-05T21:00:00Z')))).toBe('2026-01-06T00:00:00.000Z');
  });

  it('dated absences (whole local days, to included) and timed ones win over the weekly hours', () => {
    const s: Schedule = {
      timeZone: 'Europe/Berlin',
      weekly: weekdays('09:00', '17:00'),
      off: [
        { from: '2026-01-06', to: '2026-01-07' },
        { from: '2026-01-05T12:00', to: '2026-01-05T13:00' },
        { from: '2026-01-08T15:00:00Z', to: '2026-01-08T20:00:00Z' },
      ],
    };
    expect(onShift(s, at('2026-01-05T10:59:00Z'))).toBe(true);
    expect(onShift(s, at('2026-01-05T11:00:00Z'))).toBe(false); // 12:00 local
    expect(iso(nextShiftChange(s, at('2026-01-05T11:00:00Z')))).toBe('2026-01-05T12:00:00.000Z');
    expect(onShift(s, at('2026-01-06T09:00:00Z'))).toBe(false);
    expect(onShift(s, at('2026-01-07T15:59:00Z'))).toBe(false);
    expect(iso(nextShiftChange(s, at('2026-01-05T16:00:00Z')))).toBe('2026-01-08T08:00:00.000Z');
    expect(iso(nextShiftChange(s, at('2026-01-08T08:00:00Z')))).toBe('2026-01-08T15:00:00.000Z');
  });

  it('no weekly hours: always on but for absences; a long absence ends where the hours resume', () => {
    const s: Schedule = { timeZone: 'Asia/Kolkata', weekly: [], off: [{ from: '2026-02-01', to: '2026-02-21' }] };
    expect(onShift(s, at('2026-01-20T00:00:00Z'))).toBe(true);
    expect(iso(nextShiftChange(s, at('2026-01-20T00:00:00Z')))).toBe('2026-01-31T18:30:00.000Z');
    expect(iso(nextShiftChange(s, at('2026-02-01T00:00:00Z')))).toBe('2026-02-21T18:30:00.000Z');
    expect(nextShiftChange(s, at('2026-03-01T00:00:00Z'))).toBeNull();
    const holiday: Schedule = {
      timeZone: 'America/New_York',
      weekly: weekdays('09:00', '17:00'),
      off: [{ from: '2026-07-01', to: '2026-07-24' }],
    };
    // Off from Wednesday 1 July through Friday 24 July: back on Monday 27 July 09:00 EDT
    expect(iso(nextShiftChange(holiday, at('2026-07-01T14:00:00Z')))).toBe('2026-07-27T13:00:00.000Z');
  });

  it('between a change and the next the state holds (sampled over a year in three zones)', () => {
    for (const timeZone of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
      const s: Schedule = { timeZone, weekly: [...weekdays('08:30', '12:00'), { day: 6, from: '23:00', to: '02:00' }] };
      let t = at('2026-01-01T00:00:00Z');
      const end = at('2027-01-01T00:00:00Z');
      while (t < end) {
        const state = onShift(s, t);
        const next = nextShiftChange(s, t)!;
        expect(next).toBeGreaterThan(t);
        expect(onShift(s, next)).toBe(!state);
        expect(onShift(s, next - 1)).toBe(state);
        expect(onShift(s, Math.floor((t + next) / 2))).toBe(state);
        t = next;
      }
    }
  });
});

describe('schedule input (ScheduleSchema)', () => {
  it('takes IANA zones, HH:MM, overnight rows, dates and times', () => {
    const ok = ScheduleSchema.safeParse({
      timeZone: 'Asia/Kolkata',
      weekly: [
        { day: 7, from: '22:00', to: '06:00' },
        { day: 1, from: '00:00', to: '24:00' },
      ],
      off: [
        { from: '2026-12-24', to: '2026-12-24' },
        { from: '2026-12-31T12:00', to: '2027-01-01T09:00:00+05:30' },
      ],
    });
    expect(ok.success).toBe(true);
  });
  it('refuses unknown zones, bad times, equal from/to and reversed absences', () => {
    const bad = (schedule: unknown) => ScheduleSchema.safeParse(schedule).success;
    expect(bad({ timeZone: 'Mars/Olympus', weekly: [] })).toBe(false);
    expect(bad({ timeZone: 'UTC', weekly: [{ day: 8, from: '09:00', to: '10:00' }] })).toBe(false);
    expect(bad({ timeZone: 'UTC', weekly: [{ day: 1, from: '9:00', to: '10:00' }] })).toBe(false);
    expect(bad({ timeZone: 'UTC', weekly: [{ day: 1, from: '25:00', to: '10:00' }] })).toBe(false);
    expect(bad({ timeZone: 'UTC', weekly: [{ day: 1, from: '10:00', to: '10:00' }] })).toBe(false);
    expect(bad({ timeZone: 'UTC', weekly: [], off: [{ from: '2026-12-25', to: '2026-12-24' }] })).toBe(false);
    expect(bad({ timeZone: 'UTC', weekly: [], off: [{ from: '2026-02-30', to: '2026-03-01' }] })).toBe(false);
  });
});
