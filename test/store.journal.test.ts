// The embedded store's journal (server/store/journal.ts, embedded-files.ts): whatever a
// store acknowledged is in its folder at that moment, so a copy of the folder taken then (as
// a kill -9 would leave it: journal not folded, no checkpoint) loads to exactly the state
// the store holds. Checked over random sequences of store calls (fast-check), with
// checkpoints forced often, plus the journal's own edge cases: a torn last line, a line that
// cannot be read, a checkpoint that fails, the quiet-time checkpoint.
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../server/store/embedded.js';
import { EmbeddedFiles } from '../server/store/embedded-files.js';
import { StoreCorruptError } from '../server/store/types.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { draft, makeRep, sleep } from './support/store-harness.js';

const dirs: string[] = [];
const stores: EmbeddedStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-journal-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, journalMaxBytes?: number): Promise<EmbeddedStore> {
  const store = new EmbeddedStore(dir, Date.now, { recoveryIntervalMs: 25, journalMaxBytes });
  await store.init();
  stores.push(store);
  return store;
}

/**
 * The folder as a crash would leave it now: a copy, read by a fresh EmbeddedFiles (journal
 * replayed). Copied once no checkpoint is being written: a crash stops every write at one
 * instant, a copy file by file beside a write in flight would not.
 */
async function afterCrash(dir: string, store?: EmbeddedStore): Promise<EmbeddedFiles> {
  if (store) await live(store).checkpointsSettled();
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  const files = new EmbeddedFiles(copy);
  await files.load();
  return files;
}

/** Every data file's content, by name (what the store would write at a checkpoint). */
function contents(files: EmbeddedFiles): Record<string, unknown> {
  const out: Record<string, unknown> = {
    reps: files.reps.data,
    pool: files.pool.data,
    feeds: files.feeds.data,
    forms: files.forms.data,
    webhooks: files.webhooks.data,
  };
  files.shards.forEach((s, n) => {
    out[`leads-${n}`] = s.data;
  });
  for (const { n, db } of files.segments) out[`events-${n}`] = db.data;
  return JSON.parse(JSON.stringify(out));
}

const live = (store: EmbeddedStore) => (store as unknown as { files: EmbeddedFiles }).files;

/** One store call of the random sequences, with small ids so calls meet the same reps and leads. */
type Step =
  | { op: 'rep'; rep: number }
  | { op: 'patchRep'; rep: number; skills: string[] }
  | { op: 'deleteRep'; rep: number }
  | { op: 'lead'; email: number }
  | { op: 'claim'; lead: number; rep: number }
  | { op: 'release'; lead: number }
  | { op: 'outcome'; lead: number; won: boolean }
  | { op: 'tab'; rep: number; open: boolean }
  | { op: 'away'; rep: number; away: boolean }
  | { op: 'settings'; claimTimeoutMs: number; slaMs: number }
  | { op: 'mode'; mode: 'shark-tank' | 'cherry-pick' | 'blind-pull' }
  | { op: 'due' };

const small = fc.integer({ min: 0, max: 5 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('rep' as const), rep: small }),
  fc.record({ op: fc.constant('patchRep' as const), rep: small, skills: fc.array(fc.constantFrom('de', 'fr', 'saas'), { maxLength: 2 }) }),
  fc.record({ op: fc.constant('deleteRep' as const), rep: small }),
  fc.record({ op: fc.constant('lead' as const), email: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ op: fc.constant('claim' as const), lead: small, rep: small }),
  fc.record({ op: fc.constant('claim' as const), lead: small, rep: small }),
  fc.record({ op: fc.constant('release' as const), lead: small }),
  fc.record({ op: fc.constant('outcome' as const), lead: small, won: fc.boolean() }),
  fc.record({ op: fc.constant('tab' as const), rep: small, open: fc.boolean() }),
  fc.record({ op: fc.constant('away' as const), rep: small, away: fc.boolean() }),
  fc.record({ op: fc.constant('settings' as const), claimTimeoutMs: fc.constantFrom(0, 1), slaMs: fc.constantFrom(0, 1) }),
  fc.record({
    op: fc.constant('mode' as const),
    mode: fc.constantFrom('shark-tank' as const, 'cherry-pick' as const, 'blind-pull' as const),
  }),
  fc.record({ op: fc.constant('due' as const) }),
);

async function run(store: EmbeddedStore, steps: Step[]): Promise<void> {
  const leads: string[] = [];
  const repId = (n: number) => `rep-${n}`;
  const leadId = (n: number) => leads[n % Math.max(1, leads.length)];
  for (const s of steps) {
    switch (s.op) {
      case 'rep':
        // created online, so that its claims can succeed
        if (!(await store.getRep(repId(s.rep)))) await store.createRep(makeRep(repId(s.rep)));
        await store.tabOpened(repId(s.rep), `tab-${s.rep}`);
        break;
      case 'patchRep':
        await store.updateRep(repId(s.rep), { skills: s.skills });
        break;
      case 'deleteRep':
        await store.deleteRep(repId(s.rep));
        break;
      case 'lead': {
        const r = await store.insertLead(draft({ email: `lead${s.email}@example.com` }));
        if (!r.duplicate) leads.push(r.lead.id);
        break;
      }
      case 'claim':
        if (leads.length) await store.claim(leadId(s.lead), repId(s.rep));
        break;
      case 'release':
        if (leads.length) await store.release(leadId(s.lead), { manager: true });
        break;
      case 'outcome': {
        const lead = leads.length ? await store.getLead(leadId(s.lead)) : null;
        if (lead?.claimedBy) await store.outcome(lead.id, lead.claimedBy, s.won ? 'won' : 'contacted');
        break;
      }
      case 'tab':
        if (s.open) await store.tabOpened(repId(s.rep), `tab-${s.rep}`);
        else await store.tabClosed(repId(s.rep), `tab-${s.rep}`);
        break;
      case 'away':
        await store.setAway(repId(s.rep), s.away);
        break;
      case 'settings':
        await store.patchSettings(DEFAULT_POOL, { claimTimeoutMs: s.claimTimeoutMs, slaMs: s.slaMs });
        break;
      case 'mode':
        await store.setMode(DEFAULT_POOL, s.mode);
        break;
      case 'due':
        await store.runDue();
        break;
    }
  }
}

describe('embedded store journal: what was acknowledged is what a crash leaves', () => {
  it('random sequences of calls: the folder copied right after them loads to the live state (checkpoints often, and never)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), fc.constantFrom(1_000, 1 << 30), async (steps, journalMaxBytes) => {
        const dir = tempDir();
        const store = await open(dir, journalMaxBytes);
        await run(store, steps);
        const crashed = await afterCrash(dir, store);
        expect(contents(crashed)).toEqual(contents(live(store)));
        await store.close();
        stores.splice(stores.indexOf(store), 1);
      }),
      { numRuns: 100, seed: 20261129 },
    );
  });

  it('calls made concurrently (one group-commit batch) are all there after a crash', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.createRep(makeRep(`r${i}`))));
    const leads = await Promise.all(Array.from({ length: 50 }, (_, i) => store.insertLead(draft({ externalId: `e${i}` }))));
    await Promise.all(leads.slice(0, 20).map((l, i) => store.claim(l.lead.id, `r${i}`)));
    expect(contents(await afterCrash(dir, store))).toEqual(contents(live(store)));
  });
});

describe('embedded store journal: what was acknowledged is what a crash leaves (cases)', () => {
  it('a rep that went away, then offline, then opened a tab is available after a crash too', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.createRep(makeRep('a'));
    await store.tabOpened('a', 't1');
    await store.setAway('a', true);
    await store.tabClosed('a', 't1');
    await store.tabOpened('a', 't2');
    expect((await store.getRep('a'))?.away).toBe(false);
    expect(contents(await afterCrash(dir, store))).toEqual(contents(live(store)));
  });
});

describe('embedded store journal: edge cases', () => {
  it('a torn last line (a crash in the middle of an append) is dropped; the lines before it are kept', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const kept = await store.insertLead(draft({ externalId: 'kept' }));
    const copy = tempDir();
    cpSync(dir, copy, { recursive: true });
    appendFileSync(join(copy, 'journal.ndjson'), '[["L",0,{"id":"torn"');
    const reopened = await open(copy);
    expect((await reopened.listLeads({})).map((l) => l.id)).toEqual([kept.lead.id]);
    expect(readdirSync(copy)).not.toContain('journal.ndjson'); // folded at load
  });

  it('a line in the middle that cannot be read stops the start (StoreCorruptError) and leaves the folder as it is', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.insertLead(draft());
    await store.insertLead(draft());
    const copy = tempDir();
    cpSync(dir, copy, { recursive: true });
    const journal = join(copy, 'journal.ndjson');
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[0] = lines[0].slice(0, 10);
    writeFileSync(journal, lines.join('\n'));
    const before = readFileSync(journal);
    await expect(new EmbeddedStore(copy).init()).rejects.toBeInstanceOf(StoreCorruptError);
    expect(readFileSync(journal).equals(before)).toBe(true);
  });

  it('checkpoints by size: the journal is sealed, the files rewritten, the sealed journal removed', async () => {
    const dir = tempDir();
    const store = await open(dir, 4_000);
    for (let i = 0; i < 40; i++) await store.insertLead(draft({ externalId: `e${i}` }));
    await live(store).close(); // waits for the checkpoint in flight (and takes a last one)
    const names = readdirSync(dir);
    expect(names.filter((f) => f.startsWith('journal-'))).toEqual([]);
    const onDisk = JSON.parse(readFileSync(join(dir, 'leads.json'), 'utf8')).leads;
    expect(onDisk).toHaveLength(40);
  });

  it('a checkpoint that fails loses nothing: writes are still acknowledged by the journal, the next checkpoint catches up', async () => {
    const dir = tempDir();
    const store = await open(dir, 2_000);
    const inTheWay = join(dir, 'pool.json.tmp');
    mkdirSync(inTheWay); // every checkpoint writes pool.json: this one cannot
    for (let i = 0; i < 30; i++) await store.insertLead(draft({ externalId: `e${i}` }));
    expect(await store.healthy()).toBe(true);
    expect(readdirSync(dir).some((f) => /^journal-\d+\.ndjson$/.test(f))).toBe(true); // sealed, kept
    rmSync(inTheWay, { recursive: true }); // (a copy of the folder could not hold it)
    expect(contents(await afterCrash(dir, store))).toEqual(contents(live(store)));
    for (let i = 30; i < 60; i++) await store.insertLead(draft({ externalId: `e${i}` }));
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    expect(readdirSync(dir).filter((f) => f.startsWith('journal'))).toEqual([]);
    const reopened = await open(dir);
    expect(await reopened.statusCounts()).toMatchObject({ open: 60 });
  });

  it('a quiet store checkpoints on its own: the files hold the state and no journal is left', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.createRep(makeRep('a'));
    const { lead } = await store.insertLead(draft());
    await store.claim(lead.id, 'a');
    for (let waited = 0; existsSync(join(dir, 'journal.ndjson')) || readdirSync(dir).some((f) => f.startsWith('journal-')); waited += 100) {
      if (waited > 15_000) throw new Error('no checkpoint after 15 s of quiet');
      await sleep(100);
    }
    const leads = JSON.parse(readFileSync(join(dir, 'leads.json'), 'utf8')).leads;
    expect(leads[0]).toMatchObject({ id: lead.id, status: 'claimed', claimedBy: 'a' });
    expect(JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8')).counters.a.lastClaimAt).toBeGreaterThan(0);
  });
});
