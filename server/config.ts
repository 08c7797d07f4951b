// One typed configuration, parsed once from the environment (docs/API.md, "Configuration").
// Everything else receives a Config instead of reading process.env.
import { z } from 'zod';

/** A comma-separated list of browser origins (`https://leads.example.com`), normalized; each must be an http(s) origin. */
const origins = () =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const list = (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return list.map((entry) => {
        const url = URL.canParse(entry) ? new URL(entry) : null;
        if (url && /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username) return url.origin;
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not an origin like https://leads.example.com` });
        return entry;
      });
    });

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LEADPOOL_DATA: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Empty = unset (generated on first start), as for REDIS_URL: `LEADPOOL_MANAGER_TOKEN=` in
  // an env file must not stop the server.
  LEADPOOL_MANAGER_TOKEN: z
    .literal('')
    .transform(() => undefined)
    .or(z.string().min(8, 'LEADPOOL_MANAGER_TOKEN must be at least 8 characters'))
    .optional(),
  LEADPOOL_FEED_KEY: z
    .literal('')
    .transform(() => undefined)
    .or(z.string().min(8, 'LEADPOOL_FEED_KEY must be at least 8 characters'))
    .optional(),
  /** Comma-separated origins allowed besides the server's own (e.g. the Vite dev server). */
  LEADPOOL_ALLOWED_ORIGINS: origins(),
  /** The browser origins of this deployment (comma-separated); unset = the listening address. */
  LEADPOOL_PUBLIC_ORIGIN: origins(),
  // Socket and credential budgets (server/transport/socket-guard.ts); 0 = off.
  LEADPOOL_SOCKET_EVENTS_PER_SECOND: z.coerce.number().min(0).default(100),
  LEADPOOL_REP_EVENTS_PER_SECOND: z.coerce.number().min(0).default(200),
  LEADPOOL_SOCKET_BYTES_PER_SECOND: z.coerce.number().int().min(0).default(2_000_000),
  LEADPOOL_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(1000),
  LEADPOOL_PENDING_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(100),
  LEADPOOL_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /** Key prefix in Redis, so several deployments can share one Redis. */
  LEADPOOL_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('lp'),
  LEADPOOL_LOG: z.enum(['info', 'silent']).default('info'),
  /** The least level logged (pino levels); LEADPOOL_LOG=silent overrides it. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A bearer token for GET /metrics besides the manager token (a scraper need not hold the manager's). */
  LEADPOOL_METRICS_TOKEN: z
    .literal('')
    .transform(() => undefined)
    .or(z.string().min(8, 'LEADPOOL_METRICS_TOKEN must be at least 8 characters'))
    .optional(),
  /** Embedded store: fsync every batch (survives an OS crash or power cut, at a latency cost). */
  LEADPOOL_FSYNC: z
    .enum(['on', 'off', 'true', 'false', '1', '0', ''])
    .default('off')
    .transform((v) => v === 'on' || v === 'true' || v === '1'),
  /** Leads per second one credential may post to this process (burst: twice that); 0 = off. */
  LEADPOOL_INGEST_RATE: z.coerce.number().min(0).default(500),
  /** Webhooks (docs/API.md, Webhooks): how long a receiver has to answer. */
  LEADPOOL_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  /** Webhooks: the delays between attempts (comma-separated ms); after the last one a delivery is failed. */
  LEADPOOL_WEBHOOK_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'comma-separated milliseconds, e.g. 10000,60000')
    .default('10000,60000,300000,1800000,7200000,21600000')
    .transform((v) => v.split(',').map((x) => Number(x.trim()))),
  /** Webhooks: attempts in flight at once on one process. */
  LEADPOOL_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /** Audit events kept at least (both stores; older ones are dropped): docs/API.md, Audit trail. */
  LEADPOOL_AUDIT_MAX_EVENTS: z.coerce.number().int().min(100).max(100_000_000).default(200_000),
  /** Hosted form submissions one address may send per minute to this process; 0 = off. */
  LEADPOOL_FORM_SUBMITS_PER_MINUTE: z.coerce.number().int().min(0).default(10),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  redisUrl: string | undefined;
  redisPrefix: string;
  managerToken: string | undefined;
  feedKey: string | undefined;
  allowedOrigins: string[];
  /** LEADPOOL_PUBLIC_ORIGIN: the origins browsers use; empty = the listening address (and localhost equivalents). */
  publicOrigins: string[];
  /** Budgets of sockets and credentials (docs/API.md, "Budgets"); 0 = off. */
  limits: Limits;
  log: 'info' | 'silent';
  /** pino level; 'silent' when LEADPOOL_LOG=silent. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metricsToken: string | undefined;
  ingestRate: number;
  /** Embedded store: fsync data files and the folder at every batch. */
  fsync: boolean;
  webhooks: WebhookTiming;
  /** Audit events kept at least (LEADPOOL_AUDIT_MAX_EVENTS). */
  auditMaxEvents: number;
  /** Hosted form submissions one address may send per minute to this process (0 = off). */
  formSubmitsPerMinute: number;
}

/** Webhook delivery timing (LEADPOOL_WEBHOOK_*). */
export interface WebhookTiming {
  timeoutMs: number;
  /** The delay before each retry: [after the 1st attempt, after the 2nd, ...]; then failed. */
  retryDelaysMs: number[];
  concurrency: number;
}

export interface Limits {
  /** Events one socket may send per second (burst: twice that). */
  socketEventsPerSecond: number;
  /** Events one rep (all its tabs) or the manager (all its sockets) may send per second on this process (burst: twice that). */
  repEventsPerSecond: number;
  /** Bytes one connection may send per second (burst: eight times that, so a 1 MB payload always fits). */
  socketBytesPerSecond: number;
  /** Engine.IO connections open at once from one address. */
  connectionsPerAddress: number;
  /** Connections from one address not (yet) in /rep or /manager. */
  pendingConnectionsPerAddress: number;
  /** Wrong credentials one address may present per minute (HTTP and sockets together). */
  authFailuresPerMinute: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.LEADPOOL_DATA,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.LEADPOOL_REDIS_PREFIX,
    managerToken: e.LEADPOOL_MANAGER_TOKEN,
    feedKey: e.LEADPOOL_FEED_KEY,
    allowedOrigins: e.LEADPOOL_ALLOWED_ORIGINS,
    publicOrigins: e.LEADPOOL_PUBLIC_ORIGIN,
    limits: {
      socketEventsPerSecond: e.LEADPOOL_SOCKET_EVENTS_PER_SECOND,
      repEventsPerSecond: e.LEADPOOL_REP_EVENTS_PER_SECOND,
      socketBytesPerSecond: e.LEADPOOL_SOCKET_BYTES_PER_SECOND,
      connectionsPerAddress: e.LEADPOOL_CONNECTIONS_PER_ADDRESS,
      pendingConnectionsPerAddress: e.LEADPOOL_PENDING_CONNECTIONS_PER_ADDRESS,
      authFailuresPerMinute: e.LEADPOOL_AUTH_FAILURES_PER_MINUTE,
    },
    log: e.LEADPOOL_LOG,
    logLevel: e.LEADPOOL_LOG === 'silent' ? 'silent' : e.LOG_LEVEL,
    metricsToken: e.LEADPOOL_METRICS_TOKEN,
    ingestRate: e.LEADPOOL_INGEST_RATE,
    fsync: e.LEADPOOL_FSYNC,
    webhooks: {
      timeoutMs: e.LEADPOOL_WEBHOOK_TIMEOUT_MS,
      retryDelaysMs: e.LEADPOOL_WEBHOOK_RETRY_DELAYS_MS,
      concurrency: e.LEADPOOL_WEBHOOK_CONCURRENCY,
    },
    auditMaxEvents: e.LEADPOOL_AUDIT_MAX_EVENTS,
    formSubmitsPerMinute: e.LEADPOOL_FORM_SUBMITS_PER_MINUTE,
  };
}
