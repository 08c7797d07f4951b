// `npm run bench` must not rot (issue #14): a smoke run (a few reps, one round, a few
// hundred contested claims) completes, every lead reaches every rep, nobody wins a lead
// twice, and the ratios to the floor are printed. No timing is asserted.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { startRedis } from './support/redis.js';

const ROOT = resolve(import.meta.dirname, '..');

it('the bench runs against the floor and prints its ratios, with every offer delivered', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  expect(code, out).toBe(0);
  expect(out).toMatch(/Ratios Leadpool \/ floor/);
  // The ratios table: the rows after its title, up to the first line that is not a row.
  const lines = out.split('\n');
  const title = lines.findIndex((l) => l.startsWith('Ratios Leadpool / floor'));
  const after = lines.slice(title + 2);
  const rows = after
    .slice(
      0,
      after.findIndex((l) => !l.startsWith('|')),
    )
    .filter((l) => /^\| (embedded|redis) \| \d+ \|/.test(l));
  expect(rows.length, out).toBeGreaterThan(0);
  // Every ratio cell is a number (connect CPU included), but heap/rep (cell 9) may be n/a:
  // with a few reps the heap they add is within the GC's noise, and a floor's that is not
  // positive has no ratio. The delivery cell is 100 %.
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim());
    expect(
      cells.slice(3, 11).every((c, i) => /^\d+\.\d\d$/.test(c) || (i + 3 === 9 && c === 'n/a')),
      row,
    ).toBe(true);
    expect(cells[11], row).toBe('100.0 %');
  }
  // The CPU a connect costs, the server's and on Redis also Redis's.
  expect(out).toMatch(/\| CPU per connect \| \d+ µs \| \d+ µs \|/);
  expect(out).toMatch(/\| CPU per connect \| \d+ µs \(Redis \d+\) \| \d+ µs \(Redis \d+\) \|/);
  // What a claim costs Redis, driven directly (bench/redis-claim-ceiling.ts): a figure per server.
  for (const server of ['leadpool', 'floor'])
    expect(out).toMatch(new RegExp(`\\| ${server} \\| \\d+ \\| [\\d.]+ µs \\| [\\d,]+ claims/s \\| [\\d,]+ claims/s \\|`));
  expect(out).not.toMatch(/DOUBLE WINS/);
  // Between rounds every rep records the outcome of what it won, on both servers.
  expect(out).not.toMatch(/outcomes of won leads were refused/);
}, 600_000);

/** bench/connect-cpu.ts with `extra` arguments, its output once it exited 0. */
async function connectCpu(...extra: string[]): Promise<string> {
  const args = ['--import', 'tsx', 'bench/connect-cpu.ts', '--reps', '16', '--rounds', '1', '--warm-up', '1', ...extra];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  expect(code, out).toBe(0);
  for (const server of ['leadpool', 'floor']) expect(out).toMatch(new RegExp(`round 2 ${server} +CPU per connect \\d+ µs`));
  expect(out).toMatch(/CPU per connect: Leadpool \d+ µs, floor \d+ µs, ratio (\d+\.\d\d|Infinity|NaN)/);
  return out;
}

it('the connect CPU bench (bench/connect-cpu.ts) runs both servers and prints their CPU per connect and the ratio', async () => {
  await connectCpu();
}, 300_000);

it('with --alloc the connect CPU bench also prints what each server allocates per connect and where Leadpool allocates', async () => {
  const out = await connectCpu('--alloc');
  for (const server of ['leadpool', 'floor'])
    expect(out).toMatch(new RegExp(`round 2 ${server} .*allocated per connect and close \\d+\\.\\d KB`));
  expect(out).toMatch(/allocated per connect and close: Leadpool \d+\.\d KB, floor \d+\.\d KB, ratio \d+\.\d\d/);
  // the sites, each with its bytes and the floor's at the same site
  expect(out).toMatch(/^ +\d+\.\d KB +\d+\.\d KB +\S+/m);
}, 300_000);

it('on Redis the connect CPU bench also prints what a connect and a close cost Redis', async () => {
  const redis = await startRedis();
  try {
    const out = await connectCpu('--redis', redis.url);
    expect(out).toMatch(/Redis per connect: Leadpool -?\d+ µs, floor -?\d+ µs; per close: Leadpool -?\d+ µs, floor -?\d+ µs/);
  } finally {
    await redis.stop();
  }
}, 300_000);

it('the script cost bench (bench/script-cost.ts) counts what the connect and claim scripts cost Redis', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/script-cost.ts', '--calls', '3'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  expect(code, out).toBe(0);
  for (const call of [
    'tabOpened.lua, view read, 16 tab(s) per call',
    'tabClosed.lua, 4 tab(s) per call',
    "tabClosed.lua through the store, a rep's last tab (it goes offline)",
    'claim (claim.lua through the store)',
  ])
    expect(out).toMatch(new RegExp(`\\| ${call.replace(/[().]/g, '\\$&')}[^|]* \\| \\d+\\.\\d \\| \\d+\\.\\d \\|`));
}, 300_000);
