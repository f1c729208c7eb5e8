/**
 * Echo-server benchmark: tcplab's `serve` against the reference Go server (bench/echo/go-echo,
 * the seed's design), both facing the same Go load generator (bench/echo/loadgen) on the same
 * machine in the same run. Three measurements, all in one process so the figures are comparable:
 *
 *   throughput  closed loop, N connections x S bytes; the servers take turns run by run
 *               (A/B/A/B...) so drift in a noisy machine hits both alike; medians are reported.
 *   hold        10,000 concurrent connections, each echoing before and after a hold period.
 *   flood       peers that write and never read; the server's RSS (process tree) is sampled every
 *               250 ms. Bounded means it levels off: once the kernel buffers are full the RSS
 *               may not rise any more, and two peer counts give the memory each extra
 *               non-reading connection costs (compare with the server's documented bound).
 *
 * usage: npm run bench:echo -- [--servers go,tcplab] [--rounds 5] [--duration 5] [--warmup 1]
 *          [--scenarios 50x64,200x1024,50x16384] [--tests throughput,hold,flood]
 *          [--hold-conns 10000] [--hold-s 10] [--flood-conns 50,200] [--flood-s 15]
 *          [--nice=-5] [--cpus=SERVER:LOADGEN]   (taskset CPU lists, e.g. 0:1)
 *          [--rate 40000 | --rate 50x64=40000,200x1024=30000]   (throughput: pace the generator)
 *          [--tcplab 'node bin/tcplab serve --port {port}'] [--server NAME='CMD {port}' ...] [--json results.json]
 * Servers: go (reference), tcplab (`tcplab serve`, default flags), standin (bench/echo/stand-in.ts),
 * go64k (the reference reading 64 KiB at a time: how much of a gap the read size alone explains),
 * or any NAME defined by --server NAME='CMD {port}' (e.g. an older build of serve, to A/B a change).
 * --rate paces the throughput test at a fixed offered load (msgs/s over all connections) instead
 * of a closed loop as fast as the server allows: the latency a server gives below saturation,
 * counted from when each message was due (wrk2's correction for coordinated omission).
 * Prints Markdown tables (as pasted into BENCHMARKS.md); --json also writes every raw run.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import {
  buildGo, removeBuild, exclusive, cleanUpOnSignal, setCpus, setNiceness, killTree, freePort, startServer, stopServer, runLoadgen, rssBytes, cpuSeconds, openFds,
  sleep, type GoBinaries, type LoadResult, type RunningServer,
} from './servers.js';

const opt = parseOptions({
  options: {
    servers: { type: 'string', default: 'go,tcplab' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: '50x64,200x1024,50x16384' },
    tests: { type: 'string', default: 'throughput,hold,flood' },
    'hold-conns': { type: 'string', default: '10000' },
    'hold-s': { type: 'string', default: '10' },
    'flood-conns': { type: 'string', default: '50,200' },
    nice: { type: 'string', default: '0' },
    /** taskset CPU lists "SERVER:LOADGEN", e.g. 0:1 (every server on CPU 0, the generator on CPU 1). */
    cpus: { type: 'string', default: '' },
    'flood-s': { type: 'string', default: '15' },
    /** Throughput test paced at this many msgs/s: one number for every scenario, or "50x64=N,200x1024=M". */
    rate: { type: 'string', default: '' },
    tcplab: { type: 'string', default: `${process.execPath} bin/tcplab serve --port {port}` },
    server: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
  },
} as const);

/** parseArgs' values; a bad flag is a message on stderr and exit status 2, not a stack trace. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>>['values'] {
  try {
    return parseArgs(config).values;
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}

/** Messages/s the contender must reach, as a multiple of the Go server's, per scenario. */
const TARGET_RATIO: Record<string, number> = { '50x64': 1.0, '200x1024': 1.0, '50x16384': 5.0 };
const BASELINE = 'go';
const MIB = 1024 * 1024;
/** A server that buffers a flood is killed here rather than allowed to swap the machine. */
const RSS_KILL_BYTES = 2048 * MIB;

function serverArgv(name: string, bins: GoBinaries): string[] {
  switch (name) {
    case 'go': return [bins.goEcho, '-addr', '127.0.0.1:{port}'];
    case 'go64k': return [bins.goEcho, '-addr', '127.0.0.1:{port}', '-buf', '65536'];
    case 'tcplab': return (opt.tcplab ?? '').split(/\s+/).filter(Boolean);
    case 'standin': return [process.execPath, 'dist/bench/echo/stand-in.js', '{port}'];
    default: {
      const custom = (opt.server ?? []).find((d) => d.startsWith(`${name}=`));
      if (custom) return custom.slice(name.length + 1).split(/\s+/).filter(Boolean);
      throw new Error(`unknown server ${name} (go, go64k, tcplab, standin, or one given by --server ${name}='CMD {port}')`);
    }
  }
}

/** The paced rate of a scenario (0 = closed loop), from --rate. */
function rateOf(scenario: string): number {
  const spec = (opt.rate ?? '').trim();
  if (spec === '') return 0;
  if (/^\d+(\.\d+)?$/.test(spec)) return Number(spec);
  for (const part of spec.split(',')) {
    const [sc, n] = part.split('=');
    if (sc === scenario && n !== undefined && Number(n) > 0) return Number(n);
  }
  return 0;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, d = 0): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
const mib = (b: number): string => fmt(b / MIB, 1);

interface ThroughputRun {
  server: string; scenario: string; round: number; load: LoadResult; serverCpuPct: number; genCpuPct: number;
  /** Server CPU per message, µs: its CPU over the whole run (warm-up included) / (msgs/s x wall time). */
  serverUsPerMsg: number;
}
interface HoldRun { server: string; load: LoadResult; rssAtHold: number; fdsAtHold: number; peakRss: number }
interface FloodRun {
  server: string; load: LoadResult; baselineRss: number; peakRss: number; endRss: number;
  killedAtCap: boolean; aliveAfter: boolean; rssSeries: number[];
}

function machineFacts(): Record<string, string> {
  const tryRun = (cmd: string, args: string[]): string => {
    try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); } catch { return '?'; }
  };
  const c = cpus();
  return {
    cpus: `${c.length} x ${c[0]?.model ?? '?'}`,
    kernel: release(),
    node: process.version,
    go: tryRun('go', ['version']),
    loadavgAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
    nofileHard: tryRun('bash', ['-c', 'ulimit -Hn']),
    date: new Date().toISOString(),
    commit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
  };
}

async function throughput(bins: GoBinaries, servers: string[]): Promise<ThroughputRun[]> {
  const runs: ThroughputRun[] = [];
  const rounds = Number(opt.rounds);
  const running: RunningServer[] = [];
  try {
    for (const name of servers) running.push(await startServer(name, serverArgv(name, bins), await freePort()));
    for (const scenario of (opt.scenarios ?? '').split(',')) {
      const [conns, size] = scenario.split('x').map(Number);
      const rate = rateOf(scenario);
      for (let round = 1; round <= rounds; round++) {
        for (const srv of running) {
          const cpu0 = cpuSeconds(srv.pid);
          const t0 = performance.now();
          const load = await runLoadgen(bins.loadgen, [
            '-mode', 'echo', '-addr', `127.0.0.1:${srv.port}`, '-conns', String(conns), '-size', String(size),
            '-duration', `${opt.duration}s`, '-warmup', `${opt.warmup}s`, ...(rate > 0 ? ['-rate', String(rate)] : []),
          ]);
          const wallS = (performance.now() - t0) / 1000;
          const serverCpuPct = ((cpuSeconds(srv.pid) - cpu0) / wallS) * 100;
          const genCpuPct = ((load.cpuUserS + load.cpuSysS) / wallS) * 100;
          const serverUsPerMsg = ((serverCpuPct / 100) / load.msgsPerSec) * 1e6;
          runs.push({ server: srv.name, scenario, round, load, serverCpuPct, genCpuPct, serverUsPerMsg });
          process.stderr.write(`${scenario} round ${round} ${srv.name}: ${fmt(load.msgsPerSec)} msg/s p99 ${fmt(load.p99Us)} us` +
            ` server ${fmt(serverCpuPct)}% (${fmt(serverUsPerMsg, 1)} µs/msg) gen ${fmt(genCpuPct)}%${load.errors ? ` ERRORS ${load.errors}: ${load.firstError}` : ''}\n`);
        }
      }
    }
  } finally {
    for (const s of running) await stopServer(s);
  }
  return runs;
}

async function hold(bins: GoBinaries, name: string): Promise<HoldRun> {
  const srv = await startServer(name, serverArgv(name, bins), await freePort());
  let peakRss = 0;
  let rssAtHold = NaN;
  let fdsAtHold = NaN;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssBytes(srv.pid) || 0); }, 500);
  try {
    const load = await runLoadgen(bins.loadgen, [
      '-mode', 'hold', '-addr', `127.0.0.1:${srv.port}`, '-conns', String(opt['hold-conns']), '-size', '64',
      '-hold', `${opt['hold-s']}s`,
    ], (line) => {
      if (line.includes('holding')) {
        setTimeout(() => { rssAtHold = rssBytes(srv.pid); fdsAtHold = openFds(srv.pid); }, 1000);
      }
    });
    process.stderr.write(`hold ${name}: connected ${load.connected} rounds ${load.firstRoundOk}/${load.secondRoundOk}` +
      ` rss ${mib(rssAtHold)} MiB fds ${fdsAtHold}${load.errors ? ` ERRORS ${load.errors}: ${load.firstError}` : ''}\n`);
    return { server: name, load, rssAtHold, fdsAtHold, peakRss };
  } finally {
    clearInterval(sampler);
    await stopServer(srv);
  }
}

async function flood(bins: GoBinaries, name: string, conns: number): Promise<FloodRun> {
  const srv = await startServer(name, serverArgv(name, bins), await freePort());
  await sleep(500);
  const baselineRss = rssBytes(srv.pid);
  const rssSeries: number[] = [];
  let killedAtCap = false;
  const sampler = setInterval(() => {
    const r = rssBytes(srv.pid);
    if (Number.isFinite(r)) rssSeries.push(r);
    if (r > RSS_KILL_BYTES && !killedAtCap) { killedAtCap = true; killTree(srv.proc); }
  }, 250);
  try {
    const load = await runLoadgen(bins.loadgen, [
      '-mode', 'flood', '-addr', `127.0.0.1:${srv.port}`, '-conns', String(conns), '-size', '65536',
      '-duration', `${opt['flood-s']}s`,
    ]);
    await sleep(500);
    const endRss = rssBytes(srv.pid);
    clearInterval(sampler);
    let aliveAfter = false;
    if (!killedAtCap) {
      const check = await runLoadgen(bins.loadgen, ['-mode', 'echo', '-addr', `127.0.0.1:${srv.port}`, '-conns', '1',
        '-size', '64', '-warmup', '0s', '-duration', '500ms']).catch(() => undefined);
      aliveAfter = !!check && check.errors === 0 && check.messages > 0;
    }
    const peakRss = Math.max(...rssSeries);
    process.stderr.write(`flood ${name} x${conns}: rss ${mib(baselineRss)} -> peak ${mib(peakRss)} MiB, peer wrote ${mib(load.bytesWritten)} MiB` +
      `${killedAtCap ? ' KILLED AT CAP' : ''} alive after: ${aliveAfter}\n`);
    return { server: name, load, baselineRss, peakRss, endRss, killedAtCap, aliveAfter, rssSeries };
  } finally {
    clearInterval(sampler);
    await stopServer(srv);
  }
}

function report(facts: Record<string, string>, tp: ThroughputRun[], holds: HoldRun[], floods: FloodRun[], servers: string[]): string {
  const out: string[] = [];
  out.push('### Machine', '', ...Object.entries(facts).map(([k, v]) => `- ${k}: ${v}`), '');
  if (tp.length) {
    const paced = [...new Set(tp.map((r) => r.scenario))].map((sc) => [sc, rateOf(sc)] as const).filter(([, r]) => r > 0);
    const how = paced.length ? `paced (${paced.map(([sc, r]) => `${sc} at ${fmt(r)} msgs/s`).join(', ')}; latency from when each message was due)` : 'closed loop';
    out.push(`### Throughput: ${how}, median of ${opt.rounds} alternating runs of ${opt.duration} s (after ${opt.warmup} s warm-up)`, '',
      '| conns x bytes | server | msgs/s | MB/s | p50 µs | p90 µs | p99 µs | p99.9 µs | server CPU % | server CPU µs/msg | loadgen CPU % | all runs msgs/s |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    const med = new Map<string, { mps: number; p99: number }>();
    const scenarios = [...new Set(tp.map((r) => r.scenario))];
    for (const sc of scenarios) {
      for (const s of servers) {
        const rs = tp.filter((r) => r.scenario === sc && r.server === s);
        const mps = median(rs.map((r) => r.load.msgsPerSec));
        const p99 = median(rs.map((r) => r.load.p99Us));
        med.set(`${sc}/${s}`, { mps, p99 });
        const errs = rs.reduce((n, r) => n + r.load.errors + r.load.mismatches, 0);
        out.push(`| ${sc} | ${s} | ${fmt(mps)} | ${fmt(median(rs.map((r) => r.load.mbPerSec)), 1)} | ${fmt(median(rs.map((r) => r.load.p50Us)))}` +
          ` | ${fmt(median(rs.map((r) => r.load.p90Us ?? NaN)))} | ${fmt(p99)} | ${fmt(median(rs.map((r) => r.load.p999Us ?? NaN)))} | ${fmt(median(rs.map((r) => r.serverCpuPct)))} | ${fmt(median(rs.map((r) => r.serverUsPerMsg)), 1)} | ${fmt(median(rs.map((r) => r.genCpuPct)))}` +
          ` | ${rs.map((r) => fmt(r.load.msgsPerSec)).join(' / ')}${errs ? ` (**${errs} errors**)` : ''} |`);
      }
    }
    out.push('', '| conns x bytes | server vs go | msgs/s ratio (of medians) | paired ratio (median of run-by-run) | target | p99 ratio (≤ 1 is no worse) | paired p99 ratio | CPU µs/msg ratio (paired) | verdict |',
      '|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const sc of scenarios) {
      const base = med.get(`${sc}/${BASELINE}`);
      for (const s of servers.filter((x) => x !== BASELINE)) {
        const m = med.get(`${sc}/${s}`);
        if (!base || !m) continue;
        const ratio = m.mps / base.mps;
        const p99Ratio = m.p99 / base.p99;
        // Each round ran both servers back to back, so their ratio cancels most of the machine's drift.
        const pairedOf = (f: (r: ThroughputRun) => number): number => median(tp.filter((r) => r.scenario === sc && r.server === s).map((r) => {
          const b = tp.find((x) => x.scenario === sc && x.server === BASELINE && x.round === r.round);
          return b ? f(r) / f(b) : NaN;
        }));
        const paired = pairedOf((r) => r.load.msgsPerSec);
        const pairedP99 = pairedOf((r) => r.load.p99Us);
        const pairedCpu = pairedOf((r) => r.serverUsPerMsg);
        // Paced, every server carries the same offered load: only the latency can be compared.
        const target = rateOf(sc) > 0 ? undefined : TARGET_RATIO[sc];
        const pass = rateOf(sc) > 0 ? (p99Ratio <= 1 ? 'p99 no worse' : 'p99 WORSE')
          : target === undefined ? '-' : ratio >= target && p99Ratio <= 1 ? 'meets' : 'MISSES';
        out.push(`| ${sc} | ${s} | ${fmt(ratio, 2)}x | ${fmt(paired, 2)}x | ${target === undefined ? '-' : `${fmt(target, 1)}x`} | ${fmt(p99Ratio, 2)} | ${fmt(pairedP99, 2)} | ${fmt(pairedCpu, 2)} | ${pass} |`);
      }
    }
    out.push('');
  }
  if (holds.length) {
    out.push(`### ${opt['hold-conns']} concurrent connections, held ${opt['hold-s']} s`, '',
      '| server | connected | echo before hold | echo after hold | connect s | RSS while holding MiB | open fds | verdict |',
      '|---|---:|---:|---:|---:|---:|---:|---|');
    for (const h of holds) {
      const ok = h.load.secondRoundOk === h.load.conns && h.load.firstRoundOk === h.load.conns;
      out.push(`| ${h.server} | ${h.load.connected} | ${h.load.firstRoundOk} | ${h.load.secondRoundOk} | ${fmt(h.load.connectS, 2)}` +
        ` | ${mib(h.rssAtHold)} | ${fmt(h.fdsAtHold)} | ${ok ? 'held' : `**FAILED**: ${h.load.firstError}`} |`);
    }
    out.push('');
  }
  if (floods.length) {
    out.push(`### Non-reading peers: N connections writing 64 KiB chunks for ${opt['flood-s']} s, never reading`, '',
      '| server | conns | idle RSS MiB | peak RSS MiB | growth MiB | RSS rise in last third MiB | RSS after MiB | peer wrote MiB | per conn MiB | serves after | verdict |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
    for (const f of floods) {
      const growth = f.peakRss - f.baselineRss;
      // Levelled off: the last third of the samples rises at most 8 MiB (or 10 % of the growth,
      // for allocator and GC noise) above everything before it.
      const cut = Math.floor((f.rssSeries.length * 2) / 3);
      const rise = Math.max(0, Math.max(...f.rssSeries.slice(cut)) - Math.max(...f.rssSeries.slice(0, cut)));
      const ok = !f.killedAtCap && f.aliveAfter && rise <= Math.max(8 * MIB, growth / 10);
      const conns = f.load.connected || 1;
      out.push(`| ${f.server} | ${conns} | ${mib(f.baselineRss)} | ${mib(f.peakRss)} | ${mib(growth)} | ${mib(rise)} | ${mib(f.endRss)}` +
        ` | ${mib(f.load.bytesWritten)} | ${mib(f.load.bytesWritten / conns)} | ${f.aliveAfter ? 'yes' : 'no'}` +
        ` | ${f.killedAtCap ? `**killed at ${RSS_KILL_BYTES / MIB} MiB**` : ok ? 'bounded (levels off)' : '**still growing, or dead**'} |`);
    }
    out.push('', 'RSS over time, MiB, one sample a second from the start of the flood:', '');
    for (const f of floods) {
      out.push(`- ${f.server} x${f.load.connected}: ${f.rssSeries.filter((_, i) => i % 4 === 0).map((r) => fmt(r / MIB)).join(' ')}`);
    }
    out.push('');
    for (const s of servers) {
      const fs = floods.filter((f) => f.server === s).sort((a, b) => a.load.connected - b.load.connected);
      const lo = fs[0];
      const hi = fs[fs.length - 1];
      if (!lo || !hi || hi.load.connected === lo.load.connected) continue;
      const perConn = ((hi.peakRss - hi.baselineRss) - (lo.peakRss - lo.baselineRss)) / (hi.load.connected - lo.load.connected);
      const fixed = (lo.peakRss - lo.baselineRss) - perConn * lo.load.connected;
      out.push(`- ${s}: each extra non-reading connection costs ${fmt(perConn / 1024)} KiB of RSS` +
        ` (${lo.load.connected} → ${hi.load.connected} connections), on top of ${mib(fixed)} MiB once.`);
    }
    out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const servers = (opt.servers ?? '').split(',').filter(Boolean);
  const tests = new Set((opt.tests ?? '').split(','));
  await exclusive();
  setNiceness(Number(opt.nice));
  const facts = machineFacts();
  facts['niceness'] = `${opt.nice} (servers and load generator alike)`;
  if (opt.cpus !== undefined && opt.cpus !== '') {
    const [server, loadgen] = opt.cpus.split(':');
    if (server === undefined || loadgen === undefined || !/^[\d,-]+$/.test(server) || !/^[\d,-]+$/.test(loadgen)) {
      process.stderr.write(`bench: --cpus wants SERVER:LOADGEN CPU lists (e.g. 0:1), not "${opt.cpus}"\n`);
      process.exit(2);
    }
    setCpus(server, loadgen);
    facts['cpus'] = `servers on CPU ${server}, load generator on CPU ${loadgen} (taskset)`;
  }
  const bins = buildGo();
  cleanUpOnSignal(() => removeBuild(bins));
  const tp: ThroughputRun[] = [];
  const holds: HoldRun[] = [];
  const floods: FloodRun[] = [];
  try {
    if (tests.has('throughput')) tp.push(...await throughput(bins, servers));
    if (tests.has('hold')) for (const s of servers) holds.push(await hold(bins, s));
    const floodConns = (opt['flood-conns'] ?? '').split(',').map(Number);
    if (tests.has('flood')) for (const s of servers) for (const n of floodConns) floods.push(await flood(bins, s, n));
  } finally {
    removeBuild(bins);
  }
  facts['loadavgAtEnd'] = loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(report(facts, tp, holds, floods, servers) + '\n');
  if (opt.json) writeFileSync(opt.json, JSON.stringify({ facts, options: opt, throughput: tp, holds, floods }, null, 1) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
