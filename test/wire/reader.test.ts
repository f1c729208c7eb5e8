/**
 * Readers against tshark 4.0: every frame of every fixture (timestamp to the ns, cap_len, len,
 * interface id, encapsulation, comments, bytes) equals what tshark printed into
 * test/wire/golden/<fixture>.frames.tsv — read from the file, from tiny chunks (records straddle
 * chunks), and from memory at a nonzero byteOffset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { openCaptureFile, openCaptureStream, BufferCaptureReader } from '../../src/wire/open.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import { asGolden, atOffset, chunked, drain, drainSync, fixture, fixtureBytes, goldenFixtures, goldenRow, readGolden, withTimeout } from './support.js';

const names = goldenFixtures();

test('golden tables exist for the fixtures', () => {
  assert.ok(names.length >= 18, `found ${names.length}`);
});

for (const name of names) {
  test(`${name}: openCaptureFile matches tshark frame by frame`, async () => {
    const golden = readGolden(name);
    const src = await openCaptureFile(fixture(name));
    const { records, error } = await withTimeout(drain(src), 10_000, name);
    assert.equal(error, undefined);
    assert.equal(records.length, golden.length);
    records.forEach((r, i) => {
      assert.deepEqual(asGolden(r, src.info), goldenRow(golden[i]!), `${name} frame ${i + 1}`);
      assert.equal(r.frameNo, i + 1);
    });
  });

  test(`${name}: 7-byte chunks and an in-memory buffer at offset 10 give the same records`, async () => {
    const golden = readGolden(name);
    const bytes = fixtureBytes(name);
    const src = await openCaptureStream(chunked(bytes, 7), { name });
    const a = await withTimeout(drain(src), 10_000, name);
    assert.equal(a.error, undefined);
    const reader = new BufferCaptureReader(atOffset(bytes), name);
    const b = drainSync(reader);
    assert.equal(b.error, undefined);
    assert.deepEqual(a.records.map((r) => asGolden(r, src.info)), golden.map(goldenRow));
    assert.deepEqual(b.records.map((r) => asGolden(r, reader.info)), golden.map(goldenRow));
  });
}

test('pcap header facts: byte order, µs/ns, snaplen, link type', async () => {
  const rows: Array<[string, string, number, number, number]> = [
    ['lo-ethernet.pcap', 'usec', 6, 262144, 1],
    ['lo-nsec.pcap', 'nsec', 9, 262144, 1],
    ['lo-editcap-nsec.pcap', 'nsec', 9, 262144, 1],
    ['snaplen-64.pcap', 'usec', 6, 64, 1],
    ['any-sll2.pcap', 'usec', 6, 262144, 276],
    ['linktype-rawip.pcap', 'usec', 6, 262144, 101],
    ['tcp-handshake-nano.pcap', 'nsec', 9, 262144, 113],
    ['big-endian-fuzz-2006-09-29-28586.pcap', 'usec', 6, 65535, 1],
  ];
  for (const [name, prec, digits, snap, lt] of rows) {
    const src = await openCaptureFile(fixture(name));
    src.close();
    assert.equal(src.info.format, 'pcap', name);
    assert.equal(src.info.tsPrecision, prec, name);
    assert.deepEqual(src.info.interfaces, [{ linkType: lt, snapLen: snap, name: undefined, tsDigits: digits }], name);
  }
  const be = fixtureBytes('big-endian-fuzz-2006-09-29-28586.pcap');
  assert.deepEqual([...be.subarray(0, 4)], [0xa1, 0xb2, 0xc3, 0xd4], 'fixture is big-endian');
});

test('pcapng: interfaces with if_tsresol/if_tsoffset, sections in both byte orders, comments', async () => {
  for (const name of ['crafted-le.pcapng', 'crafted-be.pcapng']) {
    const src = await openCaptureFile(fixture(name));
    const { records, error } = await drain(src);
    assert.equal(error, undefined);
    assert.equal(records.length, 8);
    assert.deepEqual(
      src.info.interfaces.map((i) => [i.linkType, i.snapLen, i.name, i.tsDigits, i.idInSection, i.section]),
      [
        [1, 128, 'lo', 3, 0, 0],
        [1, 0, 'eth-binary', 6, 1, 0],
        [1, 262144, undefined, 9, 0, 1],
        [1, 65535, undefined, 6, 1, 1],
      ],
    );
    assert.deepEqual(src.info.comments, ['crafted section 1', 'crafted section 2, other byte order']);
    assert.deepEqual(records.map((r) => r.ifIndex), [0, 1, 0, 1, 0, 2, 3, 2]);
    assert.equal(records[2]!.noTimestamp, true, 'SPB has no timestamp');
    assert.equal(records[0]!.noTimestamp, undefined);
    assert.deepEqual(records[0]!.comments, ['first packet, 10^-3 resolution']);
    // 2^-20 resolution + 1000 s offset: (1700000000·2^20 + 2^19 + 3) units.
    assert.deepEqual(records[1]!.ts, { sec: 1_700_001_000, nsec: 500_002_861 });
    // ns resolution, value above 2^53, offset −100 s.
    assert.deepEqual(records[5]!.ts, { sec: 1_699_999_900, nsec: 987_654_321 });
  }
  assert.equal(fixtureBytes('crafted-be.pcapng')[8], 0x1a, 'section 1 of crafted-be is big-endian');
});

test('gzip and misnamed files are recognised from their bytes', async () => {
  for (const [name, format] of [
    ['lo-ethernet.pcap.gz', 'pcap'],
    ['misnamed-gz-pcapng.pcap', 'pcapng'],
    ['stun-misnamed-pcapng.pcap', 'pcapng'],
  ] as const) {
    const src = await openCaptureFile(fixture(name));
    src.close();
    assert.equal(src.info.format, format, name);
  }
});

test('close() in the middle of iteration ends it', async () => {
  const src = await openCaptureFile(fixture('lo-ethernet.pcap'));
  let n = 0;
  for await (const _ of src) {
    if (++n === 3) break;
  }
  const again = await src[Symbol.asyncIterator]().next();
  assert.equal(again.done, true);
  assert.equal(n, 3);
});

test('a regular file is read synchronously: nextSync() hands over every record, the same as a stream of it', async () => {
  // A capture bigger than one 256 KiB read, so records straddle the reads.
  const one = fixtureBytes('lo-ethernet.pcap');
  const body = one.subarray(24);
  const copies = Math.ceil((600 << 10) / body.length);
  const big = Buffer.concat([one.subarray(0, 24), ...Array.from({ length: copies }, () => body)]);
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-sync-'));
  try {
    const path = join(dir, 'big.pcap');
    writeFileSync(path, big);
    const src = await openCaptureFile(path);
    const got: CaptureRecord[] = [];
    for (let r = src.nextSync!(); r !== undefined; r = src.nextSync!()) got.push({ ...r, data: r.data.slice() });
    // The end is reported by the iterator, with nothing left.
    assert.equal((await src[Symbol.asyncIterator]().next()).done, true);
    const { records, error } = await drain(await openCaptureStream(chunked(big, 4096), { name: 'big' }));
    assert.equal(error, undefined);
    assert.ok(got.length > 1000);
    assert.equal(got.length, records.length);
    assert.deepEqual(got.map((r) => [r.frameNo, r.ts.sec, r.ts.nsec, Buffer.from(r.data).toString('hex')]),
      records.map((r) => [r.frameNo, r.ts.sec, r.ts.nsec, Buffer.from(r.data).toString('hex')]));
    // Cut in the middle of a record: the frames before it, then the one-line error.
    writeFileSync(path, big.subarray(0, big.length - 7));
    const cut = await drain(await openCaptureFile(path));
    assert.equal(cut.records.length, records.length - 1);
    assert.match(String((cut.error as Error).message), /cut short in the middle of a packet/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO is read as a stream (a slow writer never blocks the thread)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-fifo-'));
  try {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const bytes = fixtureBytes('lo-ethernet.pcap');
    // The writer sends the header, then the rest 200 ms later; meanwhile timers must still fire.
    const writer = spawn('sh', ['-c', `head -c 24 "$1"; sleep 0.2; tail -c +25 "$1"`, 'sh', fixture('lo-ethernet.pcap')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out = createWriteStream(path);
    writer.stdout.pipe(out);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const src = await openCaptureFile(path);
    const { records, error } = await drain(src);
    clearInterval(timer);
    assert.equal(error, undefined);
    const ref = await drain(await openCaptureStream(chunked(bytes, 64), { name: 'ref' }));
    assert.equal(records.length, ref.records.length);
    assert.ok(ticks >= 3, `the event loop ran while waiting for the writer (${ticks} ticks)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty file is an empty capture (as in tshark)', async () => {
  const src = await openCaptureStream(chunked(new Uint8Array(0), 1), { name: 'empty' });
  const { records, error } = await drain(src);
  assert.equal(error, undefined);
  assert.equal(records.length, 0);
});
