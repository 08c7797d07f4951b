// A hosted form's submission (application/x-www-form-urlencoded) as a LeadInput, validated
// by the API's own schema (shared/schemas.ts LeadInputSchema) plus the form's required
// fields and consent, with one message per field written for a visitor. Pure.
import { CONSENT_FIELD, FORM_FIELD_SPECS, type FormState, HONEYPOT_FIELD } from '../../shared/form-page.js';
import type { FormField, HostedForm, LeadInput } from '../../shared/protocol.js';
import { LeadInputSchema } from '../../shared/schemas.js';

type Key = FormField | typeof CONSENT_FIELD;
export type SubmissionResult =
  | { ok: true; input: LeadInput; consented: boolean }
  | { ok: false; state: Required<Pick<FormState, 'values' | 'errors'>> }
  /** The honeypot was filled: answer as if it worked, store nothing. */
  | { ok: 'bot' };

/** The longest value kept from one field (to show it again): far beyond every field's limit. */
const KEEP_CHARS = 2000;

const MESSAGES: Partial<Record<FormField, string>> = {
  email: 'Enter a valid email address, like name@example.com.',
  phone: 'Enter a phone number: digits, spaces and + ( ) - . / only.',
  companySize: 'Enter a whole number of employees, like 25.',
  country: 'Enter a two-letter country code, like GB.',
  language: 'Enter a two-letter language code, like en.',
};

/** The first string sent under `name` (a repeated field sends a list). */
function one(body: Record<string, unknown>, name: string): string {
  const v = Object.hasOwn(body, name) ? body[name] : undefined;
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.slice(0, KEEP_CHARS) : '';
}

export function readSubmission(
  form: Pick<HostedForm, 'fields' | 'required' | 'consentText'>,
  body: Record<string, unknown> | undefined,
): SubmissionResult {
  const sent = body ?? {};
  if (one(sent, HONEYPOT_FIELD).trim() !== '') return { ok: 'bot' };
  const values: Partial<Record<Key, string>> = {};
  const errors: Partial<Record<Key, string>> = {};
  const input: Record<string, unknown> = {};
  for (const f of form.fields) {
    const raw = one(sent, f);
    values[f] = raw;
    const value = raw.trim();
    if (value === '') {
      if (form.required.includes(f)) errors[f] = `Enter your ${FORM_FIELD_SPECS[f].label.toLowerCase()}.`;
      continue;
    }
    if (f === 'companySize') {
      const digits = value.replace(/[\s,.']/g, '');
      if (/^\d{1,9}$/.test(digits)) input[f] = Number(digits);
      else errors[f] = MESSAGES.companySize;
      continue;
    }
    input[f] = value;
  }
  const consented = one(sent, CONSENT_FIELD) === 'yes';
  if (consented) values[CONSENT_FIELD] = 'yes';
  if (form.consentText && !consented) errors[CONSENT_FIELD] = 'Tick this box to send the form.';

  const parsed = LeadInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FormField | undefined;
      if (!field || errors[field]) continue;
      if (issue.code === 'custom' && field === 'email') {
        // the lead rule: an email or a phone
        const target: FormField = form.fields.includes('email') ? 'email' : 'phone';
        errors[target] ??=
          form.fields.includes('email') && form.fields.includes('phone')
            ? 'Enter an email address or a phone number.'
            : `Enter your ${FORM_FIELD_SPECS[target].label.toLowerCase()}.`;
        continue;
      }
      if (!form.fields.includes(field)) continue;
      errors[field] =
        issue.code === 'too_big'
          ? `At most ${FORM_FIELD_SPECS[field].maxLength} characters.`
          : (MESSAGES[field] ?? 'This does not look right.');
    }
  }
  if (Object.keys(errors).length || !parsed.success) return { ok: false, state: { values, errors } };
  return { ok: true, input: parsed.data, consented };
}
