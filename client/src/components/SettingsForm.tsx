import { useEffect, useState } from 'preact/hooks';
import { CONTACT_FIELDS, LEAD_INPUT_FIELDS, type LeadInputField, type Settings, type WhenNobodyEligible } from '../../../shared/protocol';
import { FIELD_LABELS, splitList } from '../lib/format';

const TEASER_CHOICES = LEAD_INPUT_FIELDS.filter((f) => !(CONTACT_FIELDS as readonly string[]).includes(f) && f !== 'externalId');

type Draft = Record<string, string | boolean | LeadInputField[]>;

const secs = (ms: number | null | undefined) => (ms === null || ms === undefined || ms === 0 ? '' : String(ms / 1000));
const num = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

function toDraft(s: Settings): Draft {
  return {
    maxActivePerRep: String(s.maxActivePerRep),
    teaserFields: [...s.teaserFields],
    requireFields: [...(s.filters.requireFields ?? [])],
    countries: (s.filters.countries ?? []).join(', '),
    minVisits: num(s.filters.minVisits),
    minSecondsOnSite: num(s.filters.minSecondsOnSite),
    escalateAfter: secs(s.escalateAfterMs),
    claimTimeout: secs(s.claimTimeoutMs),
    claimCooldown: secs(s.claimCooldownMs),
    maxClaimsPerWindow: num(s.maxClaimsPerWindow),
    claimWindow: secs(s.claimWindowMs),
    duplicateWindow: secs(s.duplicateWindowMs),
    weighted: s.weighted,
    weightBy: s.weightBy ?? 'manual',
    whenNobodyEligible: fromPolicy(s.whenNobodyEligible ?? 'everyone'),
    reclaimAfterOffline: secs(s.reclaimAfterOfflineMs),
    sla: secs(s.slaMs),
  };
}

/** whenNobodyEligible as the select's value: `everyone`, `wait` or `pool:<id>`. */
const fromPolicy = (w: WhenNobodyEligible) => (typeof w === 'object' ? `pool:${w.pool}` : w);
const toPolicy = (v: string): WhenNobodyEligible => (v.startsWith('pool:') ? { pool: v.slice(5) } : v === 'wait' ? 'wait' : 'everyone');

/** Parses the draft; returns the patch or the errors by field. */
export function draftToPatch(d: Draft): { patch: Partial<Settings>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const int = (key: string, min: number, optional: boolean): number | null | undefined => {
    const v = String(d[key] ?? '').trim();
    if (!v) {
      if (!optional) errors[key] = 'Required';
      return null;
    }
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) errors[key] = min > 0 ? `A whole number of at least ${min}` : 'A whole number, 0 or more';
    return n;
  };
  const ms = (key: string): number | null => {
    const v = String(d[key] ?? '').trim();
    if (!v) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      errors[key] = 'Seconds, 0 or more (empty = off)';
      return null;
    }
    return Math.round(n * 1000);
  };
  const filters: Settings['filters'] = {};
  if ((d.requireFields as LeadInputField[]).length) filters.requireFields = d.requireFields as LeadInputField[];
  const countries = splitList(String(d.countries)).map((c) => c.toUpperCase());
  if (countries.some((c) => !/^[A-Z]{2}$/.test(c))) errors.countries = 'Two-letter country codes, comma-separated';
  if (countries.length) filters.countries = countries;
  const minVisits = int('minVisits', 0, true);
  if (minVisits !== null && minVisits !== undefined) filters.minVisits = minVisits;
  const minSecs = String(d.minSecondsOnSite).trim();
  if (minSecs) {
    const n = Number(minSecs);
    if (!Number.isFinite(n) || n < 0) errors.minSecondsOnSite = 'Seconds, 0 or more';
    else filters.minSecondsOnSite = n;
  }
  const patch: Partial<Settings> = {
    maxActivePerRep: int('maxActivePerRep', 1, false) ?? undefined,
    teaserFields: d.teaserFields as LeadInputField[],
    filters,
    escalateAfterMs: ms('escalateAfter'),
    claimTimeoutMs: ms('claimTimeout'),
    claimCooldownMs: ms('claimCooldown') ?? 0,
    maxClaimsPerWindow: int('maxClaimsPerWindow', 1, true) ?? null,
    claimWindowMs: ms('claimWindow'),
    duplicateWindowMs: ms('duplicateWindow'),
    weighted: Boolean(d.weighted),
    weightBy: d.weightBy === 'performance' ? 'performance' : 'manual',
    whenNobodyEligible: toPolicy(String(d.whenNobodyEligible ?? 'everyone')),
    reclaimAfterOfflineMs: ms('reclaimAfterOffline'),
    slaMs: ms('sla'),
  };
  if ((patch.maxClaimsPerWindow === null) !== (patch.claimWindowMs === null)) {
    errors.maxClaimsPerWindow = 'Set both the number of claims and the window, or neither';
  }
  return { patch, errors };
}

/** Pool settings (PATCH /api/pool/settings). `fallbackPools`: the other pools a lead may move to. */
export function SettingsForm({
  settings,
  onSave,
  fallbackPools = [],
}: {
  settings: Settings | null;
  onSave(patch: Partial<Settings>): Promise<boolean>;
  fallbackPools?: { id: string; name: string }[];
}) {
  const [draft, setDraft] = useState<Draft | null>(settings ? toDraft(settings) : null);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  // Follow live changes (another manager) unless the form has unsaved edits.
  useEffect(() => {
    if (settings && !dirty) setDraft(toDraft(settings));
  }, [settings]);
  if (!draft) return <p class="muted pad">Loading settings…</p>;

  const set = (key: string, value: Draft[string]) => {
    setDraft({ ...draft, [key]: value });
    setDirty(true);
  };
  const toggleIn = (key: 'teaserFields' | 'requireFields', f: LeadInputField, on: boolean) => {
    const list = draft[key] as LeadInputField[];
    set(key, on ? [...list, f] : list.filter((x) => x !== f));
  };
  const input = (key: string, label: string, hint?: string, type: 'number' | 'text' = 'number') => (
    <div class="field">
      <label for={`set-${key}`}>{label}</label>
      <input
        id={`set-${key}`}
        type={type}
        inputMode={type === 'number' ? 'decimal' : undefined}
        min={type === 'number' ? 0 : undefined}
        step="any"
        value={String(draft[key] ?? '')}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={`set-${key}-hint`}
        onInput={(e) => set(key, e.currentTarget.value)}
      />
      <small id={`set-${key}-hint`} class={errors[key] ? 'field-error' : 'muted'}>
        {errors[key] ?? hint ?? ''}
      </small>
    </div>
  );

  return (
    <form
      class="settings"
      onSubmit={async (e) => {
        e.preventDefault();
        const { patch, errors: errs } = draftToPatch(draft);
        setErrors(errs);
        if (Object.keys(errs).length) return;
        setBusy(true);
        const ok = await onSave(patch);
        setBusy(false);
        if (ok) setDirty(false);
      }}
    >
      <fieldset>
        <legend>Caps and fairness</legend>
        <div class="form-grid">
          {input('maxActivePerRep', 'Max open leads per rep', 'A rep’s own cap overrides this')}
          {input('claimCooldown', 'Cooldown after a win (s)', '0 or empty = none')}
          {input('maxClaimsPerWindow', 'Max claims per window', 'Empty = no limit')}
          {input('claimWindow', 'Claim window (s)', 'Empty = off')}
          {input('claimTimeout', 'Claim timeout (s)', 'No outcome in time: back to the pool')}
          {input('escalateAfter', 'Hybrid: escalate after (s)', 'Offer to every rep after this')}
          {input('duplicateWindow', 'Duplicate window (s)', 'Same email or phone within it')}
        </div>
        <label class="check">
          <input type="checkbox" checked={Boolean(draft.weighted)} onChange={(e) => set('weighted', e.currentTarget.checked)} />
          Weighted round-robin
        </label>
        <div class="field">
          <label for="set-weightBy">Weigh reps by</label>
          <select
            id="set-weightBy"
            value={String(draft.weightBy)}
            disabled={!draft.weighted}
            aria-describedby="set-weightBy-hint"
            onChange={(e) => set('weightBy', e.currentTarget.value)}
          >
            <option value="manual">each rep’s weight</option>
            <option value="performance">measured performance (push to top performers)</option>
          </select>
          <small id="set-weightBy-hint" class="muted">
            Performance: win rate and speed over the last 7 days, a new rep starts at the average, between 0.5× and 2×.
          </small>
        </div>
      </fieldset>
      <fieldset>
        <legend>No lead stranded</legend>
        <div class="form-grid">
          <div class="field">
            <label for="set-whenNobodyEligible">When nobody available may take a lead</label>
            <select
              id="set-whenNobodyEligible"
              value={String(draft.whenNobodyEligible)}
              aria-describedby="set-whenNobodyEligible-hint"
              onChange={(e) => set('whenNobodyEligible', e.currentTarget.value)}
            >
              <option value="everyone">Offer it to every available rep</option>
              <option value="wait">Wait (managers are alerted)</option>
              {fallbackPools.map((p) => (
                <option key={p.id} value={`pool:${p.id}`}>
                  Move it to {p.name}
                </option>
              ))}
            </select>
            <small id="set-whenNobodyEligible-hint" class="muted">
              Applies at once when every rep a lead is routed to is away or offline (for leads open to the whole pool: only a move)
            </small>
          </div>
          {input(
            'reclaimAfterOffline',
            'Reclaim after away or offline (s)',
            'A rep gone this long loses its leads without an outcome; empty = never',
          )}
          {input('sla', 'Lead SLA (s)', 'A lead waiting longer is flagged overdue; empty = no target')}
        </div>
      </fieldset>
      <fieldset>
        <legend>Shark-tank teaser fields</legend>
        <div class="checks">
          {TEASER_CHOICES.map((f) => (
            <label class="check" key={f}>
              <input
                type="checkbox"
                checked={(draft.teaserFields as string[]).includes(f)}
                onChange={(e) => toggleIn('teaserFields', f, e.currentTarget.checked)}
              />
              {FIELD_LABELS[f]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Qualification filters</legend>
        <div class="form-grid">
          {input('countries', 'Allowed countries', 'Comma-separated, empty = all', 'text')}
          {input('minVisits', 'Minimum visits')}
          {input('minSecondsOnSite', 'Minimum seconds on site')}
        </div>
        <p class="small">Required fields</p>
        <div class="checks">
          {LEAD_INPUT_FIELDS.filter((f) => f !== 'externalId').map((f) => (
            <label class="check" key={f}>
              <input
                type="checkbox"
                checked={(draft.requireFields as string[]).includes(f)}
                onChange={(e) => toggleIn('requireFields', f, e.currentTarget.checked)}
              />
              {FIELD_LABELS[f]}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="row sticky-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || !dirty}>
          Save settings
        </button>
        {dirty && settings && (
          <button
            type="button"
            class="btn btn-ghost"
            onClick={() => {
              setDraft(toDraft(settings));
              setDirty(false);
              setErrors({});
            }}
          >
            Discard changes
          </button>
        )}
        {Object.keys(errors).length > 0 && (
          <span class="field-error" role="alert">
            Fix the highlighted fields.
          </span>
        )}
      </div>
    </form>
  );
}
