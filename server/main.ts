// `npm start`: one Leadpool server process. Handles SIGTERM/SIGINT gracefully: stops
// accepting, finishes in-flight writes, closes sockets (clients reconnect elsewhere),
// exits 0. Logs are JSON lines on stdout (server/log.ts); the first start's credentials
// and the "listening on" line are plain text, for the person starting it.
import { createLeadpool } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './log.js';
import { StoreCorruptError } from './store/types.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', reason));
  const leadpool = await createLeadpool(config, log);
  const { url } = await leadpool.listen();
  const where = config.redisUrl ? `redis (${new URL(config.redisUrl).host})` : `embedded (${config.dataDir})`;
  // One write, credentials first: whoever waits for "listening on" has read them too.
  const lines: string[] = [];
  const { managerToken, feedKey } = leadpool.generated;
  if (managerToken || feedKey) {
    lines.push('First start: these credentials are shown once; keep them (or set LEADPOOL_MANAGER_TOKEN / LEADPOOL_FEED_KEY).');
    if (managerToken) lines.push(`  manager token: ${managerToken}`, `  dashboard:     ${url}/manager#token=${managerToken}`);
    if (feedKey) {
      lines.push(`  feed key:      ${feedKey}`);
      lines.push(
        `  try:           curl -X POST ${url}/api/leads -H 'Authorization: Bearer ${feedKey}' -H 'Content-Type: application/json' -d '{"email":"ada@example.com","country":"GB"}'`,
      );
    }
    lines.push('');
  }
  lines.push(`Leadpool listening on ${url} — store: ${where}`);
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`, { signal });
    const started = performance.now();
    leadpool.close().then(
      async () => {
        log.info('stopped', { ms: Math.round(performance.now() - started) });
        await log.flush();
        process.exit(0);
      },
      async (err) => {
        log.error('shutdown failed', err);
        await log.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof StoreCorruptError) console.error(`Leadpool cannot start: ${err.message}`);
  else console.error('Leadpool failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
