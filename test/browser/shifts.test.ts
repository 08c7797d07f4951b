// Working hours in Chromium against the real server: the manager gives a rep working hours
// with an absence covering today from the rep form; the rep's open page says it is off
// shift until tomorrow and the Team board shows it off shift; removing the hours puts it
// back on shift at once, with no reload.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, eventually, openView } from './helpers';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  await buildClient();
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('working hours in Chromium', () => {
  it('the manager sets an absence today: the rep is off shift on both pages, then on shift again', { timeout: 120_000 }, async () => {
    const manager = api(server.url, server.managerToken);
    const { token, rep } = (await manager.post('/api/reps', { name: 'Olga Shift' })).body as { token: string; rep: { id: string } };
    const repPage = await openView(browser, `${server.url}/rep#token=${token}`);
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);

    await page.getByRole('tab', { name: /^Reps/ }).click();
    await page.getByRole('button', { name: 'Edit Olga Shift' }).click();
    const form = page.getByRole('form', { name: 'Edit Olga Shift' });
    await form.getByRole('checkbox', { name: /Has working hours/ }).check();
    await form.getByLabel('Time zone').selectOption('UTC');
    // No weekly rows (every hour), one absence: today, whole day
    for (let i = 0; i < 5; i++)
      await form
        .getByRole('button', { name: /^Remove .* row/ })
        .first()
        .click();
    await form.getByRole('button', { name: 'Add absence' }).click();
    await form.getByRole('button', { name: 'Save' }).click();

    await eventually(async () => expect((await manager.get(`/api/reps/${rep.id}`)).body.rep.presence).toBe('off-shift'));
    const banner = repPage.getByTestId('off-shift-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('off shift until');
    await page.getByRole('tab', { name: /^Live/ }).click();
    await page.getByRole('region', { name: 'Team' }).getByText('off shift').waitFor();

    await page.getByRole('tab', { name: /^Reps/ }).click();
    await page.getByRole('button', { name: 'Edit Olga Shift' }).click();
    await form.getByRole('checkbox', { name: /Has working hours/ }).uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await banner.waitFor({ state: 'detached' });
    expect((await manager.get(`/api/reps/${rep.id}`)).body.rep).toMatchObject({ presence: 'available' });
  });
});
