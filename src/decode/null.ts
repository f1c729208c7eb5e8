/**
 * BSD loopback encapsulations: LINKTYPE_NULL (0; a 4-byte AF_ value in the *capturing host's*
 * byte order — macOS lo0 writes little-endian) and LINKTYPE_LOOP (108; network byte order).
 * Byte order of NULL is guessed as Wireshark's packet-null.c does: a value with non-zero upper
 * 16 bits is byte-swapped (or is an IRIX 2-byte AF_ in the upper half). A value > 1500 is an
 * EtherType. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin).
 * A payload starting ff 03 is PPP in HDLC framing (NULL only).
 */
import type { DecodeState } from './state.js';
import { decodeEtherType, decodeData } from './dispatch.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodePppHdlc } from './ppp.js';

const BSD_AF_INET = 2;
const BSD_AF_INET6_BSD = 24;
const BSD_AF_INET6_FREEBSD = 28;
const BSD_AF_INET6_DARWIN = 30;
const IEEE_802_3_MAX_LEN = 1500;

export function decodeNull(s: DecodeState, off: number, end: number): number {
  if (s.avail(off, end) >= 2 && s.u16(off) === 0xff03) return decodePppHdlc(s, off, end);
  const pkt = s.pkt;
  pkt.layers.push('null');
  if (!s.need('null', off, 4, end, 'Null/Loopback header')) return end;
  let v = s.u32e(off, true);
  let littleEndian = true;
  if ((v & 0xffff0000) !== 0) {
    if ((v & 0xff000000) === 0 && (v & 0x00ff0000) < 0x00060000) {
      v = v >>> 16; // IRIX/UNICOS 2-byte AF_ in the upper half
    } else {
      v = s.u32e(off, false);
      littleEndian = false;
    }
  } else if ((v & 0xff) === 0 && (v & 0xff00) < 0x0600) {
    v = ((v & 0xff00) >> 8) | ((v & 0xff) << 8); // IRIX, wrong byte order
  }
  pkt.null = { offset: off, length: 4, family: v >>> 0, littleEndian };
  return dispatchFamily(s, v >>> 0, off + 4, end);
}

export function decodeLoop(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('loop');
  if (!s.need('loop', off, 4, end, 'OpenBSD loopback header')) return end;
  const v = s.u32(off);
  pkt.null = { offset: off, length: 4, family: v, littleEndian: false };
  return dispatchFamily(s, v, off + 4, end);
}

function dispatchFamily(s: DecodeState, family: number, off: number, end: number): number {
  if (family > IEEE_802_3_MAX_LEN) return decodeEtherType(s, family & 0xffff, off, end);
  switch (family) {
    case BSD_AF_INET: return decodeIpv4(s, off, end);
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN: return decodeIpv6(s, off, end);
    default: return decodeData(s, off, end);
  }
}
