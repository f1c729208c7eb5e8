#!/usr/bin/env bash
# A loopback capture of X11 framing on port 6000 (tshark's X11 port range 6000-6063), for the
# one-line goldens of test/golden/http/pdu-x11-loopback.pcap.summary.txt: a little-endian
# connection setup, NoOperation requests of several sizes (one written in three pieces, so it
# spans segments), a setup reply, events and a long reply written in pieces. The bytes are made
# by hand; only their framing matters (tcplab models X11 framing, not X11's Info text).
#   usage: scripts/make-x11-capture.sh OUT.pcap      (root; tcpdump, node)
set -euo pipefail
"$(dirname "$0")/lo-capture.sh" 6000 "$1" node --input-type=module <<'JS'
import net from 'node:net';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const le16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const le32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
// NoOperation (opcode 127) of `words` 4-byte units
const noop = (words) => Buffer.concat([Buffer.from([127, 0]), le16(words), Buffer.alloc(words * 4 - 4, 0x11)]);
const event = (type, seq) => Buffer.concat([Buffer.from([type, 0]), le16(seq), Buffer.alloc(28, 0x22)]);
const reply = (seq, words) => Buffer.concat([Buffer.from([1, 0]), le16(seq), le32(words), Buffer.alloc(24 + words * 4, 0x33)]);
const server = net.createServer((s) => {
  s.setNoDelay(true);
  let n = 0;
  s.on('data', async () => {
    n++;
    if (n === 1) s.write(Buffer.concat([Buffer.from([1, 0, 11, 0]), le16(0), le16(6), Buffer.alloc(24, 0)]));
    if (n === 3) {
      s.write(Buffer.concat([event(12, 1), event(19, 1)])); await sleep(30);
      const r = reply(2, 600);
      s.write(r.subarray(0, 1000)); await sleep(30); s.write(r.subarray(1000, 2000)); await sleep(30); s.write(r.subarray(2000));
      await sleep(30);
      s.write(Buffer.concat([reply(3, 2), event(12, 3).subarray(0, 5)])); await sleep(30); s.write(event(12, 3).subarray(5));
    }
  });
});
await new Promise((r) => server.listen(6000, '127.0.0.1', r));
const c = net.connect(6000, '127.0.0.1');
c.setNoDelay(true);
await new Promise((r) => c.on('connect', r));
c.write(Buffer.concat([Buffer.from([0x6c, 0]), le16(11), le16(0), le16(0), le16(0), le16(0)])); await sleep(60);
c.write(Buffer.concat([noop(1), noop(3)])); await sleep(60);
const big = noop(900);
c.write(big.subarray(0, 1200)); await sleep(30); c.write(big.subarray(1200, 2500)); await sleep(30); c.write(big.subarray(2500));
await sleep(300);
c.end(); await sleep(100); server.close();
JS
