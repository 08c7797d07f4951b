// Redis faults for the store tests: a throwaway redis-server that accepts DEBUG (DEBUG SLEEP
// stalls it) and a TCP proxy between the store and it that can hold what the store sends,
// drop what Redis answers, cut connections and refuse new ones. Never touches the shared
// 127.0.0.1:6379. (test/support/redis.ts startRedis, the shared starter, has no DEBUG.)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pings } from './redis.js';

export interface DebugRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** redis-server on a free port, no persistence, DEBUG allowed from local connections. */
export async function startDebugRedis(): Promise<DebugRedis> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error('redis-server is required: apt-get install -y redis-server');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-redis-debug-'));
  // biome-ignore format: one option per line
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no',
    '--loglevel', 'warning', '--logfile', '', '--enable-debug-command', 'local',
  ];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d.toString()));
  child.on('error', () => {});
  const deadline = Date.now() + 10_000;
  while (!(await pings(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Link {
  client: Socket;
  server: Socket;
  /** Bytes from the client not forwarded (hold). */
  held: Buffer[];
  holding: boolean;
  /** Replies from Redis dropped (swallow). */
  swallowing: boolean;
}

export interface FaultProxy {
  url: string;
  /** The connections open now: what they send from now on is kept, not forwarded (new connections pass). */
  hold(): void;
  /** The connections open now: what Redis answers on them from now on is dropped. */
  swallowReplies(): void;
  /** Closes every connection open now (the client sees its connection drop). */
  cut(): void;
  /** New connections are closed at once (Redis unreachable) until accept(). */
  refuse(): void;
  accept(): void;
  /** Sends what was held to Redis on a new connection (a late delivery); resolves with what Redis answered. */
  deliverHeld(): Promise<string>;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`port` whose connections can be stalled, deafened and cut. */
export async function startFaultProxy(port: number): Promise<FaultProxy> {
  const links = new Set<Link>();
  const held: Buffer[] = [];
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    const link: Link = { client, server: upstream, held: [], holding: false, swallowing: false };
    links.add(link);
    client.on('data', (d) => {
      if (link.holding) held.push(d);
      else upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!link.swallowing) client.write(d);
    });
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyPort = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${proxyPort}`,
    hold: () => {
      for (const l of links) l.holding = true;
    },
    swallowReplies: () => {
      for (const l of links) l.swallowing = true;
    },
    cut: () => {
      for (const l of [...links]) {
        links.delete(l);
        l.client.destroy();
        l.server.destroy();
      }
    },
    refuse: () => {
      refusing = true;
    },
    accept: () => {
      refusing = false;
    },
    deliverHeld: () =>
      new Promise((resolve, reject) => {
        const sock = connect(port, '127.0.0.1');
        let answer = '';
        sock.on('connect', () => sock.write(Buffer.concat(held.splice(0))));
        sock.on('data', (d) => {
          answer += d.toString();
        });
        sock.on('error', reject);
        setTimeout(() => {
          sock.destroy();
          resolve(answer);
        }, 300);
      }),
    close: async () => {
      for (const l of links) {
        l.client.destroy();
        l.server.destroy();
      }
      await new Promise((r) => server.close(r));
    },
  };
}
