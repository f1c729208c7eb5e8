/**
 * Display-filter benchmark: the cost a filter adds to reading a capture (issue 5 target: at most
 * +20% over the same read without a filter), and ns/frame of each compiled predicate.
 *
 * The baseline is the read pipeline without output (Session: decode, TCP analysis, times), the
 * strictest base: `tcplab read` also formats and prints each frame. Two measures, both in CPU
 * time of this process (process.cpuUsage, steadier than wall time on a shared machine):
 *  1. in memory: the frames of the file are built once, then each predicate runs over all of
 *     them, R times: filter ns/frame ÷ the streamed read's ns/frame;
 *  2. streamed end to end: openCaptureFile → Session with and without the filter, interleaved,
 *     median of REPEAT runs.
 *
 * Usage (after `npx tsc -p .`):
 *   node dist/bench/filter.bench.js FILE [FILE …]
 * Make a large file from real captures (not committed), e.g.:
 *   mergecap -a -F pcap -w /tmp/filter-seed.pcap test/fixtures/pcap/filter-*.pcap
 *   mergecap -a -F pcap -w /tmp/filter-big.pcap $(for i in $(seq 200); do echo /tmp/filter-seed.pcap; done)
 * Not part of the tests: numbers depend on the machine.
 */
import { readFileSync } from 'node:fs';
import { openCaptureFile, BufferCaptureReader, type CaptureSource } from '../src/wire/open.js';
import type { Frame } from '../src/fields/field.js';
import { Session } from '../src/pipeline/session.js';
import { parseFilter, type CompiledFilter } from '../src/filter/index.js';

const FILTERS = [
  'tcp.port == 80',
  'ip.addr == 10.0.0.0/8 && tcp.len > 0',
  'tcp.analysis.retransmission',
  'tcp.payload contains "HTTP"',
  'tcp.flags & 0x12 == 0x12 || ipv6',
  'frame.len > 100 and not tcp.port in {80, 443, 6666..6670}',
  'tcp.payload matches "^(GET|POST) "',
  'ip.src == ip.dst or tcp.srcport < tcp.dstport',
];
const REPEAT = Number(process.env['REPEAT'] ?? 5);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Builds every frame of the file in memory (views into one buffer stay valid). */
function framesInMemory(path: string): { frames: Frame[] } {
  const reader = new BufferCaptureReader(readFileSync(path), path);
  const session = new Session({ info: reader.info } as unknown as CaptureSource);
  const frames: Frame[] = [];
  for (const rec of reader) frames.push(session.frameOf(rec));
  return { frames };
}

async function run(path: string, filter: CompiledFilter | undefined): Promise<{ ms: number; frames: number; passed: number }> {
  const t0 = cpuMs();
  const src = await openCaptureFile(path);
  let frames = 0;
  let passed = 0;
  try {
    for await (const f of new Session(src)) {
      frames++;
      if (filter === undefined || filter.test(f)) passed++;
    }
  } finally {
    src.close();
  }
  return { ms: cpuMs() - t0, frames, passed };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node dist/bench/filter.bench.js FILE [FILE …]   (see the header for making a big file)');
  process.exit(2);
}
for (const path of files) {
  const compiled = FILTERS.map((text) => {
    const r = parseFilter(text);
    if (!r.ok) throw new Error(`${text}: ${r.errors[0]?.message}`);
    return r.filter;
  });
  {
    await run(path, undefined); // warm-up
    const reads = [];
    for (let i = 0; i < 5; i++) reads.push(await run(path, undefined));
    const readNs = (median(reads.map((r) => r.ms)) * 1e6) / (reads[0]?.frames ?? 1);
    framesInMemory(path); // warm-up
    const frames = framesInMemory(path).frames;
    // The filter's share is measured against the streamed read (what `tcplab read` does without
    // -Y): building retained frames in memory costs more (GC), which would flatter the ratio.
    const pipeNs = readNs;
    console.log(`${path}: ${frames.length} frames; streamed read (open + decode + analysis + times) ${readNs.toFixed(0)} ns/frame CPU`);
    let worst = 0;
    for (const c of compiled) {
      const R = 20;
      let passed = 0;
      for (const f of frames) if (c.test(f)) passed++; // warm-up
      const t0 = cpuMs();
      for (let i = 0; i < R; i++) for (const f of frames) c.test(f);
      const ns = ((cpuMs() - t0) * 1e6) / (R * frames.length);
      worst = Math.max(worst, ns / pipeNs);
      console.log(`  in memory  ${c.text.padEnd(60)} ${ns.toFixed(0).padStart(5)} ns/frame  +${((ns / pipeNs) * 100).toFixed(1).padStart(4)}%  (${passed} pass)`);
    }
    console.log(`  in memory: worst filter cost ${(worst * 100).toFixed(1)}% of the streamed read (target ≤ 20%)`);
  }
  await run(path, undefined); // warm-up
  const base: number[] = [];
  const per: number[][] = compiled.map(() => []);
  let frames = 0;
  const passed: number[] = compiled.map(() => 0);
  for (let i = 0; i < REPEAT; i++) {
    for (let j = 0; j < compiled.length; j++) {
      const b = await run(path, undefined);
      base.push(b.ms);
      frames = b.frames;
      const r = await run(path, compiled[j]);
      per[j]?.push(r.ms);
      passed[j] = r.passed;
    }
  }
  const baseMs = median(base);
  console.log(`  streamed: read without filter ${baseMs.toFixed(0)} ms CPU (median of ${base.length}), ${((baseMs * 1e6) / frames).toFixed(0)} ns/frame`);
  let worst = 0;
  compiled.forEach((c, j) => {
    const ms = median(per[j] ?? []);
    const overhead = (ms - baseMs) / baseMs;
    worst = Math.max(worst, overhead);
    console.log(`  streamed   ${c.text.padEnd(60)} ${ms.toFixed(0).padStart(6)} ms  ${(overhead * 100).toFixed(1).padStart(5)}%  ${(((ms - baseMs) * 1e6) / frames).toFixed(0).padStart(5)} ns/frame  (${passed[j]} pass)`);
  });
  console.log(`  streamed: worst overhead ${(worst * 100).toFixed(1)}% (target ≤ 20%; noisy on a loaded machine)`);
}
