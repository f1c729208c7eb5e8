/**
 * --explain text: one line per flag with the numbers that decided it (spec §6.2), checked on the
 * spec vectors and loss.pcap, whose decisions the spec documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { explainTcpAnalysis, formatDuration } from '../../src/present/tcp-analysis-explain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function explained(name: string): Promise<Map<number, string[]>> {
  const src = await openCaptureFile(join(root, 'test', 'fixtures', 'pcap', name));
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer();
  const out = new Map<number, string[]>();
  for await (const r of src) {
    const pkt = dec.decode(r);
    const a = an.analyze(r, pkt);
    const lines = a ? explainTcpAnalysis(a) : [];
    if (lines.length > 0) out.set(r.frameNo, lines);
    if (a && a.flags === 0) assert.equal(a.facts, undefined);
  }
  return out;
}

const rows: { file: string; frame: number; want: RegExp[] }[] = [
  { file: 'analysis-loss.pcap', frame: 14, want: [/^\[TCP Retransmission\] Seq 73–97 \(24 bytes\) starts before 97/, /frame 13/, /acknowledged only up to 73/, /0 duplicate ACKs/, /206\.522 ms passed/, /iRTT of 55 µs/, /RTO 206\.522 ms, counted from frame 13/] },
  { file: 'analysis-loss.pcap', frame: 37, want: [/^\[TCP Spurious Retransmission\] Seq 313–337 \(24 bytes\) ends at or below 337/] },
  { file: 'analysis-loss.pcap', frame: 38, want: [/^\[TCP Dup ACK 36#1\] /, /number 1 of the ACKs repeating frame 36/] },
  { file: 'analysis-e1.pcap', frame: 5, want: [/^\[TCP Previous segment not captured\] Seq 201–301 .* after 101.* 100 bytes before it were never seen/] },
  { file: 'analysis-e1.pcap', frame: 11, want: [/^\[TCP Fast Retransmission\] Seq 101–201 .* 3 duplicate ACKs all asking for 101.* 7\.000 ms before \(less than 20 ms\)/] },
  { file: 'analysis-e1.pcap', frame: 18, want: [/^\[TCP Out-Of-Order\] Seq 501–601 .* before 701, .*frame 17.* 1\.000 ms after it — less than the iRTT of 20\.000 ms/] },
  { file: 'analysis-e1.pcap', frame: 20, want: [/^\[TCP ACKed unseen segment\] this packet acknowledges 901, beyond 701/] },
  { file: 'analysis-e3.pcap', frame: 5, want: [/^\[TCP Window Full\] Seq 501–1001 .* = the peer's ack 1 \+ its window 1000/] },
  { file: 'analysis-e3.pcap', frame: 8, want: [/^\[TCP ZeroWindowProbeAck\] /, /^\[TCP ZeroWindow\] window field 0/] },
  { file: 'analysis-e3.pcap', frame: 11, want: [/^\[TCP Window Update\] .* window changed from 0 to 2000/] },
  { file: 'analysis-e3.pcap', frame: 15, want: [/^\[TCP Keep-Alive\] 0 bytes at Seq 1100, one below 1101/] },
  { file: 'analysis-e4.pcap', frame: 10, want: [/^\[TCP Port numbers reused\] a SYN .* 900000 instead of the earlier 1000/] },
  { file: 'analysis-e9.pcap', frame: 8, want: [/^\[TCP Fast Retransmission\] .*"unsigned -1"/] },
];

const cache = new Map<string, Promise<Map<number, string[]>>>();
for (const r of rows) {
  test(`explain ${r.file} #${r.frame}`, async () => {
    if (!cache.has(r.file)) cache.set(r.file, explained(r.file));
    const lines = (await cache.get(r.file)!).get(r.frame) ?? [];
    const text = lines.join('\n');
    for (const re of r.want) assert.match(text, new RegExp(re.source, 'm'));
  });
}

test('every flagged frame of every vector is explained, one line per marker', async () => {
  for (const name of ['analysis-e1.pcap', 'analysis-e2.pcap', 'analysis-e7.pcap', 'analysis-e8.pcap']) {
    for (const [, lines] of await explained(name)) {
      for (const l of lines) assert.match(l, /^\[TCP [^\]]+\] \S.*[.:]$/);
    }
  }
});

test('durations', () => {
  assert.equal(formatDuration(55_000), '55 µs');
  assert.equal(formatDuration(206_522_000), '206.522 ms');
  assert.equal(formatDuration(1_000_000_000), '1.000000 s');
});
