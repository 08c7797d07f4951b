// The embedded store when its data folder stops taking writes: a failed write leaves no
// trace (nothing on disk, nothing visible), the store answers STORE_UNAVAILABLE and
// healthy() false until the folder takes writes again, then reloads the last durable
// state and works again. Failures are real file system failures: something in the way of
// the journal (works anywhere, also as root, where chmod stops nothing), and, where this
// process may mount (root), a full and a read-only tmpfs. Plus the crash consistency of a
// checkpoint's batch of several files (commit manifest).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CommitIncompleteError } from '../server/store/batch-files.js';
import { EmbeddedStore } from '../server/store/embedded.js';
import { GroupCommit } from '../server/store/group-commit.js';
import { type PoolRecord, StoreCorruptError, StoreUnavailableError } from '../server/store/types.js';
import { DEFAULT_POOL, DEFAULT_SETTINGS } from '../shared/protocol.js';
import { draft, makeRep, sha } from './support/store-harness.js';

const dirs: string[] = [];
const stores: EmbeddedStore[] = [];
const mounts: string[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-failures-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string): Promise<EmbeddedStore> {
  const store = new EmbeddedStore(dir, Date.now, { recoveryIntervalMs: 25 });
  await store.init();
  stores.push(store);
  return store;
}

/** The store on `dir` closed and opened again: what the files hold. */
async function reopen(store: EmbeddedStore, dir: string): Promise<EmbeddedStore> {
  await store.close();
  return open(dir);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function unavailable(p: Promise<unknown>): Promise<StoreUnavailableError> {
  const err = await p.then(
    (v) => new Error(`resolved: ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreUnavailableError);
  return err as StoreUnavailableError;
}

/** Something in the way of the journal: appending to it fails (EISDIR), also as root. Undone by the function returned. */
function blockJournal(dir: string): () => void {
  const path = join(dir, 'journal.ndjson');
  const aside = `${path}.aside`;
  const had = existsSync(path);
  if (had) renameSync(path, aside);
  mkdirSync(path);
  return () => {
    rmSync(path, { recursive: true });
    if (had) renameSync(aside, path);
  };
}

/** Files that only a batch in progress leaves (temp files, manifest). */
const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === 'commit.json');

describe('embedded store: a failed write leaves no trace', () => {
  it('refused leads (a batch and the one pending behind it) are not stored, not visible, not there after a restart; the store recovers', async () => {
    const dir = tempDir();
    let store = await open(dir);
    const kept = await store.insertLead(draft({ externalId: 'kept' }));
    expect(await store.healthy()).toBe(true);

    const unblock = blockJournal(dir); // every batch is a line of the journal
    // x1 is large: the batch holding it is appended off the event loop (a small one is
    // written at once, server/store/journal.ts), so it is still being written when x3 comes.
    const large = 'x'.repeat(70 * 1024);
    const burst = [store.insertLead(draft({ externalId: 'x1', company: large })), store.insertLead(draft({ externalId: 'x2' }))];
    await new Promise((r) => setImmediate(r)); // the batch holding x1 and x2 is being written
    const behind = store.insertLead(draft({ externalId: 'x3' })); // pending behind it
    // The very first call after the failure (even one run in the failing call's own
    // continuation) is refused: nothing reads the memory that held x1 (no duplicate found).
    const retried = burst[0].catch(() => store.insertLead(draft({ externalId: 'x1' })));
    for (const p of [...burst, behind, retried]) expect((await unavailable(p)).code).toBe('STORE_UNAVAILABLE');

    expect(await store.healthy()).toBe(false);
    await unavailable(store.getLead(kept.lead.id));
    await unavailable(store.listLeads({}));
    await unavailable(store.insertLead(draft()));
    await sleep(100); // several recovery attempts: the folder still refuses writes
    expect(await store.healthy()).toBe(false);

    unblock();
    await until(() => store.healthy(), 'the store to recover');
    const leads = await store.listLeads({});
    expect(leads.map((l) => l.externalId)).toEqual(['kept']);
    expect(await store.statusCounts()).toMatchObject({ open: 1 });
    expect(await store.openSummary(DEFAULT_POOL)).toMatchObject({ count: 1 });
    // the external ids of refused leads are free: posting them again stores them
    const again = await store.insertLead(draft({ externalId: 'x1' }));
    expect(again.duplicate).toBe(false);
    expect(leftovers(dir)).toEqual([]);

    store = await reopen(store, dir);
    expect((await store.listLeads({})).map((l) => l.externalId)).toEqual(['x1', 'kept']);
    expect((await store.getLead(again.lead.id))?.externalId).toBe('x1');
  });

  it('a refused change is never written later: no checkpoint after the failure (quiet time passes) writes what memory still held', async () => {
    const dir = tempDir();
    let store = await open(dir);
    await store.insertLead(draft({ externalId: 'kept' }));
    const unblock = blockJournal(dir);
    await unavailable(store.insertLead(draft({ externalId: 'refused' })));
    await sleep(3_000); // longer than the quiet time after which a store checkpoints
    expect(readFileSync(join(dir, 'leads.json'), 'utf8')).not.toContain('refused');
    unblock();
    await until(() => store.healthy(), 'the store to recover');
    expect((await store.listLeads({})).map((l) => l.externalId)).toEqual(['kept']);
    store = await reopen(store, dir);
    expect((await store.listLeads({})).map((l) => l.externalId)).toEqual(['kept']);
  });

  it('a refused claim leaves the lead open and not held; a refused createRep leaves no rep; after recovery both work and persist', async () => {
    const dir = tempDir();
    let store = await open(dir);
    await store.createRep(makeRep('a'));
    const { lead } = await store.insertLead(draft());

    let unblock = blockJournal(dir);
    await unavailable(store.claim(lead.id, 'a'));
    unblock();
    await until(() => store.healthy(), 'recovery after the claim');
    expect(await store.getLead(lead.id)).toMatchObject({ status: 'open' });
    expect((await store.getLead(lead.id))?.claimedBy).toBeUndefined();
    expect(await store.heldLeads('a')).toEqual([]);
    expect(await store.heldCounts()).toEqual({});
    expect((await store.openLeads(DEFAULT_POOL)).map((l) => l.id)).toEqual([lead.id]);

    unblock = blockJournal(dir);
    await unavailable(store.createRep(makeRep('b')));
    expect(await store.healthy()).toBe(false);
    unblock();
    await until(() => store.healthy(), 'recovery after createRep');
    expect(await store.getRep('b')).toBeNull();
    expect((await store.repByTokenHash(sha('token-b')))?.id ?? null).toBeNull();
    expect((await store.listReps()).map((r) => r.id)).toEqual(['a']);

    // the same calls once the folder takes writes again
    expect(await store.claim(lead.id, 'a')).toMatchObject({ ok: true, lead: { status: 'claimed', claimedBy: 'a' } });
    await store.createRep(makeRep('b'));
    store = await reopen(store, dir);
    expect(await store.getLead(lead.id)).toMatchObject({ status: 'claimed', claimedBy: 'a' });
    expect((await store.repByTokenHash(sha('token-b')))?.id ?? null).toBe('b');
  });

  it('while failed every call is refused; what is never persisted (open tabs) survives the reload', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.createRep(makeRep('a'));
    await store.createRep(makeRep('b'));
    await store.tabOpened('a', 'tab-1');
    await store.tabOpened('b', 'tab-2');
    const { lead } = await store.insertLead(draft());

    const unblock = blockJournal(dir);
    await unavailable(store.setAway('a', true));
    const calls: (() => Promise<unknown>)[] = [
      () => store.ensureSecret('manager', 'h'),
      () => store.listPools(),
      () => store.getPool(DEFAULT_POOL),
      () => store.createPool(makePool('p2')),
      () => store.setMode(DEFAULT_POOL, 'cherry-pick'),
      () => store.listFeeds(),
      () => store.getRep('a'),
      () => store.listReps(),
      () => store.heldCounts(),
      () => store.tabOpened('a', 'tab-3'),
      () => store.onlinePresence(),
      () => store.getLead(lead.id),
      () => store.openLeads(DEFAULT_POOL),
      () => store.claim(lead.id, 'a'),
      () => store.pull('a'),
      () => store.runDue(),
      () => store.sweepPresence(),
    ];
    for (const call of calls) await unavailable(call());
    // a tab that closes meanwhile is forgotten (the call is still refused)
    await unavailable(store.tabClosed('b', 'tab-2'));

    unblock();
    await until(() => store.healthy(), 'recovery');
    // away was refused: a is online and available; b's tab closed during the failure
    expect(await store.onlinePresence()).toEqual({ a: 'available' });
    expect((await store.getRep('a'))?.away).toBe(false);
    expect(await store.getPool(DEFAULT_POOL)).toMatchObject({ mode: 'shark-tank' });
  });

  it('batches leave no temp file and no manifest; after a close the files alone hold everything (no journal)', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.createRep(makeRep('a'));
    const { lead } = await store.insertLead(draft());
    await store.claim(lead.id, 'a');
    await store.deleteRep('a'); // reps, pool and a shard in one batch
    expect(leftovers(dir)).toEqual([]);
    expect(readdirSync(dir)).toContain('journal.ndjson');
    await store.close();
    expect(leftovers(dir)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([
      'events-0.json',
      'feeds.json',
      'forms.json',
      'leads.json',
      'pool.json',
      'reps.json',
      'webhooks.json',
    ]);
    // the file format is lowdb's: one JSON object per file
    expect(JSON.parse(readFileSync(join(dir, 'leads.json'), 'utf8')).leads[0]).toMatchObject({ id: lead.id, status: 'open' });
  });
});

describe('embedded store: crash in the middle of a batch', () => {
  /** A folder holding lead `before`, and the files as they are once lead `after` is added (written elsewhere). */
  async function beforeAndAfter() {
    const dir = tempDir();
    let store = await open(dir);
    const before = await store.insertLead(draft({ externalId: 'before' }));
    await store.close();
    const next = tempDir();
    cpSync(dir, next, { recursive: true });
    store = await open(next);
    const after = await store.insertLead(draft({ externalId: 'after' }));
    await store.close();
    const content = (f: string) => readFileSync(join(next, f), 'utf8');
    return { dir, before: before.lead, after: after.lead, leads: content('leads.json'), pool: content('pool.json') };
  }

  it('a leftover manifest with complete temp files is rolled forward at start (also when some were renamed already)', async () => {
    const s = await beforeAndAfter();
    // the crash came after the manifest and the rename of pool.json, before leads.json's
    writeFileSync(join(s.dir, 'leads.json.tmp'), s.leads);
    writeFileSync(join(s.dir, 'pool.json'), s.pool);
    writeFileSync(join(s.dir, 'commit.json'), JSON.stringify({ renames: ['leads.json', 'pool.json'] }));
    const store = await open(s.dir);
    expect(leftovers(s.dir)).toEqual([]);
    expect((await store.listLeads({})).map((l) => l.externalId)).toEqual(['after', 'before']);
    expect(await store.getLead(s.after.id)).toMatchObject({ status: 'open' });
    // the acceptance counter came with it: the next lead is the third
    const third = await store.insertLead(draft());
    await store.close();
    const stored = JSON.parse(readFileSync(join(s.dir, 'leads.json'), 'utf8')).leads as { id: string; seq: number }[];
    expect(stored.find((l) => l.id === third.lead.id)?.seq).toBe(3);
  });

  it('temp files without a manifest (the crash came before the commit point) are removed and change nothing', async () => {
    const s = await beforeAndAfter();
    writeFileSync(join(s.dir, 'leads.json.tmp'), s.leads);
    writeFileSync(join(s.dir, 'pool.json.tmp'), s.pool.slice(0, 10)); // torn
    writeFileSync(join(s.dir, 'commit.json.tmp'), '{"renames":["leads.json"');
    const leadsBefore = readFileSync(join(s.dir, 'leads.json'));
    const store = await open(s.dir);
    expect(leftovers(s.dir)).toEqual([]);
    expect((await store.listLeads({})).map((l) => l.externalId)).toEqual(['before']);
    expect(await store.getLead(s.after.id)).toBeNull();
    expect(readFileSync(join(s.dir, 'leads.json')).equals(leadsBefore)).toBe(true);
  });

  it('a manifest that cannot be read stops the start (StoreCorruptError) and is left as it is', async () => {
    const s = await beforeAndAfter();
    writeFileSync(join(s.dir, 'leads.json.tmp'), s.leads);
    writeFileSync(join(s.dir, 'commit.json'), '{"renames": "everything"}');
    const store = new EmbeddedStore(s.dir);
    await expect(store.init()).rejects.toBeInstanceOf(StoreCorruptError);
    expect(readFileSync(join(s.dir, 'commit.json'), 'utf8')).toBe('{"renames": "everything"}');
    expect(existsSync(join(s.dir, 'leads.json.tmp'))).toBe(true);
  });
});

describe('group commit after a failure', () => {
  it('a batch that failed after its commit point is acknowledged; the one behind it is refused, and so is every write until reset()', async () => {
    const failures: unknown[] = [];
    let fail: Error | null = null;
    const commit = new GroupCommit<string>(
      async () => {
        await sleep(20);
        if (fail) throw fail;
      },
      (err) => failures.push(err),
    );
    fail = new CommitIncompleteError('renames failed after the manifest');
    const first = commit.write(['a']);
    await new Promise((r) => setImmediate(r));
    const behind = commit.write(['b']);
    await expect(first).resolves.toBeUndefined();
    await unavailable(behind);
    expect(failures).toHaveLength(1);
    await unavailable(commit.write(['c']));
    fail = null;
    commit.reset();
    await expect(commit.write(['d'])).resolves.toBeUndefined();
  });
});

// ---- real file systems: a full disk and a read-only one (needs mount: root) ---------------

function canMount(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'leadpool-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const mountable = canMount();
afterAll(() => {
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
});

function tmpfs(size: string): string {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the file system holding `dir` (the filler sits next to the data folder). */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  mkdirSync(filler);
  for (const chunk of [65_536, 4_096, 1]) {
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(filler, `${chunk}-${i}`), Buffer.alloc(chunk, 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        break;
      }
    }
  }
  return filler;
}

describe.skipIf(!mountable)('embedded store on a real file system that fails (tmpfs)', () => {
  it('disk full: refused leads are not stored; when space is back the store reloads and takes writes', async () => {
    const mount = tmpfs('1m');
    const dir = join(mount, 'data');
    let store = await open(dir);
    await store.createRep(makeRep('a'));
    const kept = await store.insertLead(draft({ externalId: 'kept' }));

    const filler = fill(mount);
    // A journal line may still fit in the slack of the journal's last page: those leads are
    // acknowledged and kept; the first one that does not fit is refused, and every one after it.
    const acknowledged: string[] = [];
    let refusedFrom = -1;
    for (let i = 0; i < 400 && refusedFrom < 0; i++) {
      const externalId = `full-${i}`;
      try {
        await store.insertLead(draft({ externalId, company: 'x'.repeat(500) }));
        acknowledged.push(externalId);
      } catch (err) {
        expect(err).toBeInstanceOf(StoreUnavailableError);
        refusedFrom = i;
      }
    }
    expect(refusedFrom).toBeGreaterThanOrEqual(0);
    await unavailable(store.insertLead(draft({ externalId: 'after-the-refusal' })));
    expect(await store.healthy()).toBe(false);
    await sleep(100);
    expect(await store.healthy()).toBe(false); // still full

    rmSync(filler, { recursive: true });
    await until(() => store.healthy(), 'recovery once space is back');
    const stored = [...acknowledged].reverse().concat('kept');
    expect((await store.listLeads({ limit: 500 })).map((l) => l.externalId)).toEqual(stored);
    const after = await store.insertLead(draft({ externalId: 'after' }));
    expect(await store.claim(kept.lead.id, 'a')).toMatchObject({ ok: true });
    store = await reopen(store, dir);
    expect((await store.listLeads({ limit: 500 })).map((l) => l.externalId)).toEqual(['after', ...stored]);
    expect(await store.getLead(after.lead.id)).toMatchObject({ status: 'open' });
    expect(await store.getLead(kept.lead.id)).toMatchObject({ status: 'claimed', claimedBy: 'a' });
  });

  it('read-only: a refused rep does not exist (no token) and a refused claim holds nothing; read-write again: they work', async () => {
    const mount = tmpfs('1m');
    const dir = join(mount, 'data');
    let store = await open(dir);
    await store.createRep(makeRep('a'));
    const { lead } = await store.insertLead(draft());

    execFileSync('mount', ['-o', 'remount,ro', mount]);
    await unavailable(store.createRep(makeRep('b')));
    expect(await store.healthy()).toBe(false);
    await sleep(100);
    await unavailable(store.claim(lead.id, 'a'));
    expect(await store.healthy()).toBe(false);

    execFileSync('mount', ['-o', 'remount,rw', mount]);
    await until(() => store.healthy(), 'recovery once writable');
    expect(await store.getRep('b')).toBeNull();
    expect((await store.repByTokenHash(sha('token-b')))?.id ?? null).toBeNull();
    expect(await store.getLead(lead.id)).toMatchObject({ status: 'open' });
    await store.createRep(makeRep('b'));
    expect(await store.claim(lead.id, 'b')).toMatchObject({ ok: true });
    store = await reopen(store, dir);
    expect((await store.repByTokenHash(sha('token-b')))?.id ?? null).toBe('b');
    expect(await store.getLead(lead.id)).toMatchObject({ status: 'claimed', claimedBy: 'b' });
  });
});

function makePool(id: string): PoolRecord {
  return { id, name: id, mode: 'shark-tank', settings: structuredClone(DEFAULT_SETTINGS), rules: [], createdAt: new Date().toISOString() };
}
