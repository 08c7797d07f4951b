import { useState } from 'preact/hooks';
import { DEFAULT_POOL, type PoolOverview, type Rep } from '../../../shared/protocol';
import { viewLink } from '../lib/token';
import type { RepInput, RepLink } from '../state/managerModel';
import type { Roster } from '../state/roster';
import { CopyButton } from './CopyButton';
import { RepForm } from './RepForm';
import { RepPager } from './RepPager';
import { shiftText } from './ScheduleEditor';

/** Reps listed at once in the Reps tab. */
export const REPS_PAGE = 50;

interface Props {
  /** Every rep (roster.ts): listed a page at a time, in name order, filterable. */
  roster: Roster;
  /** Every pool: with more than one, each rep's pools show and are edited here. */
  pools?: PoolOverview[];
  /** A new rep's pools before any choice (the pool the dashboard shows). */
  selectedPool?: string;
  defaultCap: number;
  origin?: string;
  onCreate(input: RepInput): Promise<{ rep: Rep; token: string } | undefined>;
  onUpdate(id: string, patch: RepInput): Promise<boolean>;
  onDelete(id: string): Promise<boolean>;
  /** Links shown until dismissed: new reps', and new links for reps. */
  links?: RepLink[];
  /** A new link for a rep (the old one stops working, its open pages close). */
  onNewLink?(id: string): Promise<boolean>;
  onDismissLink?(repId: string): void;
}

/** A rep's skills, languages, countries and teams, each kind its own look and its own words for screen readers. */
export function RepChips({ rep }: { rep: Rep }) {
  const chips = [
    ...rep.skills.map((v) => ({ kind: 'skill', label: 'Skill', v })),
    ...rep.languages.map((v) => ({ kind: 'lang', label: 'Language', v: v.toLowerCase() })),
    ...rep.countries.map((v) => ({ kind: 'country', label: 'Country', v: v.toUpperCase() })),
    ...rep.teams.map((v) => ({ kind: 'team', label: 'Team', v })),
  ];
  if (!chips.length) return <span class="muted small">no skills, languages, countries or teams</span>;
  return (
    <>
      {chips.map((c) => (
        <span class={`chip chip-${c.kind}`} key={`${c.kind}:${c.v}`} title={`${c.label}: ${c.v}`}>
          <span class="chip-kind" aria-hidden="true">
            {c.kind === 'country' ? 'ctry' : c.kind}
          </span>
          <span class="sr-only">{c.label}: </span>
          {c.v}
        </span>
      ))}
    </>
  );
}

/** A rep's link, copyable until dismissed. */
function LinkBox({ link, origin, onDismiss }: { link: RepLink; origin: string; onDismiss?(repId: string): void }) {
  const url = viewLink('rep', link.token, origin);
  return (
    <div class="created" role="status" data-testid="rep-link-box" data-rep-id={link.repId}>
      <p>
        {link.kind === 'created' ? (
          <>
            <strong>{link.name}</strong> was created. Send them this link — it is shown only here:
          </>
        ) : (
          <>
            A new link for <strong>{link.name}</strong> — the old one no longer works and their open pages closed:
          </>
        )}
      </p>
      <div class="link-box">
        <input readOnly value={url} aria-label={`Link for ${link.name}`} onFocus={(e) => e.currentTarget.select()} data-testid="rep-link" />
        <CopyButton text={url} />
      </div>
      {onDismiss && (
        <button
          type="button"
          class="btn btn-sm btn-ghost"
          aria-label={`Done with the link for ${link.name}`}
          onClick={() => onDismiss(link.repId)}
        >
          Done
        </button>
      )}
    </div>
  );
}

function RepRow({
  rep,
  defaultCap,
  pools,
  onUpdate,
  onDelete,
  onNewLink,
  link,
  origin,
  onDismissLink,
}: { rep: Rep; defaultCap: number; pools: PoolOverview[]; link?: RepLink; origin: string } & Pick<
  Props,
  'onUpdate' | 'onDelete' | 'onNewLink' | 'onDismissLink'
>) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState<'remove' | 'link' | null>(null);
  const repPools = rep.pools ?? [DEFAULT_POOL];
  return (
    <li class="rep-row" data-rep-id={rep.id}>
      <div class="rep-summary">
        <div>
          <span class={`dot dot-${rep.presence}`} aria-hidden="true" />
          <strong>{rep.name}</strong> <span class="muted small">{rep.presence}</span>
          {rep.shift && (
            <span class="muted small" data-testid="rep-shift">
              {' '}
              · {shiftText(rep.shift)} ({rep.schedule?.timeZone})
            </span>
          )}
          <div class="chips">
            <RepChips rep={rep} />
          </div>
          {pools.length > 1 && (
            <div class="chips" data-testid="rep-pools">
              <span class="sr-only">Pools: </span>
              {repPools.length ? (
                repPools.map((id) => (
                  <span class="chip chip-pool" key={id}>
                    {pools.find((p) => p.id === id)?.name ?? id}
                  </span>
                ))
              ) : (
                <span class="muted small">in no pool</span>
              )}
            </div>
          )}
        </div>
        <div class="rep-meta small">
          <span>
            {rep.activeCount ?? 0}/{rep.maxActive ?? defaultCap} open
          </span>
          <span>weight {rep.weight}</span>
          {rep.performanceWeights &&
            Object.entries(rep.performanceWeights).map(([poolId, w]) => (
              <span key={poolId} data-testid="performance-weight" title="Measured from win rate and speed (weightBy performance)">
                measured {w.toFixed(2)}
                {pools.length > 1 ? ` in ${pools.find((p) => p.id === poolId)?.name ?? poolId}` : ''}
              </span>
            ))}
        </div>
        <div class="row-tight">
          <button
            type="button"
            class="btn btn-sm"
            aria-expanded={editing}
            onClick={() => setEditing(!editing)}
            aria-label={`Edit ${rep.name}`}
          >
            Edit
          </button>
          {confirming === 'remove' ? (
            <>
              <button type="button" class="btn btn-sm btn-danger" onClick={() => void onDelete(rep.id)}>
                Confirm remove
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirming(null)}>
                Keep
              </button>
            </>
          ) : confirming === 'link' ? (
            <>
              <button
                type="button"
                class="btn btn-sm btn-primary"
                onClick={async () => {
                  if (await onNewLink?.(rep.id)) setConfirming(null);
                }}
              >
                Confirm new link
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirming(null)}>
                Keep
              </button>
            </>
          ) : (
            <>
              {onNewLink && (
                <button type="button" class="btn btn-sm" onClick={() => setConfirming('link')} aria-label={`New link for ${rep.name}`}>
                  New link
                </button>
              )}
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirming('remove')} aria-label={`Remove ${rep.name}`}>
                Remove
              </button>
            </>
          )}
        </div>
      </div>
      {link && <LinkBox link={link} origin={origin} onDismiss={onDismissLink} />}
      {confirming === 'link' && (
        <p class="hint">{rep.name}’s current link stops working at once and their open pages close; you get a new link to send them.</p>
      )}
      {editing && (
        <RepForm
          rep={rep}
          pools={pools}
          submitLabel="Save"
          onCancel={() => setEditing(false)}
          onSubmit={async (patch) => {
            const ok = await onUpdate(rep.id, patch);
            if (ok) setEditing(false);
            return ok;
          }}
        />
      )}
    </li>
  );
}

/** Create reps (their link is shown once), edit and remove them. */
export function RepsPanel({
  roster,
  pools = [],
  selectedPool = DEFAULT_POOL,
  defaultCap,
  origin = location.origin,
  onCreate,
  onUpdate,
  onDelete,
  links = [],
  onNewLink,
  onDismissLink,
}: Props) {
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  const count = roster.size.value;
  const page = roster.query({ text, offset, limit: REPS_PAGE });
  if (offset > 0 && offset >= page.total) setOffset(Math.max(0, Math.floor((page.total - 1) / REPS_PAGE) * REPS_PAGE));
  return (
    <div class="stack-lg">
      <section class="panel" aria-labelledby="new-rep-title">
        <div class="panel-head">
          <h2 id="new-rep-title">Add a rep</h2>
        </div>
        <div class="pad">
          <RepForm
            pools={pools}
            defaultPools={[selectedPool]}
            submitLabel="Create rep"
            onSubmit={async (input) => !!(await onCreate(input))}
          />
          {links
            .filter((l) => l.kind === 'created')
            .map((l) => (
              <LinkBox key={`${l.repId}:${l.token}`} link={l} origin={origin} onDismiss={onDismissLink} />
            ))}
        </div>
      </section>
      <section class="panel" aria-labelledby="reps-title">
        <div class="panel-head">
          <h2 id="reps-title">Reps</h2>
          <span class="pill">{count}</span>
        </div>
        {count === 0 ? (
          <p class="muted pad">No reps yet.</p>
        ) : (
          <>
            {count > REPS_PAGE && (
              <div class="pad-x">
                <RepPager
                  label="Reps"
                  text={text}
                  onText={(t) => {
                    setText(t);
                    setOffset(0);
                  }}
                  offset={offset}
                  limit={REPS_PAGE}
                  total={page.total}
                  onOffset={setOffset}
                />
              </div>
            )}
            {page.total === 0 && <p class="muted pad">No rep matches “{text}”.</p>}
            <ul class="rep-list">
              {page.reps.map((r) => (
                <RepRow
                  key={r.id}
                  rep={r}
                  defaultCap={defaultCap}
                  pools={pools}
                  onUpdate={onUpdate}
                  onDelete={onDelete}
                  onNewLink={onNewLink}
                  link={links.find((l) => l.repId === r.id && l.kind === 'rotated')}
                  origin={origin}
                  onDismissLink={onDismissLink}
                />
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
