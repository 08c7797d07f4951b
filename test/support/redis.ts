// A throwaway redis-server for tests: a free port on 127.0.0.1, no persistence, its own
// temp dir. Never touches the shared 127.0.0.1:6379 and never flushes anything but itself.
// One per test file; tests isolate their keys with a random keyPrefix.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { RedisStore } from '../../server/store/redis/store.js';

export interface TestRedis {
  url: string;
  port: number;
  /** Graceful stop (SHUTDOWN NOSAVE via SIGTERM) and cleanup. */
  stop(): Promise<void>;
  /** SIGKILL: Redis vanishes as in a crash. */
  kill(): Promise<void>;
  /** Kills it if running and starts it again on the same port, with empty data. */
  restart(): Promise<void>;
  /** Whether redis-server is running (not killed or stopped). */
  running(): boolean;
}

const INSTALL_HINT = 'redis-server is required for the Redis tests: install it with `apt-get install -y redis-server`';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something answers +PONG on the port. */
export function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) {
        sock.destroy();
        resolve(buf.startsWith('+PONG'));
      }
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** Resolves once the server answers PING on `port`. */
async function waitReady(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await pings(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not become ready within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(): Promise<TestRedis> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT);

  const port = await freePort();
  let dir = mkdtempSync(join(tmpdir(), 'leadpool-redis-'));
  let child: ChildProcess | null = null;

  const launch = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr += d.toString()));
    proc.on('error', () => {});
    child = proc;
    try {
      await waitReady(port, proc);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
    }
  };

  const killNow = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = null;
    if (!proc) return;
    proc.kill(signal);
    await exited(proc);
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await killNow('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => killNow('SIGKILL'),
    running: () => child !== null,
    restart: async () => {
      await killNow('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      dir = mkdtempSync(join(tmpdir(), 'leadpool-redis-'));
      // The port may sit in TIME_WAIT for a moment; redis-server sets SO_REUSEADDR.
      await launch();
    },
  };
}

/** A random key prefix so tests sharing one redis-server never see each other's keys. */
export function randomPrefix(tag = 't'): string {
  return `${tag}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A test file's own redis-server and a plain client on it (to read and damage keys as an
 * older version or a crash would leave them): started before the file's tests, stopped after.
 * Read `redis` and `raw` inside tests and hooks (they are set by then).
 */
export function useRedisWithClient(): {
  redis: TestRedis;
  raw: ReturnType<typeof createClient>;
  /** A Redis store on this file's redis-server, initialised; closed after the test. */
  open(keyPrefix: string, nodeId?: string): Promise<RedisStore>;
} {
  const opened: RedisStore[] = [];
  const db = {
    async open(keyPrefix: string, nodeId = 'node-a') {
      const store = new RedisStore({ url: db.redis.url, keyPrefix, nodeId });
      opened.push(store);
      await store.init();
      return store;
    },
  } as ReturnType<typeof useRedisWithClient>;
  beforeAll(async () => {
    db.redis = await startRedis();
    db.raw = createClient({ url: db.redis.url });
    await db.raw.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await db.raw?.close();
    await db.redis?.stop();
  });
  return db;
}
