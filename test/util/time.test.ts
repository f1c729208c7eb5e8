/**
 * Relative times as tshark prints them: formatSeconds for spans that fit a float of nanoseconds,
 * formatSpan (from the two timestamps) beyond 2^53 ns, where the float has lost digits. The
 * corpus captures fins.pcap, smtp.pcap, stun.pcap and pcapng-example.pcapng have such spans
 * (clocks that jump by years); tshark printed e.g. 195006572.477593 where the float gave …592.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffNs, formatAbsolute, formatEpoch, formatSeconds, formatSpan } from '../../src/util/time.js';

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

// -t formats, checked against tshark 4.0.17 (lo-ethernet.pcap frame 1, pcapng-example.pcapng frame 60).
test('formatAbsolute: UTC and local time, dates, day of year, any year', () => {
  const ts = { sec: 1795537794, nsec: 770906000 };
  assert.equal(formatAbsolute(ts, 6, 'u'), '16:29:54.770906');
  assert.equal(formatAbsolute(ts, 6, 'ud'), '2026-11-24 16:29:54.770906');
  assert.equal(formatAbsolute(ts, 6, 'udoy'), '2026/328 16:29:54.770906');
  assert.equal(formatAbsolute({ sec: 1795537794, nsec: 770907437 }, 9, 'ud'), '2026-11-24 16:29:54.770907437');
  // A broken clock far beyond JS Date's range: the calendar still holds.
  assert.equal(formatAbsolute({ sec: 18446744073204, nsec: 126329000 }, 6, 'ud'), '586524-01-19 07:53:24.126329');
  assert.equal(formatAbsolute({ sec: 18446744073204, nsec: 126329000 }, 6, 'udoy'), '586524/019 07:53:24.126329');
  assert.equal(formatAbsolute({ sec: 0, nsec: 0 }, 0, 'ud'), '1970-01-01 00:00:00');
  assert.equal(formatAbsolute({ sec: 951782400, nsec: 0 }, 3, 'udoy'), '2000/060 00:00:00.000'); // 2000-02-29
  const saved = process.env['TZ'];
  try {
    process.env['TZ'] = 'America/New_York';
    assert.equal(formatAbsolute(ts, 6, 'ad'), '2026-11-24 11:29:54.770906');
    assert.equal(formatAbsolute(ts, 6, 'a'), '11:29:54.770906');
    process.env['TZ'] = 'Asia/Kolkata';
    assert.equal(formatAbsolute(ts, 6, 'adoy'), '2026/328 21:59:54.770906');
    assert.equal(formatAbsolute(ts, 6, 'ud'), '2026-11-24 16:29:54.770906');
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
});

test('formatEpoch: seconds since 1970 at the capture precision, negative too', () => {
  assert.equal(formatEpoch({ sec: 1795537794, nsec: 770906000 }, 6), '1795537794.770906');
  assert.equal(formatEpoch({ sec: 1795537794, nsec: 770907437 }, 9), '1795537794.770907437');
  assert.equal(formatEpoch({ sec: -2, nsec: 250000000 }, 3), '-1.750');
  assert.equal(formatEpoch({ sec: -2, nsec: 0 }, 0), '-2');
});

test('-u hms: hours, minutes and seconds as tshark writes them, its 32-bit wrap included', () => {
  assert.equal(formatSeconds(5_087_000, 6, true), '0.005087s');
  assert.equal(formatSeconds(553_104_780_000, 6, true), '9m 13.104780s');
  assert.equal(formatSeconds(3_725_000_000_000, 6, true), '1h  2m  5.000000s');
  assert.equal(formatSeconds(-65_500_000_000, 3, true), '- 1m  5.500s');
  assert.equal(formatSeconds(7_000_000_000, 0, true), '7s');
  // pcapng-example.pcapng frame 2 (1,472,003,999 s) and frame 60 (beyond 2^31 s: tshark casts to gint32).
  assert.equal(formatSpan({ sec: 0, nsec: 0 }, { sec: 1472003999, nsec: 360434207 }, 9, true), '408889h 59m 59.360434207s');
  assert.equal(formatSpan({ sec: 1422527998, nsec: 578402281 }, { sec: 18446744073204, nsec: 126329000 }, 6, true), '-434164h -59m -55.547926s');
});
