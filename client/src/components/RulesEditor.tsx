import { useEffect, useState } from 'preact/hooks';
import type { Rep, Rule } from '../../../shared/protocol';
import { splitList } from '../lib/format';

type ListKey = 'country' | 'language' | 'industry' | 'source' | 'tags';
type ToKey = 'countries' | 'languages' | 'skills' | 'teams';

const WHEN_FIELDS: { key: ListKey; label: string; hint: string }[] = [
  { key: 'country', label: 'Country', hint: 'e.g. DE, AT' },
  { key: 'language', label: 'Language', hint: 'e.g. de' },
  { key: 'industry', label: 'Industry', hint: 'e.g. Software' },
  { key: 'source', label: 'Source', hint: 'e.g. webinar' },
  { key: 'tags', label: 'Tags', hint: 'e.g. vip' },
];
const TO_FIELDS: { key: ToKey; label: string; hint: string }[] = [
  { key: 'teams', label: 'Teams', hint: 'e.g. dach' },
  { key: 'skills', label: 'Skills', hint: 'e.g. enterprise' },
  { key: 'languages', label: 'Languages', hint: 'e.g. de' },
  { key: 'countries', label: 'Countries', hint: 'e.g. DE' },
];

/** Removes empty lists and objects, so the rule is what the server expects. */
function cleanRule(rule: Rule): Rule {
  const when: Rule['when'] = {};
  for (const { key } of WHEN_FIELDS) if (rule.when[key]?.length) when[key] = rule.when[key];
  const size = rule.when.companySize;
  if (size && (size.min !== undefined || size.max !== undefined)) when.companySize = size;
  const to: Rule['to'] = {};
  for (const { key } of TO_FIELDS) if (rule.to[key]?.length) to[key] = rule.to[key];
  if (rule.to.reps?.length) to.reps = rule.to.reps;
  return { name: rule.name.trim(), when, to };
}

/** Client-side checks for JSON-edited rules: a list of { name, when, to }. */
export function parseRulesJson(text: string): { rules: Rule[] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
  const list = Array.isArray(value) ? value : (value as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) return { error: 'Expected a list of rules: [ { "name": …, "when": {…}, "to": {…} } ]' };
  for (const [i, r] of list.entries()) {
    if (!r || typeof r !== 'object') return { error: `Rule ${i + 1} is not an object` };
    const rule = r as Partial<Rule>;
    if (typeof rule.name !== 'string' || !rule.name.trim()) return { error: `Rule ${i + 1} needs a "name"` };
    if (!rule.when || typeof rule.when !== 'object') return { error: `Rule “${rule.name}” needs a "when" object` };
    if (!rule.to || typeof rule.to !== 'object') return { error: `Rule “${rule.name}” needs a "to" object` };
  }
  return { rules: list as Rule[] };
}

function RuleCard({
  rule,
  index,
  count,
  reps,
  onChange,
  onMove,
  onRemove,
}: {
  rule: Rule;
  index: number;
  count: number;
  reps: Rep[];
  onChange(r: Rule): void;
  onMove(delta: number): void;
  onRemove(): void;
}) {
  const id = `rule-${index}`;
  const listInput = (group: 'when' | 'to', key: string, label: string, hint: string) => {
    const value = ((rule[group] as Record<string, string[] | undefined>)[key] ?? []).join(', ');
    return (
      <label class="field" for={`${id}-${group}-${key}`} key={key}>
        <span>{label}</span>
        <input
          id={`${id}-${group}-${key}`}
          value={value}
          placeholder={hint}
          onChange={(e) => onChange({ ...rule, [group]: { ...rule[group], [key]: splitList(e.currentTarget.value) } })}
        />
      </label>
    );
  };
  const size = rule.when.companySize ?? {};
  const setSize = (k: 'min' | 'max', v: string) => {
    const next = { ...size, [k]: v.trim() === '' ? undefined : Number(v) };
    onChange({ ...rule, when: { ...rule.when, companySize: next } });
  };
  return (
    <li class="rule card" aria-labelledby={`${id}-title`}>
      <div class="rule-head">
        <span class="rule-index" id={`${id}-title`}>
          Rule {index + 1}
        </span>
        <label class="field grow" for={`${id}-name`}>
          <span class="sr-only">Name of rule {index + 1}</span>
          <input
            id={`${id}-name`}
            value={rule.name}
            placeholder="Name this rule"
            onInput={(e) => onChange({ ...rule, name: e.currentTarget.value })}
          />
        </label>
        <div class="row-tight">
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            disabled={index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move rule ${index + 1} up`}
          >
            ↑
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            disabled={index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move rule ${index + 1} down`}
          >
            ↓
          </button>
          <button type="button" class="btn btn-sm btn-ghost" onClick={onRemove} aria-label={`Delete rule ${index + 1}`}>
            Delete
          </button>
        </div>
      </div>
      <div class="rule-body">
        <fieldset>
          <legend>When the lead matches (any value of each list)</legend>
          <div class="form-grid">
            {WHEN_FIELDS.map((f) => listInput('when', f.key, f.label, f.hint))}
            <label class="field" for={`${id}-min`}>
              <span>Company size from</span>
              <input
                id={`${id}-min`}
                type="number"
                min={0}
                value={size.min ?? ''}
                onChange={(e) => setSize('min', e.currentTarget.value)}
              />
            </label>
            <label class="field" for={`${id}-max`}>
              <span>Company size to</span>
              <input
                id={`${id}-max`}
                type="number"
                min={0}
                value={size.max ?? ''}
                onChange={(e) => setSize('max', e.currentTarget.value)}
              />
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Offer it to reps with any of</legend>
          <div class="form-grid">{TO_FIELDS.map((f) => listInput('to', f.key, f.label, f.hint))}</div>
          {reps.length > 0 && (
            <div class="checks" role="group" aria-label="Or these reps">
              <span class="small muted">Or these reps:</span>
              {reps.map((r) => (
                <label class="check" key={r.id}>
                  <input
                    type="checkbox"
                    checked={rule.to.reps?.includes(r.id) ?? false}
                    onChange={(e) => {
                      const cur = rule.to.reps ?? [];
                      onChange({
                        ...rule,
                        to: { ...rule.to, reps: e.currentTarget.checked ? [...cur, r.id] : cur.filter((x) => x !== r.id) },
                      });
                    }}
                  />
                  {r.name}
                </label>
              ))}
            </div>
          )}
        </fieldset>
      </div>
    </li>
  );
}

/** Hybrid routing rules: first match wins; no match offers the lead to everyone. */
export function RulesEditor({
  rules,
  reps,
  poolName,
  onSave,
}: {
  rules: Rule[];
  /** The reps of the pool whose rules these are. */
  reps: Rep[];
  /** Named when there are several pools (each has its own rules). */
  poolName?: string;
  onSave(r: Rule[]): Promise<{ ok: true } | { ok: false; message: string }>;
}) {
  const [draft, setDraft] = useState<Rule[]>(rules);
  const [dirty, setDirty] = useState(false);
  const [asJson, setAsJson] = useState(false);
  const [json, setJson] = useState(() => JSON.stringify(rules, null, 2));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!dirty) {
      setDraft(rules);
      setJson(JSON.stringify(rules, null, 2));
    }
  }, [rules]);

  const update = (next: Rule[]) => {
    setDraft(next);
    setDirty(true);
    setError('');
  };
  const save = async () => {
    let list = draft;
    if (asJson) {
      const parsed = parseRulesJson(json);
      if ('error' in parsed) {
        setError(parsed.error);
        return;
      }
      list = parsed.rules;
    } else {
      const unnamed = draft.findIndex((r) => !r.name.trim());
      if (unnamed >= 0) {
        setError(`Rule ${unnamed + 1} needs a name.`);
        return;
      }
      list = draft.map(cleanRule);
    }
    setBusy(true);
    const r = await onSave(list);
    setBusy(false);
    if (r.ok) {
      setDirty(false);
      setError('');
    } else setError(r.message);
  };

  return (
    <section class="panel" aria-labelledby="rules-title">
      <div class="panel-head">
        <div>
          <h2 id="rules-title">Hybrid routing rules</h2>
          <p class="muted small">
            {poolName ? `The rules of ${poolName}, among its reps. ` : ''}Checked top to bottom; the first rule that matches decides who
            sees the lead. No match: everyone.
          </p>
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={asJson}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              if (on) setJson(JSON.stringify(draft.map(cleanRule), null, 2));
              else {
                const parsed = parseRulesJson(json);
                if ('error' in parsed) {
                  setError(parsed.error);
                  return;
                }
                setDraft(parsed.rules);
              }
              setAsJson(on);
            }}
          />
          Edit as JSON
        </label>
      </div>
      <div class="pad stack">
        {asJson ? (
          <label class="field" for="rules-json">
            <span>Rules (JSON)</span>
            <textarea
              id="rules-json"
              rows={16}
              spellcheck={false}
              class="mono"
              value={json}
              aria-invalid={error ? true : undefined}
              aria-describedby="rules-error"
              onInput={(e) => {
                setJson(e.currentTarget.value);
                setDirty(true);
                setError('');
              }}
            />
          </label>
        ) : draft.length === 0 ? (
          <p class="muted">No rules: in hybrid mode every lead is offered to every rep.</p>
        ) : (
          <ol class="rules">
            {draft.map((r, i) => (
              <RuleCard
                key={i}
                rule={r}
                index={i}
                count={draft.length}
                reps={reps}
                onChange={(next) => update(draft.map((x, j) => (j === i ? next : x)))}
                onMove={(d) => {
                  const next = [...draft];
                  const [moved] = next.splice(i, 1);
                  next.splice(i + d, 0, moved);
                  update(next);
                }}
                onRemove={() => update(draft.filter((_, j) => j !== i))}
              />
            ))}
          </ol>
        )}
        <p id="rules-error" class="field-error" role={error ? 'alert' : undefined}>
          {error}
        </p>
        <div class="row">
          {!asJson && (
            <button type="button" class="btn" onClick={() => update([...draft, { name: `Rule ${draft.length + 1}`, when: {}, to: {} }])}>
              Add rule
            </button>
          )}
          <button type="button" class="btn btn-primary" disabled={busy || !dirty} onClick={save}>
            Save rules
          </button>
        </div>
      </div>
    </section>
  );
}
