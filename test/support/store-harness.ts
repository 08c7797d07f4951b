// The harness of the Store suites (test/store.contract.test.ts, test/store.pools.test.ts):
// each suite runs once per implementation through the Store interface only (embedded in a
// temp dir, Redis on a throwaway redis-server per test file with a random key prefix per
// test). Call storeFactories() once at the top of a test file: it registers the hooks that
// close the stores after each test and stop the redis-server after the file.
import { createHash } from 'node:crypto';
import { afterAll, afterEach } from 'vitest';
import { EmbeddedStore } from '../../server/store/embedded.js';
import { RedisStore } from '../../server/store/redis/store.js';
import type { LeadDraft, Store, StoredRep } from '../../server/store/types.js';
import { DEFAULT_POOL } from '../../shared/protocol.js';
import { randomPrefix, startRedis, type TestRedis } from './redis.js';
import { tempDir } from './server.js';

export interface Harness {
  store: Store;
  /** Closes the store and opens a new one on the same data (dir / key prefix). */
  reopen(): Promise<Store>;
  /** Another handle on the same data, as a second node would have (embedded: the same store). */
  peer(): Promise<Store>;
}

export interface StoreFactory {
  name: 'embedded' | 'redis';
  make(): Promise<Harness>;
}

/** The two implementations, for `describe.each(storeFactories())`. */
export function storeFactories(): StoreFactory[] {
  let redis: Promise<TestRedis> | null = null;
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    const started = redis;
    redis = null;
    await (await started)?.stop();
  });
  return [
    {
      name: 'embedded',
      async make() {
        const dir = tempDir('leadpool-contract-');
        const h: Harness = {
          store: new EmbeddedStore(dir),
          async reopen() {
            await h.store.close();
            h.store = new EmbeddedStore(dir);
            await h.store.init();
            opened.push(h.store);
            return h.store;
          },
          async peer() {
            return h.store;
          },
        };
        await h.store.init();
        opened.push(h.store);
        return h;
      },
    },
    {
      name: 'redis',
      async make() {
        redis ??= startRedis();
        const { url } = await redis;
        const keyPrefix = randomPrefix();
        const open = async (nodeId: string) => {
          const s = new RedisStore({ url, keyPrefix, nodeId });
          await s.init();
          opened.push(s);
          return s;
        };
        const h: Harness = {
          store: await open('node-a'),
          async reopen() {
            await h.store.close();
            h.store = await open('node-a');
            return h.store;
          },
          peer: () => open('node-b'),
        };
        return h;
      },
    },
  ];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A rep in the pool `default` unless `over` says otherwise. */
export function makeRep(id: string, over: Partial<StoredRep> = {}): StoredRep {
  return {
    id,
    name: `Rep ${id}`,
    skills: [],
    languages: [],
    countries: [],
    teams: [],
    pools: [DEFAULT_POOL],
    maxActive: null,
    weight: 1,
    createdAt: new Date().toISOString(),
    tokenHash: sha(`token-${id}`),
    away: false,
    ...over,
  };
}

let n = 0;
/** An open lead for everyone in the pool `default`, with a unique email, unless `over` says otherwise. */
export function draft(over: Partial<LeadDraft> = {}): LeadDraft {
  n++;
  return {
    poolId: DEFAULT_POOL,
    email: `lead${n}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    status: 'open',
    eligible: '*',
    ...over,
  };
}
