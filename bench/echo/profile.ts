/**
 * CPU profile of `tcplab serve` under one benchmark load, summarised as self time per function,
 * so a miss in BENCHMARKS.md comes with where the time went.
 *
 * usage: node dist/bench/echo/profile.js [--scenario 50x64] [--duration 5]
 *          [--tcplab 'node bin/tcplab serve --port {port}'] [--top 25] [--keep DIR]
 * The server runs under `node --cpu-prof` with exit-on-signal.ts preloaded, and is stopped with
 * SIGINT so Node writes the profile on exit. Prints a Markdown table; --keep leaves the .cpuprofile for Chrome DevTools.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, buildGo, removeBuild, exclusive, cleanUpOnSignal, freePort, startServer, runLoadgen, sleep } from './servers.js';

const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string', default: '50x64' },
    duration: { type: 'string', default: '5' },
    tcplab: { type: 'string', default: `${process.execPath} bin/tcplab serve --port {port}` },
    top: { type: 'string', default: '25' },
    keep: { type: 'string' },
  },
});

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/**
 * Self time (ms) per function "name url:line" summed over V8 .cpuprofiles (a primary and its
 * workers), largest first; pct is of busy time, so the (idle) row has none.
 */
export function selfTimes(profiles: CpuProfile[]): { fn: string; ms: number; pct: number }[] {
  const ms = new Map<string, number>();
  let busy = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      const n = byId.get(id);
      if (!n) return;
      const { functionName, url, lineNumber } = n.callFrame;
      const where = url ? ` ${url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'}${where}`;
      ms.set(key, (ms.get(key) ?? 0) + dt);
      if (key !== '(idle)') busy += dt;
    });
  }
  return [...ms].map(([fn, t]) => ({ fn, ms: t, pct: fn === '(idle)' ? NaN : (100 * t) / busy })).sort((a, b) => b.ms - a.ms);
}

async function main(): Promise<void> {
  const [conns, size] = (opt.scenario ?? '').split('x');
  const dir = opt.keep ?? mkdtempSync(join(tmpdir(), 'tcplab-prof-'));
  const argv = (opt.tcplab ?? '').split(/\s+/).filter(Boolean);
  const node = argv[0] === process.execPath || argv[0] === 'node' ? 0 : -1;
  if (node < 0) throw new Error('--tcplab must start with node to be profiled');
  // Node writes the profile only on a normal exit; the preload turns SIGINT into process.exit().
  const preload = join(ROOT, 'dist', 'bench', 'echo', 'exit-on-signal.js');
  const profiled = [argv[0]!, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', preload, ...argv.slice(1)];
  await exclusive();
  const bins = buildGo();
  cleanUpOnSignal(() => removeBuild(bins));
  try {
    const srv = await startServer('tcplab', profiled, await freePort());
    const load = await runLoadgen(bins.loadgen, ['-mode', 'echo', '-addr', `127.0.0.1:${srv.port}`, '-conns', conns ?? '50',
      '-size', size ?? '64', '-warmup', '1s', '-duration', `${opt.duration}s`]);
    srv.proc.kill('SIGINT');
    for (let i = 0; i < 50 && srv.proc.exitCode === null && srv.proc.signalCode === null; i++) await sleep(100);
    if (srv.proc.exitCode === null && srv.proc.signalCode === null) srv.proc.kill('SIGTERM');
    await sleep(500);
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (!files.length) throw new Error(`no .cpuprofile in ${dir}: the server did not exit cleanly on SIGINT`);
    const rows = selfTimes(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile)).slice(0, Number(opt.top));
    const out = [`### CPU profile of tcplab serve at ${opt.scenario} (${Math.round(load.msgsPerSec)} msgs/s, p99 ${Math.round(load.p99Us)} µs;` +
      ` ${files.length} process(es) summed)`, '',
      '| self ms | % of busy | function |', '|---:|---:|---|',
      ...rows.map((r) => `| ${r.ms.toFixed(0)} | ${Number.isNaN(r.pct) ? '-' : r.pct.toFixed(1)} | \`${r.fn}\` |`)];
    process.stdout.write(out.join('\n') + '\n');
    if (opt.keep) process.stderr.write(`profiles kept in ${dir}\n`);
  } finally {
    removeBuild(bins);
    if (!opt.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`profile: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
