// Reports and routing explained, in Chromium against the real server: the manager sets a
// time range on the reports and sees the figures change; the rules editor's Preview shows,
// before saving, a lead that only an offline rep could take; the CSV downloads; the waiting
// list then shows each lead's rule and eligible reps.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, eventually, openView } from './helpers';

let server: TestServer;
let browser: Browser;
let manager: Api;

beforeAll(async () => {
  await buildClient();
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  manager = api(server.url, server.managerToken);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('reports in Chromium', () => {
  it('a time range changes the figures; Preview finds a lead only an offline rep could take', { timeout: 120_000 }, async () => {
    expect((await manager.post('/api/reps', { name: 'Esa Offline', languages: ['es'] })).status).toBe(201);
    const feed = api(server.url, server.feedKey);
    for (const language of ['es', 'en', 'en']) {
      expect((await feed.post('/api/leads', { email: `${language}-${Math.random()}@example.com`, language, source: 'web' })).status).toBe(
        201,
      );
    }

    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    await page.getByRole('tab', { name: 'Reports' }).click();
    const panel = page.getByRole('region', { name: 'Reports' });
    const leadsIn = panel.getByTestId('report-leads-in');
    // 30 days by default: every lead of today.
    await eventually(async () => expect(await leadsIn.textContent()).toBe('3'));
    await expect(panel.getByRole('button', { name: '30 days' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(
      panel
        .getByRole('table', { name: /Per source/ })
        .getByRole('cell', { name: 'web' })
        .count(),
    ).resolves.toBe(1);
    await expect(panel.getByRole('img', { name: /Speed to claim over time/ }).count()).resolves.toBe(1);

    // A custom range in the past: nothing arrived then.
    await panel.getByRole('button', { name: 'Custom' }).click();
    await panel.getByLabel('From').fill('2020-01-01');
    await panel.getByLabel('To (included)').fill('2020-01-31');
    await eventually(async () => expect(await leadsIn.textContent()).toBe('0'));
    await expect(panel.getByTestId('fairness-text').textContent()).resolves.toBe('No rep took a lead in this period.');
    // Today again.
    await panel.getByRole('button', { name: 'Today' }).click();
    await eventually(async () => expect(await leadsIn.textContent()).toBe('3'));

    // The CSV of the report.
    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download CSV' }).click();
    expect((await download).suggestedFilename()).toBe('leadpool-report.csv');

    // Rules: preview before saving.
    await page.getByRole('tab', { name: /^Rules/ }).click();
    await page.getByRole('checkbox', { name: 'Edit as JSON' }).check();
    await page
      .getByLabel('Rules (JSON)')
      .fill(JSON.stringify([{ name: 'Spanish', when: { language: ['es'] }, to: { languages: ['es'] } }]));
    await page.getByRole('button', { name: 'Preview' }).click();
    const stranded = page.getByTestId('preview-stranded');
    await stranded.waitFor();
    const text = await stranded.textContent();
    expect(text).toContain('1 lead (language es, source web): only Esa Offline (offline) could take it (rule "Spanish")');
    // nobody is online at all: the other two have no available rep either
    expect(text).toContain('2 leads (language en, source web): no rep of the pool is available');
    // nothing was saved
    expect((await manager.get('/api/rules')).body.rules).toEqual([]);

    // Saved, the waiting list says for each lead its rule and its eligible reps.
    await page.getByRole('button', { name: 'Save rules' }).click();
    await eventually(async () => expect((await manager.get('/api/rules')).body.rules).toHaveLength(1));
    await page.getByRole('tab', { name: 'Live' }).click();
    const notes = page.getByTestId('routing-note');
    await eventually(async () => {
      const all = await notes.allTextContents();
      expect(all).toContain('Rule “Spanish” · eligible: Esa Offline (offline)');
      expect(all.filter((t) => t === 'No rule matched · eligible: every rep of the pool')).toHaveLength(2);
    });
  });
});
