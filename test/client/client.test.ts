/**
 * runClient() against scripted raw peers: the echo verdict, round-trip times, the transcript, and
 * one failure per kind of dead or hostile peer (each asserted by its ERR_CLIENT_* code).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { runClient, validateClientOptions, ClientError, type ClientOptions } from '../../src/client/index.js';
import { startPeer, echo, corruptAt, resetOnData, halfCloseEarly, neverRead, type Peer } from './peers.js';

const peers: Peer[] = [];
after(async () => { await Promise.all(peers.map((p) => p.close())); });
async function peer(script: Parameters<typeof startPeer>[0], opts: net.ServerOpts = {}): Promise<Peer> {
  const p = await startPeer(script, opts);
  peers.push(p);
  return p;
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClientError, `a ClientError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test('send mode: 3 rounds echoed unchanged, one RTT per round, a transcript of the exchange', async () => {
  const p = await peer(echo);
  const t = await runClient({ host: '127.0.0.1', port: p.port, payload: Buffer.from('hello'), repeat: 3 });
  assert.equal(t.ok, true);
  assert.equal(t.mode, 'send');
  assert.equal(t.bytesSent, 15);
  assert.equal(t.bytesReceived, 15);
  assert.deepEqual(t.rounds.map((r) => [r.round, r.sentBytes, r.echoedBytes]), [[1, 5, 5], [2, 5, 5], [3, 5, 5]]);
  for (const r of t.rounds) assert.ok(r.rttNs !== undefined && r.rttNs > 0 && r.rttNs < 5e9);
  assert.equal(t.closedWith, 'fin');
  assert.equal(t.peerClosed, true);
  assert.equal(t.remote.port, p.port);
  assert.equal(p.conns[0]?.remotePort, t.local.port);
  assert.equal(Buffer.concat(p.conns[0]?.received ?? []).toString(), 'hellohellohello');
  const kinds = t.events.map((e) => e.kind);
  assert.equal(kinds[0], 'connect');
  assert.deepEqual(kinds.filter((k) => k === 'write').length, 3);
  assert.ok(kinds.includes('fin-sent') && kinds.includes('fin-received'));
  for (let i = 1; i < t.events.length; i++) assert.ok((t.events[i]?.tNs ?? 0) >= (t.events[i - 1]?.tNs ?? 0), 'events in time order');
});

test('interactive mode: input items are sent, onData gets the echo, ok without judging', async () => {
  const p = await peer(echo);
  const got: Buffer[] = [];
  async function* lines() { yield Buffer.from('one\r\n'); yield Buffer.from('two\r\n'); }
  const t = await runClient({ host: '127.0.0.1', port: p.port, input: lines(), onData: (b) => { got.push(Buffer.from(b)); } });
  assert.equal(t.mode, 'interactive');
  assert.equal(Buffer.concat(got).toString(), 'one\r\ntwo\r\n');
  assert.equal(t.bytesReceived, 10);
});

test('a slow consumer: onData returning a promise stops reading until it settles (bounded memory)', async () => {
  const total = 1 << 20;
  const p = await peer((s) => { s.end(Buffer.alloc(total, 0x5a)); });
  let got = 0;
  let gotAt300ms = -1;
  setTimeout(() => { gotAt300ms = got; }, 300);
  async function* idle(): AsyncGenerator<Uint8Array> { await new Promise(() => undefined); }
  const t = await runClient({
    host: '127.0.0.1', port: p.port, input: idle(),
    onData: (b) => { got += b.length; return new Promise((r) => setTimeout(r, 50)); },
  });
  assert.equal(t.bytesReceived, total);
  assert.equal(got, total);
  // Reads are at most 64 KiB, one per 50 ms: by 300 ms at most ~7 of them, not the whole MiB.
  assert.ok(gotAt300ms >= 0 && gotAt300ms <= 8 * 65536, `received ${gotAt300ms} bytes by 300 ms`);
});

test('a peer that flips byte 3 of the echo: ok=false with the offset and both bytes', async () => {
  const p = await peer(corruptAt(3));
  const t = await runClient({ host: '127.0.0.1', port: p.port, payload: Buffer.from('hello world') });
  assert.equal(t.ok, false);
  assert.deepEqual(t.mismatch, { offset: 3, expected: 0x6c, actual: 0x6c ^ 0xff });
});

test('a peer that resets on data: ERR_CLIENT_PEER_RESET, transcript attached', async () => {
  const p = await peer(resetOnData);
  const e = await rejectsWith(runClient({ host: '127.0.0.1', port: p.port, payload: Buffer.from('hi') }), 'ERR_CLIENT_PEER_RESET', /reset by peer/);
  assert.equal(e.transcript?.bytesSent, 2);
});

test('a peer that half-closes after one byte: ERR_CLIENT_PEER_CLOSED saying how much came back', async () => {
  const p = await peer(halfCloseEarly);
  await rejectsWith(runClient({ host: '127.0.0.1', port: p.port, payload: Buffer.from('abcdef') }), 'ERR_CLIENT_PEER_CLOSED', /echoing 1 of 6 bytes/);
});

test('a peer that never reads: sending stalls, the idle watchdog ends it with ERR_CLIENT_TIMEOUT', async () => {
  const p = await peer(neverRead, { pauseOnConnect: true });
  const started = Date.now();
  await rejectsWith(runClient({ host: '127.0.0.1', port: p.port, payload: Buffer.alloc(64 << 20), timeoutMs: 400 }), 'ERR_CLIENT_TIMEOUT', /not reading/);
  assert.ok(Date.now() - started < 5000);
});

test('a silent peer that reads but never echoes: ERR_CLIENT_TIMEOUT while waiting for the echo', async () => {
  const p = await peer((s) => { s.on('data', () => undefined); });
  await rejectsWith(runClient({ host: '127.0.0.1', port: p.port, payload: Buffer.from('anyone?'), timeoutMs: 300 }), 'ERR_CLIENT_TIMEOUT', /0 of 7 echoed/);
});

test('nobody listening: ERR_CLIENT_CONNECT_REFUSED', async () => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  await rejectsWith(runClient({ host: '127.0.0.1', port, payload: Buffer.from('x') }), 'ERR_CLIENT_CONNECT_REFUSED', /refused/);
});

/**
 * A SYN that is never answered: an nftables table of our own drops packets to one loopback port
 * (output hook), so connect() hangs until --connect-timeout. Skipped without nft or root.
 */
const nftOk = spawnSync('nft', ['--version'], { timeout: 5000 }).status === 0 && process.getuid?.() === 0;
test('a SYN that is never answered: ERR_CLIENT_CONNECT_TIMEOUT after connectTimeoutMs', { skip: nftOk ? false : 'needs nft and root' }, async () => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  const table = `tcplab_client_test_${process.pid}`;
  const add = spawnSync('nft', ['-f', '-'], {
    input: `add table inet ${table}\nadd chain inet ${table} out { type filter hook output priority 0; }\nadd rule inet ${table} out ip daddr 127.0.0.1 tcp dport ${port} drop\n`,
    encoding: 'utf8', timeout: 5000,
  });
  assert.equal(add.status, 0, add.stderr);
  try {
    const started = Date.now();
    await rejectsWith(runClient({ host: '127.0.0.1', port, payload: Buffer.from('x'), connectTimeoutMs: 300 }), 'ERR_CLIENT_CONNECT_TIMEOUT', /timed out after 300 ms/);
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 3000, `${took} ms`);
  } finally {
    spawnSync('nft', ['delete', 'table', 'inet', table], { timeout: 5000 });
    await new Promise<void>((r) => s.close(() => r()));
  }
});

test('a name that does not resolve: ERR_CLIENT_DNS', async () => {
  await rejectsWith(runClient({ host: 'no-such-host.invalid', port: 6666, payload: Buffer.from('x') }), 'ERR_CLIENT_DNS');
});

test('bad options are ERR_USAGE_CLIENT_OPTION', () => {
  const base: ClientOptions = { host: '127.0.0.1', port: 6666, payload: Buffer.from('x') };
  const rows: Partial<ClientOptions>[] = [
    { port: 0 }, { port: 70000 }, { chunkBytes: 0 }, { repeat: 0 }, { lingerSec: 5 }, { readRateBytesPerSec: 0 },
    { reset: true, halfClose: true }, { payload: Buffer.alloc(0) }, { keepAliveSec: 1.5 }, { host: '' },
  ];
  for (const row of rows) {
    assert.throws(() => validateClientOptions({ ...base, ...row }), { code: 'ERR_USAGE_CLIENT_OPTION' }, JSON.stringify(row));
  }
  assert.doesNotThrow(() => validateClientOptions({ ...base, lingerSec: 0, chunkBytes: 1, delayMs: 0 }));
});
