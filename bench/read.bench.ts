/**
 * `tcplab read` and `tcplab capture` against tcpdump and tshark (issue 3's performance points):
 *
 *  1. File: `tcplab read -r F > /dev/null` vs `tcpdump -nn -r F > /dev/null` vs `tshark -r F > /dev/null`
 *     on a 300k-frame loopback capture, run alternately for ROUNDS rounds; medians of wall and CPU
 *     (user+sys) and the peak RSS, all from /usr/bin/time -f '%e %U %S %M'.
 *  2. Live: `tcplab capture -i lo -f 'tcp port P' -q` and a parallel `tcpdump -i lo -w /dev/null
 *     'tcp port P'` while the Go load generator (bench/echo/loadgen, echo mode, 64-byte messages on
 *     many connections to bench/echo/go-echo) drives loopback; frames tcplab printed as captured
 *     vs the parallel tcpdump's count, and both tools' "dropped by kernel" lines.
 *
 * The capture is made here in /tmp (never committed): tcpdump -i lo -c 300000 during the same load.
 * Usage (root; after `npx tsc -p .`):
 *   node dist/bench/read.bench.js [--rounds 3] [--frames 300000] [--file F] [--live-seconds 8] [--conns 64]
 * Not part of the tests: numbers depend on the machine (2 cores shared with other work here).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGo, freePort, removeBuild } from './echo/servers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TCPLAB = join(ROOT, 'bin', 'tcplab');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const ROUNDS = Number(arg('--rounds', '3'));
const FRAMES = Number(arg('--frames', '300000'));
const LIVE_S = Number(arg('--live-seconds', '8'));
const CONNS = arg('--conns', '64');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

interface Run { wall: number; cpu: number; rssKb: number }

/** One run through /usr/bin/time; stdout to /dev/null. */
function timed(cmd: string, args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %U %S %M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /BENCH (\S+) (\S+) (\S+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssKb: Number(m[4]) };
}

async function withLoad<T>(port: number, seconds: number, goBins: { goEcho: string; loadgen: string }, during: () => Promise<T>): Promise<{ result: T; load: string }> {
  const echo = spawn(goBins.goEcho, ['-addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await sleep(300);
  try {
    const result = await during();
    // Asynchronously: this process must keep reading tcplab's stdout meanwhile (a spawnSync here
    // blocked the pipe, tcplab then waited for it and tcpdump dropped nearly everything).
    const lg = spawn(goBins.loadgen, ['-mode', 'echo', '-addr', `127.0.0.1:${port}`, '-conns', CONNS, '-size', '64', '-duration', `${seconds}s`, '-warmup', '0s'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let load = '';
    lg.stdout.setEncoding('utf8').on('data', (s: string) => { load += s; });
    await new Promise<void>((r) => lg.once('close', () => r()));
    return { result, load: load.trim() };
  } finally {
    echo.kill('SIGKILL');
  }
}

/** Starts a tool, returns a function that stops it with SIGINT and resolves to its stdout+stderr. */
function startTool(cmd: string, args: string[]): () => Promise<{ out: string; err: string }> {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  c.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; if (out.length > 1 << 16) out = out.slice(-4096); });
  c.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  return async () => {
    c.kill('SIGINT');
    await Promise.race([closed, sleep(10_000)]);
    c.kill('SIGKILL');
    return { out, err };
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-read-bench-'));
  const go = buildGo();
  try {
    let file = arg('--file', '');
    if (file === '') {
      file = join(dir, 'lo-300k.pcap');
      const port = await freePort();
      const { load } = await withLoad(port, 10, go, async () => {
        const td = spawn('tcpdump', ['-i', 'lo', '-w', file, '-c', String(FRAMES), '-s', '262144', `tcp port ${port}`], { stdio: 'ignore' });
        await sleep(800);
        return td;
      });
      void load;
      await sleep(1000);
    }
    if (!existsSync(file)) throw new Error(`no capture at ${file}`);
    const count = spawnSync('capinfos', ['-c', '-M', file], { encoding: 'utf8' }).stdout.match(/Number of packets:\s+(\d+)/)?.[1];
    console.log(`# file ${file}: ${count ?? '?'} frames`);

    const tools: Record<string, [string, string[]]> = {
      tcplab: [process.execPath, [TCPLAB, 'read', '-r', file]],
      tcpdump: ['tcpdump', ['-nn', '-r', file]],
      tshark: ['tshark', ['-r', file]],
    };
    const runs: Record<string, Run[]> = { tcplab: [], tcpdump: [], tshark: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, [cmd, args]] of Object.entries(tools)) runs[name]!.push(timed(cmd, args));
    }
    console.log('| tool | median wall s | median CPU s | peak RSS MB | all wall s |');
    console.log('|---|---|---|---|---|');
    for (const [name, rs] of Object.entries(runs)) {
      console.log(`| ${name} | ${median(rs.map((r) => r.wall)).toFixed(2)} | ${median(rs.map((r) => r.cpu)).toFixed(2)} | ${(Math.max(...rs.map((r) => r.rssKb)) / 1024).toFixed(0)} | ${rs.map((r) => r.wall.toFixed(2)).join(' ')} |`);
    }
    const ratio = (k: 'wall' | 'cpu'): string => (median(runs.tcplab!.map((r) => r[k])) / median(runs.tcpdump!.map((r) => r[k]))).toFixed(2);
    console.log(`tcplab/tcpdump: wall ${ratio('wall')}x, CPU ${ratio('cpu')}x`);

    // Live.
    const port = await freePort();
    const { result, load } = await withLoad(port, LIVE_S, go, async () => {
      const stopLab = startTool(process.execPath, [TCPLAB, 'capture', '-i', 'lo', '-f', `tcp port ${port}`]);
      const stopTd = startTool('tcpdump', ['-i', 'lo', '-w', '/dev/null', '-s', '262144', `tcp port ${port}`]);
      await sleep(1500);
      return { stopLab, stopTd };
    });
    await sleep(1000);
    const lab = await result.stopLab();
    const td = await result.stopTd();
    const labCount = /(\d+) packets? captured/.exec(lab.err)?.[1];
    const labToolDrops = /(\d+) packets? dropped from/.exec(lab.err)?.[1] ?? (/packets? captured/.test(lab.err) ? "0" : undefined);
    const tdCount = /(\d+) packets? captured/.exec(td.err)?.[1];
    const tdDrops = /(\d+) packets? dropped by kernel/.exec(td.err)?.[1];
    const l = JSON.parse(load || '{}') as { msgsPerSec?: number };
    console.log(`live: load ${l.msgsPerSec?.toFixed(0)} msgs/s for ${LIVE_S} s; tcplab printed ${labCount} frames (${labCount ? (Number(labCount) / LIVE_S).toFixed(0) : '?'} frames/s, kernel drops ${labToolDrops ?? '?'}); parallel tcpdump ${tdCount} (kernel drops ${tdDrops ?? '?'})`);
    console.log(`live stderr tcplab: ${lab.err.trim().split('\n').join(' | ')}`);
  } finally {
    removeBuild(go);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
