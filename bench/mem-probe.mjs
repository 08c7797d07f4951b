// Preloaded into every server the bench starts (Leadpool and the floor alike, with
// --expose-gc): on SIGUSR2 it collects garbage and writes process.memoryUsage() to
// BENCH_MEM_FILE, so "memory per connected rep" compares live memory, not garbage.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  writeFileSync(process.env.BENCH_MEM_FILE, JSON.stringify({ ...process.memoryUsage(), at: Date.now() }));
});
