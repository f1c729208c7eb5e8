/**
 * Broken filters against tshark 4.0.17 (test/golden/filter/errors.jsonl, made by
 * scripts/filter-golden.ts): every row must be refused (never run), with tshark's message and
 * caret in the same place, as present/filter-error.ts renders it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFilter } from '../../src/filter/index.js';
import { formatFilterError, underline } from '../../src/present/filter-error.js';
import { lookupField } from '../../src/fields/registry.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const rows = readFileSync(join(root, 'test', 'golden', 'filter', 'errors.jsonl'), 'utf8')
  .split('\n').filter((l) => l !== '')
  .map((l) => JSON.parse(l) as { filter: string; message: string; start: number; length: number });

/** Field names in a filter that look like fields (a.b) but the registry does not have yet. */
function missingFields(filter: string, message: string): string[] {
  const names = filter.match(/\b[a-z][a-z0-9_]*\.[a-z0-9_.]+/g) ?? [];
  return names.filter((n) => lookupField(n) === undefined && !message.includes(n) && !/^\d/.test(n));
}

test('the error goldens cover many broken filters', () => {
  assert.ok(rows.length >= 60, `${rows.length} rows`);
});

for (const row of rows) {
  test(`broken filter ${JSON.stringify(row.filter)}`, (t) => {
    const missing = missingFields(row.filter, row.message);
    if (missing.length > 0) {
      t.skip(`fields not in the registry yet: ${missing.join(', ')}`);
      return;
    }
    const r = parseFilter(row.filter);
    assert.equal(r.ok, false, 'a broken filter is never compiled');
    if (r.ok) return;
    const e = r.errors[0];
    assert.ok(e);
    assert.equal(e.message, row.message);
    const want = row.start < 0 ? `tcplab: ${row.message}` : `tcplab: ${row.message}\n    ${row.filter}\n    ${underline(row.start, row.length)}`;
    assert.equal(formatFilterError(row.filter, e, 'tcplab: '), want);
    assert.match(e.code, /^ERR_FILTER_[A-Z_]+$/);
  });
}
