// Atomic batches of file writes for the embedded store: the files of one group commit
// (server/store/group-commit.ts) change on disk together or not at all, so a write that
// fails (disk full, read-only, I/O error) leaves the last durable state as it was, and a
// crash in the middle of a batch never leaves half of it.
//
// One batch, in this order:
//   1. each file is written whole to `<name>.tmp` (and fsynced);
//   2. several files: a manifest naming them is written to `commit.json.tmp` (fsynced) and
//      renamed to `commit.json`; one file: its temp file is renamed onto it;
//   3. (the folder is fsynced.) THIS IS THE COMMIT POINT: before it nothing has changed (the
//      data files are untouched; leftover temp files are ignored and removed at the next
//      load); after it the batch is durable;
//   4. several files: each temp file is renamed onto its file, (the folder fsynced,) and the
//      manifest removed.
// The fsyncs in parentheses are made with `fsync: true` only (LEADPOOL_FSYNC). Without them
// every step is still a completed system call before the batch resolves, so the batch is in
// the kernel's page cache, all or nothing, and survives the death of this process (a kill,
// a crash): the contract's promise. With them it also survives an OS crash or a power cut,
// at the cost of waiting for the disk (several ms per batch).
// A failure before the commit point throws the error as is: nothing changed. A failure
// after it throws CommitIncompleteError: the batch is durable (a leftover manifest is
// rolled forward by recoverBatch at the next load) but the files in place may lag behind.
// recoverBatch, at every load: a manifest is rolled forward (its temp files are complete,
// they were fsynced before it was written; one already renamed is skipped) and removed,
// then every leftover temp file is removed.
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The manifest of a batch of several files: `{ "renames": ["leads.json", "pool.json"] }`. */
export const MANIFEST = 'commit.json';
/** Where a file of a batch is written before it replaces the file. */
export const tempOf = (name: string) => `${name}.tmp`;

/** The data files of the embedded store (embedded-files.ts), and the manifest. */
const BATCH_FILE = /^(?:reps|pool|feeds|forms|webhooks|leads(?:-\d+)?|events-\d+)\.json$/;
const TEMP_FILE = /^(?:reps|pool|feeds|forms|webhooks|leads(?:-\d+)?|events-\d+|commit)\.json\.tmp$/;

/** A file of a batch: its name in the folder and its whole new content. */
export interface BatchFile {
  name: string;
  text: string;
}

/** A write failed after the commit point: the batch is durable, but the folder must be reloaded (recoverBatch). */
export class CommitIncompleteError extends Error {}

/** A manifest that cannot be read: the folder needs a look (never guessed over). */
export class BadManifestError extends Error {}

/** How a batch reaches the disk: `fsync` waits for the device at each step (see the top of this file). */
export interface BatchOptions {
  fsync?: boolean;
}

async function writeDurably(path: string, text: string, fsync = true): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync of the folder itself (the renames and new names in it); a no-op where the platform cannot. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Platforms (or file systems) without a directory fsync: nothing more can be done there.
    if (!['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await fh?.close();
  }
}

/** Writes the files of one batch atomically (see the top of this file); fsync by default. */
export async function writeBatch(dir: string, files: BatchFile[], options: BatchOptions = {}): Promise<void> {
  if (files.length === 0) return;
  const fsync = options.fsync ?? true;
  const sync = fsync ? syncDir : async (_dir: string) => {};
  for (const f of files) if (!BATCH_FILE.test(f.name)) throw new Error(`not a data file: ${f.name}`);
  await Promise.all(files.map((f) => writeDurably(join(dir, tempOf(f.name)), f.text, fsync)));
  if (files.length === 1) {
    const [f] = files;
    await rename(join(dir, tempOf(f.name)), join(dir, f.name));
    try {
      await sync(dir);
    } catch (err) {
      throw new CommitIncompleteError(`the folder fsync after writing ${f.name} failed: ${(err as Error).message}`, { cause: err });
    }
    return;
  }
  const manifestTemp = join(dir, tempOf(MANIFEST));
  await writeDurably(manifestTemp, JSON.stringify({ renames: files.map((f) => f.name) }), fsync);
  await rename(manifestTemp, join(dir, MANIFEST));
  try {
    await sync(dir);
    for (const f of files) await rename(join(dir, tempOf(f.name)), join(dir, f.name));
    await sync(dir);
    await unlink(join(dir, MANIFEST));
  } catch (err) {
    throw new CommitIncompleteError(`completing a committed write failed: ${(err as Error).message}`, { cause: err });
  }
}

const exists = (err: unknown) => (err as NodeJS.ErrnoException).code !== 'ENOENT';

/**
 * Rolls a leftover manifest forward and removes leftover temp files (see the top of this
 * file). Throws BadManifestError for a manifest that cannot be read (left untouched), and
 * the file system's error when the folder cannot be changed.
 */
export async function recoverBatch(dir: string): Promise<void> {
  let manifest: string | null = null;
  try {
    manifest = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (err) {
    if (exists(err)) throw err;
  }
  if (manifest !== null) {
    let renames: unknown;
    try {
      renames = (JSON.parse(manifest) as { renames?: unknown }).renames;
    } catch {
      renames = null;
    }
    if (!Array.isArray(renames) || !renames.every((n) => typeof n === 'string' && BATCH_FILE.test(n))) {
      throw new BadManifestError(`${join(dir, MANIFEST)} is not a commit manifest`);
    }
    for (const name of renames as string[]) {
      try {
        await rename(join(dir, tempOf(name)), join(dir, name));
      } catch (err) {
        if (exists(err)) throw err; // else: renamed before the crash
      }
    }
    await syncDir(dir);
    await unlink(join(dir, MANIFEST));
  }
  const strays = (await readdir(dir)).filter((f) => TEMP_FILE.test(f));
  for (const f of strays) {
    try {
      await unlink(join(dir, f));
    } catch (err) {
      if (exists(err)) throw err;
    }
  }
}

/**
 * Whether the folder takes writes again: each temp path a batch of these files would use
 * is created, written, fsynced and removed (so whatever made a batch fail there, a full
 * disk, a read-only mount, something in the way, makes this fail too).
 */
export async function probeWritable(dir: string, names: string[]): Promise<void> {
  for (const name of [...names, MANIFEST]) {
    const path = join(dir, tempOf(name));
    await writeDurably(path, '{}');
    await unlink(path);
  }
  await syncDir(dir);
}
