// Wires the parts into one server process: store, credentials, service, HTTP, Socket.IO
// (with the Redis adapter in cluster mode), logs and metrics. `main.ts` runs it; tests
// start it directly.
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { Credentials, type GeneratedSecrets } from './auth.js';
import type { Config } from './config.js';
import { createLogger } from './log.js';
import { instrumentStore, trackSockets } from './metrics.js';
import { Fanout } from './realtime/fanout.js';
import { createService, type Service } from './service/index.js';
import type { Logger } from './service/logger.js';
import { createStore } from './store/index.js';
import type { RedisStore } from './store/redis/store.js';
import type { Store } from './store/types.js';
import { createHttpApp } from './transport/http.js';
import { socketIoHeaders } from './transport/security.js';
import { SocketGuard } from './transport/socket-guard.js';
import { attachSockets } from './transport/sockets.js';
import { webRouter } from './transport/web.js';

export interface Leadpool {
  http: HttpServer;
  io: Server;
  store: Store;
  service: Service;
  /** Secrets generated on this start (first start only), to print once. */
  generated: GeneratedSecrets;
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/** How long requests in flight may take to finish once the process stops. */
const SHUTDOWN_GRACE_MS = 5000;

export async function createLeadpool(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Leadpool> {
  const nodeId = randomUUID();
  // Every store call timed and its failures counted (server/metrics.ts).
  const store = instrumentStore(await createStore(config, nodeId));
  await store.init();
  const cluster = config.redisUrl
    ? await (await import('./realtime/redis-adapter.js')).createClusterAdapter(config.redisUrl, { key: `${config.redisPrefix}#io` })
    : null;

  const { credentials, generated } = await Credentials.load(store, {
    managerToken: config.managerToken,
    feedKey: config.feedKey,
    authFailuresPerMinute: config.limits.authFailuresPerMinute,
  });
  // A wiped Redis lost the stored secret hashes: put ours back so every process agrees.
  store.onReset?.(() => void credentials.restore().catch((err) => log.error('restoring credentials failed', err)));

  // The HTTP app answers every request but Socket.IO's: given before Socket.IO attaches,
  // its listener is only called for other paths (engine.io wraps it).
  let app: ReturnType<typeof createHttpApp> | null = null;
  const http = createServer((req, res) => app?.(req, res));
  // Origins, connection caps, message size and budgets of Socket.IO (transport/socket-guard.ts).
  const guard = new SocketGuard(config);
  const io = new Server(http, guard.serverOptions(config.allowedOrigins));
  if (cluster) io.adapter(cluster.adapter);
  // Socket.IO's own HTTP answers (handshake, long-polling) do not pass through express.
  io.engine.on('initial_headers', socketIoHeaders);
  io.engine.on('headers', socketIoHeaders);
  const untrackSockets = trackSockets(io, nodeId);

  const service = createService(store, new Fanout(io, cluster !== null, (err) => log.error('snapshot refresh failed', err)), log, {
    broadcastReady: () => (cluster ? cluster.ready() : true),
    webhooks: config.webhooks,
  });
  const health = async () => (await store.healthy()) && (cluster ? cluster.ready() : true);
  // Redis: a change answered "outcome unknown" that turned out to have happened: resync its clients.
  if (store.kind === 'redis' && 'onLateOutcome' in store) {
    const { decodeReply } = await import('./store/redis/decode.js');
    (store as unknown as RedisStore).onLateOutcome(({ script, reply }) => {
      let result: unknown = reply;
      try {
        result = decodeReply(script, reply);
      } catch {
        // undecodable: the raw reply still names its pools, leads and reps
      }
      service.late.happened(script, result);
    });
  }
  let closing = false;
  app = createHttpApp({
    service,
    credentials,
    log,
    health,
    storeKind: store.kind,
    ingestRate: config.ingestRate,
    web: webRouter(),
    metricsToken: config.metricsToken,
    closing: () => closing,
    forms: { publicOrigin: config.publicOrigins[0], submitsPerMinute: config.formSubmitsPerMinute },
  });
  attachSockets(io, service, credentials, log, guard);
  service.start();

  let closed: Promise<void> | null = null;
  return {
    http,
    io,
    store,
    service,
    generated,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          const address = http.address();
          const port = typeof address === 'object' && address ? address.port : config.port;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          resolve({ port, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}` });
        });
      }),
    close: () =>
      (closed ??= (async () => {
        closing = true; // every answer from now on closes its connection
        service.stop();
        // Stop accepting. Requests in flight finish (their writes reach the store, which
        // closes last) within SHUTDOWN_GRACE_MS; a keep-alive connection closes as soon as
        // it is idle, so its client goes to another process.
        const grace = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
        const sweep = setInterval(() => http.closeIdleConnections(), 50);
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        // Close every socket without a disconnect packet: clients see their transport
        // close and reconnect (to another process behind the load balancer); their tabs
        // leave the store's presence before it closes.
        const ioClosed = new Promise<void>((resolve) => io.close(() => resolve()));
        await service.drain();
        await Promise.all([ioClosed, httpClosed]);
        clearTimeout(grace);
        clearInterval(sweep);
        untrackSockets();
        await cluster?.close();
        await store.close();
      })()),
  };
}
