/**
 * `tcplab read -Y` end to end (the built CLI on a real capture): a broken filter is never run —
 * exit status 2 and tshark's message and caret on stderr, nothing on stdout; a good filter prints
 * exactly the frames tshark 4.0 selected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const cap = join(root, 'test', 'fixtures', 'pcap', 'filter-loopback.pcap');

function read(filter: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'read', '-r', cap, '-Y', filter], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a broken -Y filter: exit 2, tshark\'s words and caret, no frames', () => {
  const r = read('tcp.prot');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'tcplab: tcp.prot is neither a field nor a protocol name.\n    tcp.prot\n    ^~~~~~~~\n');
  const s = read('tcp.port in {1..}');
  assert.equal(s.status, 2);
  assert.match(s.stderr, /"\}" was unexpected in this context\.\n {4}tcp\.port in \{1\.\.\}\n {20}\^\n$/);
});

test('a good -Y filter prints exactly the frames tshark selects', () => {
  // tshark -r test/fixtures/pcap/filter-loopback.pcap -Y <filter> -T fields -e frame.number
  const cases: [string, number[]][] = [
    ['tcp.payload contains "hello"', [4, 20]],
    ['ip.addr == 127.0.0.0/8 && tcp.flags.syn == 1', [1, 2, 30, 31, 38]],
    ['ipv6 and tcp.len > 0', [20, 22, 24, 25]],
  ];
  for (const [filter, want] of cases) {
    const r = read(filter);
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.split('\n').filter((l) => l !== '').map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.deepEqual(got, want, filter);
  }
});
