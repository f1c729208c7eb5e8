/**
 * tcpdump in tests: capture loopback traffic while a test runs, then read the segments back.
 *
 *   const cap = await startTcpdump(`tcp port ${port}`);
 *   … traffic …
 *   await cap.stop();                       // waits for the file to settle, then SIGTERM
 *   const segs = readSegments(cap.file);    // tcpdump -r FILE -nn -tt, parsed
 *
 * startTcpdump() resolves only once tcpdump printed "listening on" (before that, packets are
 * lost). --immediate-mode: without it TPACKET_V3 hands packets over in blocks, up to 1 s late.
 * Needs root (or CAP_NET_RAW) and /usr/sbin/tcpdump; use `tcpdumpUsable()` to skip
 * otherwise. Every wait is bounded. Files go to a fresh temp dir removed by stop({ keep: false }).
 * The parser understands tcpdump 4.99's one-line IPv4/IPv6 TCP output; other lines are skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TcpdumpCapture {
  /** The pcap file being written. */
  readonly file: string;
  /** Lets the last packets reach the file, stops tcpdump (SIGTERM, SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Removes the temp dir (call after reading). */
  cleanup(): void;
}

/** One TCP segment as tcpdump -nn -tt printed it. */
export interface Segment {
  /** Seconds since the epoch (microsecond precision). */
  ts: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** tcpdump's flag letters without brackets: "S", "S.", ".", "P.", "F.", "R", "R." … */
  flags: string;
  /** "seq A:B" or "seq A" as printed (relative unless the capture said otherwise). */
  seqStart: number | undefined;
  seqEnd: number | undefined;
  ack: number | undefined;
  /** The raw window field (not scaled). */
  win: number | undefined;
  length: number;
  options: string;
  line: string;
}

let usable: boolean | undefined;

/** True when tcpdump exists and we may capture (root). */
export function tcpdumpUsable(): boolean {
  if (usable === undefined) {
    const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8', timeout: 5000 });
    usable = r.status === 0 && typeof process.getuid === 'function' && process.getuid() === 0;
  }
  return usable;
}

/** Starts `tcpdump -i IFACE -U -w FILE FILTER` and resolves once it is listening. */
export async function startTcpdump(filter: string, opts: { iface?: string; snaplen?: number; timeoutMs?: number } = {}): Promise<TcpdumpCapture> {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-tcpdump-'));
  const file = join(dir, 'capture.pcap');
  const args = ['-i', opts.iface ?? 'lo', '-n', '-U', '--immediate-mode', '-s', String(opts.snaplen ?? 256), '-w', file, filter];
  const child: ChildProcess = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tcpdump did not start listening within ${opts.timeoutMs ?? 5000} ms: ${stderr}`)); }, opts.timeoutMs ?? 5000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`tcpdump exited (${code}) before listening: ${stderr}`)); });
  });
  let stopped = false;
  return {
    file,
    async stop() {
      if (stopped) return;
      stopped = true;
      // tcpdump -U flushes per packet, but the kernel ring may still hold the last ones: wait until
      // the file size is stable for 200 ms (at most 2 s) before terminating.
      let last = -1;
      for (let i = 0; i < 20; i++) {
        await sleep(100);
        const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
        if (size === last && i >= 2) break;
        last = size;
      }
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const LINE = /^(\d+\.\d+) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](.*)$/;

/** Parses one line of `tcpdump -nn -tt` output; undefined for lines that are not TCP. */
export function parseSegmentLine(line: string): Segment | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const rest = m[7] ?? '';
  const seq = /\bseq (\d+)(?::(\d+))?/.exec(rest);
  const ack = /\back (\d+)/.exec(rest);
  const win = /\bwin (\d+)/.exec(rest);
  const len = /\blength (\d+)/.exec(rest);
  const opt = /options \[([^\]]*)\]/.exec(rest);
  return {
    ts: Number(m[1]),
    src: m[2] ?? '',
    sport: Number(m[3]),
    dst: m[4] ?? '',
    dport: Number(m[5]),
    flags: m[6] ?? '',
    seqStart: seq ? Number(seq[1]) : undefined,
    seqEnd: seq?.[2] !== undefined ? Number(seq[2]) : undefined,
    ack: ack ? Number(ack[1]) : undefined,
    win: win ? Number(win[1]) : undefined,
    length: len ? Number(len[1]) : 0,
    options: opt?.[1] ?? '',
    line,
  };
}

/** Reads a capture with `tcpdump -r FILE -nn -tt` (plus `extraArgs`) and parses every TCP line. */
export function readSegments(file: string, extraArgs: string[] = []): Segment[] {
  const r = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', ...extraArgs], { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tcpdump -r failed (${r.status}): ${r.stderr}`);
  const out: Segment[] = [];
  for (const line of r.stdout.split('\n')) {
    const s = parseSegmentLine(line);
    if (s) out.push(s);
  }
  return out;
}

/** The segments sent from source port `port`. */
export function fromPort(segs: Segment[], port: number): Segment[] {
  return segs.filter((s) => s.sport === port);
}

/** A compact text of the capture for assertion messages. */
export function describeSegments(segs: Segment[], max = 60): string {
  const lines = segs.slice(0, max).map((s) => s.line);
  if (segs.length > max) lines.push(`… ${segs.length - max} more`);
  return lines.join('\n');
}
