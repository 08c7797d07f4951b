// The Redis store's `tokenpools` (keys.ts: token hash -> the rep's pools, read beside its
// token when a tab connects): a store written before it existed still signs reps in to
// their pools, and gets it filled at the next connection (indexTokenPools.lua).
import { expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../shared/protocol.js';
import { randomPrefix, useRedisWithClient } from './support/redis.js';
import { makeRep, sha } from './support/store-harness.js';

const db = useRedisWithClient();

it('a store without tokenpools signs reps in to their pools, and gets it filled at the next start', async () => {
  const keyPrefix = randomPrefix();
  const open = () => db.open(keyPrefix);
  let store = await open();
  const createdAt = new Date().toISOString();
  await store.createPool({
    id: 'west',
    name: 'West',
    mode: 'shark-tank',
    settings: structuredClone(DEFAULT_SETTINGS),
    rules: [],
    createdAt,
  });
  await store.createRep(makeRep('a', { pools: ['west', 'default'] }));
  await store.createRep(makeRep('b', { pools: [] }));
  await store.createRep(makeRep('c'));
  const tokenpools = `${keyPrefix}:{default}:tokenpools`;
  expect(await db.raw.hLen(tokenpools)).toBe(3);

  // As an older version left it: no tokenpools. The lookup falls back to the rep itself.
  await db.raw.del(tokenpools);
  expect(await store.repByTokenHash(sha('token-a'))).toEqual({ id: 'a', pools: ['west', 'default'] });
  expect(await store.repByTokenHash(sha('token-b'))).toEqual({ id: 'b', pools: [] });
  await store.close();

  store = await open();
  try {
    expect(await db.raw.hLen(tokenpools)).toBe(3);
    expect(JSON.parse((await db.raw.hGet(tokenpools, sha('token-a')))!)).toEqual(['west', 'default']);
    expect(await store.repByTokenHash(sha('token-a'))).toEqual({ id: 'a', pools: ['west', 'default'] });
    expect(await store.repByTokenHash(sha('token-b'))).toEqual({ id: 'b', pools: [] });
    expect(await store.repByTokenHash(sha('token-c'))).toEqual({ id: 'c', pools: ['default'] });
  } finally {
    await store.close();
  }
});
