/**
 * UDP header (RFC 768): source port, destination port, length, checksum — 8 bytes. Only the
 * facts present/ needs for a one-line summary; the payload is not dissected further.
 */
import type { DecodeState } from './state.js';

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
}
