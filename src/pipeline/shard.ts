/**
 * Sharding frames by TCP connection, for the parallel read (src/cli/read-parallel.ts): every
 * frame of one conversation — both directions, retransmissions, an ICMP error quoting one of its
 * segments — gets the same hash, so one worker sees the whole conversation in capture order and
 * its TCP analysis equals the single-threaded one. The hash is FNV-1a over exactly the code units
 * of the analysis' conversation key (analysis/flow.ts flowKeyOf), computed from the bytes for
 * plain frames (decode/peek.ts) and from the decoded packet otherwise, so the two paths agree.
 */
import type { CaptureRecord } from '../wire/record.js';
import { PacketDecoder } from '../decode/decoder.js';
import { peekTcpTuple, type PeekedTuple } from '../decode/peek.js';
import { flowKeyOf, tcpPacketOf } from '../analysis/flow.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(h: number, code: number): number {
  return Math.imul(h ^ code, FNV_PRIME);
}

/**
 * Spreads every bit of h over the low bits (murmur3's finaliser): FNV-1a's low bit is only the
 * parity of the code units, and Linux hands out even ephemeral ports to connect(), so h % 2
 * alone put every loopback connection on one worker.
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The shard hash of a conversation key (FNV-1a of its UTF-16 code units, finished). */
export function hashKey(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = mix(h, key.charCodeAt(i));
  return finish(h);
}

function mixAddr4(h: number, a: number, port: number): number {
  return mix(mix(mix(h, a >>> 16), a & 0xffff), port);
}

function mixAddr6(h: number, d: Uint8Array, off: number, port: number): number {
  for (let i = 0; i < 16; i += 2) h = mix(h, (d[off + i]! << 8) | d[off + i + 1]!);
  return mix(h, port);
}

/** Compares two 16-byte addresses as the key's code units compare (big-endian 16-bit words). */
function cmp6(d: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 16; i++) {
    const x = d[a + i]!, y = d[b + i]!;
    if (x !== y) return x - y;
  }
  return 0;
}

export const NOT_TCP = -1;
/** The frame carries an MPTCP option: its subflows share state across connections. */
export const MPTCP = -2;

export class Sharder {
  private readonly decoder = new PacketDecoder();
  private readonly t: PeekedTuple = { version: 0, src4: 0, dst4: 0, srcOff: 0, dstOff: 0, srcPort: 0, dstPort: 0 };

  /**
   * The conversation hash (≥ 0) of a frame, NOT_TCP for a frame the TCP analysis ignores, or
   * MPTCP when the frame carries an MPTCP option.
   */
  hashOf(record: CaptureRecord): number {
    const d = record.data;
    const t = this.t;
    if (peekTcpTuple(record.linkType, d, record.origLen, t)) {
      const sp = t.srcPort, dp = t.dstPort;
      if (t.version === 4) {
        const a = t.src4, b = t.dst4;
        const srcIsFlow1 = a > b || (a === b && sp > dp);
        let h = mix(FNV_OFFSET, 0x34); // '4'
        h = srcIsFlow1 ? mixAddr4(mixAddr4(h, b, dp), a, sp) : mixAddr4(mixAddr4(h, a, sp), b, dp);
        return finish(h);
      }
      const c = cmp6(d, t.srcOff, t.dstOff);
      const srcIsFlow1 = c > 0 || (c === 0 && sp > dp);
      let h = mix(FNV_OFFSET, 0x36); // '6'
      h = srcIsFlow1 ? mixAddr6(mixAddr6(h, d, t.dstOff, dp), d, t.srcOff, sp) : mixAddr6(mixAddr6(h, d, t.srcOff, sp), d, t.dstOff, dp);
      return finish(h);
    }
    const pkt = this.decoder.decode(record);
    const ipPkt = tcpPacketOf(pkt);
    if (ipPkt === undefined) return NOT_TCP;
    const th = ipPkt.tcp!;
    for (const o of th.options) if (o.kind === 30) return MPTCP;
    const fk = flowKeyOf(record, ipPkt, th.srcPort, th.dstPort);
    return fk === undefined ? NOT_TCP : hashKey(fk.key);
  }
}
