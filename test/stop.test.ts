// Stopping the way process managers do: SIGTERM to the `npm start` process (what
// `docker stop` and systemd send) stops the server gracefully, and no server is left
// serving as an orphan.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/server.js';

const ROOT = resolve(import.meta.dirname, '..');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  } catch {
    return false;
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('stopping npm start', () => {
  it('SIGTERM to the npm process stops the server gracefully: it shuts down and stops answering', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEADPOOL_DATA: tempDir(), NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    try {
      expect(await until(() => healthy(port), 60_000)).toBe(true);
      npm.kill('SIGTERM');
      expect(await until(async () => !(await healthy(port)), 10_000)).toBe(true);
      // The log line reaches this pipe on its own schedule: wait for it rather than race it.
      expect(await until(async () => output.includes('SIGTERM: shutting down'), 10_000), output).toBe(true);
    } finally {
      npm.kill('SIGKILL');
    }
  }, 90_000);
});
