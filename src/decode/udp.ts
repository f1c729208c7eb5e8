/**
 * UDP header (RFC 768): source port, destination port, length, checksum — 8 bytes. Only the
 * facts present/ needs for a one-line summary; the payload is not dissected further, except
 * Teredo (RFC 4380, UDP port 3544), which carries IPv6 and so possibly TCP.
 */
import type { DecodeState } from './state.js';
import { decodeIpv6 } from './ipv6.js';

const UDP_PORT_TEREDO = 3544;

export function decodeUdp(s: DecodeState, off: number, end: number): void {
  const pkt = s.pkt;
  pkt.layers.push('udp');
  if (!s.need('udp', off, 8, end, 'UDP header')) return;
  const udpLength = s.u16(off + 4);
  pkt.udp = { offset: off, length: 8, srcPort: s.u16(off), dstPort: s.u16(off + 2), udpLength, checksum: s.u16(off + 6) };
  if (!s.inError && (udpLength < 8 || off + udpLength > end)) {
    s.addIssue('ERR_UDP_BAD_LEN', 'udp', off + 4, `Bad UDP length ${udpLength} (${end - off} bytes in the datagram)`);
  }
  const pay = off + 8;
  let pend = udpLength >= 8 && off + udpLength <= end ? off + udpLength : end;
  if (pend < pay) pend = pay;
  pkt.payloadOffset = pay;
  pkt.payloadLength = s.avail(pay, pend);
  if ((pkt.udp.srcPort === UDP_PORT_TEREDO || pkt.udp.dstPort === UDP_PORT_TEREDO) && !s.inError) decodeTeredo(s, pay, pend);
}

/**
 * Teredo: an optional authentication indicator (00 01 idlen aulen id au nonce(8) confirmation(1))
 * and an optional origin indication (00 00 port(2) address(4)), then an IPv6 packet. As in
 * Wireshark (registered on UDP port 3544, heuristic off), anything else is left as UDP payload.
 */
function decodeTeredo(s: DecodeState, off: number, end: number): void {
  let p = off;
  if (s.avail(p, end) < 2) return;
  if (s.u16(p) === 1) {
    if (s.avail(p, end) < 4) return;
    p += 13 + s.u8at(p + 2) + s.u8at(p + 3);
    if (s.avail(p, end) < 2) return;
  }
  if (s.u16(p) === 0) {
    p += 8;
    if (s.avail(p, end) < 1) return;
  }
  if (s.u8at(p) >> 4 !== 6) return;
  s.pkt.layers.push('teredo');
  decodeIpv6(s, p, end);
}
