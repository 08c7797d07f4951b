// Distribution v2 from the dashboard, in Chromium against the real server: the manager
// sets a lead SLA in Settings; a lead left waiting shows Overdue on the rep's screen and in
// the dashboard's waiting list, with an alert; a hybrid lead whose only routed rep is
// offline raises a "Nobody available" alert and reaches the rep who is there.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, eventually, openView } from './helpers';

let server: TestServer;
let browser: Browser;
let manager: Api;
let feed: Api;

beforeAll(async () => {
  await buildClient();
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  manager = api(server.url, server.managerToken);
  feed = api(server.url, server.feedKey);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const tab = (page: Page, name: string) => page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();

describe('distribution v2 in Chromium', () => {
  it('SLA set in Settings: an overdue lead is flagged for the rep and the manager; a stranded lead raises an alert', {
    timeout: 120_000,
  }, async () => {
    const ada = (await manager.post('/api/reps', { name: 'Ada Here', countries: ['FR'] })).body as { rep: { id: string }; token: string };
    await manager.post('/api/reps', { name: 'Dan Away', countries: ['DE'] });
    const adaPage = await openView(browser, `${server.url}/rep#token=${ada.token}`);
    await adaPage.getByRole('heading', { name: 'Shark tank' }).waitFor();
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);

    await tab(page, 'Settings');
    await page.getByLabel('Lead SLA (s)').fill('1');
    await expect.poll(() => page.getByRole('combobox', { name: 'When nobody available may take a lead' }).inputValue()).toBe('everyone');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await eventually(async () => expect((await manager.get('/api/pool')).body.settings.slaMs).toBe(1000));

    const lead = (await feed.post('/api/leads', { email: 'late@example.com', country: 'GB', company: 'Late Ltd' })).body.lead;
    await tab(page, 'Live');
    const alerts = page.getByRole('list', { name: 'Stranded and overdue leads' });
    await alerts.getByText(/is overdue/).waitFor({ timeout: 15_000 });
    await page.getByRole('table', { name: 'Waiting leads' }).getByText('Overdue').waitFor();
    await adaPage.locator(`[data-lead-id="${lead.id}"]`).getByText('Overdue').waitFor();

    // Hybrid, a rule to the DE rep who never connects: the lead is stranded and offered to Ada at once.
    expect((await manager.put('/api/pool/mode', { mode: 'hybrid' })).status).toBe(200);
    await manager.put('/api/rules', { rules: [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }] });
    const de = (await feed.post('/api/leads', { email: 'de@example.com', country: 'DE', company: 'Berlin GmbH' })).body.lead;
    await alerts.getByText('Nobody available for a lead in Default: offered to every available rep').waitFor();
    await adaPage.locator(`[data-lead-id="${de.id}"]`).getByRole('button', { name: 'Claim' }).click();
    await eventually(async () => expect((await manager.get(`/api/leads/${de.id}`)).body.lead.claimedBy).toBe(ada.rep.id));
    // Alerts are dismissed from the keyboard too.
    const dismiss = alerts.getByRole('button', { name: /^Dismiss: Nobody available/ });
    await dismiss.focus();
    await page.keyboard.press('Enter');
    // The DE lead may itself have gone overdue before Ada's claim (its SLA is 1 s): count
    // what was dismissed and what must stay, not every alert.
    await eventually(async () => expect(await alerts.getByRole('listitem').filter({ hasText: 'Nobody available' }).count()).toBe(0));
    expect(
      await alerts
        .getByRole('listitem')
        .filter({ hasText: /is overdue/ })
        .count(),
    ).toBeGreaterThanOrEqual(1);
  });
});
