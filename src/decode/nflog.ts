/**
 * Linux NFLOG (LINKTYPE_NFLOG 239, https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html).
 *
 *   family(1) version(1) resource id(2, big-endian) then TLVs:
 *   length(2) type(2) value… padded to 4 bytes; length and type are in the capturing host's
 *   byte order (Wireshark reads host order; tcplab picks the order whose first TLV length fits).
 *
 * NFULA_PAYLOAD (9) holds the packet: IPv4 when family = 2, IPv6 when family = 10 — or, when an
 * NFULA_PACKET_HDR (1) gives a hardware protocol, by that EtherType (as Wireshark).
 */
import type { DecodeState } from './state.js';
import { decodeEtherType, decodeData } from './dispatch.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

const NFULA_PACKET_HDR = 1;
const NFULA_PAYLOAD = 9;
const NFULA_PREFIX = 10;
const NFPROTO_IPV4 = 2;
const NFPROTO_IPV6 = 10;
const MAX_TLVS = 256;

export function decodeNflog(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('nflog');
  if (!s.need('nflog', off, 4, end, 'NFLOG header')) return end;
  const nflog = {
    offset: off, length: end - off, family: s.u8at(off), version: s.u8at(off + 1), resourceId: s.u16(off + 2),
    hwProtocol: 0, prefixOffset: 0, prefixLength: 0, payloadOffset: 0, payloadLength: 0,
  };
  pkt.nflog = nflog;
  let p = off + 4;
  // Byte order: little-endian (the usual host) unless the first TLV only makes sense big-endian.
  let le = true;
  if (s.avail(p, end) >= 4) {
    const lLe = s.u16e(p, true);
    const lBe = s.u16e(p, false);
    if ((lLe < 4 || p + lLe > end) && lBe >= 4 && p + lBe <= end) le = false;
  }
  let havePayload = false;
  for (let n = 0; n < MAX_TLVS && end - p >= 4; n++) {
    if (!s.need('nflog', p, 4, end, 'NFLOG TLV')) return end;
    const tlvLen = s.u16e(p, le);
    if (tlvLen < 4) {
      s.addIssue('ERR_NFLOG_TLV_LEN', 'nflog', p, `NFLOG TLV length ${tlvLen} is less than 4`);
      break;
    }
    const type = s.u16e(p + 2, le) & 0x7fff;
    const vlen = tlvLen - 4;
    const vEnd = p + 4 + vlen;
    if (type === NFULA_PACKET_HDR && vlen === 4 && s.avail(p + 4, end) >= 2) nflog.hwProtocol = s.u16(p + 4);
    if (type === NFULA_PREFIX && vlen >= 1) {
      let l = Math.min(vlen, s.avail(p + 4, end));
      while (l > 0 && s.u8at(p + 4 + l - 1) === 0) l--;
      nflog.prefixOffset = p + 4;
      nflog.prefixLength = l;
    }
    if (type === NFULA_PAYLOAD) {
      havePayload = true;
      nflog.payloadOffset = p + 4;
      nflog.payloadLength = vlen;
    }
    p += (tlvLen + 3) & ~3;
    if (vEnd > end) break;
  }
  if (!havePayload) return end;
  const pay = nflog.payloadOffset;
  let pend = pay + nflog.payloadLength;
  if (pend > end) {
    s.addIssue('ERR_NFLOG_TLV_LEN', 'nflog', pay - 4, 'NFLOG payload TLV runs past the end of the packet');
    pend = end;
  }
  nflog.length = pay - off;
  if (nflog.hwProtocol !== 0) decodeEtherType(s, nflog.hwProtocol, pay, pend);
  else if (nflog.family === NFPROTO_IPV4) decodeIpv4(s, pay, pend);
  else if (nflog.family === NFPROTO_IPV6) decodeIpv6(s, pay, pend);
  else decodeData(s, pay, pend);
  return end;
}
