// Presence across processes on one Redis: the heartbeat (server/store/redis/lua/sweepPresence.lua,
// its probe) only refreshes this node while every node is alive, and the sweep drops the tabs
// of a node whose heartbeat is stale or gone, for those reps only.
import { describe, expect, it } from 'vitest';
import type { RedisStore } from '../server/store/redis/store.js';
import { randomPrefix, useRedisWithClient } from './support/redis.js';
import { makeRep } from './support/store-harness.js';

const db = useRedisWithClient();

const open = (keyPrefix: string, nodeId: string) => db.open(keyPrefix, nodeId);

/** Two processes on one store; reps `solo` (a tab on b only) and `both` (a tab on each node). */
async function twoNodesWithTabs(): Promise<{ a: RedisStore; b: RedisStore; nodes: string }> {
  const prefix = randomPrefix('presence');
  const [a, b] = [await open(prefix, 'node-a'), await open(prefix, 'node-b')];
  await a.createRep(makeRep('solo'));
  await a.createRep(makeRep('both'));
  await b.tabOpened('solo', 't1');
  await b.tabOpened('both', 't2');
  await a.tabOpened('both', 't3');
  return { a, b, nodes: `${prefix}:{default}:nodes` };
}

describe('Redis presence heartbeat', () => {
  it('every node alive: the sweep changes nothing and keeps every tab', async () => {
    const { a, b } = await twoNodesWithTabs();
    expect(await a.sweepPresence()).toEqual([]);
    expect(await b.sweepPresence()).toEqual([]);
    expect(await a.onlinePresence()).toEqual({ solo: 'available', both: 'available' });
  });

  it('a node whose heartbeat is stale: its tabs are dropped, a rep with a tab elsewhere stays online', async () => {
    const { a, nodes } = await twoNodesWithTabs();
    await db.raw.zAdd(nodes, { score: 1, value: 'node-b' });
    expect(await a.sweepPresence()).toEqual([{ repId: 'solo', before: 'available', after: 'offline', pools: ['default'] }]);
    expect(await a.onlinePresence()).toEqual({ both: 'available' });
    expect(await db.raw.zScore(nodes, 'node-b')).toBeNull();
    expect(await a.sweepPresence()).toEqual([]);
  });

  it('a node missing from the heartbeats (its entry removed): its tabs are dropped too', async () => {
    const { a, nodes } = await twoNodesWithTabs();
    await db.raw.zRem(nodes, 'node-b');
    expect(await a.sweepPresence()).toEqual([{ repId: 'solo', before: 'available', after: 'offline', pools: ['default'] }]);
    expect(await a.onlinePresence()).toEqual({ both: 'available' });
  });

  it('a stale node without tabs is forgotten', async () => {
    const prefix = randomPrefix('presence');
    const a = await open(prefix, 'node-a');
    await db.raw.zAdd(`${prefix}:{default}:nodes`, { score: 1, value: 'gone' });
    expect(await a.sweepPresence()).toEqual([]);
    expect(await db.raw.zScore(`${prefix}:{default}:nodes`, 'gone')).toBeNull();
  });
});
