// What one connecting tab costs the server in CPU, Leadpool against the floor
// (bench/floor-server.ts), without the noise of the full bench: each server on a core of
// its own (taskset, where there is one and two cores or more), the rep clients
// (bench/rep-worker.ts) on the others; rounds of connects then closes, the servers taking
// turns; the first rounds of each server are warm-up. Prints per round and in the median:
// the server's CPU per connect (user / system) and per close, and connect p50.
//
//   npx tsx bench/connect-cpu.ts [--reps 2000] [--rounds 10] [--warm-up 3] [--redis URL] [--prof] [--alloc]
//
// --prof: each server writes V8 CPU profiles (--cpu-prof) to bench/out/prof/connect-<server>-<time>.
// --alloc: also what each server allocates per connect and close (bench/alloc-probe.mjs, V8's
// sampling heap profiler, garbage included), and the call sites where Leadpool allocates
// most; it moves less between runs than CPU time (the sampling adds a little to both CPUs).
//
// With --redis both servers use that Redis (a prefix of their own); what each connect and
// close costs Redis (INFO cpu) is printed beside the server's, not added to it.
import { type ChildProcess, execFileSync, fork, type StdioOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closeRedisCpuClients, redisCpuMicros } from './redis-cpu.js';
import type { Connected } from './rep-worker.js';
import { GUARDS_OFF } from './server-env.js';
import { printUsage } from './usage.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '10' },
    'warm-up': { type: 'string', default: '3' },
    redis: { type: 'string' },
    prof: { type: 'boolean', default: false },
    alloc: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) printUsage(import.meta.filename);
const REPS = Number(opt.reps);
const ROUNDS = Number(opt.rounds);
const WARM_UP = Number(opt['warm-up']);
const WORKERS = 4;
const IN_FLIGHT = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const pinnable = availableParallelism() >= 2 && hasTaskset();
function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
// This process and the workers it forks: every core but the first, which the server gets.
if (pinnable) execFileSync('taskset', ['-a', '-p', '-c', `1-${availableParallelism() - 1}`, String(process.pid)], { stdio: 'ignore' });

/** User and system CPU time (µs) of a process so far, from /proc (Linux's USER_HZ is 100). */
function cpuOf(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 1e4, system: Number(fields[12]) * 1e4 };
}

type Kind = 'leadpool' | 'floor';
interface Server {
  kind: Kind;
  child: ChildProcess;
  url: string;
  tokens: string[];
  dataDir: string;
}

async function start(kind: Kind): Promise<Server> {
  const managerToken = `mgr_${randomBytes(12).toString('hex')}`;
  const prefix = `cpu${randomBytes(4).toString('hex')}`;
  const dataDir = join(tmpdir(), `leadpool-connect-cpu-${prefix}`);
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LEADPOOL_MANAGER_TOKEN: managerToken,
    LEADPOOL_FEED_KEY: `feed_${randomBytes(12).toString('hex')}`,
    ...(opt.redis ? { REDIS_URL: opt.redis, LEADPOOL_REDIS_PREFIX: prefix, FLOOR_PREFIX: prefix } : { LEADPOOL_DATA: dataDir }),
    LOG_LEVEL: 'warn',
    ...GUARDS_OFF,
  };
  const script = kind === 'leadpool' ? 'server/main.ts' : 'bench/floor-server.ts';
  // One folder per server: every thread writes its own profile (tsx's loader runs in a worker).
  const prof = opt.prof ? ['--cpu-prof', '--cpu-prof-dir', join(ROOT, 'bench/out/prof', `connect-${kind}-${Date.now()}`)] : [];
  const args = [...prof, '--import', 'tsx', ...(opt.alloc ? ['--import', './bench/alloc-probe.mjs'] : []), script];
  // An IPC channel for the allocation probe (taskset execs node, which keeps it).
  const stdio: StdioOptions = ['ignore', 'pipe', 'inherit', ...(opt.alloc ? (['ipc'] as const) : [])];
  const child = pinnable
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { cwd: ROOT, env, stdio })
    : spawn(process.execPath, args, { cwd: ROOT, env, stdio });
  let output = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) res(m[1]);
    });
    child.once('exit', () => rej(new Error(`${kind} exited:\n${output}`)));
  });
  const post = async (path: string, body: unknown) => {
    const r = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${managerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`${kind}: POST ${path} answered ${r.status}`);
    return (await r.json()) as { token: string };
  };
  const tokens: string[] = [];
  for (let i = 0; i < REPS; i += 8)
    tokens.push(
      ...(await Promise.all(Array.from({ length: Math.min(8, REPS - i) }, (_, k) => post('/api/reps', { name: `rep ${i + k}` })))).map(
        (r) => r.token,
      ),
    );
  return { kind, child, url, tokens, dataDir };
}

const workers = Array.from({ length: WORKERS }, () =>
  fork(join(ROOT, 'bench/rep-worker.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: 'inherit' }),
);
let seq = 0;
function ask<T>(worker: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve) => {
    const mine = seq++;
    const onMessage = (answer: { seq?: number }) => {
      if (answer.seq !== mine) return;
      worker.off('message', onMessage);
      resolve(answer as T);
    };
    worker.on('message', onMessage);
    worker.send({ ...message, seq: mine });
  });
}

/** What a server allocated in a span (bench/alloc-probe.mjs): bytes in all, and by call site. */
interface Allocated {
  total: number;
  sites: Record<string, number>;
}

/** Sends the server's allocation probe a message and waits for its answer. */
function probe<T>(server: Server, alloc: 'start' | 'stop'): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: { alloc?: T }) => {
      if (answer.alloc === undefined) return;
      server.child.off('message', onMessage);
      resolve(answer.alloc);
    };
    server.child.on('message', onMessage);
    server.child.send({ alloc });
  });
}

interface Round {
  user: number;
  system: number;
  close: number;
  p50: number;
  /** Redis's CPU per connect and per close (µs); NaN without --redis. */
  redisConnect: number;
  redisClose: number;
  /** What the server allocated over the connects and closes; null without --alloc. */
  allocated: Allocated | null;
}

const redisCpu = () => (opt.redis ? redisCpuMicros(opt.redis) : Promise.resolve(Number.NaN));

/** Every rep connects (IN_FLIGHT at a time per worker), then every socket closes. Per tab. */
async function round(server: Server): Promise<Round> {
  const pid = server.child.pid!;
  if (opt.alloc) await probe(server, 'start');
  const redisBefore = await redisCpu();
  const before = cpuOf(pid);
  const shares = workers.map((_, w) => server.tokens.flatMap((token, i) => (i % WORKERS === w ? [{ url: server.url, token }] : [])));
  const connected = await Promise.all(workers.map((w, i) => ask<Connected>(w, { type: 'connect', reps: shares[i], inFlight: IN_FLIGHT })));
  const open = cpuOf(pid);
  const redisOpen = await redisCpu();
  await Promise.all(workers.map((w) => ask(w, { type: 'close' })));
  await sleep(1500); // the closes reach the server
  const closed = cpuOf(pid);
  const redisClosed = await redisCpu();
  const allocated = opt.alloc ? await probe<Allocated>(server, 'stop') : null;
  const failed = connected.reduce((n, c) => n + c.failed, 0);
  if (failed) throw new Error(`${server.kind}: ${failed} connects failed`);
  return {
    user: (open.user - before.user) / REPS,
    system: (open.system - before.system) / REPS,
    close: (closed.user + closed.system - open.user - open.system) / REPS,
    p50: median(connected.flatMap((c) => c.times)),
    redisConnect: (redisOpen - redisBefore) / REPS,
    redisClose: (redisClosed - redisOpen) / REPS,
    allocated,
  };
}

const servers = [await start('leadpool'), await start('floor')];
const results = new Map<Kind, Round[]>(servers.map((s) => [s.kind, []]));
console.log(
  `${REPS} reps, ${WORKERS} client processes with ${IN_FLIGHT} connects in flight each, ${ROUNDS} rounds per server after ${WARM_UP} warm-up rounds; ${pinnable ? 'each server on core 0, the clients on the others' : 'not pinned (no taskset or one core)'}${opt.redis ? `; Redis ${opt.redis}` : '; embedded store'}`,
);
for (let r = 0; r < WARM_UP + ROUNDS; r++) {
  for (const server of servers) {
    const result = await round(server);
    const counted = r >= WARM_UP;
    if (counted) results.get(server.kind)!.push(result);
    console.log(
      `${counted ? 'round' : 'warm-up'} ${r + 1} ${server.kind.padEnd(8)} CPU per connect ${(result.user + result.system).toFixed(0)} µs (user ${result.user.toFixed(0)}, system ${result.system.toFixed(0)}), per close ${result.close.toFixed(0)} µs, connect p50 ${result.p50.toFixed(1)} ms${opt.redis ? `; Redis per connect ${result.redisConnect.toFixed(0)} µs, per close ${result.redisClose.toFixed(0)} µs` : ''}${result.allocated ? `; allocated per connect and close ${kb(result.allocated.total / REPS)}` : ''}`,
    );
  }
}
const summary = (kind: Kind) => {
  const rounds = results.get(kind)!;
  return {
    connect: median(rounds.map((r) => r.user + r.system)),
    close: median(rounds.map((r) => r.close)),
    p50: median(rounds.map((r) => r.p50)),
    redisConnect: median(rounds.map((r) => r.redisConnect)),
    redisClose: median(rounds.map((r) => r.redisClose)),
  };
};
const lp = summary('leadpool');
const floor = summary('floor');
console.log(`\nmedian of ${ROUNDS} rounds:`);
console.log(
  `  CPU per connect: Leadpool ${lp.connect.toFixed(0)} µs, floor ${floor.connect.toFixed(0)} µs, ratio ${(lp.connect / floor.connect).toFixed(2)}`,
);
console.log(
  `  CPU per close:   Leadpool ${lp.close.toFixed(0)} µs, floor ${floor.close.toFixed(0)} µs, ratio ${(lp.close / floor.close).toFixed(2)}`,
);
console.log(
  `  connect p50:     Leadpool ${lp.p50.toFixed(1)} ms, floor ${floor.p50.toFixed(1)} ms, ratio ${(lp.p50 / floor.p50).toFixed(2)}`,
);

if (opt.alloc) {
  // Per connect and close, summed over the counted rounds.
  const perTab = (kind: Kind) => {
    const rounds = results.get(kind)!;
    const sites = new Map<string, number>();
    for (const { allocated } of rounds)
      for (const [site, bytes] of Object.entries(allocated!.sites))
        sites.set(site, (sites.get(site) ?? 0) + bytes / (REPS * rounds.length));
    return { total: median(rounds.map((r) => r.allocated!.total / REPS)), sites };
  };
  const [a, b] = [perTab('leadpool'), perTab('floor')];
  console.log(
    `  allocated per connect and close: Leadpool ${kb(a.total)}, floor ${kb(b.total)}, ratio ${(a.total / b.total).toFixed(2)}\n  where Leadpool allocates most (per connect and close; the floor's at the same site):`,
  );
  for (const [site, bytes] of [...a.sites].sort((x, y) => y[1] - x[1]).slice(0, 25))
    console.log(`    ${kb(bytes).padStart(9)}  ${kb(b.sites.get(site) ?? 0).padStart(9)}  ${site}`);
}

if (opt.redis) {
  console.log(
    `  Redis per connect: Leadpool ${lp.redisConnect.toFixed(0)} µs, floor ${floor.redisConnect.toFixed(0)} µs; per close: Leadpool ${lp.redisClose.toFixed(0)} µs, floor ${floor.redisClose.toFixed(0)} µs`,
  );
  await closeRedisCpuClients();
}

for (const w of workers) w.disconnect();
for (const s of servers) {
  s.child.kill('SIGTERM');
  await new Promise((r) => s.child.once('exit', r));
  rmSync(s.dataDir, { recursive: true, force: true });
}
