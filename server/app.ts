// Wires the parts into one server process: store, credentials, service, HTTP, Socket.IO
// (with the Redis adapter in cluster mode). `main.ts` runs it; tests start it directly.
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { Credentials, type GeneratedSecrets } from './auth.js';
import type { Config } from './config.js';
import { Fanout } from './realtime/fanout.js';
import { createService, type Service } from './service/index.js';
import type { Logger } from './service/logger.js';
import { createStore } from './store/index.js';
import type { Store } from './store/types.js';
import { createHttpApp } from './transport/http.js';
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

export const consoleLogger = (silent = false): Logger => ({
  info: (msg) => {
    if (!silent) console.log(`${new Date().toISOString()} ${msg}`);
  },
  error: (msg, err) => console.error(`${new Date().toISOString()} ERROR ${msg}`, err ?? ''),
});

export async function createLeadpool(config: Config, log: Logger = consoleLogger(config.log === 'silent')): Promise<Leadpool> {
  const nodeId = randomUUID();
  const store = await createStore(config, nodeId);
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

  const http = createServer();
  // Origins, connection caps, message size and budgets of Socket.IO (transport/socket-guard.ts).
  const guard = new SocketGuard(config);
  const io = new Server(http, guard.serverOptions(config.allowedOrigins));
  if (cluster) io.adapter(cluster.adapter);

  const service = createService(store, new Fanout(io), log);
  const health = async () => (await store.healthy()) && (cluster ? cluster.ready() : true);
  const app = createHttpApp({ service, credentials, log, health, storeKind: store.kind, ingestRate: config.ingestRate, web: webRouter() });
  http.on('request', app);
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
        service.stop();
        // Stop accepting; requests in flight may finish (up to 5 s), idle connections go now.
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        // Close every socket; their tabs leave the store's presence before it closes.
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await service.drain();
        const grace = setTimeout(() => http.closeAllConnections(), 5000);
        await httpClosed;
        clearTimeout(grace);
        await cluster?.close();
        await store.close();
      })()),
  };
}
