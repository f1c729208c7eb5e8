/**
 * Wire + decode + TcpAnalyzer + the analysis field rows against tshark 4.0.17, cell by cell:
 * every test/fixtures/pcap/analysis-* capture has a golden table in test/golden/analysis/
 * (made once by scripts/make-analysis-goldens.sh; tshark is not needed here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analysisTable } from './table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldenDir = join(root, 'test', 'golden', 'analysis');
const fixtureDir = join(root, 'test', 'fixtures', 'pcap');

const goldens = readdirSync(goldenDir).filter((f) => f.endsWith('.tsv')).sort();

test('there are analysis goldens for vectors, corpus captures and loopback captures', () => {
  assert.ok(goldens.length >= 35, `only ${goldens.length} goldens`);
  for (const want of ['analysis-e1.pcap.tsv', 'analysis-loss.pcap.tsv', 'analysis-lo-reuse.pcap.tsv', 'analysis-lo-zerowindow.pcap.tsv']) {
    assert.ok(goldens.includes(want), want);
  }
});

for (const g of goldens) {
  const fixture = g.slice(0, -'.tsv'.length);
  test(`analysis of ${fixture} matches tshark in every cell`, async () => {
    const want = readFileSync(join(goldenDir, g), 'utf8').split('\n').filter((l) => l !== '');
    const got = await analysisTable(join(fixtureDir, fixture));
    assert.equal(got[0], want[0], 'column header');
    assert.equal(got.length, want.length, 'row count');
    const header = want[0]!.split('\t');
    const diffs: string[] = [];
    for (let i = 1; i < want.length; i++) {
      const w = want[i]!.split('\t');
      const r = got[i]!.split('\t');
      for (let j = 0; j < header.length; j++) {
        if ((w[j] ?? '') !== (r[j] ?? '') && diffs.length < 12) {
          diffs.push(`frame ${w[0]} ${header[j]}: tshark=${JSON.stringify(w[j] ?? '')} got=${JSON.stringify(r[j] ?? '')}`);
        }
      }
    }
    assert.deepEqual(diffs, []);
  });
}
