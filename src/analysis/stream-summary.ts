/**
 * Per-stream summary for `tcplab read --explain` (issue 4, "Output"): for every tcp.stream the
 * handshake RTT (SYN → SYN+ACK → ACK, tshark's iRTT), MSS and window-scale shift of each side
 * (from its SYN), data segments and retransmissions (rate), the time spent with a zero window
 * (from a zero-window segment until the same side opens it again, or the stream's last packet)
 * and how it ended: FIN (both sides / one side), RST, or still open at capture end.
 *
 * Side 0 is the source of the stream's first packet (the client when the handshake was seen).
 * Feed every frame in capture order with its analysis. Memory: one small record per stream.
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TA_FAST_RETRANSMISSION, TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION, TA_ZERO_WINDOW } from './types.js';
import type { TcpFrameAnalysis } from './types.js';
import { TH_FIN as FIN, TH_SYN as SYN, TH_RST as RST } from '../decode/tcp.js';

const ANY_RETRANS = TA_RETRANSMISSION | TA_FAST_RETRANSMISSION | TA_SPURIOUS_RETRANSMISSION;

export interface StreamSide {
  /** Source address key and port of this side. */
  port: number;
  mss: number | undefined;
  /** Window-scale shift announced in its SYN; undefined when its SYN was not seen or had none. */
  wscale: number | undefined;
  sawSyn: boolean;
  frames: number;
  dataSegments: number;
  retransmissions: number;
  /** ns with a zero window advertised by this side (receiver buffer full). */
  zeroWindowNs: number;
  /** Start of the current zero-window period (ns relative to capture start), -1 none. */
  zeroSinceNs: number;
  fin: boolean;
  rst: boolean;
}

export interface StreamSummary {
  stream: number;
  firstFrame: number;
  lastFrame: number;
  firstNs: number;
  lastNs: number;
  /** tcp.analysis.initial_rtt (ns), 0 when the handshake was not seen whole. */
  irttNs: number;
  sides: [StreamSide, StreamSide];
}

const side = (port: number): StreamSide => ({
  port, mss: undefined, wscale: undefined, sawSyn: false, frames: 0, dataSegments: 0, retransmissions: 0,
  zeroWindowNs: 0, zeroSinceNs: -1, fin: false, rst: false,
});

/** Direction key of the source: address bytes and port (IPv4 or IPv6, innermost IP). */
function sourceKey(record: CaptureRecord, pkt: DecodedPacket): string {
  const t = pkt.tcp!;
  if (pkt.ip6 !== undefined && (pkt.ip4 === undefined || pkt.layers.lastIndexOf('ipv6') > pkt.layers.lastIndexOf('ip'))) {
    let k = '';
    for (let i = 0; i < 16; i++) k += String.fromCharCode(record.data[pkt.ip6.srcOffset + i] ?? 0);
    return `${k}/${t.srcPort}`;
  }
  return `${pkt.ip4?.src ?? 0}/${t.srcPort}`;
}

export class StreamSummaryTable {
  private readonly rows = new Map<number, StreamSummary & { key0: string }>();

  /** Feeds one frame; `relNs` is its time since the first frame of the capture. */
  add(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined, relNs: number): void {
    const t = pkt.tcp;
    if (a === undefined || t === undefined || a.bogusHeader || t.hdrAvailable < 20) return;
    const key = sourceKey(record, pkt);
    let row = this.rows.get(a.stream);
    if (row === undefined) {
      row = { stream: a.stream, key0: key, firstFrame: record.frameNo, lastFrame: record.frameNo, firstNs: relNs, lastNs: relNs, irttNs: 0, sides: [side(t.srcPort), side(t.dstPort)] };
      this.rows.set(a.stream, row);
    }
    row.lastFrame = record.frameNo;
    row.lastNs = relNs;
    if (a.initialRttNs !== 0) row.irttNs = a.initialRttNs;
    const s = row.sides[key === row.key0 ? 0 : 1];
    s.frames++;
    if ((t.flags & SYN) !== 0) {
      s.sawSyn = true;
      s.mss = t.mss;
      s.wscale = t.wscale;
    }
    if (t.len > 0) {
      s.dataSegments++;
      if ((a.flags & ANY_RETRANS) !== 0) s.retransmissions++;
    }
    if ((t.flags & FIN) !== 0) s.fin = true;
    if ((t.flags & RST) !== 0) s.rst = true;
    // Zero window: from the segment that advertises it until this side advertises space again.
    if ((a.flags & TA_ZERO_WINDOW) !== 0 || (t.window === 0 && (t.flags & (SYN | FIN | RST)) === 0)) {
      if (s.zeroSinceNs < 0) s.zeroSinceNs = relNs;
    } else if (s.zeroSinceNs >= 0) {
      s.zeroWindowNs += relNs - s.zeroSinceNs;
      s.zeroSinceNs = -1;
    }
  }

  /** Summaries by stream number; open zero-window periods end at the stream's last packet. */
  summaries(): StreamSummary[] {
    const out: StreamSummary[] = [];
    for (const r of [...this.rows.values()].sort((x, y) => x.stream - y.stream)) {
      const sides = r.sides.map((s) => ({ ...s, zeroWindowNs: s.zeroWindowNs + (s.zeroSinceNs >= 0 ? r.lastNs - s.zeroSinceNs : 0), zeroSinceNs: -1 })) as [StreamSide, StreamSide];
      out.push({ stream: r.stream, firstFrame: r.firstFrame, lastFrame: r.lastFrame, firstNs: r.firstNs, lastNs: r.lastNs, irttNs: r.irttNs, sides });
    }
    return out;
  }
}

/** How a stream ended, in words. */
export function closeReason(s: StreamSummary): string {
  const [a, b] = s.sides;
  if (a.rst || b.rst) return `RST (sent by ${a.rst && b.rst ? 'both sides' : a.rst ? 'side A' : 'side B'})`;
  if (a.fin && b.fin) return 'FIN (both sides closed)';
  if (a.fin || b.fin) return `FIN from side ${a.fin ? 'A' : 'B'} only (half-closed at capture end)`;
  return 'still open at capture end';
}
