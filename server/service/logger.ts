// What the service, the transports and the process log through (app.ts: consoleLogger).
export interface Logger {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}
