/**
 * PPP in HDLC-like framing (RFC 1662; LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50) and Cisco HDLC, which
 * Wireshark recognises in the same link type by its address byte (0x0f unicast, 0x8f multicast).
 *
 *   PPP:   [ff 03] protocol(1 or 2: odd first byte = compressed) payload
 *   CHDLC: address(1) control(1) protocol(2, an EtherType) payload
 *
 * PPP protocols handed on: 0x0021 IPv4, 0x0057 IPv6; others are data.
 */
import type { DecodeState } from './state.js';
import { decodeEtherType, decodeData } from './dispatch.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

const PPP_IP = 0x0021;
const PPP_IPV6 = 0x0057;
const CHDLC_ADDR_UNICAST = 0x0f;
const CHDLC_ADDR_MULTICAST = 0x8f;

export function decodePppHdlc(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('ppp');
  if (!s.need('ppp', off, 1, end, 'PPP header')) return end;
  const b0 = s.u8at(off);
  if (b0 === CHDLC_ADDR_UNICAST || b0 === CHDLC_ADDR_MULTICAST) {
    if (!s.need('ppp', off, 4, end, 'Cisco HDLC header')) return end;
    const protocol = s.u16(off + 2);
    pkt.ppp = { offset: off, length: 4, chdlc: true, address: b0, control: s.u8at(off + 1), protocol };
    return decodeEtherType(s, protocol, off + 4, end);
  }
  let p = off;
  let address = -1, control = -1;
  if (s.avail(off, end) >= 2 && s.u16(off) === 0xff03) {
    address = 0xff;
    control = 0x03;
    p += 2;
  }
  pkt.layers.pop();
  const r = decodePppProtocolAt(s, off, p, end, address, control);
  return r;
}

/** A PPP protocol field at `off` (PPPoE sessions have no address/control bytes). */
export function decodePppProtocol(s: DecodeState, off: number, end: number): number {
  return decodePppProtocolAt(s, off, off, end, -1, -1);
}

function decodePppProtocolAt(s: DecodeState, hdrOff: number, off: number, end: number, address: number, control: number): number {
  const pkt = s.pkt;
  pkt.layers.push('ppp');
  if (!s.need('ppp', off, 1, end, 'PPP protocol')) return end;
  let protocol = s.u8at(off);
  let plen = 1;
  if ((protocol & 1) === 0) {
    if (!s.need('ppp', off, 2, end, 'PPP protocol')) return end;
    protocol = s.u16(off);
    plen = 2;
  }
  pkt.ppp = { offset: hdrOff, length: off - hdrOff + plen, chdlc: false, address, control, protocol };
  const pay = off + plen;
  switch (protocol) {
    case PPP_IP: return decodeIpv4(s, pay, end);
    case PPP_IPV6: return decodeIpv6(s, pay, end);
    default: return decodeData(s, pay, end);
  }
}
