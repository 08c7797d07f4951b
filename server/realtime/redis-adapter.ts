// The Socket.IO adapter of a cluster: every process given the same REDIS_URL relays its
// room broadcasts through Redis pub/sub, so code that emits to a room works unchanged on
// one node or many.
//
// Classic adapter (PUBLISH / PSUBSCRIBE), not the sharded one (SPUBLISH / SSUBSCRIBE):
// sharded pub/sub needs Redis >= 7.0 and pays off only on a Redis Cluster, where it keeps
// each channel's traffic on one shard. Leadpool keeps a pool's keys in one hash slot (the
// Lua scripts need them together), so a Redis Cluster would not spread this load anyway,
// while the classic adapter also runs on the Redis 6 that managed services still offer.
// Its request/response channels (fetchSockets, serverSideEmit) work with it as well.
//
// Failure handling (docs/API.md, "Durability" and "Cluster (Redis)"):
// - adapter 8.3 calls `pubClient.publish()` without handling the promise, so a Redis that
//   dies while broadcasts are in flight would be an unhandled rejection (and Node exits):
//   the publish client's publish/sPublish are wrapped to swallow (count) the failure. A
//   lost broadcast is harmless: a client resyncs from the full `pool:state` on reconnect.
// - the subscriber's (re)subscriptions are wrapped likewise (a namespace created while
//   Redis is down subscribes in the adapter's constructor).
// - both clients queue nothing while offline (a broadcast delivered a minute late would be
//   stale), reconnect forever, and have error listeners; node-redis restores the
//   subscriptions on reconnect before reporting ready (proven in test/redis.failure.test.ts).
// - RESP2 on these two connections: the adapter parses `PUBSUB NUMSUB` as a RESP2 array
//   (RESP3, node-redis 6's default, answers a map and its serverCount() would be NaN).
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

export interface ClusterAdapter {
  adapter: ReturnType<typeof createAdapter>;
  /** true only while both the publish and the subscribe connections are ready. */
  ready(): boolean;
  close(): Promise<void>;
  /** Broadcasts dropped because Redis could not take them (for logs and tests). */
  droppedPublishes(): number;
}

type Client = { isOpen: boolean; isReady: boolean; close(): Promise<unknown>; destroy(): void };

function guard(client: object, methods: string[], onFailure: () => void): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function guarded(this: unknown, ...args: unknown[]) {
      let result: unknown;
      try {
        result = original.apply(client, args);
      } catch {
        onFailure();
        return Promise.resolve(undefined);
      }
      if (result && typeof (result as Promise<unknown>).catch === 'function') {
        return (result as Promise<unknown>).catch(() => {
          onFailure();
          return undefined;
        });
      }
      return result;
    };
  }
}

interface ClusterAdapterOptions {
  /**
   * Channel prefix of the adapter (default 'socket.io'). Deployments sharing one Redis under
   * different LEADPOOL_REDIS_PREFIX values must pass different keys (e.g. the prefix), or
   * each would receive the other's broadcasts.
   */
  key?: string;
  /** How long to wait for the first connection. Default 10 s. */
  connectTimeoutMs?: number;
}

export async function createClusterAdapter(url: string, opts: ClusterAdapterOptions = {}): Promise<ClusterAdapter> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const options = {
    url,
    RESP: 2 as const,
    disableOfflineQueue: true,
    // No per-command timeout: a publish's failure is swallowed anyway, and node-redis arms an
    // AbortSignal timer per command, a cost paid on every broadcast.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
    },
  };
  const pub = createClient(options);
  const sub = createClient(options);
  pub.on('error', () => {});
  sub.on('error', () => {});
  let dropped = 0;
  guard(pub, ['publish', 'sPublish', 'PUBLISH', 'SPUBLISH'], () => dropped++);
  guard(
    sub,
    ['subscribe', 'pSubscribe', 'unsubscribe', 'pUnsubscribe', 'SUBSCRIBE', 'PSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE'],
    () => {},
  );
  let timer: NodeJS.Timeout | undefined;
  const connecting = Promise.all([pub.connect(), sub.connect()]);
  connecting.catch(() => {});
  try {
    await Promise.race([
      connecting,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis at ${new URL(url).host} did not answer within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
      }),
    ]);
  } catch (err) {
    pub.destroy();
    sub.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const close = async (c: Client) => {
    if (!c.isOpen) return;
    if (c.isReady) await c.close().catch(() => c.destroy());
    else c.destroy();
  };
  return {
    adapter: createAdapter(pub, sub, opts.key ? { key: opts.key } : {}),
    ready: () => pub.isReady && sub.isReady,
    close: async () => {
      await Promise.all([close(pub), close(sub)]);
    },
    droppedPublishes: () => dropped,
  };
}
