/**
 * Damaged captures: every good frame before the damage is yielded, then a CaptureError (a
 * LabError) with a stable code and a one-line message naming frame / offset. Never another
 * exception, never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabError } from '../../src/util/errors.js';
import { BufferCaptureReader, openCaptureFile, openCaptureStream } from '../../src/wire/open.js';
import { CaptureError } from '../../src/wire/errors.js';
import { chunked, drain, drainSync, fixtureBytes, withTimeout } from './support.js';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mulberry32 as rng } from '../../src/util/prng.js';

const CUT = 'appears to have been cut short in the middle of a packet.';
const CUT_OPEN = 'appears to have been cut short in the middle of a packet or other data.';

/** Reads bytes with the sync reader; returns frames read and the error (construction included). */
function readSync(bytes: Uint8Array, name = 'x'): { frames: number; error: unknown } {
  let reader: BufferCaptureReader;
  try {
    reader = new BufferCaptureReader(bytes, name);
  } catch (e) {
    return { frames: 0, error: e };
  }
  const { records, error } = drainSync(reader);
  return { frames: records.length, error };
}

/** End offsets of the records of a little-endian µs pcap. */
function pcapRecordEnds(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ends: number[] = [];
  for (let p = 24; p < b.byteLength; ) {
    p += 16 + v.getUint32(p + 8, true);
    ends.push(p);
  }
  return ends;
}

test('pcap cut at every byte: exactly the complete frames, then the cut-short text', () => {
  const b = fixtureBytes('lo-ethernet.pcap');
  const ends = pcapRecordEnds(b);
  for (let n = 0; n <= b.byteLength; n++) {
    const { frames, error } = readSync(b.subarray(0, n), 'cut.pcap');
    const complete = ends.filter((e) => e <= n).length;
    if (n === 0) {
      assert.equal(error, undefined, 'empty file: empty capture');
      continue;
    }
    assert.equal(frames, complete, `cut at ${n}`);
    if (n === 24 || ends.includes(n)) {
      assert.equal(error, undefined, `cut at a record boundary ${n}`);
      continue;
    }
    assert.ok(error instanceof CaptureError, `cut at ${n}: ${String(error)}`);
    assert.equal(error.code, 'ERR_CAPTURE_TRUNCATED');
    if (n < 24) assert.equal(error.message, `The file "cut.pcap" ${CUT_OPEN}`);
    else {
      assert.equal(error.message, `The file "cut.pcap" ${CUT}`);
      assert.equal(error.frameNo, complete + 1);
      assert.equal(error.offset, complete === 0 ? 24 : ends[complete - 1]);
    }
  }
});

test('pcapng cut at every byte: frames never decrease, only LabErrors, open-time text for the SHB/IDB', () => {
  for (const name of ['lo-dumpcap.pcapng', 'crafted-le.pcapng', 'crafted-be.pcapng']) {
    const b = fixtureBytes(name);
    const total = readSync(b).frames;
    let last = 0;
    let clean = 0;
    for (let n = 1; n <= b.byteLength; n++) {
      const { frames, error } = readSync(b.subarray(0, n), 'cut.pcapng');
      assert.ok(frames >= last, `${name} cut at ${n}: ${frames} < ${last}`);
      last = frames;
      if (error === undefined) {
        clean++;
        continue;
      }
      assert.ok(isLabError(error), `${name} cut at ${n}: ${String(error)}`);
      assert.equal((error as CaptureError).code, 'ERR_CAPTURE_TRUNCATED', `${name} cut at ${n}: ${(error as Error).message}`);
      const shbLen = new DataView(b.buffer, b.byteOffset).getUint32(4, name !== 'crafted-be.pcapng');
      if (n < shbLen) assert.match((error as Error).message, /or other data\.$/);
    }
    assert.equal(last, total);
    assert.ok(clean > 5, 'cuts at block boundaries read cleanly');
  }
  // Cut in the middle of the first EPB of the dumpcap file: read-time text.
  const b = fixtureBytes('lo-dumpcap.pcapng');
  const r = readSync(b.subarray(0, 164 + 96 + 50), 'd.pcapng');
  assert.equal((r.error as Error).message, `The file "d.pcapng" ${CUT}`);
  // Cut inside the IDB right after the SHB: open-time text.
  const o = readSync(b.subarray(0, 200), 'd.pcapng');
  assert.equal((o.error as Error).message, `The file "d.pcapng" ${CUT_OPEN}`);
});

test('streamed cuts (5-byte chunks) agree with the sync reader and never hang', async () => {
  const b = fixtureBytes('crafted-le.pcapng');
  for (let n = 1; n <= b.byteLength; n += 13) {
    const want = readSync(b.subarray(0, n));
    let got: { frames: number; error: unknown };
    try {
      const src = await openCaptureStream(chunked(b.subarray(0, n), 5), { name: 'x' });
      const d = await withTimeout(drain(src), 5000, `cut ${n}`);
      got = { frames: d.records.length, error: d.error };
    } catch (e) {
      got = { frames: 0, error: e };
    }
    assert.equal(got.frames, want.frames, `cut ${n}`);
    assert.equal((got.error as CaptureError | undefined)?.code, (want.error as CaptureError | undefined)?.code, `cut ${n}`);
  }
});


test('seeded random byte flips: only LabErrors, bounded work', () => {
  const rand = rng(0x7cb1ab);
  for (const name of ['lo-ethernet.pcap', 'lo-dumpcap.pcapng', 'crafted-be.pcapng', 'lo-nsec.pcap']) {
    const orig = fixtureBytes(name);
    for (let i = 0; i < 300; i++) {
      const b = orig.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.byteLength)] = Math.floor(rand() * 256);
      const { frames, error } = readSync(b);
      assert.ok(error === undefined || isLabError(error), `${name} #${i}: ${String(error)}`);
      assert.ok(frames <= 40, 'no frames out of nowhere');
    }
  }
});

function pcapHeader(le: boolean, major: number, minor: number, snap: number, linkType: number, magic = 0xa1b2c3d4): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, magic, le);
  v.setUint16(4, major, le);
  v.setUint16(6, minor, le);
  v.setUint32(16, snap, le);
  v.setUint32(20, linkType, le);
  return b;
}
function pcapRecord(le: boolean, sec: number, frac: number, incl: number, orig: number, body = new Uint8Array(incl)): Uint8Array {
  const b = new Uint8Array(16 + body.byteLength);
  const v = new DataView(b.buffer);
  v.setUint32(0, sec, le);
  v.setUint32(4, frac, le);
  v.setUint32(8, incl, le);
  v.setUint32(12, orig, le);
  b.set(body, 16);
  return b;
}
/** A fixture with one little-endian field overwritten. */
function patched(name: string, offset: number, value: number, width: 2 | 4): Uint8Array {
  const b = fixtureBytes(name).slice();
  const v = new DataView(b.buffer);
  if (width === 2) v.setUint16(offset, value, true);
  else v.setUint32(offset, value, true);
  return b;
}
function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

test('damage table: codes and messages', () => {
  const good = fixtureBytes('lo-ethernet.pcap');
  const ends = pcapRecordEnds(good);
  const rows: Array<{ name: string; bytes: Uint8Array; frames: number; code: string; message?: RegExp }> = [
    { name: 'text file', bytes: new TextEncoder().encode('hello, this is not a capture\n'), frames: 0, code: 'ERR_CAPTURE_BAD_MAGIC', message: /isn't a capture file in a format tcplab understands/ },
    { name: 'pcap major 1', bytes: pcapHeader(true, 1, 0, 65535, 1), frames: 0, code: 'ERR_CAPTURE_UNSUPPORTED_VERSION', message: /pcap: major version 1 unsupported/ },
    {
      name: 'absurd incl_len after 3 good frames',
      bytes: concat(good.subarray(0, ends[2]), pcapRecord(true, 1, 0, 0x7fffffff, 60, new Uint8Array(0))),
      frames: 3,
      code: 'ERR_CAPTURE_BAD_RECORD',
      message: new RegExp(`File has 2147483647-byte packet, bigger than maximum of 262144\\) at frame 4, byte offset ${ends[2]}\\.$`),
    },
    {
      name: 'pcapng block length not matching its trailer',
      bytes: patched('lo-dumpcap.pcapng', 164 + 96 + 108 + 104, 999, 4), // trailer of EPB 2
      frames: 1,
      code: 'ERR_CAPTURE_BAD_BLOCK',
      message: /total block lengths \(first 108 and second 999\) don't match\) at frame 2, byte offset 368\.$/,
    },
    {
      name: 'pcapng block length below 12',
      bytes: patched('lo-dumpcap.pcapng', 164 + 96 + 4, 8, 4),
      frames: 0,
      code: 'ERR_CAPTURE_BAD_BLOCK',
    },
    {
      name: 'pcapng EPB larger than the bound',
      bytes: patched('lo-dumpcap.pcapng', 164 + 96 + 4, 0x40000000, 4),
      frames: 0,
      code: 'ERR_CAPTURE_BAD_BLOCK',
      message: /too large/,
    },
    {
      name: 'pcapng EPB on an interface that does not exist',
      bytes: patched('lo-dumpcap.pcapng', 164 + 96 + 108 + 8, 5, 4),
      frames: 1,
      code: 'ERR_CAPTURE_BAD_BLOCK',
      message: /interface index 5 is not less than section interface count 1/,
    },
    {
      name: 'pcapng EPB caplen beyond its block',
      bytes: patched('lo-dumpcap.pcapng', 164 + 96 + 20, 5000, 4),
      frames: 0,
      code: 'ERR_CAPTURE_BAD_BLOCK',
      message: /too small for 5000 bytes of packet data/,
    },
    {
      name: 'pcapng unsupported SHB version',
      bytes: patched('lo-dumpcap.pcapng', 12, 2, 2),
      frames: 0,
      code: 'ERR_CAPTURE_UNSUPPORTED_VERSION',
      message: /unknown SHB version 2\.0/,
    },
    { name: 'gzip garbage', bytes: Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), frames: 0, code: 'ERR_CAPTURE_BAD_GZIP' },
    { name: 'gzip cut', bytes: gzipSync(good).subarray(0, 200), frames: 0, code: 'ERR_CAPTURE_TRUNCATED' },
  ];
  for (const row of rows) {
    const { frames, error } = readSync(row.bytes, 'd');
    assert.equal(frames, row.frames, row.name);
    assert.ok(error instanceof CaptureError, `${row.name}: ${String(error)}`);
    assert.equal(error.code, row.code, `${row.name}: ${error.message}`);
    assert.ok(!error.message.includes('\n'), 'one line');
    if (row.message) assert.match(error.message, row.message, row.name);
  }
});

test('pcap version 2.2 swaps incl_len and orig_len (as wiretap does)', () => {
  const b = concat(pcapHeader(false, 2, 2, 65535, 1), pcapRecord(false, 5, 7, 60, 4, new Uint8Array(4)));
  const r = [...new BufferCaptureReader(b)];
  assert.equal(r.length, 1);
  assert.deepEqual([r[0]!.capLen, r[0]!.origLen, r[0]!.ts.sec, r[0]!.ts.nsec], [4, 60, 5, 7000]);
});

test('files: missing, directory, gzip cut mid-stream keeps the good frames', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-wire-'));
  await assert.rejects(openCaptureFile(join(dir, 'nope.pcap')), (e: CaptureError) => e.code === 'ERR_CAPTURE_IO' && /doesn't exist/.test(e.message));
  mkdirSync(join(dir, 'd.pcap'));
  await assert.rejects(openCaptureFile(join(dir, 'd.pcap')), (e: CaptureError) => e.code === 'ERR_CAPTURE_IO');
  const good = fixtureBytes('lo-ethernet.pcap');
  const gz = gzipSync(good);
  const p = join(dir, 'cut.pcap.gz');
  writeFileSync(p, gz.subarray(0, gz.byteLength - 30));
  const src = await openCaptureFile(p);
  const { records, error } = await withTimeout(drain(src), 5000, 'gz cut');
  assert.ok(records.length >= 10, `kept ${records.length} frames`);
  assert.equal((error as CaptureError).code, 'ERR_CAPTURE_TRUNCATED');
  assert.equal((error as CaptureError).message, `The file "${p}" ${CUT}`);
  rmSync(dir, { recursive: true, force: true });
});
