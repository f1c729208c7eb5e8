/**
 * TCP header (RFC 9293 §3.1) as Wireshark 4.0's dissect_tcp reads it.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                    Options                    |    Padding    |
 *
 * tcp.len = (reported bytes of the segment: the IP length, or the frame when the IP length lies)
 * − header length; never from the captured bytes. It is absent (hasLen false) in a fragmented
 * datagram, inside an ICMP error, and when the segment is shorter than its header.
 * Data offset < 5: "Bogus TCP header length", nothing after the offset is dissected.
 * Partial headers are kept (hdrAvailable): ports need 4 bytes, the rest of the fixed header 16
 * (Wireshark reads seq…window before adding them), seq alone 8 inside an ICMP error. A non-empty
 * segment with fewer than 4 bytes still adds the tcp layer (tcpPortsCut), as tshark's TCP
 * dissector is called and throws at once.
 *
 * Ownership: payloadOffset/capturedLen point into record.data.
 */
import type { DecodeState } from './state.js';
import type { DecodedPacket, TcpHeader } from './packet.js';
import { decodeTcpOptions } from './tcp-options.js';
import { NONE } from './state.js';

export const TH_FIN = 0x001;
export const TH_SYN = 0x002;
export const TH_RST = 0x004;
export const TH_PUSH = 0x008;
export const TH_ACK = 0x010;
export const TH_URG = 0x020;
export const TH_ECE = 0x040;
export const TH_CWR = 0x080;
export const TH_AE = 0x100;
export const TH_RES = 0xe00;

const TCPH_MIN_LEN = 20;

function emptyTcp(off: number): TcpHeader {
  return {
    offset: off,
    length: 0,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    hdrLen: 0,
    flags: 0,
    window: 0,
    checksum: 0,
    urgent: 0,
    len: 0,
    capturedLen: 0,
    payloadOffset: off,
    options: NONE,
    optionKinds: 0,
    hasLen: false,
    hdrAvailable: 0,
    mss: undefined,
    wscale: undefined,
    sackPerm: false,
    sack: NONE,
    tsval: undefined,
    tsecr: undefined,
  };
}

export function decodeTcp(s: DecodeState, off: number, end: number): void {
  const pkt = s.pkt;
  if (!s.need('tcp', off, 4, end, 'TCP ports')) {
    // tshark calls TCP for any non-empty segment: reading the ports throws, so frame.protocols
    // ends in tcp while no TCP item exists (pkt.tcp stays undefined; see tcpPortsCut).
    if (end > off && !s.fragmented && !s.inError) pkt.layers.push('tcp');
    return;
  }
  pkt.layers.push('tcp');
  const tcp = emptyTcp(off);
  pkt.tcp = tcp;
  tcp.srcPort = s.u16(off);
  tcp.dstPort = s.u16(off + 2);
  const have = s.avail(off, end);
  tcp.hdrAvailable = have;
  if (have < 16) {
    if (s.inError && have >= 8) tcp.seq = s.u32(off + 4);
    tcp.length = have;
    s.need('tcp', off, 16, end, 'TCP header');
    return;
  }
  tcp.seq = s.u32(off + 4);
  tcp.ack = s.u32(off + 8);
  const hlen = (s.u8at(off + 12) >> 4) * 4;
  tcp.hdrLen = hlen;
  tcp.flags = s.u16(off + 12) & 0x0fff;
  tcp.window = s.u16(off + 14);
  tcp.length = hlen;
  const reported = end - off;
  if (!s.fragmented && !s.inError && reported >= hlen) {
    tcp.hasLen = true;
    tcp.len = reported - hlen;
  } else if (!s.fragmented && !s.inError) {
    s.addIssue('ERR_TCP_SHORT_SEGMENT', 'tcp', off,
      'Short segment. Segment/fragment does not contain a full TCP header');
  }
  if (hlen < TCPH_MIN_LEN) {
    tcp.hdrAvailable = 16;
    s.addIssue('ERR_TCP_BAD_DATA_OFFSET', 'tcp', off + 12,
      `Bogus TCP header length (${hlen}, must be at least ${TCPH_MIN_LEN})`);
    return;
  }
  if (have < TCPH_MIN_LEN) {
    tcp.hdrAvailable = have;
    if (have >= 18) tcp.checksum = s.u16(off + 16);
    s.need('tcp', off, TCPH_MIN_LEN, end, 'TCP header');
    return;
  }
  tcp.checksum = s.u16(off + 16);
  tcp.urgent = s.u16(off + 18);
  tcp.hdrAvailable = have < hlen ? have : hlen;
  if (hlen > TCPH_MIN_LEN) {
    const before = pkt.truncated;
    const nIssues = pkt.issues.length;
    decodeTcpOptions(s, tcp, off + TCPH_MIN_LEN, off + hlen, end);
    // Wireshark stops dissecting the segment when the options throw (cut or past the end).
    if ((pkt.truncated && !before) || hlen > reported && pkt.issues.length > nIssues) return;
  }
  const pay = off + hlen;
  // Clamped to the captured bytes: a header that claims more than was captured has no payload here.
  tcp.payloadOffset = pay < s.cap ? pay : s.cap;
  tcp.capturedLen = s.avail(pay, end);
  pkt.payloadOffset = tcp.payloadOffset;
  pkt.payloadLength = tcp.capturedLen;
}

/**
 * How far dissect_tcp got in a header before an exception (its read order): the fixed header
 * through the window (16 bytes) gives seq, ack and the data offset; a data offset of 5 or more
 * then gives flags and window; 18 bytes the checksum, 20 the urgent pointer. One rule for the
 * fields, the tree and the Info line.
 */
export function tcpReadFixed(t: TcpHeader): boolean {
  return t.hdrAvailable >= 16;
}

/** The header was read through `need` bytes (16 flags/window, 18 checksum, 20 urgent) with a sane data offset. */
export function tcpReadSane(t: TcpHeader, need = 16): boolean {
  return t.hdrAvailable >= need && t.hdrLen >= TCPH_MIN_LEN;
}

/** tshark's expert text for a segment shorter than its header (tcp.short_segment). */
export const SHORT_SEGMENT_TEXT = 'Short segment. Segment/fragment does not contain a full TCP header (might be NMAP or someone else deliberately sending unusual packets)';

/** True when the segment is shorter than its header and tshark says so (its short-segment expert item). */
export function tcpShortSegment(pkt: DecodedPacket): boolean {
  return pkt.tcp !== undefined && !pkt.tcp.hasLen && pkt.issues.some((i) => i.code === 'ERR_TCP_SHORT_SEGMENT');
}

/** True when TCP was reached but its segment is too short (as captured or as reported) for the ports. */
export function tcpPortsCut(pkt: DecodedPacket): boolean {
  return pkt.tcp === undefined && pkt.layers[pkt.layers.length - 1] === 'tcp';
}

/** Which TCP fields tshark 4.0 shows for a header (see tcpShown). */
export interface TcpShown {
  ports: boolean;
  /** tcp.seq (inside an ICMP error tshark shows tcp.seq but not tcp.seq_raw). */
  seq: boolean;
  seqRaw: boolean;
  ack: boolean;
  hdrLen: boolean;
  flags: boolean;
  window: boolean;
  checksum: boolean;
  urgent: boolean;
  /** tcp.len (and the derived nxtseq): TcpHeader.hasLen. */
  len: boolean;
}

/**
 * The fields tshark shows for `t` — complete headers show everything; a header cut by the snaplen,
 * a bogus data offset (< 20) or an ICMP-quoted header shows only what dissect_tcp added before it
 * stopped. `quoted` is true for a header inside an ICMP error (DecodedPacket.icmp.quoted.tcp).
 * Checked against tshark on the whole corpus (scripts/decode-vs-tshark.ts).
 */
export function tcpShown(t: TcpHeader, quoted: boolean): TcpShown {
  const fixed = tcpReadFixed(t);
  const sane = tcpReadSane(t);
  return {
    ports: true,
    seq: fixed || (quoted && t.hdrAvailable >= 8),
    seqRaw: fixed && !quoted,
    ack: sane,
    hdrLen: fixed,
    flags: sane,
    window: sane,
    checksum: tcpReadSane(t, 18),
    urgent: tcpReadSane(t, 20),
    len: t.hasLen,
  };
}
