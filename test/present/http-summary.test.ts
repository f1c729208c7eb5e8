/**
 * HTTP in the one-line output: `tcplab read -n -r F` against tshark 4.0.17's `tshark -n -r F`
 * (test/golden/http/*.summary.txt, made by test/golden/http/regen.sh; tshark is not needed here).
 * Every line must be equal except the frames a golden's "# differs:" header lists (with why).
 * The fixtures cover: header and body desegmentation ([TCP segment of a reassembled PDU] before
 * the segment that completes a message), Content-Length, chunked bodies, responses that run to
 * the FIN, retransmitted and fast-retransmitted data ("[Reassembly error …]"), a stream found by
 * the "HTTP/1." heuristic (port 4000), IPv6, IPP on port 631, media types (text/html, PNG, GIF,
 * JPEG, XML, JSON) and Continuation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldenDir = join(root, 'test', 'golden', 'http');
const bin = join(root, 'bin', 'tcplab');

interface Golden {
  fixture: string;
  differs: Set<number>;
  lines: string[];
}

function parse(text: string): Golden {
  let fixture = '';
  const differs = new Set<number>();
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# fixture: ')) fixture = line.slice(11);
    else if (line.startsWith('# differs: ')) for (const n of line.slice(11).split(' ')[0]!.split(',')) differs.add(Number(n));
    else if (!line.startsWith('# ') && line !== '') lines.push(line);
  }
  return { fixture, differs, lines };
}

const goldens = readdirSync(goldenDir).filter((f) => f.endsWith('.summary.txt')).sort();

test('there are HTTP goldens, and they contain HTTP and reassembled-PDU lines', () => {
  assert.ok(goldens.length >= 10);
  const all = goldens.map((g) => readFileSync(join(goldenDir, g), 'utf8')).join('');
  for (const needle of [' HTTP ', '[TCP segment of a reassembled PDU]', ' IPP ', 'HTTP/XML', 'Continuation', '(text/html)', '(PNG)', 'Reassembly error']) {
    assert.ok(all.includes(needle), `no golden line with ${needle}`);
  }
});

for (const g of goldens) {
  test(`read -n ${g} equals tshark -n line for line`, () => {
    const { fixture, differs, lines } = parse(readFileSync(join(goldenDir, g), 'utf8'));
    const got = execFileSync(process.execPath, [bin, 'read', '-n', '-r', join(root, 'test', 'fixtures', 'pcap', fixture)], {
      encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20, timeout: 60_000,
    }).split('\n').filter((l) => l !== '');
    assert.equal(got.length, lines.length, `${g}: line count`);
    const bad: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (differs.has(i + 1)) continue;
      if (got[i] !== lines[i]) bad.push(`frame ${i + 1}:\n  tshark: ${lines[i]}\n  tcplab: ${got[i]}`);
    }
    assert.deepEqual(bad, [], `${g}: ${bad.length} lines differ`);
  });
}

/** -Y http and the http.* fields, against tshark's output for the same arguments (regen.sh). */
const FIELD_ARGS = ['-Y', 'http', '-T', 'fields', ...['frame.number', 'http.request', 'http.response', 'http.request.method', 'http.request.uri',
  'http.request.version', 'http.response.version', 'http.response.code', 'http.response.phrase'].flatMap((e) => ['-e', e])];

for (const g of readdirSync(goldenDir).filter((f) => f.endsWith('.fields.txt')).sort()) {
  test(`read -Y http -T fields http.* on ${g} equals tshark`, () => {
    const want = readFileSync(join(goldenDir, g), 'utf8');
    assert.ok(want.split('\n').length > 2, 'the golden has HTTP frames');
    const got = execFileSync(process.execPath, [bin, 'read', '-r', join(root, 'test', 'fixtures', 'pcap', g.replace(/\.fields\.txt$/, '')), ...FIELD_ARGS], {
      encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20, timeout: 60_000,
    });
    assert.equal(got, want);
  });
}
