import { useState } from 'preact/hooks';
import type { Roster } from '../state/roster';
import { RepPager } from './RepPager';
import { shiftText } from './ScheduleEditor';

/** Reps shown at once: a team of thousands is read a page at a time. */
export const TEAM_PAGE = 50;

/** A pool's reps (every rep without `poolId`): presence and open lead count, live, a page at a time, filterable. */
export function PresenceBoard({ roster, poolId, defaultCap }: { roster: Roster; poolId?: string; defaultCap: number }) {
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  const { members, online } = roster.counts(poolId);
  const page = roster.query({ poolId, text, order: 'presence', offset, limit: TEAM_PAGE });
  // The list shrank under the page shown (a filter, reps removed): back to its last page.
  if (offset > 0 && offset >= page.total) setOffset(Math.max(0, Math.floor((page.total - 1) / TEAM_PAGE) * TEAM_PAGE));
  return (
    <section class="panel" aria-labelledby="presence-title">
      <div class="panel-head">
        <h2 id="presence-title">Team</h2>
        <span class="pill">{online} online</span>
      </div>
      {members === 0 ? (
        <p class="muted pad">No reps yet. Add them under Reps.</p>
      ) : (
        <>
          {members > TEAM_PAGE && (
            <div class="pad-x">
              <RepPager
                label="Team"
                text={text}
                onText={(t) => {
                  setText(t);
                  setOffset(0);
                }}
                offset={offset}
                limit={TEAM_PAGE}
                total={page.total}
                onOffset={setOffset}
              />
            </div>
          )}
          {page.total === 0 && <p class="muted pad">No rep matches “{text}”.</p>}
          <ul class="presence-list">
            {page.reps.map((r) => {
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
        </>
      )}
    </section>
  );
}
