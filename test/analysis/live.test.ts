/**
 * The same analyzer on a live capture (tcpdump on lo, as root): a real connection with TCP
 * keep-alive enabled is analysed frame by frame while the capture runs — handshake numbers, iRTT,
 * acks_frame, the kernel's keep-alive probe and its ACK, and the FIN exchange.
 * Needs the Debian package tcpdump.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startLiveCapture } from '../../src/wire/live.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK } from '../../src/analysis/types.js';
import type { TcpFrameAnalysis } from '../../src/analysis/types.js';
import { withTimeout } from '../wire/support.js';

const server = net.createServer((s) => s.on('data', (d) => s.write(d)).on('end', () => s.end()).on('error', () => undefined));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as net.AddressInfo).port;
after(() => server.close());

test('live: keep-alive probe and ACK, handshake numbers and FIN, analysed while capturing', { timeout: 30_000 }, async () => {
  const src = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}`, tool: 'tcpdump' }), 15_000, 'start');
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer();
  const seen: { frame: number; flags: number; a: TcpFrameAnalysis }[] = [];
  const it = src[Symbol.asyncIterator]();
  const reader = (async () => {
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      const pkt = dec.decode(r.value);
      const a = an.analyze(r.value, pkt);
      if (a !== undefined && pkt.tcp !== undefined) seen.push({ frame: r.value.frameNo, flags: pkt.tcp.flags, a });
    }
  })();
  try {
    const c = net.connect(port, '127.0.0.1');
    await withTimeout(once(c, 'connect'), 5000, 'connect');
    c.setKeepAlive(true, 1000);
    c.write('hi');
    await withTimeout(once(c, 'data'), 5000, 'echo');
    // Linux sends the first keep-alive probe after 1 s idle; the peer's kernel answers it.
    await new Promise((r) => setTimeout(r, 1800));
    c.end();
    await withTimeout(once(c, 'close'), 5000, 'close');
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    src.stop();
    await withTimeout(reader, 10_000, 'drain');
    src.close();
  }
  assert.ok(seen.length >= 9, `${seen.length} frames`);
  const [syn, synack, ack] = seen;
  assert.deepEqual([syn!.a.stream, syn!.a.relSeq, syn!.a.nxtSeq], [0, 0, 1]);
  assert.equal(synack!.a.acksFrame, syn!.frame);
  assert.ok(ack!.a.initialRttNs > 0, 'iRTT from SYN to the first ACK');
  assert.ok(seen.every((s) => s.a.stream === 0));
  const ka = seen.findIndex((s) => (s.a.flags & TA_KEEP_ALIVE) !== 0);
  assert.ok(ka > 0, 'keep-alive probe flagged');
  assert.equal(seen[ka]!.a.relSeq, 2, 'probe sits one below the next sequence number (1 + 2 bytes − 1)');
  assert.ok((seen[ka + 1]!.a.flags & TA_KEEP_ALIVE_ACK) !== 0, 'the answer is a Keep-Alive ACK');
  const fins = seen.filter((s) => (s.flags & 0x001) !== 0);
  assert.equal(fins.length, 2);
});
