/**
 * TcpReassembler: the byte streams it delivers, rendered as `tshark -q -z follow,tcp,raw,N`
 * prints them, equal to tshark's output (goldens made by scripts/make-analysis-goldens.sh);
 * plus the event contract (open/data/gap/close, offsets, frames, bounds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TcpReassembler } from '../../src/analysis/reassembly.js';
import type { ReassemblerOptions, StreamEvent } from '../../src/analysis/reassembly.js';
import { formatFollow } from '../../src/present/tcp-follow.js';
import { reassembleFile } from '../support/reassemble.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'pcap');
const goldens = join(root, 'test', 'golden', 'analysis', 'follow');

async function eventsOf(file: string, opts: ReassemblerOptions = {}): Promise<StreamEvent[]> {
  return reassembleFile(join(fixtures, file), opts);
}

const files = readdirSync(goldens).filter((f) => f.endsWith('.txt')).sort();

test('follow goldens exist for loss, reordering, reuse and zero-window captures', () => {
  assert.ok(files.length >= 20, `${files.length}`);
});

const byFixture = new Map<string, number[]>();
for (const f of files) {
  const m = /^(.*)\.(\d+)\.txt$/.exec(f)!;
  byFixture.set(m[1]!, [...(byFixture.get(m[1]!) ?? []), Number(m[2])]);
}
for (const [fixture, streams] of byFixture) {
  test(`reassembled streams of ${fixture} equal tshark's follow,tcp,raw output`, async () => {
    const events = await eventsOf(fixture);
    for (const s of streams) {
      const want = readFileSync(join(goldens, `${fixture}.${s}.txt`), 'utf8');
      assert.equal(formatFollow(events, s, 'raw'), want, `stream ${s}`);
    }
  });
}

test('e1: events carry frames and offsets; the hole acknowledged by the peer is a 200-byte gap', async () => {
  const ev = (await eventsOf('analysis-e1.pcap')).filter((e) => e.stream === 0);
  assert.deepEqual(ev[0], { type: 'open', stream: 0, frame: 1, handshake: true, node0: { addr: '10.0.0.1', port: 40000 }, node1: { addr: '10.0.0.2', port: 33333 } });
  const data = ev.filter((e) => e.type === 'data');
  // Frame 4 first, then the fast retransmission (11) fills the hole and releases 5 and 6.
  assert.deepEqual(data.slice(0, 4).map((e) => e.type === 'data' ? [e.frame, e.offset, e.bytes.length] : []), [[4, 0, 100], [11, 100, 100], [5, 200, 100], [6, 300, 100]]);
  const gap = ev.find((e) => e.type === 'gap');
  assert.ok(gap !== undefined && gap.type === 'gap');
  assert.deepEqual([gap.frame, gap.offset, gap.length], [22, 700, 200]);
  assert.equal(ev.at(-1)!.type, 'close');
  // Each byte delivered once: data and gaps tile the stream positions without overlap.
  let next = 0;
  for (const e of ev) {
    if (e.type === 'data' && e.node === 0) { assert.equal(e.offset, next); next += e.bytes.length; }
    if (e.type === 'gap' && e.node === 0) { assert.equal(e.offset, next); next += e.length; }
  }
  assert.equal(next, 1000, 'client sent relative bytes 1..1001');
});

test('close reasons: RST, FIN both ways, capture end', async () => {
  const reset = (await eventsOf('analysis-lo-reset.pcap')).filter((e) => e.type === 'close');
  assert.ok(reset.some((e) => e.type === 'close' && e.reason === 'rst'));
  const half = (await eventsOf('analysis-lo-halfclose.pcap')).filter((e) => e.type === 'close');
  assert.deepEqual(half.map((e) => e.type === 'close' ? e.reason : ''), ['fin']);
  const e2 = (await eventsOf('analysis-e2.pcap')).filter((e) => e.type === 'close' || e.type === 'open');
  assert.deepEqual(e2.map((e) => e.type === 'close' ? e.reason : e.type === 'open' ? `open ${e.handshake}` : ''), ['open false', 'end']);
});

test('port reuse gives one open/close pair per tcp.stream', async () => {
  const ev = await eventsOf('analysis-lo-reuse.pcap');
  const opens = ev.filter((e) => e.type === 'open').map((e) => e.stream);
  const closes = ev.filter((e) => e.type === 'close').map((e) => e.stream);
  assert.ok(opens.length >= 2);
  assert.deepEqual([...closes].sort(), [...opens].sort());
});

test('bounded: a tiny out-of-order budget forces gaps but never loses or repeats bytes', async () => {
  const all = await eventsOf('analysis-lo-pingpong-loss20.pcap');
  const tight = await eventsOf('analysis-lo-pingpong-loss20.pcap', { maxBufferedBytes: 1 });
  const count = (ev: StreamEvent[], node: 0 | 1): number => ev.reduce((n, e) => n + (e.type === 'data' && e.node === node ? e.bytes.length : 0), 0);
  for (const ev of [all, tight]) {
    for (const node of [0, 1] as const) {
      let next = 0;
      for (const e of ev) {
        if (e.type === 'data' && e.node === node) { assert.equal(e.offset, next); next += e.bytes.length; }
        if (e.type === 'gap' && e.node === node) { assert.equal(e.offset, next); next += e.length; }
      }
    }
  }
  assert.ok(count(tight, 0) <= count(all, 0));
  // At most one stream followed at a time: every open beyond the first closes another one.
  const one = await eventsOf('analysis-zerologon.pcap', { maxStreams: 1 });
  assert.ok(one.some((e) => e.type === 'close' && e.reason === 'evicted'), 'interleaved streams force evictions');
  let open = 0;
  for (const e of one) {
    if (e.type === 'open') open++;
    if (e.type === 'close') open--;
    assert.ok(open <= 1);
  }
  assert.equal(open, 0);
});
