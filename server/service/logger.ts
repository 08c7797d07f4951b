// What the service, the transports and the process log through. Implemented by pino
// (server/log.ts): one JSON line per call on stdout. `fields` are extra structured keys
// of the line; never put a token or a contact field (name, email, phone) in a message or
// in fields: log ids (lead, rep, pool, feed, request) instead.
export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  /** `err`: an Error (its type, message, code and stack are logged, nothing else of it) or a short detail. */
  error(msg: string, err?: unknown, fields?: LogFields): void;
}
