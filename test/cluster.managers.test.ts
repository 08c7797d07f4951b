// Managers' events across processes (server/realtime/fanout.ts): published to every node
// only while a dashboard is open somewhere. A node's first dashboard gets its snapshot only
// once every node knows, so a change made anywhere right after it is still heard; with no
// dashboard open, nothing is published for managers.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { type Api, api } from './support/api.js';
import { closeAllSockets, connectManager, connectRep, createReps, postLead } from './support/clients.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { startServer, type TestServer } from './support/server.js';
import { sleep } from './support/store-harness.js';

let redis: TestRedis;
let raw: ReturnType<typeof createClient>;
let nodes: TestServer[];
let managers: Api[];
let feeds: Api[];
let startedAt: number;
let env: Record<string, string>;
const managerToken = `mgr_${randomBytes(12).toString('hex')}`;
const feedKey = `feed_${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  redis = await startRedis();
  raw = createClient({ url: redis.url });
  await raw.connect();
  env = { REDIS_URL: redis.url, LEADPOOL_REDIS_PREFIX: randomPrefix('mgr'), LEADPOOL_LOG: 'silent' };
  nodes = await Promise.all([0, 1].map(() => startServer({ env, managerToken, feedKey })));
  startedAt = Date.now();
  managers = nodes.map((n) => api(n.url, managerToken));
  feeds = nodes.map((n) => api(n.url, feedKey));
}, 60_000);

afterAll(async () => {
  closeAllSockets();
  await Promise.all((nodes ?? []).map((n) => n.stop()));
  await raw?.close();
  await redis?.stop();
});

/** PUBLISH commands Redis ran while `work` ran. */
async function publishesDuring(work: () => Promise<void>): Promise<number> {
  const count = async () => Number((await raw.info('commandstats')).match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0);
  const before = await count();
  await work();
  await sleep(300); // broadcasts go out after the answers
  return (await count()) - before;
}

const postFive = (node: number) => async () => {
  for (let i = 0; i < 5; i++) await postLead(feeds[node]);
};

it('no dashboard: nothing for managers is published; the first dashboard hears what any node does right after its snapshot', async () => {
  // Past each node's first exchange with the others (until then it cannot know, and publishes).
  await sleep(Math.max(0, startedAt + 1_000 - Date.now()));
  const quiet = await publishesDuring(postFive(1));

  const dashboard = await connectManager(nodes[0].url, managerToken); // resolved by its dashboard:state
  const [rep] = await createReps(managers[1], 1);
  const watched = await publishesDuring(async () => {
    const posted = [];
    for (let i = 0; i < 5; i++) posted.push(await postLead(feeds[1]));
    for (const lead of posted) await dashboard.rec.waitFor(EV.leadCreated, (l) => l.id === lead.id, { timeoutMs: 5_000 });
  });
  // Each lead also told the managers (lead:created at least) once a dashboard is open.
  expect(watched).toBeGreaterThanOrEqual(quiet + 5);
  const tab = await connectRep(nodes[1].url, rep.token);
  await dashboard.rec.waitFor(EV.repPresence, (p) => p.repId === rep.rep.id && p.presence === 'available', { timeoutMs: 5_000 });
  tab.socket.close();
  await dashboard.rec.waitFor(EV.repPresence, (p) => p.repId === rep.rep.id && p.presence === 'offline', { timeoutMs: 10_000 });

  // Closed: the other node stops publishing for managers after the next announcement.
  dashboard.socket.close();
  await sleep(6_000);
  expect(await publishesDuring(postFive(1))).toBe(quiet);
}, 60_000);

it('a node started while a dashboard is open elsewhere learns of it at once: what it does is heard', async () => {
  const dashboard = await connectManager(nodes[0].url, managerToken);
  const late = await startServer({ env, managerToken, feedKey });
  nodes.push(late); // stopped with the others
  const lead = await postLead(api(late.url, feedKey));
  expect(await dashboard.rec.waitFor(EV.leadCreated, (l) => l.id === lead.id, { timeoutMs: 5_000 })).toMatchObject({ id: lead.id });
  // and it keeps telling: past its first exchange, still heard
  await sleep(1_500);
  const next = await postLead(api(late.url, feedKey));
  await dashboard.rec.waitFor(EV.leadCreated, (l) => l.id === next.id, { timeoutMs: 5_000 });
  dashboard.socket.close();
}, 60_000);
