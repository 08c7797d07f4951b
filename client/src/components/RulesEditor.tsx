import { useEffect, useState } from 'preact/hooks';
import type { Rep, Rule, RulesPreview } from '../../../shared/protocol';
import { splitList } from '../lib/format';
import type { Roster } from '../state/roster';
import { RepPicker, SELECT_MAX } from './RepPicker';

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
  roster,
  poolId,
  onChange,
  onMove,
  onRemove,
}: {
  rule: Rule;
  index: number;
  count: number;
  reps: Rep[];
  /** A pool too large to list (more than SELECT_MAX reps): the rule's reps are listed, and others found by name. */
  roster?: Roster;
  poolId?: string;
  onChange(r: Rule): void;
  onMove(delta: number): void;
  onRemove(): void;
}) {
  const id = `rule-${index}`;
  const large = !!roster && roster.counts(poolId).members > SELECT_MAX;
  // A large pool: only the reps this rule names (unchecking one removes it).
  const listed = large ? (rule.to.reps ?? []).map((repId) => roster?.get(repId) ?? { id: repId, name: repId }) : reps;
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
          {large && roster && (
            <label class="field" for={`${id}-add-rep`}>
              <span>Add a rep</span>
              <RepPicker
                id={`${id}-add-rep`}
                roster={roster}
                poolId={poolId}
                value=""
                withPresence={false}
                onChange={(repId) => {
                  const cur = rule.to.reps ?? [];
                  if (repId && !cur.includes(repId)) onChange({ ...rule, to: { ...rule.to, reps: [...cur, repId] } });
                }}
              />
            </label>
          )}
          {listed.length > 0 && (
            <div class="checks" role="group" aria-label="Or these reps">
              <span class="small muted">Or these reps:</span>
              {listed.map((r) => (
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

type PreviewAnswer = { ok: true; preview: RulesPreview } | { ok: false; message: string };

/** Stranded leads grouped by why, with what they have in common ("3 leads (language es): only Esa (offline) could take it"). */
function strandedGroups(p: RulesPreview): { reason: string; count: number; traits: string }[] {
  const groups = new Map<string, RulesPreview['stranded']>();
  for (const s of p.stranded) groups.set(s.reason, [...(groups.get(s.reason) ?? []), s]);
  return [...groups.entries()].map(([reason, list]) => {
    const traits = (['language', 'country', 'source'] as const)
      .map((f) => {
        const values = [...new Set(list.map((l) => l[f]).filter(Boolean))];
        return values.length && values.length <= 3 ? `${f} ${values.join('/')}` : '';
      })
      .filter(Boolean)
      .join(', ');
    return { reason, count: list.length, traits };
  });
}

/** What a preview found: counts per rule and per rep, and the leads no available rep could take. */
function PreviewResult({ preview }: { preview: RulesPreview }) {
  const groups = strandedGroups(preview);
  return (
    <div class="preview-result stack" role="status" aria-labelledby="preview-title">
      <h3 id="preview-title">Preview on the {preview.leads} latest leads</h3>
      {preview.stranded.length === 0 ? (
        <p>Every one of them could be taken by an available rep.</p>
      ) : (
        <>
          <p class="field-error">{preview.stranded.length} of them no available rep could take right now:</p>
          <ul data-testid="preview-stranded">
            {groups.map((g) => (
              <li key={g.reason}>
                <strong>
                  {g.count} {g.count === 1 ? 'lead' : 'leads'}
                  {g.traits ? ` (${g.traits})` : ''}
                </strong>
                : {g.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <div class="report-grid">
        <div class="table-scroll">
          <table class="table">
            <caption>Leads per rule</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col" class="num">
                  Leads
                </th>
                <th scope="col" class="num">
                  No available rep
                </th>
              </tr>
            </thead>
            <tbody>
              {preview.perRule.map((r, i) => (
                <tr key={`${i}-${r.rule}`}>
                  <td>{r.rule ?? 'No rule (everyone)'}</td>
                  <td class="num">{r.leads}</td>
                  <td class="num">{r.stranded}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="table-scroll">
          <table class="table">
            <caption>Leads each rep would be eligible for</caption>
            <thead>
              <tr>
                <th scope="col">Rep</th>
                <th scope="col">Now</th>
                <th scope="col" class="num">
                  Eligible for
                </th>
              </tr>
            </thead>
            <tbody>
              {preview.perRep.map((r) => (
                <tr key={r.repId}>
                  <td>{r.name}</td>
                  <td>{r.presence}</td>
                  <td class="num">{r.eligible}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

/** Hybrid routing rules: first match wins; no match offers the lead to everyone. */
export function RulesEditor({
  rules,
  reps,
  roster,
  poolId,
  poolName,
  onSave,
  onPreview,
}: {
  rules: Rule[];
  /** The reps of the pool whose rules these are (with `roster`, only needed for a pool of up to SELECT_MAX reps). */
  reps: Rep[];
  /** Every rep: a pool larger than SELECT_MAX picks its reps by name instead of a box per rep. */
  roster?: Roster;
  poolId?: string;
  /** Named when there are several pools (each has its own rules). */
  poolName?: string;
  onSave(r: Rule[]): Promise<{ ok: true } | { ok: false; message: string }>;
  /** How these rules (not saved) would route the pool's recent leads (POST …/rules/preview). */
  onPreview?(r: Rule[]): Promise<PreviewAnswer>;
}) {
  const [preview, setPreview] = useState<RulesPreview | null>(null);
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
  /** The rules as edited, or null (the error shown). */
  const edited = (): Rule[] | null => {
    if (asJson) {
      const parsed = parseRulesJson(json);
      if ('error' in parsed) {
        setError(parsed.error);
        return null;
      }
      return parsed.rules;
    }
    const unnamed = draft.findIndex((r) => !r.name.trim());
    if (unnamed >= 0) {
      setError(`Rule ${unnamed + 1} needs a name.`);
      return null;
    }
    return draft.map(cleanRule);
  };
  const runPreview = async () => {
    const list = edited();
    if (!list || !onPreview) return;
    setBusy(true);
    const r = await onPreview(list);
    setBusy(false);
    if (r.ok) {
      setPreview(r.preview);
      setError('');
    } else setError(r.message);
  };
  const save = async () => {
    const list = edited();
    if (!list) return;
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
                roster={roster}
                poolId={poolId}
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
          {onPreview && (
            <button type="button" class="btn" disabled={busy} onClick={runPreview}>
              Preview
            </button>
          )}
          <button type="button" class="btn btn-primary" disabled={busy || !dirty} onClick={save}>
            Save rules
          </button>
        </div>
        {preview && <PreviewResult preview={preview} />}
      </div>
    </section>
  );
}
