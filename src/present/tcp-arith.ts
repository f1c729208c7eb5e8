/**
 * `--explain` text beyond the per-flag reasons (present/tcp-analysis-explain.ts):
 *  - likelyCause(a): the seed's list of causes for a flagged frame — segment lost, ACK lost
 *    (→ spurious), receiver buffer full (zero window / window full), late ACK, reordering;
 *  - TcpArithmetic: with `--explain=all`, for every TCP frame the arithmetic behind its numbers —
 *    next seq = seq + len (+1 for SYN/FIN), ack = the peer's next seq, window = value << scale,
 *    TSecr echoes the peer's TSval (frame N), bytes in flight = nxtseq − the peer's last ack;
 *  - formatStreamSummaries: the per-stream summary printed at the end.
 * TcpArithmetic keeps a few numbers per direction (bounded by MAX_DIRECTIONS, oldest dropped);
 * feed it every frame in capture order, displayed or not.
 */
import type { Frame } from '../fields/field.js';
import type { TcpFrameAnalysis } from '../analysis/types.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_LOST_SEGMENT, TA_OUT_OF_ORDER,
  TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION, TA_WINDOW_FULL, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE,
} from '../analysis/types.js';
import { closeReason, type StreamSide, type StreamSummary } from '../analysis/stream-summary.js';
import { formatDuration } from './tcp-analysis-explain.js';

/** The most likely cause of the frame's flags, or undefined when nothing went wrong. */
export function likelyCause(a: TcpFrameAnalysis): string | undefined {
  const f = a.flags;
  if ((f & TA_SPURIOUS_RETRANSMISSION) !== 0) return 'ACK lost: the receiver already had these bytes, but its ACK never reached the sender (or came too late), so the resend was spurious';
  if ((f & TA_FAST_RETRANSMISSION) !== 0) return 'segment lost: the receiver\'s duplicate ACKs kept asking for this data, so the sender resent it without waiting for the RTO';
  if ((f & TA_RETRANSMISSION) !== 0) {
    return a.facts !== undefined && a.facts.sincePeerNs >= 0 && a.facts.peerDupAcks === 0
      ? 'segment lost or its ACK late: nothing acknowledged this data before the retransmission timer (RTO) fired'
      : 'segment lost: the retransmission timer (RTO) fired before any ACK covered this data';
  }
  if ((f & (TA_ZERO_WINDOW | TA_ZERO_WINDOW_PROBE)) !== 0) return 'receiver buffer full: the receiving application is not reading fast enough (zero window)';
  if ((f & TA_WINDOW_FULL) !== 0) return 'receiver buffer full: the sender used all the window the receiver offered';
  if ((f & TA_LOST_SEGMENT) !== 0) return 'segment lost before the capture point (or dropped by the capture itself)';
  if ((f & TA_ACK_LOST_SEGMENT) !== 0) return 'the capture missed a segment that the receiver did get (capture drop, or the capture started mid-stream)';
  if ((f & TA_DUPLICATE_ACK) !== 0) return 'segment lost or reordered: the receiver got later data and keeps asking for the missing byte';
  if ((f & TA_OUT_OF_ORDER) !== 0) return 'reordering on the path (or a quick resend arriving after the original)';
  return undefined;
}

interface Direction {
  nxtSeq: number;
  /** This side's last relative ack (of the peer's data); -1 none. */
  ack: number;
  tsval: number | undefined;
  tsvalFrame: number;
}

const MAX_DIRECTIONS = 200_000;

function dirKey(f: Frame, src: boolean): string {
  const p = f.pkt, t = p.tcp!;
  const port = src ? t.srcPort : t.dstPort;
  if (p.ip6 !== undefined && (p.ip4 === undefined || p.layers.lastIndexOf('ipv6') > p.layers.lastIndexOf('ip'))) {
    const off = src ? p.ip6.srcOffset : p.ip6.dstOffset;
    let k = '';
    for (let i = 0; i < 16; i++) k += String.fromCharCode(f.record.data[off + i] ?? 0);
    return `${f.tcp!.stream}|${k}|${port}`;
  }
  return `${f.tcp!.stream}|${src ? p.ip4?.src : p.ip4?.dst}|${port}`;
}

/** The arithmetic behind each TCP frame's numbers (`--explain=all`). */
export class TcpArithmetic {
  private readonly dirs = new Map<string, Direction>();

  /** Lines for this frame (call for every frame in capture order; [] for non-TCP frames). */
  lines(f: Frame): string[] {
    const a = f.tcp, t = f.pkt.tcp;
    if (a === undefined || t === undefined || a.bogusHeader || t.hdrAvailable < 20) return [];
    const me = dirKey(f, true), peerKey = dirKey(f, false);
    const peer = this.dirs.get(peerKey);
    const out: string[] = [];
    if (a.lenKnown) {
      const syn = (t.flags & 0x002) !== 0, fin = (t.flags & 0x001) !== 0;
      const extra = (syn ? 1 : 0) + (fin ? 1 : 0);
      out.push(`next seq = seq + len${extra ? ` + ${extra} (${syn && fin ? 'SYN+FIN' : syn ? 'SYN' : 'FIN'})` : ''} = ${a.relSeq} + ${t.len}${extra ? ` + ${extra}` : ''} = ${(a.relSeq + t.len + extra) >>> 0}`);
    }
    if ((t.flags & 0x010) !== 0) {
      if (peer !== undefined) {
        out.push(`ack = ${a.relAck}: ${a.relAck === peer.nxtSeq ? 'equals' : 'differs from'} the peer's next seq ${peer.nxtSeq}${a.relAck === peer.nxtSeq ? ' (everything it sent has arrived)' : a.relAck < peer.nxtSeq ? ` (${peer.nxtSeq - a.relAck} bytes of it not acknowledged yet)` : ''}`);
      } else out.push(`ack = ${a.relAck} (nothing seen from the peer yet)`);
    }
    if (a.scaleFactor >= 1) {
      const shift = Math.round(Math.log2(a.scaleFactor));
      out.push(`window = ${t.window} << ${shift} = ${t.window} × ${a.scaleFactor} = ${a.windowSize} bytes`);
    } else if (a.scaleFactor === -1) out.push(`window = ${a.windowSize} (scale unknown: the handshake was not seen)`);
    else out.push(`window = ${a.windowSize} (${a.scaleFactor === 0 ? 'not scaled in a SYN' : 'no window scaling'})`);
    if (t.tsecr !== undefined && t.tsecr !== 0) {
      if (peer?.tsval === t.tsecr) out.push(`TSecr ${t.tsecr} echoes the peer's TSval (frame ${peer.tsvalFrame})`);
      else out.push(`TSecr ${t.tsecr} echoes an earlier TSval of the peer${peer?.tsval !== undefined ? ` (its latest is ${peer.tsval}, frame ${peer.tsvalFrame})` : ''}`);
    }
    if (a.bytesInFlight !== 0) {
      const nxt = (a.relSeq + t.len + ((t.flags & 0x003) !== 0 ? 1 : 0)) >>> 0;
      const peerAck = peer !== undefined && peer.ack >= 0 ? peer.ack : nxt - a.bytesInFlight;
      out.push(`bytes in flight = nxtseq − the peer's last ack = ${nxt} − ${peerAck} = ${a.bytesInFlight}`);
    }
    if (a.ackRttNs !== 0 && a.acksFrame !== 0) out.push(`ACK RTT = ${formatDuration(a.ackRttNs)} since frame ${a.acksFrame}, the segment this acknowledges`);
    this.update(me, f, a);
    return out;
  }

  /** Updates the direction state without producing lines (frames not displayed). */
  observe(f: Frame): void {
    const a = f.tcp, t = f.pkt.tcp;
    if (a === undefined || t === undefined || a.bogusHeader || t.hdrAvailable < 20) return;
    this.update(dirKey(f, true), f, a);
  }

  private update(key: string, f: Frame, a: TcpFrameAnalysis): void {
    const t = f.pkt.tcp!;
    let d = this.dirs.get(key);
    if (d === undefined) {
      if (this.dirs.size >= MAX_DIRECTIONS) this.dirs.delete(this.dirs.keys().next().value as string);
      d = { nxtSeq: 0, ack: -1, tsval: undefined, tsvalFrame: 0 };
      this.dirs.set(key, d);
    }
    if (a.lenKnown) {
      const n = (a.relSeq + t.len + ((t.flags & 0x003) !== 0 ? 1 : 0)) >>> 0;
      // Retransmissions do not move the next sequence number back.
      if (((n - d.nxtSeq) | 0) > 0 || d.nxtSeq === 0) d.nxtSeq = n;
    }
    if ((t.flags & 0x010) !== 0) d.ack = a.relAck;
    if (t.tsval !== undefined) { d.tsval = t.tsval; d.tsvalFrame = f.record.frameNo; }
  }
}

function sideText(name: string, s: StreamSide): string {
  const mss = s.mss !== undefined ? `MSS ${s.mss}` : s.sawSyn ? 'no MSS option' : 'MSS unknown (SYN not seen)';
  const ws = s.wscale !== undefined ? `window scale ${s.wscale} (×${2 ** s.wscale})` : s.sawSyn ? 'no window scaling' : 'window scale unknown';
  const rate = s.dataSegments === 0 ? '0 data segments' : `${s.retransmissions}/${s.dataSegments} data segments retransmitted (${((100 * s.retransmissions) / s.dataSegments).toFixed(1)} %)`;
  return `  ${name} (port ${s.port}): ${mss}, ${ws}; ${rate}; zero window ${s.zeroWindowNs > 0 ? formatDuration(s.zeroWindowNs) : 'never'}`;
}

/** The per-stream summary printed after the packets with --explain. */
export function formatStreamSummaries(rows: readonly StreamSummary[]): string {
  if (rows.length === 0) return '';
  let s = '\nTCP streams\n===========\n';
  for (const r of rows) {
    s += `Stream ${r.stream}: frames ${r.firstFrame}–${r.lastFrame}, ${formatDuration(r.lastNs - r.firstNs)}; handshake RTT ${r.irttNs !== 0 ? formatDuration(r.irttNs) : 'unknown (handshake not seen whole)'}\n`;
    s += sideText('A', r.sides[0]) + '\n' + sideText('B', r.sides[1]) + '\n';
    s += `  closed: ${closeReason(r)}\n`;
  }
  return s;
}
