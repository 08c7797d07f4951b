// Hosted lead form commands: create, change, delete (manager), and a visitor's submission,
// which goes through the same lead ingest as the API (filters, routing, dedup, offers) with
// `source` `form:<name>`, the form's id and the consent given.
import { randomUUID } from 'node:crypto';
import { DEFAULT_FORM_FIELDS, DEFAULT_POOL, type FormField, type LeadInput } from '../../shared/protocol.js';
import type { FormCreate, FormPatch } from '../../shared/schemas.js';
import { ApiError } from '../errors.js';
import type { Store, StoredForm, StoredFormPatch } from '../store/types.js';
import type { LeadCommands } from './leads.js';

export const FORM_DEFAULTS = {
  submitLabel: 'Send',
  successMessage: 'Thank you! We will be in touch soon.',
} as const;

export class FormCommands {
  constructor(
    private readonly store: Store,
    private readonly leads: LeadCommands,
  ) {}

  async create(input: FormCreate): Promise<StoredForm> {
    const poolId = input.poolId ?? DEFAULT_POOL;
    await this.checkPool(poolId);
    const fields = input.fields ?? [...DEFAULT_FORM_FIELDS];
    const form: StoredForm = {
      id: `form_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      poolId,
      fields,
      required: input.required ?? [],
      title: input.title ?? input.name,
      ...(input.intro !== undefined ? { intro: input.intro } : {}),
      submitLabel: input.submitLabel ?? FORM_DEFAULTS.submitLabel,
      ...(input.consentText !== undefined ? { consentText: input.consentText } : {}),
      successMessage: input.successMessage ?? FORM_DEFAULTS.successMessage,
      ...(input.redirectUrl !== undefined ? { redirectUrl: input.redirectUrl } : {}),
      embedOrigins: [...new Set(input.embedOrigins ?? [])],
      createdAt: new Date().toISOString(),
    };
    checkFields(form.fields, form.required);
    await this.store.createForm(form);
    return form;
  }

  list(): Promise<StoredForm[]> {
    return this.store.listForms();
  }

  async get(id: string): Promise<StoredForm> {
    const form = await this.store.getForm(id);
    if (!form) throw new ApiError('NOT_FOUND', 'no such form');
    return form;
  }

  async update(id: string, patch: FormPatch): Promise<StoredForm> {
    const current = await this.get(id);
    if (patch.poolId !== undefined) await this.checkPool(patch.poolId);
    // `required` follows `fields` when only the fields change
    const fields = patch.fields ?? current.fields;
    const required = patch.required ?? current.required.filter((f) => fields.includes(f));
    checkFields(fields, required);
    const change: StoredFormPatch = { ...patch, ...(patch.fields ? { required } : {}) };
    if (patch.embedOrigins) change.embedOrigins = [...new Set(patch.embedOrigins)];
    const form = await this.store.updateForm(id, change);
    if (!form) throw new ApiError('NOT_FOUND', 'no such form');
    return form;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteForm(id))) throw new ApiError('NOT_FOUND', 'no such form');
  }

  /** The form a visitor asks for, or null (unknown). */
  find(id: string): Promise<StoredForm | null> {
    return this.store.getForm(id);
  }

  /** A valid submission: into the form's pool, as the API would take it. */
  async submit(form: StoredForm, input: LeadInput, consented: boolean): Promise<void> {
    const consent = form.consentText && consented ? { text: form.consentText, at: new Date().toISOString() } : undefined;
    await this.leads.ingest(input, {
      poolId: form.poolId,
      form: { id: form.id, name: form.name, ...(consent ? { consent } : {}) },
    });
  }

  private async checkPool(poolId: string): Promise<void> {
    if (!(await this.store.getPool(poolId)))
      throw new ApiError('INVALID', `no such pool: ${poolId}`, [{ path: 'poolId', message: `no such pool: ${poolId}` }]);
  }
}

/** A form asks for an email or a phone, and requires only fields it asks for. */
function checkFields(fields: FormField[], required: FormField[]): void {
  const issues: { path: string; message: string }[] = [];
  if (!fields.includes('email') && !fields.includes('phone'))
    issues.push({ path: 'fields', message: 'a form must ask for email or phone' });
  for (const [i, r] of required.entries())
    if (!fields.includes(r)) issues.push({ path: `required.${i}`, message: `${r} is not one of the form's fields` });
  if (issues.length) throw new ApiError('INVALID', 'the request is invalid', issues);
}
