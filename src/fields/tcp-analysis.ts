/**
 * The generated TCP fields that come from the sequence analysis (TcpFrameAnalysis), as tshark 4.0
 * shows them with default preferences in one pass (spec/tcp-analysis.md §9.1, §10.2):
 * tcp.completeness, tcp.time_relative/time_delta, tcp.analysis and its children, the expert
 * flags (tcp.analysis.retransmission …), and the D-SACK edges.
 *
 * TCP_ANALYSIS_CORE_FIELDS holds this area's definitions of the analysis-dependent header fields
 * (tcp.stream, tcp.seq, tcp.ack, tcp.nxtseq, tcp.window_size, tcp.window_size_scalefactor,
 * tcp.options.sack_le/_re). They are NOT in the registry table while fields/tcp.ts registers rows
 * with the same names (the registry rejects duplicates); fields/tcp.ts may re-export them.
 *
 * Owner: analysis area. Names, types and blurbs are `tshark -G fields`'s.
 */
import type { TcpFrameAnalysis } from '../analysis/types.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK,
  TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL, TA_WINDOW_UPDATE, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK,
} from '../analysis/types.js';
import type { FieldDef, FieldValue, Frame } from './field.js';
import type { TcpHeader } from '../decode/packet.js';
import { field, generated, NO_VALUES, one, present } from './define.js';

const SYN = 0x002;
const TRUE_2: readonly FieldValue[] = Object.freeze([true, true]);

/**
 * The analysis of a TCP frame, also of a TCP header quoted in an ICMP error (tshark shows
 * tcp.stream, tcp.completeness and the stream times there too); undefined otherwise.
 */
const ta = (f: Frame): TcpFrameAnalysis | undefined =>
  (f.pkt.tcp !== undefined || f.pkt.icmp?.quoted?.tcp !== undefined ? f.tcp : undefined);

/** The analysis, unless tshark stopped before the rest of the header (bogus data offset). */
const full = (f: Frame): TcpFrameAnalysis | undefined => {
  const a = ta(f);
  return a !== undefined && !a.bogusHeader ? a : undefined;
};

let relativeSeq = true;

/**
 * tshark's preference tcp.relative_sequence_numbers (-o tcp.relative_sequence_numbers:FALSE):
 * when off, tcp.seq, tcp.ack, tcp.nxtseq and the SACK edges are the numbers on the wire (the
 * analysis is unchanged). Process-wide, like name resolution: set once by the CLI.
 */
export function setRelativeSequenceNumbers(on: boolean): void {
  relativeSeq = on;
}

export function relativeSequenceNumbers(): boolean {
  return relativeSeq;
}

/** The TCP header the analysis belongs to (the frame's, or one quoted in an ICMP error). */
const hdrOf = (f: Frame): TcpHeader | undefined => f.pkt.tcp ?? f.pkt.icmp?.quoted?.tcp;

/** A sequence-space value of `a` as on the wire. */
function rawSeq(f: Frame, a: TcpFrameAnalysis, rel: number): number {
  const t = hdrOf(f);
  return t === undefined ? rel : (rel + t.seq - a.relSeq) >>> 0;
}

/** The SACK edges (left or right) as on the wire: the decoded blocks (TcpHeader.sack). */
function rawSackEdges(f: Frame, a: TcpFrameAnalysis, right: boolean): readonly FieldValue[] {
  const rel = right ? a.sackRe : a.sackLe;
  const t = hdrOf(f);
  if (t === undefined) return rel;
  // The analysis lists the same blocks in the same order; otherwise shift by the ack base.
  return t.sack.length === rel.length ? t.sack.map((b) => (right ? b.re : b.le)) : rel.map((e) => (e + t.ack - a.relAck) >>> 0);
}

/** Raw header value when the frame has no analysis (analysis off) and the 16 bytes are there. */
function rawOf(f: Frame, pick: (t: TcpHeader) => number): readonly FieldValue[] {
  const t = f.pkt.tcp;
  return t !== undefined && f.tcp === undefined && t.hdrAvailable >= 16 ? [pick(t)] : NO_VALUES;
}

/** The analysis when the frame has an analysis record (tcp.analysis is shown). */
const rec = (f: Frame): TcpFrameAnalysis | undefined => {
  const a = ta(f);
  return a !== undefined && a.hasRecord ? a : undefined;
};

/** Expert flag field: present when any of `bits` is set on a frame with a record. */
function flagField(abbrev: string, name: string, bits: number): FieldDef {
  return generated(abbrev, name, 'FT_NONE', 'BASE_NONE', 0x0, '', (f) => present(((rec(f)?.flags ?? 0) & bits) !== 0));
}

function nz(v: number | undefined): readonly FieldValue[] {
  return v === undefined || v === 0 ? NO_VALUES : [v];
}

export const TCP_ANALYSIS_FIELDS: readonly FieldDef[] = [
  generated('tcp.completeness', 'Conversation completeness', 'FT_UINT8', 'BASE_CUSTOM', 0x0,
    'The completeness of the conversation capture', (f) => one(ta(f)?.completeness)),
  generated('tcp.time_relative', 'Time since first frame in this TCP stream', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0,
    'Time relative to first frame in this TCP stream', (f) => one(full(f)?.timeRelativeNs)),
  generated('tcp.time_delta', 'Time since previous frame in this TCP stream', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0,
    'Time delta from previous frame in this TCP stream', (f) => one(full(f)?.timeDeltaNs)),
  generated('tcp.options.sack.dsack_le', 'TCP D-SACK Left Edge', 'FT_UINT32', 'BASE_DEC', 0x0,
    'Duplicate SACK Left Edge', (f) => { const a = ta(f); return a?.dsack ? one(relativeSeq ? a.sackLe[0] : rawSackEdges(f, a, false)[0] as number | undefined) : NO_VALUES; }),
  generated('tcp.options.sack.dsack_re', 'TCP D-SACK Right Edge', 'FT_UINT32', 'BASE_DEC', 0x0,
    'Duplicate SACK Right Edge', (f) => { const a = ta(f); return a?.dsack ? one(relativeSeq ? a.sackRe[0] : rawSackEdges(f, a, true)[0] as number | undefined) : NO_VALUES; }),
  generated('tcp.options.sack.dsack', 'D-SACK Sequence', 'FT_NONE', 'BASE_NONE', 0x0, '', (f) => present(ta(f)?.dsack === true)),
  generated('tcp.analysis', 'SEQ/ACK analysis', 'FT_NONE', 'BASE_NONE', 0x0,
    'This frame has some of the TCP analysis shown', (f) => present(rec(f) !== undefined)),
  generated('tcp.analysis.acks_frame', 'This is an ACK to the segment in frame', 'FT_FRAMENUM', 'BASE_NONE', 0x0,
    'Which previous segment is this an ACK for', (f) => nz(rec(f)?.acksFrame)),
  generated('tcp.analysis.ack_rtt', 'The RTT to ACK the segment was', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0,
    'How long time it took to ACK the segment (RTT)', (f) => {
      const a = rec(f);
      return a !== undefined && a.acksFrame !== 0 && a.ackRttNs !== 0 ? [a.ackRttNs] : NO_VALUES;
    }),
  generated('tcp.analysis.initial_rtt', 'iRTT', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0,
    'How long it took for the SYN to ACK handshake (iRTT)', (f) => nz(rec(f)?.initialRttNs)),
  generated('tcp.analysis.bytes_in_flight', 'Bytes in flight', 'FT_UINT32', 'BASE_DEC', 0x0,
    'How many bytes are now in flight for this connection', (f) => nz(rec(f)?.bytesInFlight)),
  generated('tcp.analysis.push_bytes_sent', 'Bytes sent since last PSH flag', 'FT_UINT32', 'BASE_DEC', 0x0,
    'How many bytes have been sent since the last PSH flag', (f) => {
      const a = rec(f);
      return a !== undefined && a.bytesInFlight !== 0 ? [a.pushBytesSent] : NO_VALUES;
    }),
  generated('tcp.analysis.flags', 'TCP Analysis Flags', 'FT_NONE', 'BASE_NONE', 0x0,
    'This frame has some of the TCP analysis flags set', (f) => present((rec(f)?.flags ?? 0) !== 0)),
  flagField('tcp.analysis.reused_ports',
    'A new tcp session is started with the same ports as an earlier session in this trace', TA_REUSED_PORTS),
  // tshark adds the "retransmission" expert item for fast and spurious retransmissions too.
  flagField('tcp.analysis.retransmission', 'This frame is a (suspected) retransmission',
    TA_RETRANSMISSION | TA_FAST_RETRANSMISSION | TA_SPURIOUS_RETRANSMISSION),
  generated('tcp.analysis.rto', 'The RTO for this segment was', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0,
    'How long transmission was delayed before this segment was retransmitted (RTO)', (f) => {
      const a = rec(f);
      return a !== undefined && (a.flags & TA_RETRANSMISSION) !== 0 && a.rtoNs !== 0 ? [a.rtoNs] : NO_VALUES;
    }),
  generated('tcp.analysis.rto_frame', 'RTO based on delta from frame', 'FT_FRAMENUM', 'BASE_NONE', 0x0,
    'This is the frame we measure the RTO from', (f) => {
      const a = rec(f);
      return a !== undefined && (a.flags & TA_RETRANSMISSION) !== 0 && a.rtoNs !== 0 ? [a.rtoFrame] : NO_VALUES;
    }),
  flagField('tcp.analysis.fast_retransmission', 'This frame is a (suspected) fast retransmission', TA_FAST_RETRANSMISSION),
  flagField('tcp.analysis.spurious_retransmission', 'This frame is a (suspected) spurious retransmission',
    TA_SPURIOUS_RETRANSMISSION),
  flagField('tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment', TA_OUT_OF_ORDER),
  flagField('tcp.analysis.lost_segment', 'Previous segment(s) not captured (common at capture start)', TA_LOST_SEGMENT),
  flagField('tcp.analysis.ack_lost_segment', 'ACKed segment that wasn\'t captured (common at capture start)',
    TA_ACK_LOST_SEGMENT),
  flagField('tcp.analysis.window_update', 'TCP window update', TA_WINDOW_UPDATE),
  flagField('tcp.analysis.window_full', 'TCP window specified by the receiver is now completely full', TA_WINDOW_FULL),
  flagField('tcp.analysis.keep_alive', 'TCP keep-alive segment', TA_KEEP_ALIVE),
  flagField('tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', TA_KEEP_ALIVE_ACK),
  // The FT_NONE item and the expert item share this name: tshark prints "1,1".
  generated('tcp.analysis.duplicate_ack', 'Duplicate ACK', 'FT_NONE', 'BASE_NONE', 0x0, 'This is a duplicate ACK',
    (f) => { const a = rec(f); return a !== undefined && (a.flags & TA_DUPLICATE_ACK) !== 0 && a.dupAckNum !== 0 ? TRUE_2 : NO_VALUES; }),
  generated('tcp.analysis.duplicate_ack_num', 'Duplicate ACK #', 'FT_UINT32', 'BASE_DEC', 0x0,
    'This is duplicate ACK number #', (f) => { const a = rec(f); return a !== undefined && a.flags !== 0 ? nz(a.dupAckNum) : NO_VALUES; }),
  generated('tcp.analysis.duplicate_ack_frame', 'Duplicate to the ACK in frame', 'FT_FRAMENUM', 'BASE_NONE', 0x0,
    'This is a duplicate to the ACK in frame #', (f) => {
      const a = rec(f);
      return a !== undefined && a.flags !== 0 && a.dupAckNum !== 0 ? [a.dupAckFrame] : NO_VALUES;
    }),
  flagField('tcp.analysis.zero_window_probe', 'TCP Zero Window Probe', TA_ZERO_WINDOW_PROBE),
  flagField('tcp.analysis.zero_window', 'TCP Zero Window segment', TA_ZERO_WINDOW),
  flagField('tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe', TA_ZERO_WINDOW_PROBE_ACK),
];

/**
 * Analysis-dependent tcp.* header fields, as tshark shows them (§3.2, §4.2, §11.1). Not in the
 * registry table (fields/tcp.ts registers these names); used by the analysis golden tests and
 * available for fields/tcp.ts to adopt.
 */
export const TCP_ANALYSIS_CORE_FIELDS: readonly FieldDef[] = [
  generated('tcp.stream', 'Stream index', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => one(ta(f)?.stream)),
  field('tcp.seq', 'Sequence Number', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => {
    const a = ta(f);
    if (a === undefined) return rawOf(f, (t) => t.seq);
    return [relativeSeq ? a.relSeq : rawSeq(f, a, a.relSeq)];
  }),
  generated('tcp.nxtseq', 'Next Sequence Number', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => {
    const a = full(f);
    return a !== undefined && a.lenKnown ? [relativeSeq ? a.nxtSeq : rawSeq(f, a, a.nxtSeq)] : NO_VALUES;
  }),
  field('tcp.ack', 'Acknowledgment Number', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => {
    const a = ta(f);
    if (a !== undefined) return a.bogusHeader ? NO_VALUES : [relativeSeq ? a.relAck : (hdrOf(f)?.ack ?? a.relAck)];
    return rawOf(f, (t) => t.ack);
  }),
  generated('tcp.window_size', 'Calculated window size', 'FT_UINT32', 'BASE_DEC', 0x0,
    'The scaled window size (if scaling has been used)', (f) => {
      const a = ta(f);
      if (a !== undefined) return a.bogusHeader ? NO_VALUES : [a.windowSize];
      return rawOf(f, (t) => t.window);
    }),
  generated('tcp.window_size_scalefactor', 'Window size scaling factor', 'FT_INT32', 'BASE_DEC', 0x0,
    'The window size scaling factor (-1 when unknown, -2 when no scaling is used)', (f) => {
      const a = ta(f);
      if (a?.bogusHeader === true) return NO_VALUES;
      const t = f.pkt.tcp ?? (a !== undefined ? f.pkt.icmp?.quoted?.tcp : undefined);
      if (t === undefined || (t.flags & SYN) !== 0 || (a === undefined && t.hdrAvailable < 16)) return NO_VALUES;
      return [a !== undefined ? a.scaleFactor : -1];
    }),
  field('tcp.options.sack_le', 'TCP SACK Left Edge', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => {
    const a = ta(f);
    return a === undefined ? NO_VALUES : relativeSeq ? a.sackLe : rawSackEdges(f, a, false);
  }),
  field('tcp.options.sack_re', 'TCP SACK Right Edge', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => {
    const a = ta(f);
    return a === undefined ? NO_VALUES : relativeSeq ? a.sackRe : rawSackEdges(f, a, true);
  }),
];

