/**
 * Conv4Table (analysis/conv-table.ts) against a Map over the same operations: seeded random
 * inserts, lookups and deletes on a small key space (so probe runs collide, wrap around the end
 * of the table and get shifted back by deletions), through several growths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conv4Table } from '../../src/analysis/conv-table.js';

/** xorshift32: the same sequence on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

test('Conv4Table agrees with a Map through 200k random sets, gets and deletes', () => {
  const next = rng(12345);
  const t = new Conv4Table<{ v: number }>(16);
  const m = new Map<string, { v: number }>();
  // A small key space with negative int32s (addresses ≥ 128.0.0.0 and ports ≥ 32768 in kp).
  const addrs = [0x0a000001, 0x0a000002, -0x3f57fe00, 0x7f000001, -1, 0];
  const key = (): [number, number, number] => [addrs[next() % addrs.length]!, addrs[next() % addrs.length]!, ((next() % 700) << 16) | (next() % 3) | (next() & 0x80000000)];
  let deletes = 0;
  for (let i = 0; i < 200_000; i++) {
    const [a, b, p] = key();
    const k = `${a}/${b}/${p}`;
    const op = next() % 10;
    if (op < 4) {
      const v = { v: i };
      t.set(a, b, p, v);
      m.set(k, v);
    } else if (op < 7) {
      const had = m.delete(k);
      if (had) deletes++;
      assert.equal(t.delete(a, b, p), had, `delete ${k} at op ${i}`);
    } else {
      assert.equal(t.get(a, b, p), m.get(k), `get ${k} at op ${i}`);
    }
    assert.equal(t.size, m.size);
  }
  // Every key the Map holds is found, with its value.
  for (const [k, v] of m) {
    const [a, b, p] = k.split('/').map(Number) as [number, number, number];
    assert.equal(t.get(a, b, p), v);
  }
  assert.ok(m.size > 1000 && deletes > 10_000, `the run covered growth and deletion (${m.size} held, ${deletes} deleted)`);
});

test('Conv4Table keeps keys that differ in one number apart', () => {
  const t = new Conv4Table<{ s: string }>();
  const x = { s: 'x' }, y = { s: 'y' }, z = { s: 'z' };
  t.set(1, 2, 3, x);
  t.set(1, 2, 4, y);
  t.set(2, 1, 3, z);
  assert.equal(t.get(1, 2, 3), x);
  assert.equal(t.get(1, 2, 4), y);
  assert.equal(t.get(2, 1, 3), z);
  assert.equal(t.get(1, 3, 2), undefined);
  assert.equal(t.delete(1, 2, 3), true);
  assert.equal(t.delete(1, 2, 3), false);
  assert.equal(t.get(1, 2, 4), y);
  assert.equal(t.size, 2);
});
