// Group commit for lowdb files: every change made while a write is in flight is covered
// by the next write, so one file write acknowledges many changes and ingest stays fast.
// A caller's promise resolves only after a write that started after its change completed.
import { StoreUnavailableError } from './types.js';

/** Anything with a write(): a lowdb Low instance. */
export interface Writable {
  write(): Promise<void>;
}

interface Batch {
  files: Set<Writable>;
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private running: Promise<void> | null = null;
  private pending: Batch | null = null;

  write(files: Writable[]): Promise<void> {
    if (!this.pending) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.pending = { files: new Set(), promise, resolve, reject };
      // Start on the next turn of the event loop so a burst of changes shares one write.
      if (!this.running) setImmediate(() => this.startPending());
    }
    for (const f of files) this.pending.files.add(f);
    return this.pending.promise;
  }

  /** Resolves once nothing is pending or being written. */
  async flushed(): Promise<void> {
    while (this.running || this.pending) {
      await (this.running ?? this.pending!.promise).catch(() => {});
    }
  }

  private startPending(): void {
    const batch = this.pending;
    if (!batch || this.running) return;
    this.pending = null;
    this.running = Promise.all([...batch.files].map((f) => f.write()))
      // A failed write (disk full, permissions) is the store being unavailable: nothing is acknowledged.
      .then(
        () => batch.resolve(),
        (err) => batch.reject(new StoreUnavailableError(`writing the data files failed: ${(err as Error).message}`, { cause: err })),
      )
      .finally(() => {
        this.running = null;
        if (this.pending) this.startPending();
      });
  }
}
