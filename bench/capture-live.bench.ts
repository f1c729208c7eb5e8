/**
 * Live capture at a fixed frame rate (issue 3: "keeps up with 100k frames/s on loopback without
 * dropping; report drops if any").
 *
 * A paced Go load (bench/echo/loadgen -rate) over 64 loopback connections, 64-byte writes, for S
 * seconds, while one capturing tool runs, its stdout to /dev/null:
 *   --mode stream (default): loadgen -mode flood -rate M into bench/echo/go-echo -discard (a
 *     sink): M data segments/s plus the sink's ACKs (~1.65 frames per write), cheap enough to
 *     reach 100k+ frames/s on 2 vCPUs next to the capture;
 *   --mode echo: loadgen -mode echo -rate M into go-echo (request + echo, ~2 frames per message;
 *     on 2 vCPUs it tops out near 47k messages/s while a capture runs).
 * Tools, one at a time (alternating, ROUNDS rounds per rate), so each has the CPU the load leaves:
 *   - `tcplab capture -i lo -f 'tcp port P'` (one-line output as tshark prints it; dumpcap
 *     underneath), which ends with "N packets captured" and "N packets dropped from lo" when
 *     frames were dropped;
 *   - `tshark -i lo -f 'tcp port P'` (the oracle, same output), same closing lines;
 *   - `tcpdump -nn -i lo 'tcp port P'` (printing, the anchor), "N packets dropped by kernel".
 * A tool keeps up when the kernel dropped nothing and it printed every frame.
 *
 * Usage (root; after `npx tsc -p .`):
 *   node dist/bench/capture-live.bench.js [--mode stream|echo] [--rates 60000,80000] [--seconds 8] [--rounds 2] [--tools tcplab,tshark,tcpdump]
 * Not part of the tests: numbers depend on the machine.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGo, freePort, removeBuild, sleep } from './echo/servers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TCPLAB = join(ROOT, 'bin', 'tcplab');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const MODE = arg('--mode', 'stream');
const RATES = arg('--rates', MODE === 'echo' ? '50000' : '60000,80000').split(',').map(Number);
const SECONDS = Number(arg('--seconds', '8'));
const ROUNDS = Number(arg('--rounds', '2'));
const TOOLS = arg('--tools', 'tcplab,tshark,tcpdump').split(',');
const CONNS = 64;

interface Outcome { tool: string; rate: number; msgs: number; printed: number; drops: number; cpuS: number }

function toolCommand(tool: string, port: number): [string, string[]] {
  const f = `tcp port ${port}`;
  if (tool === 'tcplab') return [process.execPath, [TCPLAB, 'capture', '-i', 'lo', '-f', f]];
  if (tool === 'tshark') return ['tshark', ['-i', 'lo', '-f', f]];
  if (tool === 'tcpdump') return ['tcpdump', ['-nn', '-i', 'lo', f]];
  throw new Error(`unknown tool ${tool}`);
}

/** Reads /proc/PID/stat utime+stime of a process (seconds). */
async function cpuOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  try {
    const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

async function once(tool: string, rate: number, go: { goEcho: string; loadgen: string }): Promise<Outcome> {
  const port = await freePort();
  const echo = spawn(go.goEcho, ['-addr', `127.0.0.1:${port}`, ...(MODE === 'echo' ? [] : ['-discard'])], { stdio: 'ignore' });
  await sleep(300);
  const [cmd, args] = toolCommand(tool, port);
  const devnull = openSync('/dev/null', 'w');
  const t = spawn(cmd, args, { stdio: ['ignore', devnull, 'pipe'] });
  closeSync(devnull);
  let err = '';
  t.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const closed = new Promise<void>((r) => t.once('close', () => r()));
  await sleep(2000); // the tool is listening
  const lg = spawn(go.loadgen, ['-mode', MODE === 'echo' ? 'echo' : 'flood', '-addr', `127.0.0.1:${port}`, '-conns', String(CONNS), '-size', '64',
    '-duration', `${SECONDS}s`, ...(MODE === 'echo' ? ['-warmup', '0s'] : []), '-rate', String(rate)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let load = '';
  lg.stdout.setEncoding('utf8').on('data', (s: string) => { load += s; });
  await new Promise<void>((r) => lg.once('close', () => r()));
  await sleep(1500); // the tail of the capture drains
  const cpuS = await cpuOf(t.pid!);
  t.kill('SIGINT');
  await Promise.race([closed, sleep(15_000)]);
  t.kill('SIGKILL');
  echo.kill('SIGKILL');
  const msgs = (JSON.parse(load.trim() || '{}') as { messages?: number }).messages ?? NaN;
  const printed = Number(/(\d+) packets? captured/.exec(err)?.[1] ?? NaN);
  const drops = Number(/(\d+) packets? dropped (?:from|by kernel)/.exec(err)?.[1] ?? 0);
  return { tool, rate, msgs, printed, drops, cpuS };
}

async function main(): Promise<void> {
  const go = buildGo();
  try {
    const all: Outcome[] = [];
    for (const rate of RATES) {
      for (let r = 0; r < ROUNDS; r++) {
        for (const tool of TOOLS) {
          const o = await once(tool, rate, go);
          all.push(o);
          process.stderr.write(`${tool} at ${rate} msgs/s: load made ${o.msgs} messages, printed ${o.printed} frames, kernel drops ${o.drops}, CPU ${o.cpuS.toFixed(2)} s\n`);
        }
      }
    }
    console.log(`mode ${MODE}: ${SECONDS} s of paced load per run, ${CONNS} connections x 64 B, ${ROUNDS} rounds per rate; stdout to /dev/null`);
    console.log('| tool | load writes/s | frames/s printed (median) | frames per write | drops (all runs) | tool CPU s (median) |');
    console.log('|---|---:|---:|---:|---|---:|');
    const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
    for (const rate of RATES) {
      for (const tool of TOOLS) {
        const os = all.filter((o) => o.tool === tool && o.rate === rate);
        console.log(`| ${tool} | ${rate} | ${med(os.map((o) => o.printed / SECONDS)).toFixed(0)} | ${med(os.map((o) => o.printed / o.msgs)).toFixed(2)} | ${os.map((o) => o.drops).join(', ')} | ${med(os.map((o) => o.cpuS)).toFixed(2)} |`);
      }
    }
  } finally {
    removeBuild(go);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
