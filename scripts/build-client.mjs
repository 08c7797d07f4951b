// Builds the web app with Vite when dist/client/index.html is missing or older than any
// source it is built from (client/, vite.config.ts, shared/).
//   import { ensureClientBuilt } from './build-client.mjs'; await ensureClientBuilt();
//   node scripts/build-client.mjs [--force]
// Concurrent callers (parallel test workers) are serialized by a lock directory.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const INDEX = join(ROOT, 'dist/client/index.html');
const LOCK = join(ROOT, 'dist/.client-build.lock');
const SOURCES = [join(ROOT, 'client'), join(ROOT, 'vite.config.ts'), join(ROOT, 'shared')];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when the build is missing or older than a source file. */
export function clientBuildStale() {
  if (!existsSync(INDEX)) return true;
  const built = statSync(INDEX).mtimeMs;
  return SOURCES.some((s) => newestMtime(s) > built);
}

async function withLock(fn) {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than two minutes belongs to a build that died: take it over.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() - started > 180_000) throw new Error(`timed out waiting for the client build lock ${LOCK}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds the client when stale; resolves to true when it built. */
export async function ensureClientBuilt({ force = false, quiet = false } = {}) {
  if (!force && !clientBuildStale()) return false;
  return withLock(async () => {
    if (!force && !clientBuildStale()) return false; // another process built it meanwhile
    const { build } = await import('vite');
    if (!quiet) console.log('Building the web app (vite build)…');
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
    return true;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  ensureClientBuilt({ force }).then(
    (built) => {
      if (!built) console.log('dist/client is up to date.');
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
