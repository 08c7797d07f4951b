// The web app in Chromium against the real server: racing reps, a live mode switch, and a
// rep created in the manager's UI whose link opens a working view.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { bodyText, buildClient, eventually, openView } from './helpers';

let server: TestServer;
let browser: Browser;
let manager: Api;
let feed: Api;

beforeAll(async () => {
  await buildClient();
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  manager = api(server.url, server.managerToken);
  feed = api(server.url, server.feedKey);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function createRep(name: string) {
  const r = await manager.post('/api/reps', { name });
  expect(r.status).toBe(201);
  return r.body as { rep: { id: string }; token: string };
}

describe('web app in Chromium', () => {
  it('keeps the token out of the address bar and survives a reload', async () => {
    const { token } = await createRep('Reload Rep');
    const page = await openView(browser, `${server.url}/rep#token=${token}`);
    expect(page.url()).toBe(`${server.url}/rep`);
    await page.reload();
    await page.getByRole('status', { name: 'Connection: Connected' }).waitFor();
    // the name comes with the pool state, which may land just after the connection status
    await page.getByText('Reload Rep').first().waitFor();
    await page.context().close();
  });

  it('signs in from the landing page with a pasted token', async () => {
    const { token } = await createRep('Landing Rep');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Open rep view' }).click();
    await page.getByRole('status', { name: 'Connection: Connected' }).waitFor();
    expect(page.url()).toBe(`${server.url}/rep`);
    await page.getByText('Landing Rep').first().waitFor();
    await context.close();
  });

  it('a removed rep’s page says its link is no longer valid', async () => {
    const { rep, token } = await createRep('Leaving Rep');
    const page = await openView(browser, `${server.url}/rep#token=${token}`);
    expect((await manager.del(`/api/reps/${rep.id}`)).status).toBe(204);
    await page.getByRole('alert').filter({ hasText: 'This link is no longer valid' }).waitFor({ timeout: 10_000 });
    await page.getByRole('status', { name: 'Connection: Offline' }).waitFor();
    await page.context().close();
  });

  it('two reps race for one lead: exactly one gets it under My leads, the other sees it vanish', async () => {
    const [a, b] = await Promise.all([createRep('Racer A'), createRep('Racer B')]);
    const pages = await Promise.all([
      openView(browser, `${server.url}/rep#token=${a.token}`),
      openView(browser, `${server.url}/rep#token=${b.token}`),
    ]);
    const created = await feed.post('/api/leads', {
      name: 'Rachel Race',
      email: 'rachel@race.example',
      phone: '+1 555 0100',
      company: 'Race Corp',
      industry: 'Racing',
      country: 'US',
    });
    expect(created.status).toBe(201);
    const claims = pages.map((p) => p.getByRole('button', { name: 'Claim', exact: true }));
    await Promise.all(claims.map((c) => c.waitFor()));
    // Both click as close together as the browser allows; a click on a vanished button is fine.
    await Promise.all(claims.map((c) => c.click({ timeout: 3000 }).catch(() => {})));

    const myLeads = pages.map((p) => p.getByRole('region', { name: 'My leads' }));
    await eventually(async () => {
      const counts = await Promise.all(myLeads.map((m) => m.getByRole('article', { name: 'Rachel Race' }).count()));
      expect(counts.sort()).toEqual([0, 1]);
    });
    const taker = (await myLeads[0].getByRole('article', { name: 'Rachel Race' }).count()) === 1 ? 0 : 1;
    const other = pages[1 - taker];
    const card = myLeads[taker].getByRole('article', { name: 'Rachel Race' });
    await expect(card.getByRole('link', { name: /rachel@race\.example/ }).getAttribute('href')).resolves.toBe('mailto:rachel@race.example');
    await expect(card.getByRole('link', { name: /\+1 555 0100/ }).getAttribute('href')).resolves.toBe('tel:+15550100');

    await eventually(async () => expect(await other.getByRole('button', { name: 'Claim', exact: true }).count()).toBe(0));
    await other.getByText('Taken by another rep').first().waitFor();
    expect(await bodyText(other)).not.toContain('rachel@race.example');
    await Promise.all(pages.map((p) => p.context().close()));
  });

  it('the manager creates a rep in the UI and its link opens a working rep view', async () => {
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    expect(page.url()).toBe(`${server.url}/manager`);
    await page.getByRole('tab', { name: /^Reps/ }).click();
    await page.getByLabel('Name', { exact: true }).fill('Nadia Newhire');
    await page.getByLabel('Languages').fill('en, fr');
    await page.getByRole('button', { name: 'Create rep' }).click();
    const linkBox = page.getByTestId('rep-link');
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/rep#token=.+`));
    await expect(page.getByRole('button', { name: 'Copy link' }).count()).resolves.toBe(1);

    const rep = await openView(browser, link);
    await rep.getByText('Nadia Newhire').first().waitFor();
    // The new rep's presence shows on the manager's board, live.
    await page.getByRole('tab', { name: 'Live' }).click();
    const board = page.getByRole('region', { name: 'Team' });
    await board.locator('li', { hasText: 'Nadia Newhire' }).getByText('available').waitFor();
    // And the view works: a new lead is offered and can be claimed.
    await feed.post('/api/leads', { name: 'Olive Offer', email: 'olive@offer.example', industry: 'Olives', country: 'IT' });
    const claim = rep.getByRole('button', { name: 'Claim', exact: true }).first();
    await claim.waitFor();
    await claim.click();
    await rep
      .getByRole('region', { name: 'My leads' })
      .getByRole('link', { name: /olive@offer\.example/ })
      .waitFor();
    await Promise.all([page.context().close(), rep.context().close()]);
  });

  it('the manager switches to blind-pull via the Mode control; the rep loses every lead detail without a reload', async () => {
    await manager.put('/api/pool/mode', { mode: 'cherry-pick' });
    const { token } = await createRep('Switch Rep');
    await feed.post('/api/leads', { email: 'quinn@quartz.example', company: 'Quartz Quarries', industry: 'Mining', country: 'NO' });
    const rep = await openView(browser, `${server.url}/rep#token=${token}`);
    await rep.getByText('Quartz Quarries').waitFor();
    await rep.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    const mode = page.getByLabel('Mode', { exact: true });
    // Connected comes first; the mode with the dashboard's snapshot, just after.
    await expect.poll(() => mode.inputValue()).toBe('cherry-pick');
    await mode.selectOption('blind-pull');
    // Leads wait: the switch says what it does and asks first.
    const dialog = page.getByRole('dialog', { name: 'Switch to Blind pull?' });
    await dialog.getByText(/hides the (\d+ )?waiting leads? from reps/).waitFor();
    await dialog.getByRole('button', { name: 'Switch to Blind pull' }).click();

    await rep.getByRole('button', { name: 'Pull next lead' }).waitFor();
    await eventually(async () => {
      const text = await bodyText(rep);
      expect(text).not.toContain('Quartz Quarries');
      expect(text).not.toContain('Mining');
      expect(await rep.getByRole('button', { name: 'Claim', exact: true }).count()).toBe(0);
    });
    expect(await rep.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(Number(await rep.getByTestId('waiting-count').textContent())).toBeGreaterThan(0);
    // The manager's own view agrees, and the server too.
    await expect((await manager.get('/api/pool')).body.mode).toBe('blind-pull');
    await Promise.all([page.context().close(), rep.context().close()]);
  });
});
