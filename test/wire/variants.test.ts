/**
 * pcap variants no fixture here has (built byte by byte): big-endian ns, the Kuznetsov
 * "modified" magic with its 24-byte record header, and reading a capture from stdin ("-").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { BufferCaptureReader } from '../../src/wire/open.js';
import { ROOT, fixtureBytes, withTimeout } from './support.js';

function build(le: boolean, magic: number, recHdr: 16 | 24, recs: Array<[number, number, Uint8Array, number]>): Uint8Array {
  const parts: number[] = [];
  const u32 = (x: number): void => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, x, le);
    parts.push(...b);
  };
  const u16 = (x: number): void => {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, x, le);
    parts.push(...b);
  };
  u32(magic);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(101);
  for (const [sec, frac, data, orig] of recs) {
    u32(sec);
    u32(frac);
    u32(data.byteLength);
    u32(orig);
    if (recHdr === 24) for (let i = 0; i < 8; i++) parts.push(0xaa);
    parts.push(...data);
  }
  return Uint8Array.from(parts);
}

const rows = [
  { name: 'LE µs', le: true, magic: 0xa1b2c3d4, hdr: 16 as const, nsec: 5000, prec: 'usec' },
  { name: 'BE µs', le: false, magic: 0xa1b2c3d4, hdr: 16 as const, nsec: 5000, prec: 'usec' },
  { name: 'LE ns', le: true, magic: 0xa1b23c4d, hdr: 16 as const, nsec: 5, prec: 'nsec' },
  { name: 'BE ns', le: false, magic: 0xa1b23c4d, hdr: 16 as const, nsec: 5, prec: 'nsec' },
  { name: 'LE modified', le: true, magic: 0xa1b2cd34, hdr: 24 as const, nsec: 5000, prec: 'usec' },
  { name: 'BE modified', le: false, magic: 0xa1b2cd34, hdr: 24 as const, nsec: 5000, prec: 'usec' },
];

for (const row of rows) {
  test(`pcap ${row.name}: header and records`, () => {
    const d1 = Uint8Array.of(0x45, 0, 0, 20, 1, 2, 3);
    const d2 = Uint8Array.of(0x60, 9);
    const b = build(row.le, row.magic, row.hdr, [
      [1_700_000_000, 5, d1, 7],
      [1_700_000_001, 999_999, d2, 1500],
    ]);
    const r = new BufferCaptureReader(b);
    assert.equal(r.info.tsPrecision, row.prec);
    assert.deepEqual(r.info.interfaces, [{ linkType: 101, snapLen: 65535, name: undefined, tsDigits: row.prec === 'nsec' ? 9 : 6 }]);
    const recs = [...r].map((x) => ({ ts: x.ts, capLen: x.capLen, origLen: x.origLen, data: [...x.data] }));
    const k = row.prec === 'nsec' ? 1 : 1000;
    assert.deepEqual(recs, [
      { ts: { sec: 1_700_000_000, nsec: 5 * k }, capLen: 7, origLen: 7, data: [...d1] },
      { ts: { sec: 1_700_000_001, nsec: 999_999 * k }, capLen: 2, origLen: 1500, data: [...d2] },
    ]);
  });
}

test('openCaptureFile("-") reads stdin', async () => {
  const script = `import { openCaptureFile } from ${JSON.stringify(ROOT + '/dist/src/wire/open.js')};
const src = await openCaptureFile('-'); let n = 0; for await (const r of src) n += r.capLen; console.log(src.info.format, n);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stdin.end(fixtureBytes('lo-ethernet.pcap.gz'));
  await withTimeout(once(child, 'exit'), 10_000, 'stdin reader');
  const total = [...new BufferCaptureReader(fixtureBytes('lo-ethernet.pcap'))].reduce((a, r) => a + r.capLen, 0);
  assert.equal(out.trim(), `pcap ${total}`);
});
