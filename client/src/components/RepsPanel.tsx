import { useState } from 'preact/hooks';
import { DEFAULT_POOL, type PoolOverview, type Rep } from '../../../shared/protocol';
import { viewLink } from '../lib/token';
import type { RepInput } from '../state/managerModel';
import { CopyButton } from './CopyButton';
import { RepForm } from './RepForm';

interface Props {
  reps: Rep[];
  /** Every pool: with more than one, each rep's pools show and are edited here. */
  pools?: PoolOverview[];
  /** A new rep's pools before any choice (the pool the dashboard shows). */
  selectedPool?: string;
  defaultCap: number;
  origin?: string;
  onCreate(input: RepInput): Promise<{ rep: Rep; token: string } | undefined>;
  onUpdate(id: string, patch: RepInput): Promise<boolean>;
  onDelete(id: string): Promise<boolean>;
}

function RepRow({
  rep,
  defaultCap,
  pools,
  onUpdate,
  onDelete,
}: { rep: Rep; defaultCap: number; pools: PoolOverview[] } & Pick<Props, 'onUpdate' | 'onDelete'>) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const tags = [...rep.skills, ...rep.languages, ...rep.countries, ...rep.teams.map((t) => `team ${t}`)];
  const repPools = rep.pools ?? [DEFAULT_POOL];
  return (
    <li class="rep-row" data-rep-id={rep.id}>
      <div class="rep-summary">
        <div>
          <span class={`dot dot-${rep.presence}`} aria-hidden="true" />
          <strong>{rep.name}</strong> <span class="muted small">{rep.presence}</span>
          <div class="chips">
            {tags.length ? (
              tags.map((t) => (
                <span class="chip" key={t}>
                  {t}
                </span>
              ))
            ) : (
              <span class="muted small">no skills, languages or teams</span>
            )}
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
          {confirming ? (
            <>
              <button type="button" class="btn btn-sm btn-danger" onClick={() => void onDelete(rep.id)}>
                Confirm remove
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirming(true)} aria-label={`Remove ${rep.name}`}>
              Remove
            </button>
          )}
        </div>
      </div>
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
  reps,
  pools = [],
  selectedPool = DEFAULT_POOL,
  defaultCap,
  origin = location.origin,
  onCreate,
  onUpdate,
  onDelete,
}: Props) {
  const [created, setCreated] = useState<{ name: string; link: string } | null>(null);
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
            onSubmit={async (input) => {
              const r = await onCreate(input);
              if (r) setCreated({ name: r.rep.name, link: viewLink('rep', r.token, origin) });
              return !!r;
            }}
          />
          {created && (
            <div class="created" role="status">
              <p>
                <strong>{created.name}</strong> was created. Send them this link — it is shown only once:
              </p>
              <div class="link-box">
                <input
                  readOnly
                  value={created.link}
                  aria-label={`Link for ${created.name}`}
                  onFocus={(e) => e.currentTarget.select()}
                  data-testid="rep-link"
                />
                <CopyButton text={created.link} />
              </div>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setCreated(null)}>
                Done
              </button>
            </div>
          )}
        </div>
      </section>
      <section class="panel" aria-labelledby="reps-title">
        <div class="panel-head">
          <h2 id="reps-title">Reps</h2>
          <span class="pill">{reps.length}</span>
        </div>
        {reps.length === 0 ? (
          <p class="muted pad">No reps yet.</p>
        ) : (
          <ul class="rep-list">
            {[...reps]
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((r) => (
                <RepRow key={r.id} rep={r} defaultCap={defaultCap} pools={pools} onUpdate={onUpdate} onDelete={onDelete} />
              ))}
          </ul>
        )}
      </section>
    </div>
  );
}
