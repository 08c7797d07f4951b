import type { Rep } from '../../../shared/protocol';
import { shiftText } from './ScheduleEditor';

const ORDER = { available: 0, away: 1, 'off-shift': 2, offline: 3 } as const;

/** Every rep's presence and open lead count, live. */
export function PresenceBoard({ reps, defaultCap }: { reps: Rep[]; defaultCap: number }) {
  const sorted = [...reps].sort((a, b) => ORDER[a.presence] - ORDER[b.presence] || a.name.localeCompare(b.name));
  return (
    <section class="panel" aria-labelledby="presence-title">
      <div class="panel-head">
        <h2 id="presence-title">Team</h2>
        <span class="pill">{reps.filter((r) => r.presence !== 'offline').length} online</span>
      </div>
      {sorted.length === 0 ? (
        <p class="muted pad">No reps yet. Add them under Reps.</p>
      ) : (
        <ul class="presence-list">
          {sorted.map((r) => {
            const cap = r.maxActive ?? defaultCap;
            return (
              <li key={r.id} data-rep-id={r.id}>
                <span class={`dot dot-${r.presence}`} aria-hidden="true" />
                <span class="presence-name">{r.name}</span>
                <span class={`presence-status status-${r.presence}`} title={r.shift ? shiftText(r.shift) : undefined}>
                  {r.presence === 'off-shift' ? 'off shift' : r.presence}
                  {r.presence === 'off-shift' && r.shift?.until && <span class="sr-only">{`, ${shiftText(r.shift)}`}</span>}
                </span>
                <span class="presence-count">
                  <span aria-hidden="true">
                    {r.activeCount ?? 0}/{cap}
                  </span>
                  <span class="sr-only">{`${r.activeCount ?? 0} open leads of ${cap}`}</span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
