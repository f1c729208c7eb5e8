/** `-z conv,tcp` text equal to tshark's for every analysis fixture (goldens: scripts/make-analysis-goldens.sh). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { TcpConversationTable } from '../../src/analysis/conversations.js';
import { formatSize, formatTcpConversations } from '../../src/present/tcp-conv.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldens = join(root, 'test', 'golden', 'analysis', 'conv');

for (const g of readdirSync(goldens).filter((f) => f.endsWith('.txt')).sort()) {
  const fixture = g.slice(0, -4);
  test(`conv,tcp of ${fixture} equals tshark`, async () => {
    const src = await openCaptureFile(join(root, 'test', 'fixtures', 'pcap', fixture));
    const dec = new PacketDecoder();
    const an = new TcpAnalyzer();
    const table = new TcpConversationTable();
    for await (const rec of src) {
      const pkt = dec.decode(rec);
      table.add(rec, pkt, an.analyze(rec, pkt));
    }
    assert.equal(formatTcpConversations(table.sorted()), readFileSync(join(goldens, g), 'utf8'));
  });
}

test('sizes as Wireshark\'s format_size', () => {
  assert.equal(formatSize(0), '0 bytes');
  assert.equal(formatSize(9999), '9999 bytes');
  assert.equal(formatSize(10000), '10 kB');
  assert.equal(formatSize(37_999), '37 kB');
  assert.equal(formatSize(9_999_999), '9999 kB');
  assert.equal(formatSize(10_000_000), '10 MB');
  assert.equal(formatSize(12_345_678_901), '12 GB');
});
