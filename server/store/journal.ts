// The embedded store's write-ahead journal: a change is durable once one small line is
// appended here, and the lowdb files are rewritten whole only now and then (a checkpoint),
// off the path of the request. Without it every batch rewrote its files whole (a shard of
// 500 leads, the audit segment, pool.json, reps.json...) through temp files and renames,
// and that write sat between a POST and the lead's offer, and grew with the team.
//
// In the data folder:
//   journal.ndjson      the active journal: one line per group-commit batch, a JSON array
//                       of operations (server/store/embedded-files.ts JournalOp), each line
//                       written by one append (and fdatasync'ed with LEADPOOL_FSYNC)
//   journal-<n>.ndjson  sealed journals: the active one renamed at a checkpoint, removed
//                       once the files written by that checkpoint are durable
// Load: the files, then the sealed journals in order, then the active one, replayed over
// them (every operation is idempotent: an upsert by id, a value set, an event appended
// unless its id is there), then everything folded into the files and the journals removed.
// A last line cut short (a crash in the middle of an append) was never acknowledged and is
// dropped; any other line that cannot be read stops the load (StoreCorruptError).
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, truncateSync } from 'node:fs';
import { open, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const ACTIVE_JOURNAL = 'journal.ndjson';
const SEALED_JOURNAL = /^journal-(\d+)\.ndjson$/;
const sealedName = (n: number) => `journal-${n}.ndjson`;
/** Lines up to this size are appended synchronously (without LEADPOOL_FSYNC); larger ones (an import) off the event loop. */
const SYNC_APPEND_MAX_BYTES = 64 * 1024;

/** A journal line that cannot be read although it is not the torn end of the last one. */
export class BadJournalError extends Error {}

/** The journals of a folder, oldest first: their names and their lines (parsed). */
export function readJournals(dir: string): { names: string[]; lines: unknown[] } {
  const sealed = readdirSync(dir)
    .map((f) => SEALED_JOURNAL.exec(f))
    .filter((m) => m !== null)
    .map((m) => Number(m![1]))
    .sort((a, b) => a - b)
    .map(sealedName);
  const names = [...sealed, ...(existsSync(join(dir, ACTIVE_JOURNAL)) ? [ACTIVE_JOURNAL] : [])];
  const lines: unknown[] = [];
  names.forEach((name, i) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const parts = text.split('\n');
    const tail = parts.pop()!; // '' when the file ends with a newline, as every complete line does
    const lastFile = i === names.length - 1;
    parts.forEach((part, k) => {
      try {
        lines.push(JSON.parse(part));
      } catch {
        // A crash in the middle of the last append leaves that line unterminated, never a
        // complete line that does not parse: only the torn end of the last file is forgiven.
        throw new BadJournalError(`${join(dir, name)}: line ${k + 1} is not a journal entry`);
      }
    });
    if (tail !== '' && !lastFile) throw new BadJournalError(`${join(dir, name)} ends in the middle of a line`);
  });
  return { names, lines };
}

/** Appends batches to the active journal, seals it at checkpoints, removes sealed ones. */
export class Journal {
  /** Bytes in the active journal (what a failed append is cut back to). */
  private activeBytes = 0;
  /** The number the next sealed journal gets. */
  private nextSealed: number;

  constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
  ) {
    // After a load the journals are folded and removed; a number is never reused all the same.
    const taken = readdirSync(dir)
      .map((f) => SEALED_JOURNAL.exec(f))
      .filter((m) => m !== null)
      .map((m) => Number(m![1]));
    this.nextSealed = Math.max(0, ...taken.map((n) => n + 1));
  }

  get bytes(): number {
    return this.activeBytes;
  }

  /**
   * One batch, durable when this resolves (in the page cache, so it survives the death of
   * the process; with fsync also an OS crash). A failure cuts the journal back to what it
   * held, so the refused batch is not replayed at the next load. The file is opened for
   * each append, so a journal moved or replaced meanwhile is never written blind.
   */
  async append(line: string): Promise<void> {
    const path = join(this.dir, ACTIVE_JOURNAL);
    const before = this.activeBytes;
    const data = Buffer.from(line, 'utf8');
    if (!this.fsync && data.length <= SYNC_APPEND_MAX_BYTES) {
      // A small line into the page cache: open, write, close take microseconds, less than
      // the three trips through the thread pool and their promises (a connecting tab's
      // presence is such a line).
      try {
        appendFileSync(path, data);
      } catch (err) {
        try {
          truncateSync(path, before);
        } catch {}
        throw err;
      }
      this.activeBytes += data.length;
      return;
    }
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      fh = await open(path, 'a');
      // writeFile writes until every byte is out (a full disk can take a short write without an error)
      await fh.writeFile(data);
      if (this.fsync) await fh.datasync();
      this.activeBytes += data.length;
    } catch (err) {
      await truncate(path, before).catch(() => {});
      throw err;
    } finally {
      await fh?.close().catch(() => {});
    }
  }

  /**
   * Renames the active journal to the next sealed name (synchronously: no append can come
   * between the state a checkpoint snapshots and the journal it replaces). Its number, or
   * null when there was nothing to seal.
   */
  seal(): number | null {
    if (!existsSync(join(this.dir, ACTIVE_JOURNAL))) return null;
    const n = this.nextSealed++;
    renameSync(join(this.dir, ACTIVE_JOURNAL), join(this.dir, sealedName(n)));
    this.activeBytes = 0;
    return n;
  }

  /** Removes the sealed journals up to `n`: a checkpoint made them redundant. */
  async removeSealed(upTo: number): Promise<void> {
    for (const f of readdirSync(this.dir)) {
      const m = SEALED_JOURNAL.exec(f);
      if (m && Number(m[1]) <= upTo) await unlink(join(this.dir, f));
    }
  }

  /** Whether the active journal takes appends (a recovering store probes before it reloads). */
  static probe(dir: string): void {
    closeSync(openSync(join(dir, ACTIVE_JOURNAL), 'a'));
  }
}
