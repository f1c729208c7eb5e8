/**
 * `tcplab capture -D` lists interfaces as `tshark -D` does ("1. eth0", "3. lo (Loopback)"), through
 * dumpcap -D or, without dumpcap, tcpdump -D rewritten to tshark's form; with neither tool on PATH
 * it prints one line saying how to fix it and exits 1. The PATH of the child is narrowed to a
 * directory holding only the chosen tool, so each path runs the real tool.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInterfaceList, formatInterfaceList } from '../../src/wire/interfaces.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const dir = mkdtempSync(join(tmpdir(), 'tcplab-capture-d-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function which(tool: string): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Runs `tcplab capture -D` with PATH holding only `tools` (symlinked). */
function listWith(tools: string[]): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  const p = join(dir, tools.join('+') || 'none');
  mkdirSync(p, { recursive: true });
  for (const t of tools) symlinkSync(which(t)!, join(p, t));
  return spawnSync(process.execPath, [bin, 'capture', '-D'], { encoding: 'utf8', env: { ...process.env, PATH: p }, timeout: 20_000 });
}

test('parse: tcpdump -D lines become tshark -D lines', () => {
  const tcpdump = '1.eth0 [Up, Running, Connected]\n2.any (Pseudo-device that captures on all interfaces) [Up, Running]\n3.lo [Up, Running, Loopback]\n7.nflog (Linux netfilter log (NFLOG) interface) [none]\n';
  assert.equal(formatInterfaceList(parseInterfaceList('tcpdump', tcpdump)),
    '1. eth0\n2. any\n3. lo (Loopback)\n7. nflog (Linux netfilter log (NFLOG) interface)\n');
  const dumpcap = '1. eth0\n2. any\n3. lo (Loopback)\n';
  assert.equal(formatInterfaceList(parseInterfaceList('dumpcap', dumpcap)), dumpcap);
});

test('capture -D via dumpcap prints dumpcap\'s (tshark\'s) list', { skip: which('dumpcap') === undefined }, () => {
  const r = listWith(['dumpcap']);
  assert.equal(r.status, 0, r.stderr);
  const direct = spawnSync('dumpcap', ['-D'], { encoding: 'utf8' }).stdout;
  assert.equal(r.stdout, direct);
  assert.match(r.stdout, /^\d+\. lo \(Loopback\)$/m);
});

test('capture -D via tcpdump prints the same interfaces in tshark\'s format', { skip: which('tcpdump') === undefined }, () => {
  const r = listWith(['tcpdump']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.length >= 2);
  lines.forEach((l, i) => assert.match(l, new RegExp(`^${i + 1}\\. \\S+( \\(.+\\))?$`)));
  assert.ok(lines.includes(lines.find((l) => / lo \(Loopback\)$/.test(l))!));
  assert.ok(lines.some((l) => /^\d+\. any$/.test(l)));
  if (which('dumpcap') !== undefined) {
    // Same names in the same order as dumpcap's list.
    const names = (s: string): string[] => s.trimEnd().split('\n').map((l) => l.split(' ')[1]!);
    assert.deepEqual(names(r.stdout), names(spawnSync('dumpcap', ['-D'], { encoding: 'utf8' }).stdout));
  }
});

test('capture -D without any capture tool: one line saying how to fix it, exit 1', () => {
  const r = listWith([]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^tcplab: Cannot list interfaces: neither dumpcap nor tcpdump is installed \(apt-get install tcpdump/);
});
