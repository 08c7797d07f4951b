// Several pools from the dashboard alone, in Chromium against the real server: the manager
// creates a pool with its own mode and a feed key for it, puts a rep in it; that rep (in two
// pools) sees both and claims in each; a lead posted with the new key reaches only the reps
// of that pool; the pool cannot be deleted while it holds a lead.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { bodyText, buildClient, eventually, openView } from './helpers';

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

async function createRep(name: string) {
  const r = await manager.post('/api/reps', { name });
  expect(r.status).toBe(201);
  return r.body as { rep: { id: string; pools: string[] }; token: string };
}

const tab = (page: Page, name: string) => page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();

describe('pools in Chromium', () => {
  it('a second pool with its own mode, a feed key and a rep, all from the dashboard', { timeout: 120_000 }, async () => {
    const [ada, ben] = await Promise.all([createRep('Ada Twopools'), createRep('Ben Default')]);
    expect(ada.rep.pools).toEqual(['default']);
    const adaPage = await openView(browser, `${server.url}/rep#token=${ada.token}`);
    const benPage = await openView(browser, `${server.url}/rep#token=${ben.token}`);
    // One pool, the v1 look: the mode is the heading.
    await adaPage.getByRole('heading', { name: 'Shark tank' }).waitFor();

    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    const poolSelect = page.getByRole('combobox', { name: 'Pool', exact: true });
    await expect(poolSelect.inputValue()).resolves.toBe('default');

    // The pool: a name (the id follows it) and its own mode.
    await tab(page, 'Pools');
    const newPool = page.getByRole('form', { name: 'New pool' });
    await newPool.getByLabel('Name', { exact: true }).fill('Inbound EU');
    await expect(newPool.getByLabel('Id', { exact: true }).inputValue()).resolves.toBe('inbound-eu');
    await newPool.getByLabel('Pool mode').selectOption('cherry-pick');
    await newPool.getByRole('button', { name: 'Create pool' }).click();
    await eventually(async () => expect(await poolSelect.inputValue()).toBe('inbound-eu'));
    await expect(page.getByRole('combobox', { name: 'Mode', exact: true }).inputValue()).resolves.toBe('cherry-pick');
    const created = (await manager.get('/api/pools/inbound-eu')).body.pool;
    expect(created).toMatchObject({ id: 'inbound-eu', name: 'Inbound EU', mode: 'cherry-pick' });
    expect((await manager.get('/api/pool')).body.mode).toBe('shark-tank');

    // A feed key for it: shown once, with a curl example and the pool's URL.
    await tab(page, 'Feeds');
    const newFeed = page.getByRole('form', { name: 'New feed key' });
    await newFeed.getByLabel('Source name').fill('EU web form');
    await expect(newFeed.getByRole('checkbox', { name: 'Inbound EU' }).isChecked()).resolves.toBe(true);
    await expect(newFeed.getByRole('checkbox', { name: 'Default' }).isChecked()).resolves.toBe(false);
    await newFeed.getByRole('button', { name: 'Create feed key' }).click();
    const key = await page.getByTestId('feed-key').inputValue();
    expect(key).toMatch(/^lpf_/);
    const curl = await page.getByTestId('feed-curl').textContent();
    expect(curl).toContain(`curl -X POST ${server.url}/api/pools/inbound-eu/leads`);
    expect(curl).toContain(`Bearer ${key}`);
    await expect(page.getByRole('button', { name: 'Copy key' }).count()).resolves.toBe(1);
    await page.getByRole('region', { name: 'Feed keys' }).getByText('EU web form').waitFor();

    // Ada joins the pool; her open page gets a second section without a reload.
    await tab(page, 'Reps');
    await page.getByRole('button', { name: 'Edit Ada Twopools' }).click();
    const edit = page.getByRole('form', { name: 'Edit Ada Twopools' });
    await edit.getByRole('checkbox', { name: 'Inbound EU' }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator(`li[data-rep-id="${ada.rep.id}"]`).getByTestId('rep-pools').getByText('Inbound EU').waitFor();
    const adaEu = adaPage.getByRole('region', { name: 'Inbound EU', exact: true });
    const adaDefault = adaPage.getByRole('region', { name: 'Default', exact: true });
    await adaEu.waitFor();
    await adaDefault.waitFor();
    await adaEu.getByText('Cherry-pick').first().waitFor();
    await adaDefault.getByText('Shark tank').first().waitFor();

    // A lead posted with the new key reaches Ada's EU section, and never Ben.
    const feed = api(server.url, key);
    expect((await feed.post('/api/pools/default/leads', { email: 'no@where.example' })).status).toBe(403);
    const posted = await feed.post('/api/pools/inbound-eu/leads', {
      name: 'Eve Europe',
      email: 'eve@euro.example',
      company: 'Euro GmbH',
      industry: 'Logistics',
      country: 'DE',
    });
    expect(posted.status).toBe(201);
    expect(posted.body.lead).toMatchObject({ poolId: 'inbound-eu', source: 'EU web form' });
    await adaEu.getByRole('row', { name: /Euro GmbH/ }).waitFor();
    // A lead of the pool default (the v1 key) reaches both.
    await api(server.url, server.feedKey).post('/api/leads', {
      name: 'Dan Default',
      email: 'dan@default.example',
      industry: 'Retail',
      country: 'FR',
    });
    await adaDefault.getByRole('button', { name: 'Claim', exact: true }).waitFor();
    await benPage.getByRole('button', { name: 'Claim', exact: true }).waitFor();
    expect(await bodyText(benPage)).not.toContain('Euro GmbH');
    expect(await benPage.getByRole('region', { name: 'Inbound EU' }).count()).toBe(0);

    // Ada claims in each pool; My leads names each lead's pool.
    await adaEu.getByRole('button', { name: 'Claim', exact: true }).click();
    const mine = adaPage.getByRole('region', { name: 'My leads' });
    const eve = mine.getByRole('article', { name: 'Eve Europe' });
    await eve.waitFor();
    await expect(eve.getByTestId('mine-pool').textContent()).resolves.toBe('Pool: Inbound EU');
    await adaDefault.getByRole('button', { name: 'Claim', exact: true }).click();
    const dan = mine.getByRole('article', { name: 'Dan Default' });
    await dan.waitFor();
    await expect(dan.getByTestId('mine-pool').textContent()).resolves.toBe('Pool: Default');
    await eventually(async () => expect(await benPage.getByRole('button', { name: 'Claim', exact: true }).count()).toBe(0));
    expect(await bodyText(benPage)).not.toContain('eve@euro.example');

    // The overview shows both pools live; the pool holding Eve's lead cannot be deleted.
    await tab(page, 'Live');
    const overview = page.getByRole('region', { name: 'All pools' });
    await overview.locator('tr[data-pool-id="inbound-eu"]').getByText('Cherry-pick').waitFor();
    await tab(page, 'Pools');
    await page.getByRole('button', { name: 'Delete Inbound EU' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'move or close its leads first' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete Default' }).count()).toBe(0);

    // Revoking the key refuses it at once.
    await tab(page, 'Feeds');
    await page.getByRole('button', { name: 'Revoke EU web form' }).click();
    await page.getByRole('button', { name: 'Confirm revoke' }).click();
    await eventually(async () => expect(await page.getByRole('region', { name: 'Feed keys' }).getByText('EU web form').count()).toBe(0));
    expect((await feed.post('/api/pools/inbound-eu/leads', { email: 'late@euro.example' })).status).toBe(401);

    await Promise.all([page.context().close(), adaPage.context().close(), benPage.context().close()]);
  });

  it('a rep switched between pools: its mode per pool, pull per pool, and leaving a pool', { timeout: 90_000 }, async () => {
    expect((await manager.post('/api/pools', { id: 'blind-a', name: 'Blind A', mode: 'blind-pull' })).status).toBe(201);
    expect((await manager.post('/api/pools', { id: 'blind-b', name: 'Blind B', mode: 'blind-pull' })).status).toBe(201);
    const r = await manager.post('/api/reps', { name: 'Pia Puller', pools: ['blind-a', 'blind-b'] });
    expect(r.status).toBe(201);
    const { rep, token } = r.body;
    await manager.post('/api/pools/blind-b/leads', { name: 'Bo Blind', email: 'bo@blind.example', company: 'Blind B Co' });
    const page = await openView(browser, `${server.url}/rep#token=${token}`);
    const a = page.getByRole('group', { name: 'Blind A', exact: true });
    const b = page.getByRole('group', { name: 'Blind B', exact: true });
    await eventually(async () => expect(await b.getByTestId('waiting-count').textContent()).toBe('1'));
    await expect(a.getByTestId('waiting-count').textContent()).resolves.toBe('0');
    expect(await bodyText(page)).not.toContain('Blind B Co');
    await b.getByRole('button', { name: 'Pull next lead' }).click();
    const bo = page.getByRole('region', { name: 'My leads' }).getByRole('article', { name: 'Bo Blind' });
    await bo.waitFor();
    await expect(bo.getByTestId('mine-pool').textContent()).resolves.toBe('Pool: Blind B');

    // Out of Blind A: its section goes; out of every pool: a clear message.
    expect((await manager.patch(`/api/reps/${rep.id}`, { pools: ['blind-b'] })).status).toBe(200);
    await eventually(async () => expect(await page.getByRole('region', { name: 'Blind A', exact: true }).count()).toBe(0));
    expect((await manager.patch(`/api/reps/${rep.id}`, { pools: [] })).status).toBe(200);
    await page.getByRole('heading', { name: 'You are not in any pool' }).waitFor();
    // What Pia holds stays hers.
    expect(await bo.count()).toBe(1);
    await page.context().close();
  });
});
