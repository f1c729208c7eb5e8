/**
 * Relative times as tshark prints them: formatSeconds for spans that fit a float of nanoseconds,
 * formatSpan (from the two timestamps) beyond 2^53 ns, where the float has lost digits. The
 * corpus captures fins.pcap, smtp.pcap, stun.pcap and pcapng-example.pcapng have such spans
 * (clocks that jump by years); tshark printed e.g. 195006572.477593 where the float gave …592.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffNs, formatSeconds, formatSpan } from '../../src/util/time.js';

test('formatSeconds truncates to the digits asked for', () => {
  assert.equal(formatSeconds(1_234_567, 6), '0.001234');
  assert.equal(formatSeconds(-1_234_567, 6), '-0.001234');
  assert.equal(formatSeconds(5_000_000_000, 9), '5.000000000');
  assert.equal(formatSeconds(5_000_000_001, 0), '5');
});

test('formatSpan equals formatSeconds on spans a float holds exactly', () => {
  const a = { sec: 1_700_000_000, nsec: 999_999_999 };
  for (const b of [{ sec: 1_700_000_001, nsec: 1 }, { sec: 1_699_999_999, nsec: 5 }, { sec: 1_700_000_000, nsec: 999_999_999 }, { sec: 1_700_086_400, nsec: 123_456_789 }]) {
    for (const d of [0, 3, 6, 9]) assert.equal(formatSpan(a, b, d), formatSeconds(diffNs(a, b), d), `${b.sec}.${b.nsec} digits ${d}`);
  }
});

test('formatSpan keeps every digit of spans beyond 2^53 ns (a float of ns does not)', () => {
  const a = { sec: 0, nsec: 0 };
  const b = { sec: 195_006_572, nsec: 477_593_000 };
  assert.equal(formatSpan(a, b, 6), '195006572.477593');
  assert.equal(formatSpan(b, a, 6), '-195006572.477593');
  assert.equal(formatSpan({ sec: 0, nsec: 0 }, { sec: 1_472_003_999, nsec: 360_434_207 }, 9), '1472003999.360434207');
  assert.notEqual(formatSeconds(diffNs({ sec: 0, nsec: 0 }, { sec: 1_472_003_999, nsec: 360_434_207 }), 9), '1472003999.360434207', 'the float path loses the last digits');
});
