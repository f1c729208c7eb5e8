/**
 * IPv4 (RFC 791 §3.1) as Wireshark 4.0's packet-ip.c dissects it.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options                    |    Padding    |
 *
 * Matches tshark 4.0:
 * - IHL < 5: "Bogus IP header length", nothing further is dissected.
 * - Total length < IHL*4: "Bogus IP length" and stop — except 0, taken as TCP segmentation
 *   offload (ip.tso_support is on by default): the frame's reported length is used instead.
 * - Total length > the bytes the frame reports: "IPv4 total length exceeds packet length", and the
 *   frame length is used (not in ICMP-quoted packets, which are short by design).
 * - Fragments with offset > 0 are not dissected. A first fragment (MF set) whose bytes are all
 *   captured goes to reassembly in Wireshark, so it is not dissected either; tcplab does not
 *   reassemble (the reassembled TCP segment Wireshark shows in the last fragment is not shown).
 * - ip.dst follows a strict/loose source route option to its final hop.
 */
import type { DecodeState } from './state.js';
import { NONE, pushTunnel } from './state.js';
import type { IpOption, Ipv4Header } from './packet.js';
import { decodeIpProto, decodeData } from './dispatch.js';
import { decodeIpv6 } from './ipv6.js';

const IPH_MIN_LEN = 20;
const IPOPT_EOOL = 0;
const IPOPT_NOP = 1;
const IPOPT_LSR = 0x83;
const IPOPT_SSR = 0x89;

/** Raw IP (LINKTYPE_RAW, IP-in-IP): picks IPv4 or IPv6 by the version nibble. */
export function decodeIpAny(s: DecodeState, off: number, end: number): number {
  if (!s.need('ip', off, 1, end, 'IP version')) return end;
  const v = s.u8at(off) >> 4;
  if (v === 4) return decodeIpv4(s, off, end);
  if (v === 6) return decodeIpv6(s, off, end);
  s.pkt.layers.push('ip');
  s.addIssue('ERR_IP_BAD_VERSION', 'ip', off, `Bogus IP version (${v})`);
  return end;
}

export function decodeIpv4(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  if (!s.need('ip', off, 1, end, 'IPv4 header')) { pkt.layers.push('ip'); return end; }
  const b0 = s.u8at(off);
  const version = b0 >> 4;
  if (version === 6) {
    // Wireshark: an IPv6 packet labelled as IPv4 (seen in Linux cooked captures) is dissected as IPv6.
    pkt.layers.push('ip');
    s.addIssue('ERR_IP_BAD_VERSION', 'ip', off, 'Bogus IPv4 version (6, must be 4)');
    return decodeIpv6(s, off, end);
  }
  pkt.layers.push('ip');
  if (version !== 4) {
    // Wireshark shows only the version and stops.
    s.addIssue('ERR_IP_BAD_VERSION', 'ip', off, `Bogus IPv4 version (${version}, must be 4)`);
    return end;
  }
  const hlen = (b0 & 15) * 4;
  if (hlen < IPH_MIN_LEN) {
    s.addIssue('ERR_IP_BAD_HDR_LEN', 'ip', off, `Bogus IP header length (${hlen}, must be at least ${IPH_MIN_LEN})`);
    return end;
  }
  if (!s.need('ip', off, IPH_MIN_LEN, end, 'IPv4 header')) return end;
  let totalLen = s.u16(off + 2);
  let pduEnd = end;
  if (totalLen < hlen) {
    if (totalLen === 0) {
      // TSO: "reported as 0, presumed to be because of TCP segmentation offload".
      totalLen = end - off;
    } else {
      s.addIssue('ERR_IP_BAD_TOTAL_LEN', 'ip', off + 2, `Bogus IP length (${totalLen}, less than header length ${hlen})`);
      if (pkt.ip4 !== undefined) pushTunnel(pkt, pkt.ip4);
      pkt.ip4 = makeHeader(s, off, hlen, totalLen);
      return end;
    }
  } else if (off + totalLen > end) {
    if (!s.inError) {
      s.addIssue('ERR_IP_BAD_TOTAL_LEN', 'ip', off + 2, `IPv4 total length exceeds packet length (${end - off} bytes)`);
    }
  } else {
    pduEnd = off + totalLen;
  }
  const ip = makeHeader(s, off, hlen, totalLen);
  if (pkt.ip4 !== undefined) pushTunnel(pkt, pkt.ip4);
  pkt.ip4 = ip;
  if (hlen > IPH_MIN_LEN) {
    if (!decodeOptions(s, ip, off + IPH_MIN_LEN, off + hlen, pduEnd)) return pduEnd;
  }
  const payload = off + hlen;
  if (ip.fragOffset !== 0) {
    decodeData(s, payload, pduEnd);
    return pduEnd;
  }
  if ((ip.flags & 1) !== 0) {
    // First fragment: Wireshark adds it to reassembly when all its bytes were captured (checksum
    // checking is off by default), and then does not dissect it.
    if (totalLen > hlen && s.avail(payload, pduEnd) >= totalLen - hlen && payload + totalLen - hlen <= pduEnd) {
      decodeData(s, payload, pduEnd);
      return pduEnd;
    }
  }
  const saveFrag = s.fragmented;
  s.fragmented = (ip.flags & 1) !== 0;
  if (pduEnd > payload) decodeIpProto(s, ip.proto, payload, pduEnd);
  s.fragmented = saveFrag;
  return pduEnd;
}

function makeHeader(s: DecodeState, off: number, hlen: number, totalLen: number): Ipv4Header {
  const fl = s.u16(off + 6);
  return {
    offset: off,
    length: hlen,
    version: 4,
    hdrLen: hlen,
    dsfield: s.u8at(off + 1),
    totalLen,
    id: s.u16(off + 4),
    flags: fl >> 13,
    fragOffset: fl & 0x1fff,
    ttl: s.u8at(off + 8),
    proto: s.u8at(off + 9),
    checksum: s.u16(off + 10),
    src: s.u32(off + 12),
    dst: s.u32(off + 16),
    srcOffset: off + 12,
    dstOffset: off + 16,
    options: NONE,
    isFragment: (fl & 0x3fff) !== 0,
  };
}

/**
 * Walks the options in [off, optEnd). Returns false when the header is cut by the snaplen (the
 * rest is not dissected). Malformed lengths end the walk with an issue, as in Wireshark.
 */
function decodeOptions(s: DecodeState, ip: Ipv4Header, off: number, optEnd: number, pduEnd: number): boolean {
  if (!s.need('ip', off, optEnd - off, pduEnd < optEnd ? pduEnd : optEnd, 'IPv4 options')) return false;
  let p = off;
  const options: IpOption[] = [];
  ip.options = options;
  while (p < optEnd) {
    const type = s.u8at(p);
    if (type === IPOPT_EOOL || type === IPOPT_NOP) {
      options.push({ offset: p, length: 1, type });
      p++;
      continue;
    }
    if (p + 1 >= optEnd) {
      s.addIssue('ERR_IP_OPT_LEN', 'ip', p, `IPv4 option ${type}: length byte past end of options`);
      break;
    }
    const len = s.u8at(p + 1);
    if (len < 2 || p + len > optEnd) {
      s.addIssue('ERR_IP_OPT_LEN', 'ip', p, `IPv4 option ${type}: bad length ${len}`);
      break;
    }
    options.push({ offset: p, length: len, type });
    if ((type === IPOPT_SSR || type === IPOPT_LSR) && len >= 3) {
      // Final destination = last address of the route (Wireshark get_dst_offset), when the pointer is sane.
      const ptr = s.u8at(p + 2);
      if (ptr >= 4 && (ptr & 3) === 0 && ptr <= len && len >= 7) {
        const a = p + len - 4;
        ip.dst = s.u32(a);
        ip.dstOffset = a;
      }
    }
    p += len;
  }
  return true;
}
