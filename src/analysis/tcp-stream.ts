/**
 * Per-stream and per-direction state of the TCP sequence analysis (spec/tcp-analysis.md §5).
 *
 * Every property is initialised in the constructor in a fixed order (stable shapes). Times are
 * kept as integer seconds + nanoseconds pairs; {0, 0} means "unset", as Wireshark's nstime zero.
 * Sequence numbers are raw uint32; 0 in nextSeq / maxSeqToBeAcked means "unset" (as upstream).
 */
import { WSCALE_UNKNOWN } from './types.js';
import type { MptcpConnection } from './mptcp.js';

/** One not-yet-ACKed segment (Wireshark's tcp_unacked_t). */
export interface UnackedSegment {
  frame: number;
  seq: number;
  nextSeq: number;
  sec: number;
  nsec: number;
}

/** State of one direction of a stream. */
export class TcpFlow {
  baseSeq = 0;
  baseSet = false;
  /** -1 unknown, -2 no scaling, 0..14 shift. */
  winScale = WSCALE_UNKNOWN;
  /** Raw window of the last packet sent in this direction (0xFFFFFFFF before any). */
  window = 0xffffffff;
  isFirstAck = false;
  lastAck = 0;
  lastAckSec = 0;
  lastAckNsec = 0;
  lastNonDupAck = 0;
  /** Unsigned 32-bit duplicate-ACK counter (0xFFFFFFFF after an "ACKed unseen" else-branch). */
  dupAckNum = 0;
  nextSeq = 0;
  nextSeqFrame = 0;
  nextSeqSec = 0;
  nextSeqNsec = 0;
  maxSeqToBeAcked = 0;
  /**
   * Unacked segments, oldest first (Wireshark keeps newest first; the walk order is reversed):
   * the first nSegs entries. Entries from nSegs on are ACKed segment objects kept for reuse (a
   * pool, so a steady exchange allocates none); tcp-analysis.ts drops the pool when it grows
   * past a few dozen while nothing is unacked.
   */
  segments: UnackedSegment[] = [];
  nSegs = 0;
  lastSegmentFlags = 0;
  validBif = true;
  pushBytesSent = 0;
  pushSetLast = false;
  /** SACK blocks (raw edges) of the last packet sent in this direction; at most 3 kept. */
  sackLe: number[] = [];
  sackRe: number[] = [];
  numSack = 0;
  /** MPTCP subtypes of the stream's MPTCP connection as seen at this direction's last packet. */
  mpOps = 0;
  /** An MPTCP token was bound for this direction. */
  mptcpToken = false;
  /** FIN seen in this direction (closing state, for eviction). */
  finSeen = false;
  closingInitiator = false;
}

/** One TCP conversation (tcp.stream). */
export class TcpStream {
  readonly flow1 = new TcpFlow();
  readonly flow2 = new TcpFlow();
  tsFirstSec: number;
  tsFirstNsec: number;
  tsPrevSec: number;
  tsPrevNsec: number;
  tsMruSynSec = 0;
  tsMruSynNsec = 0;
  /** iRTT in ns (0 = not known yet). */
  firstRttNs = 0;
  completeness = 0;
  /** The MPTCP connection this stream is a subflow of (shared between subflows). */
  mptcp: MptcpConnection | undefined = undefined;
  /** RST seen: the stream is closed. */
  reset = false;
  /** Last activity (capture time, seconds) and LRU links, for eviction. */
  lastSec: number;
  lastFrame = 0;
  prev: TcpStream | undefined = undefined;
  next: TcpStream | undefined = undefined;

  /**
   * The conversation key: for IPv4 the three numbers of the analysis' Conv4Table (key is ''),
   * otherwise the string of analysis/flow.ts flowKeyOf.
   */
  ka = 0;
  kb = 0;
  kp = 0;

  constructor(readonly index: number, readonly key: string, sec: number, nsec: number) {
    this.tsFirstSec = sec;
    this.tsFirstNsec = nsec;
    this.tsPrevSec = sec;
    this.tsPrevNsec = nsec;
    this.lastSec = sec;
  }

  /** Closed: reset, or a FIN seen in both directions. */
  get closed(): boolean {
    return this.reset || (this.flow1.finSeen && this.flow2.finSeen);
  }
}
