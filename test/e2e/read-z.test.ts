/**
 * `tcplab read -z …`, `--explain`, `--explain-filter` end to end (bin/tcplab spawned on committed
 * fixtures). The -z goldens in test/golden/stats/ were made once with tshark 4.0.17 (commands in
 * test/golden/stats/README.md) and are compared byte for byte; tshark is not needed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const fx = (n: string): string => join(root, 'test', 'fixtures', 'pcap', n);
const golden = (n: string): string => readFileSync(join(root, 'test', 'golden', 'stats', n), 'utf8');

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// tshark -r F -q -z conv,tcp -z expert -z follow,tcp,ascii,0 -z follow,tcp,hex,0
//   -z follow,tcp,raw,0 -z io,stat,1 -z io,stat,0.5,tcp.analysis.retransmission,,tcp.len==0
const Z = ['-z', 'conv,tcp', '-z', 'expert', '-z', 'follow,tcp,ascii,0', '-z', 'follow,tcp,hex,0', '-z', 'follow,tcp,raw,0', '-z', 'io,stat,1', '-z', 'io,stat,0.5,tcp.analysis.retransmission,,tcp.len==0'];

for (const name of ['analysis-lo-pingpong-loss', 'analysis-lo-bulk-loss', 'analysis-lo-zerowindow', 'analysis-lo-telnet-v6']) {
  test(`-q with seven -z statistics equals tshark 4.0 byte for byte: ${name}`, () => {
    const r = run(['read', '-r', fx(`${name}.pcap`), '-q', ...Z]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    assert.equal(r.out, golden(`${name}.z.txt`));
  });
}

test('-z io,stat,0: one interval over the whole capture (tshark layout)', () => {
  const r = run(['read', '-r', fx('analysis-lo-pingpong-loss.pcap'), '-q', '-z', 'io,stat,0']);
  assert.equal(r.out, golden('analysis-lo-pingpong-loss.io0.txt'));
});

test('-z io,stat with a long filter wraps it at a space, as tshark does', () => {
  const f = 'tcp.analysis.retransmission or tcp.analysis.fast_retransmission or tcp.analysis.duplicate_ack or tcp.analysis.lost_segment or tcp.analysis.window_full or tcp.analysis.zero_window';
  const r = run(['read', '-r', fx('analysis-lo-bulk-loss.pcap'), '-q', '-z', `io,stat,1.0,${f}`]);
  assert.equal(r.out, golden('analysis-lo-bulk-loss.io-wrap.txt'));
});

test('-Y does not narrow the statistics: tshark\'s taps see every frame read', () => {
  const base = ['read', '-r', fx('analysis-lo-pingpong-loss.pcap'), '-q', '-z', 'conv,tcp', '-z', 'io,stat,1'];
  const all = run(base);
  const filtered = run([...base, '-Y', 'tcp.len>0']);
  assert.equal(filtered.out, all.out);
  assert.match(all.out, /\|  0 <> 1  \|    105 \|  9737 \|/);
});

test('without -q the statistics follow the packet lines', () => {
  const r = run(['read', '-r', fx('analysis-lo-pingpong-loss.pcap'), '-z', 'conv,tcp']);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^ {4}1 {3}0\.000000 /);
  assert.match(lines[294]!, /^ {2}295 /);
  assert.equal(lines[295], '='.repeat(80));
  assert.match(r.out, /127\.0\.0\.1:42644 {12}<-> 127\.0\.0\.1:6666 {17}146 13 kB {9}149 13 kB {9}295 27 kB/);
});

test('bad -z arguments are usage errors (exit 2, one line)', () => {
  for (const z of ['conv,udp', 'follow,tcp,ebcdic,0', 'follow,tcp,ascii,x', 'io,stat,abc', 'io,stat,1,', 'io,stat,1,tcp.flgs==1']) {
    const r = run(['read', '-r', fx('analysis-lo-pingpong-loss.pcap'), '-q', '-z', z]);
    assert.equal(r.code, 2, z);
    assert.equal(r.out, '', z);
    assert.match(r.err, /^tcplab: /, z);
    assert.doesNotMatch(r.err, /\n\s+at /, z);
  }
});

test('--explain: reasons with the numbers under each flagged frame, the likely cause, a stream summary', () => {
  const r = run(['read', '-r', fx('analysis-lo-pingpong-loss.pcap'), '--explain']);
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  const i = lines.findIndex((l) => /^ {3}38 .*\[TCP Retransmission\]/.test(l));
  assert.ok(i > 0);
  // Frame 37 sent Seq 436..465; 38 resends it 206 ms later; the peer had acked only 436.
  assert.match(lines[i + 1]!, /^ {8}\[TCP Retransmission\] Seq 436–465 \(29 bytes\) starts before 465, the next sequence number this side had already sent \(frame 37\); the peer had acknowledged only up to 436/);
  assert.match(lines[i + 1]!, /RTO 206\.071 ms, counted from frame 37/);
  assert.match(lines[i + 2]!, /^ {8}likely cause: segment lost/);
  const d = lines.findIndex((l) => /^ {3}40 .*\[TCP Dup ACK 39#1\]/.test(l));
  assert.match(lines[d + 1]!, /^ {8}\[TCP Dup ACK 39#1\] .*number 1 of the ACKs repeating frame 39/);
  // Unflagged frames get no explanation.
  assert.match(lines[d - 1]!, /^ {3}39 /);
  assert.match(r.out, /\nStream 0: frames 1–295, 3\.147008 s; handshake RTT 33 µs\n/);
  assert.match(r.out, /\n {2}B \(port 6666\): MSS 65495, window scale 10 \(×1024\); 3\/144 data segments retransmitted \(2\.1 %\); zero window never\n/);
  assert.match(r.out, /\n {2}closed: still open at capture end\n$/);
});

test('--explain=all: the arithmetic of every TCP frame', () => {
  const r = run(['read', '-r', fx('analysis-lo-pingpong-loss.pcap'), '-c', '6', '--explain=all']);
  assert.equal(r.code, 0);
  const out = r.out;
  assert.match(out, /\n {8}= next seq = seq \+ len \+ 1 \(SYN\) = 0 \+ 0 \+ 1 = 1\n/);
  assert.match(out, /\n {8}= window = 64 << 10 = 64 × 1024 = 65536 bytes\n/);
  assert.match(out, /\n {8}= TSecr 2131938445 echoes the peer's TSval \(frame 1\)\n/);
  assert.match(out, /\n {8}= bytes in flight = nxtseq − the peer's last ack = 30 − 1 = 29\n/);
  assert.match(out, /\n {8}= ack = 30: equals the peer's next seq 30/);
});

test('--explain on the zero-window capture names the full receiver buffer and times it', () => {
  const r = run(['read', '-r', fx('analysis-lo-zerowindow.pcap'), '--explain']);
  assert.equal(r.code, 0);
  assert.match(r.out, /\[TCP ZeroWindow\] window field 0: the receiver has no buffer space/);
  assert.match(r.out, /likely cause: receiver buffer full/);
  assert.match(r.out, /zero window \d+\.\d+ (ms|s)\n/);
});

test('--explain-filter prints the parsed filter and exits 0; a broken one exits 2 with a caret', () => {
  const ok = run(['read', '--explain-filter', 'tcp.port == 6666 && tcp.analysis.flags']);
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^Filter: tcp\.port == 6666 && tcp\.analysis\.flags\n\nSyntax tree:\n 0 TEST_AND:\n/);
  assert.match(ok.out, /FIELD\(tcp\.port <FT_UINT16>\)/);
  const bad = run(['read', '--explain-filter', 'tcp.flgs == 1']);
  assert.equal(bad.code, 2);
  assert.equal(bad.out, '');
  assert.match(bad.err, /^tcplab: .*tcp\.flgs.*\n {4}tcp\.flgs == 1\n {4}\^~+\n$/);
});
