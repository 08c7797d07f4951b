// The Redis store's time index (`bytime`, keys.ts): a store written before it existed gets
// it filled at the next connection (indexTimes.lua), so range reports see every lead.
import { expect, it } from 'vitest';
import { randomPrefix, useRedisWithClient } from './support/redis.js';
import { draft } from './support/store-harness.js';

const db = useRedisWithClient();

it('a store without the time index gets it filled at the next start', async () => {
  const keyPrefix = randomPrefix();
  const open = () => db.open(keyPrefix);
  let store = await open();
  const leads = [];
  for (let i = 0; i < 3; i++) leads.push((await store.insertLead(draft())).lead);
  await store.close();
  // As an older version left it: no index.
  const bytime = `${keyPrefix}:{default}:bytime`;
  expect(await db.raw.zCard(bytime)).toBe(3);
  await db.raw.del(bytime);

  store = await open();
  try {
    expect(await db.raw.zCard(bytime)).toBe(3);
    expect((await db.raw.zScore(bytime, leads[0].id))!).toBe(Date.parse(leads[0].createdAt));
    expect((await store.leadsCreatedBetween({ from: Date.parse(leads[0].createdAt) })).map((l) => l.id)).toEqual(leads.map((l) => l.id));
  } finally {
    await store.close();
  }
});
