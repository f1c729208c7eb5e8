/**
 * End to end: `tcplab connect` against `tcplab serve` (both the built CLI, on 127.0.0.1 with a port
 * the server picks). The client's verdict and the server's own log must tell the same story:
 * bytes in/out and how each connection closed (FIN, or RST for --linger 0).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTcpdump, readSegments, fromPort, describeSegments, tcpdumpUsable } from '../support/tcpdump.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'tcplab');

interface Result { status: number | null; stdout: string; stderr: string }
function tcplab(args: string[], stdin = '', timeoutMs = 20_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out: ${stderr}`)); }, timeoutMs);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.stdin.end(stdin);
  });
}

let server: ChildProcess | undefined;
let serverLog = '';
let port = 0;

before(async () => {
  server = spawn(process.execPath, [bin, 'serve', '-p', '0', '--host', '127.0.0.1', '--workers', '1', '--grace', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => { serverLog += d.toString(); });
  server.stderr?.on('data', (d: Buffer) => { serverLog += d.toString(); });
  for (let i = 0; i < 100 && port === 0; i++) {
    const m = /Listening to connections on port (\d+)/.exec(serverLog);
    if (m) port = Number(m[1]);
    else await sleep(50);
  }
  assert.ok(port > 0, `tcplab serve did not start: ${serverLog}`);
});

after(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server?.once('exit', r));
  server.kill('SIGTERM');
  const t = setTimeout(() => server?.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
});

/** Waits (bounded) for the server's "Closed connection from 127.0.0.1:LP …" line. */
async function closedLine(localPort: number): Promise<string> {
  const re = new RegExp(`Closed connection from 127\\.0\\.0\\.1:${localPort} .*`);
  for (let i = 0; i < 100; i++) {
    const m = re.exec(serverLog);
    if (m) return m[0];
    await sleep(50);
  }
  assert.fail(`no close logged for port ${localPort}:\n${serverLog}`);
}

const localPortOf = (stdout: string): number => Number(/^connected 127\.0\.0\.1:(\d+) ->/m.exec(stdout)?.[1] ?? NaN);

test('--send --repeat 3 against tcplab serve: exit 0, RTTs, and the server logs 15 bytes each way, FIN', async () => {
  const r = await tcplab(['connect', '127.0.0.1', String(port), '--send', 'hello', '--repeat', '3']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^round 3: 5 bytes echoed, rtt \d+\.\d{3} ms$/m);
  assert.match(await closedLine(localPortOf(r.stdout)), /\(FIN\): 15 bytes in, 15 bytes out/);
});

test('--half-close against tcplab serve: the echo still arrives after our FIN', async () => {
  const r = await tcplab(['connect', '127.0.0.1', String(port), '--send', 'half', '--half-close']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(await closedLine(localPortOf(r.stdout)), /\(FIN\): 4 bytes in, 4 bytes out/);
});

test('--linger 0 against tcplab serve: the server logs the close as RST', async () => {
  const r = await tcplab(['connect', '127.0.0.1', String(port), '--send', 'bye', '--linger', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /closed with RST/);
  assert.match(await closedLine(localPortOf(r.stdout)), /\(RST\b/);
});

test('interactive --crlf against tcplab serve', async () => {
  const r = await tcplab(['connect', '127.0.0.1', String(port), '--crlf'], 'HELO lab\nQUIT\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'HELO lab\r\nQUIT\r\n');
});

test('--rcvbuf 4096 --read-rate 32768 against tcplab serve: our zero window on the wire, echo intact', { skip: tcpdumpUsable() ? false : 'tcpdump cannot capture here' }, async () => {
  const cap = await startTcpdump(`tcp port ${port}`);
  try {
    const r = await tcplab(['connect', '127.0.0.1', String(port), '--send', 'z'.repeat(32768), '--rcvbuf', '4096', '--read-rate', '32768', '--chunk', '4096']);
    await cap.stop();
    assert.equal(r.status, 0, r.stderr);
    const lp = localPortOf(r.stdout);
    const client = fromPort(readSegments(cap.file), lp);
    assert.ok(client.some((s) => s.win === 0), describeSegments(client));
    assert.match(await closedLine(lp), /32768 bytes in, 32768 bytes out/);
  } finally {
    await cap.stop();
    cap.cleanup();
  }
});
