/**
 * The parallel read's batches (src/pipeline/record-batch.ts): records packed for a worker come
 * back field for field (comments, timestamp-less records, the previous frame's time), and lines
 * of several threads merge back into frame order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordBatchWriter, forEachRecord, LineBatchWriter, mergeLines } from '../../src/pipeline/record-batch.js';
import { readAllRecords } from '../../src/wire/open.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import type { Timestamp } from '../../src/util/time.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'pcap');

test('packed records come back field for field, with the previous frame time', () => {
  const real = readAllRecords(readFileSync(join(fixtures, 'pcapng-example.pcapng')));
  assert.ok(real.length > 50);
  const odd: CaptureRecord[] = [
    { frameNo: 1, ts: { sec: 0, nsec: 0 }, capLen: 3, origLen: 1500, linkType: 1, ifIndex: 2, data: Uint8Array.of(1, 2, 3), comments: ['a', 'ünïcode, "quoted"'], noTimestamp: true },
    { frameNo: 2, ts: { sec: -5, nsec: 999_999_999 }, capLen: 0, origLen: 0, linkType: 228, ifIndex: 0, data: new Uint8Array(0), comments: [] },
  ];
  const all = [...odd, ...real];
  const w = new RecordBatchWriter();
  let prev: Timestamp | undefined;
  const prevs: (Timestamp | undefined)[] = [];
  for (const r of all) { w.add(r, prev); prevs.push(prev); prev = r.ts; }
  assert.equal(w.count, all.length);
  const bytes = w.take();
  assert.equal(w.count, 0);
  const back: [CaptureRecord, Timestamp | undefined][] = [];
  forEachRecord(bytes, (r, p) => back.push([{ ...r, data: Uint8Array.prototype.slice.call(r.data) }, p]));
  assert.equal(back.length, all.length);
  back.forEach(([r, p], i) => {
    const want = all[i]!;
    assert.deepEqual({ ...r, data: [...r.data] }, { ...want, data: [...want.data], comments: [...want.comments] }, `record ${i}`);
    assert.deepEqual(p, prevs[i], `prev of record ${i}`);
  });
  // The writer is reusable after take().
  w.add(real[0]!, undefined);
  let n = 0;
  forEachRecord(w.take(), () => n++);
  assert.equal(n, 1);
});

test('lines of several threads merge back into frame order', () => {
  const a = new LineBatchWriter();
  const b = new LineBatchWriter();
  const c = new LineBatchWriter();
  for (const [w, frames] of [[a, [1, 2, 5, 9]], [b, [3, 4, 10]], [c, [6, 7, 8]]] as const) {
    for (const f of frames) w.add(f, `frame ${f} →\n`);
  }
  const merged = mergeLines([a.take(), b.take(), c.take()]).toString('utf8');
  assert.equal(merged, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((f) => `frame ${f} →\n`).join(''));
  assert.equal(mergeLines([a.take(), b.take()]).length, 0, 'take() emptied the batches');
});

test('lines written as bytes (addBytes) sit among string lines; a declined fill adds nothing', () => {
  const w = new LineBatchWriter();
  const fill = (n: number, buf: Uint8Array, pos: number): number => {
    if (n % 3 === 0) return -1;
    return pos + Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).write(`bytes ${n}\n`, pos, 'latin1');
  };
  for (let f = 1; f <= 6; f++) if (!w.addBytes(f, 64, fill, f)) w.add(f, `string ${f}\n`);
  // Past the first buffer (256 KiB): the batch grows and keeps what it had.
  for (let f = 7; f < 40_007; f++) assert.ok(w.addBytes(f, 64, (_: number, buf, pos) => pos + Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).write('xxxxxxxxx\n', pos, 'latin1'), f) === true);
  const m = w.take();
  assert.equal(m.frames.length, 40_006);
  const text = Buffer.from(m.bytes).toString('latin1');
  assert.ok(text.startsWith('bytes 1\nbytes 2\nstring 3\nbytes 4\nbytes 5\nstring 6\nxxxxxxxxx\n'));
  assert.equal(m.ends[5], 'bytes 1\nbytes 2\nstring 3\nbytes 4\nbytes 5\nstring 6\n'.length);
  assert.equal(m.bytes.length, m.ends[m.ends.length - 1]);
});
