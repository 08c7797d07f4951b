// The process's logger: pino, JSON lines on stdout, the least level from LOG_LEVEL
// (LEADPOOL_LOG=silent: nothing). Implements the service's Logger (service/logger.ts) and
// adds the one line per HTTP request (transport/http.ts).
//
// Never a token or a contact field: errors are reduced to their type, message, code and
// stack (an error's other properties may hold what a client sent: a body parser's error
// carries the raw body), request lines name the path without its query string, and the
// usual places of secrets and contact data are redacted should anything put them there.
import pino from 'pino';
import type { Config } from './config.js';
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
  /** Resolves once every line so far is written (lines are written asynchronously): call before process.exit. */
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

export function createLogger(level: LogLevel = 'info', destination?: pino.DestinationStream): AppLogger {
  const root = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // labels, not numbers: `"level":"info"`
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination,
  );
  return {
    info: (msg: string, fields?: LogFields) => root.info(fields ?? {}, msg),
    error: (msg: string, err?: unknown, fields?: LogFields) =>
      root.error({ ...(fields ?? {}), ...(err === undefined || err === '' ? {} : { error: errorFields(err) }) }, msg),
    request: (line: RequestLine) => root.info(line, 'request'),
    get requests() {
      return root.isLevelEnabled('info');
    },
    flush: () => new Promise<void>((resolve) => root.flush(() => resolve())),
  };
}
