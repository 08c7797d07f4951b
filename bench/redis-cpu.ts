// Redis's own CPU time, for the benches that count what the servers cost Redis (run.ts,
// connect-cpu.ts): INFO cpu, asked on a connection of the bench's own (one per URL).
import { createClient } from 'redis';

const clients = new Map<string, ReturnType<typeof createClient>>();

/** Redis's CPU time so far (user + system, µs). */
export async function redisCpuMicros(url: string): Promise<number> {
  let client = clients.get(url);
  if (!client) {
    client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
    clients.set(url, client);
  }
  const info = await client.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

/** Closes the connections redisCpuMicros opened (a bench's end). */
export async function closeRedisCpuClients(): Promise<void> {
  await Promise.all([...clients.values()].map((c) => c.quit().catch(() => {})));
  clients.clear();
}
