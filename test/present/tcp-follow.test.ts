/**
 * `-z follow,tcp,ascii,N` text from the reassembly events, equal to tshark's (goldens in
 * test/golden/analysis/follow/*.ascii, made by scripts/make-analysis-goldens.sh; stream 9 does not
 * exist in these captures: tshark then prints "Node 0: :0").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamEvent } from '../../src/analysis/reassembly.js';
import { formatFollow, formatFollowChunk } from '../../src/present/tcp-follow.js';
import { reassembleFile } from '../support/reassemble.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldens = join(root, 'test', 'golden', 'analysis', 'follow');

async function eventsOf(fixture: string): Promise<StreamEvent[]> {
  return reassembleFile(join(root, 'test', 'fixtures', 'pcap', fixture));
}

const byFixture = new Map<string, number[]>();
for (const f of readdirSync(goldens).filter((n) => n.endsWith('.ascii')).sort()) {
  const m = /^(.*)\.(\d+)\.ascii$/.exec(f)!;
  byFixture.set(m[1]!, [...(byFixture.get(m[1]!) ?? []), Number(m[2])]);
}

test('ascii follow goldens exist (loss.pcap is the spec\'s own loss.follow.txt)', () => {
  assert.ok(byFixture.size >= 5);
  assert.ok(byFixture.get('analysis-loss.pcap')?.includes(0));
});

for (const [fixture, streams] of byFixture) {
  test(`follow,tcp,ascii of ${fixture} equals tshark`, async () => {
    const events = await eventsOf(fixture);
    for (const s of streams) {
      assert.equal(formatFollow(events, s, 'ascii'), readFileSync(join(goldens, `${fixture}.${s}.ascii`), 'utf8'), `stream ${s}`);
    }
  });
}

test('ascii chunks keep CR/LF and printable bytes, dot the rest; raw is lower-case hex', () => {
  const b = new Uint8Array([0x41, 0x0d, 0x0a, 0x09, 0x00, 0x7f, 0x7e, 0xff]);
  assert.equal(formatFollowChunk('ascii', 0, b), '8\nA\r\n...~.\n');
  assert.equal(formatFollowChunk('ascii', 1, b.subarray(0, 1)), '\t1\nA\n');
  assert.equal(formatFollowChunk('raw', 1, b), '\t410d0a09007f7eff\n');
});
