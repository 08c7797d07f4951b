import { useState } from 'preact/hooks';
import type { Rep } from '../../../shared/protocol';
import { splitList } from '../lib/format';
import type { RepInput } from '../state/managerModel';

interface Props {
  /** Editing this rep; creating a new one when absent. */
  rep?: Rep;
  submitLabel: string;
  onSubmit(input: RepInput): Promise<boolean>;
  onCancel?(): void;
}

/** Name, skills, languages, countries, teams, cap and weight of a rep. */
export function RepForm({ rep, submitLabel, onSubmit, onCancel }: Props) {
  const [name, setName] = useState(rep?.name ?? '');
  const [skills, setSkills] = useState(rep?.skills.join(', ') ?? '');
  const [languages, setLanguages] = useState(rep?.languages.join(', ') ?? '');
  const [countries, setCountries] = useState(rep?.countries.join(', ') ?? '');
  const [teams, setTeams] = useState(rep?.teams.join(', ') ?? '');
  const [maxActive, setMaxActive] = useState(rep?.maxActive?.toString() ?? '');
  const [weight, setWeight] = useState(rep?.weight?.toString() ?? '1');
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
        {field('skills', 'Skills', skills, setSkills, { placeholder: 'enterprise, saas' })}
        {field('languages', 'Languages', languages, setLanguages, { placeholder: 'en, de' })}
        {field('countries', 'Countries', countries, setCountries, { placeholder: 'DE, AT, CH' })}
        {field('teams', 'Teams', teams, setTeams, { placeholder: 'dach' })}
        {field('max', 'Max open leads', maxActive, setMaxActive, {
          type: 'number',
          min: 1,
          placeholder: 'pool default',
          inputMode: 'numeric',
        })}
        {field('weight', 'Weight', weight, setWeight, { type: 'number', min: 0.01, step: 'any', inputMode: 'decimal' })}
      </div>
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
