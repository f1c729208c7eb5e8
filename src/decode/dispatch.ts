/**
 * Hand-off tables: EtherType and IP protocol number → layer decoder (Wireshark's
 * "ethertype" / "ip.proto" dissector tables, gopacket's EnumMetadata).
 *
 * Every decoder has the shape (state, offset, reportedEnd) and returns the reported end of the
 * PDU it recognised (IPv4 narrows it to the total length), so link layers can find their trailer.
 */
import type { DecodeState } from './state.js';
import { decodeIpv4, decodeIpAny } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeIcmp, decodeIcmpv6 } from './icmp.js';
import { decodeVlan, decodeLlc } from './ethernet.js';
import { decodePppProtocol } from './ppp.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100; // 802.1Q C-tag
export const ETHERTYPE_QINQ = 0x88a8; // 802.1ad S-tag
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTI = 0x8848;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;
export const IPPROTO_MIPV6 = 135;
export const IPPROTO_SHIM6 = 140;

/** Decodes the payload of an EtherType-labelled field. Unknown types become 'data'. */
export function decodeEtherType(s: DecodeState, type: number, off: number, end: number): number {
  if (++s.depth > 16) return stopDeep(s, off, end);
  switch (type) {
    case ETHERTYPE_IPV4: return decodeIpv4(s, off, end);
    case ETHERTYPE_IPV6: return decodeIpv6(s, off, end);
    case ETHERTYPE_VLAN:
    case ETHERTYPE_QINQ:
    case ETHERTYPE_QINQ_OLD: return decodeVlan(s, type, off, end);
    case ETHERTYPE_PPPOE_SESSION: return decodePppoe(s, off, end);
    case ETHERTYPE_ARP: return decodeArp(s, off, end);
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTI: return decodeMpls(s, off, end);
    default:
      return decodeData(s, off, end);
  }
}

/** Decodes an upper-layer protocol after IPv4 / the IPv6 extension chain. */
export function decodeIpProto(s: DecodeState, proto: number, off: number, end: number): void {
  if (++s.depth > 16) { stopDeep(s, off, end); return; }
  switch (proto) {
    case IPPROTO_TCP: decodeTcp(s, off, end); return;
    case IPPROTO_UDP: decodeUdp(s, off, end); return;
    case IPPROTO_ICMP: decodeIcmp(s, off, end); return;
    case IPPROTO_ICMPV6: decodeIcmpv6(s, off, end); return;
    case IPPROTO_IPIP: decodeIpAny(s, off, end); return;
    case IPPROTO_IPV6: decodeIpv6(s, off, end); return;
    default: decodeData(s, off, end);
  }
}

/** Undissected bytes: marks them as payload ('data' layer when non-empty). */
export function decodeData(s: DecodeState, off: number, end: number): number {
  if (end > off) s.pkt.layers.push('data');
  s.setPayload(off, end);
  return end;
}

function stopDeep(s: DecodeState, off: number, end: number): number {
  s.addIssue('ERR_DECODE_TOO_DEEP', 'data', off, 'Too many nested headers; the rest is shown as data');
  return decodeData(s, off, end);
}

/**
 * MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit; then IPv4 or IPv6 by
 * the first nibble, as Wireshark guesses. Pseudowires (nibble 0) are shown as data.
 */
function decodeMpls(s: DecodeState, off: number, end: number): number {
  s.pkt.layers.push('mpls');
  let p = off;
  for (let n = 0; ; n++) {
    if (n >= 16) {
      s.addIssue('ERR_MPLS_TOO_DEEP', 'mpls', p, 'More than 16 MPLS labels');
      return decodeData(s, p, end);
    }
    if (!s.need('mpls', p, 4, end, 'MPLS label')) return end;
    const bos = (s.u8at(p + 2) & 1) !== 0;
    p += 4;
    if (bos) break;
  }
  if (s.avail(p, end) >= 1) {
    const v = s.u8at(p) >> 4;
    if (v === 4) return decodeIpv4(s, p, end);
    if (v === 6) return decodeIpv6(s, p, end);
  }
  return decodeData(s, p, end);
}

/**
 * ARP (RFC 826): 8 fixed bytes, then sender/target hardware and protocol addresses. Returns the
 * ARP length so the Ethernet padding after it is found (Wireshark sets the reported length to it;
 * an ARP longer than the frame is malformed).
 */
function decodeArp(s: DecodeState, off: number, end: number): number {
  s.pkt.layers.push('arp');
  if (!s.need('arp', off, 8, end, 'ARP header')) return end;
  const hwSize = s.u8at(off + 4);
  const protoSize = s.u8at(off + 5);
  const tot = 8 + 2 * hwSize + 2 * protoSize;
  if (off + tot > end) {
    s.addIssue('ERR_DECODE_SHORT', 'arp', off, `ARP needs ${tot} bytes, only ${end - off} left`);
    return end;
  }
  if (!s.need('arp', off, tot, end, 'ARP addresses')) return end;
  s.pkt.arp = {
    offset: off, length: tot, hwType: s.u16(off), protoType: s.u16(off + 2), hwSize, protoSize, opcode: s.u16(off + 6),
    senderHwOffset: off + 8, senderProtoOffset: off + 8 + hwSize,
    targetHwOffset: off + 8 + hwSize + protoSize, targetProtoOffset: off + 8 + 2 * hwSize + protoSize,
  };
  s.setPayload(off + tot, off + tot);
  return off + tot;
}

/** PPPoE session stage (RFC 2516): 6-byte header, then a PPP protocol field. */
function decodePppoe(s: DecodeState, off: number, end: number): number {
  if (!s.need('ppp', off, 6, end, 'PPPoE header')) return end;
  const len = s.u16(off + 4);
  let pend = off + 6 + len;
  if (pend > end) pend = end;
  decodePppProtocol(s, off + 6, pend);
  return pend;
}

export { decodeLlc };
