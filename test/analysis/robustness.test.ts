/**
 * Hostile input: decode + analyze + reassemble never throw and stay bounded on damaged packets
 * (seeded random byte flips in the IP/TCP headers of real captures, and every truncation of
 * each frame of a small capture).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { TcpReassembler } from '../../src/analysis/reassembly.js';
import { TcpConversationTable } from '../../src/analysis/conversations.js';
import { explainTcpAnalysis } from '../../src/present/tcp-analysis-explain.js';
import { formatAnalysisPrefix } from '../../src/present/tcp-analysis-info.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import { mulberry32 as prng } from '../../src/util/prng.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function records(name: string): Promise<CaptureRecord[]> {
  const src = await openCaptureFile(join(root, 'test', 'fixtures', 'pcap', name));
  const out: CaptureRecord[] = [];
  for await (const r of src) out.push({ ...r, data: r.data.slice() });
  src.close();
  return out;
}


function runAll(recs: CaptureRecord[]): number {
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer({ maxStreams: 64 });
  const re = new TcpReassembler({ maxStreams: 16, maxBufferedBytes: 4096, maxBufferedSegments: 8 });
  const conv = new TcpConversationTable();
  let events = 0;
  for (const r of recs) {
    const pkt = dec.decode(r);
    const a = an.analyze(r, pkt);
    if (a) {
      formatAnalysisPrefix(a);
      explainTcpAnalysis(a);
      assert.ok(an.trackedStreams <= 64);
    }
    events += re.push(r, pkt, a).length;
    assert.ok(re.openStreams <= 16);
    conv.add(r, pkt, a);
  }
  events += re.finish(recs.length).length;
  conv.sorted();
  return events;
}

for (const [name, seed] of [['analysis-loss.pcap', 1], ['analysis-wireshark-retrans.pcap', 2], ['analysis-lo-telnet-v6.pcap', 3], ['analysis-tcp-opt.pcap', 4]] as const) {
  test(`random header flips in ${name} (seed ${seed}) never throw`, async () => {
    const base = await records(name);
    const rnd = prng(seed);
    for (let round = 0; round < 20; round++) {
      const recs = base.map((r) => {
        const data = r.data.slice();
        const flips = 1 + Math.floor(rnd() * 4);
        // Flip bytes in the first 80 bytes: link, IP and TCP headers and options.
        for (let i = 0; i < flips; i++) data[Math.floor(rnd() * Math.min(80, data.length))] = Math.floor(rnd() * 256);
        return { ...r, data, capLen: data.length };
      });
      assert.ok(runAll(recs) >= 0);
    }
  });
}

test('every truncation of every frame never throws', async () => {
  const base = await records('analysis-e5.pcap');
  for (const r of base) {
    const recs: CaptureRecord[] = [];
    for (let n = 0; n <= r.data.length; n++) recs.push({ ...r, frameNo: recs.length + 1, data: r.data.subarray(0, n), capLen: n });
    runAll(recs);
  }
});
