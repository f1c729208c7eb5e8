/**
 * A fast look at the TCP 4-tuple of a frame without decoding it: for sharding frames by
 * connection (parallel read, src/pipeline/shard.ts). Only the plain case is handled — Ethernet,
 * Linux cooked (SLL, SLL2), BSD loopback or raw IP; IPv4 (options allowed, no fragment) or IPv6
 * without extension headers; a complete TCP header with no MPTCP option — and everything else
 * returns false, for the caller to decode the frame properly. Never throws; reads only inside the
 * captured bytes.
 */
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NULL, LINKTYPE_RAW,
} from '../wire/linktype.js';

/** The 4-tuple found by {@link peekTcpTuple}; addresses stay in the frame's bytes. */
export interface PeekedTuple {
  /** 4 or 6. */
  version: number;
  /** IPv4 addresses (version 4). */
  src4: number;
  dst4: number;
  /** Offsets of the 16-byte IPv6 addresses in the frame (version 6). */
  srcOff: number;
  dstOff: number;
  srcPort: number;
  dstPort: number;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;

/** Offset of the IP header and its version (4/6) for the plain link layers, or -1. */
function ipStart(linkType: number, d: Uint8Array): number {
  const n = d.length;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (n < 14) return -1;
      const t = (d[12]! << 8) | d[13]!;
      return t === ETH_IPV4 || t === ETH_IPV6 ? 14 : -1;
    }
    case LINKTYPE_LINUX_SLL: {
      if (n < 16) return -1;
      const t = (d[14]! << 8) | d[15]!;
      return t === ETH_IPV4 || t === ETH_IPV6 ? 16 : -1;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (n < 20) return -1;
      const t = (d[0]! << 8) | d[1]!;
      return t === ETH_IPV4 || t === ETH_IPV6 ? 20 : -1;
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (n < 4) return -1;
      const le = d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24);
      const be = (d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!;
      const af = linkType === LINKTYPE_LOOP ? be : le;
      return af === 2 || af === 24 || af === 28 || af === 30 ? 4 : -1;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return 0;
    default:
      return -1;
  }
}

/**
 * Fills `out` with the TCP 4-tuple of a plain TCP frame and returns true; false when the frame
 * is anything else (not TCP, unusual link or IP layer, fragment, cut short, MPTCP option).
 */
export function peekTcpTuple(linkType: number, d: Uint8Array, origLen: number, out: PeekedTuple): boolean {
  const ip = ipStart(linkType, d);
  if (ip < 0 || origLen !== d.length) return false;
  const n = d.length;
  if (ip >= n) return false;
  const v = d[ip]! >> 4;
  let tcp: number;
  let tcpEnd: number;
  if (v === 4) {
    if (linkType === LINKTYPE_IPV6) return false;
    const ihl = (d[ip]! & 0x0f) * 4;
    if (ihl < 20 || ip + ihl > n) return false;
    if (d[ip + 9] !== 6) return false;
    if (((d[ip + 6]! & 0x3f) | d[ip + 7]!) !== 0) return false; // MF or a fragment offset
    const total = (d[ip + 2]! << 8) | d[ip + 3]!;
    tcpEnd = ip + total;
    if (total < ihl + 20 || tcpEnd > n) return false;
    tcp = ip + ihl;
    out.version = 4;
    out.src4 = ((d[ip + 12]! << 24) | (d[ip + 13]! << 16) | (d[ip + 14]! << 8) | d[ip + 15]!) >>> 0;
    out.dst4 = ((d[ip + 16]! << 24) | (d[ip + 17]! << 16) | (d[ip + 18]! << 8) | d[ip + 19]!) >>> 0;
  } else if (v === 6) {
    if (linkType === LINKTYPE_IPV4 || ip + 40 > n) return false;
    if (d[ip + 6] !== 6) return false;
    const plen = (d[ip + 4]! << 8) | d[ip + 5]!;
    tcpEnd = ip + 40 + plen;
    if (plen < 20 || tcpEnd > n) return false;
    tcp = ip + 40;
    out.version = 6;
    out.srcOff = ip + 8;
    out.dstOff = ip + 24;
  } else {
    return false;
  }
  const hl = (d[tcp + 12]! >> 4) * 4;
  if (hl < 20 || tcp + hl > tcpEnd) return false;
  // Options: an MPTCP option (kind 30) links streams together — not a plain frame.
  for (let o = tcp + 20, e = tcp + hl; o < e;) {
    const kind = d[o]!;
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    if (kind === 30 || o + 1 >= e) return false;
    const len = d[o + 1]!;
    if (len < 2) return false;
    o += len;
  }
  out.srcPort = (d[tcp]! << 8) | d[tcp + 1]!;
  out.dstPort = (d[tcp + 2]! << 8) | d[tcp + 3]!;
  return true;
}
