/**
 * The analysis part of the TCP Info column: Wireshark's "[TCP Retransmission] ", "[TCP Dup ACK 36#1] "…
 * (Owner: the analysis issue; prints nothing until it lands.)
 */
import type { TcpFrameAnalysis } from '../analysis/types.js';

/** Prefix (with its trailing space) put before the TCP Info text; '' when nothing is flagged. */
export function formatAnalysisPrefix(_a: TcpFrameAnalysis): string {
  return '';
}
