// What the Redis store's connect and claim scripts cost Redis, counted in instructions
// (valgrind --tool=callgrind): exact and repeatable, unlike time on a shared machine, so a
// change to a Lua script can be measured before and after on any machine, each commit
// running this file. Starts its own redis-server under callgrind on a free port and drives
// the scripts with the keys and arguments the store builds (server/store/redis/keys.ts):
//   - tabOpened.lua with the view read, as a burst of connecting tabs sends it: 1, 4 and 16
//     tabs per call, then a rep holding 10 claimed leads (what each held lead adds);
//   - tabClosed.lua, the same bursts, then a rep's last tab closing through the store;
//   - a claim through the store (claim.lua, one claim per call, its op key removed after).
// Prints thousands of instructions per call and per tab (or claim). Needs valgrind.
//
//   npx tsx bench/script-cost.ts [--calls 100] [--help]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { Keys } from '../server/store/redis/keys.js';
import { SCRIPTS } from '../server/store/redis/scripts.js';
import { RedisStore } from '../server/store/redis/store.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
// (vitest is imported there, not used: as bench/redis-claim-ceiling.ts does)
import { draft, makeRep } from '../test/support/store-harness.js';
import { printUsage } from './usage.js';

const { values: opt } = parseArgs({ options: { calls: { type: 'string', default: '100' }, help: { type: 'boolean', default: false } } });
if (opt.help) printUsage(import.meta.filename);
const CALLS = Number(opt.calls);
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench/script-cost.ts needs valgrind. Install with:\n\n  sudo apt-get install -y valgrind\n');
  process.exit(1);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const dir = mkdtempSync(join(tmpdir(), 'leadpool-script-cost-'));
const port = await freePort();
const redis = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
    'redis-server',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ],
  { stdio: 'ignore' },
);
const url = `redis://127.0.0.1:${port}`;
const client = createClient({ url });
client.on('error', () => {});
for (let tries = 0; ; tries++) {
  try {
    await client.connect();
    break;
  } catch (err) {
    if (tries > 120) throw err;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Redis's instructions so far (its main thread), as callgrind counts them. */
function instructions(): number {
  const out = execFileSync('callgrind_control', ['-e', 'Ir', String(redis.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(/Th 1\s+([\d,]+)/.exec(out)![1].replace(/,/g, ''));
}

/** Redis's instructions for `run`, less what Redis does meanwhile by itself (measured right after, over one reading). */
async function counted(run: () => Promise<void>): Promise<number> {
  const before = instructions();
  await run();
  const after = instructions();
  return after - before - (instructions() - after);
}

const keyPrefix = 'cost';
const store = new RedisStore({ url, keyPrefix, nodeId: 'node-1' });
await store.init();
await store.patchSettings(DEFAULT_POOL, { maxActivePerRep: 1_000_000, maxActionsPerSecond: 0 });
for (let i = 0; i < 16; i++) await store.createRep(makeRep(`r${i}`));

const keys = new Keys(keyPrefix);
const sha = async (name: 'tabOpened' | 'tabClosed') => String(await client.sendCommand(['SCRIPT', 'LOAD', SCRIPTS[name].source]));
const opened = await sha('tabOpened');
const closed = await sha('tabClosed');
let op = 0;
/** One call of tabOpened.lua (view read) or tabClosed.lua for these reps' tabs `tab`, with an op key of its own. */
function tabs(open: boolean, reps: string[], tab: string) {
  const pairs = reps.flatMap((id) => [id, `${id}-${tab}`]);
  const { keys: k, args } = open
    ? keys.script(SCRIPTS.tabOpened.globalKeys, { pools: [DEFAULT_POOL], reps })
    : keys.script(SCRIPTS.tabClosed.globalKeys, { reps });
  const own = open ? ['node-1', 'view', ...pairs] : pairs;
  return client.sendCommand(['EVALSHA', open ? opened : closed, String(k.length + 1), ...k, `${keyPrefix}:op:${++op}`, ...args, ...own]);
}

const rows: [string, number, number][] = [];
const row = (what: string, per: number, total: number) => rows.push([what, per, total / CALLS]);
for (const n of [1, 4, 16]) {
  const reps = Array.from({ length: n }, (_, i) => `r${i}`);
  row(
    `tabOpened.lua, view read, ${n} tab(s) per call`,
    n,
    await counted(async () => void (await Promise.all(Array.from({ length: CALLS }, (_, i) => tabs(true, reps, String(i)))))),
  );
  row(
    `tabClosed.lua, ${n} tab(s) per call`,
    n,
    await counted(async () => void (await Promise.all(Array.from({ length: CALLS }, (_, i) => tabs(false, reps, String(i)))))),
  );
}
// A rep holding claimed leads: each is read and answered with its view.
await store.createRep(makeRep('holder'));
for (let i = 0; i < 10; i++) {
  const { lead: l } = await store.insertLead(draft());
  if (!(await store.claim(l.id, 'holder')).ok) throw new Error('the holder could not claim');
}
row(
  'tabOpened.lua, view read, 1 tab of a rep holding 10 leads',
  1,
  await counted(async () => void (await Promise.all(Array.from({ length: CALLS }, (_, i) => tabs(true, ['holder'], `h${i}`))))),
);
// Reps whose only tab closes: each goes offline (presence moved, an audit event, its pools answered).
for (let i = 0; i < CALLS; i++) await store.createRep(makeRep(`leaving${i}`));
for (let i = 0; i < CALLS; i++) await store.tabOpened(`leaving${i}`, 'only');
row(
  "tabClosed.lua through the store, a rep's last tab (it goes offline)",
  1,
  await counted(async () => {
    for (let i = 0; i < CALLS; i++) await store.tabClosed(`leaving${i}`, 'only');
  }),
);
const ids: string[] = [];
for (let i = 0; i < CALLS; i++) ids.push((await store.insertLead(draft())).lead.id);
row(
  'claim (claim.lua through the store), 1 claim per call',
  1,
  await counted(async () => {
    for (const id of ids) if (!(await store.claim(id, 'r0')).ok) throw new Error('a claim was refused');
  }),
);

console.log(`Redis instructions (callgrind), ${CALLS} calls each:\n`);
console.log('| call | thousand instructions per call | per tab or claim |');
console.log('| --- | --- | --- |');
for (const [what, per, perCall] of rows) console.log(`| ${what} | ${(perCall / 1000).toFixed(1)} | ${(perCall / per / 1000).toFixed(1)} |`);

await store.close();
const exited = new Promise((r) => redis.once('exit', r));
await client.sendCommand(['SHUTDOWN', 'NOSAVE']).catch(() => {}); // answered by the connection closing
client.destroy();
await exited;
rmSync(dir, { recursive: true, force: true });
