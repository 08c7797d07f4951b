// The hosted form's HTML (shared/form-page.ts) and a submission's reading
// (server/domain/form-submission.ts), without a server: one escaping helper for every text,
// hostile strings from the manager and from visitors never become markup.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSubmission } from '../server/domain/form-submission.js';
import { escapeHtml, renderFormPage, renderMessagePage, renderSuccessPage } from '../shared/form-page.js';
import type { HostedForm } from '../shared/protocol.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</textarea></title><svg/onload=alert(1)>',
  '&lt;already&gt; &amp; escaped',
  'javascript:alert(1)',
  '<!-- comment --><![CDATA[x]]>',
];

const form = (over: Partial<HostedForm> = {}): HostedForm => ({
  id: 'form_x',
  name: 'F',
  poolId: 'default',
  fields: ['name', 'email', 'phone', 'company', 'companySize', 'jobTitle', 'industry', 'country', 'language'],
  required: ['name'],
  title: 'T',
  submitLabel: 'Send',
  successMessage: 'Thanks',
  embedOrigins: [],
  createdAt: new Date(0).toISOString(),
  ...over,
});

/** The markup's tags: what a browser would build elements from. */
const tags = (html: string) => [...html.matchAll(/<([a-zA-Z!/][^\s>/]*)/g)].map((m) => m[1].toLowerCase());
/** The attribute names of every tag (quoted values removed first). */
const attributes = (html: string) =>
  [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((m) =>
    [...m[0].replace(/"[^"]*"/g, '""').matchAll(/\s([a-zA-Z-]+)(?==|\s|>)/g)].map((a) => a[1].toLowerCase()),
  );
const ALLOWED = new Set([
  '!doctype',
  'html',
  '/html',
  'head',
  '/head',
  'meta',
  'title',
  '/title',
  'link',
  'body',
  '/body',
  'main',
  '/main',
  'h1',
  '/h1',
  'h2',
  '/h2',
  'p',
  '/p',
  'br',
  'div',
  '/div',
  'ul',
  '/ul',
  'li',
  '/li',
  'a',
  '/a',
  'form',
  '/form',
  'label',
  '/label',
  'span',
  '/span',
  'input',
  'button',
  '/button',
]);

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  it('leaves no markup character for any string', () => {
    fc.assert(fc.property(fc.string(), (s) => !/[<>"']/.test(escapeHtml(s)) && !/&(?!amp;|lt;|gt;|quot;|#39;)/.test(escapeHtml(s))));
  });
});

describe('form pages with hostile texts', () => {
  it('manager texts and visitor values never add an element or attribute', () => {
    for (const h of HOSTILE) {
      const f = form({ title: h, intro: `${h}\n\n${h}`, submitLabel: h, consentText: h, successMessage: h });
      const values = Object.fromEntries(f.fields.map((k) => [k, h]));
      const errors = Object.fromEntries(f.fields.map((k) => [k, h]));
      for (const html of [
        renderFormPage(f),
        renderFormPage(f, { values, errors, notice: h }),
        renderFormPage(f, {}, h),
        renderSuccessPage(f),
        renderMessagePage(h, h),
      ]) {
        for (const t of tags(html)) expect(ALLOWED.has(t), `<${t} in ${html}`).toBe(true);
        for (const a of attributes(html)) expect(a.startsWith('on'), `${a} in ${html}`).toBe(false);
      }
    }
  });

  it('random visitor values round-trip as attribute values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (v) => {
        const html = renderFormPage(form(), { values: { name: v } });
        const m = /id="lp-name"[^>]*value="([^"]*)"/.exec(html);
        const decoded = m![1].replace(
          /&(lt|gt|quot|#39|amp);/g,
          (_, e) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e as 'lt']!,
        );
        return decoded === v;
      }),
    );
  });
});

describe('readSubmission', () => {
  it('a filled honeypot is a bot; values are trimmed and typed; errors per field', () => {
    const f = form({ consentText: 'I agree' });
    expect(readSubmission(f, { email: 'a@example.com', website: 'x' })).toEqual({ ok: 'bot' });
    expect(readSubmission(f, { name: ' Ada ', email: 'a@example.com', companySize: '1,200', country: 'gb', consent: 'yes' })).toEqual({
      ok: true,
      input: { name: 'Ada', email: 'a@example.com', companySize: 1200, country: 'GB' },
      consented: true,
    });
    const bad = readSubmission(f, { email: 'nope', phone: 'x', language: 'english', name: ['A', 'B'] });
    expect(bad.ok).toBe(false);
    if (bad.ok !== false) return;
    expect(Object.keys(bad.state.errors).sort()).toEqual(['consent', 'email', 'language', 'phone']);
    expect(bad.state.values.name).toBe('A');
  });
});
