// Measures the manager's dashboard with a large team (issue #14): not a test (no timed
// assertion), a script. It starts a Redis and a server, writes REPS reps (default 10,000)
// through the store (the service's rep creation is slow at that size, and is not what is
// measured), opens the dashboard in Chromium and prints: the load (time to the first Team
// row, bytes, DOM size); per lead event (create, assign, release, reassign) the requests,
// bytes, long tasks and main-thread time; how long a claim takes to show as the rep's open
// count; the Reps tab. It measures the client in dist/client as built: build another
// commit's client there to compare.
//   npx tsx test/browser/dashboard-scale.measure.ts        (CYCLES=6 REPS=10000 OPEN=5 TARGET=7 IDLE=ms)
import { createHash, randomUUID } from 'node:crypto';
import { loadConfig } from '../../server/config.js';
import { createStore } from '../../server/store/index.js';
import { startRedis } from '../support/redis.js';
import { startServer, tempDir } from '../support/server.js';
import { launchChromium } from './chromium.js';

const CYCLES = Number(process.env.CYCLES ?? 6);
const REPS = Number(process.env.REPS ?? 10_000);
const redis = await startRedis();
const server = await startServer({ env: { REDIS_URL: redis.url, LEADPOOL_LOG: 'silent' } });
const { url, managerToken: token } = server;
{
  const env = { REDIS_URL: redis.url, LEADPOOL_MANAGER_TOKEN: token, LEADPOOL_FEED_KEY: server.feedKey, LEADPOOL_DATA: tempDir() };
  const store = await createStore(loadConfig(env), 'measure');
  await store.init();
  for (let i = 0; i < REPS; i++) {
    await store.createRep({
      id: `rep_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: `Rep ${String(i).padStart(5, '0')}`,
      skills: ['saas'],
      languages: ['en'],
      countries: [],
      teams: [`team-${i % 40}`],
      pools: ['default'],
      maxActive: null,
      weight: 1,
      createdAt: new Date().toISOString(),
      tokenHash: createHash('sha256').update(randomUUID()).digest('hex'),
      away: false,
    });
  }
  await store.close();
  console.log(`${REPS} reps written`);
}
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const call = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(url + path, { method, headers: auth, body: body ? JSON.stringify(body) : undefined });
  return r.status === 204 ? {} : r.json();
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await page.addInitScript(() => {
  const w = window as unknown as { __long: number };
  w.__long = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__long += e.duration;
  }).observe({ type: 'longtask', buffered: true });
});
const longTasks = () => page.evaluate(() => (window as unknown as { __long: number }).__long);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Performance.enable');
const net = { http: 0, httpBytes: 0, wsBytes: 0, wsFrames: 0, urls: [] as string[] };
const reset = () => Object.assign(net, { http: 0, httpBytes: 0, wsBytes: 0, wsFrames: 0, urls: [] });
cdp.on('Network.requestWillBeSent', (e) => {
  if (e.type === 'WebSocket' || e.request.url.startsWith('data:')) return;
  net.http++;
  net.urls.push(e.request.url.replace(url, ''));
});
cdp.on('Network.loadingFinished', (e) => (net.httpBytes += e.encodedDataLength));
cdp.on('Network.webSocketFrameReceived', (e) => {
  net.wsFrames++;
  net.wsBytes += e.response.payloadData.length;
});
const cpu = async () => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x: { name: string; value: number }) => [x.name, x.value]));
  return { task: m.TaskDuration * 1000, script: m.ScriptDuration * 1000, layout: m.LayoutDuration * 1000 + m.RecalcStyleDuration * 1000 };
};

const t0 = Date.now();
await page.goto(`${url}/manager#token=${token}`);
await page.getByRole('status', { name: 'Connection: Connected' }).waitFor({ timeout: 120_000 });
await page.locator('[aria-labelledby="presence-title"] [data-rep-id]').first().waitFor({ timeout: 120_000 });
const firstRender = Date.now() - t0;
await sleep(3000);
const load = { ...net, urls: undefined };
const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
console.log(
  `load: first Team row after ${firstRender} ms; ${load.http} http requests, ${(load.httpBytes / 1024).toFixed(0)} KiB http, ${(load.wsBytes / 1024).toFixed(0)} KiB socket; ${domNodes} DOM elements`,
);

// Lead events: create, assign to a rep on the Team board's first page, release, assign to another rep
// (4 events; the Waiting list ends as it began, OPEN leads, so runs compare).
const all: { id: string; name: string }[] = (await call('GET', '/api/reps')).reps;
all.sort((a, b) => a.name.localeCompare(b.name));
const keeper = all.at(-1)!;
const target = all[Number(process.env.TARGET ?? 7)];
const OPEN = Number(process.env.OPEN ?? 5);
const open: { id: string }[] = (await call('GET', '/api/leads?poolId=default&status=open&limit=1000')).leads;
for (const l of open.slice(OPEN)) await call('POST', `/api/leads/${l.id}/assign`, { repId: keeper.id });
for (let i = open.length; i < OPEN; i++) await call('POST', '/api/leads', { name: `Open ${i}`, email: `open${i}@example.com` });
await sleep(3000);
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
await sleep(1500);
const shownCount = async () =>
  page.evaluate(
    (id) => document.querySelector(`[aria-labelledby="presence-title"] [data-rep-id="${id}"] .sr-only`)?.textContent ?? '',
    target.id,
  );
console.log('target', target.name, await shownCount());
if (process.env.IDLE) {
  const a = await cpu();
  await sleep(Number(process.env.IDLE));
  const b = await cpu();
  console.log(`idle ${process.env.IDLE} ms: main thread ${(b.task - a.task).toFixed(0)} ms`);
}
reset();
const before = await cpu();
const longBefore = await longTasks();
const answered: number[] = [];
let events = 0;
const latencies: number[] = [];
for (let i = 0; i < CYCLES; i++) {
  const { lead } = await call('POST', '/api/leads', { name: `M ${i}`, email: `m${i}@example.com`, company: `Measure ${i}` });
  events++;
  await sleep(700);
  const was = await shownCount();
  const sent = Date.now();
  await call('POST', `/api/leads/${lead.id}/assign`, { repId: target.id });
  const answerAt = Date.now();
  events++;
  // The Team panel shows the rep's new open count (activeCount) once the dashboard knows it.
  await page
    .waitForFunction(
      ([id, was]) => {
        const t = document.querySelector(`[aria-labelledby="presence-title"] [data-rep-id="${id}"] .sr-only`)?.textContent;
        return t !== undefined && t !== was;
      },
      [target.id, was],
      { polling: 50, timeout: 60_000 },
    )
    .catch(() => {});
  latencies.push(Date.now() - sent);
  answered.push(Date.now() - answerAt);
  await sleep(700);
  await call('POST', `/api/leads/${lead.id}/release`, {});
  events++;
  await sleep(700);
  await call('POST', `/api/leads/${lead.id}/assign`, { repId: keeper.id });
  events++;
  await sleep(700);
}
await sleep(1500);
const after = await cpu();
const longAfter = await longTasks();
answered.sort((a, b) => a - b);
console.log(
  `long tasks (>50 ms) per lead event: ${((longAfter - longBefore) / events).toFixed(0)} ms; assign answered -> on screen: median ${answered[answered.length >> 1]} ms`,
);
const per = (n: number) => (n / events).toFixed(2);
latencies.sort((a, b) => a - b);
console.log(
  `per lead event (${events} events): ${per(net.http)} http requests, ${(net.httpBytes / events / 1024).toFixed(1)} KiB http, ${(net.wsBytes / events / 1024).toFixed(1)} KiB socket, ` +
    `main thread ${per(after.task - before.task)} ms (script ${per(after.script - before.script)}, style+layout ${per(after.layout - before.layout)})`,
);
console.log(`claim -> rep's count on screen: median ${latencies[latencies.length >> 1]} ms, max ${latencies.at(-1)} ms`);
console.log('http during events:', [...new Set(net.urls)].join(' '));

// The Reps tab (after the page has caught up).
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
const t1 = Date.now();
await page.getByRole('tab', { name: /^Reps/ }).click({ timeout: 300_000 });
await page.locator('.rep-list [data-rep-id]').first().waitFor({ timeout: 120_000 });
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
console.log(
  `Reps tab: rows after ${Date.now() - t1} ms; ${await page.evaluate(() => document.getElementsByTagName('*').length)} DOM elements`,
);
await browser.close();
await server.stop();
await redis.stop();
process.exit(0);
