/** The one-line summary's column padding (tshark.c print_columns) on wide values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { Session } from '../../src/pipeline/session.js';
import { formatSummaryLine } from '../../src/present/columns.js';
import { tcpFlagNames } from '../../src/present/info.js';
import type { Frame } from '../../src/fields/field.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function firstFrame(): Promise<Frame> {
  const src = await openCaptureFile(join(root, 'test', 'fixtures', 'pcap', 'present-lo-telnet-v4.pcap'));
  for await (const f of new Session(src)) { src.close(); return { ...f, record: { ...f.record, data: f.record.data.slice() } }; }
  throw new Error('empty');
}

test('No. pads to 5 and Time to 10 but grow past them; Source right- and Destination left-aligned to 12', async () => {
  const f = await firstFrame();
  assert.match(formatSummaryLine(f), /^    1   0\.000000    127\.0\.0\.1 → 127\.0\.0\.1    TCP 74 /);
  const wide = { ...f, record: { ...f.record, frameNo: 1234567 }, timeRelativeNs: 123456_789_000_000 };
  assert.match(formatSummaryLine(wide), /^1234567 123456\.789000    127\.0\.0\.1 → 127\.0\.0\.1    TCP /);
  const ns = { ...f, tsDigits: 9, timeRelativeNs: 15403 };
  assert.match(formatSummaryLine(ns), /^    1 0\.000015403 /);
});

test('TCP flag names in tshark order, Reserved last, <None> when clear', () => {
  assert.equal(tcpFlagNames(0x002), 'SYN');
  assert.equal(tcpFlagNames(0x012), 'SYN, ACK');
  assert.equal(tcpFlagNames(0x019), 'FIN, PSH, ACK');
  assert.equal(tcpFlagNames(0xfd5), 'FIN, RST, ACK, ECE, CWR, AE, Reserved');
  assert.equal(tcpFlagNames(0), '<None>');
});
