/**
 * TcpAnalyzer behaviour beyond the tshark goldens: bounded state (eviction), stream numbering
 * after eviction, non-TCP frames, and the per-frame result on a real capture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { TA_DUPLICATE_ACK, TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION } from '../../src/analysis/types.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import type { DecodedPacket } from '../../src/decode/packet.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = (name: string): string => join(root, 'test', 'fixtures', 'pcap', name);

async function load(name: string): Promise<{ rec: CaptureRecord; pkt: DecodedPacket }[]> {
  const src = await openCaptureFile(fixture(name));
  const dec = new PacketDecoder();
  const out: { rec: CaptureRecord; pkt: DecodedPacket }[] = [];
  for await (const r of src) {
    const rec = { ...r, data: r.data.slice() };
    out.push({ rec, pkt: dec.decode(rec) });
  }
  src.close();
  return out;
}

/** The same packet under another client port (a new 4-tuple); server port 6666 is kept. */
function withClientPort(pkt: DecodedPacket, port: number): DecodedPacket {
  const t = pkt.tcp!;
  return { ...pkt, tcp: t.srcPort === 6666 ? { ...t, dstPort: port } : { ...t, srcPort: port } };
}

test('loss.pcap: the frames of spec §15 carry their flags and numbers', async () => {
  const items = await load('analysis-loss.pcap');
  const an = new TcpAnalyzer();
  const res = items.map((it) => an.analyze(it.rec, it.pkt));
  assert.equal(res[13]!.flags, TA_RETRANSMISSION);
  assert.equal(res[13]!.rtoFrame, 13);
  assert.equal(res[13]!.bytesInFlight, 24);
  assert.equal(res[36]!.flags, TA_SPURIOUS_RETRANSMISSION);
  assert.equal(res[37]!.flags, TA_DUPLICATE_ACK);
  assert.deepEqual([res[37]!.dupAckFrame, res[37]!.dupAckNum, res[37]!.acksFrame], [36, 1, 37]);
  assert.equal(res[14]!.acksFrame, 13, 'oldest segment wins (#15 acks 13, not 14)');
  assert.equal(res[2]!.initialRttNs, 55_000);
  assert.equal(res[15]!.bytesInFlight, 0, '#16: 24 in flight − 24 SACKed');
  assert.equal(res[15]!.hasRecord, true);
  const flagged = res.flatMap((r, i) => (r && r.flags !== 0 ? [i + 1] : []));
  assert.deepEqual(flagged, [14, 37, 38, 235, 242, 243, 288, 290]);
});

test('state stays bounded: never more than maxStreams streams, all frames still analysed', async () => {
  const items = (await load('analysis-lo-telnet-v4.pcap')).filter((it) => it.pkt.tcp !== undefined);
  const an = new TcpAnalyzer({ maxStreams: 50 });
  let frameNo = 0;
  let peak = 0;
  for (let c = 0; c < 400; c++) {
    for (const it of items) {
      const r = an.analyze({ ...it.rec, frameNo: ++frameNo }, withClientPort(it.pkt, 20000 + c));
      assert.ok(r !== undefined);
      peak = Math.max(peak, an.trackedStreams);
    }
  }
  assert.equal(an.streamCount, 400);
  assert.ok(peak <= 50, `peak ${peak}`);
});

test('a closed stream is forgotten only after its linger time and frame count', async () => {
  const items = (await load('analysis-lo-reset.pcap')).filter((it) => it.pkt.tcp !== undefined && it.pkt.tcp.dstPort !== 6667 && it.pkt.tcp.srcPort !== 6667);
  const first = items[0]!;
  const replay = (an: TcpAnalyzer, secShift: number, frameShift: number): number => {
    let stream = -1;
    for (const it of items) {
      const rec = { ...it.rec, frameNo: it.rec.frameNo + frameShift, ts: { sec: it.rec.ts.sec + secShift, nsec: it.rec.ts.nsec } };
      stream = an.analyze(rec, it.pkt)!.stream;
    }
    return stream;
  };
  // Same 4-tuple replayed (the SYN repeats the ISN: no port reuse), much later: still stream 0
  // while the frame gap is small; a new stream once both linger limits have passed.
  const keep = new TcpAnalyzer({ closedLingerSec: 10, closedLingerFrames: 1000 });
  assert.equal(replay(keep, 0, 0), 0);
  assert.equal(replay(keep, 3600, 10), 0);
  const forget = new TcpAnalyzer({ closedLingerSec: 10, closedLingerFrames: 1000 });
  replay(forget, 0, 0);
  assert.equal(replay(forget, 3600, 5000), 1);
  assert.equal(forget.trackedStreams, 1);
  assert.ok(first.pkt.tcp !== undefined);
});

test('frames without TCP give no analysis', async () => {
  const an = new TcpAnalyzer();
  const items = await load('analysis-lo-reset.pcap');
  const { rec, pkt } = items[0]!;
  assert.equal(an.analyze(rec, { ...pkt, tcp: undefined, icmp: undefined }), undefined);
});
