/**
 * The web UI's stream views, computed from a FrameStore on request: the flow graph (ladder) rows of
 * one TCP stream with the --explain text, the Stevens time-sequence data, Follow TCP Stream, the
 * conversations table and the Expert Info summary. All numbers come from the memoised analysis
 * (relative seq/ack, scaled window, TA_* flags, SACK edges); nothing re-runs the TCP analyzer
 * except the follow view, which feeds the stream's frames through a fresh TcpReassembler.
 */
import type { Frame } from '../fields/field.js';
import { lowerBound, type FrameStore } from './store.js';
import { addressColumns } from '../present/columns.js';
import { protocolAndInfo, tcpFlagNames } from '../present/info.js';
import { formatAnalysisPrefix } from '../present/tcp-analysis-info.js';
import { explainTcpAnalysis } from '../present/tcp-analysis-explain.js';
import { TcpReassembler, type Endpoint } from '../analysis/reassembly.js';
import { TcpConversationTable } from '../analysis/conversations.js';
import { formatSeconds } from '../util/time.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK,
  TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL, TA_WINDOW_UPDATE, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK,
} from '../analysis/types.js';

/** One arrow of the ladder. */
export interface LadderRow {
  no: number;
  /** 0: from endpoint A (source of the stream's first frame) to B; 1: B to A. */
  dir: 0 | 1;
  /** Seconds since the stream's first frame, and since the capture's first frame. */
  t: number;
  time: string;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
  /** "[TCP Retransmission] " etc. ('' when nothing is flagged). */
  analysis: string;
  /** --explain lines for flagged frames. */
  explain: string[];
  info: string;
  sackLe: readonly number[];
  sackRe: readonly number[];
  hasAck: boolean;
  retrans: boolean;
}

export interface StreamView {
  stream: number;
  /** Lanes, keyed ip:port (so loopback's two ports are two lanes). */
  a: string;
  b: string;
  rows: LadderRow[];
}

const RETRANS = TA_RETRANSMISSION | TA_FAST_RETRANSMISSION | TA_SPURIOUS_RETRANSMISSION;

function endpointKey(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * The flow graph of one stream; undefined when the store has no such stream. Every segment gets
 * its numbers (the Stevens graph needs them all); only rows [detailFrom, detailFrom+detailCount)
 * get the Info text and the --explain lines, so a long stream costs little per request.
 */
export function streamView(store: FrameStore, stream: number, detailFrom = 0, detailCount = Infinity): StreamView | undefined {
  let a = '', b = '';
  let t0 = -1;
  let i = -1;
  const detailTo = detailFrom + detailCount;
  const rows = store.forStream(stream, (f: Frame): LadderRow | undefined => {
    const t = f.pkt.tcp;
    const an = f.tcp;
    if (t === undefined || an === undefined) return undefined;
    i++;
    const detail = i >= detailFrom && i < detailTo;
    const [src, dst] = addressColumns(f);
    const from = endpointKey(src, t.srcPort);
    if (a === '') { a = from; b = endpointKey(dst, t.dstPort); }
    if (t0 < 0) t0 = f.timeRelativeNs;
    const flagged = an.hasRecord ? an.flags : 0;
    return {
      no: f.record.frameNo,
      dir: from === a ? 0 : 1,
      t: (f.timeRelativeNs - t0) / 1e9,
      time: formatSeconds(f.timeRelativeNs, f.tsDigits),
      flags: tcpFlagNames(t.flags),
      seq: an.relSeq, ack: an.relAck, len: t.len, win: an.windowSize,
      analysis: an.hasRecord ? formatAnalysisPrefix(an).trim() : '',
      explain: detail && an.hasRecord ? explainTcpAnalysis(an) : [],
      info: detail ? protocolAndInfo(f)[1] : '',
      sackLe: an.sackLe, sackRe: an.sackRe,
      hasAck: (t.flags & 0x10) !== 0,
      retrans: (flagged & RETRANS) !== 0,
    };
  }).filter((r): r is LadderRow => r !== undefined);
  if (rows.length === 0) return undefined;
  return { stream, a, b, rows };
}

/** Rows of the ladder page holding frame `around` (or the first page), `size` rows. */
export function ladderPage(store: FrameStore, stream: number, around: number | undefined, size: number): { from: number; view: StreamView } | undefined {
  const frames = store.streamFrames(stream);
  let idx = around === undefined ? 0 : frames.indexOf(around);
  if (idx < 0) idx = 0;
  const from = Math.max(0, Math.min(idx - Math.floor(size / 4), frames.length - size));
  const view = streamView(store, stream, from, size);
  return view ? { from, view } : undefined;
}

/** One direction's bytes as Follow TCP Stream shows them. */
export interface FollowChunk {
  node: 0 | 1;
  frame: number;
  /** Text (latin1, non-printables as '.' except CR/LF/TAB) or a gap notice. */
  text: string;
  gap: boolean;
}

export interface FollowView {
  stream: number;
  node0: string;
  node1: string;
  chunks: FollowChunk[];
  bytes0: number;
  bytes1: number;
}

function printable(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += c === 0x0d || c === 0x0a || c === 0x09 || (c >= 0x20 && c < 0x7f) ? String.fromCharCode(c) : '.';
  }
  return s;
}

const epText = (e: Endpoint): string => endpointKey(e.addr, e.port);

/** Follow TCP Stream: both directions' reassembled bytes in order (TcpReassembler events). */
export function followView(store: FrameStore, stream: number, maxBytes = 4 << 20): FollowView | undefined {
  const r = new TcpReassembler();
  const out: FollowView = { stream, node0: '', node1: '', chunks: [], bytes0: 0, bytes1: 0 };
  let total = 0;
  store.forStream(stream, (f) => {
    for (const e of r.push(f.record, f.pkt, f.tcp)) {
      if (e.stream !== stream) continue;
      if (e.type === 'open') { out.node0 = epText(e.node0); out.node1 = epText(e.node1); }
      else if (e.type === 'data' && !e.atClose) {
        if (e.node === 0) out.bytes0 += e.bytes.length; else out.bytes1 += e.bytes.length;
        if (total < maxBytes) out.chunks.push({ node: e.node, frame: e.frame, text: printable(e.bytes.subarray(0, maxBytes - total)), gap: false });
        total += e.bytes.length;
      } else if (e.type === 'gap' && !e.atClose) {
        out.chunks.push({ node: e.node, frame: e.frame, text: `[${e.length} bytes missing in capture file]`, gap: true });
      }
    }
  });
  if (out.node0 === '') return undefined;
  return out;
}

export interface ConversationRow {
  stream: number;
  a: string;
  b: string;
  framesAB: number;
  bytesAB: number;
  framesBA: number;
  bytesBA: number;
  start: number;
  duration: number;
}

/** TCP conversations (tshark -z conv,tcp rows), most frames first. */
export function conversationsView(store: FrameStore): ConversationRow[] {
  const t = new TcpConversationTable();
  store.forEach((f) => t.add(f.record, f.pkt, f.tcp));
  return t.sorted().map((c) => {
    const start = c.startSec + c.startNsec / 1e9;
    return {
      stream: c.stream, a: epText(c.a), b: epText(c.b),
      framesAB: c.framesAB, bytesAB: c.bytesAB, framesBA: c.framesBA, bytesBA: c.bytesBA,
      start, duration: c.lastSec + c.lastNsec / 1e9 - start,
    };
  });
}

/** Wireshark's expert items for the TCP analysis flags: [bit, severity, summary]. */
const EXPERT: readonly (readonly [number, 'Warning' | 'Note' | 'Chat', string])[] = [
  [TA_LOST_SEGMENT, 'Warning', 'Previous segment(s) not captured (common at capture start)'],
  [TA_ACK_LOST_SEGMENT, 'Warning', 'ACKed segment that wasn\'t captured (common at capture start)'],
  [TA_OUT_OF_ORDER, 'Warning', 'This frame is a (suspected) out-of-order segment'],
  [TA_ZERO_WINDOW, 'Warning', 'TCP Zero Window segment'],
  [TA_WINDOW_FULL, 'Warning', 'TCP Window Full'],
  [TA_REUSED_PORTS, 'Note', 'A new tcp session is started with the same ports as an earlier session in this trace'],
  [TA_RETRANSMISSION, 'Note', 'This frame is a (suspected) retransmission'],
  [TA_FAST_RETRANSMISSION, 'Note', 'This frame is a (suspected) fast retransmission'],
  [TA_SPURIOUS_RETRANSMISSION, 'Note', 'This frame is a (suspected) spurious retransmission'],
  [TA_DUPLICATE_ACK, 'Note', 'Duplicate ACK (#1)'],
  [TA_KEEP_ALIVE, 'Note', 'TCP keep-alive segment'],
  [TA_KEEP_ALIVE_ACK, 'Note', 'ACK to a TCP keep-alive segment'],
  [TA_ZERO_WINDOW_PROBE, 'Note', 'TCP Zero Window Probe'],
  [TA_ZERO_WINDOW_PROBE_ACK, 'Note', 'ACK to a TCP Zero Window Probe'],
  [TA_WINDOW_UPDATE, 'Chat', 'TCP window update'],
];

export interface ExpertGroup {
  severity: 'Warning' | 'Note' | 'Chat';
  summary: string;
  protocol: string;
  count: number;
  /** Frame numbers (first 1000). */
  frames: number[];
}

/** Expert Info: one group per message, Warnings first, with the frames that carry it. */
export function expertView(store: FrameStore): ExpertGroup[] {
  const groups = new Map<string, ExpertGroup>();
  const put = (severity: ExpertGroup['severity'], summary: string, no: number): void => {
    let g = groups.get(summary);
    if (g === undefined) groups.set(summary, (g = { severity, summary, protocol: 'TCP', count: 0, frames: [] }));
    g.count++;
    if (g.frames.length < 1000) g.frames.push(no);
  };
  store.forEach((f) => {
    const t = f.pkt.tcp;
    const a = f.tcp;
    if (t === undefined) return;
    const no = f.record.frameNo;
    if (a !== undefined && a.hasRecord && a.flags !== 0) for (const [bit, sev, text] of EXPERT) if (a.flags & bit) put(sev, text, no);
    if (t.flags & 0x04) put('Warning', 'Connection reset (RST)', no);
    if ((t.flags & 0x12) === 0x02) put('Chat', `Connection establish request (SYN): server port ${t.dstPort}`, no);
    if ((t.flags & 0x12) === 0x12) put('Chat', `Connection establish acknowledge (SYN+ACK): server port ${t.srcPort}`, no);
    if (t.flags & 0x01) put('Chat', 'Connection finish (FIN)', no);
  });
  const rank = { Warning: 0, Note: 1, Chat: 2 } as const;
  return [...groups.values()].sort((x, y) => rank[x.severity] - rank[y.severity] || y.count - x.count);
}

/**
 * Points of the Stevens (tcptrace) time-sequence graph of one direction of a stream, in capture
 * order, as parallel arrays (compact JSON; the browser draws them with uPlot):
 *   kind 0 data segment, 1 retransmitted segment (frames of the sender with tcp.len > 0):
 *          lo = relative seq, hi = seq + len;
 *   kind 2 ACK of the receiver (frames of the other side with the ACK flag):
 *          lo = relative ack, hi = ack + window (the receive-window line); sack = [le, re, …]
 *          (relative to the sender's base, like the ack).
 * `after` is a frame number (0 = all; a live page asks for the frames after the last answer's
 * `last`), so a growing capture costs only its new frames per update, and the memory cap's
 * trimming of old frames cannot shift it.
 */
export interface StevensData {
  stream: number;
  a: string;
  b: string;
  /** The direction drawn: 0 = A→B data (B's ACKs), 1 = B→A. */
  dir: 0 | 1;
  /** Number of the last frame of the stream looked at (pass it as `after` to get only newer points). */
  last: number;
  no: number[];
  kind: number[];
  /** Seconds since the stream's first frame. */
  t: number[];
  lo: number[];
  hi: number[];
  /** SACK edges per point (empty for data and for ACKs without SACK blocks). */
  sack: number[][];
}

/** Stevens graph points of `stream` after frame `after`; dir undefined = the side that sent more payload. */
export function stevensData(store: FrameStore, stream: number, dir: 0 | 1 | undefined, after = 0): StevensData | undefined {
  const frames = store.streamFrames(stream);
  const first = frames.length > 0 ? store.frame(frames[0]!) : undefined;
  if (first === undefined) return undefined;
  let a = '', b = '';
  store.forStream(stream, (f) => {
    if (a !== '' || f.pkt.tcp === undefined) return;
    const [src, dst] = addressColumns(f);
    a = endpointKey(src, f.pkt.tcp.srcPort);
    b = endpointKey(dst, f.pkt.tcp.dstPort);
  }, 0, 1);
  if (a === '') return undefined;
  const dirOf = (f: Frame): 0 | 1 => endpointKey(addressColumns(f)[0], f.pkt.tcp!.srcPort) === a ? 0 : 1;
  if (dir === undefined) {
    let pa = 0, pb = 0;
    store.forStream(stream, (f) => { if (f.pkt.tcp) { if (dirOf(f) === 0) pa += f.pkt.tcp.len; else pb += f.pkt.tcp.len; } });
    dir = pb > pa ? 1 : 0;
  }
  const t0 = first.timeRelativeNs;
  const out: StevensData = { stream, a, b, dir, last: frames[frames.length - 1]!, no: [], kind: [], t: [], lo: [], hi: [], sack: [] };
  const d = dir;
  store.forStream(stream, (f) => {
    const t = f.pkt.tcp;
    const an = f.tcp;
    if (t === undefined || an === undefined) return;
    const mine = dirOf(f) === d;
    if (mine && t.len > 0) {
      out.kind.push((an.hasRecord ? an.flags : 0) & RETRANS ? 1 : 0);
      out.lo.push(an.relSeq);
      out.hi.push(an.relSeq + t.len);
      out.sack.push([]);
    } else if (!mine && (t.flags & 0x10) !== 0) {
      out.kind.push(2);
      out.lo.push(an.relAck);
      out.hi.push(an.relAck + an.windowSize);
      const s: number[] = [];
      for (let i = 0; i < an.sackLe.length; i++) s.push(an.sackLe[i]!, an.sackRe[i] ?? an.sackLe[i]!);
      out.sack.push(s);
    } else return;
    out.no.push(f.record.frameNo);
    out.t.push((f.timeRelativeNs - t0) / 1e9);
  }, lowerBound(frames, after + 1));
  return out;
}
