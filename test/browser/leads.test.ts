// The Leads tab in Chromium against the real server: the manager finds a lead by its email
// among others, opens it and reads its timeline (from the audit trail) and why it waits.
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
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the Leads tab in Chromium', () => {
  it('find a lead by email, open it: its fields, why it waits and its timeline', { timeout: 120_000 }, async () => {
    const rep = (await manager.post('/api/reps', { name: 'Rita Rep' })).body.rep;
    for (let i = 0; i < 5; i++)
      expect((await manager.post('/api/leads', { email: `other${i}@example.com`, name: `Other ${i}` })).status).toBe(201);
    const target = (
      await manager.post('/api/leads', { email: 'find.me@example.com', name: 'Fiona Findme', company: 'Acme', source: 'web' })
    ).body.lead;
    expect((await manager.post(`/api/leads/${target.id}/assign`, { repId: rep.id })).status).toBe(200);
    expect((await manager.post(`/api/leads/${target.id}/release`)).status).toBe(200);

    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    await page.getByRole('tab', { name: /^Leads/ }).click();
    const find = page.getByRole('form', { name: 'Find leads' });
    await page.getByRole('button', { name: 'Open Other 4' }).waitFor();
    await find.getByLabel('Search leads').fill('find.me@example');
    await find.getByRole('button', { name: 'Search' }).click();
    await eventually(async () => expect(await page.getByRole('button', { name: /^Open / }).count()).toBe(1));
    await page.getByRole('button', { name: 'Open Fiona Findme' }).click();

    const dialog = page.getByRole('dialog', { name: 'Fiona Findme' });
    await dialog.waitFor();
    await expect(dialog.getByText('find.me@example.com').count()).resolves.toBeGreaterThan(0);
    const timeline = dialog.getByRole('list', { name: 'Timeline' });
    await eventually(async () => {
      const text = (await timeline.textContent()) ?? '';
      expect(text).toContain('Arrived from web');
      expect(text).toContain('Assigned to Rita Rep (manual)');
      expect(text).toContain('Released from Rita Rep by manager');
    });
    await eventually(async () => expect((await dialog.textContent()) ?? '').toContain('1 of 1 reps of the pool may take it'));
    await dialog.getByRole('button', { name: 'Close lead' }).click();
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
  });
});
