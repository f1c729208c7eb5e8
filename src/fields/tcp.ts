/**
 * tcp.* fields read from the TCP header (RFC 9293 §3.1) and, for the relative numbers, from the
 * analysis (TcpFrameAnalysis). Rows as Wireshark 4.0 registers them (`tshark -G fields`).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  |          Source Port          |       Destination Port        |
 *  |                        Sequence Number                        |
 *  |                    Acknowledgment Number                      |
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  |           Checksum            |         Urgent Pointer        |
 *  |                    Options                    |    Padding    |
 *
 * Relative numbers: without an analysis for the frame (analysis off or not built), tcp.seq,
 * tcp.ack and tcp.nxtseq show the raw values, as tshark does with relative numbers disabled.
 */
import type { FieldDef, FieldValue, Frame } from './field.js';
import type { TcpHeader, TcpOption } from '../decode/packet.js';
import { isRetransmittedData } from './transport.js';
import { TCP_ANALYSIS_CORE_FIELDS } from './tcp-analysis.js';
import { bool, bytesAt, field, generated, NO_VALUES, one, present, proto, two, u16, u32, u8 } from './define.js';
import {
  TH_FIN as TCP_FIN, TH_SYN as TCP_SYN, TH_RST as TCP_RST, TH_PUSH as TCP_PSH, TH_ACK as TCP_ACK,
  TH_URG as TCP_URG, TH_ECE as TCP_ECE, TH_CWR as TCP_CWR, TH_AE as TCP_AE, TH_RES as TCP_RES,
  tcpReadFixed, tcpReadSane,
} from '../decode/tcp.js';
/** The TCP flag bits (decode/tcp.ts's TH_*), under the names the field code uses. */
export { TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_AE, TCP_RES };

const tcp = (f: Frame): TcpHeader | undefined => f.pkt.tcp;
/** The header, when dissect_tcp read it this far before it stopped (decode/tcp.ts tcpReadFixed / tcpReadSane). */
const fixedHdr = (f: Frame): TcpHeader | undefined => {
  const t = f.pkt.tcp;
  return t !== undefined && tcpReadFixed(t) ? t : undefined;
};
const saneHdr = (f: Frame, need = 16): TcpHeader | undefined => {
  const t = f.pkt.tcp;
  return t !== undefined && tcpReadSane(t, need) ? t : undefined;
};
const flag = (mask: number) => (f: Frame): readonly FieldValue[] => {
  const t = saneHdr(f);
  return t ? [(t.flags & mask) !== 0] : NO_VALUES;
};

/** The 12 one-letter flag marks from bit 11 down to bit 0, '·' when clear (tcp.flags.str). */
export function tcpFlagsStr(flags: number): string {
  const letters = 'RRRACEUAPRSF';
  let s = '';
  for (let i = 0; i < 12; i++) s += (flags & (1 << (11 - i))) !== 0 ? letters[i] : '\u00b7';
  return s;
}

/** RST payload as text: ASCII up to the first NUL (tshark's FT_STRING reading). */
export function resetCause(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0) break;
    s += c < 0x80 ? String.fromCharCode(c) : '\ufffd';
  }
  return s;
}

/** Options of one kind, in wire order. */
function optionsOf(t: TcpHeader, kind: number): TcpOption[] {
  return t.options.filter((o) => o.kind === kind);
}

/** Per-option values for options of `kind` with exactly `len` bytes, read at `at` from its start. */
function optValues(kind: number, len: number, read: (f: Frame, o: TcpOption) => FieldValue) {
  return (f: Frame): readonly FieldValue[] => {
    const t = tcp(f);
    if (!t || t.options.length === 0) return NO_VALUES;
    const out: FieldValue[] = [];
    for (const o of optionsOf(t, kind)) if (o.length === len) out.push(read(f, o));
    return out;
  };
}

/** Option protocol items (tcp.options.mss …): the option's bytes, as tshark prints them. */
function optProto(kind: number) {
  return (f: Frame): readonly FieldValue[] => {
    const t = tcp(f);
    if (!t || t.options.length === 0) return NO_VALUES;
    const out: FieldValue[] = [];
    for (const o of optionsOf(t, kind)) out.push(bytesAt(f, o.offset, o.length));
    return out;
  };
}

/**
 * The analysis-dependent header fields (relative seq/ack, scaled window, SACK edges, stream) are
 * the analysis area's definitions (fields/tcp-analysis.ts TCP_ANALYSIS_CORE_FIELDS): they know
 * the bogus-header and quoted-header cases. Registered here, in tshark's tree order.
 */
function core(abbrev: string): FieldDef {
  const d = TCP_ANALYSIS_CORE_FIELDS.find((x) => x.abbrev === abbrev);
  if (!d) throw new Error(`fields/tcp: ${abbrev} missing from TCP_ANALYSIS_CORE_FIELDS`);
  return d;
}

export const TCP_FIELDS: readonly FieldDef[] = [
  proto('tcp', 'Transmission Control Protocol', (f) => present(f.pkt.tcp !== undefined)),
  field('tcp.srcport', 'Source Port', 'FT_UINT16', 'BASE_PT_TCP', 0x0, '', (f) => one(tcp(f)?.srcPort)),
  field('tcp.dstport', 'Destination Port', 'FT_UINT16', 'BASE_PT_TCP', 0x0, '', (f) => one(tcp(f)?.dstPort)),
  field('tcp.port', 'Source or Destination Port', 'FT_UINT16', 'BASE_PT_TCP', 0x0, '', (f) => two(tcp(f)?.srcPort, tcp(f)?.dstPort)),
  core('tcp.stream'),
  generated('tcp.len', 'TCP Segment Len', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => {
    const t = tcp(f);
    return t !== undefined && t.hasLen ? [t.len] : NO_VALUES;
  }),
  core('tcp.seq'),
  field('tcp.seq_raw', 'Sequence Number (raw)', 'FT_UINT32', 'BASE_DEC', 0x0, 'This shows the raw value of the sequence number', (f) => one(fixedHdr(f)?.seq)),
  core('tcp.nxtseq'),
  core('tcp.ack'),
  field('tcp.ack_raw', 'Acknowledgment number (raw)', 'FT_UINT32', 'BASE_DEC', 0x0, 'This shows the raw value of the acknowledgment number', (f) => one(saneHdr(f)?.ack)),
  field('tcp.hdr_len', 'Header Length', 'FT_UINT8', 'BASE_DEC', 0x0, 'Data offset in 32-bit words', (f) => one(fixedHdr(f)?.hdrLen)),
  field('tcp.flags', 'Flags', 'FT_UINT16', 'BASE_HEX', 0xfff, 'Flags (12 bits)', (f) => one(saneHdr(f)?.flags)),
  bool('tcp.flags.res', 'Reserved', 12, 0xe00, 'Three reserved bits (must be zero)', flag(TCP_RES)),
  bool('tcp.flags.ae', 'Accurate ECN', 12, 0x100, '', flag(TCP_AE)),
  bool('tcp.flags.cwr', 'Congestion Window Reduced', 12, 0x80, '', flag(TCP_CWR)),
  bool('tcp.flags.ece', 'ECN-Echo', 12, 0x40, '', flag(TCP_ECE)),
  bool('tcp.flags.urg', 'Urgent', 12, 0x20, '', flag(TCP_URG)),
  bool('tcp.flags.ack', 'Acknowledgment', 12, 0x10, '', flag(TCP_ACK)),
  bool('tcp.flags.push', 'Push', 12, 0x8, '', flag(TCP_PSH)),
  bool('tcp.flags.reset', 'Reset', 12, 0x4, '', flag(TCP_RST)),
  bool('tcp.flags.syn', 'Syn', 12, 0x2, '', flag(TCP_SYN)),
  bool('tcp.flags.fin', 'Fin', 12, 0x1, '', flag(TCP_FIN)),
  generated('tcp.flags.str', 'TCP Flags', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => {
    const t = saneHdr(f);
    return t ? [tcpFlagsStr(t.flags)] : NO_VALUES;
  }),
  field('tcp.window_size_value', 'Window', 'FT_UINT16', 'BASE_DEC', 0x0, 'The window size value from the TCP header', (f) => one(saneHdr(f)?.window)),
  core('tcp.window_size'),
  core('tcp.window_size_scalefactor'),
  field('tcp.checksum', 'Checksum', 'FT_UINT16', 'BASE_HEX', 0x0, 'Details at: https://www.wireshark.org/docs/wsug_html_chunked/ChAdvChecksums.html', (f) => one(saneHdr(f, 18)?.checksum)),
  generated('tcp.checksum.status', 'Checksum Status', 'FT_UINT8', 'BASE_NONE', 0x0, '', (f) => (saneHdr(f, 18) ? [2] : NO_VALUES)),
  field('tcp.urgent_pointer', 'Urgent Pointer', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(saneHdr(f, 20)?.urgent)),
  field('tcp.options', 'TCP Options', 'FT_BYTES', 'BASE_NONE', 0x0, '', (f) => {
    const t = tcp(f);
    return t && t.hdrLen > 20 ? [bytesAt(f, t.offset + 20, t.hdrLen - 20)] : NO_VALUES;
  }),
  proto('tcp.options.nop', 'TCP Option - No-Operation (NOP)', optProto(1)),
  proto('tcp.options.eol', 'TCP Option - End of Option List (EOL)', optProto(0)),
  proto('tcp.options.mss', 'TCP Option - Maximum segment size', optProto(2)),
  proto('tcp.options.wscale', 'TCP Option - Window scale', optProto(3)),
  proto('tcp.options.sack_perm', 'TCP Option - SACK permitted', optProto(4)),
  proto('tcp.options.sack', 'TCP Option - SACK', optProto(5)),
  proto('tcp.options.timestamp', 'TCP Option - Timestamps', optProto(8)),
  proto('tcp.options.unknown', 'TCP Option - Unknown', (f) => {
    const t = tcp(f);
    if (!t || t.options.length === 0) return NO_VALUES;
    return t.options.filter((o) => !KNOWN_KINDS.has(o.kind)).map((o) => bytesAt(f, o.offset, o.length));
  }),
  field('tcp.option_kind', 'Kind', 'FT_UINT8', 'BASE_DEC', 0x0, "This TCP option's kind", (f) => {
    const t = tcp(f);
    return t && t.options.length > 0 ? t.options.map((o) => o.kind) : NO_VALUES;
  }),
  field('tcp.option_len', 'Length', 'FT_UINT8', 'BASE_DEC', 0x0, 'Length of this TCP option in bytes (including kind and length fields)', (f) => {
    const t = tcp(f);
    if (!t || t.options.length === 0) return NO_VALUES;
    const out: FieldValue[] = [];
    for (const o of t.options) if (o.kind > 1) out.push(u8(f, o.offset + 1));
    return out;
  }),
  field('tcp.options.mss_val', 'MSS Value', 'FT_UINT16', 'BASE_DEC', 0x0, '', optValues(2, 4, (f, o) => u16(f, o.offset + 2))),
  field('tcp.options.wscale.shift', 'Shift count', 'FT_UINT8', 'BASE_DEC', 0x0, 'Logarithmically encoded power of 2 scale factor', optValues(3, 3, (f, o) => u8(f, o.offset + 2))),
  generated('tcp.options.wscale.multiplier', 'Multiplier', 'FT_UINT16', 'BASE_DEC', 0x0, 'Multiply segment window size by this for scaled window size', optValues(3, 3, (f, o) => 2 ** Math.min(u8(f, o.offset + 2), 14))),
  core('tcp.options.sack_le'),
  core('tcp.options.sack_re'),
  generated('tcp.options.sack.count', 'TCP SACK Count', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => {
    const t = tcp(f);
    if (!t || t.options.length === 0) return NO_VALUES;
    return optionsOf(t, 5).map((o) => Math.floor((o.length - 2) / 8));
  }),
  field('tcp.options.timestamp.tsval', 'Timestamp value', 'FT_UINT32', 'BASE_DEC', 0x0, "Value of sending machine's timestamp clock", optValues(8, 10, (f, o) => u32(f, o.offset + 2))),
  field('tcp.options.timestamp.tsecr', 'Timestamp echo reply', 'FT_UINT32', 'BASE_DEC', 0x0, 'Echoed timestamp from remote machine', optValues(8, 10, (f, o) => u32(f, o.offset + 6))),
  field('tcp.payload', 'TCP payload', 'FT_BYTES', 'BASE_NONE', 0x0, 'The TCP payload of this packet', (f) => {
    const t = tcp(f);
    return t && t.capturedLen > 0 && (t.flags & TCP_RST) === 0 ? [bytesAt(f, t.payloadOffset, t.capturedLen)] : NO_VALUES;
  }),
  field('tcp.segment_data', 'TCP segment data', 'FT_BYTES', 'BASE_NONE', 0x0, 'A data segment used in reassembly of a lower-level protocol', (f) => {
    const t = tcp(f);
    return t && t.capturedLen > 0 && (t.flags & TCP_RST) === 0 && isRetransmittedData(f) ? [bytesAt(f, t.payloadOffset, t.capturedLen)] : NO_VALUES;
  }),
  field('tcp.reset_cause', 'Reset cause', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => {
    const t = tcp(f);
    return t && t.capturedLen > 0 && (t.flags & TCP_RST) !== 0 ? [resetCause(bytesAt(f, t.payloadOffset, t.capturedLen))] : NO_VALUES;
  }),
];

const KNOWN_KINDS = new Set([0, 1, 2, 3, 4, 5, 8]);
