/**
 * The length-prefixed protocol dissectors (analysis/app-pdus.ts) on hand-made buffers: what they
 * ask TCP for (desegment_offset / desegment_len, as packet-tls.c, packet-ssh.c, packet-bittorrent.c
 * and packet-mqtt.c compute it) and the column items they record; then seeded random bytes, which
 * must never throw and never ask for data before the buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPduDissector, PDU_BITTORRENT, PDU_MQTT, PDU_SSH, PDU_THRIFT, PDU_TLS, PDU_SIGCOMP, PDU_X11, pduProtocolOfPort, thriftHeuristic } from '../../src/analysis/app-pdus.js';
import type { PduResult } from '../../src/analysis/app-pdus.js';
import type { HttpColumnOp } from '../../src/analysis/http-reassembly.js';
import { NEED_ONE_MORE_SEGMENT } from '../../src/decode/http.js';

function call(proto: number, bytes: number[] | Uint8Array, opts: { fromServer?: boolean; canDeseg?: boolean; frame?: number; at?: number } = {}):
  { r: PduResult; ops: HttpColumnOp[] } {
  const at = opts.at ?? 7;
  const d = new Uint8Array(at + bytes.length);
  d.set(bytes, at);
  const ops: HttpColumnOp[] = [];
  const r = newPduDissector(proto)!.dissect({
    d, start: at, end: d.length, capEnd: d.length, canDeseg: opts.canDeseg ?? true, fromServer: opts.fromServer ?? false, frame: opts.frame ?? 1, ops,
  });
  return { r, ops };
}

const items = (ops: HttpColumnOp[]): string[] => ops.flatMap((o) => ('item' in o ? [o.item.k] : []));

test('ports: tshark 4.0 tcp.port registrations', () => {
  assert.equal(pduProtocolOfPort(443), PDU_TLS);
  assert.equal(pduProtocolOfPort(22), PDU_SSH);
  assert.equal(pduProtocolOfPort(6881), PDU_BITTORRENT);
  assert.equal(pduProtocolOfPort(6889), PDU_BITTORRENT);
  assert.equal(pduProtocolOfPort(1883), PDU_MQTT);
  assert.equal(pduProtocolOfPort(6666), PDU_SIGCOMP);
  assert.equal(pduProtocolOfPort(5555), PDU_SIGCOMP);
  assert.equal(pduProtocolOfPort(6667), 0);
});

test('SigComp (port 6666): a 1-byte segment is malformed, a cut one size-limited, text is left to TCP', () => {
  assert.deepEqual(call(PDU_SIGCOMP, [0x61]).ops, [{ op: 'exception', kind: 'malformed', proto: 'SIGCOMP' }]);
  // The 0xFFFF delimiter is skipped: one octet more is read.
  assert.deepEqual(call(PDU_SIGCOMP, [0xff, 0xff]).ops, [{ op: 'exception', kind: 'malformed', proto: 'SIGCOMP' }]);
  assert.deepEqual(call(PDU_SIGCOMP, [0x61, 0x62]).ops, []);
  assert.deepEqual(call(PDU_SIGCOMP, [...Buffer.from('hello\r\n')]).ops, []);
  assert.deepEqual(call(PDU_SIGCOMP, [0x61]).r, { desegOffset: 0, desegLen: 0 });
});

test('TLS: a record longer than the segment asks for exactly the rest', () => {
  // handshake record, TLS 1.2, length 0x0200 = 512, only 10 body bytes here
  const { r, ops } = call(PDU_TLS, [22, 3, 3, 2, 0, 1, 0, 1, 252, 3, 3, 0, 0, 0, 0]);
  assert.deepEqual(r, { desegOffset: 0, desegLen: 512 + 5 - 15 });
  assert.deepEqual(ops.slice(0, 2), [{ op: 'proto', name: 'SSL' }, { op: 'clear' }]);
});

test('TLS: fewer than 5 bytes ask for one more segment; a second record after a whole one keeps its offset', () => {
  assert.deepEqual(call(PDU_TLS, [23, 3, 3]).r, { desegOffset: 0, desegLen: NEED_ONE_MORE_SEGMENT });
  // CCS record (1 byte body) then 3 bytes of the next record header
  const { r, ops } = call(PDU_TLS, [20, 3, 3, 0, 1, 1, 23, 3, 3]);
  assert.deepEqual(r, { desegOffset: 6, desegLen: NEED_ONE_MORE_SEGMENT });
  assert.deepEqual(items(ops), ['tlsCcs']);
});

test('TLS: four printable bytes are not TLS (nothing recorded)', () => {
  const { r, ops } = call(PDU_TLS, [...Buffer.from('GET / HTTP/1.1\r\n')]);
  assert.deepEqual(r, { desegOffset: 0, desegLen: 0 });
  assert.equal(ops.length, 0);
});

test('TLS: Server Hello with supported_versions 1.3 sets TLSv1.3', () => {
  const body = [3, 3, ...new Array(32).fill(1), 0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4];
  const hs = [2, 0, 0, body.length, ...body];
  const { r, ops } = call(PDU_TLS, [22, 3, 3, 0, hs.length, ...hs], { fromServer: true });
  assert.deepEqual(r, { desegOffset: 0, desegLen: 0 });
  assert.deepEqual(items(ops), ['tlsHs']);
  assert.deepEqual(ops.filter((o) => o.op === 'proto').map((o) => (o as { name: string }).name), ['SSL', 'TLSv1.2', 'TLSv1.3']);
});

test('SSH: a banner without its line end asks for (guint32)(-1 - remaining) bytes', () => {
  const { r } = call(PDU_SSH, [...Buffer.from('SSH-2.0-Open')]);
  assert.deepEqual(r, { desegOffset: 0, desegLen: 0xffffffff - 12 });
});

test('SSH: the banner, then a binary packet cut short asks for the rest', () => {
  const ssh = newPduDissector(PDU_SSH)!;
  const banner = new Uint8Array(Buffer.from('SSH-2.0-x\r\n'));
  const ops: HttpColumnOp[] = [];
  assert.deepEqual(ssh.dissect({ d: banner, start: 0, end: banner.length, capEnd: banner.length, canDeseg: true, fromServer: false, frame: 1, ops }), { desegOffset: 0, desegLen: 0 });
  assert.deepEqual(items(ops), ['sshProtocol', 'sshDir']);
  // packet_length 300, 6 bytes present
  const pkt = new Uint8Array([0, 0, 1, 44, 4, 20]);
  assert.deepEqual(ssh.dissect({ d: pkt, start: 0, end: 6, capEnd: 6, canDeseg: true, fromServer: false, frame: 2, ops: [] }), { desegOffset: 0, desegLen: 300 + 4 - 6 });
});

test('BitTorrent: handshake is 68 bytes; a piece header asks for its length; TCP text is not cleared', () => {
  const hs = [19, ...Buffer.from('BitTorrent protocol'), ...new Array(48).fill(0)];
  const { r, ops } = call(PDU_BITTORRENT, [...hs, 0, 0, 0x40, 9, 7, 0, 0, 0, 1]);
  assert.deepEqual(r, { desegOffset: 68, desegLen: 0x4009 + 4 - 9 });
  assert.deepEqual(items(ops), ['btPrefix', 'btHandshake', 'btTail']);
  assert.ok(!ops.some((o) => o.op === 'clear'));
});

test('MQTT: varint remaining length', () => {
  // PUBLISH, remaining length 200 (0xc8 0x01), 3 bytes present
  assert.deepEqual(call(PDU_MQTT, [0x30, 0xc8, 0x01]).r, { desegOffset: 0, desegLen: 200 + 3 - 3 });
  const { r, ops } = call(PDU_MQTT, [0xc0, 0x00, 0xd0, 0x00]);
  assert.deepEqual(r, { desegOffset: 0, desegLen: 0 });
  assert.deepEqual(items(ops), ['mqttType', 'mqttType']);
});

test('Thrift: the heuristic, a message named before its fields are complete, two messages in one buffer', () => {
  const name = [...Buffer.from('ping')];
  const hdr = (t: number): number[] => [0x80, 1, 0, t, 0, 0, 0, 4, ...name, 0, 0, 0, 9];
  const whole = [...hdr(1), 8, 0, 1, 0, 0, 0, 5, 0]; // i32 field 1, STOP
  const d = new Uint8Array(whole);
  assert.ok(thriftHeuristic(d, 0, d.length, d.length));
  assert.ok(!thriftHeuristic(new Uint8Array([0, 0, 0, 20, ...whole]), 0, 24, 24)); // framed: not modelled
  const cut = call(PDU_THRIFT, whole.slice(0, 19));
  assert.deepEqual(cut.r, { desegOffset: 0, desegLen: NEED_ONE_MORE_SEGMENT });
  assert.deepEqual(items(cut.ops), ['thriftMsg']);
  const two = call(PDU_THRIFT, [...whole, ...hdr(2), 0]);
  assert.deepEqual(two.r, { desegOffset: 0, desegLen: 0 });
  assert.deepEqual(two.ops.filter((o) => o.op === 'appendItem').map((o) => ('item' in o ? [o.item.a, o.item.text] : [])), [[1, 'ping'], [2, 'ping']]);
});

test('X11: setup request, then requests by 4 x length (BIG-REQUESTS too); replies by 32 + 4 x length; unknown byte order left alone', () => {
  const x = newPduDissector(PDU_X11)!;
  const run = (bytes: number[], fromServer: boolean): PduResult => {
    const d = new Uint8Array(bytes);
    return x.dissect({ d, start: 0, end: d.length, capEnd: d.length, canDeseg: true, fromServer, frame: 1, ops: [] });
  };
  // 'l' setup with 4-byte auth name and 5-byte auth data: 12 + 4 + 8 = 24 bytes; 14 present
  assert.deepEqual(run([0x6c, 0, 11, 0, 0, 0, 4, 0, 5, 0, 0, 0, 1, 2], false), { desegOffset: 0, desegLen: 10 });
  assert.deepEqual(run([0x6c, 0, 11, 0, 0, 0, 4, 0, 5, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4, 5, 0, 0, 0], false), { desegOffset: 0, desegLen: 0 });
  // setup reply: 8 + 4 × 2
  assert.deepEqual(run([1, 0, 11, 0, 0, 0, 2, 0, 0, 0], true), { desegOffset: 0, desegLen: 6 });
  assert.deepEqual(run([1, 0, 11, 0, 0, 0, 2, 0, ...new Array(8).fill(0)], true), { desegOffset: 0, desegLen: 0 });
  // NoOperation of 1 word, then one of 3 words with 4 bytes present
  assert.deepEqual(run([127, 0, 1, 0, 127, 0, 3, 0], false), { desegOffset: 4, desegLen: 8 });
  // BIG-REQUESTS: length 0, 32-bit length 5 words
  assert.deepEqual(run([127, 0, 0, 0, 5, 0, 0, 0], false), { desegOffset: 0, desegLen: 12 });
  // a reply of 32 + 4 bytes, 16 present
  assert.deepEqual(run([1, 0, 2, 0, 1, 0, 0, 0, ...new Array(8).fill(0)], true), { desegOffset: 0, desegLen: 20 });
  const mid = newPduDissector(PDU_X11)!;
  const d = new Uint8Array([127, 0, 9, 0]);
  const ops: HttpColumnOp[] = [];
  assert.deepEqual(mid.dissect({ d, start: 0, end: 4, capEnd: 4, canDeseg: true, fromServer: false, frame: 1, ops }), { desegOffset: 0, desegLen: 0 });
  assert.equal(ops.length, 0);
});

test('random bytes never throw and never ask for data before the buffer', () => {
  let seed = 0x2545f491;
  const rnd = (): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  for (const proto of [PDU_TLS, PDU_SSH, PDU_BITTORRENT, PDU_MQTT, PDU_THRIFT, PDU_X11]) {
    const dis = newPduDissector(proto)!;
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(rnd() * 80);
      const d = new Uint8Array(n);
      for (let k = 0; k < n; k++) d[k] = rnd() < 0.3 ? [0, 3, 20, 22, 23, 0x53, 0x80, 1, 11][Math.floor(rnd() * 9)]! : Math.floor(rnd() * 256);
      const cap = Math.floor(rnd() * (n + 1));
      const r = dis.dissect({ d, start: 0, end: n, capEnd: cap, canDeseg: cap === n && rnd() < 0.9, fromServer: rnd() < 0.5, frame: i + 1, ops: [] });
      assert.ok(r.desegOffset >= 0 && r.desegOffset <= n, `proto ${proto} offset ${r.desegOffset} of ${n}`);
    }
  }
});
