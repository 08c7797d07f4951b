// The hosted forms contract of the Store (issue #9): create, list, get, patch (null removes
// an optional text), delete; forms survive a restart; the consent a lead records is kept.
// Run against both stores through the Store interface only.
import { describe, expect, it } from 'vitest';
import { type StoredForm, UnknownPoolError } from '../server/store/types.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { draft, makeRep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

const form = (id: string, over: Partial<StoredForm> = {}): StoredForm => ({
  id,
  name: `Form ${id}`,
  poolId: DEFAULT_POOL,
  fields: ['name', 'email'],
  required: [],
  title: 'Talk to us',
  submitLabel: 'Send',
  successMessage: 'Thanks!',
  embedOrigins: [],
  createdAt: new Date().toISOString(),
  ...over,
});

describe.each(factories)('Store forms: $name', ({ make }) => {
  it('creates, lists in creation order, gets, and survives a restart', async () => {
    const h = await make();
    const a = form('form_a', { intro: 'Hello <b>', consentText: 'I agree', embedOrigins: ['https://www.example.com'] });
    const b = form('form_b', { redirectUrl: 'https://example.com/thanks' });
    await h.store.createForm(a);
    await h.store.createForm(b);
    expect(await h.store.listForms()).toEqual([a, b]);
    expect(await h.store.getForm('form_a')).toEqual(a);
    expect(await h.store.getForm('nope')).toBeNull();
    const reopened = await h.reopen();
    expect(await reopened.listForms()).toEqual([a, b]);
  });

  it('refuses a form of a pool that does not exist', async () => {
    const h = await make();
    await expect(h.store.createForm(form('form_x', { poolId: 'ghost' }))).rejects.toBeInstanceOf(UnknownPoolError);
    expect(await h.store.listForms()).toEqual([]);
  });

  it('patches: given fields replace, null removes, empty lists stay lists, unknown form is null', async () => {
    const h = await make();
    await h.store.createForm(form('form_a', { intro: 'Intro', consentText: 'I agree', embedOrigins: ['https://a.example'] }));
    const changed = await h.store.updateForm('form_a', {
      title: 'New title',
      intro: null,
      embedOrigins: [],
      required: ['email'],
      fields: ['email', 'phone'],
    });
    const expected = form('form_a', {
      title: 'New title',
      consentText: 'I agree',
      embedOrigins: [],
      required: ['email'],
      fields: ['email', 'phone'],
    });
    expected.createdAt = changed!.createdAt;
    expect(changed).toEqual(expected);
    expect(await h.store.getForm('form_a')).toEqual(expected);
    expect(await h.store.updateForm('nope', { title: 'x' })).toBeNull();
    await expect(h.store.updateForm('form_a', { poolId: 'ghost' })).rejects.toBeInstanceOf(UnknownPoolError);
    expect((await h.store.getForm('form_a'))!.poolId).toBe(DEFAULT_POOL);
    // two changes of different fields both hold
    await Promise.all([h.store.updateForm('form_a', { title: 'T2' }), h.store.updateForm('form_a', { submitLabel: 'Go' })]);
    const both = await h.store.getForm('form_a');
    expect([both!.title, both!.submitLabel]).toEqual(['T2', 'Go']);
  });

  it('deletes', async () => {
    const h = await make();
    await h.store.createForm(form('form_a'));
    await h.store.createForm(form('form_b'));
    expect(await h.store.deleteForm('form_a')).toBe(true);
    expect(await h.store.deleteForm('form_a')).toBe(false);
    expect((await h.store.listForms()).map((f) => f.id)).toEqual(['form_b']);
  });

  it('keeps the consent and form of a lead', async () => {
    const h = await make();
    const consent = { text: 'I agree to be contacted', at: '2026-01-02T03:04:05.000Z' };
    const { lead } = await h.store.insertLead(draft({ consent, formId: 'form_a', source: 'form:Contact' }));
    expect(lead.consent).toEqual(consent);
    expect(lead.formId).toBe('form_a');
    const reopened = await h.reopen();
    expect((await reopened.getLead(lead.id))?.consent).toEqual(consent);
  });

  it('insertLeads: many leads into one pool in order, each deduped as insertLead (also against the same batch)', async () => {
    const h = await make();
    await h.store.createRep(makeRep('r1'));
    await h.store.patchSettings(DEFAULT_POOL, { duplicateWindowMs: 60_000 });
    const first = await h.store.insertLead(draft({ externalId: 'x-0' }));
    const results = await h.store.insertLeads([
      draft({ externalId: 'x-1', email: 'a@example.com' }),
      draft({ externalId: 'x-0' }), // stored before
      draft({ externalId: 'x-1' }), // earlier in this batch
      draft({ externalId: 'x-2', email: 'A@example.com' }), // email of the first, within the window
      draft({ externalId: 'x-3', status: 'disqualified', disqualifiedReasons: ['country FR is not accepted'] }),
      draft({ externalId: 'x-4', eligible: ['r1'] }),
    ]);
    expect(results.map((r) => (r.duplicate ? `dup:${r.by}` : r.lead.status))).toEqual([
      'open',
      'dup:externalId',
      'dup:externalId',
      'dup:email',
      'disqualified',
      'open',
    ]);
    expect(results[1].lead.id).toBe(first.lead.id);
    expect(results[2].lead.id).toBe(results[0].lead.id);
    expect(results[4].lead.disqualifiedReasons).toEqual(['country FR is not accepted']);
    expect(results[5].lead.eligible).toEqual(['r1']);
    const open = await h.store.openLeads(DEFAULT_POOL);
    expect(open.map((l) => l.externalId)).toEqual(['x-0', 'x-1', 'x-4']);
    const reopened = await h.reopen();
    expect((await reopened.listLeads({ limit: 10 })).map((l) => l.externalId)).toEqual(['x-4', 'x-3', 'x-1', 'x-0']);
    await expect(reopened.insertLeads([draft({ poolId: 'ghost' })])).rejects.toBeInstanceOf(UnknownPoolError);
    expect(await reopened.insertLeads([])).toEqual([]);
  });
});
