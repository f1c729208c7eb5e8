/**
 * Every lab scenario end to end, as a user runs it: `tcplab lab NAME -w FILE` in a private
 * namespace (root, as in CI). Each must exit 0 (its capture shows its point: the analysis finds
 * the scenario's expected fields), print its frames and ground truth, leave no namespace or
 * nftables table behind, and save a pcapng whose comments carry the explanations.
 * Where tshark is installed, its own analysis of the saved capture must agree on the point.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, seededPicks, findScenario, withSeed } from '../../src/lab/scenarios.js';
import { readAllRecords } from '../../src/wire/open.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'tcplab');
const isRoot = process.getuid?.() === 0;
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'tcplab-labtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('tcplab lab without a scenario lists them all, one line each', () => {
  const r = spawnSync(process.execPath, [bin, 'lab'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, SCENARIOS.length);
  for (const s of ['handshake', 'echo', 'retransmission', 'fast-retransmission', 'spurious', 'zero-window', 'keepalive', 'reset', 'half-close', 'port-reuse', 'capture-gaps']) {
    assert.ok(lines.some((l) => l.startsWith(s + ' ')), `${s} listed`);
  }
});

test('an unknown scenario is a usage error', () => {
  const r = spawnSync(process.execPath, [bin, 'lab', 'no-such'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no scenario "no-such"/);
});

for (const sc of SCENARIOS) {
  test(`lab ${sc.name}: the capture shows ${sc.expectFields.join(', ')}`, { skip: isRoot ? false : 'needs root', timeout: 120_000 }, () => {
    const file = join(dir, `${sc.name}.pcapng`);
    // Its own TMPDIR: the run's working files must be gone when it ends.
    const tmp = mkdtempSync(join(dir, `tmp-${sc.name}-`));
    const r = spawnSync(process.execPath, [bin, 'lab', sc.name, '-q', '-w', file], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, TMPDIR: tmp } });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stderr}\n${r.stdout.slice(-3000)}`);
    assert.deepEqual(readdirSync(tmp), [], 'no working files left in the temp dir');
    assert.doesNotMatch(r.stdout, /^!!/m);
    assert.match(r.stdout, /^== tcplab lab /);
    assert.match(r.stdout, /-- Ground truth/);
    assert.match(r.stdout, /^\s+1\s+0\.0+\s+\S+ → \S+\s+TCP \d+ \d+ → 6666 \[SYN\]/m, 'frames printed as tshark does');
    const records = readAllRecords(readFileSync(file));
    assert.ok(records.length >= 3, 'saved capture has the frames');
    if (sc.faults.length > 0) {
      assert.match(r.stdout, /dropped: port \d+ seq \d+ len \d+/, 'NFLOG ground truth matched');
      assert.ok(records.some((x) => x.comments.some((c) => /dropped by the lab/.test(c))), 'drop marked in a packet comment');
    }
    if (hasTshark) {
      for (const field of sc.expectFields) {
        const out = execFileSync('tshark', ['-r', file, '-Y', field, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        assert.ok(out.trim().length > 0, `tshark also finds ${field}`);
      }
    }
    assert.doesNotMatch(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), /tcplab/);
  });
}

test('seeded choices: the same seed picks the same segments, another seed others', () => {
  assert.deepEqual(seededPicks(7, 4, 5, 200), seededPicks(7, 4, 5, 200));
  assert.notDeepEqual(seededPicks(7, 4, 5, 200), seededPicks(8, 4, 5, 200));
  const picks = seededPicks(3, 4, 5, 200);
  assert.equal(new Set(picks).size, 4);
  assert.ok(picks.every((p) => p >= 5 && p <= 200));
  const sc = withSeed(findScenario('random-loss')!, 3);
  assert.deepEqual(sc.faults[0]?.nth, picks);
});

test('lab on two hosts (veth): retransmission across 10.66.0.1 ↔ 10.66.0.2', { skip: isRoot ? false : 'needs root', timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, [bin, 'lab', 'retransmission', '--topology', 'veth', '-q'], { encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /10\.66\.0\.1 → 10\.66\.0\.2\s+TCP \d+ \d+ → 6666 \[SYN\]/);
  assert.match(r.stdout, /\[TCP Retransmission\] 6666 → /);
});

test('a killed `tcplab lab` leaves no process, namespace or nftables table behind', { skip: isRoot ? false : 'needs root', timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  // SIGKILL leaves the run's working files (no handler runs): keep them in this test's dir.
  const child = spawn(process.execPath, [bin, 'lab', 'retransmission'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: mkdtempSync(join(dir, 'tmp-killed-')) } });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`lab never started: ${err}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/client 1|starting tcplab serve/.test(err)) { clearTimeout(t); resolve(); }
    });
  });
  child.kill('SIGKILL');
  const leftovers = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n')
    .filter((l) => /tcplab-lab-retransmission-|serve --host 127\.0\.0\.1 --port 6666 --log-format json|nflog:5/.test(l));
  const deadline = Date.now() + 5000;
  while (leftovers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(leftovers(), []);
  assert.doesNotMatch(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), /tcplab/);
  assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), /tcplab/);
});

test('Ctrl-C during `tcplab lab`: exit 130, one line, and nothing left behind (processes, namespaces, working files)', { skip: isRoot ? false : 'needs root', timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const tmp = mkdtempSync(join(dir, 'tmp-int-'));
  const child = spawn(process.execPath, [bin, 'lab', 'retransmission'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`lab never started: ${err}`)), 30_000);
    const check = (): void => { if (/starting tcplab serve/.test(err)) { clearTimeout(t); child.stderr.off('data', check); resolve(); } };
    child.stderr.on('data', check);
  });
  const [code] = await Promise.all([new Promise<number | null>((r) => child.once('exit', (c) => r(c))), Promise.resolve(child.kill('SIGINT'))]);
  assert.equal(code, 130);
  assert.match(err, /^tcplab lab: interrupted; lab network removed$/m);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  assert.deepEqual(readdirSync(tmp), [], 'working files removed');
  const leftovers = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n')
    .filter((l) => /serve --host 127\.0\.0\.1 --port 6666 --log-format json|nflog:5/.test(l));
  const deadline = Date.now() + 5000;
  while (leftovers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(leftovers(), []);
  assert.doesNotMatch(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), /tcplab/);
});
