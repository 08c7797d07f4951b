// `--help` of the bench tools whose usage is their opening comment (connect-cpu.ts, script-cost.ts).
import { readFileSync } from 'node:fs';

/** Prints the comment lines that open `file` (the caller's import.meta.filename) and exits 0. */
export function printUsage(file: string): never {
  const lines = readFileSync(file, 'utf8').split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  console.log(lines.slice(0, end === -1 ? lines.length : end).join('\n'));
  process.exit(0);
}
