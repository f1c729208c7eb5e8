/**
 * `npm run bench` (after `npx tsc -p .`): runs every bench/*.bench.ts, one child process each and
 * one after another, so their timings never overlap. The echo-server benchmark is separate
 * (`npm run bench:echo`, ~10 min, needs Go); see BENCHMARKS.md.
 *
 * usage: node dist/bench/run.js [NAME …]   e.g. `decode filter` runs decode.bench and filter.bench
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here).filter((f) => f.endsWith('.bench.js'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.js$/, ''))).sort();
if (benches.length === 0) {
  process.stderr.write(`bench: nothing matches ${wanted.join(' ')} in ${here}\n`);
  process.exit(2);
}
let failed = 0;
for (const b of benches) {
  process.stdout.write(`\n## ${b.replace(/\.js$/, '')}\n\n`);
  const r = spawnSync(process.execPath, [join(here, b)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${b} exited ${r.status ?? r.signal}\n`);
  }
}
process.stdout.write('\nThe echo-server benchmark runs separately: npm run bench:echo (BENCHMARKS.md).\n');
process.exitCode = failed ? 1 : 0;
