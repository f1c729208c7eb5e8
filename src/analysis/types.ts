/**
 * What the TCP analysis computes for one frame (tcp.stream, relative numbers, tcp.analysis.*).
 * Owner: analysis/. fields/tcp-analysis.ts maps it to Wireshark field names; present/ reads it.
 *
 * Numbers follow tshark 4.0 with default preferences, one pass (spec/tcp-analysis.md §9.1):
 * "absent" is encoded as 0 (or -1 where 0 is a real value) so the shape stays monomorphic.
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

/** tcp.completeness bits (Wireshark's TCP_COMPLETENESS_*). */
export const TC_SYNSENT = 0x01;
export const TC_SYNACK = 0x02;
export const TC_ACK = 0x04;
export const TC_DATA = 0x08;
export const TC_FIN = 0x10;
export const TC_RST = 0x20;

/** tcp.window_size_scalefactor special values. */
export const WSCALE_UNKNOWN = -1;
export const WSCALE_NONE = -2;

/**
 * The numbers the flag decisions of one frame were made from (state before this frame), for
 * `--explain`. Sequence and ack numbers are relative (this side's base for seq/expected/peerAck,
 * the peer's base for ack/peerMaxSeq); times in ns; -1 where nothing was known yet.
 */
export interface TcpFlagFacts {
  /** TCP flag bits and raw sequence number of this packet. */
  tcpFlags: number;
  rawSeq: number;
  seq: number;
  len: number;
  /** Raw ack field relative to the peer's base (what this packet acknowledges). */
  ack: number;
  /** Raw window field of this packet, and the one of this side's previous packet (-1 none). */
  window: number;
  prevWindow: number;
  /** This side's previous ack (relative to the peer's base; -1 none). */
  prevAck: number;
  /** Highest next sequence number this side had sent before (-1 none), its frame and age. */
  expectedSeq: number;
  expectedFrame: number;
  sinceExpectedNs: number;
  /** What the peer had acknowledged of this side's data (-1 none), and its last packet's age (-1: none yet). */
  peerAck: number;
  sincePeerNs: number;
  /** Peer's duplicate-ACK count (0xFFFFFFFF after "ACKed unseen segment"). */
  peerDupAcks: number;
  /** Peer's raw window and the shift applied for Window Full (-1 when the scale is unknown). */
  peerWindow: number;
  peerShift: number;
  /** Highest contiguous peer sequence seen (relative to the peer's base; -1 none). */
  peerMaxSeq: number;
  /** Out-of-order threshold used (iRTT or 3 ms) and whether it was the iRTT. */
  thresholdNs: number;
  thresholdIsIrtt: boolean;
  /** Port reuse: the earlier ISN of this side (raw), -1 otherwise. */
  previousIsn: number;
}

export interface TcpFrameAnalysis {
  /** tcp.stream */
  stream: number;
  /**
   * tcp.seq: relative to the direction's base (raw when the segment length is unknown, i.e.
   * IP fragments, as tshark does).
   */
  relSeq: number;
  /** tcp.ack: relative when the ACK flag is set and the length is known, else the raw field. */
  relAck: number;
  /** tcp.nxtseq (relative); meaningful only when lenKnown. */
  nxtSeq: number;
  /** tcp.window_size (scaled); tcp.window_size_scalefactor (-1 unknown, -2 no scaling, else 1<<shift; 0 = absent on SYNs). */
  windowSize: number;
  scaleFactor: number;
  /** TA_* bits. */
  flags: number;
  /** tcp.len / tcp.nxtseq are known (false for unreassembled IP fragments, short segments). */
  lenKnown: boolean;
  /**
   * The data offset is below 5 words: tshark stops right after the analysis, so only tcp.stream,
   * tcp.completeness, tcp.seq(_raw) and tcp.len are shown (no ack, window, nxtseq, times).
   */
  bogusHeader: boolean;
  /**
   * Reading the options hit the end of the captured or reported bytes (or an empty SACK block):
   * tshark stops there, so no tcp.analysis is shown and taps (follow) never see the frame.
   */
  optionsCut: boolean;
  /** A FIN that "initiates" the connection closing (the peer had not sent FIN); false otherwise. */
  finInitiates: boolean;
  /** tcp.completeness as tshark prints it in one pass (value before this frame's update). */
  completeness: number;
  /** The frame has an analysis record: tcp.analysis and its children may be shown (§9). */
  hasRecord: boolean;
  /** tcp.analysis.acks_frame (0 = absent). */
  acksFrame: number;
  /** tcp.analysis.ack_rtt in ns (shown when acksFrame != 0 and this != 0). */
  ackRttNs: number;
  /** tcp.analysis.initial_rtt in ns at this frame (shown when hasRecord and != 0). */
  initialRttNs: number;
  /** tcp.analysis.bytes_in_flight (0 = absent); push_bytes_sent is shown only with it. */
  bytesInFlight: number;
  pushBytesSent: number;
  /** tcp.analysis.rto (ns) and rto_frame, for plain retransmissions (rtoFrame 0 = absent). */
  rtoNs: number;
  rtoFrame: number;
  /** tcp.analysis.duplicate_ack_num / _frame (0 = absent). */
  dupAckNum: number;
  dupAckFrame: number;
  /** tcp.options.sack_le / sack_re, relative to the peer's base sequence (every block, in order). */
  sackLe: readonly number[];
  sackRe: readonly number[];
  /** D-SACK detected: tcp.options.sack.dsack_le/_re are the first block's edges. */
  dsack: boolean;
  /** tcp.time_relative / tcp.time_delta in ns (may be negative when time goes backwards). */
  timeRelativeNs: number;
  timeDeltaNs: number;
  /** Why the flags are set (present exactly when flags != 0). */
  facts: TcpFlagFacts | undefined;
}
