// Hosted lead forms over plain HTTP (docs/API.md, "Hosted lead forms"), on both stores: the
// manager's CRUD, the form page (escaping of the manager's texts), submissions (the API's
// validation, filters and dedup; 422 with the visitor's values and each error beside its
// field, escaped; honeypot; consent recorded; 303 to redirectUrl), framing rules (CSP), 404
// for an unknown form, and the per-address budget (429).
import { describe, expect, it } from 'vitest';
import type { HostedForm, Lead } from '../shared/protocol.js';
import { type Api, api } from './support/api.js';
import { startInProcess } from './support/server.js';
import { serversOf, stores } from './support/stores.js';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert('x')>&amp;`;

async function createForm(manager: Api, body: Record<string, unknown>): Promise<HostedForm> {
  const res = await manager.post<{ form: HostedForm }>('/api/forms', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.form;
}

/** POSTs a urlencoded submission; answers status, headers and the HTML. */
async function submit(url: string, fields: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

async function leadsOf(manager: Api, poolId = 'default'): Promise<Lead[]> {
  return (await manager.get<{ leads: Lead[] }>(`/api/leads?poolId=${poolId}`)).body.leads;
}

describe.each(stores)('hosted forms ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('CRUD: defaults, absolute url, list, get, patch (null removes), delete; validation and roles', async () => {
    const { server, p } = await fresh();
    const form = await createForm(p.manager, { name: 'Contact' });
    expect(form).toEqual({
      id: expect.stringMatching(/^form_[0-9a-f]{16}$/),
      name: 'Contact',
      poolId: 'default',
      fields: ['name', 'email', 'phone', 'company'],
      required: [],
      title: 'Contact',
      submitLabel: 'Send',
      successMessage: expect.any(String),
      embedOrigins: [],
      createdAt: expect.any(String),
      url: `${server.url}/form/${form.id}`,
    });
    const second = await createForm(p.manager, {
      name: 'Demo',
      fields: ['email', 'company', 'country'],
      required: ['email', 'company'],
      intro: 'Book a demo',
      consentText: 'I agree',
      embedOrigins: ['https://www.example.com', 'http://localhost:8080'],
      redirectUrl: 'https://www.example.com/thanks',
    });
    expect((await p.manager.get<{ forms: HostedForm[] }>('/api/forms')).body.forms.map((f) => f.id)).toEqual([form.id, second.id]);
    expect((await p.manager.get<{ form: HostedForm }>(`/api/forms/${second.id}`)).body.form).toEqual(second);

    const patched = await p.manager.patch<{ form: HostedForm }>(`/api/forms/${second.id}`, {
      intro: null,
      title: 'Book a demo',
      fields: ['email', 'phone'],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.form.intro).toBeUndefined();
    expect(patched.body.form.title).toBe('Book a demo');
    expect(patched.body.form.required).toEqual(['email']); // company left with its field
    expect(patched.body.form.consentText).toBe('I agree');

    // invalid: no email nor phone, a required field not asked, an origin with a path, unknown keys, unknown pool
    for (const body of [
      { name: 'x', fields: ['name', 'company'] },
      { name: 'x', fields: ['email'], required: ['phone'] },
      { name: 'x', embedOrigins: ['https://a.example/path'] },
      { name: 'x', embedOrigins: ["'unsafe-inline'"] },
      { name: 'x', redirectUrl: 'javascript:alert(1)' },
      { name: 'x', extra: 1 },
      { name: 'x', poolId: 'ghost' },
    ]) {
      const res = await p.manager.post('/api/forms', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('INVALID');
    }
    expect((await p.manager.patch(`/api/forms/${second.id}`, { poolId: 'ghost' })).status).toBe(422);
    expect((await p.manager.patch('/api/forms/form_nope', { title: 'x' })).status).toBe(404);

    expect((await p.feed.get('/api/forms')).status).toBe(403);
    expect((await api(server.url).get('/api/forms')).status).toBe(401);

    expect((await p.manager.del(`/api/forms/${second.id}`)).status).toBe(204);
    expect((await p.manager.del(`/api/forms/${second.id}`)).status).toBe(404);
    expect((await p.manager.get(`/api/forms/${second.id}`)).status).toBe(404);
  });

  it('GET /form/:id: an accessible page without script, every manager text escaped, framing only by embedOrigins', async () => {
    const { p } = await fresh();
    const form = await createForm(p.manager, {
      name: 'Hostile',
      title: HOSTILE,
      intro: `${HOSTILE}\n\nSecond paragraph`,
      submitLabel: HOSTILE.slice(0, 60),
      consentText: HOSTILE,
      successMessage: HOSTILE,
      fields: ['name', 'email', 'country'],
      required: ['name'],
    });
    const res = await fetch(form.url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|<img|onerror=alert\('/i);
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(&#39;x&#39;)&gt;&amp;amp;');
    expect(html).toContain('<p class="lp-intro">Second paragraph</p>');
    // every input is labelled; the required one says so
    for (const f of ['name', 'email', 'country', 'consent']) {
      expect(html).toContain(`<label for="lp-${f}">`);
      expect(html).toContain(`id="lp-${f}"`);
    }
    expect(html).toMatch(/<label for="lp-name">Name <span class="lp-req">\(required\)<\/span><\/label>/);
    expect(html).toMatch(/id="lp-country"[^>]*aria-describedby="lp-country-hint"/);
    expect(html).toContain('<link rel="stylesheet" href="/form.css">');
    // no embedOrigins: nobody may frame it
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');

    await p.manager.patch(`/api/forms/${form.id}`, { embedOrigins: ['https://www.example.com', 'http://127.0.0.1:8080'] });
    const framed = await fetch(form.url!);
    const csp = framed.headers.get('content-security-policy')!;
    expect(csp).toMatch(/frame-ancestors https:\/\/www\.example\.com http:\/\/127\.0\.0\.1:8080(;|$)/);
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(framed.headers.get('x-frame-options')).toBeNull();

    const css = await fetch(`${new URL(form.url!).origin}/form.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('an unknown form is a 404 page', async () => {
    const { url } = await fresh();
    const res = await fetch(`${url}/form/form_nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('Form not found');
    expect((await submit(`${url}/form/form_nope`, { email: 'a@example.com' })).status).toBe(404);
  });

  it('a valid submission enters the form pool as the API would (source form:<name>), answers the success page', async () => {
    const { p } = await fresh();
    await p.manager.post('/api/pools', { id: 'web', name: 'Web' });
    const form = await createForm(p.manager, { name: 'Contact', poolId: 'web', successMessage: 'Thanks, <b>we call you</b>' });
    const res = await submit(form.url!, { name: ' Ada Lovelace ', email: 'ada@example.com', phone: '', company: 'Engines' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Thanks, &lt;b&gt;we call you&lt;/b&gt;');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [lead] = await leadsOf(p.manager, 'web');
    expect(lead).toMatchObject({
      poolId: 'web',
      status: 'open',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      company: 'Engines',
      source: 'form:Contact',
      formId: form.id,
    });
    expect(lead.phone).toBeUndefined();
    expect(lead.consent).toBeUndefined();
  });

  it('invalid: 422, the form again with the visitor values kept (escaped) and each error beside its field', async () => {
    const { p } = await fresh();
    const form = await createForm(p.manager, { name: 'Contact', fields: ['name', 'email', 'phone', 'companySize'], required: ['name'] });
    const res = await submit(form.url!, { name: '', email: HOSTILE, phone: 'call me', companySize: 'many' });
    expect(res.status).toBe(422);
    expect(res.html).not.toMatch(/<script|<img/i);
    expect(res.html).toContain(
      `value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(&#39;x&#39;)&gt;&amp;amp;"`,
    );
    expect(res.html).toContain('value="call me"');
    for (const f of ['name', 'email', 'phone', 'companySize']) {
      expect(res.html).toMatch(new RegExp(`id="lp-${f}-error"`));
      expect(res.html).toMatch(new RegExp(`id="lp-${f}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*lp-${f}-error`));
    }
    expect(res.html).toContain('Enter your name.');
    expect(res.html).toContain('Enter a valid email address');
    expect(res.html).toContain('role="alert"');
    // neither email nor phone: the lead rule, beside email
    const none = await submit(form.url!, { name: 'Ada' });
    expect(none.status).toBe(422);
    expect(none.html).toMatch(/id="lp-email-error">Enter an email address or a phone number/);
    expect(await leadsOf(p.manager)).toEqual([]);
  });

  it('the honeypot: a bot sees the success page, nothing is stored', async () => {
    const { p } = await fresh();
    const form = await createForm(p.manager, { name: 'Contact', successMessage: 'Thanks!' });
    const res = await submit(form.url!, { email: 'bot@example.com', website: 'http://spam.example' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Thanks!');
    expect(await leadsOf(p.manager)).toEqual([]);
  });

  it('consent: required when the form has consent text; the lead records the text and when', async () => {
    const { p } = await fresh();
    const consentText = 'I agree that Example Ltd may contact me about my request.';
    const form = await createForm(p.manager, { name: 'Contact', consentText });
    const refused = await submit(form.url!, { email: 'ada@example.com' });
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="lp-consent"[^>]*aria-invalid="true"[^>]*aria-describedby="lp-consent-error"/);
    expect(refused.html).toContain('value="ada@example.com"');
    expect(await leadsOf(p.manager)).toEqual([]);
    const before = Date.now();
    const ok = await submit(form.url!, { email: 'ada@example.com', consent: 'yes' });
    expect(ok.status).toBe(200);
    const [lead] = await leadsOf(p.manager);
    expect(lead.consent?.text).toBe(consentText);
    expect(Date.parse(lead.consent!.at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('redirectUrl: 303 there, and the page may post towards it (form-action)', async () => {
    const { p } = await fresh();
    const form = await createForm(p.manager, { name: 'Contact', redirectUrl: 'https://www.example.com/thanks?from=form' });
    const page = await fetch(form.url!);
    expect(page.headers.get('content-security-policy')).toMatch(/form-action 'self' https:\/\/www\.example\.com(;|$)/);
    const res = await submit(form.url!, { email: 'ada@example.com' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://www.example.com/thanks?from=form');
    expect(await leadsOf(p.manager)).toHaveLength(1);
  });

  it('the pool filters and dedup apply: a failing lead is stored disqualified, a repeat is not stored twice', async () => {
    const { p } = await fresh();
    await p.manager.patch('/api/pool/settings', { filters: { countries: ['DE'] }, duplicateWindowMs: 60_000 });
    const form = await createForm(p.manager, { name: 'Contact', fields: ['email', 'country'] });
    expect((await submit(form.url!, { email: 'ada@example.com', country: 'gb' })).status).toBe(200);
    expect((await submit(form.url!, { email: 'ADA@example.com', country: 'de' })).status).toBe(200);
    expect((await submit(form.url!, { email: 'bob@example.com', country: 'de' })).status).toBe(200);
    const leads = await leadsOf(p.manager);
    expect(leads.map((l) => [l.email, l.status, l.country])).toEqual([
      ['bob@example.com', 'open', 'DE'],
      ['ada@example.com', 'disqualified', 'GB'],
    ]);
  });
});

describe('hosted forms: per-address budget', () => {
  it('past LEADPOOL_FORM_SUBMITS_PER_MINUTE from one address: 429 with Retry-After, nothing stored', async () => {
    const server = await startInProcess({ env: { LEADPOOL_FORM_SUBMITS_PER_MINUTE: '3' } });
    try {
      const manager = api(server.url, server.managerToken);
      const form = await createForm(manager, { name: 'Contact' });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await submit(form.url!, { email: `lead${i}@example.com` })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const limited = await submit(form.url!, { email: 'late@example.com' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.html).toContain('Too many');
      expect(await leadsOf(manager)).toHaveLength(3);
      // the page itself is not limited
      expect((await fetch(form.url!)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
