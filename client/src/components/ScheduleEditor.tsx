import type { Absence, Schedule, WeeklyHours } from '../../../shared/protocol';

export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Every IANA zone the browser knows (a short list when it cannot say). */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** The browser's own zone: a new schedule's default. */
export const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Monday to Friday, 09:00 to 17:00, in the browser's zone. */
export const defaultSchedule = (): Schedule => ({
  timeZone: localZone(),
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })),
  off: [],
});

interface Props {
  /** The id prefix of the form's fields. */
  prefix: string;
  /** null: no working hours (always on shift). */
  value: Schedule | null;
  onChange(value: Schedule | null): void;
}

/**
 * A rep's working hours: time zone, weekly rows (a row ending before it starts runs
 * overnight) and absences (dates, whole days; or ISO times). Off shift, a rep is skipped by
 * round-robin and cannot claim or pull.
 */
export function ScheduleEditor({ prefix, value, onChange }: Props) {
  const id = (s: string) => `${prefix}-sched-${s}`;
  const setWeekly = (weekly: WeeklyHours[]) => value && onChange({ ...value, weekly });
  const setOff = (off: Absence[]) => value && onChange({ ...value, off });
  const zones = timeZones();
  return (
    <fieldset class="schedule" data-testid="schedule-editor">
      <legend>Working hours</legend>
      <label class="check">
        <input
          type="checkbox"
          id={id('on')}
          checked={value !== null}
          onChange={(e) => onChange(e.currentTarget.checked ? defaultSchedule() : null)}
        />
        Has working hours (outside them the rep is off shift: no round-robin leads, no claims)
      </label>
      {value && (
        <>
          <div class="field">
            <label for={id('zone')}>Time zone</label>
            <select id={id('zone')} value={value.timeZone} onChange={(e) => onChange({ ...value, timeZone: e.currentTarget.value })}>
              {(zones.includes(value.timeZone) ? zones : [value.timeZone, ...zones]).map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </div>
          <table class="schedule-rows">
            <caption class="sr-only">Weekly hours</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">
                  <span class="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {value.weekly.map((w, i) => {
                const put = (patch: Partial<WeeklyHours>) => setWeekly(value.weekly.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                const label = `${DAY_NAMES[w.day - 1]} row ${i + 1}`;
                return (
                  <tr key={i}>
                    <td>
                      <select aria-label={`Day of ${label}`} value={w.day} onChange={(e) => put({ day: Number(e.currentTarget.value) })}>
                        {DAY_NAMES.map((d, k) => (
                          <option key={d} value={k + 1}>
                            {d}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        type="time"
                        aria-label={`From, ${label}`}
                        value={w.from}
                        required
                        onInput={(e) => put({ from: e.currentTarget.value })}
                      />
                    </td>
                    <td>
                      <input
                        type="time"
                        aria-label={`To, ${label}`}
                        value={w.to === '24:00' ? '00:00' : w.to}
                        required
                        onInput={(e) => put({ to: e.currentTarget.value })}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        class="btn btn-sm btn-ghost"
                        aria-label={`Remove ${label}`}
                        onClick={() => setWeekly(value.weekly.filter((_, j) => j !== i))}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {value.weekly.length === 0 && <small class="muted">No weekly rows: on shift at all hours, but for the absences.</small>}
          <button type="button" class="btn btn-sm" onClick={() => setWeekly([...value.weekly, { day: 1, from: '09:00', to: '17:00' }])}>
            Add hours
          </button>
          <small class="muted">A row whose end is before its start runs overnight into the next day.</small>
          <table class="schedule-rows">
            <caption>Absences</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To (included)</th>
                <th scope="col">
                  <span class="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(value.off ?? []).map((a, i) => {
                const put = (patch: Partial<Absence>) => setOff((value.off ?? []).map((x, j) => (j === i ? { ...x, ...patch } : x)));
                return (
                  <tr key={i}>
                    <td>
                      <input
                        aria-label={`Absence ${i + 1} from`}
                        placeholder="YYYY-MM-DD"
                        value={a.from}
                        required
                        onInput={(e) => put({ from: e.currentTarget.value.trim() })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label={`Absence ${i + 1} to`}
                        placeholder="YYYY-MM-DD"
                        value={a.to}
                        required
                        onInput={(e) => put({ to: e.currentTarget.value.trim() })}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        class="btn btn-sm btn-ghost"
                        aria-label={`Remove absence ${i + 1}`}
                        onClick={() => setOff((value.off ?? []).filter((_, j) => j !== i))}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button
            type="button"
            class="btn btn-sm"
            onClick={() => {
              const today = new Date().toISOString().slice(0, 10);
              setOff([...(value.off ?? []), { from: today, to: today }]);
            }}
          >
            Add absence
          </button>
          <small class="muted">Dates are whole days in the rep’s zone; a time such as 2026-12-24T13:00 is allowed too.</small>
        </>
      )}
    </fieldset>
  );
}

/** "off shift until Mon 09:00" style text of a rep's shift, in the viewer's clock. */
export function shiftText(shift: { onShift: boolean; until: string | null } | undefined): string {
  if (!shift) return '';
  const until = shift.until ? new Date(shift.until).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' }) : null;
  if (shift.onShift) return until ? `on shift until ${until}` : 'on shift';
  return until ? `off shift until ${until}` : 'off shift';
}
