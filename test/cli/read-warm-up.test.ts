/**
 * The JIT warm-up capture (src/cli/read-warm-up.ts) reaches what it claims to — every analysis
 * flag it is meant to prime, IPv4 and IPv6, FIN and RST, a stream longer than 2^31 ns — and the
 * warm-up leaves a read's output alone (the built CLI with TCPLAB_READ_WARMUP=0 and =1 on a file
 * big enough to get it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { warmUpCapture, warmUpRead } from '../../src/cli/read-warm-up.js';
import { readAllRecords } from '../../src/wire/source.js';
import { Session } from '../../src/pipeline/session.js';
import { formatSummaryLine } from '../../src/present/columns.js';
import type { CaptureSource } from '../../src/wire/open.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');

test('the warm-up capture primes every analysis flag, both IP versions, FIN, RST and long spans', () => {
  const bytes = warmUpCapture();
  const records = readAllRecords(bytes, 'warm-up');
  const source = { info: { format: 'pcap', tsPrecision: 'usec', interfaces: [] }, close() {}, [Symbol.asyncIterator]() { throw new Error('no'); } } as unknown as CaptureSource;
  const session = new Session(source);
  const lines: string[] = [];
  let longest = 0;
  for (const r of records) {
    const f = session.frameOf(r);
    lines.push(formatSummaryLine(f));
    longest = Math.max(longest, f.tcp?.timeRelativeNs ?? 0);
  }
  const text = lines.join('\n');
  for (const marker of [
    '[TCP Previous segment not captured]', '[TCP Dup ACK 5#3]', '[TCP Fast Retransmission]', '[TCP Retransmission]',
    '[TCP Spurious Retransmission]', '[TCP Out-Of-Order]', '[TCP ZeroWindow]', '[TCP ZeroWindowProbe]', '[TCP ZeroWindowProbeAck]',
    '[TCP Window Update]', '[TCP Keep-Alive]', '[TCP Keep-Alive ACK]', '[TCP Port numbers reused]', '[FIN, ACK]', '[RST, ACK]',
    'SLE=129 SRE=193', 'WS=1024', 'fd00::1 → fd00::2',
  ]) assert.ok(text.includes(marker), `warm-up capture lacks ${marker}`);
  assert.ok(longest > 2 ** 31, `a stream spans ${longest} ns; the warm-up needs one past 2^31`);
  // And it runs (three rounds) without touching anything the caller has.
  warmUpRead();
});

test('a read prints the same bytes with and without the warm-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-warm-'));
  try {
    // Over 4 MiB so that the warm-up runs: copies of a fixture in one multi-section pcapng.
    const one = readFileSync(join(root, 'test', 'fixtures', 'pcap', 'present-lo-telnet-v4.pcapng'));
    const big = join(dir, 'big.pcapng');
    writeFileSync(big, Buffer.concat(Array.from({ length: Math.ceil((4.2 * 2 ** 20) / one.length) }, () => one)));
    const outs = ['0', '1'].map((w) => spawnSync(process.execPath, [bin, 'read', '-r', big, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.analysis.flags', '-e', 'tcp.time_relative'], {
      encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TCPLAB_READ_WARMUP: w },
    }));
    for (const r of outs) assert.equal(r.status, 0, r.stderr);
    assert.ok(outs[0]!.stdout.length > 100_000);
    assert.ok(outs[0]!.stdout === outs[1]!.stdout, 'outputs differ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
