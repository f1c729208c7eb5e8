/** Value formatting as tshark prints it (-T fields), one edge case per row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAbsTime, formatFieldValue, formatIPv6, formatRelNs, resolveMac } from '../../src/fields/format.js';
import { bitPicture } from '../../src/fields/tree.js';
import { lookupField } from '../../src/fields/registry.js';

const v6 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/:/g, ''), 'hex'));

test('IPv6 text is RFC 5952: longest zero run, first on ties, no single-group ::', () => {
  const rows: [string, string][] = [
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['2001:0db8:0000:0000:0000:0000:0003:0002', '2001:db8::3:2'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:0db8:0001:0001:0001:0001:0000:0001', '2001:db8:1:1:1:1:0:1'],
    ['fe80:0000:0000:0000:0211:25ff:fe82:95b5', 'fe80::211:25ff:fe82:95b5'],
    ['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:192.0.2.1'],
  ];
  for (const [hex, want] of rows) assert.equal(formatIPv6(v6(hex)), want, hex);
});

test('integers: BASE_HEX pads to the type width (not the mask); BASE_HEX_DEC prints hex; ports decimal', () => {
  assert.equal(formatFieldValue(lookupField('tcp.flags')!, 0x18), '0x0018');
  assert.equal(formatFieldValue(lookupField('ip.flags')!, 2), '0x02');
  assert.equal(formatFieldValue(lookupField('ip.id')!, 0x64), '0x0064');
  assert.equal(formatFieldValue(lookupField('ipv6.flow')!, 0x18b9d), '0x018b9d');
  assert.equal(formatFieldValue(lookupField('ipv6.tclass')!, 0), '0x00000000');
  assert.equal(formatFieldValue(lookupField('tcp.srcport')!, 41402), '41402');
  assert.equal(formatFieldValue(lookupField('icmp.ident')!, 1234), '1234');
  assert.equal(formatFieldValue(lookupField('tcp.flags.syn')!, true), '1');
  assert.equal(formatFieldValue(lookupField('tcp.flags.syn')!, false), '0');
  assert.equal(formatFieldValue(lookupField('tcp.options')!, Uint8Array.of(2, 4, 0xff, 0xd7)), '0204ffd7');
});

test('times: 9 decimals, bigint epoch exact, negative spans, absolute in UTC', () => {
  assert.equal(formatRelNs(31000), '0.000031000');
  assert.equal(formatRelNs(-1500), '-0.000001500');
  assert.equal(formatRelNs(1_795_537_459_621_009_000n), '1795537459.621009000');
  assert.equal(formatAbsTime({ sec: 1795537459, nsec: 621009000 }), 'Nov 24, 2026 16:24:19.621009000 UTC');
  assert.equal(formatAbsTime({ sec: 0, nsec: 5 }), 'Jan  1, 1970 00:00:00.000000005 UTC');
});

test('MAC names: known OUI, broadcast, unknown bare', () => {
  assert.equal(resolveMac(new Uint8Array(6)), '00:00:00_00:00:00');
  assert.equal(resolveMac(Uint8Array.of(255, 255, 255, 255, 255, 255)), 'Broadcast');
  assert.equal(resolveMac(Uint8Array.of(0x00, 0x0c, 0x29, 0x50, 0xa9, 0xfc)), 'VMware_50:a9:fc');
  assert.equal(resolveMac(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 1)), 'de:ad:be:ef:00:01');
});

test('bit pictures as tshark -V draws them', () => {
  assert.equal(bitPicture(0x002, 0x002, 12), '.... .... ..1.');
  assert.equal(bitPicture(0x000, 0xe00, 12), '000. .... ....');
  assert.equal(bitPicture(0x45, 0xf0, 8), '0100 ....');
  assert.equal(bitPicture(0x4000, 0x1fff, 16), '...0 0000 0000 0000');
  assert.equal(bitPicture(0, 0x20000, 24), '.... ..0. .... .... .... ....');
});
