// The Redis key layout v1 (server/store/redis/lua/migrateV1.lua): a store written with the
// old names (lead columns `owner`, `note`, `created`; counters `lastWinAt`, `wins`; the
// `events` stream) reads back the same once a RedisStore of this version starts on it; and
// a store before pools has its round-robin turns (counters `rr`, `rrScore`, `lastAssignedAt`)
// moved to the pool default (migratePools.lua). test/migration.redis.test.ts migrates a whole
// v1 key dump.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredRep } from '../server/store/types.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { randomPrefix, useRedisWithClient } from './support/redis.js';

const db = useRedisWithClient();

const open = (keyPrefix: string) => db.open(keyPrefix);

const rep = (id: string): StoredRep => ({
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
  tokenHash: createHash('sha256').update(`token-${id}`).digest('hex'),
  away: false,
});

/** Moves a hash field to its old name, as a store written before v1 has it. */
async function renameField(key: string, from: string, to: string): Promise<void> {
  const value = await db.raw.hGet(key, from);
  if (value === null) throw new Error(`${key} has no field ${from}`);
  await db.raw.hSet(key, to, value);
  await db.raw.hDel(key, from);
}

describe('Redis layout v1 migration', () => {
  it('renames the old lead columns, drops the events stream, and every lead reads back the same', async () => {
    const prefix = randomPrefix('mig');
    const base = `${prefix}:{default}:`;
    const store = await open(prefix);
    await store.createRep(rep('a'));
    const [held, closed, open1] = [
      (await store.insertLead({ email: 'held@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' })).lead,
      (await store.insertLead({ email: 'closed@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' })).lead,
      (await store.insertLead({ email: 'open@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: ['a'] })).lead,
    ];
    expect((await store.claim(held.id, 'a')).ok).toBe(true);
    expect((await store.outcome(held.id, 'a', 'contacted', 'call back Monday')).ok).toBe(true);
    expect((await store.claim(closed.id, 'a')).ok).toBe(true);
    expect((await store.outcome(closed.id, 'a', 'won', 'signed')).ok).toBe(true);
    const before = await Promise.all([held, closed, open1].map((l) => store.getLead(l.id)));
    expect(before[0]).toMatchObject({ claimedBy: 'a', outcomeNote: 'call back Monday' });
    await store.close();

    // The layout before v1.
    await db.raw.rename(`${base}claimedBy`, `${base}owner`);
    await db.raw.rename(`${base}outcomeNote`, `${base}note`);
    await db.raw.rename(`${base}createdAt`, `${base}created`);
    await db.raw.xAdd(`${base}events`, '*', { type: 'installed' });

    const again = await open(prefix);
    expect(await Promise.all([held, closed, open1].map((l) => again.getLead(l.id)))).toEqual(before);
    expect((await again.listLeads({ repId: 'a' })).map((l) => l.id).sort()).toEqual([held.id, closed.id].sort());
    expect((await again.heldLeads('a')).map((l) => l.id)).toEqual([held.id]);
    for (const old of ['owner', 'note', 'created', 'events']) expect(await db.raw.exists(`${base}${old}`)).toBe(0);
    for (const now of ['claimedBy', 'outcomeNote', 'createdAt']) expect(await db.raw.exists(`${base}${now}`)).toBe(1);

    // Writes after the migration land in the new columns.
    const released = await again.release(held.id, { repId: 'a' });
    expect(released).toMatchObject({ ok: true, previousOwner: 'a', lead: { id: held.id, status: 'open' } });
    expect(await db.raw.hExists(`${base}claimedBy`, held.id)).toBe(0);
    expect(await db.raw.hGet(`${base}claimedBy`, closed.id)).toBe('a');
  });

  it('is idempotent and never overwrites a column that already has the new name', async () => {
    const prefix = randomPrefix('mig');
    const base = `${prefix}:{default}:`;
    const store = await open(prefix);
    await store.createRep(rep('a'));
    const { lead } = await store.insertLead({ email: 'x@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' });
    await store.claim(lead.id, 'a');
    await store.close();
    await db.raw.hSet(`${base}owner`, lead.id, 'stale');

    await open(prefix);
    const third = await open(prefix);
    expect((await third.getLead(lead.id))!.claimedBy).toBe('a');
    expect(await db.raw.hGet(`${base}owner`, lead.id)).toBe('stale');
  });

  it('carries the old counters over: cooldown and window (lastWinAt, wins)', async () => {
    const prefix = randomPrefix('mig');
    const base = `${prefix}:{default}:`;
    const store = await open(prefix);
    await store.createRep(rep('a'));
    await store.patchSettings(DEFAULT_POOL, { claimCooldownMs: 60_000, claimWindowMs: 60_000, maxClaimsPerWindow: 5 });
    const [first, second] = [
      (await store.insertLead({ email: 'one@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' })).lead,
      (await store.insertLead({ email: 'two@example.com', poolId: DEFAULT_POOL, status: 'open', eligible: '*' })).lead,
    ];
    expect((await store.claim(first.id, 'a')).ok).toBe(true);
    await renameField(`${base}ctr:a`, 'lastClaimAt', 'lastWinAt');
    await renameField(`${base}ctr:a`, 'recentClaims', 'wins');

    const again = await open(prefix);
    expect(await again.claim(second.id, 'a')).toEqual({ ok: false, code: 'COOLDOWN' });
    await again.patchSettings(DEFAULT_POOL, { claimCooldownMs: 0 });
    expect((await again.claim(second.id, 'a')).ok).toBe(true);
    // the claim wrote the new counter names and dropped the old ones
    const ctr = await db.raw.hGetAll(`${base}ctr:a`);
    expect(ctr.lastWinAt).toBeUndefined();
    expect(ctr.wins).toBeUndefined();
    expect(ctr.recentClaims?.split(',')).toHaveLength(2);
  });

  it('moves the round-robin turns of a store before pools (rr, rrScore, lastAssignedAt) to the pool default', async () => {
    const prefix = randomPrefix('mig');
    const base = `${prefix}:{default}:`;
    const store = await open(prefix);
    await store.createRep(rep('a'));
    await store.createRep(rep('b'));
    await store.setMode(DEFAULT_POOL, 'round-robin');
    await store.close();
    // The layout before pools: turns in each rep's counters (a: the name before v1), no
    // layout marker.
    await db.raw.hSet(`${base}ctr:a`, 'rr', '5');
    await db.raw.hSet(`${base}ctr:b`, { rrScore: '4', lastAssignedAt: '1000' });
    await db.raw.del(`${base}layout`);

    const again = await open(prefix);
    expect(await db.raw.get(`${base}layout`)).toBe('2');
    expect(await db.raw.hGetAll(`${base}pool:default:rrScore`)).toEqual({ a: '5', b: '4' });
    expect(await db.raw.hGetAll(`${base}pool:default:rrAt`)).toEqual({ b: '1000' });
    for (const id of ['a', 'b']) expect(await db.raw.hGetAll(`${base}ctr:${id}`)).toEqual({});
    // b is behind in the rotation: it goes next, then a and b alternate from the front
    const leads = [];
    for (let i = 0; i < 3; i++) {
      leads.push((await again.insertLead({ email: `rr${i}@example.com`, poolId: DEFAULT_POOL, status: 'open', eligible: '*' })).lead);
    }
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await again.autoAssign(DEFAULT_POOL, ['a', 'b']))?.lead.claimedBy);
    expect(order).toEqual(['b', 'a', 'b']);
    expect(await db.raw.hGetAll(`${base}pool:default:rrScore`)).toEqual({ a: '6', b: '6' });
  });
});
