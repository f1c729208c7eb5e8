/**
 * Issues 3 and 4, read speed against the anchors in the same run, rounds interleaved (this
 * machine is noisy: every round runs each command once, in turn, and medians are compared):
 *   - `tcplab read -r F > /dev/null` (one thread, and --threads 2) vs `tcpdump -nn -r F`;
 *   - `tcplab read -r F -Y tcp.analysis.flags -T fields -e frame.number` (one thread, --threads 2)
 *     vs tshark with the same arguments (fewer rounds: it is slow) and vs tcpdump.
 * Wall time, CPU (user+sys) and peak RSS from GNU time, stdout to /dev/null; outputs compared in
 * one more, untimed run of each (tcplab's two thread settings must print the same bytes, and
 * tshark the same frame numbers).
 *
 * Usage (after `npx tsc -p .`): node dist/bench/read-vs.bench.js F.pcap [rounds=5] [tshark-rounds=2]
 * F: a 300k-frame capture with loss and many connections: `bench/make-loss-capture.sh /tmp/loss300k.pcap`.
 * Not part of the tests: numbers depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tcplab = join(root, 'bin', 'tcplab');
const [file, roundsArg, tsharkArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node dist/bench/read-vs.bench.js F.pcap [rounds] [tshark-rounds]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const tsharkRounds = Number(tsharkArg ?? 2);

interface Run { wall: number; cpu: number; rssMb: number; sha: string }

const timeFile = join(mkdtempSync(join(tmpdir(), 'tcplab-vs-')), 'time');

/**
 * One timed run with stdout to /dev/null (as the issue states the target: `> /dev/null`; a pipe
 * slows tcpdump, whose 4-8 KiB stdio writes each wake the reader); `sha` is filled by shaOf.
 */
function once(cmd: string[]): Run {
  const devnull = openSync('/dev/null', 'w');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...cmd], { stdio: ['ignore', devnull, 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status}: ${r.stderr.toString().slice(-300)}`);
  } finally {
    closeSync(devnull);
  }
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const [e, u, s, m] = last.split(' ').map(Number);
  return { wall: e!, cpu: u! + s!, rssMb: m! / 1024, sha: '' };
}

/** sha1 of a command's output (an untimed run). */
function shaOf(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'buffer', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status}`);
  return createHash('sha1').update(r.stdout).digest('hex').slice(0, 12);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const flags = ['-r', file, '-Y', 'tcp.analysis.flags', '-T', 'fields', '-e', 'frame.number'];
const cmds: [string, string[], number][] = [
  ['tcplab read -r F', [process.execPath, tcplab, 'read', '-r', file], rounds],
  ['tcplab read -r F --threads 2', [process.execPath, tcplab, 'read', '-r', file, '--threads', '2'], rounds],
  ['tcpdump -nn -r F', ['tcpdump', '-nn', '-r', file], rounds],
  ['tcplab flags', [process.execPath, tcplab, 'read', ...flags], rounds],
  ['tcplab flags --threads 2', [process.execPath, tcplab, 'read', ...flags, '--threads', '2'], rounds],
  ['tshark flags', ['tshark', ...flags], tsharkRounds],
];
const runs = new Map<string, Run[]>(cmds.map(([n]) => [n, []]));
for (let i = 0; i < rounds; i++) {
  for (const [name, cmd, n] of cmds) if (i < n) runs.get(name)!.push(once(cmd));
}
for (const [name, cmd] of cmds) runs.get(name)![0]!.sha = shaOf(cmd);
process.stdout.write(`file ${file}; ${rounds} interleaved rounds (tshark ${tsharkRounds}); node ${process.version}\n`);
process.stdout.write('| command | median wall s | median CPU s | peak RSS MB | all wall s | output sha1 |\n|---|---:|---:|---:|---|---|\n');
const med = new Map<string, number>();
for (const [name] of cmds) {
  const rs = runs.get(name)!;
  const w = median(rs.map((r) => r.wall));
  med.set(name, w);
  process.stdout.write(`| ${name} | ${w.toFixed(2)} | ${median(rs.map((r) => r.cpu)).toFixed(2)} | ${Math.max(...rs.map((r) => r.rssMb)).toFixed(0)} | ${rs.map((r) => r.wall.toFixed(2)).join(' ')} | ${rs[0]!.sha} |\n`);
}
const r = (a: string, b: string): string => (med.get(a)! / med.get(b)!).toFixed(2);
process.stdout.write(`\nread: tcplab/tcpdump ${r('tcplab read -r F', 'tcpdump -nn -r F')}x (2 threads ${r('tcplab read -r F --threads 2', 'tcpdump -nn -r F')}x)\n`);
process.stdout.write(`flags: tshark/tcplab ${r('tshark flags', 'tcplab flags')}x faster (2 threads ${r('tshark flags', 'tcplab flags --threads 2')}x); tcplab/tcpdump ${r('tcplab flags', 'tcpdump -nn -r F')}x (2 threads ${r('tcplab flags --threads 2', 'tcpdump -nn -r F')}x)\n`);
const same = (a: string, b: string): boolean => runs.get(a)![0]!.sha === runs.get(b)![0]!.sha;
process.stdout.write(`same output: read 1 vs 2 threads ${same('tcplab read -r F', 'tcplab read -r F --threads 2') ? 'yes' : 'NO'}; flags 1 vs 2 threads ${same('tcplab flags', 'tcplab flags --threads 2') ? 'yes' : 'NO'}; flags tcplab vs tshark ${same('tcplab flags', 'tshark flags') ? 'yes' : 'NO'}\n`);
