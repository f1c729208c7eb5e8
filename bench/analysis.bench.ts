/**
 * TCP analysis benchmark: frames/s and ns/frame of TcpAnalyzer.analyze() alone (records decoded
 * once beforehand, in memory) and of decode + analyze, over real captures; then a bounded-state
 * run: the same frames replayed under many distinct 4-tuples (ports rewritten in the decoded
 * packet) to show that tracked streams and heap stay bounded by maxStreams.
 *
 * Usage (after `npx tsc -p .`):
 *   node dist/bench/analysis.bench.js [FILE …]   (default: test/fixtures/pcap/analysis-lo-*.pcap*)
 *   node dist/bench/analysis.bench.js --stream BIG.pcap   (streamed from disk: read + decode +
 *     analyze, frames/s, peak RSS and tracked streams; e.g. a synthetic 300k-connection file)
 * Not part of the tests: numbers depend on the machine.
 */
import { readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../src/wire/open.js';
import { PacketDecoder } from '../src/decode/decoder.js';
import { TcpAnalyzer } from '../src/analysis/tcp-analysis.js';
import type { CaptureRecord } from '../src/wire/record.js';
import type { DecodedPacket } from '../src/decode/packet.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);

if (args[0] === '--stream' && args[1] !== undefined) {
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const src = await openCaptureFile(args[1]);
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer();
  let frames = 0;
  let flagged = 0;
  let peakTracked = 0;
  for await (const rec of src) {
    const a = an.analyze(rec, dec.decode(rec));
    frames++;
    if (a !== undefined && a.flags !== 0) flagged++;
    if ((frames & 0xffff) === 0) peakTracked = Math.max(peakTracked, an.trackedStreams);
  }
  clearInterval(sampler);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  console.log(`streamed ${frames} frames, ${an.streamCount} streams (peak tracked ${peakTracked}, now ${an.trackedStreams}), ${flagged} flagged: `
    + `${(frames / (ns / 1e9) / 1e6).toFixed(2)} M frames/s wall, ${((cpu.user + cpu.system) / 1000 / frames * 1e6).toFixed(0)} ns CPU/frame, peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);
  process.exit(0);
}
const files = args.length > 0 ? args : readdirSync(join(root, 'test/fixtures/pcap'))
  .filter((f) => f.startsWith('analysis-lo-'))
  .map((f) => join(root, 'test/fixtures/pcap', f));

interface Item { rec: CaptureRecord; pkt: DecodedPacket }

async function load(path: string): Promise<Item[]> {
  const src = await openCaptureFile(path);
  const dec = new PacketDecoder();
  const out: Item[] = [];
  for await (const r of src) {
    const rec = { ...r, data: r.data.slice() };
    out.push({ rec, pkt: dec.decode(rec) });
  }
  src.close();
  return out;
}

const perFile: Item[][] = [];
for (const f of files) perFile.push(await load(f));
const total = perFile.reduce((n, a) => n + a.length, 0);

function timeIt(label: string, rounds: number, body: () => number): void {
  body(); // warm-up
  const t0 = process.hrtime.bigint();
  let frames = 0;
  for (let i = 0; i < rounds; i++) frames += body();
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(`${label.padEnd(34)} ${(frames / (ns / 1e9) / 1e6).toFixed(2)} M frames/s  ${(ns / frames).toFixed(0)} ns/frame  (${frames} frames)`);
}

console.log(`${files.length} files, ${total} frames`);
const rounds = Math.max(1, Math.ceil(2_000_000 / Math.max(total, 1)));
timeIt('analyze only', rounds, () => {
  let n = 0;
  for (const items of perFile) {
    const an = new TcpAnalyzer();
    for (const it of items) { an.analyze(it.rec, it.pkt); n++; }
  }
  return n;
});
const dec = new PacketDecoder();
timeIt('decode + analyze', Math.max(1, Math.ceil(rounds / 4)), () => {
  let n = 0;
  for (const items of perFile) {
    const an = new TcpAnalyzer();
    for (const it of items) { an.analyze(it.rec, dec.decode(it.rec)); n++; }
  }
  return n;
});

// Bounded state: replay every frame under `copies` different client ports (each copy is a new
// 4-tuple), with a small maxStreams so eviction is exercised.
const maxStreams = 1_000;
const copies = 200;
const an = new TcpAnalyzer({ maxStreams });
let frames = 0;
let peakTracked = 0;
let peakHeap = 0;
const t0 = process.hrtime.bigint();
for (let c = 0; c < copies; c++) {
  for (const items of perFile) {
    for (const it of items) {
      const t = it.pkt.tcp;
      if (t === undefined) continue;
      const client = t.srcPort < t.dstPort ? 'dst' : 'src';
      const pkt: DecodedPacket = { ...it.pkt, tcp: { ...t, [client === 'src' ? 'srcPort' : 'dstPort']: 1024 + ((c * 977 + (client === 'src' ? t.srcPort : t.dstPort)) % 64000) } };
      const rec = { ...it.rec, frameNo: ++frames };
      an.analyze(rec, pkt);
      if ((frames & 0xfff) === 0) {
        peakTracked = Math.max(peakTracked, an.trackedStreams);
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      }
    }
  }
}
const ns = Number(process.hrtime.bigint() - t0);
console.log(`bounded replay: ${frames} frames, ${an.streamCount} streams opened, peak tracked ${peakTracked} (max ${maxStreams}), peak heap ${(peakHeap / 1e6).toFixed(0)} MB, ${(frames / (ns / 1e9) / 1e6).toFixed(2)} M frames/s`);
