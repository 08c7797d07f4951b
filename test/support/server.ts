// Test servers. `startServer` runs the real entry point (server/main.ts) in a child
// process, for durability, browser and multi-node tests; `startInProcess` runs the same
// app in the test process on port 0, for fast socket tests. Both use real ports and real
// stores (a temp lowdb folder, or the Redis given in env.REDIS_URL).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLeadpool, type Leadpool } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const tempDir = (prefix = 'leadpool-test-') => mkdtempSync(join(tmpdir(), prefix));

export interface TestServer {
  url: string;
  port: number;
  managerToken: string;
  feedKey: string;
  dataDir: string;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

interface StartOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  managerToken?: string;
  feedKey?: string;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const managerToken = opts.managerToken ?? `mgr_${randomBytes(12).toString('hex')}`;
  const feedKey = opts.feedKey ?? `feed_${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      LEADPOOL_DATA: dataDir,
      LEADPOOL_MANAGER_TOKEN: managerToken,
      LEADPOOL_FEED_KEY: feedKey,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // 'close', not 'exit': the process's last output lines have been read by then.
  const exited = new Promise<number | null>((res) => child.once('close', (code) => res(code)));

  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = () => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const waitExit = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    managerToken,
    feedKey,
    dataDir,
    output: () => output,
    stop: () => waitExit('SIGTERM'),
    kill: async () => {
      await waitExit('SIGKILL');
    },
  };
}

export interface InProcessServer {
  url: string;
  port: number;
  managerToken: string;
  feedKey: string;
  dataDir: string;
  leadpool: Leadpool;
  /** The environment it was started with beyond the defaults (REDIS_URL, prefix, ...). */
  env: Record<string, string>;
  close(): Promise<void>;
}

interface InProcessOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Given to join another server's cluster (same Redis and prefix): its credentials. */
  managerToken?: string;
  feedKey?: string;
}

export async function startInProcess(opts: InProcessOptions = {}): Promise<InProcessServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const managerToken = opts.managerToken ?? `mgr_${randomBytes(12).toString('hex')}`;
  const feedKey = opts.feedKey ?? `feed_${randomBytes(12).toString('hex')}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LEADPOOL_DATA: dataDir,
    LEADPOOL_MANAGER_TOKEN: managerToken,
    LEADPOOL_FEED_KEY: feedKey,
    LEADPOOL_LOG: 'silent',
    ...opts.env,
  });
  const leadpool = await createLeadpool(config);
  const { port, url } = await leadpool.listen();
  return { url, port, managerToken, feedKey, dataDir, leadpool, env: opts.env ?? {}, close: () => leadpool.close() };
}
