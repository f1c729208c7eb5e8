/**
 * Writers: write → read back gives the same frames; the bytes we write for a few fixtures are
 * pinned in test/fixtures/pcap/written-*, and tshark 4.0's reading of those files
 * (test/wire/golden/written-*.frames.tsv, made once) shows the same frames as its reading of the
 * sources. UPDATE_GOLDEN=1 rewrites the written-* fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { BufferCaptureReader } from '../../src/wire/open.js';
import { PcapWriter } from '../../src/wire/pcap-writer.js';
import { PcapngWriter } from '../../src/wire/pcapng-writer.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import { asGolden, drainSync, fixture, fixtureBytes, goldenFixtures, goldenRow, readGolden } from './support.js';

/** Collects what a writer writes. */
function sink(): { out: PassThrough; bytes: () => Promise<Uint8Array> } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((r) => out.on('end', () => r()));
  return { out, bytes: async () => (await done, Buffer.concat(chunks)) };
}

function readAll(name: string): { reader: BufferCaptureReader; records: CaptureRecord[] } {
  const reader = new BufferCaptureReader(fixtureBytes(name), name);
  const { records, error } = drainSync(reader);
  assert.equal(error, undefined);
  return { reader, records };
}

async function writePcapng(name: string): Promise<Uint8Array> {
  const { reader, records } = readAll(name);
  const s = sink();
  // The crafted files have a 2^-20 s interface: ns resolution keeps those timestamps exact.
  const w = new PcapngWriter(s.out, {
    interfaces: reader.info.interfaces,
    comment: `written by tcplab from ${name}`,
    ...(name.startsWith('crafted-') ? { tsDigits: 9 } : {}),
  });
  for (const r of records) await w.write(r);
  await w.end();
  return s.bytes();
}

async function writePcap(name: string): Promise<Uint8Array> {
  const { reader, records } = readAll(name);
  const s = sink();
  const iface = reader.info.interfaces[0]!;
  const w = new PcapWriter(s.out, { linkType: iface.linkType, snapLen: iface.snapLen, nsec: iface.tsDigits > 6 });
  for (const r of records) await w.write(r);
  await w.end();
  return s.bytes();
}

/** Golden rows without the fields a format change may alter (interface id numbering). */
function frameFacts(rows: Array<Omit<ReturnType<typeof goldenRow>, never>>): unknown[] {
  return rows.map(({ interfaceId: _i, ...rest }) => rest);
}

for (const name of goldenFixtures().filter((n) => !n.startsWith('written-'))) {
  test(`${name}: pcapng writer round trip keeps every frame`, async () => {
    const golden = readGolden(name).map(goldenRow);
    const back = new BufferCaptureReader(await writePcapng(name));
    const { records, error } = drainSync(back);
    assert.equal(error, undefined);
    // An SPB has no timestamp; it is written as time 0.
    const want = golden.map((g) => (g.timeEpoch === '' ? { ...g, timeEpoch: '0.000000000' } : g));
    assert.deepEqual(frameFacts(records.map((r) => asGolden(r, back.info))), frameFacts(want));
    assert.deepEqual(back.info.comments, [`written by tcplab from ${name}`]);
  });
}

for (const name of ['lo-ethernet.pcap', 'lo-nsec.pcap', 'any-sll2.pcap', 'snaplen-64.pcap', 'big-endian-fuzz-2006-09-29-28586.pcap', 'tcp-handshake-nano.pcap', 'lo-dumpcap.pcapng']) {
  test(`${name}: pcap writer round trip keeps every frame`, async () => {
    const golden = readGolden(name).map(goldenRow);
    const back = new BufferCaptureReader(await writePcap(name));
    const { records, error } = drainSync(back);
    assert.equal(error, undefined);
    assert.deepEqual(frameFacts(records.map((r) => asGolden(r, back.info))), frameFacts(golden));
  });
}

const PINNED: Array<[string, string, () => Promise<Uint8Array>]> = [
  ['written-crafted-le.pcapng', 'crafted-le.pcapng', () => writePcapng('crafted-le.pcapng')],
  ['written-pcapng-example.pcapng', 'pcapng-example.pcapng', () => writePcapng('pcapng-example.pcapng')],
  ['written-lo-nsec.pcap', 'lo-nsec.pcap', () => writePcap('lo-nsec.pcap')],
  ['written-lo-dumpcap.pcap', 'lo-dumpcap.pcapng', () => writePcap('lo-dumpcap.pcapng')],
];

for (const [written, source, make] of PINNED) {
  test(`${written}: bytes pinned, and tshark read the same frames as from ${source}`, async () => {
    const bytes = await make();
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(fixture(written), bytes);
    assert.deepEqual(Buffer.from(bytes), Buffer.from(fixtureBytes(written)));
    const a = readGolden(source).map(goldenRow).map((g) => (g.timeEpoch === '' ? { ...g, timeEpoch: '0.000000000' } : g));
    const b = readGolden(written).map(goldenRow);
    assert.deepEqual(frameFacts(b), frameFacts(a));
  });
}

test('pcap writer refuses a second link type', async () => {
  const s = sink();
  const w = new PcapWriter(s.out, { linkType: 1 });
  const { records } = readAll('any-sll2.pcap');
  await assert.rejects(w.write(records[0]!), (e: { code: string }) => e.code === 'ERR_CAPTURE_WRITE_LINKTYPE');
});

test('pcapng writer: per-packet comments given at write time, µs truncation in pcap', async () => {
  const { records } = readAll('lo-nsec.pcap');
  const s = sink();
  const w = new PcapngWriter(s.out, { comment: 'lab run 1' });
  await w.write(records[0]!, ['[TCP Retransmission]', 'second comment']);
  await w.write(records[1]!);
  await w.end();
  const back = [...new BufferCaptureReader(await s.bytes())];
  assert.deepEqual(back[0]!.comments, ['[TCP Retransmission]', 'second comment']);
  assert.deepEqual(back[1]!.comments, []);
  assert.deepEqual(back[0]!.ts, records[0]!.ts);
  const p = sink();
  const pw = new PcapWriter(p.out, { linkType: 1 });
  await pw.write({ ...records[0]!, ts: { sec: 10, nsec: 123_456_789 } });
  await pw.end();
  assert.deepEqual([...new BufferCaptureReader(await p.bytes())][0]!.ts, { sec: 10, nsec: 123_456_000 });
});

test('writers wait for drain (backpressure)', async () => {
  let pending: (() => void) | undefined;
  let writes = 0;
  const slow = new Writable({
    highWaterMark: 64,
    write(_c, _e, cb) {
      writes++;
      pending = cb;
    },
  });
  const { records } = readAll('lo-ethernet.pcap');
  const w = new PcapWriter(slow, { linkType: 1 });
  const p = w.write(records[3]!);
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'write waits while the stream is full');
  while (!settled) {
    const cb = pending;
    pending = undefined;
    cb?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(writes >= 1);
});
