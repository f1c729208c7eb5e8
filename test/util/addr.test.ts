/**
 * util/addr.ts: address text exactly as tshark 4.0 prints it. Expected IPv6 strings come from
 * glibc's inet_ntop (python3 -c "socket.inet_ntop(AF_INET6, …)"), which tshark calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, formatIPv4Bytes, formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac } from '../../src/util/addr.js';
import { formatHex, hex, parseHex, viewOf } from '../../src/util/bytes.js';

const V6: [string, string][] = [
  ['00000000000000000000000000000000', '::'],
  ['00000000000000000000000000000001', '::1'],
  ['00010000000000000000000000000000', '1::'],
  ['20010db8000000000000000000000001', '2001:db8::1'],
  ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // first of two equal runs
  ['20010000000000010000000000000001', '2001:0:0:1::1'], // longest run wins
  ['00000000000000000000ffffc0000201', '::ffff:192.0.2.1'], // IPv4-mapped
  ['000000000000000000000000c0000201', '::192.0.2.1'], // IPv4-compatible
  ['0000000000000000ffff0000c0000201', '::ffff:0:c000:201'], // glibc: no dotted tail here
  ['fe800000000000000001000000000000', 'fe80::1:0:0:0'],
  ['00010000000100000001000000010000', '1:0:1:0:1:0:1:0'], // single zero groups stay
  ['00000002000300040005000600070008', '0:2:3:4:5:6:7:8'],
  ['00000000000100000000000000000000', '0:0:1::'],
  ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
  ['fe80000000000000021b21fffe0a0b0c', 'fe80::21b:21ff:fe0a:b0c'],
];

for (const [h, text] of V6) {
  test(`formatIPv6 ${text}`, () => {
    const b = parseHex(h);
    assert.equal(formatIPv6(b, 0), text);
    // at an offset inside a larger buffer
    const big = new Uint8Array(40);
    big.set(b, 7);
    assert.equal(formatIPv6(big, 7), text);
    // parse round trip
    assert.equal(formatHex(parseIPv6(text)!), h);
  });
}

test('formatIPv4 / parseIPv4', () => {
  assert.equal(formatIPv4(0xc0000201), '192.0.2.1');
  assert.equal(formatIPv4(0xffffffff), '255.255.255.255');
  assert.equal(formatIPv4(0), '0.0.0.0');
  assert.equal(formatIPv4Bytes(hex`00 0a 00 00 01`, 1), '10.0.0.1');
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('10.0.0.256'), undefined);
  assert.equal(parseIPv4('10.0.0'), undefined);
  assert.equal(parseIPv4('1.2.3.x'), undefined);
});

test('parseIPv6 rejects bad text', () => {
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':::', '1:2:3:4:5:6:7', 'g::1', '::1.2.3.256']) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
  assert.equal(formatIPv6(parseIPv6('1:2:3:4:5:6:7:8')!, 0), '1:2:3:4:5:6:7:8');
});

test('formatMac / parseMac', () => {
  assert.equal(formatMac(hex`ff 00 1b 21 0a 0b 0c`, 1), '00:1b:21:0a:0b:0c');
  assert.equal(formatHex(parseMac('00:1B:21:0a:0b:0c')!), '001b210a0b0c');
  assert.equal(formatHex(parseMac('00-1b-21-0a-0b-0c')!), '001b210a0b0c');
  assert.equal(parseMac('00:1b:21:0a:0b'), undefined);
});

test('bytes: viewOf honours byteOffset; hex helpers', () => {
  const buf = new Uint8Array([9, 9, 0x12, 0x34]);
  assert.equal(viewOf(buf.subarray(2)).getUint16(0), 0x1234);
  assert.equal(viewOf(buf.subarray(2)).byteLength, 2);
  assert.deepEqual([...hex`12 34 # comment
    ab:cd`], [0x12, 0x34, 0xab, 0xcd]);
  assert.equal(formatHex(hex`00 ff 10`, 1, 2, ':'), 'ff:10');
  assert.throws(() => parseHex('abc'));
  assert.throws(() => parseHex('zz'));
});
