/**
 * udp.* (RFC 768), icmp.* (RFC 792), icmpv6.* (RFC 4443) and data.* fields. TCP has its own table.
 * data.* covers the payload tcplab does not dissect further (tshark's "Data" protocol).
 */
import type { FieldDef, Frame } from './field.js';
import { TA_FAST_RETRANSMISSION, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION } from '../analysis/types.js';
import { bytesAt, field, generated, NO_VALUES, one, present, proto, two, u16 } from './define.js';
import { tcpPortsCut, tcpReadFixed } from '../decode/tcp.js';

const udp = (f: Frame) => f.pkt.udp;
const icmp4 = (f: Frame) => (f.pkt.icmp?.version === 4 ? f.pkt.icmp : undefined);
const icmp6 = (f: Frame) => (f.pkt.icmp?.version === 6 ? f.pkt.icmp : undefined);
/** Echo request/reply (types 0, 8) carry identifier and sequence number. */
const echo4 = (f: Frame) => { const i = icmp4(f); return i && (i.type === 0 || i.type === 8) && i.length >= 8 ? i : undefined; };
const echo6 = (f: Frame) => { const i = icmp6(f); return i && (i.type === 128 || i.type === 129) && i.length >= 8 ? i : undefined; };
const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >> 8);

export const UDP_FIELDS: readonly FieldDef[] = [
  proto('udp', 'User Datagram Protocol', (f) => present(udp(f) !== undefined)),
  field('udp.srcport', 'Source Port', 'FT_UINT16', 'BASE_PT_UDP', 0x0, '', (f) => one(udp(f)?.srcPort)),
  field('udp.dstport', 'Destination Port', 'FT_UINT16', 'BASE_PT_UDP', 0x0, '', (f) => one(udp(f)?.dstPort)),
  field('udp.port', 'Source or Destination Port', 'FT_UINT16', 'BASE_PT_UDP', 0x0, '', (f) => two(udp(f)?.srcPort, udp(f)?.dstPort)),
  field('udp.length', 'Length', 'FT_UINT16', 'BASE_DEC', 0x0, 'Length in octets including this header and the data', (f) => one(udp(f)?.udpLength)),
  field('udp.checksum', 'Checksum', 'FT_UINT16', 'BASE_HEX', 0x0, 'Details at: https://www.wireshark.org/docs/wsug_html_chunked/ChAdvChecksums.html', (f) => one(udp(f)?.checksum)),
  generated('udp.checksum.status', 'Checksum Status', 'FT_UINT8', 'BASE_NONE', 0x0, '', (f) => (udp(f) ? [2] : NO_VALUES)),
  field('udp.payload', 'Payload', 'FT_BYTES', 'BASE_NONE', 0x0, '', (f) => {
    const u = udp(f);
    return u && f.pkt.payloadLength > 0 ? [bytesAt(f, f.pkt.payloadOffset, f.pkt.payloadLength)] : NO_VALUES;
  }),
];

export const ICMP_FIELDS: readonly FieldDef[] = [
  proto('icmp', 'Internet Control Message Protocol', (f) => present(icmp4(f) !== undefined)),
  field('icmp.type', 'Type', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => one(icmp4(f)?.type)),
  field('icmp.code', 'Code', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => one(icmp4(f)?.code)),
  field('icmp.checksum', 'Checksum', 'FT_UINT16', 'BASE_HEX', 0x0, '', (f) => one(icmp4(f)?.checksum)),
  field('icmp.checksum.status', 'Checksum Status', 'FT_UINT8', 'BASE_NONE', 0x0, '', (f) => (icmp4(f) ? [2] : NO_VALUES)),
  field('icmp.ident', 'Identifier (BE)', 'FT_UINT16', 'BASE_DEC_HEX', 0x0, 'Identifier (big endian representation)', (f) => { const i = echo4(f); return i ? [u16(f, i.offset + 4)] : NO_VALUES; }),
  field('icmp.ident_le', 'Identifier (LE)', 'FT_UINT16', 'BASE_DEC_HEX', 0x0, 'Identifier (little endian representation)', (f) => { const i = echo4(f); return i ? [swap16(u16(f, i.offset + 4))] : NO_VALUES; }),
  field('icmp.seq', 'Sequence Number (BE)', 'FT_UINT16', 'BASE_DEC_HEX', 0x0, 'Sequence Number (big endian representation)', (f) => { const i = echo4(f); return i ? [u16(f, i.offset + 6)] : NO_VALUES; }),
  field('icmp.seq_le', 'Sequence Number (LE)', 'FT_UINT16', 'BASE_DEC_HEX', 0x0, 'Sequence Number (little endian representation)', (f) => { const i = echo4(f); return i ? [swap16(u16(f, i.offset + 6))] : NO_VALUES; }),
];

export const ICMPV6_FIELDS: readonly FieldDef[] = [
  proto('icmpv6', 'Internet Control Message Protocol v6', (f) => present(icmp6(f) !== undefined)),
  field('icmpv6.type', 'Type', 'FT_UINT8', 'BASE_DEC', 0x0, 'Indicates the type of the message', (f) => one(icmp6(f)?.type)),
  field('icmpv6.code', 'Code', 'FT_UINT8', 'BASE_DEC', 0x0, 'Depends on the message type.  It is used to create an additional level of message granularity', (f) => one(icmp6(f)?.code)),
  field('icmpv6.checksum', 'Checksum', 'FT_UINT16', 'BASE_HEX', 0x0, 'Used to detect data corruption in the ICMPv6 message and parts of the IPv6 header', (f) => one(icmp6(f)?.checksum)),
  field('icmpv6.echo.identifier', 'Identifier', 'FT_UINT16', 'BASE_HEX', 0x0, 'An identifier to aid in matching with Request and Reply', (f) => { const i = echo6(f); return i ? [u16(f, i.offset + 4)] : NO_VALUES; }),
  field('icmpv6.echo.sequence_number', 'Sequence', 'FT_UINT16', 'BASE_DEC', 0x0, 'A sequence number to aid in matching Echo Replies to this Echo Request', (f) => { const i = echo6(f); return i ? [u16(f, i.offset + 6)] : NO_VALUES; }),
];

/**
 * tcp.no_subdissector_on_error (on by default): the payload of a frame flagged Retransmission or
 * Out-Of-Order (but not Fast/Spurious Retransmission) goes to no dissector, Data included.
 */
export function isRetransmittedData(f: Frame): boolean {
  const a = f.tcp;
  if (!a) return false;
  return (a.flags & (TA_RETRANSMISSION | TA_OUT_OF_ORDER)) !== 0 && (a.flags & (TA_FAST_RETRANSMISSION | TA_SPURIOUS_RETRANSMISSION)) === 0;
}

/**
 * The undissected payload (tshark's Data protocol): the captured TCP/UDP payload (tcplab does not
 * dissect application protocols), or what follows the last decoded layer when decode/ marks it
 * 'data'. Payload cut away by the snaplen is not there: only captured bytes count.
 */
/**
 * The exception an application dissector raised on this frame (analysis/app-pdus.ts: SigComp
 * on a 1-byte segment of port 6666), which ends its dissection: no Data after it.
 */
export function appException(f: Frame): FrameException | undefined {
  const ops = f.app?.ops;
  if (ops === undefined) return undefined;
  for (const o of ops) if (o.op === 'exception') return o;
  return undefined;
}

/** An exception that ended a frame's dissection: tshark's malformed or size-limited marker. */
export interface FrameException {
  kind: 'malformed' | 'limited';
  proto: string;
}

/**
 * The exception that ended this frame's dissection, for the tree's closing item and the
 * _ws.malformed / _ws.short fields: an application dissector's (above), or TCP's own.
 */
export function frameException(f: Frame): FrameException | undefined {
  return appException(f) ?? tcpException(f);
}

/**
 * TCP's own exception: options cut past the segment's end (malformed) or by the snaplen (size
 * limited); the Info text, the tree and the fields all follow this one rule.
 */
export function tcpException(f: Frame): FrameException | undefined {
  const t = f.pkt.tcp;
  // Ports or the rest of the fixed header cut: dissect_tcp throws before adding anything after
  // the ports (or before the ports themselves).
  if (t === undefined) return tcpPortsCut(f.pkt) ? (f.pkt.truncated ? TCP_LIMITED : TCP_MALFORMED) : undefined;
  if (!tcpReadFixed(t)) return f.pkt.truncated ? TCP_LIMITED : TCP_MALFORMED;
  if (t.hdrLen < 20) return undefined;
  // optionsCut also covers a SACK option without a whole block (tshark reads a D-SACK edge past it).
  if (t.hdrAvailable >= t.hdrLen && f.tcp?.optionsCut !== true) return undefined;
  return f.pkt.truncated ? TCP_LIMITED : TCP_MALFORMED;
}

const TCP_LIMITED: FrameException = Object.freeze({ kind: 'limited', proto: 'TCP' });
const TCP_MALFORMED: FrameException = Object.freeze({ kind: 'malformed', proto: 'TCP' });

export function dataBytes(f: Frame): Uint8Array | undefined {
  const p = f.pkt;
  if (appException(f) !== undefined) return undefined;
  // RST payload is a "Reset cause" string, not data (RFC 9293 §3.5.3).
  if (p.tcp) return p.tcp.capturedLen > 0 && (p.tcp.flags & 0x004) === 0 && !isRetransmittedData(f) ? bytesAt(f, p.tcp.payloadOffset, p.tcp.capturedLen) : undefined;
  const i = p.icmp;
  if (i && (i.version === 4 ? i.type === 0 || i.type === 8 : i.type === 128 || i.type === 129)) {
    // Echo payload after the 8-byte header, up to the end of the IP packet.
    const ipEnd = p.ip4 ? p.ip4.offset + p.ip4.totalLen : p.ip6 ? p.ip6.offset + 40 + p.ip6.payloadLen : f.record.capLen;
    const start = i.offset + 8, end = Math.min(ipEnd, f.record.capLen);
    return end > start ? bytesAt(f, start, end - start) : undefined;
  }
  if (p.layers[p.layers.length - 1] !== 'data' && !p.udp) return undefined;
  if (p.payloadLength <= 0) return undefined;
  return bytesAt(f, p.payloadOffset, p.payloadLength);
}

export const DATA_FIELDS: readonly FieldDef[] = [
  // Top-level items of their own in the tree (parent ''), as tshark's show_exception adds them.
  { ...proto('_ws.malformed', 'Malformed Packet', (f) => present(frameException(f)?.kind === 'malformed')), parent: '' },
  { ...proto('_ws.short', 'Short Frame', (f) => present(frameException(f)?.kind === 'limited')), parent: '' },
  proto('data', 'Data', (f) => present(dataBytes(f) !== undefined)),
  field('data.data', 'Data', 'FT_BYTES', 'BASE_NONE', 0x0, '', (f) => one(dataBytes(f))),
  generated('data.len', 'Length', 'FT_INT32', 'BASE_DEC', 0x0, '', (f) => one(dataBytes(f)?.length)),
];
