#!/usr/bin/env bash
# A loopback capture of Apache Thrift strict-binary messages over TCP (no framing) on port 11010
# (no tcp.port registration, so tshark finds it with its Thrift heuristic), for the one-line
# goldens of test/golden/http/pdu-thrift-loopback.pcap.summary.txt. The messages are encoded by
# hand (TBinaryProtocol) and written in pieces with pauses, so that messages span segments, a
# header is cut, and two messages share a segment.
#   usage: scripts/make-thrift-capture.sh OUT.pcap      (root; tcpdump, node)
set -euo pipefail
"$(dirname "$0")/lo-capture.sh" 11010 "$1" node --input-type=module <<'JS'
import net from 'node:net';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const i32 = (n) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const str = (s) => Buffer.concat([i32(Buffer.byteLength(s)), Buffer.from(s)]);
// message: 0x8001 00 mtype | name | seqid | fields… | STOP
const msg = (mtype, name, seq, fields) => Buffer.concat([Buffer.from([0x80, 0x01, 0x00, mtype]), str(name), i32(seq), ...fields, Buffer.from([0])]);
const fString = (id, s) => Buffer.concat([Buffer.from([11, id >> 8, id & 255]), str(s)]);
const fI32 = (id, n) => Buffer.concat([Buffer.from([8, id >> 8, id & 255]), i32(n)]);
const fList = (id, items) => Buffer.concat([Buffer.from([15, id >> 8, id & 255, 11]), i32(items.length), ...items.map(str)]);
const fStruct = (id, fields) => Buffer.concat([Buffer.from([12, id >> 8, id & 255]), ...fields, Buffer.from([0])]);
const big = (n, c) => c.repeat(n);
const server = net.createServer({ noDelay: true }, (s) => {
  let n = 0;
  s.setNoDelay(true);
  s.on('data', async () => {
    n++;
    if (n === 1) s.write(msg(2, 'ping', 1, [fI32(0, 7)]));
    if (n === 2) {
      // a reply in three writes: header + start, middle, end
      const m = msg(2, 'get_items', 2, [fStruct(0, [fList(1, [big(3000, 'a'), big(3000, 'b'), big(2000, 'c')])])]);
      s.write(m.subarray(0, 1200)); await sleep(30);
      s.write(m.subarray(1200, 5000)); await sleep(30);
      s.write(m.subarray(5000));
    }
    if (n === 3) {
      // two small replies in one write, then one whose header is cut after 6 bytes
      const a = msg(2, 'set', 3, [fI32(0, 1)]), b = msg(4, 'notify', 4, [fString(1, 'x')]);
      const c = msg(2, 'describe', 5, [fString(0, big(900, 'd'))]);
      s.write(Buffer.concat([a, b, c.subarray(0, 6)])); await sleep(30);
      s.write(c.subarray(6));
    }
    if (n === 4) s.end();
  });
});
await new Promise((r) => server.listen(11010, '127.0.0.1', r));
const c = net.connect(11010, '127.0.0.1');
c.setNoDelay(true);
await new Promise((r) => c.on('connect', r));
c.write(msg(1, 'ping', 1, [])); await sleep(60);
const call = msg(1, 'get_items', 2, [fString(1, big(2500, 'q')), fI32(2, 3)]);
c.write(call.subarray(0, 700)); await sleep(30); c.write(call.subarray(700)); await sleep(150);
c.write(msg(1, 'set', 3, [fI32(1, 1)])); await sleep(150);
c.write(Buffer.concat([msg(1, 'describe', 5, []), msg(3, 'oops', 6, [fString(1, 'unknown method')])])); await sleep(100);
c.end();
await sleep(200);
server.close();
JS
