/**
 * EchoServer on real sockets (127.0.0.1, port 0): byte-exact echo, backpressure bound, half-close,
 * RST, idle timeout, max-connections, thousands of connections, graceful stop, listen errors —
 * each with both write paths ('direct': reads handed straight to libuv; 'stream': Socket.write()).
 */
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { directWriteAvailable, EchoServer, maxBufferedBytesPerConnection, READ_SIZE, type ClosedConnection, type EchoServerOptions } from '../../src/server/echo-server.js';
import { isLabError } from '../../src/util/errors.js';
import { connectTo, echoOnce, randomBytesSeeded, roundTrip, sleep, waitFor, withTimeout, writeUntilBlocked } from './support.js';

const MIB = 1024 * 1024;

/** global.gc, made available at run time (node --test runs without --expose-gc). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const WRITE_PATHS = ['direct', 'stream'] as const;
type WritePath = (typeof WRITE_PATHS)[number];
/** The write path the tests of the current describe() use. */
let writePath: WritePath = 'direct';

/** A started server on 127.0.0.1:0 that after() stops, with every 'close' event recorded. */
async function startServer(opts: EchoServerOptions = {}): Promise<{ server: EchoServer; port: number; closed: ClosedConnection[] }> {
  const server = new EchoServer({ host: '127.0.0.1', port: 0, writePath, ...opts });
  const closed: ClosedConnection[] = [];
  server.on('close', (c) => closed.push(c));
  const { port } = await server.start();
  after(() => server.stop(0));
  return { server, port, closed };
}

/** The stats counter that proves the tests ran on the write path they name. */
function assertPathUsed(server: EchoServer): void {
  const st = server.stats();
  if (writePath === 'direct') {
    assert.ok(st.directWrites > 0, `direct writes used (${st.directWrites} direct, ${st.streamWrites} stream)`);
  } else {
    assert.equal(st.directWrites, 0, 'no direct write on the stream path');
    assert.ok(st.streamWrites > 0, 'stream writes used');
  }
}

test('this Node offers the direct write path (process.binding stream_wrap)', () => {
  assert.equal(directWriteAvailable(), true);
});

for (const path of WRITE_PATHS) describe(`EchoServer (${path} writes)`, () => {
  before(() => { writePath = path; });
  test('echoes 8 MiB of random bytes exactly, then FIN; counts bytes both ways', async () => {
    const { server, port, closed } = await startServer();
    const data = randomBytesSeeded(8 * MIB);
    const got = await echoOnce(port, data, 30_000);
    assert.equal(got.length, data.length);
    assert.ok(got.equals(data), 'echo is byte-exact');
    await waitFor(() => closed.length === 1, 5000, 'close event');
    assert.equal(closed[0]!.how, 'FIN');
    assert.equal(closed[0]!.bytesIn, data.length);
    assert.equal(closed[0]!.bytesOut, data.length);
    assert.match(closed[0]!.peer, /^127\.0\.0\.1:\d+$/);
    const st = server.stats();
    assert.equal(st.total, 1);
    assert.equal(st.open, 0);
    assert.equal(st.bytesIn, data.length);
    assert.equal(st.bytesOut, data.length);
    assertPathUsed(server);
  });

  test('a peer that writes 64 MiB and never reads: the server pauses, its buffers stay under the bound, the writer is blocked', async () => {
    const { server, port } = await startServer();
    const bound = maxBufferedBytesPerConnection();
    const s = await connectTo(port);
    s.pause(); // never read
    const block = randomBytesSeeded(MIB, 7);
    // Write up to 64 MiB; the writer must end up blocked long before.
    const { written, blocked } = await writeUntilBlocked(s, block, 64 * MIB);
    assert.ok(blocked, `the writer is blocked (wrote ${written} bytes)`);
    await waitFor(() => server.connections()[0]?.paused === true, 10_000, 'server paused the connection');
    // Give the server time to buffer more if it would; it must not.
    await sleep(500);
    const [c] = server.connections();
    assert.ok(c, 'connection is listed');
    assert.equal(c.paused, true);
    const held = c.writableLength + c.readableLength;
    assert.ok(held <= bound, `server holds ${held} bytes for the connection, bound ${bound}`);
    assert.equal(server.stats().paused, 1);
    assertPathUsed(server);
    if (writePath === 'direct') {
      // The direct path paused on a write the kernel did not finish: that one write is all it holds.
      assert.ok(server.stats().directAsync >= 1, 'a direct write went asynchronous');
      assert.ok(c.writableLength <= READ_SIZE, `one pending direct write of at most one read (${c.writableLength} bytes)`);
      assert.equal(server.stats().streamWrites, 0, 'no read reached the stream path while paused');
    }
    // Far from all 64 MiB reached the server: the kernel buffers are full and TCP stopped the peer.
    assert.ok(c.bytesIn < 32 * MIB, `server read only ${c.bytesIn} bytes`);
    assert.ok(s.writableLength > 0, 'the client still has unsent bytes queued (blocked)');
    const inBefore = c.bytesIn;
    await sleep(300);
    assert.equal(server.connections()[0]!.bytesIn, inBefore, 'no further reads while paused');

    // Now read: everything flows again and comes back in order.
    const expectedTotal = written;
    let got = 0;
    let mismatch = -1;
    s.on('data', (d: Buffer) => {
      for (let i = 0; i < d.length && mismatch < 0; i += 4099) {
        if (d[i] !== block[(got + i) % block.length]) mismatch = got + i;
      }
      got += d.length;
    });
    s.resume();
    s.end();
    await withTimeout(once(s, 'end'), 30_000, 'all echoed after resuming');
    assert.equal(mismatch, -1, 'sampled bytes match');
    assert.equal(got, expectedTotal);
    s.destroy();
  });

  test('20 peers that write and never read: the Buffer memory the server holds stays under the bound per connection', { timeout: 60_000 }, async (t) => {
    const { server, port } = await startServer();
    const N = 20;
    const bound = maxBufferedBytesPerConnection();
    const gc = collectGarbage();
    const settle = async (): Promise<void> => {
      // Freed ArrayBuffers leave the count only once swept (concurrently, after a GC): collect twice.
      for (let i = 0; i < 2; i++) { gc(); await sleep(100); }
    };
    await settle();
    const before = process.memoryUsage().arrayBuffers;
    const block = Buffer.alloc(64 * 1024, 0x5a); // one block for every client: client memory does not grow with N
    // Clients that read one byte into a 1-byte buffer and then stop reading for good (onread
    // returning false), so that only the server's Buffers grow.
    const oneByte = Buffer.alloc(1);
    const socks = await Promise.all(Array.from({ length: N }, async () => {
      const s = connect({ port, host: '127.0.0.1', onread: { buffer: oneByte, callback: () => false } });
      s.on('error', () => {});
      await withTimeout(once(s, 'connect'), 5000, 'connect');
      return s;
    }));
    for (const s of socks) {
      const fill = (): void => { while (s.write(block)); };
      s.on('drain', fill);
      fill();
    }
    await waitFor(() => server.stats().paused === N, 20_000, `all ${N} connections paused`);
    await sleep(300);
    await settle();
    const held = process.memoryUsage().arrayBuffers - before;
    t.diagnostic(`${writePath}: ${Math.round(held / N / 1024)} KiB of Buffers per stalled peer (bound ${bound / 1024} KiB)`);
    assert.ok(held > 0 && held <= N * bound, `server and clients hold ${held} bytes of Buffers for ${N} stalled peers, bound ${N * bound}`);
    assert.ok(server.stats().bytesIn > N * 1024 * 1024, 'the peers did push megabytes before stalling');
    for (const s of socks) s.destroy();
  });

  test('half-close: pending bytes are echoed, then FIN; the peer can still read after its own FIN', async () => {
    const { port, closed } = await startServer();
    const s = await connectTo(port);
    const data = randomBytesSeeded(3 * MIB + 17, 3);
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.pause();
    s.end(data); // FIN right after the data
    await sleep(200); // the server has our FIN while the echo is still pending
    s.resume();
    await withTimeout(once(s, 'end'), 10_000, 'server FIN');
    assert.ok(Buffer.concat(chunks).equals(data));
    await waitFor(() => closed.length === 1, 5000, 'close event');
    assert.equal(closed[0]!.how, 'FIN');
    s.destroy();
  });

  test('RST in the middle of a blocked write does not crash the server; recorded as RST', async () => {
    const { server, port, closed } = await startServer();
    const s = await connectTo(port);
    s.pause();
    const { blocked } = await writeUntilBlocked(s, Buffer.alloc(MIB, 0x61), 256 * MIB);
    assert.ok(blocked);
    await waitFor(() => server.connections()[0]?.paused === true, 10_000, 'server blocked writing');
    s.resetAndDestroy();
    await waitFor(() => closed.length === 1, 5000, 'close event');
    assert.equal(closed[0]!.how, 'RST');
    assert.match(closed[0]!.errorCode ?? '', /^(ECONNRESET|EPIPE)$/);
    assert.ok(closed[0]!.bytesOut <= closed[0]!.bytesIn);
    assert.equal(Object.values(server.stats().errors).reduce((a, b) => a + b, 0), 1);
    // Still serving.
    const got = await echoOnce(port, Buffer.from('still here\n'));
    assert.equal(got.toString(), 'still here\n');
  });

  test('a slow reader: writes the kernel takes only in part; 24 MiB in odd-sized pieces come back byte-exact, in order', { timeout: 60_000 }, async () => {
    const { server, port, closed } = await startServer();
    const bound = maxBufferedBytesPerConnection();
    const data = randomBytesSeeded(24 * MIB, 11);
    const s = await connectTo(port);
    const chunks: Buffer[] = [];
    let got = 0;
    let nextPauseAt = MIB;
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      // Read in bursts: every MiB stop for 20 ms, so the server's writes keep meeting full socket buffers.
      if (got >= nextPauseAt) {
        nextPauseAt += MIB;
        s.pause();
        setTimeout(() => s.resume(), 20);
      }
    });
    let maxHeld = 0;
    const sampler = setInterval(() => {
      for (const c of server.connections()) maxHeld = Math.max(maxHeld, c.writableLength + c.readableLength);
    }, 5);
    try {
      // Odd piece sizes (1 byte to 70 KB, seeded) so reads and partial writes split at odd offsets.
      let off = 0;
      let x = 12345;
      while (off < data.length) {
        x = (x * 1103515245 + 12345) >>> 0;
        const len = Math.min(data.length - off, 1 + (x % 70_000));
        if (!s.write(data.subarray(off, off + len))) await withTimeout(once(s, 'drain'), 20_000, 'client drain');
        off += len;
      }
      s.end();
      await withTimeout(once(s, 'end'), 40_000, 'all echoed, then FIN');
    } finally {
      clearInterval(sampler);
    }
    const echoed = Buffer.concat(chunks);
    assert.equal(echoed.length, data.length);
    assert.ok(echoed.equals(data), 'every byte back, in order');
    await waitFor(() => closed.length === 1, 5000, 'close event');
    assert.equal(closed[0]!.how, 'FIN');
    assert.equal(closed[0]!.bytesOut, data.length);
    assert.ok(maxHeld <= bound, `server held at most ${maxHeld} bytes, bound ${bound}`);
    assertPathUsed(server);
    if (writePath === 'direct') assert.ok(server.stats().directAsync > 0, 'some direct writes were taken only in part and finished by libuv');
    assert.ok(server.stats().pauses > 0, 'the connection was paused by backpressure');
  });

  test('a paused connection\'s pending echo is not overwritten by other connections\' reads (shared read buffer)', { timeout: 60_000 }, async () => {
    const { server, port } = await startServer();
    // Other connections read first, so the server's next read on each lands in the shared buffer of now.
    const others = await Promise.all([0, 1, 2, 3].map(() => connectTo(port)));
    for (const [i, s] of others.entries()) assert.equal((await roundTrip(s, Buffer.from(`warm ${i}`))).toString(), `warm ${i}`);
    // A writes 8 MiB and does not read: the server's echo to A stops half-way, pending in that buffer.
    const a = await connectTo(port);
    a.pause();
    const aData = randomBytesSeeded(8 * MIB, 21);
    const aChunks: Buffer[] = [];
    a.on('data', (d: Buffer) => aChunks.push(d));
    a.write(aData);
    await waitFor(() => server.connections().some((c) => c.paused), 10_000, 'A paused by backpressure');
    // Meanwhile the others echo plenty, of every size up to a full read.
    for (let round = 0; round < 30; round++) {
      await Promise.all(others.map(async (s, i) => {
        const msg = randomBytesSeeded(1 + ((round * 7919 + i * 104_729) % 65_536), 1000 + round * 4 + i);
        const back = await roundTrip(s, msg, 10_000);
        assert.ok(back.equals(msg), `other connection ${i} round ${round} echoed exactly`);
      }));
    }
    for (const s of others) s.destroy();
    // Now A reads: every byte it sent must come back as sent.
    a.resume();
    a.end();
    await withTimeout(once(a, 'end'), 30_000, 'A echoed in full');
    const got = Buffer.concat(aChunks);
    assert.equal(got.length, aData.length);
    const bad = got.findIndex((b, i) => b !== aData[i]);
    assert.equal(bad, -1, `A's echo differs from what A sent at byte ${bad}`);
    a.destroy();
  });

  test('small messages to a peer that stops reading, then reads again: all come back (a partly written small echo resumes reading)', { timeout: 60_000 }, async () => {
    const { server, port } = await startServer();
    const s = await connectTo(port);
    s.pause();
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    // 10 KB every millisecond or so: each server read is small, and once the kernel buffers are
    // full some small echo is taken only in part.
    const msg = randomBytesSeeded(10_000, 5);
    let sent = 0;
    const until = Date.now() + 20_000;
    while (!server.connections()[0]?.paused && Date.now() < until) {
      s.write(msg);
      sent += msg.length;
      await sleep(1);
    }
    assert.ok(server.connections()[0]?.paused, 'the server paused the connection');
    s.resume();
    s.end();
    await withTimeout(once(s, 'end'), 30_000, 'everything echoed after the peer reads again');
    const all = Buffer.concat(got);
    assert.equal(all.length, sent);
    for (let off = 0; off < sent; off += msg.length) assert.ok(all.subarray(off, off + msg.length).equals(msg), `message at ${off}`);
  });

  test('peers that send and reset at once: the server survives each, counts no more out than in, still echoes', { timeout: 30_000 }, async () => {
    const { server, port, closed } = await startServer();
    const N = 40;
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const s = await connectTo(port);
      s.write(randomBytesSeeded(256 * 1024, i + 1));
      await sleep(i % 4);
      s.resetAndDestroy();
    }));
    await waitFor(() => closed.length === N, 10_000, `${N} close events`);
    for (const c of closed) {
      assert.ok(c.bytesOut <= c.bytesIn, `bytes out ${c.bytesOut} <= in ${c.bytesIn}`);
      assert.ok(c.how === 'RST' || c.how === 'FIN', `closed by ${c.how}`);
    }
    assert.equal(server.stats().open, 0);
    assert.equal((await echoOnce(port, Buffer.from('still here\n'))).toString(), 'still here\n');
  });

  test('idle timeout closes a silent connection and records "idle timeout"; traffic keeps one open', async () => {
    const { port, closed } = await startServer({ idleTimeoutMs: 300 });
    const idle = await connectTo(port);
    const busy = await connectTo(port);
    const t0 = Date.now();
    const ended = once(idle, 'close');
    for (let i = 0; i < 6; i++) {
      await roundTrip(busy, Buffer.from(`tick ${i}\n`));
      await sleep(100);
    }
    await withTimeout(ended, 5000, 'idle connection closed');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 250, `closed after ${elapsed} ms, not before the timeout`);
    await waitFor(() => closed.length === 1, 2000, 'close event');
    assert.equal(closed[0]!.how, 'idle timeout');
    assert.equal(busy.destroyed, false, 'the busy connection is still open');
    busy.destroy();
  });

  test('max-connections refuses extra connections (accepted and closed at once), serves again when one leaves', async () => {
    const { server, port } = await startServer({ maxConnections: 2 });
    const refused: string[] = [];
    server.on('refused', (r) => refused.push(r.peer));
    const a = await connectTo(port);
    const b = await connectTo(port);
    await waitFor(() => server.stats().open === 2, 5000, 'two open');
    const c = await connectTo(port);
    c.write('anyone?');
    const cData: Buffer[] = [];
    c.on('data', (d: Buffer) => cData.push(d));
    await withTimeout(once(c, 'close'), 5000, 'refused connection closed by the server');
    assert.equal(Buffer.concat(cData).length, 0, 'nothing echoed on a refused connection');
    assert.equal(server.stats().refused, 1);
    assert.equal(refused.length, 1);
    assert.equal((await roundTrip(a, Buffer.from('a'))).toString(), 'a');
    b.destroy();
    await waitFor(() => server.stats().open === 1, 5000, 'one left');
    assert.equal((await echoOnce(port, Buffer.from('room again'))).toString(), 'room again');
    a.destroy();
  });

  test('2000 concurrent connections, each echoing', { timeout: 60_000 }, async () => {
    const { server, port } = await startServer();
    const N = 2000;
    const socks = [];
    for (let i = 0; i < N; i += 200) {
      socks.push(...(await Promise.all(Array.from({ length: Math.min(200, N - i) }, () => connectTo(port)))));
    }
    await waitFor(() => server.stats().open === N, 10_000, `${N} open`);
    const replies = await Promise.all(socks.map((s, i) => roundTrip(s, Buffer.from(`conn ${i}\n`), 20_000)));
    replies.forEach((r, i) => assert.equal(r.toString(), `conn ${i}\n`));
    for (const s of socks) s.destroy();
    await waitFor(() => server.stats().open === 0, 10_000, 'all closed');
    assert.equal(server.stats().total, N);
  });

  test('stop(grace): stops accepting, lets a connection finish within grace, closes the rest as "server shutdown"', async () => {
    const server = new EchoServer({ host: '127.0.0.1', port: 0 });
    const closed: ClosedConnection[] = [];
    server.on('close', (c) => closed.push(c));
    const { port } = await server.start();
    const finishing = await connectTo(port);
    const lingering = await connectTo(port);
    lingering.resume();
    const lingeringClosed = once(lingering, 'close');
    const t0 = Date.now();
    const stopped = server.stop(600);
    // No new connections once stopping.
    await assert.rejects(connectTo(port), /ECONNREFUSED/);
    // The finishing one still gets its echo and closes normally.
    assert.equal((await roundTrip(finishing, Buffer.from('last words'))).toString(), 'last words');
    finishing.end();
    await withTimeout(stopped, 5000, 'stop resolves after grace');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 550 && elapsed < 3000, `stopped after ${elapsed} ms`);
    assert.deepEqual(closed.map((c) => c.how).sort(), ['FIN', 'server shutdown']);
    await withTimeout(lingeringClosed, 2000, 'lingering client sees the close');
  });

  test('listen errors: port in use is a LabError ERR_SERVER_LISTEN naming EADDRINUSE', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    after(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const server = new EchoServer({ host: '127.0.0.1', port });
    await assert.rejects(server.start(), (e: unknown) => {
      assert.ok(isLabError(e));
      assert.equal(e.code, 'ERR_SERVER_LISTEN');
      assert.match(e.message, /address already in use \(EADDRINUSE\)/);
      return true;
    });
  });

  test('bad options are refused up front', () => {
    assert.throws(() => new EchoServer({ port: 70000 }), /invalid port/);
    assert.throws(() => new EchoServer({ idleTimeoutMs: -1 }), /invalid idleTimeoutMs/);
    assert.throws(() => new EchoServer({ writePath: 'fast' as never }), /invalid writePath/);
  });

  test('captureData emits each read', async () => {
    const { server, port } = await startServer({ captureData: true });
    const seen: Buffer[] = [];
    server.on('data', (_c, chunk) => seen.push(Buffer.from(chunk)));
    await echoOnce(port, Buffer.from('hello aidan\r\n'));
    assert.equal(Buffer.concat(seen).toString(), 'hello aidan\r\n');
  });

  test('default host listens on IPv4 and IPv6 (dual stack)', async () => {
    const server = new EchoServer({ port: 0 });
    const { port, addresses } = await server.start();
    after(() => server.stop(0));
    assert.deepEqual(addresses, ['::']);
    assert.equal((await echoOnce(port, Buffer.from('v4'))).toString(), 'v4');
    const s6 = await connectTo(port, '::1');
    assert.equal((await roundTrip(s6, Buffer.from('v6'))).toString(), 'v6');
    s6.destroy();
  });
});
