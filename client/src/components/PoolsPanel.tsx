import { useState } from 'preact/hooks';
import { DEFAULT_MODE, DEFAULT_POOL, MODES, type Mode, POOL_ID_PATTERN, type PoolOverview } from '../../../shared/protocol';
import type { PoolRow as PoolRowData, Result } from '../state/managerModel';
import { MODE_INFO } from './ModeControl';
import { PoolsOverview } from './PoolsOverview';

interface Props {
  pools: PoolRowData[];
  /** How many reps a pool has. */
  members(poolId: string): number;
  selected: string;
  onSelect(id: string): void;
  onCreate(input: { id: string; name: string; mode: Mode }): Promise<Result>;
  onRename(id: string, name: string): Promise<Result>;
  onDelete(id: string): Promise<Result>;
}

/** A pool id from a name: "EMEA Inbound" -> "emea-inbound". */
export const idFromName = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);

function NewPoolForm({ onCreate }: Pick<Props, 'onCreate'>) {
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [idEdited, setIdEdited] = useState(false);
  const [mode, setMode] = useState<Mode>(DEFAULT_MODE);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="rep-form"
      aria-label="New pool"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!name.trim()) return setError('A name is required.');
        if (!POOL_ID_PATTERN.test(id)) {
          return setError('The id: lower-case letters, digits and dashes, starting with a letter or digit, at most 40.');
        }
        setError('');
        setBusy(true);
        const r = await onCreate({ id, name: name.trim(), mode });
        setBusy(false);
        if (!r.ok) return setError(r.message);
        setName('');
        setId('');
        setIdEdited(false);
        setMode(DEFAULT_MODE);
      }}
    >
      <div class="form-grid">
        <label class="field" for="pool-new-name">
          <span>Name</span>
          <input
            id="pool-new-name"
            value={name}
            maxLength={100}
            autoComplete="off"
            required
            onInput={(e) => {
              const v = e.currentTarget.value;
              setName(v);
              if (!idEdited) setId(idFromName(v));
            }}
          />
        </label>
        <div class="field">
          <label for="pool-new-id">Id</label>
          <input
            id="pool-new-id"
            class="mono"
            value={id}
            maxLength={40}
            autoComplete="off"
            aria-describedby="pool-new-id-hint"
            onInput={(e) => {
              setId(e.currentTarget.value);
              setIdEdited(true);
            }}
          />
          <small id="pool-new-id-hint" class="muted">
            In the feed URL; cannot be changed later
          </small>
        </div>
        <label class="field" for="pool-new-mode">
          <span>Pool mode</span>
          <select id="pool-new-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as Mode)}>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {MODE_INFO[m].label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Create pool
        </button>
      </div>
    </form>
  );
}

function PoolRow({ pool, members, onRename, onDelete }: { pool: PoolOverview; members: number } & Pick<Props, 'onRename' | 'onDelete'>) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(pool.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const isDefault = pool.id === DEFAULT_POOL;
  return (
    <li class="rep-row" data-pool-id={pool.id}>
      <div class="rep-summary">
        <div>
          <strong>{pool.name}</strong> <span class="muted small mono">{pool.id}</span>
          <div class="chips">
            <span class="chip">{MODE_INFO[pool.mode].label}</span>
            <span class="chip">{pool.waiting} waiting</span>
            <span class="chip">{pool.claimed} being worked</span>
            <span class="chip">
              {members} {members === 1 ? 'rep' : 'reps'}
            </span>
          </div>
        </div>
        <div class="rep-meta small">{isDefault && <span>cannot be deleted</span>}</div>
        <div class="row-tight">
          <button
            type="button"
            class="btn btn-sm"
            aria-expanded={editing}
            aria-label={`Rename ${pool.name}`}
            onClick={() => {
              setName(pool.name);
              setEditing(!editing);
            }}
          >
            Rename
          </button>
          {!isDefault &&
            (confirming ? (
              <>
                <button
                  type="button"
                  class="btn btn-sm btn-danger"
                  disabled={busy}
                  onClick={async () => {
                    setBusy(true);
                    const r = await onDelete(pool.id);
                    setBusy(false);
                    setConfirming(false);
                    if (!r.ok) setError(r.message);
                  }}
                >
                  Confirm delete
                </button>
                <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button
                type="button"
                class="btn btn-sm btn-ghost"
                aria-label={`Delete ${pool.name}`}
                onClick={() => {
                  setError('');
                  setConfirming(true);
                }}
              >
                Delete
              </button>
            ))}
        </div>
      </div>
      {confirming && (
        <p class="hint">
          Deleting {pool.name} takes it off every rep and feed key. A pool that still holds open or claimed leads cannot be deleted.
        </p>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {editing && (
        <form
          class="row-tight rename"
          aria-label={`Rename ${pool.name}`}
          onSubmit={async (e) => {
            e.preventDefault();
            if (!name.trim()) return setError('A name is required.');
            setBusy(true);
            const r = await onRename(pool.id, name.trim());
            setBusy(false);
            if (r.ok) {
              setEditing(false);
              setError('');
            } else setError(r.message);
          }}
        >
          <label class="field-inline" for={`pool-${pool.id}-name`}>
            <span>New name</span>
            <input id={`pool-${pool.id}-name`} value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-sm btn-primary" disabled={busy}>
            Save name
          </button>
          <button type="button" class="btn btn-sm btn-ghost" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      )}
    </li>
  );
}

/** Pools: the live overview, create (id, name, mode), rename, delete. */
export function PoolsPanel({ pools, members, selected, onSelect, onCreate, onRename, onDelete }: Props) {
  return (
    <div class="stack-lg">
      <PoolsOverview pools={pools} selected={selected} onSelect={onSelect} />
      <section class="panel" aria-labelledby="new-pool-title">
        <div class="panel-head">
          <div>
            <h2 id="new-pool-title">Add a pool</h2>
            <p class="muted small">Each pool has its own mode, settings, rules, reps and feed keys.</p>
          </div>
        </div>
        <div class="pad">
          <NewPoolForm onCreate={onCreate} />
        </div>
      </section>
      <section class="panel" aria-labelledby="pools-title">
        <div class="panel-head">
          <h2 id="pools-title">Pools</h2>
          <span class="pill">{pools.length}</span>
        </div>
        <ul class="rep-list">
          {pools.map((p) => (
            <PoolRow key={p.id} pool={p} members={members(p.id)} onRename={onRename} onDelete={onDelete} />
          ))}
        </ul>
      </section>
    </div>
  );
}
