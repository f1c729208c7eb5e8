/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443): type, code, checksum, the 4 bytes after them as
 * identifier/sequence, and — for error messages — the quoted IP packet, decoded into
 * `icmp.quoted` (a DecodedPacket of its own) the way Wireshark dissects it "in error packet":
 * length fields that run past the quote are not errors there, and the quoted TCP header usually
 * has only ports and sequence number (tcp.hdrAvailable = 8).
 *
 * A snaplen cut inside the quote marks the outer packet truncated (Wireshark rethrows BoundsError).
 */
import { DecodeState, newPacket } from './state.js';
import { decodeIpAny } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

const ICMP_ERROR_TYPES = new Set([3, 4, 5, 11, 12]); // unreach, source quench, redirect, time exceeded, param problem
const ICMPV6_ERROR_TYPES = new Set([1, 2, 3, 4]); // unreach, too big, time exceeded, param problem

export function decodeIcmp(s: DecodeState, off: number, end: number): void {
  decodeIcmpCommon(s, off, end, 4);
}

export function decodeIcmpv6(s: DecodeState, off: number, end: number): void {
  decodeIcmpCommon(s, off, end, 6);
}

function decodeIcmpCommon(s: DecodeState, off: number, end: number, version: 4 | 6): void {
  const pkt = s.pkt;
  const layer = version === 4 ? 'icmp' : 'icmpv6';
  pkt.layers.push(layer);
  if (!s.need(layer, off, 4, end, 'ICMP header')) return;
  const type = s.u8at(off);
  const icmp = {
    offset: off,
    length: 4,
    version,
    type,
    code: s.u8at(off + 1),
    checksum: s.u16(off + 2),
    quoted: undefined as import('./packet.js').DecodedPacket | undefined,
    ident: 0,
    seqNum: 0,
  };
  pkt.icmp = icmp;
  // Wireshark reads bytes 4..7 for every type it knows (identifier/sequence, unused, pointer,
  // gateway, MTU), so a header shorter than 8 bytes is cut (or malformed) for all practical types.
  if (!s.need(layer, off, 8, end, 'ICMP header')) return;
  icmp.ident = s.u16(off + 4);
  icmp.seqNum = s.u16(off + 6);
  icmp.length = 8;
  const isError = version === 4 ? ICMP_ERROR_TYPES.has(type) : ICMPV6_ERROR_TYPES.has(type);
  if (!isError || s.inError) {
    // Wireshark does not dissect a quote inside a quote; the rest is ICMP data.
    pkt.payloadOffset = off + 8 < s.cap ? off + 8 : s.cap;
    pkt.payloadLength = s.avail(off + 8, end);
    return;
  }
  const inner = newPacket(pkt.linkType);
  const sub = new DecodeState();
  sub.begin(s.u8, inner);
  sub.cap = s.cap;
  sub.inError = true;
  sub.depth = s.depth;
  if (end > off + 8) {
    if (version === 4) decodeIpAny(sub, off + 8, end);
    else decodeIpv6(sub, off + 8, end);
  }
  icmp.quoted = inner;
  if (inner.truncated) s.markTruncated(inner.truncatedLayer ?? layer);
}
