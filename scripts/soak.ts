// Soak test: `npm run soak -- --reps 1000 --minutes 30` holds that many reps connected
// (one Socket.IO connection each, as browser tabs would) and a steady stream of leads for
// that long, and reports every minute the server's memory and the latencies, with their
// drift from the first minute: a leak or a slowdown shows as a steady climb. Not part of
// `npm test`. `--help` prints the usage below.
//
// Each lead is claimed by one rep (chosen by the lead id), which closes it (`won`) a moment
// later, so caps never fill and every rep keeps receiving every offer. By default the
// script starts its own server (embedded store in a temporary folder, or `--redis <url>`);
// `--url` soaks a running one instead (then give `--manager-token` and `--feed-key`, and
// allow the connections: LEADPOOL_CONNECTIONS_PER_ADDRESS).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { fakeLead } from './fake-leads.js';

const USAGE = `Usage: npm run soak -- [options]

Holds reps connected and a steady stream of leads; reports memory and latency drift.

Options:
  --reps <n>            reps connected, one socket each (default 1000)
  --minutes <n>         how long (default 10)
  --rate <n>            leads per second (default 2)
  --report-every <s>    seconds between reports (default 60)
  --redis <url>         the server it starts uses this Redis (default: embedded store)
  --url <address>       soak a running server instead of starting one
  --manager-token <t>   its manager token (with --url)
  --feed-key <k>        its feed key (with --url)
  -h, --help            show this help`;

function parse() {
  try {
    return parseArgs({
      options: {
        reps: { type: 'string', default: '1000' },
        minutes: { type: 'string', default: '10' },
        rate: { type: 'string', default: '2' },
        'report-every': { type: 'string', default: '60' },
        redis: { type: 'string' },
        url: { type: 'string' },
        'manager-token': { type: 'string', default: process.env.LEADPOOL_MANAGER_TOKEN },
        'feed-key': { type: 'string', default: process.env.LEADPOOL_FEED_KEY },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`soak: ${(err as Error).message.split('\n')[0]} (see npm run soak -- --help)`);
    process.exit(2);
  }
}

const args = parse();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: --${name} must be a positive number`);
    process.exit(2);
  }
  return n;
};
const REPS = Math.floor(positive('reps', args.reps));
const MINUTES = positive('minutes', args.minutes);
const RATE = positive('rate', args.rate);
const REPORT_MS = positive('report-every', args['report-every']) * 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the server ------------------------------------------------------------------------------

interface Target {
  url: string;
  managerToken: string;
  feedKey: string;
  stop(): Promise<number | null>;
}

async function startOwnServer(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadpool-soak-'));
  const managerToken = `soak-manager-${randomBytes(8).toString('hex')}`;
  const feedKey = `soak-feed-${randomBytes(8).toString('hex')}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: resolve(import.meta.dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LEADPOOL_DATA: dataDir,
      LEADPOOL_MANAGER_TOKEN: managerToken,
      LEADPOOL_FEED_KEY: feedKey,
      LOG_LEVEL: 'warn',
      // every rep connects from this one address
      LEADPOOL_CONNECTIONS_PER_ADDRESS: String(REPS + 100),
      ...(args.redis ? { REDIS_URL: args.redis, LEADPOOL_REDIS_PREFIX: `soak-${randomBytes(4).toString('hex')}` } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the server did not start in 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    exited.then((code) => rej(new Error(`the server exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    managerToken,
    feedKey,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      if (code !== 0) console.error(output.split('\n').slice(-20).join('\n'));
      return code;
    },
  };
}

async function target(): Promise<Target> {
  if (!args.url) return startOwnServer();
  if (!args['manager-token'] || !args['feed-key']) {
    console.error('soak: --url needs --manager-token and --feed-key (or LEADPOOL_MANAGER_TOKEN / LEADPOOL_FEED_KEY)');
    process.exit(2);
  }
  return { url: args.url.replace(/\/$/, ''), managerToken: args['manager-token'], feedKey: args['feed-key'], stop: async () => 0 };
}

// ---- measurements -----------------------------------------------------------------------------

class Window {
  posts: number[] = [];
  claims: number[] = [];
  offers: number[] = [];
  posted = 0;
  claimed = 0;
  refused = 0;
  errors = 0;
  closed = 0;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (n: number) => (Number.isNaN(n) ? '   -' : n.toFixed(1).padStart(6));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

/** A few of the server's own figures from /metrics. */
async function serverFigures(t: Target): Promise<{ rss: number; heap: number; lagP99: number; sockets: number }> {
  const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.managerToken}` } });
  const text = await res.text();
  const value = (name: string, filter = '') => {
    let sum = 0;
    for (const line of text.split('\n'))
      if (line.startsWith(name) && line.includes(filter) && !line.startsWith('#')) sum += Number(line.split(' ').at(-1));
    return sum;
  };
  return {
    rss: value('process_resident_memory_bytes '),
    heap: value('nodejs_heap_size_used_bytes '),
    lagP99: value('nodejs_eventloop_lag_p99_seconds ') * 1000,
    sockets: value('leadpool_sockets_connected{', 'namespace="/rep"'),
  };
}

// ---- the soak ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t = await target();
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  console.log(`soak: ${REPS} reps, ${RATE} leads/s, ${MINUTES} min, reports every ${REPORT_MS / 1000} s, server ${t.url}`);

  // Caps and pacing out of the way: the soak measures the server, not the pool's rules.
  await fetch(`${t.url}/api/pool/settings`, {
    method: 'PATCH',
    headers: auth(t.managerToken),
    body: JSON.stringify({ maxActivePerRep: 1000, maxActionsPerSecond: 1000 }),
  });

  const tokens: string[] = [];
  for (let i = 0; i < REPS; i++) {
    const res = await fetch(`${t.url}/api/reps`, {
      method: 'POST',
      headers: auth(t.managerToken),
      body: JSON.stringify({ name: `Soak rep ${i + 1}` }),
    });
    if (res.status !== 201) throw new Error(`POST /api/reps answered ${res.status}: ${await res.text()}`);
    tokens.push(((await res.json()) as { token: string }).token);
  }

  let window = new Window();
  const sockets: Socket[] = [];
  let disconnects = 0;
  const connectStarted = performance.now();
  // In batches: the server caps connections not yet in a namespace per address.
  for (let i = 0; i < REPS; i += 50) {
    await Promise.all(
      tokens.slice(i, i + 50).map(
        (token, k) =>
          new Promise<void>((res, rej) => {
            const index = i + k;
            const socket = io(`${t.url}/rep`, { auth: { token }, transports: ['websocket'], forceNew: true });
            sockets.push(socket);
            socket.once('connect', () => res());
            socket.once('connect_error', (err) => rej(new Error(`rep ${index} could not connect: ${err.message}`)));
            socket.on('disconnect', () => disconnects++);
            socket.on('lead:offered', (view: { id: string; createdAt: string }) => {
              if (hashOf(view.id) % REPS !== index) return;
              // from the store accepting the lead (its createdAt, the server's clock) to this tab
              window.offers.push(Date.now() - Date.parse(view.createdAt));
              const start = performance.now();
              socket
                .timeout(10_000)
                .emitWithAck('lead:claim', { leadId: view.id })
                .then(
                  (answer: { ok: boolean }) => {
                    window.claims.push(performance.now() - start);
                    if (!answer.ok) {
                      window.refused++;
                      return;
                    }
                    window.claimed++;
                    setTimeout(
                      () => {
                        socket
                          .timeout(10_000)
                          .emitWithAck('lead:outcome', { leadId: view.id, outcome: 'won' })
                          .then(
                            () => window.closed++,
                            () => window.errors++,
                          );
                      },
                      500 + Math.random() * 1500,
                    ).unref();
                  },
                  () => window.errors++,
                );
            });
          }),
      ),
    );
  }
  console.log(`soak: ${REPS} reps connected in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`);

  const baseline = await serverFigures(t);
  console.log(`soak: server at start: rss ${mb(baseline.rss)}, heap ${mb(baseline.heap)}, ${baseline.sockets} rep sockets`);
  console.log(
    ' time | posted claimed refused err | post p50/p99 ms | offer p50/p99 ms | claim p50/p99 ms | server rss   heap   lag p99 | drift vs first',
  );

  const endAt = Date.now() + MINUTES * 60_000;
  let stopping = false;
  const poster = (async () => {
    const every = 1000 / RATE;
    let next = performance.now();
    let n = 0;
    while (!stopping && Date.now() < endAt) {
      next += every;
      const start = performance.now();
      fetch(`${t.url}/api/leads`, { method: 'POST', headers: auth(t.feedKey), body: JSON.stringify(fakeLead(n++)) })
        .then(async (res) => {
          const body = (await res.json()) as { lead?: { id: string } };
          window.posts.push(performance.now() - start);
          if (res.status === 201 && body.lead) window.posted++;
          else if (res.status !== 200) window.errors++;
        })
        .catch(() => window.errors++);
      await sleep(Math.max(0, next - performance.now()));
    }
  })();

  const started = Date.now();
  let first: { p50: number; rss: number; heap: number } | null = null;
  let failed = false;
  while (Date.now() < endAt) {
    await sleep(Math.min(REPORT_MS, Math.max(0, endAt - Date.now())));
    const w = window;
    window = new Window();
    let s: Awaited<ReturnType<typeof serverFigures>>;
    try {
      s = await serverFigures(t);
    } catch (err) {
      console.error(`soak: the server does not answer: ${(err as Error).message}`);
      failed = true;
      break;
    }
    const claimP50 = pct(w.claims, 50);
    first ??= { p50: claimP50, rss: s.rss, heap: s.heap };
    const drift = `rss ${s.rss >= first.rss ? '+' : ''}${mb(s.rss - first.rss)}, heap ${s.heap >= first.heap ? '+' : ''}${mb(s.heap - first.heap)}, claim p50 x${(claimP50 / first.p50).toFixed(2)}`;
    console.log(
      `${elapsed(started).padStart(5)} | ${String(w.posted).padStart(6)} ${String(w.claimed).padStart(7)} ${String(w.refused).padStart(7)} ${String(w.errors).padStart(3)} |` +
        ` ${ms(pct(w.posts, 50))} ${ms(pct(w.posts, 99))}   | ${ms(pct(w.offers, 50))} ${ms(pct(w.offers, 99))}    | ${ms(claimP50)} ${ms(pct(w.claims, 99))}    |` +
        ` ${mb(s.rss).padStart(7)} ${mb(s.heap).padStart(6)} ${s.lagP99.toFixed(1).padStart(6)} ms | ${drift}` +
        (s.sockets !== REPS ? ` | ${s.sockets}/${REPS} sockets!` : ''),
    );
    if (w.errors > Math.max(5, w.posted * 0.01)) failed = true;
  }
  stopping = true;
  await poster;
  await sleep(2500); // the last outcomes
  const unexpected = disconnects;
  for (const socket of sockets) socket.close();
  const code = await t.stop();
  const result = failed || unexpected > 0 || code !== 0 ? 'FAILED' : 'ok';
  console.log(`soak: ${result} (server exit ${code}, ${unexpected} unexpected disconnects)`);
  process.exit(result === 'ok' ? 0 : 1);
}

/** m:ss since `since`. */
function elapsed(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A stable small hash of a lead id: which rep claims it. */
function hashOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h;
}

main().catch((err) => {
  console.error(`soak: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
