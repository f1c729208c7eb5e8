/**
 * `tcplab capture` on the loopback while a real client talks to a real server (root; tcpdump).
 * Frames must print as they happen, -c must stop the capture, and -w -P must write the same
 * frames it prints (re-read with `tcplab read`).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type AddressInfo } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const dir = mkdtempSync(join(tmpdir(), 'tcplab-capture-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const canCapture = spawnSync('tcpdump', ['--version']).status === 0 && process.getuid?.() === 0;

async function echoServer(): Promise<number> {
  const srv = createServer((c) => c.on('data', (d) => c.write(d)).on('error', () => undefined));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return (srv.address() as AddressInfo).port;
}

async function talk(port: number): Promise<void> {
  const s = connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => s.once('connect', () => r()).once('error', j));
  s.write('hello tcplab\n');
  await new Promise<void>((r) => s.once('data', () => r()));
  s.end();
  await new Promise<void>((r) => s.once('close', () => r()));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, j) => setTimeout(() => j(new Error(`timeout: ${what}`)), ms).unref())]);
}

test('capture -i lo -f "tcp port N" -c 5 prints the handshake and data as they happen', { skip: !canCapture && 'needs root and tcpdump' }, async () => {
  const port = await echoServer();
  const pcap = join(dir, 'live.pcapng');
  const child = spawn(process.execPath, [bin, 'capture', '-i', 'lo', '-f', `tcp port ${port}`, '-c', '5', '-w', pcap, '-P'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const started = new Promise<void>((r) => child.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('Capturing on')) r(); }));
  await withTimeout(started, 15_000, 'capture start');
  const firstLine = new Promise<void>((r) => child.stdout.on('data', () => r()));
  await talk(port);
  await withTimeout(firstLine, 10_000, 'first printed frame');
  const code = await withTimeout(new Promise<number | null>((r) => child.on('close', (c) => r(c))), 15_000, 'capture end');
  assert.equal(code, 0, err);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 5, out);
  assert.match(lines[0]!, new RegExp(`^    1 +0\\.0{6,9} +127\\.0\\.0\\.1 → 127\\.0\\.0\\.1    TCP 74 \\d+ → ${port} \\[SYN\\] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=\\d+ TSecr=0 WS=\\d+$`));
  assert.match(lines[1]!, new RegExp(`TCP 74 ${port} → \\d+ \\[SYN, ACK\\] Seq=0 Ack=1 `));
  assert.match(lines[3]!, /\[PSH, ACK\] Seq=1 Ack=1 Win=\d+ Len=13 /);
  assert.match(err, /5 packets captured/);
  // The file holds exactly what was printed.
  const reread = spawnSync(process.execPath, [bin, 'read', '-r', pcap], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(reread.stdout, out);
});

test('capture with a bad BPF: one line, exit 2', { skip: !canCapture && 'needs root and tcpdump' }, () => {
  const r = spawnSync(process.execPath, [bin, 'capture', '-i', 'lo', '-f', 'tcp port nonsense', '-c', '1'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
});

test('capture on a missing interface: one line, exit 1', { skip: !canCapture && 'needs root and tcpdump' }, () => {
  const r = spawnSync(process.execPath, [bin, 'capture', '-i', 'nosuchif0', '-c', '1'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
});

test('capture without -i is a usage error (exit 2)', () => {
  const r = spawnSync(process.execPath, [bin, 'capture', '-c', '1'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
});
