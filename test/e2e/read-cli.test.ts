/**
 * `tcplab read` edge behaviour, spawned as users run it: stdin, damaged files, EPIPE, bad
 * arguments, unknown fields and broken filters (one line on stderr, exit 2, no stack trace).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const fx = (n: string): string => join(root, 'test', 'fixtures', 'pcap', n);
const golden = (n: string): string => readFileSync(join(root, 'test', 'golden', 'present', n), 'utf8').replace(/^(# .*\n)+/, '');

function run(args: string[], input?: Buffer): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('-r - reads a capture from stdin', () => {
  const r = run(['read', '-r', '-'], readFileSync(fx('present-lo-telnet-v4.pcap')));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, golden('lo-telnet-v4.summary.txt'));
});

test('a gzip capture on stdin is read too', () => {
  const r = run(['read', '-r', '-'], readFileSync(fx('present-lo-telnet-v6.pcap.gz')));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, golden('lo-telnet-v6.summary.txt'));
});

test('a file cut inside a frame prints the frames before the cut, one line, exit 2', () => {
  const r = run(['read', '-r', fx('present-lo-telnet-v4-cut.pcap')]);
  assert.equal(r.code, 2);
  const want = golden('lo-telnet-v4.summary.txt').split('\n').slice(0, 10).join('\n') + '\n';
  assert.equal(r.out, want);
  assert.match(r.err, /^tcplab: The file ".*present-lo-telnet-v4-cut\.pcap" appears to have been cut short in the middle of a packet\.\n$/);
});

test('a file that is not a capture: one line, exit 2', () => {
  const r = run(['read', '-r', join(root, 'package.json')]);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err.split('\n').length, 2, r.err);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('a missing file: one line, exit 2', () => {
  const r = run(['read', '-r', '/nonexistent/x.pcap']);
  assert.equal(r.code, 2);
  assert.equal(r.err.split('\n').length, 2, r.err);
});

test('unknown -e field: tshark-like message, exit 2', () => {
  const r = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-T', 'fields', '-e', 'tcp.foo', '-e', 'ip.src']);
  assert.equal(r.code, 2);
  assert.equal(r.err, "tcplab: Some fields aren't valid:\n\ttcp.foo\n");
  assert.equal(r.out, '');
});

test('-T fields without -e: usage error, exit 2', () => {
  const r = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-T', 'fields']);
  assert.equal(r.code, 2);
  assert.match(r.err, /no fields were specified/);
});

test('a broken -Y filter: message with a caret, exit 2, nothing printed', () => {
  const r = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-Y', 'tcp.prot == 1']);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err, /^tcplab: .*tcp\.prot.*\n    tcp\.prot == 1\n    \^~~~~~~~\n$/);
});

test('-q prints nothing and exits 0', () => {
  const r = run(['read', '-r', fx('present-lo-pingpong-loss.pcap'), '-q']);
  assert.equal(r.code, 0);
  assert.equal(r.out, '');
});

test('-c 0 reads everything; a bad -c is a usage error', () => {
  assert.equal(run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-c', '0']).out, golden('lo-telnet-v4.summary.txt'));
  const r = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-c', 'x']);
  assert.equal(r.code, 2);
});

test('-t: a bad format is one line, exit 2; --threads and a big file (output thread) print the same -t lines', () => {
  const bad = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-t', 'x']);
  assert.equal(bad.code, 2);
  assert.equal(bad.out, '');
  assert.equal(bad.err, 'tcplab: Invalid time stamp type "x"; it must be one of: a, ad, adoy, d, dd, e, r, u, ud, udoy\n');
  const badU = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-u', 'm']);
  assert.equal(badU.code, 2);
  assert.equal(badU.err, 'tcplab: Invalid seconds type "m"; it must be one of: s, hms\n');
  const want = run(['read', '-r', fx('present-lo-pingpong-loss.pcap'), '-t', 'dd', '-Y', 'tcp.len > 0']);
  assert.equal(want.code, 0);
  assert.equal(want.out, golden('lo-pingpong-loss.t-dd.txt'));
  // Forced onto the paths that write the default Time column only: -t must still be honoured.
  const forced = spawnSync(process.execPath, [bin, 'read', '-r', fx('present-lo-pingpong-loss.pcap'), '-t', 'dd', '-Y', 'tcp.len > 0', '--threads', '2'], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, TZ: 'UTC', TCPLAB_READ_PIPE: '1' },
  });
  assert.equal(forced.status, 0);
  assert.equal(forced.stdout, want.out);
});

test('-o: tcp.relative_sequence_numbers:FALSE prints wire numbers on every path; unknown or malformed preferences are usage errors', () => {
  const unknown = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-o', 'tcp.foo:1']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /^tcplab: -o flag "tcp\.foo:1" specifies unknown preference/);
  const malformed = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-o', 'tcp.relative_sequence_numbers=false']);
  assert.equal(malformed.code, 2);
  assert.equal(malformed.err, 'tcplab: Invalid -o flag "tcp.relative_sequence_numbers=false"\n');
  const want = golden('lo-pingpong-loss.o-raw.txt');
  const forced = spawnSync(process.execPath, [bin, 'read', '-r', fx('present-lo-pingpong-loss.pcap'), '-o', 'tcp.relative_sequence_numbers:false', '--threads', '2'], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, TZ: 'UTC', TCPLAB_READ_PIPE: '1' },
  });
  assert.equal(forced.status, 0);
  assert.equal(forced.stdout, want);
  // TRUE (any case) is the default again.
  assert.equal(run(['read', '-r', fx('present-lo-pingpong-loss.pcap'), '-o', 'tcp.relative_sequence_numbers:True']).out, golden('lo-pingpong-loss.summary.txt'));
});

test('-l flushes each packet: the first line arrives while stdin is still open', async () => {
  const bytes = readFileSync(fx('present-lo-telnet-v4.pcap'));
  const firstEnd = 24 + 16 + bytes.readUInt32LE(24 + 8); // global header + first record (µs pcap, little-endian)
  const got = await new Promise<string>((resolveLine, reject) => {
    const child = spawn(process.execPath, [bin, 'read', '-r', '-', '-l'], { env: { ...process.env, TZ: 'UTC' } });
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`no line while stdin was open; got ${JSON.stringify(out)}`)); }, 10_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        child.stdin.end(bytes.subarray(firstEnd));
        child.on('close', () => resolveLine(out));
      }
    });
    child.stdin.write(bytes.subarray(0, firstEnd));
  });
  assert.equal(got.split('\n')[0] + '\n', golden('lo-telnet-v4.summary.txt').split('\n')[0] + '\n');
  assert.equal(got, golden('lo-telnet-v4.summary.txt'));
});

test('-T ek writes an index line and a document per frame, all valid JSON', () => {
  const r = run(['read', '-r', fx('present-lo-telnet-v4.pcap'), '-T', 'ek']);
  assert.equal(r.code, 0);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 2 * 14);
  const doc = JSON.parse(lines[1]!) as { timestamp: string; layers: Record<string, Record<string, unknown>> };
  assert.equal(doc.layers['tcp']!['tcp_tcp_srcport'], '48920');
  assert.equal(doc.layers['tcp']!['tcp_tcp_flags_syn'], true);
  assert.equal(doc.timestamp, '1795537459621');
  assert.deepEqual(JSON.parse(lines[0]!), { index: { _index: 'packets-2026-11-24', _type: 'doc' } });
});

test('a closed stdout (| head) ends quietly with status 0', async () => {
  const child = spawn(process.execPath, [bin, 'read', '-r', fx('present-lo-nano.pcap'), '-V'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  await new Promise<void>((r) => child.stdout.once('data', () => r()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  assert.equal(code, 0);
  assert.equal(err, '');
});

test('-w writes pcapng (default) and -F pcap; re-reading gives the same lines; nothing printed without -P', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-w-'));
  try {
    const ng = join(dir, 'out.pcapng'), pc = join(dir, 'out.pcap');
    const a = run(['read', '-r', fx('present-lo-nano.pcap'), '-Y', 'tcp.len > 0', '-w', ng]);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, '');
    const b = run(['read', '-r', fx('present-lo-nano.pcap'), '-F', 'pcap', '-w', pc, '-P', '-c', '20']);
    assert.equal(b.code, 0, b.err);
    assert.equal(readFileSync(ng).readUInt32LE(0), 0x0a0d0d0a);
    assert.equal(readFileSync(pc).readUInt32LE(0), 0xa1b23c4d);
    const all = run(['read', '-r', fx('present-lo-nano.pcap'), '-c', '20']).out;
    assert.equal(run(['read', '-r', pc]).out, all);
    assert.equal(b.out, all);
    const data = run(['read', '-r', ng, '-T', 'fields', '-e', 'tcp.len']).out.trimEnd().split('\n');
    assert.ok(data.length > 10 && data.every((l) => Number(l) > 0), data.join(','));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
