// The stores the socket suites run against: `describe.each(stores)`. Each factory starts a
// fresh in-process server with its own empty store (a temp lowdb folder, or a random key
// prefix in one throwaway redis-server per test file) and returns it; `close()` stops the
// server, `teardown()` (once per suite) stops what the factory started for it.
import { afterAll, afterEach } from 'vitest';
import { closeAllSockets, type Pool, pool } from './clients.js';
import { randomPrefix, startRedis, type TestRedis } from './redis.js';
import { type InProcessServer, startInProcess } from './server.js';

interface StoreFactory {
  name: string;
  start(): Promise<InProcessServer>;
  /** Redis only: another process of the same deployment (same Redis, prefix and credentials). */
  peer?(of: InProcessServer): Promise<InProcessServer>;
  /** Called once after the suite (stops a Redis started for it). */
  teardown?(): Promise<void>;
}

export const embedded: StoreFactory = {
  name: 'embedded',
  start: () => startInProcess(),
};

let redis: Promise<TestRedis> | null = null;
const redisStore: StoreFactory = {
  name: 'redis',
  start: async () => {
    redis ??= startRedis();
    const { url } = await redis;
    return startInProcess({ env: { REDIS_URL: url, LEADPOOL_REDIS_PREFIX: randomPrefix('lp') } });
  },
  peer: (of) => startInProcess({ env: of.env, managerToken: of.managerToken, feedKey: of.feedKey }),
  teardown: async () => {
    const started = redis;
    redis = null;
    await (await started)?.stop();
  },
};

export const stores: StoreFactory[] = [embedded, redisStore];

export type Started = { server: InProcessServer; p: Pool; url: string };

/**
 * For a `describe.each(stores)` body: registers the hooks that close sockets after each
 * test and every server (and the factory's own services) after the suite, and returns
 * `fresh()`, which starts a new server with an empty store. `fresh.peer(server)` starts
 * a second process of that server's deployment (Redis), or answers null (embedded: one
 * process only).
 */
export function serversOf(factory: StoreFactory): (() => Promise<Started>) & { peer(of: InProcessServer): Promise<Started | null> } {
  const servers: InProcessServer[] = [];
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await factory.teardown?.();
  });
  const started = (server: InProcessServer): Started => {
    servers.push(server);
    return { server, p: pool(server), url: server.url };
  };
  const fresh = async () => started(await factory.start());
  fresh.peer = async (of: InProcessServer) => (factory.peer ? started(await factory.peer(of)) : null);
  return fresh;
}
