// Preloaded into every server the bench starts (Leadpool and the floor alike, with
// --expose-gc): on SIGUSR2 it collects garbage and writes process.memoryUsage() to
// BENCH_MEM_FILE, so "memory per connected rep" compares live memory, not garbage; with
// the process's CPU time (user + system, µs) read before and after that collection, so a
// span between two probes counts the work in between and not the probes' own. A
// server whose bench is gone (stopped with Ctrl-C or killed) stops too, as on SIGTERM,
// like scripts/start.mjs does for `npm start`.
import { writeFileSync } from 'node:fs';

const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }
}, 500);
watch.unref();

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

process.on('SIGUSR2', () => {
  const cpuBeforeGc = cpuMicros();
  globalThis.gc?.();
  globalThis.gc?.();
  const cpuAfterGc = cpuMicros();
  writeFileSync(process.env.BENCH_MEM_FILE, JSON.stringify({ ...process.memoryUsage(), cpuBeforeGc, cpuAfterGc, at: Date.now() }));
});
