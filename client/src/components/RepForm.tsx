import { useState } from 'preact/hooks';
import { DEFAULT_POOL, type PoolOverview, type Rep, type Schedule } from '../../../shared/protocol';
import { splitList } from '../lib/format';
import type { RepInput } from '../state/managerModel';
import { ScheduleEditor } from './ScheduleEditor';

interface Props {
  /** Editing this rep; creating a new one when absent. */
  rep?: Rep;
  submitLabel: string;
  /** Every pool: with more than one, the form has a checkbox per pool. */
  pools?: PoolOverview[];
  /** A new rep's pools before any choice (the pool the dashboard shows). */
  defaultPools?: string[];
  onSubmit(input: RepInput): Promise<boolean>;
  onCancel?(): void;
}

/** Name, skills, languages, countries, teams, cap, weight, pools and working hours of a rep. */
export function RepForm({ rep, submitLabel, pools = [], defaultPools = [DEFAULT_POOL], onSubmit, onCancel }: Props) {
  const [name, setName] = useState(rep?.name ?? '');
  const [skills, setSkills] = useState(rep?.skills.join(', ') ?? '');
  const [languages, setLanguages] = useState(rep?.languages.join(', ') ?? '');
  const [countries, setCountries] = useState(rep?.countries.join(', ') ?? '');
  const [teams, setTeams] = useState(rep?.teams.join(', ') ?? '');
  const [maxActive, setMaxActive] = useState(rep?.maxActive?.toString() ?? '');
  const [weight, setWeight] = useState(rep?.weight?.toString() ?? '1');
  const [inPools, setInPools] = useState<string[]>(rep?.pools ?? defaultPools);
  const [schedule, setSchedule] = useState<Schedule | null>(rep?.schedule ?? null);
  const choosePools = pools.length > 1;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const prefix = rep ? `rep-${rep.id}` : 'rep-new';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('A name is required.');
      return;
    }
    const w = Number(weight);
    if (weight.trim() && (!Number.isFinite(w) || w <= 0)) {
      setError('Weight must be a positive number.');
      return;
    }
    const cap = maxActive.trim() ? Number(maxActive) : null;
    if (cap !== null && (!Number.isInteger(cap) || cap < 1)) {
      setError('Max open leads must be a whole number of at least 1, or empty for the pool default.');
      return;
    }
    setError('');
    setBusy(true);
    const input: RepInput = {
      name: name.trim(),
      skills: splitList(skills),
      languages: splitList(languages).map((s) => s.toLowerCase()),
      countries: splitList(countries).map((s) => s.toUpperCase()),
      teams: splitList(teams),
      maxActive: cap,
      ...(weight.trim() ? { weight: w } : {}),
      // In pool order; with one pool the server's default (v1) stays.
      ...(choosePools ? { pools: pools.map((p) => p.id).filter((id) => inPools.includes(id)) } : {}),
      // Editing: always sent (null removes it); creating: only when set.
      ...(rep || schedule ? { schedule } : {}),
    };
    if (!rep && cap === null) delete input.maxActive;
    const ok = await onSubmit(input);
    setBusy(false);
    if (ok && !rep) {
      setName('');
      setSkills('');
      setLanguages('');
      setCountries('');
      setTeams('');
      setMaxActive('');
      setWeight('1');
      setInPools(defaultPools);
      setSchedule(null);
    }
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}) => (
    <label class="field" for={`${prefix}-${id}`}>
      <span>{label}</span>
      <input id={`${prefix}-${id}`} value={value} onInput={(e) => set(e.currentTarget.value)} {...extra} />
    </label>
  );

  return (
    <form class="rep-form" onSubmit={submit} aria-label={rep ? `Edit ${rep.name}` : 'New rep'}>
      <div class="form-grid">
        {field('name', 'Name', name, setName, { required: true, maxLength: 100, autoComplete: 'off' })}
        {field('skills', 'Skills', skills, setSkills, { placeholder: 'e.g. enterprise, saas' })}
        {field('languages', 'Languages', languages, setLanguages, { placeholder: 'e.g. en, de' })}
        {field('countries', 'Countries', countries, setCountries, { placeholder: 'e.g. DE, AT, CH' })}
        {field('teams', 'Teams', teams, setTeams, { placeholder: 'e.g. dach' })}
        {field('max', 'Max open leads', maxActive, setMaxActive, {
          type: 'number',
          min: 1,
          placeholder: 'the pool’s cap',
          inputMode: 'numeric',
        })}
        {field('weight', 'Weight', weight, setWeight, { type: 'number', min: 0.01, step: 'any', inputMode: 'decimal' })}
      </div>
      {choosePools && (
        <fieldset>
          <legend>Pools</legend>
          <div class="checks">
            {pools.map((p) => (
              <label class="check" key={p.id}>
                <input
                  type="checkbox"
                  checked={inPools.includes(p.id)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setInPools(on ? [...inPools.filter((x) => x !== p.id), p.id] : inPools.filter((x) => x !== p.id));
                  }}
                />
                {p.name}
              </label>
            ))}
          </div>
          {inPools.filter((id) => pools.some((p) => p.id === id)).length === 0 && (
            <small class="muted">In no pool, the rep sees no leads.</small>
          )}
        </fieldset>
      )}
      <ScheduleEditor prefix={prefix} value={schedule} onChange={setSchedule} />
      <p class="muted small">Lists are comma-separated. Languages are ISO 639-1 codes, countries ISO 3166-1 alpha-2.</p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
