// Hosted lead forms in Chromium against the real server: the manager creates a form from the
// dashboard (live preview, link and embed code); a visitor fills it in (errors beside the
// fields, consent required, success), a bot filling the honeypot is told success and stores
// nothing; a page of an allowed origin embeds the form and submits through it, a page of a
// foreign origin cannot frame it (CSP frame-ancestors). Then a CSV upload from the dashboard.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostedForm, Lead } from '../../shared/protocol';
import { type Api, api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, eventually, openView } from './helpers';

let server: TestServer;
let browser: Browser;
let manager: Api;
/** Pages of two other origins that frame whatever URL `?src=` names. */
let embedders: Server[] = [];
let allowedOrigin: string;
let foreignOrigin: string;

function embedder(): Promise<{ server: Server; origin: string }> {
  const s = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.setHeader('content-type', 'text/html');
    res.end(
      `<!doctype html><title>Partner site</title><h1>Partner site</h1><iframe id="lp" src="${src.replace(/"/g, '')}" width="600" height="700"></iframe>`,
    );
  });
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve({ server: s, origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })),
  );
}

beforeAll(async () => {
  await buildClient();
  const [a, b] = await Promise.all([embedder(), embedder()]);
  embedders = [a.server, b.server];
  allowedOrigin = a.origin;
  foreignOrigin = b.origin;
  [server, browser] = await Promise.all([startServer({ env: { LEADPOOL_FORM_SUBMITS_PER_MINUTE: '1000' } }), launchChromium()]);
  manager = api(server.url, server.managerToken);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const s of embedders) s.close();
});

const leads = async () => (await manager.get<{ leads: Lead[] }>('/api/leads')).body.leads;

async function visitor(url: string, width = 390): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

describe('hosted forms in Chromium', () => {
  let form: HostedForm;

  it('the manager creates a form from the dashboard with a live preview, and gets its link and embed code', {
    timeout: 120_000,
  }, async () => {
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    await page.getByRole('tab', { name: /^Forms/ }).click();
    await page.getByRole('button', { name: 'New form' }).click();
    const editor = page.getByRole('form', { name: 'New form' });
    await editor.getByLabel('Form name', { exact: true }).fill('Contact us');
    await editor.getByLabel('Title', { exact: true }).fill('Talk to sales');
    await editor.getByRole('checkbox', { name: 'Name required' }).check();
    await editor.getByLabel('Consent text').fill('I agree to be contacted about my request.');
    await editor.getByLabel('Success message').fill('Thanks, we will call you soon.');
    await editor.getByLabel('Sites that may embed it').fill(allowedOrigin);
    // the preview follows the editor
    const preview = page.frameLocator('[data-testid="form-preview"]');
    await preview.getByRole('heading', { name: 'Talk to sales' }).waitFor();
    await expect(preview.getByLabel(/I agree to be contacted/).count()).resolves.toBe(1);
    await editor.getByRole('button', { name: 'Create form' }).click();

    const row = page.locator('li[data-form-id]');
    await row.waitFor();
    form = (await manager.get<{ forms: HostedForm[] }>('/api/forms')).body.forms[0];
    expect(form).toMatchObject({ name: 'Contact us', title: 'Talk to sales', required: ['name'], embedOrigins: [allowedOrigin] });
    await expect(row.getByRole('textbox', { name: 'Link to Contact us' }).inputValue()).resolves.toBe(form.url);
    await row.getByText('Embed on a site').click();
    await expect(row.getByTestId('form-embed').textContent()).resolves.toContain(`<iframe src="${form.url}"`);
  });

  it('a visitor (no JavaScript, phone width) sees errors beside the fields, must consent, then succeeds', {
    timeout: 120_000,
  }, async () => {
    const page = await visitor(form.url!);
    await page.getByRole('heading', { name: 'Talk to sales' }).waitFor();
    await page.getByLabel('Email').fill('not an email');
    await page.getByRole('button', { name: 'Send' }).click();
    const name = page.getByLabel('Name');
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#lp-name-error').textContent()).resolves.toBe('Enter your name.');
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe('not an email');
    await expect(page.getByLabel('Email').getAttribute('aria-describedby')).resolves.toBe('lp-email-error');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/fields need your attention/);
    // keyboard only: tab from the name field onwards, type, tick the consent box with Space
    await name.fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByLabel(/I agree to be contacted/).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await leads()).toEqual([]);
    await page.getByLabel(/I agree to be contacted/).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await page.getByText('Thanks, we will call you soon.').waitFor();
    const [lead] = await leads();
    expect(lead).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', source: 'form:Contact us', formId: form.id });
    expect(lead.consent?.text).toBe('I agree to be contacted about my request.');
    // nothing overflows a phone's width
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('a bot that fills the honeypot sees success, and nothing is stored', { timeout: 60_000 }, async () => {
    const page = await visitor(form.url!, 1280);
    await page.getByLabel('Name').fill('Spam Bot');
    await page.getByLabel('Email').fill('bot@example.com');
    await page.getByLabel(/I agree/).check();
    await page.locator('#lp-website').fill('http://spam.example', { force: true });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thanks, we will call you soon.').waitFor();
    expect((await leads()).map((l) => l.email)).toEqual(['ada@example.com']);
  });

  it('an allowed origin embeds the form and submits through it; a foreign origin cannot frame it', { timeout: 120_000 }, async () => {
    const context = await browser.newContext();
    const allowed = await context.newPage();
    await allowed.goto(`${allowedOrigin}/?src=${encodeURIComponent(form.url!)}`);
    const frame = allowed.frameLocator('#lp');
    await frame.getByRole('heading', { name: 'Talk to sales' }).waitFor();
    await frame.getByLabel('Name').fill('Bea Embedded');
    await frame.getByLabel('Email').fill('bea@example.com');
    await frame.getByLabel(/I agree/).check();
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByText('Thanks, we will call you soon.').waitFor();
    await eventually(async () => expect((await leads()).map((l) => l.email)).toContain('bea@example.com'));

    const foreign = await context.newPage();
    const refused = new Promise<string>((resolve) =>
      foreign.on('console', (m) => {
        if (/frame-ancestors/.test(m.text())) resolve(m.text());
      }),
    );
    await foreign.goto(`${foreignOrigin}/?src=${encodeURIComponent(form.url!)}`);
    expect(await refused).toMatch(
      new RegExp(`violates the following Content Security Policy directive: "frame-ancestors ${allowedOrigin}"`),
    );
    await expect(foreign.frameLocator('#lp').getByRole('heading', { name: 'Talk to sales' }).count()).resolves.toBe(0);
    await context.close();
  });

  it('the manager uploads a CSV file into a pool and sees the counts', { timeout: 60_000 }, async () => {
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    await page.getByRole('tab', { name: /^Feeds/ }).click();
    const importForm = page.getByRole('form', { name: 'Import leads' });
    await importForm.getByLabel('CSV file').setInputFiles({
      name: 'leads.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Email,Name,Company\ncsv1@example.com,One,A\ncsv2@example.com,Two,B\nbad,Three,C\n'),
    });
    await importForm.getByRole('button', { name: 'Import' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    await expect(result.textContent()).resolves.toMatch(/2 created, 0 duplicates, 0 disqualified, 1 rejected\.Line 4: email/);
  });
});
