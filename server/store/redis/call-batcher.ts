// Group commit of script calls: what the server asks of Redis in a burst (the tabs of a
// reconnect storm, the claims of a race) goes as few calls. Items submitted in one turn of
// the event loop, or while `inFlight` calls are out, wait for the next call (at most
// `perCall` items each); a lone item is sent at once. Each call costs Redis a fixed part
// (the script's setup, its keys, its op key) and the server a round trip and a decode,
// whatever its items: in a burst the calls fill up by themselves.

interface Waiting<T, R> {
  item: T;
  resolve: (result: R | PromiseLike<R>) => void;
  reject: (err: unknown) => void;
}

export class CallBatcher<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private calls = 0;
  private scheduled = false;

  /** `send` answers one result (or a promise of it) per item, in order; a rejection fails every item of the call. */
  constructor(
    private readonly perCall: number,
    private readonly inFlight: number,
    private readonly send: (items: T[]) => Promise<(R | PromiseLike<R>)[]>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.scheduled && this.calls < this.inFlight) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.waiting.length && this.calls < this.inFlight) {
      const batch = this.waiting.splice(0, this.perCall);
      this.calls++;
      const sent = this.send(batch.map((w) => w.item));
      sent.then(
        (results) => {
          for (const [i, w] of batch.entries()) w.resolve(results[i]);
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      );
      sent
        .catch(() => {})
        .finally(() => {
          this.calls--;
          this.flush();
        });
    }
  }
}
