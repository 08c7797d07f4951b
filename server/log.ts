// The process's logger: pino, JSON lines on stdout, the least level from LOG_LEVEL
// (LEADPOOL_LOG=silent: nothing). Implements the service's Logger (service/logger.ts) and
// adds the one line per HTTP request (transport/http.ts).
//
// Never a token or a contact field: errors are reduced to their type, message, code and
// stack (an error's other properties may hold what a client sent: a body parser's error
// carries the raw body), request lines name the path without its query string, and the
// usual places of secrets and contact data are redacted should anything put them there.
//
// Lines reach stdout asynchronously (StdoutLines): a slow or stuck reader of stdout never
// blocks the event loop, the lines wait in a bounded buffer (beyond it they are dropped and
// counted), and a stopping process waits for them a moment at most (flush), never forever.
import { write } from 'node:fs';
import pino from 'pino';
import type { Config } from './config.js';
import { logLinesDropped } from './metrics.js';
import type { LogFields, Logger } from './service/logger.js';

export type LogLevel = Config['logLevel'];

/** One answered HTTP request. */
export interface RequestLine {
  reqId: string;
  method: string;
  /** The path, without the query string. */
  path: string;
  status: number;
  /** Milliseconds from arrival to the last byte handed to the socket. */
  ms: number;
  /** Who the credential named, when the route checked one. */
  role?: string;
  /** Set when the client went away before the answer was complete. */
  aborted?: boolean;
}

export interface AppLogger extends Logger {
  request(line: RequestLine): void;
  /** Whether request lines (info) are written: callers skip building them otherwise. */
  readonly requests: boolean;
  /** Resolves once every line so far is written (or after a second: stdout may be stuck): call before process.exit. */
  flush(): Promise<void>;
}

const REDACT = [
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'key',
  '*.key',
  'email',
  '*.email',
  'phone',
  '*.phone',
  'name',
  '*.name',
];

/** An error as logged: its type, message, code, stack and causes (messages), nothing else. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { detail: typeof err === 'string' ? err : String(err) };
  const out: Record<string, unknown> = { type: err.constructor?.name ?? 'Error', message: err.message };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (err.stack) out.stack = err.stack;
  const causes: string[] = [];
  for (let c = err.cause, depth = 0; c !== undefined && depth < 5; c = c instanceof Error ? c.cause : undefined, depth++) {
    causes.push(c instanceof Error ? `${c.constructor?.name ?? 'Error'}: ${c.message}` : String(c));
  }
  if (causes.length) out.causes = causes;
  return out;
}

/** Bytes of log lines waiting for stdout beyond which new lines are dropped. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** Log lines to a file descriptor (stdout) through the thread pool, in order, with a bounded buffer. */
export class StdoutLines implements pino.DestinationStream {
  private queue: string[] = [];
  private pending = 0;
  private writing = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly fd = 1,
    private readonly maxPending = MAX_PENDING_BYTES,
  ) {}

  write(line: string): void {
    if (this.pending + line.length > this.maxPending) {
      logLinesDropped.inc();
      return;
    }
    this.queue.push(line);
    this.pending += line.length;
    if (!this.writing) this.next();
  }

  private next(): void {
    if (this.queue.length === 0) {
      this.writing = false;
      for (const done of this.idle.splice(0)) done();
      return;
    }
    this.writing = true;
    const text = this.queue.join('');
    this.queue = [];
    const buf = Buffer.from(text, 'utf8');
    const from = (offset: number) =>
      write(this.fd, buf, offset, buf.length - offset, null, (err, n) => {
        if (err && (err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK')) {
          setTimeout(() => from(offset), 20).unref();
          return;
        }
        if (!err && offset + n < buf.length) return from(offset + n);
        // written, or the reader is gone (EPIPE): either way these lines are done
        this.pending -= text.length;
        this.next();
      });
    from(0);
  }

  /** Resolves once every line so far is written, or after `timeoutMs`. */
  flush(timeoutMs = 1000): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

let stdoutLines: StdoutLines | null = null;

/** One writer of stdout for the process (tests start several servers in one process). */
function processStdout(): StdoutLines {
  if (!stdoutLines) stdoutLines = new StdoutLines();
  return stdoutLines;
}

export function createLogger(level: LogLevel = 'info', destination?: StdoutLines): AppLogger {
  const out = destination ?? processStdout();
  const root = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // labels, not numbers: `"level":"info"`
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    out,
  );
  return {
    info: (msg: string, fields?: LogFields) => root.info(fields ?? {}, msg),
    error: (msg: string, err?: unknown, fields?: LogFields) =>
      root.error({ ...(fields ?? {}), ...(err === undefined || err === '' ? {} : { error: errorFields(err) }) }, msg),
    request: (line: RequestLine) => root.info(line, 'request'),
    get requests() {
      return root.isLevelEnabled('info');
    },
    flush: () => out.flush(),
  };
}
