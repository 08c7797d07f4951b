// Migration of a v1 data folder (test/fixtures/v1/data, see test/fixtures/v1/README.md) by
// the embedded store at init: one pool `default` holding everything v1 had, nothing else
// changed, idempotent. Each test opens a copy of the fixture; the fixture is never written.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../server/store/embedded.js';
import type { Store } from '../server/store/types.js';
import { DEFAULT_SETTINGS, type Lead } from '../shared/protocol.js';
import { tempDir } from './support/server.js';
import { draft, sha } from './support/store-harness.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/v1/data', import.meta.url));
const readJson = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const fingerprint = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );

const fixtureBefore = fingerprint(FIXTURE);
/** What v1 stored, read from the fixture itself. */
const v1 = {
  leads: readJson(FIXTURE, 'leads.json').leads as (Lead & { seq: number })[],
  reps: readJson(FIXTURE, 'reps.json').reps as Record<string, unknown>[],
  pool: readJson(FIXTURE, 'pool.json'),
};
const [ext1, , ext3, ext4, ext5, ext6] = v1.leads;

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => {
  expect(fingerprint(FIXTURE)).toEqual(fixtureBefore);
});

/** A copy of the v1 folder; `open()` opens (and on the first time migrates) an embedded store on it. */
function copyOfV1() {
  const dir = tempDir('leadpool-v1-');
  cpSync(FIXTURE, dir, { recursive: true });
  const open = async () => {
    const store = new EmbeddedStore(dir);
    await store.init();
    stores.push(store);
    return store;
  };
  return { dir, open };
}

const migrated = async () => copyOfV1().open();

describe('embedded store: migration of v1 data', () => {
  it('the pool default exists, named "Default", with a creation time, the v1 mode, settings and rules', async () => {
    const store = await migrated();
    const pools = await store.listPools();
    expect(pools).toEqual([
      {
        id: 'default',
        name: 'Default',
        mode: 'cherry-pick',
        settings: { ...DEFAULT_SETTINGS, maxActivePerRep: 5, teaserFields: ['country', 'industry'] },
        rules: [{ name: 'Spain', when: { country: ['ES'] }, to: { languages: ['es'] } }],
        createdAt: expect.any(String),
      },
    ]);
    expect(Number.isNaN(Date.parse(pools[0].createdAt))).toBe(false);
  });

  it('every lead is in the pool default, everything else as v1 stored it', async () => {
    const store = await migrated();
    const expected = v1.leads.map(({ seq: _seq, ...lead }) => ({ ...lead, poolId: 'default' }));
    expect((await store.listLeads({ limit: Infinity })).reverse()).toEqual(expected);
  });

  it('owners, outcomes, notes, statuses and disqualification reasons are kept', async () => {
    const store = await migrated();
    const byExt = new Map((await store.listLeads({ limit: Infinity })).map((l) => [l.externalId, l]));
    expect(byExt.get('ext-1')).toMatchObject({ status: 'claimed', claimedBy: 'rep_ada' });
    expect(byExt.get('ext-2')).toMatchObject({ status: 'closed', claimedBy: 'rep_bob', outcome: 'won', outcomeNote: 'signed the deal' });
    expect(byExt.get('ext-3')).toMatchObject({
      status: 'claimed',
      claimedBy: 'rep_ada',
      outcome: 'contacted',
      outcomeNote: 'call back Monday',
    });
    expect(byExt.get('ext-5')).toMatchObject({ status: 'open', eligible: ['rep_bob'] });
    expect(byExt.get('ext-7')).toMatchObject({ status: 'disqualified', disqualifiedReasons: ['country not accepted'] });
  });

  it('the open leads, held leads and counts are those v1 left', async () => {
    const store = await migrated();
    expect((await store.openLeads('default')).map((l) => l.id)).toEqual([ext4.id, ext5.id, ext6.id]);
    expect((await store.heldLeads('rep_ada')).map((l) => l.id)).toEqual([ext1.id, ext3.id]);
    expect(await store.heldCounts('default')).toEqual({ rep_ada: 2 });
    expect(await store.statusCounts('default')).toEqual({ open: 3, claimed: 2, closed: 1, disqualified: 1 });
  });

  it('reps are in the pool default, everything else as v1 stored it', async () => {
    const store = await migrated();
    expect(await store.listReps()).toEqual(v1.reps.map((rep) => ({ ...rep, pools: ['default'] })));
  });

  it('rep tokens still match (token hashes unchanged)', async () => {
    const store = await migrated();
    expect((await store.repByTokenHash(sha('v1-token-rep_ada')))?.id ?? null).toBe('rep_ada');
    expect((await store.repByTokenHash(sha('v1-token-rep_bob')))?.id ?? null).toBe('rep_bob');
  });

  it('the manager token and the feed key are unchanged', async () => {
    const store = await migrated();
    expect(await store.ensureSecret('manager', sha('other'))).toEqual({ hash: sha('v1-manager-token'), created: false });
    expect(await store.ensureSecret('feed', sha('other'))).toEqual({ hash: sha('v1-feed-key'), created: false });
  });

  it('there are no feed keys', async () => {
    const store = await migrated();
    expect(await store.listFeeds()).toEqual([]);
  });

  it('the claim counters are kept (a cooldown counts Ada’s last v1 claim)', async () => {
    const store = await migrated();
    await store.patchSettings('default', { claimCooldownMs: 1e12 });
    expect(await store.claim(ext4.id, 'rep_ada')).toEqual({ ok: false, code: 'COOLDOWN' });
  });

  it('a rep claims an open lead in the pool default, in the v1 mode', async () => {
    const store = await migrated();
    expect(await store.claim(ext4.id, 'rep_ada')).toMatchObject({
      ok: true,
      mode: 'cherry-pick',
      lead: { id: ext4.id, poolId: 'default', claimedBy: 'rep_ada' },
    });
  });

  it('a rep pulls the oldest open lead, with or without naming the pool', async () => {
    const store = await migrated();
    await store.setMode('default', 'blind-pull');
    expect(await store.pull('rep_bob')).toMatchObject({ ok: true, lead: { id: ext4.id } });
    expect(await store.pull('rep_bob', 'default')).toMatchObject({ ok: true, lead: { id: ext5.id } });
  });

  it('caps still apply as in v1: the pool’s cap to Ada, Bob’s own maxActive (3) over the pool’s', async () => {
    const store = await migrated();
    await store.patchSettings('default', { maxActivePerRep: 2 });
    expect(await store.claim(ext4.id, 'rep_ada')).toEqual({ ok: false, code: 'CAP_REACHED' });
    for (const lead of [ext4, ext5, ext6]) expect(await store.claim(lead.id, 'rep_bob')).toMatchObject({ ok: true });
  });

  it('a lead with the externalId ext-1 is still a duplicate in the pool default', async () => {
    const store = await migrated();
    expect(await store.insertLead(draft({ externalId: 'ext-1' }))).toMatchObject({
      duplicate: true,
      by: 'externalId',
      lead: { id: ext1.id, poolId: 'default' },
    });
  });

  it('the round-robin rotation of v1 continues in the pool default', async () => {
    const store = await migrated();
    await store.setMode('default', 'round-robin');
    expect(await store.autoAssign('default', ['rep_bob', 'rep_ada'])).toMatchObject({ lead: { id: ext4.id, claimedBy: 'rep_bob' } });
    expect(await store.autoAssign('default', ['rep_bob', 'rep_ada'])).toMatchObject({ lead: { id: ext5.id, claimedBy: 'rep_ada' } });
  });

  it('new leads arrive after the v1 ones', async () => {
    const store = await migrated();
    const { lead } = await store.insertLead(draft({ externalId: 'ext-8' }));
    expect((await store.openLeads('default')).map((l) => l.id)).toEqual([ext4.id, ext5.id, ext6.id, lead.id]);
  });

  describe('on disk', () => {
    it('the files hold the migrated data right after init', async () => {
      const { dir, open } = copyOfV1();
      await open();
      const leads = readJson(dir, 'leads.json').leads;
      expect(leads.map((l: Lead) => l.poolId)).toEqual(Array(7).fill('default'));
      expect(readJson(dir, 'reps.json').reps.map((r: { pools: string[] }) => r.pools)).toEqual([['default'], ['default']]);
      expect(readJson(dir, 'pool.json').pools.default).toMatchObject({ id: 'default', name: 'Default', createdAt: expect.any(String) });
      expect(readJson(dir, 'feeds.json')).toEqual({ feeds: [] });
    });

    it('the counters’ round-robin fields move under the pool default, the claim counters keep their v1 values', async () => {
      const { dir, open } = copyOfV1();
      await open();
      const pool = readJson(dir, 'pool.json');
      expect(pool.counters).toEqual({
        rep_ada: { lastClaimAt: v1.pool.counters.rep_ada.lastWinAt, recentClaims: [] },
        rep_bob: { lastClaimAt: v1.pool.counters.rep_bob.lastWinAt, recentClaims: [] },
      });
      expect(pool.pools.default.rotation).toEqual({
        rep_ada: { score: 0, lastAssignedAt: 0 },
        rep_bob: { score: 0, lastAssignedAt: 0 },
      });
    });

    it('leads keep their acceptance order and everything else v1 wrote', async () => {
      const { dir, open } = copyOfV1();
      await open();
      expect(readJson(dir, 'leads.json').leads).toEqual(v1.leads.map((lead) => ({ ...lead, poolId: 'default' })));
      expect(existsSync(join(dir, 'leads-1.json'))).toBe(false);
    });
  });

  describe('idempotence', () => {
    /** Opens a copy, reads everything, closes it, then opens it again. */
    const twice = async () => {
      const { dir, open } = copyOfV1();
      const first = await open();
      const read = async (store: Store) => ({
        pools: await store.listPools(),
        reps: await store.listReps(),
        leads: await store.listLeads({ limit: Infinity }),
        open: await store.openLeads('default'),
        held: await store.heldCounts(),
        feeds: await store.listFeeds(),
      });
      const before = await read(first);
      await first.close();
      const files = fingerprint(dir);
      const again = await open();
      return { dir, files, before, again, after: await read(again) };
    };

    it('reopening a migrated folder reads the same pools, reps, leads and counts', async () => {
      const { before, after } = await twice();
      expect(after).toEqual(before);
    });

    it('reopening a migrated folder rewrites nothing', async () => {
      const { dir, files } = await twice();
      expect(fingerprint(dir)).toEqual(files);
    });

    it('after a reopen the store still works: a claim, and ext-1 is still a duplicate', async () => {
      const { again } = await twice();
      expect(await again.claim(ext6.id, 'rep_bob')).toMatchObject({ ok: true, lead: { poolId: 'default' } });
      expect(await again.insertLead(draft({ externalId: 'ext-1' }))).toMatchObject({ duplicate: true, lead: { id: ext1.id } });
    });
  });
});
