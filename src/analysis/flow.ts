/**
 * Conversation keys for TCP (spec/tcp-analysis.md §2.1): the unordered pair
 * {(srcIP, srcPort), (dstIP, dstPort)}, so both directions find the same stream, plus which of
 * the stream's two direction slots the packet belongs to.
 *
 * Direction follows Wireshark's rule (compare address bytes, then ports; source greater ⇒ slot 1,
 * otherwise slot 2). It is invisible in the output but keeps src == dst captures consistent.
 * VLAN and interface are not part of the key (tshark 4.0 has no deinterlacing).
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';

export interface FlowKey {
  /** Canonical key of the 4-tuple, the same for both directions. */
  key: string;
  /** True when the packet's source endpoint sorts above its destination (Wireshark's flow1). */
  srcIsFlow1: boolean;
}

/** Which IP header carries the TCP segment: the innermost one before 'tcp' in the layer list. */
export function innerIp(pkt: DecodedPacket): 'ip' | 'ipv6' | undefined {
  // Without an IPv6 header it can only be the IPv4 one (no walk: this runs once per frame).
  if (pkt.ip6 === undefined) return pkt.ip4 !== undefined ? 'ip' : undefined;
  const ls = pkt.layers;
  for (let i = ls.length - 1; i >= 0; i--) {
    const l = ls[i];
    if (l === 'ip' || l === 'ipv6') return l;
  }
  return pkt.ip4 ? 'ip' : pkt.ip6 ? 'ipv6' : undefined;
}

/**
 * The packet whose TCP header the analysis reads: the frame itself, or the packet quoted in its
 * ICMP error (that header still finds its stream, §3.3); undefined when neither carries TCP.
 */
export function tcpPacketOf(pkt: DecodedPacket): DecodedPacket | undefined {
  if (pkt.tcp !== undefined) return pkt;
  const q = pkt.icmp?.quoted;
  return q !== undefined && q.tcp !== undefined ? q : undefined;
}

const fromCodes = String.fromCharCode;

/**
 * An IPv4 conversation key as numbers: `a`/`b` the two addresses (as int32) and `ports` both
 * ports (high half `a`'s), in the canonical order — the endpoint that is not flow1 first.
 */
export interface Ip4Key {
  a: number;
  b: number;
  ports: number;
  srcIsFlow1: boolean;
}

/** Fills `out` with the IPv4 conversation key of a packet from `src`:`sp` to `dst`:`dp`. */
export function ip4KeyOf(src: number, dst: number, sp: number, dp: number, out: Ip4Key): void {
  const a = src >>> 0;
  const b = dst >>> 0;
  const srcIsFlow1 = a > b || (a === b && sp > dp);
  out.srcIsFlow1 = srcIsFlow1;
  if (srcIsFlow1) {
    out.a = b | 0;
    out.b = a | 0;
    out.ports = (dp << 16) | sp;
  } else {
    out.a = a | 0;
    out.b = b | 0;
    out.ports = (sp << 16) | dp;
  }
}

const k4: Ip4Key = { a: 0, b: 0, ports: 0, srcIsFlow1: false };

/** 16 address bytes as 8 UTF-16 code units (big-endian pairs: code-unit order = byte order). */
function ip6Key(data: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 16; i += 2) s += fromCodes(((data[off + i] ?? 0) << 8) | (data[off + i + 1] ?? 0));
  return s;
}

/**
 * The conversation key of a TCP packet, or undefined when it has no IP addresses to key on.
 * Keys are short strings of 16-bit code units (address halves, then port): cheap to build and
 * hash (intentional: this runs once per frame; ~3x faster than decimal text keys).
 */
export function flowKeyOf(record: CaptureRecord, pkt: DecodedPacket, srcPort: number, dstPort: number): FlowKey | undefined {
  const which = innerIp(pkt);
  if (which === 'ip' && pkt.ip4) {
    const k = k4;
    ip4KeyOf(pkt.ip4.src, pkt.ip4.dst, srcPort, dstPort, k);
    // One fromCharCode call: a flat string (concatenation made a rope that Map.get flattened).
    const key = fromCodes(0x34, k.a >>> 16, k.a & 0xffff, k.ports >>> 16, k.b >>> 16, k.b & 0xffff, k.ports & 0xffff);
    return { key, srcIsFlow1: k.srcIsFlow1 };
  }
  if (which === 'ipv6' && pkt.ip6) {
    const sa = ip6Key(record.data, pkt.ip6.srcOffset);
    const da = ip6Key(record.data, pkt.ip6.dstOffset);
    const srcIsFlow1 = sa > da || (sa === da && srcPort > dstPort);
    const ka = sa + fromCodes(srcPort);
    const kb = da + fromCodes(dstPort);
    return { key: srcIsFlow1 ? '6' + kb + ka : '6' + ka + kb, srcIsFlow1 };
  }
  return undefined;
}
