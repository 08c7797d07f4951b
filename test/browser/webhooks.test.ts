// Webhooks from the dashboard, in Chromium against the real server and a real receiver:
// create one (the secret shown once, and it signs what arrives), send a test event and
// see it delivered in the log, redeliver it, disable the webhook.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Webhook } from '../../shared/protocol';
import { api } from '../support/api';
import { type Receiver, startReceiver, verifySignature } from '../support/receiver';
import { startServer, type TestServer } from '../support/server';
import { launchChromium } from './chromium';
import { buildClient, eventually, openView } from './helpers';

let server: TestServer;
let browser: Browser;
let receiver: Receiver;

beforeAll(async () => {
  await buildClient();
  [server, browser, receiver] = await Promise.all([startServer(), launchChromium(), startReceiver()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

const tab = (page: Page, name: string) => page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();

describe('webhooks in Chromium', () => {
  it('create a webhook, copy its secret, send a test event, see it delivered, redeliver, disable', { timeout: 120_000 }, async () => {
    const page = await openView(browser, `${server.url}/manager#token=${server.managerToken}`);
    await tab(page, 'Webhooks');
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.getByLabel('Endpoint URL').fill(receiver.url);
    await form.getByRole('checkbox', { name: /Lead disqualified/ }).uncheck();
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByTestId('webhook-secret-once').getByRole('button', { name: 'Done' }).click();
    await expect(page.getByLabel('Signing secret').count()).resolves.toBe(0);

    const [hook] = (await api(server.url, server.managerToken).get<{ webhooks: Webhook[] }>('/api/webhooks')).body.webhooks;
    expect(hook.events).not.toContain('lead.disqualified');
    expect(hook.events).toContain('lead.closed');
    const list = page.getByRole('region', { name: 'Webhooks' });
    const row = list.locator(`[data-webhook-id="${hook.id}"]`);
    await row.getByText(receiver.url).waitFor();

    await row.getByRole('button', { name: `Send test event to ${receiver.url}` }).click();
    await eventually(async () => expect(receiver.received.length).toBe(1));
    const got = receiver.received[0];
    expect(verifySignature(secret, got.raw, got.headers['leadpool-signature'] as string)).toBe(true);
    const log = row.getByTestId('delivery-log');
    const delivered = log.locator(`[data-delivery-id="${got.body.id}"][data-status="delivered"]`);
    await delivered.waitFor({ timeout: 15_000 });
    await expect(delivered.getByText('200').count()).resolves.toBeGreaterThan(0);

    await delivered.getByRole('button', { name: /^Redeliver/ }).click();
    await eventually(async () => expect(receiver.received.length).toBe(2), 15_000);
    expect(receiver.received[1].headers['leadpool-delivery']).toBe(got.body.id);

    await row.getByRole('button', { name: `Disable ${receiver.url}` }).click();
    await row.getByRole('button', { name: `Enable ${receiver.url}` }).waitFor();
    await row.getByText('disabled', { exact: true }).waitFor();
    expect((await api(server.url, server.managerToken).get<{ webhooks: Webhook[] }>('/api/webhooks')).body.webhooks[0].enabled).toBe(false);

    await row.getByRole('button', { name: `Delete ${receiver.url}` }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await eventually(async () => expect(await list.locator('[data-webhook-id]').count()).toBe(0));
  });
});
