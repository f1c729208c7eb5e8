/**
 * Each steering option of runClient() proved on real loopback traffic: tcpdump captures `lo` while
 * the client talks to a scripted raw peer, and the assertions read the segments back
 * (tcpdump -r -nn -tt). Skipped when tcpdump cannot capture (not root / not installed).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { runClient, type ClientOptions, type ClientTranscript } from '../../src/client/index.js';
import { startTcpdump, readSegments, fromPort, describeSegments, tcpdumpUsable, type Segment } from '../support/tcpdump.js';
import { startPeer, echo, echoOnFin, type Peer } from './peers.js';

const skip = tcpdumpUsable() ? false : 'tcpdump cannot capture here (needs root and tcpdump)';
const peers: Peer[] = [];
after(async () => { await Promise.all(peers.map((p) => p.close())); });

interface Captured { t: ClientTranscript; segs: Segment[]; client: Segment[]; server: Segment[]; peer: Peer }

/** Runs the client against a fresh peer while tcpdump captures the peer's port. */
async function captured(script: Parameters<typeof startPeer>[0], o: Omit<ClientOptions, 'host' | 'port'>, peerOpts: net.ServerOpts = {}): Promise<Captured> {
  const peer = await startPeer(script, peerOpts);
  peers.push(peer);
  const cap = await startTcpdump(`tcp port ${peer.port}`);
  try {
    const t = await runClient({ host: '127.0.0.1', port: peer.port, timeoutMs: 10_000, ...o });
    await cap.stop();
    const segs = readSegments(cap.file);
    return { t, segs, client: fromPort(segs, t.local.port), server: fromPort(segs, peer.port), peer };
  } finally {
    await cap.stop();
    cap.cleanup();
  }
}

const data = (segs: Segment[]) => segs.filter((s) => s.length > 0);

test('--chunk 100 --delay 30: a 1000-byte payload leaves as ten 100-byte segments, ~30 ms apart', { skip }, async () => {
  const payload = Buffer.alloc(1000, 0x61);
  const { t, client } = await captured(echo, { payload, chunkBytes: 100, delayMs: 30 });
  assert.equal(t.ok, true);
  const d = data(client);
  assert.deepEqual(d.map((s) => s.length), Array(10).fill(100), describeSegments(client));
  for (let i = 1; i < d.length; i++) {
    const gapMs = ((d[i]?.ts ?? 0) - (d[i - 1]?.ts ?? 0)) * 1000;
    assert.ok(gapMs >= 20, `segment ${i} came ${gapMs.toFixed(1)} ms after the previous one`);
  }
  assert.equal(t.events.filter((e) => e.kind === 'write').length, 10);
});

/**
 * Nagle (RFC 896, Linux's Minshall variant): a small segment is not sent while an earlier small
 * segment is unacknowledged. The peer does not read for 400 ms, so its ACKs are delayed (no
 * ACK-on-read) and Nagle has something to wait for; 200 one-byte writes 1 ms apart.
 */
function smallSegmentsInFlight(c: Captured): number {
  const d = data(c.client);
  let overlaps = 0;
  for (let i = 1; i < d.length; i++) {
    const prev = d[i - 1] as Segment;
    const cur = d[i] as Segment;
    const acked = c.server.some((s) => s.ack !== undefined && prev.seqEnd !== undefined && s.ack >= prev.seqEnd && s.ts >= prev.ts && s.ts <= cur.ts);
    if (!acked) overlaps++;
  }
  return overlaps;
}
const lateEcho: Parameters<typeof startPeer>[0] = (s, c) => { setTimeout(() => { echo(s, c); s.resume(); }, 400); };

test('without --nodelay, Nagle holds small writes until the previous one is ACKed (coalescing)', { skip }, async () => {
  const c = await captured(lateEcho, { payload: Buffer.alloc(200, 0x62), chunkBytes: 1, delayMs: 1 }, { pauseOnConnect: true });
  assert.equal(c.t.ok, true);
  const d = data(c.client);
  assert.equal(smallSegmentsInFlight(c), 0, `two small segments were unacked at once:\n${describeSegments(c.segs)}`);
  assert.ok(d.length < 100, `200 writes coalesced into ${d.length} segments`);
  assert.ok(d.some((s) => s.length > 1));
});

test('--nodelay: every 1-byte write goes out at once, many small segments unacked together', { skip }, async () => {
  const c = await captured(lateEcho, { payload: Buffer.alloc(200, 0x62), chunkBytes: 1, delayMs: 1, noDelay: true }, { pauseOnConnect: true });
  assert.equal(c.t.ok, true);
  assert.equal(c.t.settings.noDelay, true);
  const d = data(c.client);
  assert.ok(d.length >= 100, `only ${d.length} segments for 200 writes:\n${describeSegments(c.segs)}`);
  assert.ok(smallSegmentsInFlight(c) >= 50, 'small segments were sent without waiting for ACKs');
});

test('--half-close: the client FIN leaves before the echo, and the echo still arrives', { skip }, async () => {
  const { t, client, server } = await captured(echoOnFin, { payload: Buffer.from('half-closed hello'), halfClose: true });
  assert.equal(t.ok, true);
  const fin = client.find((s) => s.flags.includes('F'));
  const echoed = data(server)[0];
  assert.ok(fin && echoed, 'a client FIN and a server data segment');
  assert.ok(fin.ts <= echoed.ts, 'FIN before the echo');
  assert.equal(echoed.length, 17);
  const kinds = t.events.map((e) => e.kind);
  assert.ok(kinds.indexOf('fin-sent') < kinds.indexOf('read'), kinds.join(','));
});

/**
 * The peer answers the client's FIN-or-EOF with a last word, so that it touches the dead socket.
 * (libuv reports an RST that arrives with or after data as EOF — uv__stream_io's POLLHUP shortcut —
 * so the Node peer learns of the reset when it writes: ECONNRESET.)
 */
const answerOnEnd: Parameters<typeof startPeer>[0] = (s, conn) => {
  s.on('data', (d: Buffer) => { conn.received.push(d); });
  s.on('end', () => s.end('bye'));
};

test('--reset: RST on the wire right after the payload, no FIN, and the peer sees ECONNRESET', { skip }, async () => {
  const c = await captured(answerOnEnd, { payload: Buffer.from('boom'), reset: true });
  assert.equal(c.t.closedWith, 'rst');
  const payloadSeg = data(c.client)[0];
  const rst = c.client.find((s) => s.flags.startsWith('R'));
  assert.ok(payloadSeg && rst, describeSegments(c.segs));
  assert.ok(rst.ts >= payloadSeg.ts);
  assert.equal(rst.seqStart, payloadSeg.seqEnd, 'the RST carries the sequence number after the payload');
  assert.ok(!c.client.some((s) => s.flags.includes('F')), 'no FIN from the client');
  const conn = await c.peer.firstClosed();
  assert.equal(Buffer.concat(conn.received).toString(), 'boom');
  assert.deepEqual(conn.errors, ['ECONNRESET']);
});

test('--linger 0: the echo completes, then the close is an RST instead of a FIN', { skip }, async () => {
  const { t, client, server } = await captured(echo, { payload: Buffer.from('linger zero'), lingerSec: 0 });
  assert.equal(t.ok, true);
  assert.equal(t.closedWith, 'rst');
  const rst = client.find((s) => s.flags.startsWith('R'));
  const echoed = data(server).at(-1);
  assert.ok(rst && echoed, 'an RST from the client after the echo');
  assert.ok(rst.ts >= echoed.ts);
  assert.ok(!client.some((s) => s.flags.includes('F')), 'no FIN from the client');
});

/**
 * SO_RCVBUF 4096 (the kernel keeps 8192) and reads of ~3 KB every 100 ms: the echo comes back
 * faster than we consume it, the receive buffer fills and our ACKs advertise window 0; the echo
 * server then has to wait (zero-window probing) until we read again.
 */
test('--rcvbuf 4096 --read-rate 32768: the small SYN window, then the client advertises a zero window', { skip }, async () => {
  const payload = Buffer.alloc(32 * 1024, 0x63);
  const { t, client } = await captured(echo, { payload, rcvbufBytes: 4096, readRateBytesPerSec: 32 * 1024 });
  assert.equal(t.ok, true);
  // Linux doubles SO_RCVBUF (socket(7)); the applied value is read back.
  assert.ok((t.settings.rcvbufBytes ?? 0) >= 4096 && (t.settings.rcvbufBytes ?? 0) <= 16384, String(t.settings.rcvbufBytes));
  const syn = client.find((s) => s.flags === 'S');
  assert.ok(syn?.win !== undefined && syn.win <= 8192, `SYN window ${syn?.win} reflects SO_RCVBUF (default is 65495)`);
  assert.match(syn.options, /wscale 0\b/, 'a small buffer needs no window scaling');
  const zero = client.filter((s) => s.win === 0);
  assert.ok(zero.length > 0, `no zero window:\n${describeSegments(client)}`);
  assert.ok(t.readPauses > 5, String(t.readPauses));
});

test('--keepalive 1: idle connection carries keep-alive probes about 1 s apart; ss shows the timer', { skip }, async () => {
  const peer = await startPeer(echo);
  peers.push(peer);
  const cap = await startTcpdump(`tcp port ${peer.port}`);
  try {
    const running = runClient({ host: '127.0.0.1', port: peer.port, payload: Buffer.from('ka'), keepAliveSec: 1, holdMs: 3500 });
    await sleep(600);
    const ss = spawnSync('ss', ['-tno', 'state', 'established', `( dport = :${peer.port} )`], { encoding: 'utf8', timeout: 5000 });
    const t = await running;
    await cap.stop();
    assert.equal(t.ok, true);
    assert.equal(t.settings.keepAliveIdleSec, 1);
    assert.equal(t.settings.keepAliveIntervalSec, 1);
    assert.match(ss.stdout, /timer:\(keepalive,/, ss.stdout);
    const client = fromPort(readSegments(cap.file), t.local.port);
    const lastData = data(client).at(-1);
    const fin = client.find((s) => s.flags.includes('F'));
    assert.ok(lastData && fin);
    // During the hold nothing is sent by the application: every client segment between the last
    // data and the FIN is a keep-alive probe (a pure ACK, seq = SND.NXT − 1).
    const probes = client.filter((s) => s.ts > lastData.ts + 0.1 && s.ts < fin.ts && s.length === 0 && s.flags === '.');
    assert.ok(probes.length >= 2, `probes:\n${describeSegments(client)}`);
    for (let i = 1; i < probes.length; i++) {
      const gap = (probes[i]?.ts ?? 0) - (probes[i - 1]?.ts ?? 0);
      assert.ok(gap > 0.7 && gap < 1.6, `probe gap ${gap.toFixed(3)} s`);
    }
  } finally {
    await cap.stop();
    cap.cleanup();
  }
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('--local-port: the peer sees that source port; the port then sits in TIME_WAIT and is reused after ~1 s', { skip }, async () => {
  const lp = await freePort();
  const { t, client, peer } = await captured(echo, { payload: Buffer.from('from a fixed port'), localPort: lp });
  assert.equal(t.local.port, lp);
  assert.equal(peer.conns[0]?.remotePort, lp);
  assert.equal(client.find((s) => s.flags === 'S')?.sport, lp);
  // We sent the first FIN, so our side of the old connection is in TIME_WAIT.
  const ss = spawnSync('ss', ['-tan', 'state', 'time-wait', `( sport = :${lp} )`], { encoding: 'utf8', timeout: 5000 });
  assert.match(ss.stdout, new RegExp(`:${lp}\\s`), ss.stdout);
  // Right away, the same 4-tuple collides with TIME_WAIT (EADDRNOTAVAIL) unless a timestamp second
  // has passed, when tcp_tw_reuse=2 (loopback) lets Linux reuse it. Both outcomes are legitimate.
  try {
    const again = await runClient({ host: '127.0.0.1', port: peer.port, payload: Buffer.from('again'), localPort: lp });
    assert.equal(again.local.port, lp);
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'ERR_CLIENT_LOCAL_PORT');
    assert.match((e as Error).message, /TIME_WAIT/);
  }
  await sleep(1100);
  const later = await runClient({ host: '127.0.0.1', port: peer.port, payload: Buffer.from('later'), localPort: lp });
  assert.equal(later.ok, true);
  assert.equal(later.local.port, lp);
});
