/** uint32 serial arithmetic (RFC 1982) across the wrap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqSub } from '../../src/analysis/seq.js';

const rows: { a: number; b: number; lt: boolean; eq: boolean }[] = [
  { a: 1, b: 2, lt: true, eq: false },
  { a: 2, b: 1, lt: false, eq: false },
  { a: 7, b: 7, lt: false, eq: true },
  { a: 0xffffff00, b: 0x10, lt: true, eq: false }, // b is after a across the wrap
  { a: 0x10, b: 0xffffff00, lt: false, eq: false },
  { a: 0, b: 0x7fffffff, lt: true, eq: false },
  { a: 0xfffffffe, b: 0xffffffff, lt: true, eq: false },
];

for (const r of rows) {
  test(`compare ${r.a.toString(16)} / ${r.b.toString(16)}`, () => {
    assert.equal(seqLt(r.a, r.b), r.lt);
    assert.equal(seqLe(r.a, r.b), r.lt || r.eq);
    assert.equal(seqGt(r.a, r.b), !r.lt && !r.eq);
    assert.equal(seqGe(r.a, r.b), !r.lt);
    assert.equal(seqDiff(r.a, r.b) > 0, r.lt);
  });
}

test('add and subtract wrap at 2^32 and stay unsigned', () => {
  assert.equal(seqAdd(0xffffffff, 1), 0);
  assert.equal(seqAdd(0xfffffff0, 0x20), 0x10);
  assert.equal(seqSub(0x10, 0x20), 0xfffffff0);
  assert.equal(seqSub(5, 5), 0);
  assert.equal(seqDiff(0xfffffff0, 0x10), 0x20);
});
