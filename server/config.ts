// One typed configuration, parsed once from the environment (PROTOCOL.md, "Process and
// configuration"). Everything else receives a Config instead of reading process.env.
import { z } from 'zod';

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
  LEADPOOL_ALLOWED_ORIGINS: z.string().optional(),
  /** Key prefix in Redis, so several deployments can share one Redis. */
  LEADPOOL_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('lp'),
  LEADPOOL_LOG: z.enum(['info', 'silent']).default('info'),
  /** Leads per second one credential may post to this process (burst: twice that); 0 = off. */
  LEADPOOL_INGEST_RATE: z.coerce.number().min(0).default(500),
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
  log: 'info' | 'silent';
  ingestRate: number;
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
    allowedOrigins: (e.LEADPOOL_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    log: e.LEADPOOL_LOG,
    ingestRate: e.LEADPOOL_INGEST_RATE,
  };
}
