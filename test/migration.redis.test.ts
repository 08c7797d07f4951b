// A Redis written by v1 (test/fixtures/v1/redis-dump.json, described in its README) becomes
// the pool `default` when a RedisStore of this version starts on it
// (server/store/redis/lua/migratePools.lua, after migrateV1.lua): checked through the Store
// API, on one process, on a second process started later, and on several starting at once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../server/store/types.js';
import { DEFAULT_POOL, DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { useRedisWithClient } from './support/redis.js';
import { restoreDump } from './support/redis-dump.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'v1');
const PREFIX = 'lp';
const BASE = `${PREFIX}:{default}:`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The v1 lead ids, in the order ext-1, ext-2, ... (lead-ids.json lists them for ext-1 … ext-6). */
const LEAD_IDS: string[] = (JSON.parse(readFileSync(join(FIXTURES, 'lead-ids.json'), 'utf8')) as { redis: string[] }).redis;

const db = useRedisWithClient();

// Each test starts from the v1 dump alone (this file's own redis-server, keys of PREFIX only).
beforeEach(async () => {
  const keys: string[] = [];
  for await (const batch of db.raw.scanIterator({ MATCH: `${PREFIX}:*`, COUNT: 1000 })) keys.push(...batch);
  if (keys.length) await db.raw.del(keys);
  await restoreDump(db.redis.url, join(FIXTURES, 'redis-dump.json'));
});

const open = (nodeId?: string) => db.open(PREFIX, nodeId);

/** Every lead by externalId. */
async function leadsByExt(store: Store): Promise<Record<string, Lead>> {
  const leads = await store.listLeads({ limit: Number.POSITIVE_INFINITY });
  return Object.fromEntries(leads.map((l) => [l.externalId!, l]));
}

/** What the Store API shows of the whole store. */
async function snapshot(store: Store) {
  return {
    pools: await store.listPools(),
    reps: await store.listReps(),
    leads: await store.listLeads({ limit: Number.POSITIVE_INFINITY }),
    open: (await store.openLeads(DEFAULT_POOL)).map((l) => l.id),
    held: await store.heldCounts(DEFAULT_POOL),
    counts: await store.statusCounts(DEFAULT_POOL),
    feeds: await store.listFeeds(),
  };
}

describe('a v1 Redis becomes the pool default', () => {
  it('the pool default has v1 mode, settings and rules, and is the only pool', async () => {
    const store = await open();
    const pools = await store.listPools();
    expect(pools.map((p) => p.id)).toEqual([DEFAULT_POOL]);
    const [pool] = pools;
    expect(pool).toMatchObject({ id: DEFAULT_POOL, name: 'Default', mode: 'cherry-pick' });
    expect(pool!.settings).toEqual({ ...DEFAULT_SETTINGS, maxActivePerRep: 5, teaserFields: ['country', 'industry'] });
    expect(pool!.rules).toEqual([{ name: 'Spain', when: { country: ['ES'] }, to: { languages: ['es'] } }]);
    expect(new Date(pool!.createdAt).toISOString()).toBe(pool!.createdAt);
    expect(await store.getPool(DEFAULT_POOL)).toEqual(pool);
  });

  it('all 7 leads are in default with their owner, outcome, note and status', async () => {
    const store = await open();
    const leads = await leadsByExt(store);
    expect(Object.keys(leads).sort()).toEqual(['ext-1', 'ext-2', 'ext-3', 'ext-4', 'ext-5', 'ext-6', 'ext-7']);
    for (const lead of Object.values(leads)) expect(lead.poolId).toBe(DEFAULT_POOL);
    for (const [i, id] of LEAD_IDS.entries()) expect(leads[`ext-${i + 1}`]!.id).toBe(id);

    expect(leads['ext-1']).toMatchObject({ status: 'claimed', claimedBy: 'rep_ada' });
    expect(leads['ext-1']!.outcome).toBeUndefined();
    expect(leads['ext-2']).toMatchObject({ status: 'closed', claimedBy: 'rep_bob', outcome: 'won', outcomeNote: 'signed the deal' });
    expect(leads['ext-3']).toMatchObject({
      status: 'claimed',
      claimedBy: 'rep_ada',
      outcome: 'contacted',
      outcomeNote: 'call back Monday',
    });
    for (const ext of ['ext-4', 'ext-5', 'ext-6']) expect(leads[ext]).toMatchObject({ status: 'open' });
    expect(leads['ext-5']!.eligible).toEqual(['rep_bob']);
    expect(leads['ext-7']).toMatchObject({ status: 'disqualified', disqualifiedReasons: ['country not accepted'] });
    expect(await store.getLead(LEAD_IDS[1]!)).toEqual(leads['ext-2']);
  });

  it('the pool indexes are default’s: open leads in order, held leads, status counts, listing by pool', async () => {
    const store = await open();
    expect((await store.openLeads(DEFAULT_POOL)).map((l) => l.id)).toEqual(LEAD_IDS.slice(3, 6));
    expect(await store.openSummary(DEFAULT_POOL)).toMatchObject({ count: 3 });
    expect(await store.heldCounts(DEFAULT_POOL)).toEqual({ rep_ada: 2 });
    expect(await store.heldCounts()).toEqual({ rep_ada: 2 });
    expect((await store.heldLeads('rep_ada')).map((l) => l.id)).toEqual([LEAD_IDS[0], LEAD_IDS[2]]);
    const counts = { open: 3, claimed: 2, closed: 1, disqualified: 1 };
    expect(await store.statusCounts(DEFAULT_POOL)).toEqual(counts);
    expect(await store.statusCounts()).toEqual(counts);
    expect(await store.listLeads({ poolId: DEFAULT_POOL, limit: Number.POSITIVE_INFINITY })).toEqual(
      await store.listLeads({ limit: Number.POSITIVE_INFINITY }),
    );
    expect((await store.listLeads({ poolId: DEFAULT_POOL, status: 'closed' })).map((l) => l.externalId)).toEqual(['ext-2']);
  });

  it('reps are in ["default"] with their fields, tokens and cooldown counters', async () => {
    const store = await open();
    const reps = await store.listReps();
    expect(reps.map((r) => r.id)).toEqual(['rep_ada', 'rep_bob']);
    for (const rep of reps) expect(rep.pools).toEqual([DEFAULT_POOL]);
    expect(reps[1]).toMatchObject({ name: 'Bob', maxActive: 3, weight: 2, languages: ['es'], countries: ['ES'] });
    expect((await store.repByTokenHash(sha('v1-token-rep_ada')))?.id ?? null).toBe('rep_ada');
    expect((await store.repByTokenHash(sha('v1-token-rep_bob')))?.id ?? null).toBe('rep_bob');
  });

  it('the manager and feed secrets are kept', async () => {
    const store = await open();
    expect(await store.ensureSecret('manager', sha('another'))).toEqual({ hash: sha('v1-manager-token'), created: false });
    expect(await store.ensureSecret('feed', sha('another'))).toEqual({ hash: sha('v1-feed-key'), created: false });
    expect(await store.listFeeds()).toEqual([]);
  });

  it('claims work on the migrated leads, and externalIds are still duplicates in default (only there)', async () => {
    const store = await open();
    const claimed = await store.claim(LEAD_IDS[3]!, 'rep_bob');
    expect(claimed).toMatchObject({ ok: true, mode: 'cherry-pick', lead: { id: LEAD_IDS[3], poolId: DEFAULT_POOL, claimedBy: 'rep_bob' } });
    expect(await store.claim(LEAD_IDS[3]!, 'rep_ada')).toEqual({ ok: false, code: 'ALREADY_CLAIMED' });
    expect(await store.heldCounts(DEFAULT_POOL)).toEqual({ rep_ada: 2, rep_bob: 1 });
    // maxActivePerRep 5 of default caps Ada (no maxActive of her own): 2 held + 3 open
    expect((await store.claim(LEAD_IDS[5]!, 'rep_ada')).ok).toBe(true);

    const dup = await store.insertLead({ poolId: DEFAULT_POOL, externalId: 'ext-1', status: 'open', eligible: '*' });
    expect(dup).toMatchObject({ duplicate: true, by: 'externalId', lead: { id: LEAD_IDS[0] } });
    const now = new Date().toISOString();
    expect(
      await store.createPool({ id: 'other', name: 'Other', mode: 'shark-tank', settings: DEFAULT_SETTINGS, rules: [], createdAt: now }),
    ).toBe(true);
    const elsewhere = await store.insertLead({ poolId: 'other', externalId: 'ext-1', status: 'open', eligible: '*' });
    expect(elsewhere).toMatchObject({ duplicate: false, lead: { poolId: 'other', externalId: 'ext-1' } });
    // Ada is not in `other`
    expect(await store.claim(elsewhere.lead.id, 'rep_ada')).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
  });

  it('the v1 keys are gone and the layout is marked', async () => {
    await open();
    for (const old of ['owner', 'note', 'created', 'pool', 'settings', 'ext', 'email', 'phone'])
      expect(await db.raw.exists(`${BASE}${old}`)).toBe(0);
    expect(await db.raw.get(`${BASE}layout`)).toBe('2');
    expect(await db.raw.zRange(`${BASE}pools`, 0, -1)).toEqual([DEFAULT_POOL]);
  });

  it('a second process started later changes nothing (idempotent)', async () => {
    const first = await open('node-a');
    expect((await first.claim(LEAD_IDS[3]!, 'rep_bob')).ok).toBe(true);
    const before = await snapshot(first);
    const second = await open('node-b');
    expect(await snapshot(second)).toEqual(before);
    expect(await snapshot(first)).toEqual(before);
    await first.close();
    const third = await open('node-a');
    expect(await snapshot(third)).toEqual(before);
  });

  it('several processes starting at once all end up with the same migrated store', async () => {
    const stores = await Promise.all(['n1', 'n2', 'n3', 'n4'].map((id) => open(id)));
    const snaps = await Promise.all(stores.map(snapshot));
    for (const s of snaps) expect(s).toEqual(snaps[0]);
    expect(snaps[0]!.leads).toHaveLength(7);
    expect(snaps[0]!.open).toEqual(LEAD_IDS.slice(3, 6));
    expect(await db.raw.zCard(`${BASE}pool:default:leads`)).toBe(7);
    expect(await db.raw.zCard(`${BASE}pool:default:held`)).toBe(2);
  });
});
