// `npm start`: builds the web app when it is missing or stale, then runs the server in
// this process (TypeScript through tsx). package.json starts it with `exec`, so npm's own
// process is this one's parent and the SIGTERM a process manager sends npm reaches it.
// Should a wrapper die without passing the signal on (a shell, another runner), this
// process would be left serving as an orphan: it notices its parent is gone and stops
// gracefully, as on SIGTERM.
import { register } from 'tsx/esm/api';
import { ensureClientBuilt } from './build-client.mjs';

const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }
}, 500);
watch.unref();

await ensureClientBuilt();
register();
await import('../server/main.ts');
