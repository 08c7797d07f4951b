// The hosted lead form as HTML (GET/POST /form/:formId), and the dashboard's live preview of
// it (the same function, in an iframe's srcdoc). No script: the page works without
// JavaScript. Every text reaching the markup goes through escapeHtml, once: the form's texts
// are the manager's, the values sent back on a 422 are a stranger's. Styles come from
// /form.css (the Content Security Policy allows no inline style).
import { FORM_FIELDS, type FormField, type HostedForm } from './protocol.js';

/** Text safe in HTML content and in a double- or single-quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The path of the form page's stylesheet (server/transport/forms.ts serves it). */
export const FORM_CSS_PATH = '/form.css';

/** The name of the hidden field that only bots fill. */
export const HONEYPOT_FIELD = 'website';
/** The name of the consent checkbox (sent as `yes` when ticked). */
export const CONSENT_FIELD = 'consent';

interface FieldSpec {
  label: string;
  type: 'text' | 'email' | 'tel';
  autocomplete: string;
  maxLength: number;
  inputMode?: 'numeric';
  hint?: string;
}

export const FORM_FIELD_SPECS: Record<FormField, FieldSpec> = {
  name: { label: 'Name', type: 'text', autocomplete: 'name', maxLength: 200 },
  email: { label: 'Email', type: 'email', autocomplete: 'email', maxLength: 254 },
  phone: { label: 'Phone', type: 'tel', autocomplete: 'tel', maxLength: 40 },
  company: { label: 'Company', type: 'text', autocomplete: 'organization', maxLength: 200 },
  companySize: {
    label: 'Company size',
    type: 'text',
    autocomplete: 'off',
    maxLength: 9,
    inputMode: 'numeric',
    hint: 'Number of employees',
  },
  jobTitle: { label: 'Job title', type: 'text', autocomplete: 'organization-title', maxLength: 200 },
  industry: { label: 'Industry', type: 'text', autocomplete: 'off', maxLength: 100 },
  country: { label: 'Country', type: 'text', autocomplete: 'country', maxLength: 2, hint: 'Two-letter code, like GB or DE' },
  language: { label: 'Language', type: 'text', autocomplete: 'off', maxLength: 2, hint: 'Two-letter code, like en or de' },
};

/** What a page shows besides the form: the visitor's values and the error of each field (after a 422). */
export interface FormState {
  values?: Partial<Record<FormField | typeof CONSENT_FIELD, string>>;
  errors?: Partial<Record<FormField | typeof CONSENT_FIELD, string>>;
  /** A message about the whole form (the server could not take it). */
  notice?: string;
}

type RenderableForm = Pick<HostedForm, 'id' | 'fields' | 'required' | 'title' | 'intro' | 'submitLabel' | 'consentText' | 'successMessage'>;

/** Paragraphs of a text (blank lines between them), each line break kept. */
function paragraphs(text: string, cls: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p class="${cls}">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${FORM_CSS_PATH}">
</head>
<body>
<main class="lp-card">
${body}
</main>
</body>
</html>
`;
}

/** The form, empty or with the visitor's values and errors. `action` defaults to the form's own address. */
export function renderFormPage(form: RenderableForm, state: FormState = {}, action = `/form/${encodeURIComponent(form.id)}`): string {
  const values = state.values ?? {};
  const errors = state.errors ?? {};
  const fields = FORM_FIELDS.filter((f) => form.fields.includes(f)).sort((a, b) => form.fields.indexOf(a) - form.fields.indexOf(b));
  const invalid = [...fields, CONSENT_FIELD as typeof CONSENT_FIELD].filter((f) => errors[f]);
  const eitherContact =
    fields.includes('email') && fields.includes('phone') && !form.required.includes('email') && !form.required.includes('phone');
  const parts: string[] = [`<h1>${escapeHtml(form.title)}</h1>`];
  if (form.intro) parts.push(paragraphs(form.intro, 'lp-intro'));
  if (state.notice) parts.push(`<p class="lp-summary" role="alert">${escapeHtml(state.notice)}</p>`);
  if (invalid.length) {
    const items = invalid
      .map((f) => {
        const label = f === CONSENT_FIELD ? 'Consent' : FORM_FIELD_SPECS[f].label;
        return `<li><a href="#lp-${f}">${escapeHtml(label)}: ${escapeHtml(errors[f]!)}</a></li>`;
      })
      .join('');
    parts.push(
      `<div class="lp-summary" role="alert" id="lp-errors"><h2>${invalid.length === 1 ? 'One field needs' : `${invalid.length} fields need`} your attention</h2><ul>${items}</ul></div>`,
    );
  }
  const inputs = fields.map((f) => {
    const spec = FORM_FIELD_SPECS[f];
    const required = form.required.includes(f);
    const error = errors[f];
    const described = [spec.hint ? `lp-${f}-hint` : '', error ? `lp-${f}-error` : ''].filter(Boolean).join(' ');
    const attrs = [
      `id="lp-${f}"`,
      `name="${f}"`,
      `type="${spec.type}"`,
      `autocomplete="${spec.autocomplete}"`,
      `maxlength="${spec.maxLength}"`,
      spec.inputMode ? `inputmode="${spec.inputMode}"` : '',
      `value="${escapeHtml(values[f] ?? '')}"`,
      required ? 'required' : '',
      error ? 'aria-invalid="true"' : '',
      described ? `aria-describedby="${described}"` : '',
    ].filter(Boolean);
    return `<div class="lp-field${error ? ' lp-invalid' : ''}">
<label for="lp-${f}">${escapeHtml(spec.label)}${required ? ' <span class="lp-req">(required)</span>' : ''}</label>
${spec.hint ? `<p class="lp-hint" id="lp-${f}-hint">${escapeHtml(spec.hint)}</p>\n` : ''}${error ? `<p class="lp-error" id="lp-${f}-error">${escapeHtml(error)}</p>\n` : ''}<input ${attrs.join(' ')}>
</div>`;
  });
  if (eitherContact) inputs.unshift('<p class="lp-hint">Give us an email address or a phone number (or both).</p>');
  if (form.consentText) {
    const error = errors[CONSENT_FIELD];
    const checked = values[CONSENT_FIELD] === 'yes';
    inputs.push(`<div class="lp-field lp-consent${error ? ' lp-invalid' : ''}">
${error ? `<p class="lp-error" id="lp-${CONSENT_FIELD}-error">${escapeHtml(error)}</p>\n` : ''}<input id="lp-${CONSENT_FIELD}" name="${CONSENT_FIELD}" type="checkbox" value="yes" required${checked ? ' checked' : ''}${error ? ` aria-invalid="true" aria-describedby="lp-${CONSENT_FIELD}-error"` : ''}>
<label for="lp-${CONSENT_FIELD}">${escapeHtml(form.consentText)} <span class="lp-req">(required)</span></label>
</div>`);
  }
  // Only bots see and fill it: hidden from people, screen readers and the tab order.
  inputs.push(`<div class="lp-hp" aria-hidden="true">
<label for="lp-${HONEYPOT_FIELD}">Leave this field empty</label>
<input id="lp-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" type="text" tabindex="-1" autocomplete="off" value="">
</div>`);
  parts.push(`<form method="post" action="${escapeHtml(action)}" novalidate>
${inputs.join('\n')}
<button type="submit">${escapeHtml(form.submitLabel)}</button>
</form>`);
  return page(form.title, parts.join('\n'));
}

/** The page after a valid submission (and the one a bot gets). */
export function renderSuccessPage(form: Pick<HostedForm, 'title' | 'successMessage'>): string {
  return page(
    form.title,
    `<h1>${escapeHtml(form.title)}</h1>\n<div role="status" class="lp-success">${paragraphs(form.successMessage, 'lp-intro')}</div>`,
  );
}

/** A page with a heading and a message: unknown form (404), too many submissions (429), server trouble. */
export function renderMessagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p class="lp-intro">${escapeHtml(message)}</p>`);
}
