/**
 * The parallel read (src/cli/read-parallel.ts, --threads N) prints exactly what one thread
 * prints: every committed fixture merged into one pcapng (all link types, overlapping 4-tuples,
 * time going backwards between files), read with tiny batches so every batch edge and merge case
 * is crossed, for the summary lines, -T fields with analysis and time fields, a display filter
 * and -c; plus the MPTCP fallback, a capture cut mid-record, and which options stay on one thread.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { mergeFixtures } from './merged-fixtures.js';
import { parallelThreads } from '../../src/cli/read-parallel.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const fixtures = join(root, 'test', 'fixtures', 'pcap');
let dir = '';
let merged = '';
let frames = 0;

function run(args: string[], batch = 61, trace = false): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, 'read', ...args], {
    encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20, env: { ...process.env, TZ: 'UTC', TCPLAB_READ_BATCH: String(batch), TCPLAB_READ_TRACE: trace ? '1' : '0' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcplab-par-'));
  merged = join(dir, 'all.pcapng');
  // MPTCP: tested below.
  frames = await mergeFixtures(merged, (name) => name.includes('mptcp') || name === 'analysis-e5.pcap');
});

after(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, string[]][] = [
  ['summary lines', []],
  ['-T fields with analysis and time fields', ['-T', 'fields', '-E', 'header=y', '-e', 'frame.number', '-e', 'frame.time_delta', '-e', 'frame.time_relative',
    '-e', 'ip.src', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.nxtseq', '-e', 'tcp.window_size', '-e', 'tcp.analysis.flags',
    '-e', 'tcp.analysis.ack_rtt', '-e', 'tcp.analysis.bytes_in_flight', '-e', 'tcp.time_delta', '-e', 'tcp.options.sack_le', '-e', 'tcp.analysis.duplicate_ack_num', '-e', 'tcp.len']],
  ['a display filter', ['-Y', 'tcp.analysis.flags || icmp || udp']],
  ['-c', ['-c', '1234']],
];

for (const [what, args] of CASES) {
  test(`--threads 2 and 3 print what one thread prints: ${what}`, () => {
    const one = run(['-r', merged, '--threads', '1', ...args]);
    assert.equal(one.code, 0, one.err);
    assert.ok(one.out.split('\n').length > (args[0] === '-Y' ? 500 : 1000), 'enough output to compare');
    for (const n of ['2', '3']) {
      const par = run(['-r', merged, '--threads', n, ...args]);
      assert.equal(par.err, one.err);
      assert.equal(par.code, 0);
      assert.equal(par.out, one.out, `--threads ${n}`);
    }
  });
}

test('the merged file has thousands of frames, and is read in parallel to the end', () => {
  assert.ok(frames > 5000, `${frames} frames`);
  const r = run(['-r', merged, '--threads', '2', '-T', 'fields', '-e', 'frame.number'], 61, true);
  assert.equal(r.err, 'trace: read on 2 threads\n');
  assert.equal(r.out.split('\n').length - 1, frames);
});

test('MPTCP ties streams together: the parallel read hands over to one thread and prints the same', () => {
  const f = join(fixtures, 'analysis-mptcp-v0.pcap');
  for (const args of [[], ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.analysis.flags', '-e', 'tcp.seq']]) {
    const one = run(['-r', f, '--threads', '1', ...args]);
    const par = run(['-r', f, '--threads', '2', ...args], 5, true);
    assert.match(par.err, /^trace: read handed over to one thread at record \d+ \(MPTCP\)\n$/);
    assert.equal(one.code, 0);
    assert.ok(one.out.length > 1000);
    assert.equal(par.out, one.out);
    assert.equal(par.code, 0);
  }
});

test('a capture cut mid-record: the same frames, the same one-line error and exit status 2', () => {
  const bytes = readFileSync(merged);
  const cut = join(dir, 'cut.pcapng');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const one = run(['-r', cut, '--threads', '1']);
  const par = run(['-r', cut, '--threads', '2']);
  assert.equal(one.code, 2);
  assert.match(one.err, /^tcplab: .*(cut short|damaged)/);
  assert.equal(par.code, 2);
  assert.equal(par.err, one.err);
  assert.equal(par.out, one.out);
  assert.ok(one.out.split('\n').length > 1000);
});

test('options whose output depends on other shards stay on one thread', () => {
  const o = { e: [] as string[], E: [] as string[] };
  assert.equal(parallelThreads(merged, o, 2, false), 2);
  assert.equal(parallelThreads(merged, o, 1, false), 0);
  assert.equal(parallelThreads(merged, o, 2, true), 0, '-z/--explain/progress');
  assert.equal(parallelThreads('-', o, 2, false), 0, 'stdin');
  assert.equal(parallelThreads(merged, { ...o, e: ['tcp.stream'] , T: 'fields' }, 2, false), 0);
  assert.equal(parallelThreads(merged, { ...o, Y: 'tcp.stream == 3' }, 2, false), 0);
  assert.equal(parallelThreads(merged, { ...o, Y: 'frame.time_delta_displayed > 1' }, 2, false), 0);
  assert.equal(parallelThreads(merged, { ...o, V: true }, 2, false), 0);
  assert.equal(parallelThreads(merged, { ...o, T: 'json' }, 2, false), 0);
  assert.equal(parallelThreads(merged, { ...o, w: 'x.pcap' }, 2, false), 0);
  assert.equal(parallelThreads(merged, o, undefined, false), 0, 'one thread unless --threads N');
});
