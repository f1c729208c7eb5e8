/**
 * Robustness of decode/ (ARCHITECTURE.md §2.6): on every frame of every capture in test/fixtures/pcap
 *  - decoding at a nonzero offset inside a larger buffer equals decoding at offset 0;
 *  - every prefix (each length through the headers, then a stride over the payload; origLen kept) decodes without throwing, and a prefix that cuts
 *    the headers reports `truncated` or an issue;
 *  - seeded random byte flips (fixed seed, bounded count) never throw and keep every offset inside
 *    the captured bytes.
 * PacketDecoder.internalErrors (the guarded catch) must stay 0 throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../support/pcap-lite.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import type { DecodedPacket } from '../../src/decode/packet.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import { mulberry32 as prng } from '../../src/util/prng.js';

const FIX = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'pcap');
/** Every capture in test/fixtures/pcap that the test-side reader understands (not gzip). */
const FILES = readdirSync(FIX).filter(f => /\.(pcap|pcapng|cap)$/.test(f)).sort().filter(f => {
  try { return readCaptureFile(join(FIX, f)).records.length > 0; } catch { return false; }
});


function withData(rec: CaptureRecord, data: Uint8Array): CaptureRecord {
  return { ...rec, data, capLen: data.byteLength };
}

/** Where the dissected headers end (payload start), or capLen when nothing is payload. */
function headerEnd(pkt: DecodedPacket, capLen: number): number {
  if (pkt.icmp?.quoted !== undefined) return headerEnd(pkt.icmp.quoted, capLen);
  if (pkt.tcp !== undefined) return pkt.tcp.payloadOffset;
  // An IPv4 datagram with nothing after its header (total length = header): Ethernet padding follows.
  const ip4 = pkt.ip4;
  if (ip4 !== undefined && pkt.layers[pkt.layers.length - 1] === 'ip' && ip4.totalLen === ip4.hdrLen) return ip4.offset + ip4.hdrLen;
  if (pkt.payloadLength > 0 || pkt.payloadOffset > 0) return pkt.payloadOffset;
  return capLen;
}

/** Every offset the packet exposes lies within the captured bytes. */
function assertOffsetsInside(pkt: DecodedPacket, capLen: number, where: string): void {
  assert.ok(pkt.payloadOffset >= 0 && pkt.payloadOffset + pkt.payloadLength <= capLen, `${where}: payload span`);
  const t = pkt.tcp;
  if (t !== undefined) {
    assert.ok(t.payloadOffset + t.capturedLen <= capLen, `${where}: tcp payload span`);
    assert.ok(t.hdrAvailable <= capLen - t.offset, `${where}: tcp hdrAvailable`);
    for (const o of t.options) assert.ok(o.offset + 2 <= capLen || o.offset + o.length <= capLen || o.length === 1, `${where}: option span`);
  }
  if (pkt.ip4 !== undefined) assert.ok(pkt.ip4.dstOffset + 4 <= capLen, `${where}: ip dst`);
  if (pkt.ip6 !== undefined) assert.ok(pkt.ip6.dstOffset + 16 <= capLen, `${where}: ipv6 dst`);
  if (pkt.eth !== undefined) assert.ok(pkt.eth.srcOffset + 6 <= capLen, `${where}: eth src`);
}

for (const file of FILES) {
  test(`robust: ${file}`, () => {
    const recs = readCaptureFile(join(FIX, file)).records;
    assert.ok(recs.length > 0);
    const dec = new PacketDecoder();
    const before = PacketDecoder.internalErrors;
    const rnd = prng(0x7c9 + file.length);
    for (const rec of recs) {
      const full = dec.decode(rec);
      assertOffsetsInside(full, rec.capLen, `#${rec.frameNo}`);

      // Same bytes at offset 13 of a larger buffer (catches byteOffset bugs).
      const big = new Uint8Array(rec.capLen + 29).fill(0xee);
      big.set(rec.data, 13);
      const shifted = dec.decode(withData(rec, big.subarray(13, 13 + rec.capLen)));
      assert.deepEqual(shifted, full, `#${rec.frameNo}: offset 13 differs from offset 0`);

      // decodeInto on a reused packet equals a fresh decode.
      const reused = dec.decodeInto(dec.decode(recs[0]!), rec);
      assert.deepEqual(reused, full, `#${rec.frameNo}: decodeInto differs`);

      // Every prefix.
      const hdrEnd = headerEnd(full, rec.capLen);
      const fullOk = !full.truncated && full.issues.length === 0;
      // Every prefix through the headers (+8), then every 61st byte of the payload.
      for (let n = 0; n < rec.capLen; n += n < hdrEnd + 8 ? 1 : 61) {
        const p = dec.decode(withData(rec, rec.data.subarray(0, n)));
        assertOffsetsInside(p, n, `#${rec.frameNo} prefix ${n}`);
        if (fullOk && n < hdrEnd) {
          assert.ok(p.truncated || p.issues.length > 0, `#${rec.frameNo} prefix ${n} < ${hdrEnd}: neither truncated nor an issue`);
        }
      }

      // Seeded byte flips: 8 mutants per frame, 1..4 bytes each.
      for (let m = 0; m < 8 && rec.capLen > 0; m++) {
        const mut = rec.data.slice();
        const flips = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < flips; k++) mut[Math.floor(rnd() * mut.length)] = Math.floor(rnd() * 256);
        const p = dec.decode(withData(rec, mut));
        assertOffsetsInside(p, mut.length, `#${rec.frameNo} mutant ${m}`);
      }
    }
    assert.equal(PacketDecoder.internalErrors, before, 'the guarded catch was never needed');
  });
}

test('robust: random bytes on every link type, with lying origLen', () => {
  const dec = new PacketDecoder();
  const before = PacketDecoder.internalErrors;
  const rnd = prng(42);
  for (const lt of [0, 1, 9, 12, 14, 50, 51, 101, 108, 113, 228, 229, 239, 276, 147]) {
    for (let i = 0; i < 400; i++) {
      const len = Math.floor(rnd() * 120);
      const data = new Uint8Array(len);
      for (let k = 0; k < len; k++) data[k] = Math.floor(rnd() * 256);
      // Bias towards plausible headers: sometimes start with an IPv4/IPv6 nibble after the link header.
      const origLen = rnd() < 0.5 ? len : len + Math.floor(rnd() * 2000);
      const p = dec.decodeBytes(lt, data, origLen);
      assertOffsetsInside(p, len, `lt ${lt} #${i}`);
    }
  }
  assert.equal(PacketDecoder.internalErrors, before);
});
