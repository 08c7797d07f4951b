// Shared steps of the browser tests: build the client once, open views, wait for live.

import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureClientBuilt } from '../../scripts/build-client.mjs';

export const buildClient = () => ensureClientBuilt({ quiet: true });

/** A fresh tab (own sessionStorage) on `url`, waiting until its socket is connected. */
export async function openView(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`page error on ${url}:`, err));
  await page.goto(url);
  await waitConnected(page);
  return page;
}

export async function waitConnected(page: Page, timeout = 15_000): Promise<void> {
  await page.getByRole('status', { name: 'Connection: Connected' }).waitFor({ timeout });
}

export async function bodyText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.textContent);
}

/** Polls `fn` until it holds (for counts that settle after a broadcast). */
export async function eventually(fn: () => Promise<void>, timeout = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() - started > timeout) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export { expect };
