// `npm run bench`: Leadpool against its floor. The floor (bench/floor-server.ts) is a bare
// Express + Socket.IO server doing the least possible for the same jobs with the same wire
// names; both run as their own processes, driven by the same rep clients in worker
// processes (bench/rep-worker.ts), in interleaved rounds (warm-up, then A B A B ...).
// Every figure is a ratio to the floor measured in the same run: 1.00 = Leadpool adds
// nothing to what Socket.IO itself costs.
//
//   connect    io() until the first pool:state, per rep (p50)
//   fan-out    POST /api/leads until lead:offered reached every connected rep (p50, p99)
//   claim ack  lead:claim until its ack, racers claiming each lead as it is offered
//   ingest     POST /api/leads, 16 in flight, every lead fanned out and claimed once
//   memory     server heap (after GC) and RSS added per connected rep
//   delivery   lead:offered received / expected (every lead to every connected rep)
// After each round the reps record the outcome of the leads they won (not timed), as reps
// do: no round's snapshots carry leads held from an earlier one, on either server.
//
// Also: the cost of one rep (create, change, GET /api/reps) as the team grows, the Redis
// claim rate through three processes, and `--contested N` (N contested claims, zero double
// wins). `npm run bench -- --help` for the options.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fakeLead, seeded } from '../scripts/fake-leads.js';
import { scaleChart } from './chart.js';
import { benchCsvImport } from './csv-import.js';
import { benchLeadSearch } from './lead-search.js';
import { benchRedisClaimCeiling, CEILING_HEAD, ceilingShape, ceilingTable, SMOKE_SHAPE } from './redis-claim-ceiling.js';
import { closeRedisCpuClients, redisCpuMicros } from './redis-cpu.js';
import type { Connected, Offered, Settled, Stormed, WorkerReport } from './rep-worker.js';
import { GUARDS_OFF } from './server-env.js';

const ROOT = resolve(import.meta.dirname, '..');
// The smoke run (the test suite's) writes apart, so it never overwrites a real run's report.
const outAt = process.argv.indexOf('--out');
const OUT = resolve(ROOT, outAt > 0 ? process.argv[outAt + 1] : process.argv.includes('--smoke') ? 'bench/out/smoke' : 'bench/out');

const HELP = `npm run bench -- [options]
  --reps 500,2000     connected reps per scale point (default 500; --full: 500,2000,5000,10000)
  --rounds N          measured rounds per server after a warm-up (default 2; --full 3)
  --leads N           leads fanned out one at a time per round (default 50)
  --ingest N          leads posted 16 in flight per round (default 300)
  --racers N          reps claiming each fanned-out lead (default 8)
  --mode M            shark-tank (default) or cherry-pick
  --stores LIST       embedded,redis,redis3 (default: all; redis* need redis-server)
  --rep-cost LIST     team sizes for the cost of one rep (default 500; --full 500,10000; 0 = skip)
  --claims SECONDS    Redis claim throughput through three processes, then what a claim costs Redis
                      driven directly (bench/redis-claim-ceiling.ts) (default 5; 0 = skip)
  --contested N       N contested claims through three processes (16 racers per lead), counting double wins
  --extras 0|1        also the 10,000-row CSV import and the 100,000-lead search (default 1; 0 with --smoke)
  --workers N         client processes (default: 2, 4 from 5,000 reps)
  --prof              the servers write V8 CPU profiles to bench/out/prof (--cpu-prof)
  --readme            write the report into README.md (bench markers) and docs/bench-scale.svg
  --publish           only that, from the last run's report.md and scale.svg (in --out)
  --out DIR           where the report goes (default bench/out)
  --full              the full set above
  --smoke             a few reps, one round (the test suite's run)`;

const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string' },
    rounds: { type: 'string' },
    leads: { type: 'string' },
    ingest: { type: 'string' },
    racers: { type: 'string' },
    mode: { type: 'string', default: 'shark-tank' },
    stores: { type: 'string', default: 'embedded,redis,redis3' },
    'rep-cost': { type: 'string' },
    claims: { type: 'string' },
    contested: { type: 'string' },
    workers: { type: 'string' },
    prof: { type: 'boolean', default: false },
    readme: { type: 'boolean', default: false },
    publish: { type: 'boolean', default: false },
    out: { type: 'string' },
    full: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    extras: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}
if (opt.publish) {
  // The run's report where it went (--out), as a run's --readme would.
  const svg = join(OUT, 'scale.svg');
  writeReadme(readFileSync(join(OUT, 'report.md'), 'utf8'), existsSync(svg) ? readFileSync(svg, 'utf8') : null);
  process.exit(0);
}
const list = (s: string) =>
  s
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
const pick = (given: string | undefined, smoke: string, full: string, quick: string) =>
  given ?? (opt.smoke ? smoke : opt.full ? full : quick);
const SCALE = list(pick(opt.reps, '4', '500,2000,5000,10000', '500'));
const ROUNDS = Number(pick(opt.rounds, '1', '3', '2'));
/** The most reps a warm-up round connects, and the connects each server has had before a round counts. */
const WARM_UP_REPS = 2000;
/** The most warm-up rounds of one size. */
const WARM_UP_ROUNDS = 4;
const LEADS = Number(pick(opt.leads, '3', '100', '50'));
const INGEST = Number(pick(opt.ingest, '10', '1000', '300'));
const RACERS = Number(pick(opt.racers, '2', '8', '8'));
const REP_COST = list(pick(opt['rep-cost'], '20', '500,10000', '500'));
const CLAIM_SECONDS = Number(pick(opt.claims, '0', '10', '5'));
const CONTESTED = Number(pick(opt.contested, '200', '0', '0'));
const MODE = opt.mode === 'cherry-pick' ? 'cherry-pick' : 'shark-tank';
const STORES = opt.stores.split(',');
const IN_FLIGHT = 16;

// ---- small helpers -------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
};
const p50 = (xs: number[]) => quantile(xs, 0.5);
const p99 = (xs: number[]) => quantile(xs, 0.99);

async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** The fields of the answers the bench reads. */
interface Body {
  token: string;
  rep: { id: string };
  lead: { id: string };
}

async function http(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; body: Body }> {
  // A kept-alive connection the server closed as it was reused fails before the request
  // reached it (ECONNRESET under load), and an answer can stall on a loaded machine: try
  // again, a few times (a lead posted twice is answered 200 duplicate).
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(method, url, token, body);
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function request(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const res = await fetch(url, {
    method,
    signal: AbortSignal.timeout(60_000),
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

// ---- server processes -----------------------------------------------------------------------

interface Proc {
  url: string;
  child: ChildProcess;
  /** Live memory after a GC, and the CPU time (µs) used before and after that GC (bench/mem-probe.mjs). */
  memory(): Promise<{ heapUsed: number; rss: number; cpuBeforeGc: number; cpuAfterGc: number }>;
  stop(): Promise<void>;
}

async function spawnServer(script: string, env: Record<string, string>, tag: string): Promise<Proc> {
  const memFile = join(tmpdir(), `leadpool-bench-mem-${randomBytes(6).toString('hex')}.json`);
  // One folder per server: every thread writes its own profile (tsx's loader runs in a worker).
  const prof = opt.prof ? ['--cpu-prof', '--cpu-prof-dir', join(OUT, 'prof', `${tag}-${Date.now()}`)] : [];
  const child = spawn(process.execPath, ['--expose-gc', ...prof, '--import', 'tsx', '--import', './bench/mem-probe.mjs', script], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', BENCH_MEM_FILE: memFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${tag} did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    exited.then(() => rej(new Error(`${tag} exited:\n${output}`)));
  });
  return {
    url,
    child,
    async memory() {
      rmSync(memFile, { force: true });
      child.kill('SIGUSR2');
      for (let i = 0; i < 200 && !existsSync(memFile); i++) await sleep(25);
      await sleep(20);
      return JSON.parse(readFileSync(memFile, 'utf8'));
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(memFile, { force: true });
    },
  };
}

/** A process's CPU time so far (user + system, µs), from /proc (0 where there is no /proc). */
function processCpuMicros(pid: number | undefined): number {
  try {
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return 0;
  }
}
/** Linux's USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux port Node runs on. */
const CLOCK_TICKS = 100;

type Kind = 'leadpool' | 'floor';

interface Target {
  kind: Kind;
  procs: Proc[];
  managerToken: string;
  feedKey: string;
  tokens: string[];
  /** The Redis both servers share (Redis targets): its CPU per connect is read from INFO. */
  redisUrl?: string;
}

async function startTarget(kind: Kind, processes: number, redisUrl: string | undefined): Promise<Target> {
  const managerToken = `mgr_${randomBytes(12).toString('hex')}`;
  const feedKey = `feed_${randomBytes(12).toString('hex')}`;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const dataDir = join(tmpdir(), `leadpool-bench-${prefix}`);
  const env: Record<string, string> = {
    LEADPOOL_MANAGER_TOKEN: managerToken,
    LEADPOOL_FEED_KEY: feedKey,
    ...(redisUrl ? { REDIS_URL: redisUrl, LEADPOOL_REDIS_PREFIX: prefix, FLOOR_PREFIX: prefix } : { LEADPOOL_DATA: dataDir }),
    LOG_LEVEL: 'warn',
    ...GUARDS_OFF,
  };
  const script = kind === 'leadpool' ? 'server/main.ts' : 'bench/floor-server.ts';
  const procs: Proc[] = [];
  // One at a time: the first Leadpool process initialises the store.
  for (let i = 0; i < processes; i++) procs.push(await spawnServer(script, env, `${kind}${processes > 1 ? i : ''}`));
  const t: Target = { kind, procs, managerToken, feedKey, tokens: [], redisUrl };
  if (kind === 'leadpool') {
    const url = procs[0].url;
    await http('PATCH', `${url}/api/pool/settings`, managerToken, { maxActivePerRep: 100_000, maxActionsPerSecond: 0 });
    await http('PUT', `${url}/api/pool/mode`, managerToken, { mode: MODE });
  }
  return t;
}

async function addReps(t: Target, total: number): Promise<void> {
  const start = t.tokens.length;
  const made: string[] = new Array(Math.max(0, total - start));
  await pool(made.length, 8, async (i) => {
    const r = await http('POST', `${t.procs[0].url}/api/reps`, t.managerToken, { name: `bench ${start + i}` });
    if (r.status !== 201) throw new Error(`${t.kind}: POST /api/reps answered ${r.status}`);
    made[i] = r.body.token;
  });
  t.tokens.push(...made);
}

let leadSeq = 0;
const rnd = seeded(42);
/** A lead never posted before in this run (the dedupe window must not merge any). */
const nextLead = () => {
  const n = leadSeq++;
  return { ...fakeLead(n, rnd), email: `bench${n}.${Date.now()}@example.com`, phone: undefined };
};

// ---- client processes -------------------------------------------------------------------------

class Worker {
  private readonly child: ChildProcess;
  /** Answers by the `seq` of their question: a worker answers some (storm, offered) out of order. */
  private waiting = new Map<number, (m: unknown) => void>();
  private seq = 0;
  onDone: (leadId: string, last: number) => void = () => {};
  constructor() {
    this.child = fork(join(ROOT, 'bench/rep-worker.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: 'inherit' });
    this.child.on('message', (m: { type: string; leadId: string; last: number; seq?: number }) => {
      if (m.type === 'done') this.onDone(m.leadId, m.last);
      else if (m.seq !== undefined) {
        this.waiting.get(m.seq)?.(m);
        this.waiting.delete(m.seq);
      }
    });
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  ask<T = { type: string }>(m: object): Promise<T> {
    return new Promise((res) => {
      const seq = this.seq++;
      this.waiting.set(seq, res as (m: unknown) => void);
      this.child.send({ ...m, seq });
    });
  }
  stop(): void {
    this.child.disconnect();
  }
}

// ---- one round ----------------------------------------------------------------------------------

interface RoundResult {
  connectMs: number[];
  fanoutMs: number[];
  claimMs: number[];
  ingestPerSec: number;
  heapPerRep: number;
  rssPerRep: number;
  /** CPU time (µs) per connect while the tabs connected: the server's, and Redis's (NaN on the embedded store). */
  connectCpu: number;
  connectRedisCpu: number;
  offers: number;
  expectedOffers: number;
  doubleWins: number;
  failedConnects: number;
}

async function round(t: Target, reps: number, workers: Worker[]): Promise<RoundResult> {
  const W = workers.length;
  const urls = t.procs.map((p) => p.url);
  const single = t.procs.length === 1;
  const before = single ? await t.procs[0].memory() : null;
  const redisBefore = single && t.redisUrl ? await redisCpuMicros(t.redisUrl) : null;
  const shares = workers.map((_, w) =>
    t.tokens.slice(0, reps).flatMap((token, i) => (i % W === w ? [{ url: urls[i % urls.length], token }] : [])),
  );
  const connected = await Promise.all(workers.map((w, i) => w.ask<Connected>({ type: 'connect', reps: shares[i], inFlight: 16 })));
  const connectMs = connected.flatMap((c) => c.times);
  const failedConnects = connected.reduce((n, c) => n + c.failed, 0);
  const live = connectMs.length;
  const redisAfter = redisBefore !== null ? await redisCpuMicros(t.redisUrl!) : null;
  const after = single ? await t.procs[0].memory() : null;

  // Fan-out: one lead at a time, racers claim it as offered; the next lead once every worker is done.
  await Promise.all(workers.map((w, i) => w.ask({ type: 'claims', policy: 'race', k: Math.ceil(RACERS / W), worker: i, workers: W })));
  const fanoutMs: number[] = [];
  const done = new Map<string, { n: number; last: number }>();
  let waitingFor = '';
  let release: () => void = () => {};
  const complete = (id: string) => (done.get(id)?.n ?? 0) === W;
  for (const w of workers)
    w.onDone = (id, last) => {
      const d = done.get(id) ?? { n: 0, last: 0 };
      done.set(id, { n: d.n + 1, last: Math.max(d.last, last) });
      if (id === waitingFor && complete(id)) release();
    };
  for (let i = 0; i < LEADS; i++) {
    const all = new Promise<void>((r) => (release = r));
    const t0 = now();
    const r = await http('POST', `${urls[0]}/api/leads`, t.feedKey, nextLead());
    if (r.status !== 201 && r.status !== 200) throw new Error(`${t.kind}: POST /api/leads answered ${r.status} ${JSON.stringify(r.body)}`);
    waitingFor = r.body.lead.id;
    if (complete(waitingFor)) release();
    const timedOut = await Promise.race([all.then(() => false), sleep(15_000).then(() => true)]);
    if (!timedOut) fanoutMs.push(done.get(waitingFor)!.last - t0);
  }
  for (const w of workers) w.onDone = () => {};
  const raced = await Promise.all(workers.map((w) => w.ask<WorkerReport>({ type: 'report' })));

  // Ingest: 16 posts in flight; each lead claimed once (by the worker its id picks), so the pool stays empty.
  await Promise.all(workers.map((w, i) => w.ask({ type: 'claims', policy: 'one', k: 1, worker: i, workers: W })));
  const ingestStart = performance.now();
  await pool(INGEST, IN_FLIGHT, async () => {
    const r = await http('POST', `${urls[0]}/api/leads`, t.feedKey, nextLead());
    if (r.status !== 201 && r.status !== 200) throw new Error(`${t.kind}: POST /api/leads answered ${r.status} ${JSON.stringify(r.body)}`);
  });
  const ingestPerSec = INGEST / ((performance.now() - ingestStart) / 1000);
  // Wait (bounded) for the offers still on their way, then count.
  const ingested: WorkerReport[] = [];
  for (let waited = 0; waited < 30_000; waited += 200) {
    const reports = await Promise.all(workers.map((w) => w.ask<WorkerReport>({ type: 'report' })));
    ingested.push(...reports);
    const got = ingested.flatMap((rep) => rep.leads).reduce((n, l) => n + l.offers, 0);
    if (got >= INGEST * live) break;
    await sleep(200);
  }

  const leadsOf = (reports: WorkerReport[]) => reports.flatMap((rep) => rep.leads);
  const claimMs = leadsOf(raced).flatMap((l) => l.ackMs);
  const wins = new Map<string, number>();
  for (const l of [...leadsOf(raced), ...leadsOf(ingested)]) wins.set(l.leadId, (wins.get(l.leadId) ?? 0) + l.wins);
  const offers = [...leadsOf(raced), ...leadsOf(ingested)].reduce((n, l) => n + l.offers, 0);

  // The reps record the outcome of what they won (not timed): the next round's snapshots
  // carry no leads held from this one, as the floor's never do, so both do the same work.
  const settled = await Promise.all(workers.map((w) => w.ask<Settled>({ type: 'settle', inFlight: IN_FLIGHT })));
  const unsettled = settled.reduce((n, s) => n + s.failed, 0);
  if (unsettled) console.error(`${t.kind}: ${unsettled} outcomes of won leads were refused or unanswered`);
  await Promise.all(workers.map((w) => w.ask({ type: 'close' })));
  // Let the server take the disconnects (presence) before the next round measures.
  await sleep(300 + reps / 20);
  return {
    connectMs,
    fanoutMs,
    claimMs,
    ingestPerSec,
    heapPerRep: before && after && live ? (after.heapUsed - before.heapUsed) / live : Number.NaN,
    rssPerRep: before && after && live ? (after.rss - before.rss) / live : Number.NaN,
    // The server's CPU from the end of the first probe's GC to the start of the second's, and Redis's meanwhile.
    connectCpu: before && after && live ? (after.cpuBeforeGc - before.cpuAfterGc) / live : Number.NaN,
    connectRedisCpu: redisBefore !== null && redisAfter !== null && live ? (redisAfter - redisBefore) / live : Number.NaN,
    offers,
    expectedOffers: (LEADS + INGEST) * live,
    doubleWins: [...wins.values()].filter((n) => n > 1).length,
    failedConnects,
  };
}

// ---- the ratios ------------------------------------------------------------------------------------

interface Figures {
  connect: number;
  fanoutP50: number;
  fanoutP99: number;
  claimP50: number;
  claimP99: number;
  ingest: number;
  heapPerRep: number;
  rssPerRep: number;
  connectCpu: number;
  connectRedisCpu: number;
  delivery: number;
  doubleWins: number;
}

function figures(rounds: RoundResult[]): Figures {
  const all = (f: (r: RoundResult) => number[]) => rounds.flatMap(f);
  const offers = rounds.reduce((n, r) => n + r.offers, 0);
  const expected = rounds.reduce((n, r) => n + r.expectedOffers + r.failedConnects * (LEADS + INGEST), 0);
  return {
    connect: p50(all((r) => r.connectMs)),
    fanoutP50: p50(all((r) => r.fanoutMs)),
    fanoutP99: p99(all((r) => r.fanoutMs)),
    claimP50: p50(all((r) => r.claimMs)),
    claimP99: p99(all((r) => r.claimMs)),
    ingest: p50(rounds.map((r) => r.ingestPerSec)),
    heapPerRep: p50(rounds.map((r) => r.heapPerRep)),
    rssPerRep: p50(rounds.map((r) => r.rssPerRep)),
    connectCpu: p50(rounds.map((r) => r.connectCpu)),
    connectRedisCpu: p50(rounds.map((r) => r.connectRedisCpu)),
    delivery: expected ? (100 * offers) / expected : 100,
    doubleWins: rounds.reduce((n, r) => n + r.doubleWins, 0),
  };
}

interface Comparison {
  store: string;
  reps: number;
  lp: Figures;
  floor: Figures;
}
const comparisons: Comparison[] = [];
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 1)} ms` : 'n/a');
const kb = (v: number) => (Number.isFinite(v) ? `${(v / 1024).toFixed(1)} KB` : 'n/a');
/** A connect's CPU: the server's, plus Redis's on a Redis target. */
const connectCpuOf = (f: Figures) => f.connectCpu + (Number.isFinite(f.connectRedisCpu) ? f.connectRedisCpu : 0);
const cpuText = (f: Figures) =>
  Number.isFinite(f.connectCpu)
    ? `${connectCpuOf(f).toFixed(0)} µs${Number.isFinite(f.connectRedisCpu) ? ` (Redis ${f.connectRedisCpu.toFixed(0)})` : ''}`
    : 'n/a';
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : 'n/a');

async function compare(store: string, processes: number, redisUrl: string | undefined, save: () => void): Promise<void> {
  if (SCALE.length === 0) return; // `--reps 0`: no floor comparison
  const workerCount = Number(opt.workers ?? (Math.max(...SCALE) >= 5000 ? 4 : 2));
  const workers = Array.from({ length: opt.smoke ? 1 : workerCount }, () => new Worker());
  const [lp, floor] = [await startTarget('leadpool', processes, redisUrl), await startTarget('floor', processes, redisUrl)];
  /** Tabs each server has connected since it started. */
  let connectsSoFar = 0;
  try {
    for (const reps of SCALE) {
      process.stdout.write(`${store}, ${reps} reps: creating reps`);
      await addReps(lp, reps);
      await addReps(floor, reps);
      const results: Record<Kind, RoundResult[]> = { leadpool: [], floor: [] };
      // Warm-up (not counted), then interleaved rounds: A B A B. The warm-up is a round of the
      // same size (up to WARM_UP_REPS: past that both servers are warm from the sizes before),
      // repeated (at most WARM_UP_ROUNDS times) until each server has connected WARM_UP_REPS
      // tabs since it started, so the rounds measure code the JIT has optimised, Leadpool's as
      // much as the floor's (a first size of 500 would otherwise measure a server 500 connects
      // old, and the server with more code the colder). The smoke run warms up once.
      process.stdout.write(', warm-up');
      for (let warmUps = 1; ; warmUps++) {
        await round(lp, Math.min(reps, WARM_UP_REPS), workers);
        await round(floor, Math.min(reps, WARM_UP_REPS), workers);
        connectsSoFar += Math.min(reps, WARM_UP_REPS);
        if (opt.smoke || connectsSoFar >= WARM_UP_REPS || warmUps >= WARM_UP_ROUNDS) break;
      }
      for (let i = 0; i < ROUNDS; i++) {
        process.stdout.write(`, round ${i + 1}`);
        results.leadpool.push(await round(lp, reps, workers));
        results.floor.push(await round(floor, reps, workers));
        connectsSoFar += reps;
      }
      console.log('');
      const c = { store, reps, lp: figures(results.leadpool), floor: figures(results.floor) };
      comparisons.push(c);
      printComparison(c);
      save();
    }
  } finally {
    for (const w of workers) w.stop();
    await Promise.all([...lp.procs, ...floor.procs].map((p) => p.stop()));
  }
}

function comparisonRows(c: Comparison): string[][] {
  const row = (what: string, a: number, b: number, fmt: (v: number) => string, target: string, higherIsBetter = false) => [
    what,
    fmt(a),
    fmt(b),
    higherIsBetter ? ratio(a, b) : ratio(a, b),
    target,
  ];
  return [
    row('connect p50', c.lp.connect, c.floor.connect, ms, '≤ 1.5'),
    row('fan-out p50', c.lp.fanoutP50, c.floor.fanoutP50, ms, '≤ 1.1'),
    row('fan-out p99', c.lp.fanoutP99, c.floor.fanoutP99, ms, '≤ 1.3'),
    row('claim ack p50', c.lp.claimP50, c.floor.claimP50, ms, c.store === 'embedded' ? '≤ 1.2' : '≤ 1.3'),
    row('claim ack p99', c.lp.claimP99, c.floor.claimP99, ms, ''),
    row('ingest', c.lp.ingest, c.floor.ingest, (v) => `${v.toFixed(0)} leads/s`, '≥ 0.8', true),
    row('heap per rep', c.lp.heapPerRep, c.floor.heapPerRep, kb, '≤ 1.5'),
    row('RSS per rep', c.lp.rssPerRep, c.floor.rssPerRep, kb, ''),
    ['CPU per connect', cpuText(c.lp), cpuText(c.floor), ratio(connectCpuOf(c.lp), connectCpuOf(c.floor)), ''],
    ['delivery', `${c.lp.delivery.toFixed(2)} %`, `${c.floor.delivery.toFixed(2)} %`, c.lp.delivery === 100 ? 'ok' : 'LOSS', '100 %'],
  ];
}

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function printComparison(c: Comparison): void {
  console.log(`\n${c.store}, ${c.reps} connected reps (${MODE}):`);
  console.log(table(['measure', 'Leadpool', 'floor', 'ratio', 'target'], comparisonRows(c)));
  if (c.lp.doubleWins || c.floor.doubleWins) console.log(`DOUBLE WINS: Leadpool ${c.lp.doubleWins}, floor ${c.floor.doubleWins}`);
}

// ---- the cost of one rep ------------------------------------------------------------------------

const repCostRows: string[][] = [];

async function repCost(store: string, redisUrl: string | undefined): Promise<void> {
  const t = await startTarget('leadpool', 1, redisUrl);
  const url = t.procs[0].url;
  try {
    for (const size of REP_COST) {
      const sample = Math.min(50, size);
      await addReps(t, size - sample);
      const createMs: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < sample; i++) {
        const s = performance.now();
        const r = await http('POST', `${url}/api/reps`, t.managerToken, { name: `cost ${i}` });
        createMs.push(performance.now() - s);
        ids.push(r.body.rep.id);
        t.tokens.push(r.body.token);
      }
      const changeMs: number[] = [];
      for (const id of ids.slice(0, 20)) {
        const s = performance.now();
        await http('PATCH', `${url}/api/reps/${id}`, t.managerToken, { skills: ['bench'] });
        changeMs.push(performance.now() - s);
      }
      const listMs: number[] = [];
      const pageMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        let s = performance.now();
        await http('GET', `${url}/api/reps`, t.managerToken);
        listMs.push(performance.now() - s);
        s = performance.now();
        await http('GET', `${url}/api/reps?limit=100`, t.managerToken);
        pageMs.push(performance.now() - s);
      }
      const row = [store, String(size), ms(p50(createMs)), ms(p50(changeMs)), ms(p50(listMs)), ms(p50(pageMs))];
      console.log(`rep cost: ${row.join(', ')}`);
      repCostRows.push(row);
    }
  } finally {
    await Promise.all(t.procs.map((p) => p.stop()));
  }
}

// ---- Redis claim rate through three processes -------------------------------------------------------

const claimRows: string[][] = [];
const ceilingRows: string[][] = [];
const STORM_WORKERS = 2;
/** The claim rate: 48 reps; each lead claimed by 2 sockets of each worker (4 racers). */
const RATE_STORM = { reps: 48, perLead: 2 };
/**
 * `--contested`: 16 reps, every one of them (8 sockets of each worker) claims every lead, so
 * each lead created and fanned out carries 16 contested attempts.
 */
const CONTESTED_STORM = { reps: 16, perLead: 8 };
/** Leads per import (one CSV file, one of the three processes in turn). */
const STORM_BATCH = 2000;

const CSV_FIELDS = ['name', 'email', 'company', 'companySize', 'country', 'language', 'industry', 'jobTitle', 'source'] as const;
/** `n` new leads as CSV for the import route; no cell holds `,`, `"` or a line break (the floor splits lines at commas). */
function leadsCsv(n: number): string {
  const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v).replace(/[",\r\n]/g, ' '));
  const lines = [CSV_FIELDS.join(',')];
  for (let i = 0; i < n; i++) {
    const lead = nextLead();
    lines.push(CSV_FIELDS.map((f) => cell(lead[f])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function importCsv(url: string, token: string, csv: string): Promise<{ created: number }> {
  const res = await fetch(`${url}/api/pools/default/leads/import`, {
    method: 'POST',
    signal: AbortSignal.timeout(120_000),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`import answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Claims with many racers over many leads, through three processes on one Redis: the reps
 * spread over the processes and the workers; each lead claimed by `perLead` sockets of every
 * worker at once, a window of leads in flight. Leads come in batches through the CSV import
 * (the processes in turn); the workers collect their ids as offered. The rate counts only the
 * time claiming. `seconds`: batches one after the other until that time has passed (the rate);
 * `attempts`: until that many claims were made, the next batch imported while one is claimed
 * (`--contested`), every lead checked for exactly one winner.
 */
async function claimStorm(kind: Kind, redisUrl: string, limit: { seconds?: number; attempts?: number }): Promise<void> {
  const contested = Boolean(limit.attempts);
  const shape = contested ? CONTESTED_STORM : RATE_STORM;
  const workers = Array.from({ length: STORM_WORKERS }, () => new Worker());
  const t = await startTarget(kind, 3, redisUrl);
  const urls = t.procs.map((p) => p.url);
  try {
    await addReps(t, shape.reps);
    const shares = workers.map((_, w) => t.tokens.flatMap((token, i) => (i % workers.length === w ? [{ url: urls[i % 3], token }] : [])));
    const connected = await Promise.all(workers.map((w, i) => w.ask<Connected>({ type: 'connect', reps: shares[i], inFlight: 16 })));
    await Promise.all(workers.map((w, i) => w.ask({ type: 'claims', policy: 'collect', k: 0, worker: i, workers: workers.length })));
    const racers = connected.reduce((n, c) => n + Math.min(shape.perLead, c.times.length), 0);
    const leadsWanted = contested ? Math.ceil(limit.attempts! / racers) : Number.POSITIVE_INFINITY;
    let leadsAsked = 0;
    let imports = 0;
    let lostOffers = 0;
    const nextBatch = async (): Promise<string[]> => {
      const n = Math.min(STORM_BATCH, leadsWanted - leadsAsked);
      leadsAsked += n;
      const { created } = await importCsv(urls[imports++ % urls.length], t.managerToken, leadsCsv(n));
      if (created !== n) throw new Error(`${kind}: an import of ${n} leads created ${created}`);
      const lists = await Promise.all(workers.map((w) => w.ask<Offered>({ type: 'offered', count: n })));
      lostOffers += n - lists[0].ids.length;
      return lists[0].ids;
    };
    let attempts = 0;
    let errors = 0;
    let leads = 0;
    let doubleWins = 0;
    let unwon = 0;
    let stormMs = 0;
    // CPU spent while claiming (µs): the three servers, Redis, the bench's clients.
    const stormCpuMicros = { servers: 0, redis: 0, clients: 0 };
    const stormCpu = async () => ({
      servers: t.procs.reduce((n, p) => n + processCpuMicros(p.child.pid), 0),
      redis: await redisCpuMicros(redisUrl),
      clients: workers.reduce((n, w) => n + processCpuMicros(w.pid), 0),
    });
    // The rate: a first batch, not counted, warms both servers up (as the rounds' warm-up),
    // its leads checked for double wins like the rest.
    if (!contested) {
      const ids = await nextBatch();
      const storms = await Promise.all(
        workers.map((w) => w.ask<Stormed>({ type: 'storm', leadIds: ids, perLead: shape.perLead, inFlight: 64 })),
      );
      errors += storms.reduce((n, s) => n + s.errors, 0);
      for (const id of ids) if (storms.reduce((n, s) => n + (s.wins[id] ?? 0), 0) > 1) doubleWins++;
    }
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let pending: Promise<string[]> | null = nextBatch();
    while (pending) {
      const ids: string[] = await pending;
      pending = null;
      // Contested: the next batch is imported (and offered) while this one is claimed.
      if (contested && leadsAsked < leadsWanted) pending = nextBatch();
      pending?.catch(() => {}); // awaited in the next turn
      const cpuBefore = stormCpu();
      const storms = await Promise.all(
        workers.map((w) => w.ask<Stormed>({ type: 'storm', leadIds: ids, perLead: shape.perLead, inFlight: 64 })),
      );
      stormMs += Math.max(...storms.map((s) => s.ms));
      const cpuAfter = stormCpu();
      for (const k of ['servers', 'redis', 'clients'] as const) stormCpuMicros[k] += (await cpuAfter)[k] - (await cpuBefore)[k];
      attempts += storms.reduce((n, s) => n + s.attempts, 0);
      errors += storms.reduce((n, s) => n + s.errors, 0);
      leads += ids.length;
      for (const id of ids) {
        const w = storms.reduce((n, s) => n + (s.wins[id] ?? 0), 0);
        if (w > 1) doubleWins++;
        if (w === 0) unwon++;
      }
      if (contested)
        process.stdout.write(
          `\r${kind}: ${attempts} contested claims on ${leads} leads (${racers} racers each), ${doubleWins} double wins, ${unwon} unwon, ${(attempts / seconds()).toFixed(0)}/s, ${seconds().toFixed(0)} s`,
        );
      else if (limit.seconds && seconds() < limit.seconds) pending = nextBatch();
    }
    if (contested) console.log('');
    const rate = attempts / (stormMs / 1000);
    const wall = seconds();
    const row = [
      kind,
      String(racers),
      String(attempts),
      String(leads),
      `${rate.toFixed(0)} claims/s`,
      (['servers', 'redis', 'clients'] as const).map((k) => (stormCpuMicros[k] / attempts).toFixed(0)).join(' / '),
      String(doubleWins),
      String(unwon),
      String(errors + lostOffers),
      `${wall.toFixed(0)} s (${(attempts / wall).toFixed(0)}/s)`,
    ];
    console.log(`claim storm: ${row.join(', ')}`);
    claimRows.push(row);
    if (doubleWins) process.exitCode = 1;
  } finally {
    await Promise.all(workers.map((w) => w.ask({ type: 'close' })));
    for (const w of workers) w.stop();
    await Promise.all(t.procs.map((p) => p.stop()));
  }
}

// ---- standalone benches -------------------------------------------------------------------------------

/**
 * Standalone benches of other features, each `() => Promise<{ what, value }[]>`, printed
 * as their own table. Wire new ones here (e.g. bench/csv-import.ts `benchCsvImport`,
 * bench/lead-search.ts `benchLeadSearch`).
 */
// The store-level figures beside the floor comparison: a 10,000-row CSV import through the
// HTTP route and search over a 100,000-lead store (`--extras 0` leaves them out).
const EXTRAS = pick(opt.extras, '0', '1', '1') === '1';
const STANDALONE: { name: string; run: () => Promise<{ what: string; value: string | number }[]> }[] = EXTRAS
  ? [
      { name: 'CSV import', run: benchCsvImport },
      { name: 'lead search', run: benchLeadSearch },
    ]
  : [];
const standaloneRows: string[][] = [];

// ---- main ----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const machine = `${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'})`;
  console.log(`Leadpool vs floor — ${machine}`);
  mkdirSync(OUT, { recursive: true });
  let redis: { url: string; stop(): Promise<void> } | null = null;
  if (STORES.some((s) => s.startsWith('redis')) || CLAIM_SECONDS || CONTESTED) {
    try {
      const { startRedis } = await import('../test/support/redis.js');
      redis = await startRedis();
    } catch (err) {
      console.log(`(Redis figures skipped: ${(err as Error).message})`);
    }
  }
  // The report so far is written after every part, so a long run stopped early keeps what it measured.
  const save = () => {
    const svg = scaleChart(comparisons);
    writeFileSync(join(OUT, 'report.md'), render(machine));
    if (svg) writeFileSync(join(OUT, 'scale.svg'), svg);
  };
  try {
    if (STORES.includes('embedded')) await compare('embedded', 1, undefined, save);
    if (redis && STORES.includes('redis')) await compare('redis', 1, redis.url, save);
    if (redis && STORES.includes('redis3') && !opt.smoke) await compare('redis ×3', 3, redis.url, save);
    if (REP_COST.length) {
      // Each store only when listed (`--stores redis` measures Redis alone).
      if (STORES.includes('embedded')) await repCost('embedded', undefined);
      if (redis && STORES.some((s) => s.startsWith('redis'))) await repCost('redis', redis.url);
      save();
    }
    if (redis && CLAIM_SECONDS) {
      await claimStorm('leadpool', redis.url, { seconds: CLAIM_SECONDS });
      await claimStorm('floor', redis.url, { seconds: CLAIM_SECONDS });
      ceilingRows.push(...ceilingTable(await benchRedisClaimCeiling(redis.url)));
      save();
    }
    // The smoke run claims no storm but keeps the ceiling's code running.
    if (redis && opt.smoke) ceilingRows.push(...ceilingTable(await benchRedisClaimCeiling(redis.url, SMOKE_SHAPE)));
    if (redis && CONTESTED) await claimStorm('leadpool', redis.url, { attempts: CONTESTED });
    for (const b of STANDALONE) for (const r of await b.run()) standaloneRows.push([b.name, r.what, String(r.value)]);
  } finally {
    await closeRedisCpuClients();
    await redis?.stop();
  }
  const report = render(machine);
  console.log(`\n${report}`);
  save();
  if (opt.readme) writeReadme(report, scaleChart(comparisons));
  process.exit(process.exitCode ?? 0);
}

function render(machine: string): string {
  const parts: string[] = [
    `Measured with \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` — ${machine}.`,
  ];
  parts.push(
    `Mode ${MODE}; per round: ${LEADS} leads fanned out one at a time (${RACERS} racers each), ${INGEST} leads ingested ${IN_FLIGHT} in flight; ${ROUNDS} interleaved round(s) after a warm-up.`,
  );
  if (comparisons.length) {
    const head = [
      'store',
      'reps',
      'connect p50',
      'fan-out p50',
      'fan-out p99',
      'claim p50',
      'claim p99',
      'ingest',
      'heap/rep',
      'connect CPU',
      'delivery',
    ];
    const rows = comparisons.map((c) => {
      const rows = comparisonRows(c);
      return [c.store, String(c.reps), ...rows.slice(0, 6).map((r) => r[3]), rows[6][3], rows[8][3], `${c.lp.delivery.toFixed(1)} %`];
    });
    parts.push(`Ratios Leadpool / floor (1.00 = the floor; ingest: higher is better):\n\n${table(head, rows)}`);
    parts.push(
      comparisons
        .map(
          (c) =>
            `${c.store}, ${c.reps} reps, absolute:\n\n${table(['measure', 'Leadpool', 'floor', 'ratio', 'target'], comparisonRows(c))}`,
        )
        .join('\n\n'),
    );
  }
  if (repCostRows.length)
    parts.push(
      `The cost of one rep (sequential requests, p50):\n\n${table(['store', 'reps', 'create', 'change', 'GET /api/reps', 'GET /api/reps?limit=100'], repCostRows)}`,
    );
  if (claimRows.length)
    parts.push(
      `Claims through three processes on Redis (rate: ${RATE_STORM.reps} reps; contested: ${CONTESTED_STORM.reps} reps; rate: claims per second of claiming, after a warm-up batch not counted; wall: with the imports of the leads):\n\n${table(['server', 'racers per lead', 'claims', 'leads', 'rate', 'CPU µs per claim (servers / Redis / clients)', 'double wins', 'leads nobody won', 'errors', 'wall'], claimRows)}`,
    );
  if (ceilingRows.length)
    parts.push(
      `What a claim costs Redis, the bench driving it directly as three servers' store connections would (bench/redis-claim-ceiling.ts: ${ceilingShape(opt.smoke ? SMOKE_SHAPE : undefined)}):\n\n${table(CEILING_HEAD, ceilingRows)}`,
    );
  if (standaloneRows.length) parts.push(table(['bench', 'measure', 'value'], standaloneRows));
  return parts.join('\n\n');
}

function writeReadme(report: string, svg: string | null): void {
  if (svg) writeFileSync(join(ROOT, 'docs/bench-scale.svg'), svg);
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf('<!-- bench:start -->');
  const end = readme.indexOf('<!-- bench:end -->');
  if (start < 0 || end < 0) throw new Error('README.md has no bench markers');
  const chart = svg ? '\n\n![Leadpool / floor ratios as connected reps grow](docs/bench-scale.svg)' : '';
  writeFileSync(path, `${readme.slice(0, start)}<!-- bench:start -->\n${report}${chart}\n${readme.slice(end)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
