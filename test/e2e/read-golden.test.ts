/**
 * `tcplab read` against tshark 4.0 golden outputs (test/golden/present/*.txt, made once by
 * test/golden/present/regen.sh from tshark and committed; tshark is not needed here).
 * Each golden's header names the fixture and the arguments; the output must match byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldenDir = join(root, 'test', 'golden', 'present');
const bin = join(root, 'bin', 'tcplab');

/** Splits "-T fields -e a -Y 'x y'"-style args as regen.sh wrote them ($* joins with spaces). */
function splitArgs(s: string): string[] {
  // regen.sh only quotes -Y filters; rebuild them: everything after -Y up to the next " -" flag.
  const out: string[] = [];
  const parts = s.split(' ').filter((p) => p !== '');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '-Y') {
      const rest: string[] = [];
      while (i + 1 < parts.length && !/^-[A-Za-z]$/.test(parts[i + 1]!)) rest.push(parts[++i]!);
      out.push('-Y', rest.join(' '));
    } else out.push(p);
  }
  return out;
}

function parseGolden(text: string): { header: Map<string, string>; body: string } {
  const header = new Map<string, string>();
  let pos = 0;
  while (text.startsWith('# ', pos)) {
    const nl = text.indexOf('\n', pos);
    const line = text.slice(pos + 2, nl);
    const colon = line.indexOf(': ');
    if (colon > 0) header.set(line.slice(0, colon), line.slice(colon + 2));
    pos = nl + 1;
  }
  return { header, body: text.slice(pos) };
}

function firstDiff(a: string, b: string): string {
  const al = a.split('\n'), bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return `line ${i + 1}:\n  tshark: ${JSON.stringify(al[i])}\n  tcplab: ${JSON.stringify(bl[i])}`;
  }
  return 'no difference';
}

const goldens = readdirSync(goldenDir).filter((f) => f.endsWith('.txt') && f !== 'G-fields.txt').sort();

test('there are golden files for every output mode', () => {
  for (const mode of ['summary', 'V', 'x', 'json', 'fields']) {
    assert.ok(goldens.some((g) => g.includes(`.${mode}`)), `no golden for ${mode}`);
  }
});

for (const g of goldens) {
  test(`read ${g} matches tshark byte for byte`, () => {
    const { header, body } = parseGolden(readFileSync(join(goldenDir, g), 'utf8'));
    const fixture = header.get('fixture');
    assert.ok(fixture, `${g}: no fixture in header`);
    const args = splitArgs(header.get('args') ?? '');
    const got = execFileSync(process.execPath, [bin, 'read', '-r', join(root, 'test', 'fixtures', 'pcap', fixture), ...args], {
      encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20, timeout: 60_000,
    });
    if (got !== body) assert.fail(`${g}: ${firstDiff(body, got)}`);
  });
}

test('-G fields rows equal tshark -G fields for every registered field tshark also has', () => {
  const { body } = parseGolden(readFileSync(join(goldenDir, 'G-fields.txt'), 'utf8'));
  const want = new Map<string, string>();
  for (const line of body.split('\n')) if (line) want.set(line.split('\t')[2]!, line);
  const got = execFileSync(process.execPath, [bin, 'read', '-G', 'fields'], { encoding: 'utf8', timeout: 30_000 });
  const mine = new Map<string, string>();
  for (const line of got.split('\n')) if (line) mine.set(line.split('\t')[2]!, line);
  assert.ok(want.size > 150, 'golden too small');
  const bad: string[] = [];
  for (const [abbrev, row] of want) if (mine.get(abbrev) !== row) bad.push(`${abbrev}:\n  tshark: ${row}\n  tcplab: ${mine.get(abbrev)}`);
  assert.deepEqual(bad, []);
});
