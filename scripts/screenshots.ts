// Screenshots of the rep view and the manager dashboard at desktop (1280x800) and phone
// (390x844) widths, into docs/screenshots/. Starts its own server with a temp store.
//   npx tsx scripts/screenshots.ts
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/browser/chromium.js';
import { api } from '../test/support/api.js';
import { startServer } from '../test/support/server.js';
import { ensureClientBuilt } from './build-client.mjs';
import { fakeLead, seeded } from './fake-leads.js';

const OUT = resolve(import.meta.dirname, '../docs/screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

await ensureClientBuilt();
mkdirSync(OUT, { recursive: true });
const server = await startServer();
const browser = await launchChromium();
try {
  const mgr = api(server.url, server.managerToken);
  const feed = api(server.url, server.feedKey);
  const rnd = seeded(7);
  const reps: { id: string; token: string; name: string }[] = [];
  for (const [name, extra] of [
    ['Maya Chen', { skills: ['enterprise'], languages: ['en', 'de'], teams: ['emea'] }],
    ['Jonas Weber', { languages: ['de'], countries: ['DE', 'AT'], teams: ['dach'] }],
    ['Lucía Fernández', { languages: ['es', 'en'], teams: ['latam'] }],
    ['Sam Okafor', { skills: ['smb'], teams: ['emea'], maxActive: 5 }],
  ] as const) {
    const r = await mgr.post('/api/reps', { name, ...extra });
    reps.push({ id: r.body.rep.id, token: r.body.token, name });
  }
  // A second pool with its own mode, a feed key for it, and two reps in it (Maya in both).
  await mgr.post('/api/pools', { id: 'enterprise', name: 'Enterprise', mode: 'cherry-pick' });
  await mgr.patch(`/api/reps/${reps[0].id}`, { pools: ['default', 'enterprise'] });
  await mgr.patch(`/api/reps/${reps[3].id}`, { pools: ['enterprise'] });
  // A claim timeout, so held leads count down.
  await mgr.patch('/api/pool/settings', { claimTimeoutMs: 30 * 60_000 });
  const enterpriseKey = (await mgr.post('/api/feeds', { name: 'Enterprise form', pools: ['enterprise'] })).body.key;
  const enterprise = api(server.url, enterpriseKey);
  await mgr.put('/api/rules', {
    rules: [
      { name: 'DACH enterprise', when: { country: ['DE', 'AT', 'CH'], companySize: { min: 200 } }, to: { teams: ['dach'] } },
      { name: 'Spanish speakers', when: { language: ['es'] }, to: { languages: ['es'] } },
    ],
  });
  const post = async (n: number) => {
    for (let i = 0; i < n; i++) await feed.post('/api/leads', fakeLead(i + Math.floor(rnd() * 1e6), rnd));
  };
  await post(7);
  for (let i = 0; i < 4; i++) {
    await enterprise.post('/api/pools/enterprise/leads', {
      ...fakeLead(100 + i + Math.floor(rnd() * 1e6), rnd),
      companySize: 500 + i * 750,
    });
  }

  const open = async (page: Page, path: string) => {
    await page.goto(server.url + path);
    await page.waitForSelector('.conn-connected');
  };
  const ctx = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 });
  // Other reps online, so the presence board has life in it.
  const other = await ctx.newPage();
  await open(other, `/rep#token=${reps[1].token}`);
  const otherClaim = other.getByRole('button', { name: 'Claim', exact: true });
  await otherClaim.first().click();
  await other.waitForSelector('.mine-card');
  const third = await ctx.newPage();
  await open(third, `/rep#token=${reps[2].token}`);
  await third.getByRole('switch', { name: 'Available' }).click();

  // Rep view: the pool default in shark-tank, Enterprise in cherry-pick; leads of mine (one
  // contacted with a note, one closed into Recent, one in its Undo period), the rest on offer.
  const rep = await ctx.newPage();
  await open(rep, `/rep#token=${reps[0].token}`);
  for (let i = 0; i < 4; i++) {
    const before = await rep.locator('.mine-card').count();
    await rep.locator('.shark-card').getByRole('button', { name: 'Claim', exact: true }).first().click();
    await rep.waitForFunction((n) => document.querySelectorAll('.mine-card').length > n, before);
  }
  const mine = rep.locator('.mine-card');
  await mine.nth(3).getByRole('textbox', { name: 'Note' }).fill('Signed the annual plan');
  await mine.nth(3).getByRole('button', { name: 'Won' }).click();
  await rep.waitForFunction(() => document.querySelectorAll('.mine-card').length === 3, undefined, { timeout: 15_000 });
  await mine.first().getByRole('textbox', { name: 'Note' }).fill('Demo booked for Tuesday');
  await mine.first().getByRole('button', { name: 'Contacted' }).click();
  await post(2);
  await rep.waitForTimeout(1500);
  await mine.nth(2).getByRole('button', { name: 'Lost' }).click();
  await rep.evaluate(() => window.scrollTo(0, 0));
  await rep.screenshot({ path: resolve(OUT, 'rep-desktop.png'), fullPage: true });
  await mine.nth(2).getByRole('button', { name: /^Undo/ }).click();
  await rep.setViewportSize(PHONE);
  await rep.evaluate(() => window.scrollTo(0, 0));
  await rep.waitForTimeout(300);
  await rep.screenshot({ path: resolve(OUT, 'rep-phone.png') });
  // The alert choices, opened from the header.
  await rep.setViewportSize(DESKTOP);
  await rep.getByRole('button', { name: /Alerts/ }).click();
  await rep.waitForTimeout(200);
  await rep.screenshot({ path: resolve(OUT, 'rep-alerts-desktop.png'), clip: { x: 640, y: 0, width: 640, height: 420 } });
  await rep.keyboard.press('Escape');

  // Manager dashboard.
  const manager = await ctx.newPage();
  await open(manager, `/manager#token=${server.managerToken}`);
  await manager.waitForTimeout(1500);
  await manager.evaluate(() =>
    document.querySelectorAll('.notice').forEach((n) => {
      n.remove();
    }),
  );
  await manager.screenshot({ path: resolve(OUT, 'manager-desktop.png') });
  // A mode switch that matters asks first, saying what it does.
  await manager.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('round-robin');
  await manager.getByRole('dialog').waitFor();
  await manager.screenshot({ path: resolve(OUT, 'manager-mode-confirm-desktop.png') });
  await manager.getByRole('button', { name: 'Cancel' }).click();
  await manager.setViewportSize(PHONE);
  await manager.waitForTimeout(300);
  await manager.screenshot({ path: resolve(OUT, 'manager-phone.png') });
  if (process.argv.includes('--extra')) {
    await manager.setViewportSize(DESKTOP);
    for (const tab of ['Pools', 'Reps', 'Feeds', 'Settings', 'Rules', 'Reports']) {
      await manager.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      await manager.waitForTimeout(400);
      if (tab === 'Feeds') {
        // Connect a lead source: the key shown once, the curl example, the URL per pool.
        await manager.getByLabel('Source name').fill('Partner webinar');
        await manager.getByRole('button', { name: 'Create feed key' }).click();
        await manager.getByTestId('feed-key').waitFor();
        await manager.waitForTimeout(300);
        await manager.evaluate(() =>
          document.querySelectorAll('.notice').forEach((n) => {
            n.remove();
          }),
        );
      }
      await manager.screenshot({ path: resolve(OUT, `manager-${tab.toLowerCase()}-desktop.png`), fullPage: true });
      if (tab === 'Rules' || tab === 'Reports') {
        await manager.setViewportSize(PHONE);
        await manager.waitForTimeout(300);
        await manager.screenshot({ path: resolve(OUT, `manager-${tab.toLowerCase()}-phone.png`), fullPage: true });
        await manager.setViewportSize(DESKTOP);
      }
    }
    await mgr.put('/api/pool/mode', { mode: 'cherry-pick' });
    await rep.setViewportSize(DESKTOP);
    await rep.waitForTimeout(800);
    await rep.screenshot({ path: resolve(OUT, 'rep-cherry-desktop.png') });
    await rep.setViewportSize(PHONE);
    await rep.screenshot({ path: resolve(OUT, 'rep-cherry-phone.png'), fullPage: true });
    await mgr.put('/api/pool/mode', { mode: 'blind-pull' });
    await rep.setViewportSize(DESKTOP);
    await rep.waitForTimeout(800);
    await rep.screenshot({ path: resolve(OUT, 'rep-blind-desktop.png') });
    await manager.goto(`${server.url}/`);
    await manager.screenshot({ path: resolve(OUT, 'landing-desktop.png') });
  }
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await server.stop();
}
