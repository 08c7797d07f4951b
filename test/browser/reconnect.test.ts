// A rep's page survives a server restart (same port, same data): it shows that it is
// reconnecting, comes back by itself, and its state is replaced from the new snapshot.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, openView, waitConnected } from './helpers';

let server: TestServer | undefined;
let browser: Browser;

beforeAll(async () => {
  await buildClient();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('a rep page reconnects after a server restart and keeps working', { timeout: 90_000 }, async () => {
  server = await startServer();
  const { port, dataDir, managerToken, feedKey } = server;
  const manager = api(server.url, managerToken);
  const feed = api(server.url, feedKey);
  const { token } = (await manager.post('/api/reps', { name: 'Steady Rep' })).body;
  await feed.post('/api/leads', { name: 'Kept Lead', email: 'kept@lead.example' });

  const page = await openView(browser, `${server.url}/rep#token=${token}`);
  await page.getByRole('button', { name: 'Claim', exact: true }).click();
  const mine = page.getByRole('region', { name: 'My leads' });
  await mine.getByRole('article', { name: 'Kept Lead' }).waitFor();

  expect(await server.stop()).toBe(0);
  await page.getByRole('status', { name: 'Connection: Reconnecting…' }).waitFor({ timeout: 10_000 });
  // Stale but visible while away: no flicker to an empty screen.
  expect(await mine.getByRole('article', { name: 'Kept Lead' }).count()).toBe(1);

  server = await startServer({ port, dataDir, managerToken, feedKey });
  await waitConnected(page, 20_000);
  await mine.getByRole('article', { name: 'Kept Lead' }).waitFor();
  expect(await mine.getByRole('article').count()).toBe(1);

  // The live socket works again: a new lead is offered and claimed.
  await api(server.url, feedKey).post('/api/leads', { name: 'After Restart', email: 'after@restart.example' });
  const claim = page.getByRole('button', { name: 'Claim', exact: true });
  await claim.waitFor();
  await claim.click();
  await mine.getByRole('article', { name: 'After Restart' }).waitFor();
  await page.context().close();
});
