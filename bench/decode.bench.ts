/**
 * Decode benchmark: packets/s and ns/packet of PacketDecoder over in-memory records (files read
 * once beforehand), for decode() (fresh packet per frame, what retained frames use) and
 * decodeInto() (one reused packet, the streaming path). Fixed iteration counts; wall and CPU time.
 *
 * Usage (after `npx tsc -p .`):
 *   node dist/bench/decode.bench.js [FILE …]
 *   default: every test/fixtures/pcap/decode-* file plus lo-ethernet.pcap, any-sll2.pcap,
 *   pcapng-example.pcapng (a mix of link types, options, ICMP quotes and truncation).
 * Not part of the tests: numbers depend on the machine.
 */
import { readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from '../test/support/pcap-lite.js';
import { PacketDecoder } from '../src/decode/decoder.js';
import { newPacket } from '../src/decode/state.js';
import type { CaptureRecord } from '../src/wire/record.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fix = join(root, 'test/fixtures/pcap');
const args = process.argv.slice(2);
const files = args.length > 0 ? args : [
  ...readdirSync(fix).filter(f => f.startsWith('decode-')).map(f => join(fix, f)),
  join(fix, 'lo-ethernet.pcap'), join(fix, 'any-sll2.pcap'), join(fix, 'pcapng-example.pcapng'),
];

const recs: CaptureRecord[] = [];
for (const f of files) for (const r of readCaptureFile(f).records) recs.push({ ...r, data: r.data.slice() });
const bytes = recs.reduce((n, r) => n + r.capLen, 0);
console.log(`${recs.length} frames, ${bytes} bytes from ${files.length} files`);

const dec = new PacketDecoder();
let sink = 0;

function timeIt(label: string, rounds: number, body: () => void): void {
  body(); body(); // warm-up (JIT)
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) body();
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  const cpuNs = (cpu.user + cpu.system) * 1000;
  const frames = rounds * recs.length;
  console.log(`${label.padEnd(28)} ${(frames / (ns / 1e9) / 1e6).toFixed(2)} M pkt/s  ${(ns / frames).toFixed(0)} ns/pkt wall  ${(cpuNs / frames).toFixed(0)} ns/pkt cpu  (${frames} pkts)`);
}

const ROUNDS = Math.max(20, Math.ceil(2_000_000 / recs.length));

timeIt('decode() fresh packet', ROUNDS, () => {
  for (const r of recs) { const p = dec.decode(r); sink += p.layers.length; }
});

const reuse = newPacket(0);
timeIt('decodeInto() reused packet', ROUNDS, () => {
  for (const r of recs) { dec.decodeInto(reuse, r); sink += reuse.layers.length; }
});

const tcpOnly = recs.filter(r => dec.decode(r).tcp !== undefined);
timeIt(`decodeInto() TCP frames only (${tcpOnly.length})`, ROUNDS, () => {
  for (const r of tcpOnly) { dec.decodeInto(reuse, r); sink += reuse.layers.length; }
});

if (sink === -1) console.log(sink);
console.log(`internal decoder errors: ${PacketDecoder.internalErrors}`);
