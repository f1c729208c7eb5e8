/**
 * RowPacker (src/web/packed.ts): the TCP analysis of every frame of real captures comes back
 * deep-equal (same keys, same order, facts and SACK edges included) after packing; records that
 * do not fit the learnt shape are kept as they are; dropped rows are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/pipeline/session.js';
import { bufferSource } from '../../src/web/ingest.js';
import { RowPacker } from '../../src/web/packed.js';
import type { TcpFrameAnalysis } from '../../src/analysis/types.js';
import { fixture } from './support.js';

test('every frame\'s TCP analysis round-trips through the packer (real captures with loss, SACK, zero windows)', async () => {
  for (const name of ['analysis-loss.pcap', 'analysis-lo-zerowindow.pcap', 'analysis-lo-pingpong-loss20.pcap', 'analysis-lo-telnet-v6.pcap', 'decode-eth-udp-tcp-icmp.pcap']) {
    const p = new RowPacker();
    const kept: [number, TcpFrameAnalysis | undefined][] = [];
    let facts = 0, sacks = 0;
    for await (const f of new Session(bufferSource(readFileSync(fixture(name)), name))) {
      if (f.tcp) p.pack(f.record.frameNo, f.tcp);
      if (f.tcp?.facts) facts++;
      if (f.tcp && f.tcp.sackLe.length > 0) sacks++;
      kept.push([f.record.frameNo, f.tcp]);
    }
    for (const [no, a] of kept) {
      const b = p.unpack<TcpFrameAnalysis>(no);
      assert.deepEqual(b, a, `${name} frame ${no}`);
      if (a) assert.deepEqual(Object.keys(b!), Object.keys(a), `${name} frame ${no}: key order`);
    }
    if (name === 'analysis-loss.pcap') assert.ok(facts > 0 && sacks > 0, `facts ${facts}, sacks ${sacks}`);
  }
});

test('records off the learnt shape are kept as they are; drop() releases rows below an id', () => {
  const p = new RowPacker();
  p.pack(1, { a: 1, b: true, c: [1, 2], d: undefined });
  p.pack(2, { a: 2, b: false, c: [], d: { x: 5 } });
  const odd = { a: 'three', b: true, c: [], d: undefined };
  p.pack(3, odd);
  p.pack(4, { a: 4, b: true, c: [], e: 1 });
  p.pack(40_000, { a: 5, b: true, c: [7], d: undefined });
  assert.deepEqual(p.unpack(1), { a: 1, b: true, c: [1, 2], d: undefined });
  assert.deepEqual(p.unpack(2), { a: 2, b: false, c: [], d: { x: 5 } });
  assert.equal(p.unpack(3), odd);
  assert.deepEqual(p.unpack(4), { a: 4, b: true, c: [], e: 1 });
  assert.equal(p.unpack(5), undefined, 'never packed');
  p.drop(20_000);
  assert.equal(p.unpack(1), undefined);
  assert.equal(p.unpack(3), undefined);
  assert.deepEqual(p.unpack(40_000), { a: 5, b: true, c: [7], d: undefined });
});
