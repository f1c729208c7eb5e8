/**
 * What the TCP analysis computes for one frame (tcp.stream, relative numbers, tcp.analysis.*).
 * Owner: analysis/. fields/tcp-analysis.ts maps it to Wireshark field names; present/ reads it.
 */

/** tcp.analysis.* flags, as bits of TcpFrameAnalysis.flags. */
export const TA_RETRANSMISSION = 1 << 0;
export const TA_FAST_RETRANSMISSION = 1 << 1;
export const TA_SPURIOUS_RETRANSMISSION = 1 << 2;
export const TA_OUT_OF_ORDER = 1 << 3;
export const TA_LOST_SEGMENT = 1 << 4;
export const TA_ACK_LOST_SEGMENT = 1 << 5;
export const TA_DUPLICATE_ACK = 1 << 6;
export const TA_ZERO_WINDOW = 1 << 7;
export const TA_ZERO_WINDOW_PROBE = 1 << 8;
export const TA_ZERO_WINDOW_PROBE_ACK = 1 << 9;
export const TA_WINDOW_UPDATE = 1 << 10;
export const TA_WINDOW_FULL = 1 << 11;
export const TA_KEEP_ALIVE = 1 << 12;
export const TA_KEEP_ALIVE_ACK = 1 << 13;
export const TA_REUSED_PORTS = 1 << 14;

export interface TcpFrameAnalysis {
  /** tcp.stream */
  stream: number;
  /** Relative seq/ack/nxtseq as Wireshark shows them (raw values are on the TcpHeader). */
  relSeq: number;
  relAck: number;
  nxtSeq: number;
  /** tcp.window_size (scaled); tcp.window_size_scalefactor (-1 unknown, -2 no scaling). */
  windowSize: number;
  scaleFactor: number;
  /** TA_* bits. */
  flags: number;
}
