/**
 * The output thread of `tcplab read` (src/cli/read-pipe.ts): with TCPLAB_READ_PIPE=1 the built
 * CLI prints exactly what it prints on one thread (=0) — every fixture merged into one capture,
 * with a filter, -c, -z statistics after the frames, a damaged capture (frames first, then the
 * one-line error and exit 2) — `| head` ends it at once with status 0, a full device is one line
 * and status 1. Plus when it is used.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mergeFixtures } from './merged-fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
let dir = '';
let merged = '';
let frames = 0;
/** 8 copies of the merged file (sections of one pcapng): over 4 MiB, seconds to read whole. */
let big = '';

function run(args: string[], pipe: '0' | '1' | undefined): { code: number | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC' };
  if (pipe === undefined) delete env['TCPLAB_READ_PIPE'];
  else env['TCPLAB_READ_PIPE'] = pipe;
  const r = spawnSync(process.execPath, [bin, 'read', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcplab-pipe-'));
  merged = join(dir, 'all.pcapng');
  frames = await mergeFixtures(merged);
  big = join(dir, 'big.pcapng');
  const one = readFileSync(merged);
  writeFileSync(big, Buffer.concat(Array.from({ length: 8 }, () => one)));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, string[]][] = [
  ['summary lines of every fixture', []],
  ['a display filter', ['-Y', 'tcp.analysis.flags || icmp || udp']],
  ['-c', ['-c', '1234']],
  ['-z statistics after the frames', ['-z', 'conv,tcp', '-z', 'expert']],
  ['-n', ['-n']],
];

for (const [what, args] of CASES) {
  test(`the output thread prints what one thread prints: ${what}`, () => {
    const one = run(['-r', merged, ...args], '0');
    const two = run(['-r', merged, ...args], '1');
    assert.equal(one.code, 0, one.err);
    assert.ok(one.out.split('\n').length > (args[0] === '-Y' ? 500 : 1000), 'enough output to compare');
    assert.equal(two.err, one.err);
    assert.equal(two.code, one.code);
    assert.ok(two.out === one.out, `outputs differ (${two.out.length} vs ${one.out.length} chars)`);
  });
}

test('a damaged capture: the frames before the damage, then the one-line error, exit 2', () => {
  assert.ok(frames > 5000);
  const bytes = readFileSync(merged);
  const cut = join(dir, 'cut.pcapng');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const one = run(['-r', cut], '0');
  const two = run(['-r', cut], '1');
  assert.equal(one.code, 2);
  assert.match(one.err, /^tcplab: .*(cut short|damaged)/);
  assert.equal(two.code, 2);
  assert.equal(two.err, one.err);
  assert.ok(two.out === one.out && one.out.length > 100_000, 'the same frames before the damage');
});

test('| head: the reader leaving ends the read at once with status 0 and nothing on stderr', async () => {
  const child = spawn(process.execPath, [bin, 'read', '-r', big], { env: { ...process.env, TCPLAB_READ_PIPE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const first = await new Promise<string>((res) => child.stdout.once('data', (d: Buffer) => res(d.toString('utf8'))));
  assert.match(first, /^ {4}1 /);
  const t0 = Date.now();
  child.stdout.destroy();
  const [code] = await once(child, 'exit') as [number | null];
  assert.equal(code, 0);
  assert.equal(err, '');
  assert.ok(Date.now() - t0 < 5000, `exit took ${Date.now() - t0} ms`);
});

test('stdout on a full device (/dev/full): one line, exit status 1, on both paths', () => {
  for (const pipe of ['0', '1']) {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [bin, 'read', '-r', big], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', full, 'pipe'], env: { ...process.env, TCPLAB_READ_PIPE: pipe } });
      assert.equal(r.status, 1, `TCPLAB_READ_PIPE=${pipe}: ${r.stderr}`);
      assert.match(r.stderr, /^tcplab: cannot write to stdout: ENOSPC: no space left on device, write\n$/);
    } finally {
      closeSync(full);
    }
  }
});

test('used by default for files of 4 MiB and more, not for small ones (TCPLAB_READ_TRACE=pipe says which)', () => {
  const small = join(root, 'test', 'fixtures', 'pcap', 'present-lo-telnet-v4.pcap');
  assert.ok(readFileSync(big).length >= 4 << 20, 'the big file reaches 4 MiB');
  for (const [file, want] of [[small, 'one thread'], [big, 'output thread']] as const) {
    const r = spawnSync(process.execPath, [bin, 'read', '-r', file, '-c', '1'], { encoding: 'utf8', env: { ...process.env, TCPLAB_READ_TRACE: 'pipe' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, `tcplab: read output on the ${want}\n`);
  }
});
