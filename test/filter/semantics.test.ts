/**
 * Filter semantics, table-driven over the test registry (test-fields.ts): every operator and
 * value type, Wireshark 4.0's rules for fields with several occurrences (ip.addr, tcp.port:
 * `==` any, `!=` all, `===` all, `~=`/`!==` any differs, absent field → false), slices, sets,
 * arithmetic, functions. Each row asserts the exact frame numbers and that the reference
 * evaluator agrees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter } from '../../src/filter/index.js';
import { evalReference } from '../support/eval-reference.js';
import { TEST_FRAMES, testLookup } from './test-fields.js';

const ROWS: [string, number[]][] = [
  // existence
  ['tcp', [1, 2, 3, 4, 5, 6, 8]],
  ['ipv6', [5, 6]],
  ['tcp.analysis.retransmission', [4]],
  ['!tcp', [7]],
  ['tcp.payload', [3, 4, 5]],
  // integers, all comparison operators and word forms
  ['tcp.port == 80', [1, 2, 3, 4]],
  ['tcp.port eq 80', [1, 2, 3, 4]],
  ['tcp.port any_eq 80', [1, 2, 3, 4]],
  ['tcp.port != 80', [5, 6, 8]],
  ['tcp.port ne 80', [5, 6, 8]],
  ['tcp.port ~= 80', [1, 2, 3, 4, 5, 6, 8]],
  ['tcp.port !== 6667', [1, 2, 3, 4, 5, 8]],
  ['tcp.port === 6667', [6]],
  ['tcp.port all_eq 6667', [6]],
  ['tcp.len > 0', [3, 4, 5]],
  ['tcp.len gt 12', [4]],
  ['tcp.len >= 12', [3, 4]],
  ['tcp.len ge 12', [3, 4]],
  ['tcp.len < 4', [1, 2, 6, 8]],
  ['tcp.len lt 4', [1, 2, 6, 8]],
  ['tcp.len <= 4', [1, 2, 5, 6, 8]],
  ['tcp.len le 4', [1, 2, 5, 6, 8]],
  ['tcp.len == 0xc', [3]],
  ['tcp.len == 014', [3]],
  ['tcp.len == 0b1100', [3]],
  ['tcp.seq == 4294967295', [8]],
  ['tcp.window < 0', [1, 8]],
  ['tcp.window < -2147483647', [8]],
  ['tcp.big > 1099511627775', [1, 8]],
  ['tcp.big == 18446744073709551615', [8]],
  ['tcp.flags.syn == 1', [1, 2]],
  ['tcp.flags.syn == True', [1, 2]],
  ['tcp.flags.syn == 0', [3, 4, 5, 6, 8]],
  // bitwise and arithmetic
  ['tcp.flags & 0x12', [1, 2, 3, 4, 5, 6]],
  ['tcp.flags & 0x12 == 0x12', [2]],
  ['tcp.flags bitwise_and 0x04', [8]],
  ['tcp.len + 1 == 13', [3]],
  ['tcp.len * 2 > 20', [3, 4]],
  ['tcp.len % 5 == 4', [4, 5]],
  ['tcp.len / 4 == 3', [3, 4]],
  ['tcp.srcport - tcp.dstport == 0', [6]],
  ['tcp.len == {2 * 6}', [3]],
  // sets
  ['tcp.port in {80, 6667}', [1, 2, 3, 4, 5, 6]],
  ['tcp.port in {1..100}', [1, 2, 3, 4, 8]],
  ['tcp.port in {1000..7000}', [4, 5, 6]],
  ['tcp.port not in {80}', [5, 6, 7, 8]],
  ['all tcp.port in {6667, 39324}', [6]],
  ['any tcp.port in {6667, 39324}', [5, 6]],
  ['ip.ttl in {1, 255, 100..130}', [2, 4, 8]],
  // field against field
  ['ip.src == ip.dst', [1]],
  ['tcp.srcport > tcp.dstport', [1, 3, 4]],
  ['tcp.srcport < tcp.dstport', [2, 5, 8]],
  // IPv4
  ['ip.addr == 127.0.0.1', [1, 2, 3]],
  ['ip.addr != 127.0.0.1', [4, 8]],
  ['ip.addr == 127.0.0.0/8', [1, 2, 3, 8]],
  ['ip.src == 192.168.0.0/16', [4]],
  ['ip.src > 100.0.0.0', [1, 3, 4, 8]],
  ['ip.src & 255.0.0.0 == 127.0.0.0', [1, 3, 8]],
  ['ip.src[0] == 7f', [1, 3, 8]],
  ['all ip.addr == 127.0.0.0/8', [1, 8]],
  ['any ip.addr != 127.0.0.1', [2, 3, 4, 8]],
  // IPv6
  ['ipv6.addr == ::1', [5, 6]],
  ['ipv6.src == ::1', [5]],
  ['ipv6.src == 2001:db8::/32', []],
  ['ipv6.src == 2001::/16', [6]],
  ['ipv6.addr != ::1', []],
  ['ipv6.src[15] == 05', [6]],
  // Ethernet
  ['eth.addr == ff:ff:ff:ff:ff:ff', [7]],
  ['eth.src == 00-11-22-33-44-55', [1, 7]],
  ['eth.src == 0011.2233.4455', [1, 7]],
  ['eth.addr == 00:00:00:00:00:00', [1]],
  ['eth.src contains 22:33', [1, 7]],
  ['eth.src[0:3] == 00:11:22', [1, 7]],
  // bytes and strings
  ['tcp.payload contains "hello"', [3]],
  ['tcp.payload contains 68:65:6c:6c:6f', [3]],
  ['tcp.payload contains "\\n"', [3]],
  ['tcp.payload contains "\\x0a"', [3]],
  ['tcp.payload contains ff', [5]],
  ['tcp.payload matches "^get"', [4]],
  ['tcp.payload matches "wor.d"', [3]],
  ['tcp.payload ~ "HTTP/1\\\\.1"', [4]],
  ['tcp.payload == 00:01:02:ff', [5]],
  ['tcp.payload == "hello world\\n"', [3]],
  ['tcp.payload[0:4] == "GET "', [4]],
  ['tcp.payload[0] == \'h\'', [3]],
  ['tcp.payload[1-2] == "el"', [3]],
  ['tcp.payload[-1] == ff', [5]],
  ['tcp.payload[-2:] == 02:ff', [5]],
  ['tcp.payload[:3] == "hel"', [3]],
  ['tcp.payload[0:2,4] == "heo"', [3]],
  ['tcp.payload[20:2] == 00:00', []],
  ['tcp.payload[20:2] != 00:00', [3, 4, 5]],
  ['tcp.payload[2:]', [3, 4, 5]],
  ['tcp.payload[4:]', [3, 4]],
  ['len(tcp.payload) == 4', [5]],
  ['count(tcp.options.sack_le) == 2', [4]],
  ['count(ip.addr) == 2', [1, 2, 3, 4, 8]],
  ['frame.protocols contains "ipv6"', [5, 6]],
  ['frame.protocols matches "ARP$"', [7]],
  ['upper(frame.protocols) contains "TCP"', [1, 2, 3, 4, 5, 6]],
  ['lower(frame.protocols) == "eth:ethertype:arp"', [7]],
  ['tcp.flags.str contains "S"', [1, 2]],
  ['frame.protocols > "eth:ethertype:ipv"', [5, 6]],
  // times
  ['frame.time_delta > 0.5', [2, 4]],
  ['frame.time_delta >= 0.5', [2, 4, 8]],
  ['frame.time_delta == 0.000001', [3]],
  ['frame.time_delta < 0.5s', [1, 3, 5, 6, 7]],
  ['tcp.analysis.ack_rtt > 0.1', [2]],
  ['frame.time > "2023-11-14 22:13:20.5 UTC"', [2]],
  ['frame.time == "Nov 14, 2023 22:13:20 UTC"', [1]],
  // logic
  ['tcp.port == 80 && tcp.len > 0', [3, 4]],
  ['tcp.port == 80 and tcp.len > 0', [3, 4]],
  ['ipv6 || tcp.flags.syn == 1', [1, 2, 5, 6]],
  ['ipv6 or tcp.flags.syn == 1', [1, 2, 5, 6]],
  ['!(tcp.port == 80)', [5, 6, 7, 8]],
  ['not tcp.port == 80', [5, 6, 7, 8]],
  ['tcp.port == 80 or tcp.port == 1 and tcp.len > 0', [1, 2, 3, 4]],
  ['(tcp.port == 80 or tcp.port == 1) and tcp.len == 0', [1, 2, 8]],
  ['not not ipv6', [5, 6]],
  ['tcp.srcport < tcp.dstport < 65535', [2, 5]],
  ['', [1, 2, 3, 4, 5, 6, 7, 8]],
];

for (const [filter, frames] of ROWS) {
  test(`filter ${JSON.stringify(filter)} selects ${JSON.stringify(frames)}`, () => {
    const r = parseFilter(filter, { lookup: testLookup });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
    const got = TEST_FRAMES.map((f, i) => (r.filter.test(f) ? i + 1 : 0)).filter((n) => n > 0);
    assert.deepEqual(got, frames);
    if (r.filter.plan) {
      const plan = r.filter.plan;
      const ref = TEST_FRAMES.map((f, i) => (evalReference(plan, f) ? i + 1 : 0)).filter((n) => n > 0);
      assert.deepEqual(ref, frames, 'reference evaluator');
    }
  });
}

test('the compiled filter reads only the fields it names', () => {
  const r = parseFilter('tcp.port == 80 && !ip.addr == 10.0.0.0/8 || len(tcp.payload) > 3', { lookup: testLookup });
  assert.ok(r.ok);
  assert.deepEqual([...r.filter.fields].sort(), ['ip.addr', 'tcp.payload', 'tcp.port']);
});

test('fields whose values() share one scratch array still compare correctly (field == field, sets, arithmetic)', () => {
  // FieldDef.values() may return a shared array (fields/field.ts): here every field refills the same one.
  const scratch: number[] = [];
  const mk = (abbrev: string, pick: (n: number) => number[]) => ({
    abbrev, name: abbrev, type: 'FT_UINT32' as const, display: 'BASE_DEC' as const, bitmask: 0, parent: 'x', blurb: '', generated: false,
    values: (f: object) => { scratch.length = 0; scratch.push(...pick((f as { n: number }).n)); return scratch; },
  });
  const defs = [mk('x.a', (n) => [n, n + 1]), mk('x.b', (n) => [n * 2]), mk('x.c', () => [4, 6])];
  const lookup = (a: string) => defs.find((d) => d.abbrev === a);
  const frames = [1, 2, 3, 4].map((n) => ({ n }) as never);
  const sel = (filter: string): number[] => {
    const r = parseFilter(filter, { lookup });
    assert.ok(r.ok, filter);
    return frames.map((f, i) => (r.filter.test(f) ? i + 1 : 0)).filter((x) => x > 0);
  };
  // x.a = {n, n+1}, x.b = {2n}, x.c = {4, 6}
  assert.deepEqual(sel('x.a == x.b'), [1]);
  assert.deepEqual(sel('x.a != x.b'), [2, 3, 4]);
  assert.deepEqual(sel('x.a == x.c'), [3, 4]);
  assert.deepEqual(sel('x.a + x.b == 7'), [2]);
  assert.deepEqual(sel('x.a in {x.c}'), [3, 4]);
  assert.deepEqual(sel('x.b in {x.a..x.c}'), [1, 2, 3]);
});
