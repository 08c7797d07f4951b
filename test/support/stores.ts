// The stores the socket suites run against: `describe.each(stores)`. Each factory starts a
// fresh in-process server with its own empty store (a temp lowdb folder, or a random key
// prefix in Redis) and returns it; `close()` stops it.
import { startInProcess, type InProcessServer } from './server.js';

export interface StoreFactory {
  name: string;
  start(): Promise<InProcessServer>;
  /** Called once after the suite (stops a Redis started for it). */
  teardown?(): Promise<void>;
}

export const embedded: StoreFactory = {
  name: 'embedded',
  start: () => startInProcess(),
};

export const stores: StoreFactory[] = [embedded];
