import { useEffect, useMemo, useState } from 'preact/hooks';
import { FORM_FIELD_SPECS, renderFormPage } from '../../../shared/form-page';
import { DEFAULT_FORM_FIELDS, FORM_FIELDS, type FormField, type HostedForm, type PoolOverview } from '../../../shared/protocol';
import type { FormInput, Result } from '../state/managerModel';
import { CopyButton } from './CopyButton';

interface Props {
  forms: HostedForm[] | null;
  pools: PoolOverview[];
  /** The pool preselected for a new form (the one the dashboard shows). */
  selected: string;
  onLoad(): Promise<boolean>;
  onSave(id: string | undefined, input: FormInput): Promise<Result<{ form: HostedForm }>>;
  onDelete(id: string): Promise<boolean>;
}

/** The editor's state: every text as typed (empty = none). */
interface Draft {
  name: string;
  poolId: string;
  fields: FormField[];
  required: FormField[];
  title: string;
  intro: string;
  submitLabel: string;
  consentText: string;
  after: 'message' | 'redirect';
  successMessage: string;
  redirectUrl: string;
  embedOrigins: string;
}

const DEFAULT_SUCCESS = 'Thank you! We will be in touch soon.';

const draftOf = (form: HostedForm | null, poolId: string): Draft => ({
  name: form?.name ?? '',
  poolId: form?.poolId ?? poolId,
  fields: form?.fields ?? [...DEFAULT_FORM_FIELDS],
  required: form?.required ?? [],
  title: form?.title ?? '',
  intro: form?.intro ?? '',
  submitLabel: form?.submitLabel ?? 'Send',
  consentText: form?.consentText ?? '',
  after: form?.redirectUrl ? 'redirect' : 'message',
  successMessage: form?.successMessage ?? DEFAULT_SUCCESS,
  redirectUrl: form?.redirectUrl ?? '',
  embedOrigins: (form?.embedOrigins ?? []).join('\n'),
});

/** The request body: a new form omits empty texts, a change removes them (null). */
function inputOf(d: Draft, editing: boolean): FormInput {
  const opt = (v: string) => (v.trim() ? v.trim() : editing ? null : undefined);
  const input: FormInput = {
    name: d.name.trim(),
    poolId: d.poolId,
    fields: FORM_FIELDS.filter((f) => d.fields.includes(f)).sort((a, b) => d.fields.indexOf(a) - d.fields.indexOf(b)),
    required: d.required.filter((f) => d.fields.includes(f)),
    title: d.title.trim() || d.name.trim(),
    intro: opt(d.intro),
    submitLabel: d.submitLabel.trim() || 'Send',
    consentText: opt(d.consentText),
    successMessage: d.successMessage.trim() || DEFAULT_SUCCESS,
    redirectUrl: d.after === 'redirect' ? opt(d.redirectUrl) : editing ? null : undefined,
    embedOrigins: d.embedOrigins
      .split(/[\s,]+/)
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
  };
  for (const k of Object.keys(input) as (keyof FormInput)[]) if (input[k] === undefined) delete input[k];
  return input;
}

/** What a site pastes to show the form. */
export const embedSnippet = (form: HostedForm) =>
  `<iframe src="${form.url}" title="${form.title.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}" style="width:100%;min-height:560px;border:0" loading="lazy"></iframe>`;

function Editor({
  form,
  pools,
  selected,
  onSave,
  onDone,
}: {
  form: HostedForm | null;
  pools: PoolOverview[];
  selected: string;
  onSave: Props['onSave'];
  onDone(saved: HostedForm | null): void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(form, selected));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((was) => ({ ...was, [k]: v }));
  const id = form?.id ?? 'new';
  const preview = useMemo(() => {
    const i = inputOf(d, false);
    return renderFormPage(
      {
        id,
        fields: i.fields ?? [],
        required: i.required ?? [],
        title: i.title || 'Untitled form',
        intro: i.intro ?? undefined,
        submitLabel: i.submitLabel ?? 'Send',
        consentText: i.consentText ?? undefined,
        successMessage: i.successMessage ?? DEFAULT_SUCCESS,
      },
      {},
      '#',
    );
  }, [d]);
  const toggleField = (f: FormField, on: boolean) => {
    set('fields', on ? [...d.fields.filter((x) => x !== f), f] : d.fields.filter((x) => x !== f));
    if (!on)
      set(
        'required',
        d.required.filter((x) => x !== f),
      );
  };
  const toggleRequired = (f: FormField, on: boolean) =>
    set('required', on ? [...d.required.filter((x) => x !== f), f] : d.required.filter((x) => x !== f));
  const fid = (name: string) => `form-${id}-${name}`;
  return (
    <div class="form-editor">
      <form
        class="rep-form"
        aria-label={form ? `Edit form ${form.name}` : 'New form'}
        onSubmit={async (e) => {
          e.preventDefault();
          if (!d.name.trim()) return setError('A name is required.');
          if (!d.fields.includes('email') && !d.fields.includes('phone'))
            return setError('Ask for an email or a phone (a lead needs one).');
          if (d.after === 'redirect' && !d.redirectUrl.trim()) return setError('Give the address to redirect to, or show a message.');
          setError('');
          setBusy(true);
          const r = await onSave(form?.id, inputOf(d, !!form));
          setBusy(false);
          if (!r.ok) return setError(r.message);
          onDone(r.form);
        }}
      >
        <div class="form-grid">
          <div class="field">
            <label for={fid('name')}>Form name</label>
            <input id={fid('name')} value={d.name} maxLength={80} required onInput={(e) => set('name', e.currentTarget.value)} />
            <small class="muted">Leads get the source form:{d.name.trim() || '…'}</small>
          </div>
          {pools.length > 1 && (
            <div class="field">
              <label for={fid('pool')}>Pool</label>
              <select id={fid('pool')} value={d.poolId} onChange={(e) => set('poolId', e.currentTarget.value)}>
                {pools.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div class="field">
            <label for={fid('title')}>Title</label>
            <input
              id={fid('title')}
              value={d.title}
              maxLength={200}
              placeholder={d.name}
              onInput={(e) => set('title', e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for={fid('submit')}>Button label</label>
            <input id={fid('submit')} value={d.submitLabel} maxLength={60} onInput={(e) => set('submitLabel', e.currentTarget.value)} />
          </div>
        </div>
        <div class="field">
          <label for={fid('intro')}>Introduction</label>
          <textarea id={fid('intro')} rows={2} maxLength={2000} value={d.intro} onInput={(e) => set('intro', e.currentTarget.value)} />
        </div>
        <fieldset>
          <legend>Fields</legend>
          <table class="form-fields">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Asked</th>
                <th scope="col">Required</th>
              </tr>
            </thead>
            <tbody>
              {FORM_FIELDS.map((f) => (
                <tr key={f}>
                  <th scope="row">{FORM_FIELD_SPECS[f].label}</th>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Ask for ${FORM_FIELD_SPECS[f].label}`}
                      checked={d.fields.includes(f)}
                      onChange={(e) => toggleField(f, e.currentTarget.checked)}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${FORM_FIELD_SPECS[f].label} required`}
                      disabled={!d.fields.includes(f)}
                      checked={d.required.includes(f)}
                      onChange={(e) => toggleRequired(f, e.currentTarget.checked)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <small class="muted">Without a required email or phone, visitors must give one of the two.</small>
        </fieldset>
        <div class="field">
          <label for={fid('consent')}>Consent text</label>
          <textarea
            id={fid('consent')}
            rows={2}
            maxLength={2000}
            value={d.consentText}
            aria-describedby={fid('consent-hint')}
            onInput={(e) => set('consentText', e.currentTarget.value)}
          />
          <small id={fid('consent-hint')} class="muted">
            When set, visitors must tick a box with this text; each lead records it and when.
          </small>
        </div>
        <fieldset>
          <legend>After sending</legend>
          <div class="checks">
            <label class="check">
              <input type="radio" name={fid('after')} checked={d.after === 'message'} onChange={() => set('after', 'message')} />
              Show a message
            </label>
            <label class="check">
              <input type="radio" name={fid('after')} checked={d.after === 'redirect'} onChange={() => set('after', 'redirect')} />
              Go to a page of your site
            </label>
          </div>
          {d.after === 'message' ? (
            <div class="field">
              <label for={fid('success')}>Success message</label>
              <textarea
                id={fid('success')}
                rows={2}
                maxLength={2000}
                value={d.successMessage}
                onInput={(e) => set('successMessage', e.currentTarget.value)}
              />
            </div>
          ) : (
            <div class="field">
              <label for={fid('redirect')}>Redirect to</label>
              <input
                id={fid('redirect')}
                type="url"
                value={d.redirectUrl}
                placeholder="https://www.example.com/thanks"
                onInput={(e) => set('redirectUrl', e.currentTarget.value)}
              />
            </div>
          )}
        </fieldset>
        <div class="field">
          <label for={fid('origins')}>Sites that may embed it</label>
          <textarea
            id={fid('origins')}
            rows={2}
            value={d.embedOrigins}
            placeholder="https://www.example.com"
            aria-describedby={fid('origins-hint')}
            onInput={(e) => set('embedOrigins', e.currentTarget.value)}
          />
          <small id={fid('origins-hint')} class="muted">
            One origin per line (scheme, host and port). None: the form works only as its own page.
          </small>
        </div>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {form ? 'Save form' : 'Create form'}
          </button>
          <button type="button" class="btn btn-ghost" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
      <div class="form-preview">
        <h3 id={fid('preview')}>Preview</h3>
        <iframe title="Preview of the form" sandbox="" srcdoc={preview} aria-describedby={fid('preview')} data-testid="form-preview" />
      </div>
    </div>
  );
}

function FormRow({
  form,
  poolName,
  onEdit,
  onDelete,
}: {
  form: HostedForm;
  poolName: string;
  onEdit(): void;
  onDelete(): Promise<boolean>;
}) {
  const [confirm, setConfirm] = useState(false);
  const snippet = embedSnippet(form);
  return (
    <li class="rep-row" data-form-id={form.id}>
      <div class="rep-summary">
        <div>
          <strong>{form.name}</strong> <span class="muted small">into {poolName}</span>
          {form.consentText && <span class="chip">consent</span>}
          {form.embedOrigins.length > 0 && <span class="chip">embeddable</span>}
        </div>
        <div />
        <div class="row-tight">
          {confirm ? (
            <>
              <button type="button" class="btn btn-sm btn-danger" onClick={async () => (await onDelete()) || setConfirm(false)}>
                Confirm delete
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirm(false)}>
                Keep
              </button>
            </>
          ) : (
            <>
              <button type="button" class="btn btn-sm" aria-label={`Edit ${form.name}`} onClick={onEdit}>
                Edit
              </button>
              <button type="button" class="btn btn-sm btn-ghost" aria-label={`Delete ${form.name}`} onClick={() => setConfirm(true)}>
                Delete
              </button>
            </>
          )}
        </div>
      </div>
      {confirm && <p class="hint">The page of {form.name} and every embed of it stop taking leads at once.</p>}
      <div class="link-box">
        <input readOnly value={form.url} aria-label={`Link to ${form.name}`} onFocus={(e) => e.currentTarget.select()} />
        <a class="btn btn-sm" href={form.url} target="_blank" rel="noopener noreferrer">
          Open
        </a>
        <CopyButton text={form.url ?? ''} label="Copy link" copiedText="Link copied to the clipboard" />
      </div>
      <details class="small feed-howto">
        <summary>Embed on a site</summary>
        <pre class="code" data-testid="form-embed">
          {snippet}
        </pre>
        <CopyButton text={snippet} label="Copy embed code" copiedText="Embed code copied to the clipboard" />
        {form.embedOrigins.length === 0 && (
          <p class="small field-error">No site may embed this form yet: add its origin under Edit, Sites that may embed it.</p>
        )}
      </details>
    </li>
  );
}

/** Hosted lead forms: list, create and edit with a live preview, the link and the embed code to copy, delete. */
export function FormsPanel({ forms, pools, selected, onLoad, onSave, onDelete }: Props) {
  const [editing, setEditing] = useState<HostedForm | 'new' | null>(null);
  useEffect(() => {
    void onLoad();
  }, []);
  const poolName = (id: string) => pools.find((p) => p.id === id)?.name ?? `${id} (deleted)`;
  return (
    <div class="stack-lg">
      <section class="panel" aria-labelledby="forms-title">
        <div class="panel-head">
          <div>
            <h2 id="forms-title">Lead forms</h2>
            <p class="muted small">A form page hosted here: link to it or embed it on your site. Its leads enter a pool like any other.</p>
          </div>
          {editing === null && (
            <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
              New form
            </button>
          )}
        </div>
        {editing !== null && (
          <div class="pad">
            <Editor
              key={editing === 'new' ? 'new' : editing.id}
              form={editing === 'new' ? null : editing}
              pools={pools}
              selected={selected}
              onSave={onSave}
              onDone={() => setEditing(null)}
            />
          </div>
        )}
        {forms === null ? (
          <p class="muted pad">Loading…</p>
        ) : forms.length === 0 ? (
          <p class="muted pad">No forms yet.</p>
        ) : (
          <ul class="rep-list">
            {forms.map((f) => (
              <FormRow key={f.id} form={f} poolName={poolName(f.poolId)} onEdit={() => setEditing(f)} onDelete={() => onDelete(f.id)} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
