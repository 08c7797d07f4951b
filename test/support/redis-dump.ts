// Writes a JSON key dump (test/fixtures/v1/redis-dump.json) into a Redis: how the migration
// tests recreate what an older version left in Redis.
import { readFileSync } from 'node:fs';
import { createClient } from 'redis';

type DumpedKey =
  | { type: 'string'; value: string }
  | { type: 'hash'; value: Record<string, string> }
  | { type: 'set'; value: string[] }
  | { type: 'zset'; value: { value: string; score: number }[] }
  | { type: 'list'; value: string[] };

export async function restoreDump(url: string, file: string): Promise<number> {
  const { keys } = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, DumpedKey> };
  const client = createClient({ url });
  await client.connect();
  try {
    for (const [key, entry] of Object.entries(keys)) {
      await client.del(key);
      if (entry.type === 'string') await client.set(key, entry.value);
      else if (entry.type === 'hash') await client.hSet(key, entry.value);
      else if (entry.type === 'set') await client.sAdd(key, entry.value);
      else if (entry.type === 'zset') await client.zAdd(key, entry.value);
      else await client.rPush(key, entry.value);
    }
    return Object.keys(keys).length;
  } finally {
    await client.close();
  }
}
