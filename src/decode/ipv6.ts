/**
 * IPv6 (RFC 8200 §3) and its extension-header chain (§4), as Wireshark 4.0's packet-ipv6.c.
 *
 *   +-------+---------------+---------------------------------------+
 *   |Version| Traffic Class |           Flow Label                  |
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   |                  Source Address (16 bytes)                    |
 *   |               Destination Address (16 bytes)                  |
 *
 * Extension headers walked: Hop-by-Hop (0), Routing (43), Fragment (44), AH (51, RFC 4302: length
 * in 4-byte units + 2), Destination Options (60), Mobility (135), Shim6 (140). ESP (50) is a
 * payload container, as in Wireshark. Each header's span is kept in `ext`.
 *
 * Matches tshark 4.0: payload length > the bytes the frame reports → "IPv6 payload length exceeds
 * framing length" and the frame length is used; a packet carrying a Fragment header that is a real
 * fragment (offset > 0 or M set) is not dissected past it (Wireshark reassembles; tcplab does not).
 */
import type { DecodeState } from './state.js';
import { MAX_IPV6_EXT, NONE, pushTunnel } from './state.js';
import type { Ipv6Header } from './packet.js';
import {
  decodeIpProto, decodeData, IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS,
  IPPROTO_MIPV6, IPPROTO_NONE, IPPROTO_ROUTING, IPPROTO_SHIM6,
} from './dispatch.js';

const IPV6_HDR_LEN = 40;

export function decodeIpv6(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('ipv6');
  if (!s.need('ipv6', off, 1, end, 'IPv6 header')) return end;
  const version = s.u8at(off) >> 4;
  if (version !== 6) {
    s.addIssue('ERR_IPV6_BAD_VERSION', 'ipv6', off, `Bogus IPv6 version (${version}, must be 6)`);
    return end;
  }
  if (end - off < IPV6_HDR_LEN && !s.inError) {
    s.addIssue('ERR_IPV6_SHORT_HEADER', 'ipv6', off, `Invalid IPv6 header (${end - off} bytes, need exactly 40)`);
  }
  if (!s.need('ipv6', off, IPV6_HDR_LEN, end, 'IPv6 header')) return end;
  const w0 = s.u32(off);
  const plen = s.u16(off + 4);
  const nxt = s.u8at(off + 6);
  if (plen === 0 && nxt !== IPPROTO_HOPOPTS && nxt !== IPPROTO_NONE && !s.inError) {
    s.addIssue('ERR_IPV6_PLEN_ZERO', 'ipv6', off + 4, 'IPv6 payload length is zero');
  }
  let pduEnd = off + IPV6_HDR_LEN + plen;
  if (pduEnd > end) {
    if (!s.inError) {
      s.addIssue('ERR_IPV6_BAD_PLEN', 'ipv6', off + 4,
        `IPv6 payload length exceeds framing length (${end - off - IPV6_HDR_LEN} bytes)`);
    }
    pduEnd = end;
  }
  const ip6: Ipv6Header = {
    offset: off,
    length: IPV6_HDR_LEN,
    version: 6,
    tclass: (w0 >>> 20) & 0xff,
    flowLabel: w0 & 0xfffff,
    payloadLen: plen,
    nextHeader: nxt,
    hopLimit: s.u8at(off + 7),
    srcOffset: off + 8,
    dstOffset: off + 24,
    ext: NONE,
    proto: nxt,
  };
  if (pkt.ip6 !== undefined) pushTunnel(pkt, pkt.ip6);
  pkt.ip6 = ip6;
  let p = off + IPV6_HDR_LEN;
  let next = nxt;
  const saveFrag = s.fragmented;
  for (let n = 0; ; n++) {
    if (!isExtHeader(next)) break;
    if (n >= MAX_IPV6_EXT) {
      s.addIssue('ERR_IPV6_TOO_MANY_EXT', 'ipv6', p, `More than ${MAX_IPV6_EXT} IPv6 extension headers`);
      decodeData(s, p, pduEnd);
      return pduEnd;
    }
    if (!s.need('ipv6', p, 2, pduEnd, 'IPv6 extension header')) return pduEnd;
    const hnext = s.u8at(p);
    const hlen = next === IPPROTO_FRAGMENT ? 8 : next === IPPROTO_AH ? (s.u8at(p + 1) + 2) * 4 : (s.u8at(p + 1) + 1) * 8;
    if (!s.need('ipv6', p, hlen, pduEnd, 'IPv6 extension header')) return pduEnd;
    let fragOffset = 0, more = false, fragId = 0;
    if (next === IPPROTO_FRAGMENT) {
      const offlg = s.u16(p + 2);
      fragOffset = offlg >> 3;
      more = (offlg & 1) !== 0;
      fragId = s.u32(p + 4);
    }
    if (ip6.ext === NONE) ip6.ext = [];
    ip6.ext.push({ offset: p, length: hlen, type: next, nextHeader: hnext, fragOffset, moreFragments: more, fragId });
    ip6.length += hlen;
    p += hlen;
    next = hnext;
    if (fragOffset !== 0 || more) {
      // A real fragment: Wireshark shows the rest as data until it can reassemble.
      ip6.proto = next;
      decodeData(s, p, pduEnd);
      return pduEnd;
    }
  }
  ip6.proto = next;
  if (next === IPPROTO_NONE) {
    decodeData(s, p, pduEnd);
  } else {
    decodeIpProto(s, next, p, pduEnd);
  }
  s.fragmented = saveFrag;
  return pduEnd;
}

function isExtHeader(nxt: number): boolean {
  return nxt === IPPROTO_HOPOPTS || nxt === IPPROTO_ROUTING || nxt === IPPROTO_FRAGMENT || nxt === IPPROTO_AH
    || nxt === IPPROTO_DSTOPTS || nxt === IPPROTO_MIPV6 || nxt === IPPROTO_SHIM6;
}
