// Group commit for the embedded store's files: every change made while a write is in
// flight is covered by the next write, so one batch write acknowledges many changes and
// ingest stays fast. A caller's promise resolves only after a batch that started after its
// change is durable (the batch writer: server/store/batch-files.ts writeBatch).
//
// A batch that fails: `onFailure` runs first, synchronously in the continuation that learns
// of the failure (the store stops serving its memory, which holds changes that are not on
// disk), then the callers of that batch and of the batch pending behind it (its changes
// were made on top) are rejected with StoreUnavailableError, and every later write() is
// refused until reset() (the store reloaded the durable state). A batch that failed after
// its commit point (CommitIncompleteError) is durable: its callers are acknowledged, the
// store still reloads.
import { CommitIncompleteError } from './batch-files.js';
import { StoreUnavailableError } from './types.js';

interface Batch<T> {
  files: Set<T>;
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T> {
  private running: Promise<void> | null = null;
  private pending: Batch<T> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly writeBatch: (files: T[]) => Promise<void>,
    private readonly onFailure: (err: unknown) => void = () => {},
  ) {}

  write(files: T[]): Promise<void> {
    if (this.failure !== null) return Promise.reject(refused(this.failure));
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

  /** Nothing pending or being written. */
  get idle(): boolean {
    return !this.running && !this.pending;
  }

  /** Writes are taken again (after a failure, once the store reloaded the durable state). */
  reset(): void {
    this.failure = null;
  }

  private startPending(): void {
    const batch = this.pending;
    if (!batch || this.running || this.failure !== null) return;
    this.pending = null;
    this.running = this.writeBatch([...batch.files])
      .then(
        () => batch.resolve(),
        (err: unknown) => {
          this.failure = err;
          const behind = this.pending;
          this.pending = null;
          this.onFailure(err);
          if (err instanceof CommitIncompleteError) batch.resolve();
          else batch.reject(new StoreUnavailableError(`writing the data files failed: ${(err as Error).message}`, { cause: err }));
          behind?.reject(refused(err));
        },
      )
      .finally(() => {
        this.running = null;
        if (this.pending) this.startPending();
      });
  }
}

function refused(cause: unknown): StoreUnavailableError {
  return new StoreUnavailableError('a data file write failed; the store is reloading its files', { cause });
}
