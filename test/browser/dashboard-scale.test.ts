// The manager's dashboard with a team larger than a page (issue #14), in Chromium against the
// real server: one rep's change (rep:changed) and a lead changing hands show without the rep
// list being read again, and the Team board and the Reps tab page and filter their reps.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, eventually, openView } from './helpers';

const REPS = 120;
let server: TestServer;
let browser: Browser;
let manager: Api;
const ids: string[] = [];

beforeAll(async () => {
  await buildClient();
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  manager = api(server.url, server.managerToken);
  const names = Array.from({ length: REPS }, (_, i) => `Rep ${String(i).padStart(3, '0')}`);
  for (let i = 0; i < REPS; i += 10) {
    const made = await Promise.all(names.slice(i, i + 10).map((name) => manager.post('/api/reps', { name, teams: [`team-${i / 10}`] })));
    for (const r of made) ids.push(r.body.rep.id);
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Every request the page makes for the rep list (GET /api/reps, any query). */
function repListReads(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === 'GET' && path === '/api/reps') seen.push(r.url());
  });
  return seen;
}

const idOf = (name: string) => ids[Number(name.slice(4))];

describe('the dashboard with a large team', () => {
  it('shows a rep change from rep:changed and a claim from the lead event, reading no rep list', { timeout: 90_000 }, async () => {
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    const reads = repListReads(page);
    const team = page.getByRole('region', { name: 'Team' });
    await team.locator(`li[data-rep-id="${idOf('Rep 001')}"]`).waitFor();
    // One page of the team is on screen, not all of it.
    expect(await team.locator('li[data-rep-id]').count()).toBe(50);

    // A rep changed by another manager (HTTP): the row changes in place.
    expect((await manager.patch(`/api/reps/${idOf('Rep 001')}`, { name: 'Rep 001 Renamed', maxActive: 3 })).status).toBe(200);
    const row = team.locator(`li[data-rep-id="${idOf('Rep 001')}"]`);
    await row.getByText('Rep 001 Renamed').waitFor();
    await row.getByText('0 open leads of 3').waitFor();

    // A lead assigned to a rep: its open count follows the lead event.
    const { lead } = (await manager.post('/api/leads', { name: 'Scale Lead', email: 'scale@lead.example' })).body;
    expect((await manager.post(`/api/leads/${lead.id}/assign`, { repId: idOf('Rep 002') })).status).toBe(200);
    await team
      .locator(`li[data-rep-id="${idOf('Rep 002')}"]`)
      .getByText('1 open leads of 10')
      .waitFor();
    expect((await manager.post(`/api/leads/${lead.id}/release`, {})).status).toBe(200);
    await team
      .locator(`li[data-rep-id="${idOf('Rep 002')}"]`)
      .getByText('0 open leads of 10')
      .waitFor();

    // A new rep and a removed one, each heard alone.
    const added = (await manager.post('/api/reps', { name: 'Aaron Added' })).body.rep;
    await team.locator(`li[data-rep-id="${added.id}"]`).waitFor();
    expect((await manager.del(`/api/reps/${idOf('Rep 003')}`)).status).toBe(204);
    await eventually(async () => expect(await team.locator(`li[data-rep-id="${idOf('Rep 003')}"]`).count()).toBe(0));
    // reps:changed (the whole list, coalesced) has had its second to arrive: still no read.
    await page.waitForTimeout(1500);
    expect(reads).toEqual([]);
    await page.context().close();
  });

  it('the Team board and the Reps tab page and filter; a rep on a later page can be edited', { timeout: 90_000 }, async () => {
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    const team = page.getByRole('region', { name: 'Team' });
    const total = (await manager.get('/api/reps')).body.reps.length;
    await team.getByText(`1–50 of ${total}`).waitFor();
    await team.getByRole('button', { name: 'Next page of team' }).click();
    await team.getByText(`51–100 of ${total}`).waitFor();
    await team.locator('li', { hasText: 'Rep 080' }).waitFor();
    expect(await team.locator('li', { hasText: 'Rep 010' }).count()).toBe(0);
    await team.getByRole('searchbox', { name: 'Filter team' }).fill('rep 119');
    await eventually(async () => expect(await team.locator('li[data-rep-id]').count()).toBe(1));
    await team.locator('li', { hasText: 'Rep 119' }).waitFor();
    // A filter: its matches are paged from the first.
    await team.getByRole('searchbox', { name: 'Filter team' }).fill('team-4');
    await eventually(async () => expect(await team.locator('li[data-rep-id]').count()).toBe(10));

    await page.getByRole('tab', { name: /^Reps/ }).click();
    const reps = page.getByRole('region', { name: 'Reps' });
    await reps.getByText(`1–50 of ${total}`).waitFor();
    await reps.getByRole('button', { name: 'Next page of reps' }).click();
    await reps.getByRole('button', { name: 'Next page of reps' }).click();
    await reps.getByText(`101–${total} of ${total}`).waitFor();
    await reps.getByRole('button', { name: 'Edit Rep 110' }).click();
    await reps.getByLabel('Weight').fill('3');
    await reps.getByRole('button', { name: 'Save' }).click();
    await reps
      .locator(`li[data-rep-id="${idOf('Rep 110')}"]`)
      .getByText('weight 3')
      .waitFor();
    await reps.getByRole('searchbox', { name: 'Filter reps' }).fill('team-4');
    await eventually(async () => expect(await reps.locator('li.rep-row').count()).toBe(10));
    await page.context().close();
  });
});
