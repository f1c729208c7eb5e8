/** Session: frame times (relative, delta, delta displayed), resolution digits, ICMP echo pairing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { echoRequestOf, Session } from '../../src/pipeline/session.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fx = (n: string): string => join(root, 'test', 'fixtures', 'pcap', n);

test('times are integer ns from the first frame; delta displayed counts from the last displayed frame', async () => {
  const s = new Session(await openCaptureFile(fx('present-lo-telnet-v4.pcap')));
  const seen: [number, number, number, number][] = [];
  for await (const f of s) {
    seen.push([f.record.frameNo, f.timeRelativeNs, f.timeDeltaNs, f.timeDeltaDisplayedNs]);
    if (f.record.frameNo % 2 === 1) s.displayed(f); // display odd frames only
    assert.equal(f.tsDigits, 6);
  }
  assert.deepEqual(seen.slice(0, 4), [
    [1, 0, 0, 0],
    [2, 31000, 31000, 31000],
    [3, 47000, 16000, 47000],
    [4, 50306000, 50259000, 50259000],
  ]);
});

test('nanosecond files give 9 digits', async () => {
  const s = new Session(await openCaptureFile(fx('present-lo-nano.pcap')));
  for await (const f of s) {
    assert.equal(f.tsDigits, 9);
    if (f.record.frameNo === 2) { assert.equal(f.timeRelativeNs, 15403); break; }
  }
  s.source.close();
});

test('an ICMP echo reply knows its request (single pass: earlier frames only)', async () => {
  const s = new Session(await openCaptureFile(fx('decode-eth-udp-tcp-icmp.pcap')));
  let icmp = 0;
  for await (const f of s) if (f.pkt.icmp) { icmp++; assert.equal(echoRequestOf(f), undefined); }
  assert.equal(icmp, 1);
});
