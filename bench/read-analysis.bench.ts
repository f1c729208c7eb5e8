/**
 * `tcplab read -r F -Y tcp.analysis.flags -T fields -e frame.number` against tshark with the same
 * arguments and `tcpdump -nn -r F > /dev/null`, in the same run, on one capture (e.g. ~300k frames
 * with loss): wall time (best of N), frames/s and peak RSS of each (GNU time's %M), and whether
 * tcplab and tshark printed the same frame numbers. Also times `-q -z conv,tcp -z expert
 * -z io,stat,1` (tcplab and tshark) since the statistics see every frame.
 *
 * Usage (after `npx tsc -p .`): node dist/bench/read-analysis.bench.js BIG.pcap [runs=3] [tcplab-bin]
 * Make BIG.pcap in /tmp (never commit it), e.g. ten doublings of a loss capture:
 *   cp test/fixtures/pcap/analysis-lo-pingpong-loss20.pcap b0.pcap
 *   for i in $(seq 1 10); do editcap -t $((10*(1<<(i-1)))) b$((i-1)).pcap s.pcap;
 *     mergecap -a -F pcap -w b$i.pcap b$((i-1)).pcap s.pcap; done      # b10.pcap: 328k frames
 * Not part of the tests: numbers depend on the machine; tools missing are reported and skipped.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [file, runsArg, binArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node dist/bench/read-analysis.bench.js BIG.pcap [runs] [tcplab-bin]\n');
  process.exit(2);
}
const runs = Number(runsArg ?? 3);
const tcplab = binArg ?? join(root, 'bin', 'tcplab');

interface Result { ms: number; rssKb: number; out: string }

/** One run under /usr/bin/time -f %M; stdout to a hash (or /dev/null via sh). */
function once(cmd: string[], toNull: boolean): Result {
  const t0 = process.hrtime.bigint();
  const r = toNull
    ? spawnSync('/usr/bin/time', ['-f', '%M', 'sh', '-c', `"$@" > /dev/null`, 'sh', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync('/usr/bin/time', ['-f', '%M', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const lines = (r.stderr ?? '').trim().split('\n');
  const rssKb = Number(lines[lines.length - 1]);
  return { ms, rssKb, out: r.stdout ?? '' };
}

function bench(name: string, cmd: string[], toNull = false): Result {
  let best: Result | undefined;
  for (let i = 0; i < runs; i++) {
    const r = once(cmd, toNull);
    if (best === undefined || r.ms < best.ms) best = { ...r, rssKb: Math.max(r.rssKb, best?.rssKb ?? 0) };
  }
  const b = best!;
  const lines = b.out === '' ? 0 : b.out.split('\n').length - 1;
  process.stdout.write(`${name.padEnd(44)} ${b.ms.toFixed(0).padStart(7)} ms  peak RSS ${String(Math.round(b.rssKb / 1024)).padStart(5)} MiB  lines ${lines}  sha1 ${createHash('sha1').update(b.out).digest('hex').slice(0, 12)}\n`);
  return b;
}

const frames = Number(spawnSync('capinfos', ['-c', '-M', file], { encoding: 'utf8' }).stdout.match(/Number of packets:\s+(\d+)/)?.[1] ?? NaN);
process.stdout.write(`file ${file}: ${frames} frames; best of ${runs} runs each; node ${process.version}\n`);
const args = ['-r', file, '-Y', 'tcp.analysis.flags', '-T', 'fields', '-e', 'frame.number'];
const a = bench('tcplab read -Y tcp.analysis.flags -T fields', [process.execPath, tcplab, 'read', ...args]);
const t = bench('tshark -Y tcp.analysis.flags -T fields', ['tshark', ...args]);
bench('tcpdump -nn -r F > /dev/null', ['tcpdump', '-nn', '-r', file], true);
process.stdout.write(`same frame numbers: ${a.out === t.out ? 'yes' : 'NO'}; tcplab ${(frames / (a.ms / 1000)).toFixed(0)} frames/s, tshark ${(frames / (t.ms / 1000)).toFixed(0)} frames/s\n`);
const z = ['-r', file, '-q', '-z', 'conv,tcp', '-z', 'expert', '-z', 'io,stat,1'];
const az = bench('tcplab read -q -z conv,tcp -z expert -z io,stat,1', [process.execPath, tcplab, 'read', ...z]);
const tz = bench('tshark -q -z conv,tcp -z expert -z io,stat,1', ['tshark', ...z]);
process.stdout.write(`same statistics text: ${az.out === tz.out ? 'yes' : 'NO'}\n`);
