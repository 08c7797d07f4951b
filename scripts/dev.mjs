// `npm run dev`: the server (tsx server/main.ts) on PORT (default 3000) and the Vite dev
// server with hot reload on 5173, proxying /api, /healthz and /socket.io to it.
// Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createServer } from 'vite';

const ROOT = resolve(import.meta.dirname, '..');
const PORT = process.env.PORT ?? '3000';
process.env.PORT = PORT;

// The web app comes from the dev server's origin: the server allows its sockets from there.
const LEADPOOL_ALLOWED_ORIGINS = process.env.LEADPOOL_ALLOWED_ORIGINS ?? 'http://localhost:5173,http://127.0.0.1:5173';
const server = spawn(process.execPath, ['--import', 'tsx', '--watch', 'server/main.ts'], {
  cwd: ROOT,
  env: { ...process.env, PORT, LEADPOOL_ALLOWED_ORIGINS },
  stdio: 'inherit',
});

const vite = await createServer({ configFile: resolve(ROOT, 'vite.config.ts') });
await vite.listen();
console.log(`\nLeadpool dev: web app on http://localhost:5173 (server on http://127.0.0.1:${PORT})\n`);
vite.printUrls();

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  await vite.close().catch(() => {});
  const timer = setTimeout(() => {
    server.kill('SIGKILL');
    process.exit(code);
  }, 5000);
  timer.unref();
  if (server.exitCode === null && server.signalCode === null) await new Promise((r) => server.once('exit', r));
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
server.on('exit', (code) => {
  if (!stopping) {
    console.error(`server exited (${code}); stopping the dev server`);
    stop(code ?? 1);
  }
});
