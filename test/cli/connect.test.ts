/**
 * `tcplab connect` as a user runs it: the built CLI spawned against scripted raw peers in this
 * process (so the spawn is asynchronous: the peers must keep running). Exit statuses: 0 echo
 * unchanged, 1 runtime failure, 2 bad flags — always one line on stderr, never a stack.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { startPeer, echo, corruptAt, resetOnData, type Peer } from '../client/peers.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'tcplab');

interface Result { status: number | null; stdout: string; stderr: string }

/** Runs the CLI; `stdin` undefined = stdin stays open (a user who typed nothing yet). */
function tcplab(args: string[], stdin?: string, timeoutMs = 20_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tcplab ${args.join(' ')} timed out; stderr: ${stderr}`)); }, timeoutMs);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    if (stdin !== undefined) child.stdin.end(stdin);
    child.on('exit', () => child.stdin.destroy());
  });
}

const peers: Peer[] = [];
after(async () => { await Promise.all(peers.map((p) => p.close())); });
async function peer(script: Parameters<typeof startPeer>[0]): Promise<Peer> {
  const p = await startPeer(script);
  peers.push(p);
  return p;
}

function oneLine(stderr: string): void {
  assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
  assert.doesNotMatch(stderr, /\bat .*\.js:\d+/, 'no stack trace');
}

test('--send --repeat 3: exit 0, one RTT per round, min/avg/max, and the ok line', async () => {
  const p = await peer(echo);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--send', 'hello', '--repeat', '3'], '');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^connected 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(handshake \d+\.\d{3} ms\)$/m);
  for (const n of [1, 2, 3]) assert.match(r.stdout, new RegExp(`^round ${n}: 5 bytes echoed, rtt \\d+\\.\\d{3} ms$`, 'm'));
  assert.match(r.stdout, /^rtt min\/avg\/max \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms over 3 rounds$/m);
  assert.match(r.stdout, /^ok: 15 bytes sent, all came back unchanged; closed with FIN$/m);
  assert.equal(Buffer.concat(p.conns[0]?.received ?? []).toString(), 'hellohellohello');
});

test('interactive with --crlf: stdin lines go out with CRLF, the echo is printed as is', async () => {
  const p = await peer(echo);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--crlf'], 'one\ntwo\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'one\r\ntwo\r\n');
  assert.equal(Buffer.concat(p.conns[0]?.received ?? []).toString(), 'one\r\ntwo\r\n');
  assert.match(r.stderr, /sent 10 bytes, received 10/);
});

test('interactive without --crlf: lines end with LF', async () => {
  const p = await peer(echo);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port)], 'ping\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ping\n');
});

test('interactive: a server that greets and closes ends the client at once, stdin still open', async () => {
  const p = await peer((s) => { s.end('220 bye now\r\n'); });
  const started = Date.now();
  const r = await tcplab(['connect', '127.0.0.1', String(p.port)], undefined, 10_000);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '220 bye now\r\n');
  assert.match(r.stderr, /\(peer closed\)/);
  assert.ok(Date.now() - started < 5000);
});

test('--file with --chunk: the file bytes come back unchanged', async () => {
  const p = await peer(echo);
  const file = fileURLToPath(import.meta.url);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--file', file, '--chunk', '500']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ok: \d+ bytes sent, all came back unchanged/m);
});

test('a peer that corrupts a byte: exit 1 and one line naming the offset and both bytes', async () => {
  const p = await peer(corruptAt(2));
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--send', 'hello']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'tcplab: echo mismatch at byte 2: sent 0x6c, got 0x93\n');
});

test('a peer that resets: exit 1, one line', async () => {
  const p = await peer(resetOnData);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--send', 'hello']);
  assert.equal(r.status, 1);
  oneLine(r.stderr);
  assert.match(r.stderr, /reset by peer/);
});

test('connection refused: exit 1, one line', async () => {
  const s = net.createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((res) => s.close(() => res()));
  const r = await tcplab(['connect', '127.0.0.1', String(port), '--send', 'x']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `tcplab: connection to 127.0.0.1:${port} refused\n`);
});

test('--reset: exit 0, says the echo was not awaited', async () => {
  const p = await peer(echo);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--send', 'bye', '--reset']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /aborted with RST after sending 3 bytes/);
});

test('--json prints the transcript', async () => {
  const p = await peer(echo);
  const r = await tcplab(['connect', '127.0.0.1', String(p.port), '--send', 'js', '--json', '--nodelay']);
  assert.equal(r.status, 0, r.stderr);
  const t = JSON.parse(r.stdout) as { ok: boolean; bytesSent: number; settings: { noDelay: boolean }; rounds: { rttNs: number }[] };
  assert.equal(t.ok, true);
  assert.equal(t.bytesSent, 2);
  assert.equal(t.settings.noDelay, true);
  assert.ok((t.rounds[0]?.rttNs ?? 0) > 0);
});

const BAD: { args: string[]; err: RegExp }[] = [
  { args: ['127.0.0.1', 'abc', '--send', 'x'], err: /port must be an integer/ },
  { args: ['127.0.0.1', '70000', '--send', 'x'], err: /port must be an integer/ },
  { args: ['127.0.0.1', '--send', 'x', '--chunk', '0'], err: /--chunk must be an integer/ },
  { args: ['127.0.0.1', '--send', 'x', '--linger', '5'], err: /only 0 is supported/ },
  { args: ['127.0.0.1', '--send', 'x', '--file', '/etc/hostname'], err: /exclusive/ },
  { args: ['127.0.0.1', '--repeat', '2'], err: /--repeat needs --send or --file/ },
  { args: ['127.0.0.1', '--send', 'x', '--delay', '5'], err: /--delay needs --chunk/ },
  { args: ['127.0.0.1', '--send', 'x', '--reset', '--half-close'], err: /conflict/ },
  { args: ['127.0.0.1', '--file', '/no/such/file'], err: /cannot read it \(ENOENT\)/ },
  { args: ['127.0.0.1', '--send', ''], err: /payload is empty/ },
  { args: ['127.0.0.1', '--file', '/tmp'], err: /not a regular file/ },
  { args: ['127.0.0.1', '--send', 'x', '--read-rate', '-1'], err: /unknown option|read-rate/ },
  { args: [], err: /missing required argument 'host'/ },
];

for (const row of BAD) {
  test(`bad flags exit 2 with one message: connect ${row.args.join(' ')}`, async () => {
    const r = await tcplab(['connect', ...row.args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, row.err);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
  });
}

test('--help explains each steering flag, and what cannot be done (linger timeout)', async () => {
  const r = await tcplab(['connect', '--help'], '');
  assert.equal(r.status, 0, r.stderr);
  for (const flag of ['--chunk', '--delay', '--nodelay', '--half-close', '--reset', '--rcvbuf', '--read-rate', '--keepalive', '--local-port', '--linger', '--crlf', '--send', '--file', '--repeat']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /Node cannot set struct-valued options/);
  assert.match(r.stdout, /TIME_WAIT/);
});
