// Picks the store: Redis when REDIS_URL is set, else the embedded lowdb store.
import type { Config } from '../config.js';
import { EmbeddedStore } from './embedded.js';
import type { Store } from './types.js';

export async function createStore(config: Config, nodeId: string): Promise<Store> {
  if (config.redisUrl) {
    const { RedisStore } = await import('./redis/store.js');
    return new RedisStore({ url: config.redisUrl, keyPrefix: config.redisPrefix, nodeId, auditMaxEvents: config.auditMaxEvents });
  }
  return new EmbeddedStore(config.dataDir, Date.now, { fsync: config.fsync, auditMaxEvents: config.auditMaxEvents });
}
