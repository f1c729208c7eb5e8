/**
 * The library API, imported from the package entry (dist/src/index.js, package.json "exports"):
 * open a real loopback capture, iterate decoded and analysed frames, read a field, apply a display
 * filter, print tshark's summary lines, and write a capture that reads back the same.
 * Expected values come from tshark 4.0.17 (the committed golden file and the numbers below:
 *   tshark -r test/fixtures/pcap/present-lo-pingpong-loss.pcap -Y tcp.analysis.retransmission -T fields -e frame.number
 * prints 60).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lib from '../../src/index.js';
import type { Frame } from '../../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = join(root, 'test', 'fixtures', 'pcap', 'present-lo-pingpong-loss.pcap');
const golden = readFileSync(join(root, 'test', 'golden', 'present', 'lo-pingpong-loss.summary.txt'), 'utf8')
  .split('\n').filter((l) => !l.startsWith('# ') && l !== '');
const dir = mkdtempSync(join(tmpdir(), 'tcplab-lib-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the entry exports the frame-level API', () => {
  for (const name of ['openCaptureFile', 'startLiveCapture', 'Session', 'PacketDecoder', 'TcpAnalyzer', 'TcpReassembler', 'parseFilter',
    'lookupField', 'allFields', 'formatSummaryLine', 'formatDetail', 'explainTcpAnalysis', 'PcapWriter', 'PcapngWriter', 'listCaptureInterfaces'] as const) {
    assert.equal(typeof lib[name], 'function', name);
  }
});

test('read a capture end to end: frames, summary lines, a field, a filter, a written capture read back', async () => {
  const filter = lib.parseFilter('tcp.analysis.retransmission');
  assert.ok(filter.ok);
  const seq = lib.lookupField('tcp.seq');
  assert.ok(seq);
  const src = await lib.openCaptureFile(fixture);
  const session = new lib.Session(src);
  const out = join(dir, 'copy.pcapng');
  const writer = new lib.PcapngWriter(createWriteStream(out), { interfaces: src.info.interfaces });
  const lines: string[] = [];
  const retrans: number[] = [];
  const seqs: number[] = [];
  for await (const f of session) {
    lines.push(lib.formatSummaryLine(f));
    if (filter.filter.test(f)) retrans.push(f.record.frameNo);
    if (f.record.frameNo <= 5) seqs.push(Number(seq.values(f)[0]));
    await writer.write(f.record);
  }
  await writer.end();
  src.close();
  assert.equal(lines.length, 204);
  assert.deepEqual(lines, golden);
  assert.deepEqual(retrans, [60]);
  assert.deepEqual(seqs, [0, 0, 1, 1, 1]);

  // The written capture holds the same frames: the same summary lines come back.
  const again = await lib.openCaptureFile(out);
  assert.equal(again.info.format, 'pcapng');
  const back: string[] = [];
  let first: Frame | undefined;
  for await (const f of new lib.Session(again)) {
    first ??= f;
    back.push(lib.formatSummaryLine(f));
  }
  assert.deepEqual(back, golden);
  assert.match(lib.formatDetail(first!), /^Frame 1: 74 bytes on wire/);
});

test('a broken filter is an error value with a code, not an exception', () => {
  const r = lib.parseFilter('tcp.port == ');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.errors[0]!.code, /^ERR_FILTER_/);
});
