/**
 * LabNet and nftables faults on real namespaces (needs root, as CI has; skipped with a reason
 * otherwise). Traffic is real: a Node echo pair inside the namespace, captured with tcpdump.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabNet, deathGuard } from '../../src/lab/netns.js';
import { nftScript, parseCounters, FAULT_TABLE } from '../../src/lab/faults.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (network namespaces)';
const dir = mkdtempSync(join(tmpdir(), 'tcplab-lab-'));
const nets: LabNet[] = [];
after(async () => {
  for (const n of nets) await n.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A tiny echo server: prints "ready" once listening. */
const SERVER = `
const net = require('node:net');
net.createServer((s) => s.pipe(s)).listen(+process.argv[2], process.argv[1], () => console.log('ready'));`;
/** Sends N 100-byte messages one at a time, waits for each echo; prints "done N". */
const CLIENT = `
const net = require('node:net');
const [host, port, n] = [process.argv[1], +process.argv[2], +process.argv[3]];
const s = net.connect(port, host, async () => {
  s.setNoDelay(true);
  for (let i = 0; i < n; i++) {
    const msg = Buffer.alloc(100, 65 + i);
    await new Promise((r) => { let got = 0; const on = (d) => { got += d.length; if (got >= 100) { s.off('data', on); r(); } }; s.on('data', on); s.write(msg); });
  }
  console.log('done ' + n); s.end();
});`;

async function waitLine(child: ReturnType<typeof spawn>, re: RegExp, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${re}: ${buf}`)), ms);
    const on = (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) { clearTimeout(t); resolve(m[0]); }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
  });
}

test('loopback lab: MTU 1500, a targeted drop is retransmitted, counted and logged', { skip, timeout: 60_000 }, async () => {
  const net = await LabNet.create({ topology: 'loopback' });
  nets.push(net);
  const link = await net.run('client', 'ip', ['-o', 'link', 'show', 'lo']);
  assert.match(link, /mtu 1500/);
  const features = await net.run('client', 'ethtool', ['-k', 'lo']);
  assert.match(features, /tcp-segmentation-offload: off/);

  await net.run('client', 'nft', ['-f', '-'], nftScript([
    { from: 'server', port: 7777, kind: 'data', nth: [3], where: 'network' },
  ], 7));
  const pcap = join(dir, 'drop.pcap');
  const dump = net.spawn('client', 'tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-n', '-w', pcap, 'tcp port 7777']);
  await waitLine(dump.child, /listening on/);
  const srv = net.spawn('server', process.execPath, ['-e', SERVER, '127.0.0.1', '7777']);
  await waitLine(srv.child, /ready/);
  const cli = net.spawn('client', process.execPath, ['-e', CLIENT, '127.0.0.1', '7777', '5']);
  await waitLine(cli.child, /done 5/, 20_000);
  assert.equal(await cli.exited, 0);

  const counters = parseCounters(await net.run('client', 'nft', ['-j', 'list', 'counters', 'table', 'inet', FAULT_TABLE]));
  assert.equal(counters.get(0), 1, 'exactly one segment dropped');
  await new Promise((r) => setTimeout(r, 300));
  dump.child.kill('SIGINT');
  await dump.exited;
  // Server data segments (sport 7777, length 100): 5 echoes, the 3rd sent twice (the drop happens
  // after the capture point, so both copies are in the capture).
  const text = execFileSync('tcpdump', ['-r', pcap, '-n', '-S', 'src port 7777 and greater 100'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const seqs = [...text.matchAll(/seq (\d+):(\d+)/g)].map((m) => m[1]);
  assert.equal(seqs.length, 6, text);
  assert.equal(new Set(seqs).size, 5, 'one sequence range appears twice: the retransmission');
  assert.equal(seqs[2], seqs[3], 'the 3rd data segment is the one sent again');
});

test('veth lab: two hosts, 10.66.0.1 → 10.66.0.2 over a 1500-byte link', { skip, timeout: 60_000 }, async () => {
  const net = await LabNet.create({ topology: 'veth' });
  nets.push(net);
  assert.equal(net.address('server').ipv4, '10.66.0.2');
  assert.notEqual(net.nsPid('client'), net.nsPid('server'));
  const link = await net.run('server', 'ip', ['-o', 'link', 'show', 'veth-server']);
  assert.match(link, /mtu 1500/);
  const srv = net.spawn('server', process.execPath, ['-e', SERVER, '10.66.0.2', '7000']);
  await waitLine(srv.child, /ready/);
  const cli = net.spawn('client', process.execPath, ['-e', CLIENT, '10.66.0.2', '7000', '3']);
  await waitLine(cli.child, /done 3/);
  // The veth pair lives in the lab's namespaces, not in the host's.
  assert.throws(() => execFileSync('ip', ['-o', 'link', 'show', 'veth-server'], { stdio: 'ignore' }));
  assert.equal(await cli.exited, 0);
});

test('a killed lab leaves no process, namespace or nftables table behind', { skip, timeout: 30_000 }, async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const mod = join(here, '..', '..', 'src', 'lab', 'netns.js');
  const script = `
    const { LabNet } = await import(${JSON.stringify(mod)});
    const net = await LabNet.create({ topology: 'veth' });
    await net.run('client', 'nft', ['add', 'table', 'inet', 'tcplab_faults']);
    const p = net.spawn('server', 'sleep', ['300']);
    console.log('pids ' + net.nsPid('client') + ' ' + net.nsPid('server') + ' ' + p.child.pid);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await waitLine(child, /pids \d+ \d+ \d+/);
  const pids = line.split(' ').slice(1).map(Number);
  for (const p of pids) assert.ok(existsSync(`/proc/${p}`), `pid ${p} alive while the lab runs`);
  child.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  while (pids.some((p) => existsSync(`/proc/${p}`) && !/^State:\s+Z/m.test(readFileSafe(`/proc/${p}/status`))) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const p of pids) assert.ok(!existsSync(`/proc/${p}`) || /^State:\s+Z/m.test(readFileSafe(`/proc/${p}/status`)), `pid ${p} gone`);
  const tables = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
  assert.doesNotMatch(tables, /tcplab/);
  const named = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  assert.doesNotMatch(named, /tcplab/);
});

test('deathGuard: a process whose parent is already gone does not run (the window before the parent-death signal is armed)', () => {
  const marker = join(dir, 'guard-ran');
  // Parent as expected: runs the command with its arguments untouched by the shell.
  const ok = deathGuard('sh', ['-c', 'printf %s "$1" > "$2"', 'x', '$(echo no) ; *', marker]);
  const r1 = spawnSync(ok[0]!, ok.slice(1));
  assert.equal(r1.status, 0, String(r1.stderr));
  assert.equal(readFileSync(marker, 'utf8'), '$(echo no) ; *');
  // A parent pid that is not ours (as after tcplab died and the child was re-parented): exit 111, nothing run.
  const gone = deathGuard('touch', [marker + '-2'], 1);
  const r2 = spawnSync(gone[0]!, gone.slice(1));
  assert.equal(r2.status, 111);
  assert.equal(existsSync(marker + '-2'), false);
});

function readFileSafe(p: string): string {
  try { return readFileSync(p, 'utf8'); } catch { return ''; }
}

test('nftScript: deterministic and random selectors, refusing nonsense', () => {
  const s = nftScript([{ from: 'client', port: 80, kind: 'pure-ack', probability: 0.25, where: 'before-capture' }], 3);
  assert.match(s, /chain output \{[^}]*tcp dport 80 jump classify_0/);
  assert.match(s, /numgen random mod 10000 < 2500 counter name drop_0 log prefix "tcplab-drop-0 " group 3 queue-threshold 1 drop/);
  assert.match(s, /tcp doff 8 ip length == 52 tcp flags & \(syn \| fin \| rst\) == 0 goto count_0/);
  const d = nftScript([{ from: 'server', port: 80, kind: 'data', nth: [5, 2, 2], where: 'network' }], 3);
  assert.match(d, /numgen inc mod 1000000000 \{ 1, 4 \}/);
  assert.throws(() => nftScript([{ from: 'server', port: 80, kind: 'any', where: 'network' }], 1), RangeError);
  assert.throws(() => nftScript([{ from: 'server', port: 80, kind: 'any', nth: [0], where: 'network' }], 1), RangeError);
});
