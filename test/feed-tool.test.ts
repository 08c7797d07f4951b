// The feed simulator's command line: usage on --help, one line for a wrong flag.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const feed = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/feed.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LEADPOOL_FEED_KEY: '' },
  });

describe('npm run feed', () => {
  it('--help prints the usage and exits 0', () => {
    const run = feed('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: npm run feed -- [options]');
    expect(run.stdout).toContain('--rate');
  });

  it('an unknown flag gets one line on stderr and exit code 2, no stack trace', () => {
    const run = feed('--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("Unknown option '--bogus'");
  });

  it('no feed key: says how to get one, exit code 2', () => {
    const run = feed('--count', '1');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no feed key');
  });
});
