/**
 * present/io-stat.ts units: interval parsing (tshark's precision rules, tap-iostat.c iostat_init)
 * and the table for hand-made frames (times and lengths are all the table reads).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoStat, parseInterval } from '../../src/present/io-stat.js';
import type { Frame } from '../../src/fields/field.js';

const frame = (ms: number, len: number): Frame => ({ timeRelativeNs: ms * 1e6, record: { origLen: len } } as unknown as Frame);

test('parseInterval: µs and decimal places as tshark derives them', () => {
  const rows: [string, number, number][] = [['1', 1_000_000, 0], ['0.5', 500_000, 1], ['0.25', 250_000, 2], ['1.0', 1_000_000, 1], ['10', 10_000_000, 0], ['0.000001', 1, 6], ['0', Number.MAX_SAFE_INTEGER, 0]];
  for (const [text, us, prec] of rows) assert.deepEqual(parseInterval(text), { intervalUs: us, prec }, text);
  for (const bad of ['', 'x', '-1', '0.0000001']) assert.throws(() => parseInterval(bad), RangeError, bad);
});

test('IoStat: empty intervals print 0, the last row ends at "Dur", widths grow with the counts', () => {
  const io = new IoStat(1_000_000, 0, [{ filter: undefined, test: undefined }, { filter: 'big', test: (f) => f.record.origLen > 1000 }]);
  for (const [ms, len] of [[0, 60], [10, 1500], [2500, 1234567], [3100, 60]] as const) io.add(frame(ms, len));
  const lines = io.format().split('\n');
  assert.deepEqual(lines.slice(-6), [
    '|  0 <> 1  |      2 |    1560 |      1 |    1500 |',
    '|  1 <> 2  |      0 |       0 |      0 |       0 |',
    '|  2 <> 3  |      1 | 1234567 |      1 | 1234567 |',
    '|  3 <> Dur|      1 |      60 |      0 |       0 |',
    '='.repeat(50),
    '',
  ]);
  assert.equal(lines[4], '| Duration: 3.100000 secs                        |');
  assert.equal(lines[7], '| Col 1: Frames and bytes                        |');
  assert.equal(lines[8], '|     2: big                                     |');
});
