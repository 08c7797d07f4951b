// `npm test` runs this first (the `pretest` script): the suites need redis-server (the
// Redis tests start their own on a free port), Chromium (the browser tests) and valgrind
// (the smoke run of bench/script-cost.ts, which counts Redis's instructions). When one
// is missing and this machine allows it (root, with apt-get), it is installed, saying
// what; otherwise the run stops here with the one line that installs them. Never skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const missing = [];
if (!onPath('redis-server')) missing.push('redis-server');
if (!existsSync(CHROMIUM)) missing.push('chromium');
if (!onPath('valgrind')) missing.push('valgrind');
if (missing.length === 0) process.exit(0);

const line = `apt-get install -y ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !onPath('apt-get')) {
  console.error(`The tests need ${missing.join(' and ')}, which this machine lacks. Install with:\n\n  sudo ${line}\n`);
  process.exit(1);
}
console.log(`Installing what the tests need: ${missing.join(', ')} (${line})`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [
  ['update', '-qq'],
  ['install', '-y', '-qq', '--no-install-recommends', ...missing],
]) {
  const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (run.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed; install them yourself with:\n\n  ${line}\n`);
    process.exit(1);
  }
}
