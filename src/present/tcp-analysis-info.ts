/**
 * The analysis part of the TCP Info column: Wireshark's "[TCP Retransmission] ", "[TCP Dup ACK 36#1] "…
 * (spec/tcp-analysis.md §10.1). tshark prepends each marker in a fixed order, so the visible order
 * is the reverse of that order; this returns the markers already in visible order.
 * Pure formatting: no I/O.
 */
import type { TcpFrameAnalysis } from '../analysis/types.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK,
  TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL, TA_WINDOW_UPDATE, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK,
} from '../analysis/types.js';

/** Markers in tshark's printing order (each is prepended, so the last printed shows first). */
const MARKERS: readonly (readonly [number, string])[] = [
  [TA_REUSED_PORTS, '[TCP Port numbers reused] '],
  [TA_RETRANSMISSION, '[TCP Retransmission] '],
  [TA_FAST_RETRANSMISSION, '[TCP Fast Retransmission] '],
  [TA_SPURIOUS_RETRANSMISSION, '[TCP Spurious Retransmission] '],
  [TA_OUT_OF_ORDER, '[TCP Out-Of-Order] '],
  [TA_LOST_SEGMENT, '[TCP Previous segment not captured] '],
  [TA_ACK_LOST_SEGMENT, '[TCP ACKed unseen segment] '],
  [TA_WINDOW_UPDATE, '[TCP Window Update] '],
  [TA_WINDOW_FULL, '[TCP Window Full] '],
  [TA_KEEP_ALIVE, '[TCP Keep-Alive] '],
  [TA_KEEP_ALIVE_ACK, '[TCP Keep-Alive ACK] '],
  [TA_DUPLICATE_ACK, ''],
  [TA_ZERO_WINDOW_PROBE, '[TCP ZeroWindowProbe] '],
  [TA_ZERO_WINDOW, '[TCP ZeroWindow] '],
  [TA_ZERO_WINDOW_PROBE_ACK, '[TCP ZeroWindowProbeAck] '],
];

/** Prefix (with its trailing space) put before the TCP Info text; '' when nothing is flagged. */
export function formatAnalysisPrefix(a: TcpFrameAnalysis): string {
  const flags = a.flags;
  if (flags === 0 || !a.hasRecord) return '';
  let s = '';
  for (const [bit, text] of MARKERS) {
    if ((flags & bit) === 0) continue;
    if (bit === TA_DUPLICATE_ACK) {
      if (a.dupAckNum !== 0) s = `[TCP Dup ACK ${a.dupAckFrame}#${a.dupAckNum}] ` + s;
    } else {
      s = text + s;
    }
  }
  return s;
}
