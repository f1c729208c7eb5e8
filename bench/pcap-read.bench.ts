/**
 * pcap/pcapng read benchmark (ARCHITECTURE.md §2.6): MB/s, packets/s and ns/packet of
 * openCaptureFile (streamed from disk, 1 MiB chunks) and of the in-memory BufferCaptureReader,
 * peak RSS (constant-memory check), and the ratio to tcpdump reading the same file.
 *
 * Usage (after `npx tsc -p .`):
 *   node dist/bench/pcap-read.bench.js FILE [FILE …]
 * Make a large file from real captures (not committed), e.g.:
 *   mergecap -a -F pcap -w /tmp/seed.pcap <corpus ether pcaps>; mergecap -a -F pcap -w /tmp/big.pcap /tmp/seed.pcap ×N
 *   editcap -F pcapng /tmp/big.pcap /tmp/big.pcapng
 * Not part of the tests: numbers depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { openCaptureFile, BufferCaptureReader } from '../src/wire/open.js';

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
sampler.unref();

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

async function streamed(path: string): Promise<{ pkts: number; bytes: number; ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const src = await openCaptureFile(path);
  let pkts = 0;
  let bytes = 0;
  for await (const r of src) {
    pkts++;
    bytes += r.capLen;
  }
  const c = process.cpuUsage(c0);
  return { pkts, bytes, ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1000 };
}

/** Parses the first `limit` bytes of the file from memory (no I/O in the timed loop). */
function inMemory(path: string, limit: number): { pkts: number; size: number; ms: number } {
  const size = Math.min(limit, statSync(path).size);
  const buf = Buffer.allocUnsafe(size);
  const fd = openSync(path, 'r');
  readSync(fd, buf, 0, size, 0);
  closeSync(fd);
  const t0 = process.hrtime.bigint();
  let pkts = 0;
  try {
    for (const _ of new BufferCaptureReader(buf, path)) pkts++;
  } catch {
    // The cut at `limit` ends inside a record: expected.
  }
  return { pkts, size, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/**
 * Wall and CPU milliseconds of a tool run (CPU via /usr/bin/time, since a shared 2-core machine
 * makes wall time noisy; CPU time compares the work done).
 */
function timeTool(cmd: string, args: string[]): { ms: number; cpuMs: number | undefined } | undefined {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error !== undefined) {
    const plain = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    return plain.error !== undefined ? undefined : { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: undefined };
  }
  const m = /TIME ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined };
}

function ratioLine(label: string, ours: { ms: number; cpuMs: number }, t: { ms: number; cpuMs: number | undefined } | undefined): void {
  if (t === undefined) return;
  const cpu = t.cpuMs !== undefined ? `, cpu ${(t.cpuMs / 1000).toFixed(2)} s → CPU ratio ${(ours.cpuMs / t.cpuMs).toFixed(2)}` : '';
  console.log(`  ${label}: wall ${(t.ms / 1000).toFixed(2)} s → wall ratio tcplab/tcpdump ${(ours.ms / t.ms).toFixed(2)}${cpu}`);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node dist/bench/pcap-read.bench.js FILE [FILE …]   (see the header for making a big file)');
  process.exit(2);
}
for (const path of files) {
  const size = statSync(path).size;
  // Streamed first, so the RSS figures are not inflated by the in-memory run's buffer.
  const baseRss = process.memoryUsage().rss;
  peakRss = baseRss;
  const s = await streamed(path);
  const rssGrowth = peakRss - baseRss;
  const warm = inMemory(path, 64 << 20);
  const mem = inMemory(path, 256 << 20);
  const tcpdumpW = timeTool('tcpdump', ['-r', path, '-w', '/dev/null']);
  const tcpdumpQ = timeTool('tcpdump', ['-r', path, '-nn', '-q']);
  console.log(`${path}: ${mb(size)} MB, ${s.pkts} packets (avg ${(s.bytes / s.pkts).toFixed(0)} B captured)`);
  console.log(`  openCaptureFile (streamed, run first): ${(s.ms / 1000).toFixed(2)} s (cpu ${(s.cpuMs / 1000).toFixed(2)} s), ${mb(size / (s.ms / 1000))} MB/s, ${((s.pkts / s.ms) * 1000 / 1e6).toFixed(2)} M pkt/s, ${((s.ms * 1e6) / s.pkts).toFixed(0)} ns/pkt; RSS grew ${mb(rssGrowth)} MB (peak ${mb(peakRss)} MB)`);
  console.log(`  BufferCaptureReader (in memory, first ${mb(mem.size)} MB): ${mb(mem.size / (mem.ms / 1000))} MB/s, ${((mem.ms * 1e6) / mem.pkts).toFixed(0)} ns/pkt (warm-up ${warm.pkts} pkts)`);
  ratioLine('tcpdump -r FILE -w /dev/null', s, tcpdumpW);
  ratioLine('tcpdump -r FILE -nn -q >/dev/null', s, tcpdumpQ);
}
