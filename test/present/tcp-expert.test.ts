/**
 * `-z expert` (TCP items) equal to tshark's for every analysis fixture. Goldens keep tshark's TCP
 * rows only (scripts/make-analysis-goldens.sh explains the filter); loss.pcap's is the spec's own
 * loss.expert.txt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { ExpertSummary, tcpExpertItems } from '../../src/present/tcp-expert.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldens = join(root, 'test', 'golden', 'analysis', 'expert');

async function summary(fixture: string): Promise<ExpertSummary> {
  const src = await openCaptureFile(join(root, 'test', 'fixtures', 'pcap', fixture));
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer();
  const sum = new ExpertSummary();
  for await (const rec of src) {
    const pkt = dec.decode(rec);
    for (const item of tcpExpertItems(rec, pkt, an.analyze(rec, pkt))) sum.add(item);
  }
  return sum;
}

for (const g of readdirSync(goldens).filter((f) => f.endsWith('.txt')).sort()) {
  test(`expert summary of ${g.slice(0, -4)} equals tshark's TCP rows`, async () => {
    assert.equal((await summary(g.slice(0, -4))).format(), readFileSync(join(goldens, g), 'utf8'));
  });
}

test('a level hides lower severities (-z expert,warn)', async () => {
  const text = (await summary('analysis-loss.pcap')).format('warn');
  assert.match(text, /^\nWarns \(5\)\n/);
  assert.doesNotMatch(text, /Notes|Chats/);
});
