/**
 * TcpAnalyzer: Wireshark 4.0's TCP sequence analysis (packet-tcp.c tcp_analyze_sequence_number
 * and the parts of dissect_tcp around it), one pass in capture order, default preferences.
 * The behaviour is specified in /work/shared/spec/tcp-analysis.md; section numbers (§) below refer
 * to it. Nothing here reads packet bytes except IPv6 addresses (for the conversation key).
 *
 * Invariants:
 *  - analyze() must be called once per frame, in capture order (also for live capture).
 *  - Analysis runs on raw seq/ack/window; relative numbers are only computed for the result.
 *  - Sequence numbers are compared only through ./seq.js.
 *  - State is bounded: at most `maxStreams` streams (least recently active evicted first),
 *    closed streams are dropped after `closedLingerSec` of capture-time inactivity and any stream
 *    after `idleTimeoutSec`, and each direction keeps at most 10000 unacked segments (as upstream).
 *    tshark never forgets a conversation: a packet of an evicted 4-tuple starts a new tcp.stream
 *    here (the only deliberate divergence; the defaults make it rare).
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket, TcpHeader } from '../decode/packet.js';
import { flowKeyOf, innerIp, ip4KeyOf, tcpPacketOf, type Ip4Key } from './flow.js';
import { Conv4Table } from './conv-table.js';
import { seqAdd, seqGt, seqLe, seqLt, seqGe, seqSub } from './seq.js';
import { TcpFlow, TcpStream } from './tcp-stream.js';
import { MptcpTracker } from './mptcp.js';
import type { UnackedSegment } from './tcp-stream.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK,
  TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL, TA_WINDOW_UPDATE, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK,
  TC_ACK, TC_DATA, TC_FIN, TC_RST, TC_SYNACK, TC_SYNSENT, WSCALE_NONE, WSCALE_UNKNOWN,
} from './types.js';
import type { TcpFlagFacts, TcpFrameAnalysis } from './types.js';
import { TH_FIN as FIN, TH_SYN as SYN, TH_RST as RST, TH_PUSH as PSH, TH_ACK as ACK, tcpReadFixed } from '../decode/tcp.js';
import { TCPOPT_MPTCP, TCPOPT_SACK } from '../decode/tcp-options.js';

const SFR = SYN | FIN | RST;

const NS = 1_000_000_000;
/** TCP_MAX_UNACKED_SEGMENTS: per-direction cap of the unacked list (upstream value). */
const MAX_UNACKED = 10000;
/** Fast retransmission must follow the peer's last packet by less than this (strict). */
const FAST_RT_NS = 20_000_000;
/** Out-of-order threshold when no iRTT is known. */
const OOO_DEFAULT_NS = 3_000_000;
const DUPACK_NEUTRAL = 0xffffffff;
/** A direction's pool of ACKed segment objects is dropped when longer than this and idle. */
const MAX_POOLED = 64;
const EMPTY: readonly number[] = Object.freeze([]) as readonly number[];

export interface TcpAnalyzerOptions {
  /** Most streams tracked at once (default 100000); the least recently active one goes first. */
  maxStreams?: number;
  /**
   * A closed stream (RST, or FIN both ways) is dropped once it has been idle this long in capture
   * time (default 300 s) and for closedLingerFrames frames (default 100000): both, so that odd
   * timestamps in small captures never split a stream.
   */
  closedLingerSec?: number;
  closedLingerFrames?: number;
  /** Any stream idle this long in capture time is dropped (default: never; maxStreams bounds memory). */
  idleTimeoutSec?: number;
  /**
   * tshark's tcp.relative_sequence_numbers (default true). The analysis is the same either way;
   * only a check tshark makes on the ack it displays (an empty SACK option) sees the raw ack.
   */
  relativeSeq?: boolean;
}

/** Per-frame scratch: Wireshark's lazily created "analysis record" (struct tcp_acked). */
class FrameRecord {
  has = false;
  flags = 0;
  acksFrame = 0;
  ackRttNs = 0;
  rtoNs = 0;
  rtoFrame = 0;
  dupAckNum = 0;
  dupAckFrame = 0;
  bytesInFlight = 0;
  pushBytesSent = 0;

  reset(): void {
    this.has = false;
    this.flags = 0;
    this.acksFrame = 0;
    this.ackRttNs = 0;
    this.rtoNs = 0;
    this.rtoFrame = 0;
    this.dupAckNum = 0;
    this.dupAckFrame = 0;
    this.bytesInFlight = 0;
    this.pushBytesSent = 0;
  }

  flag(bit: number): void {
    this.has = true;
    this.flags |= bit;
  }
}

function newFacts(): TcpFlagFacts {
  return {
    tcpFlags: 0, rawSeq: 0, seq: 0, len: 0, ack: 0, window: 0, prevWindow: -1, prevAck: -1, expectedSeq: -1, expectedFrame: 0,
    sinceExpectedNs: 0, peerAck: -1, sincePeerNs: 0, peerDupAcks: 0, peerWindow: -1, peerShift: -1,
    peerMaxSeq: -1, thresholdNs: 0, thresholdIsIrtt: false, previousIsn: -1,
  };
}

function ns(secA: number, nsecA: number, secB: number, nsecB: number): number {
  return (secB - secA) * NS + (nsecB - nsecA);
}

/** Unsigned-64 "now − then < limit" as upstream computes it: false when time went backwards. */
function within(d: number, limit: number): boolean {
  return d >= 0 && d < limit;
}

/** tcp.len is known (tshark: not inside an unreassembled IP fragment or an ICMP error, full header). */
function segmentLengthKnown(th: TcpHeader): boolean {
  return th.hasLen && th.len >= 0;
}

/**
 * A SACK option without a complete block makes tshark 4.0 read a D-SACK edge past the option
 * (its first stored right edge is 0, "below" the ack): an exception that ends the dissection.
 */
function emptySackThrows(th: TcpHeader, relAck: number): boolean {
  if ((th.optionKinds & (1 << TCPOPT_SACK)) === 0 || th.sack.length !== 0) return false;
  const opts = th.options;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    if (o.kind === 5 && o.length < 10 && th.sack.length === 0) return seqLe(0, relAck);
  }
  return false;
}

/** Streams held at most unless TcpAnalyzerOptions.maxStreams says otherwise. */
export const DEFAULT_MAX_STREAMS = 100_000;

export class TcpAnalyzer {
  /** Conversations over IPv4 (numeric keys), and over anything else (string keys, flow.ts). */
  private readonly streams4 = new Conv4Table<TcpStream>();
  private readonly streams = new Map<string, TcpStream>();
  /** The current frame's IPv4 key (scratch: no object per frame). */
  private readonly k4: Ip4Key = { a: 0, b: 0, ports: 0, srcIsFlow1: false };
  private nextIndex = 0;
  /** LRU list by last activity: head = least recently active. */
  private head: TcpStream | undefined = undefined;
  private tail: TcpStream | undefined = undefined;
  private count = 0;
  private readonly maxStreams: number;
  private readonly relativeSeq: boolean;
  private readonly closedLingerSec: number;
  private readonly idleTimeoutSec: number;
  private readonly closedLingerFrames: number;
  private readonly ta = new FrameRecord();
  private readonly mptcp = new MptcpTracker();
  /** Pre-state numbers of the current frame (copied into the result only when a flag is set). */
  private readonly pre = newFacts();

  constructor(opts: TcpAnalyzerOptions = {}) {
    this.maxStreams = Math.max(1, opts.maxStreams ?? DEFAULT_MAX_STREAMS);
    this.relativeSeq = opts.relativeSeq ?? true;
    this.closedLingerSec = opts.closedLingerSec ?? 300;
    this.closedLingerFrames = opts.closedLingerFrames ?? 100_000;
    this.idleTimeoutSec = opts.idleTimeoutSec ?? Infinity;
  }

  /** Number of streams currently held in memory. */
  get trackedStreams(): number {
    return this.count;
  }

  /** Number of tcp.stream indexes handed out so far. */
  get streamCount(): number {
    return this.nextIndex;
  }

  /** Analyses one frame (call in capture order); undefined for non-TCP frames. */
  analyze(record: CaptureRecord, pkt: DecodedPacket): TcpFrameAnalysis | undefined {
    // A TCP header quoted in an ICMP error still finds (or creates) its stream and moves the
    // stream's time_delta clock, but has no length and so no analysis (§3.3).
    const ipPkt = tcpPacketOf(pkt);
    if (ipPkt === undefined) return undefined;
    const th = ipPkt.tcp!;
    // tshark reads seq, ack, flags and window before anything else: without those 16 bytes the
    // TCP dissection stops (exception) before the conversation lookup.
    if (!tcpReadFixed(th)) return undefined;
    // §2.1 the conversation key: numbers for IPv4 (the common case), a string otherwise.
    const k4 = this.k4;
    let key = '';
    let srcIsFlow1: boolean;
    const ip4 = ipPkt.ip4;
    if (ip4 !== undefined && innerIp(ipPkt) === 'ip') {
      ip4KeyOf(ip4.src, ip4.dst, th.srcPort, th.dstPort, k4);
      srcIsFlow1 = k4.srcIsFlow1;
    } else {
      const fk = flowKeyOf(record, ipPkt, th.srcPort, th.dstPort);
      if (fk === undefined) return undefined;
      key = fk.key;
      srcIsFlow1 = fk.srcIsFlow1;
    }
    const ka = k4.a;
    const kb = k4.b;
    const kp = k4.ports;
    const sec = record.ts.sec;
    const nsec = record.ts.nsec;
    const frame = record.frameNo;
    const flags = th.flags;
    const seq = th.seq >>> 0;
    const ack = th.ack >>> 0;
    const win = th.window;
    const ta = this.ta;
    ta.reset();
    const pre = this.pre;
    pre.previousIsn = -1;
    pre.expectedSeq = -1;

    // Forget streams past their limits before looking this one up (bounded state).
    this.evict(sec, frame);
    // §2.1 find or create the conversation.
    let s = key === '' ? this.streams4.get(ka, kb, kp) : this.streams.get(key);
    let isNew = false;
    if (s === undefined) {
      s = this.createStream(key, ka, kb, kp, sec, nsec, frame);
      isNew = true;
    } else {
      this.touch(s, sec, frame);
    }
    let fwd = srcIsFlow1 ? s.flow1 : s.flow2;

    // §2.2 port reuse / retransmitted SYN.
    if ((flags & (SYN | ACK)) === SYN && fwd.baseSet) {
      if (seq !== fwd.baseSeq) {
        // The old conversation stays in tshark but no later packet can reach it: drop it.
        pre.previousIsn = fwd.baseSeq;
        this.drop(s);
        s = this.createStream(key, ka, kb, kp, sec, nsec, frame);
        fwd = srcIsFlow1 ? s.flow1 : s.flow2;
        ta.flag(TA_REUSED_PORTS);
        s.completeness = TC_SYNSENT;
      } else {
        fwd.nextSeq = fwd.maxSeqToBeAcked;
        ta.has = true;
      }
    }
    const rev = fwd === s.flow1 ? s.flow2 : s.flow1;
    if ((flags & (SYN | ACK)) === (SYN | ACK) && fwd.baseSet && seq !== fwd.baseSeq) {
      pre.previousIsn = fwd.baseSeq;
      fwd.baseSeq = seq;
      ta.flag(TA_REUSED_PORTS);
    }
    const completenessShown = s.completeness;
    fwd.numSack = 0;

    // §2.3 per-stream timestamps.
    const timeDeltaNs = ns(s.tsPrevSec, s.tsPrevNsec, sec, nsec);
    s.tsPrevSec = sec;
    s.tsPrevNsec = nsec;

    const lenKnown = segmentLengthKnown(th);
    const len = lenKnown ? th.len : 0;
    let relSeq = seq;
    let relAck = ack;
    let nxtSeq = 0;
    let windowSize = win;
    if (lenKnown) {
      // §3.1 base sequence numbers.
      if (!fwd.baseSet) {
        fwd.baseSeq = (flags & SYN) !== 0 ? seq : seqSub(seq, 1);
        fwd.baseSet = true;
      }
      if (!rev.baseSet && (flags & ACK) !== 0) {
        rev.baseSeq = seqSub(ack, 1);
        rev.baseSet = true;
      }
      this.analyzeSequence(s, fwd, rev, frame, sec, nsec, seq, ack, len, flags, win);
      relSeq = seqSub(seq, fwd.baseSeq);
      if ((flags & ACK) !== 0) relAck = seqSub(ack, rev.baseSeq);
      // §4.2 calculated window (SYNs never scaled; the default-scaling preference is "not known").
      if ((flags & SYN) === 0 && fwd.winScale >= 0) windowSize = win * (1 << fwd.winScale);
      nxtSeq = seqAdd(relSeq, len + ((flags & (SYN | FIN)) !== 0 ? 1 : 0));
    }
    // tcp.window_size_scalefactor (non-SYN only), before this packet's own WS option (§6.1).
    const scaleFactor = (flags & SYN) !== 0 ? 0 : fwd.winScale >= 0 ? 1 << fwd.winScale : fwd.winScale;

    // tshark gives up on a header shorter than 20 bytes right after the analysis (nothing below
    // runs), and an exception while reading the options (cut by the snaplen or the IP length)
    // ends the dissection before the analysis is printed and the SYN's scaling is verified.
    const bogusHeader = th.hdrLen < 20;
    const optionsCut = !bogusHeader && (th.hdrAvailable < th.hdrLen || emptySackThrows(th, this.relativeSeq ? relAck : th.ack));
    let sackLe: readonly number[] = EMPTY;
    let sackRe: readonly number[] = EMPTY;
    let dsack = false;
    let finInitiates = false;
    if (!bogusHeader) {
      this.updateCompleteness(s, isNew, flags, len);
      finInitiates = this.afterAnalysis(s, fwd, rev, flags, sec, nsec);
      // §6.1 step 10: options (window scale; SACK blocks relative to the peer's base, D-SACK;
      // MPTCP connection lookup).
      if (th.wscale !== undefined) fwd.winScale = Math.min(th.wscale, 14);
      const mptcpBits = (th.optionKinds & (1 << TCPOPT_MPTCP)) !== 0 ? this.mptcp.noteOptions(record.data, th.options, s, fwd, rev) : -1;
      const blocks = th.sack;
      if (blocks.length > 0) {
        const base = rev.baseSeq;
        const le: number[] = [];
        const re: number[] = [];
        for (let i = 0; i < blocks.length; i++) {
          const b = blocks[i]!;
          le.push(seqSub(b.le >>> 0, base));
          re.push(seqSub(b.re >>> 0, base));
          if (i < 3) {
            fwd.sackLe[i] = le[i]!;
            fwd.sackRe[i] = re[i]!;
            fwd.numSack = i + 1;
          }
        }
        sackLe = le;
        sackRe = re;
        const re0 = re[0]!;
        dsack = seqLe(re0, relAck) || (le.length > 1 && seqLt(le[1]!, re0) && seqGe(re[1]!, re0));
      }
      if (!optionsCut) {
        // §4.1 window-scale verification after a SYN's options.
        if ((flags & SYN) !== 0) {
          if (fwd.winScale === WSCALE_UNKNOWN) {
            fwd.winScale = WSCALE_NONE;
            rev.winScale = WSCALE_NONE;
          } else if ((flags & ACK) !== 0 && rev.winScale === WSCALE_NONE) {
            fwd.winScale = WSCALE_NONE;
          }
        }
        // The MPTCP analysis runs after the options: the connection remembers the subtypes.
        if (mptcpBits >= 0 && s.mptcp !== undefined) s.mptcp.ops |= mptcpBits;
      }
    }
    const shown = ta.has && !bogusHeader && !optionsCut;

    const result: TcpFrameAnalysis = {
      stream: s.index,
      relSeq,
      relAck,
      nxtSeq,
      windowSize,
      scaleFactor,
      flags: shown ? ta.flags : 0,
      lenKnown,
      bogusHeader,
      optionsCut,
      finInitiates,
      completeness: completenessShown,
      hasRecord: shown,
      acksFrame: ta.acksFrame,
      ackRttNs: ta.ackRttNs,
      initialRttNs: shown ? s.firstRttNs : 0,
      bytesInFlight: ta.bytesInFlight,
      pushBytesSent: ta.pushBytesSent,
      rtoNs: ta.rtoNs,
      rtoFrame: ta.rtoFrame,
      dupAckNum: ta.dupAckNum,
      dupAckFrame: ta.dupAckFrame,
      sackLe,
      sackRe,
      dsack,
      timeRelativeNs: ns(s.tsFirstSec, s.tsFirstNsec, sec, nsec),
      timeDeltaNs,
      facts: shown && ta.flags !== 0 ? this.factsOf(lenKnown, s, fwd, rev, sec, nsec, seq, ack, win, flags) : undefined,
    };
    return result;
  }

  /** §6.2 steps A–S with raw numbers; results go to this.ta. */
  private analyzeSequence(
    s: TcpStream, fwd: TcpFlow, rev: TcpFlow, frame: number, sec: number, nsec: number,
    seq: number, ack: number, len: number, flags: number, win: number,
  ): void {
    const ta = this.ta;
    const noSfr = (flags & SFR) === 0;
    // The two numbers of the pre-state (for --explain) that step L changes before the last check.
    const peerDupAcks = rev.dupAckNum;
    const peerMaxSeq = rev.maxSeqToBeAcked;

    // A. bytes-in-flight re-enable.
    if ((flags & ACK) !== 0) rev.validBif = true;

    checks: {
      // B. zero window probe.
      if (len === 1 && seq === fwd.nextSeq && rev.window === 0) {
        ta.flag(TA_ZERO_WINDOW_PROBE);
        break checks;
      }
      // C. zero window.
      if (win === 0 && noSfr) ta.flag(TA_ZERO_WINDOW);
      // D. lost segment.
      if (fwd.nextSeq !== 0 && seqGt(seq, fwd.nextSeq) && (flags & RST) === 0) {
        ta.flag(TA_LOST_SEGMENT);
        fwd.validBif = false;
      }
      // E. keep-alive.
      if ((len === 0 || len === 1) && seq === seqSub(fwd.nextSeq, 1) && noSfr) ta.flag(TA_KEEP_ALIVE);
      const sameAck = len === 0 && seq === fwd.nextSeq && ack === fwd.lastAck && noSfr;
      // F. window update.
      if (sameAck && win !== 0 && win !== fwd.window) ta.flag(TA_WINDOW_UPDATE);
      // G. window full.
      if (len > 0 && rev.winScale !== WSCALE_UNKNOWN && noSfr) {
        const shift = rev.isFirstAck || rev.winScale === WSCALE_NONE ? 0 : rev.winScale;
        const edge = seqAdd(rev.lastAck, (rev.window << shift) >>> 0);
        if (seqAdd(seq, len) === edge) ta.flag(TA_WINDOW_FULL);
      }
      // H. keep-alive ACK.
      if (sameAck && win !== 0 && win === fwd.window && (rev.lastSegmentFlags & TA_KEEP_ALIVE) !== 0) {
        ta.flag(TA_KEEP_ALIVE_ACK);
        break checks;
      }
      // I. zero window probe ACK.
      if (sameAck && win === 0 && fwd.window === 0 && (rev.lastSegmentFlags & TA_ZERO_WINDOW_PROBE) !== 0) {
        ta.flag(TA_ZERO_WINDOW_PROBE_ACK);
        break checks;
      }
      // J. duplicate ACK (MPTCP tolerates some: ignored while the MPTCP operations seen differ).
      if (sameAck && win !== 0 && win === fwd.window && (s.mptcp === undefined || s.mptcp.ops === fwd.mpOps)) {
        fwd.dupAckNum = fwd.dupAckNum === DUPACK_NEUTRAL ? 1 : fwd.dupAckNum + 1;
        ta.flag(TA_DUPLICATE_ACK);
        ta.dupAckNum = fwd.dupAckNum;
        ta.dupAckFrame = fwd.lastNonDupAck;
      }
    }

    // K. ack-change bookkeeping.
    if (ack !== fwd.lastAck) {
      fwd.lastNonDupAck = frame;
      fwd.dupAckNum = 0;
    }

    // L. ACKed unseen segment.
    if (rev.maxSeqToBeAcked !== 0 && seqGt(ack, rev.maxSeqToBeAcked) && (flags & ACK) !== 0) {
      ta.has = true;
      if (seqLt(rev.maxSeqToBeAcked, rev.nextSeq)) {
        rev.maxSeqToBeAcked = rev.nextSeq;
        ta.flag(TA_ACK_LOST_SEGMENT);
      } else {
        if (rev.dupAckNum === 0) ta.flag(TA_ACK_LOST_SEGMENT);
        rev.dupAckNum = DUPACK_NEUTRAL;
      }
    }

    // M. retransmission family.
    if (len > 0 || (flags & (SYN | FIN)) !== 0) {
      family: {
        if ((ta.flags & TA_KEEP_ALIVE) !== 0) break family;
        let notAdvanced = fwd.nextSeq !== 0 && seqLt(seq, fwd.nextSeq);
        if (len > 1 && seqSub(fwd.nextSeq, 1) === seq) notAdvanced = false;
        if (len > 0 && rev.lastAck !== 0 && seqLe(seqAdd(seq, len), rev.lastAck)) {
          ta.flag(TA_SPURIOUS_RETRANSMISSION);
          break family;
        }
        if (notAdvanced && rev.dupAckNum >= 2 && rev.lastAck === seq
          && within(ns(rev.lastAckSec, rev.lastAckNsec, sec, nsec), FAST_RT_NS)) {
          ta.flag(TA_FAST_RETRANSMISSION);
          break family;
        }
        const thr = s.firstRttNs !== 0 ? s.firstRttNs : OOO_DEFAULT_NS;
        if (notAdvanced && within(ns(fwd.nextSeqSec, fwd.nextSeqNsec, sec, nsec), thr)
          && fwd.nextSeq !== seqAdd(seq, len + ((flags & (SYN | FIN)) !== 0 ? 1 : 0))) {
          ta.flag(TA_OUT_OF_ORDER);
          break family;
        }
        if (notAdvanced) {
          ta.flag(TA_RETRANSMISSION);
          ta.rtoNs = ns(fwd.nextSeqSec, fwd.nextSeqNsec, sec, nsec);
          ta.rtoFrame = fwd.nextSeqFrame;
          if (fwd.nSegs > 0) {
            const oldest = fwd.segments[0]!;
            ta.rtoNs = ns(oldest.sec, oldest.nsec, sec, nsec);
            ta.rtoFrame = oldest.frame;
          }
        }
      }
    }

    // The numbers the checks decided on, for a flagged frame only (nothing above changed them
    // but step L, whose two are restored).
    if (ta.flags !== 0) {
      this.notePreState(s, fwd, rev, sec, nsec, seq, ack, len, win, flags);
      this.pre.peerDupAcks = peerDupAcks;
      this.pre.peerMaxSeq = peerMaxSeq === 0 ? -1 : seqSub(peerMaxSeq, rev.baseSeq);
    }

    // N. record the segment.
    let nextSeqPkt = seqAdd(seq, len);
    if ((len > 0 || (flags & (SYN | FIN)) !== 0) && fwd.nSegs < MAX_UNACKED) {
      if ((flags & (SYN | FIN)) !== 0) nextSeqPkt = seqAdd(nextSeqPkt, 1);
      const segs = fwd.segments;
      const n = fwd.nSegs;
      if (n < segs.length) {
        const seg = segs[n]!;
        seg.frame = frame;
        seg.seq = seq;
        seg.nextSeq = nextSeqPkt;
        seg.sec = sec;
        seg.nsec = nsec;
      } else {
        segs.push({ frame, seq, nextSeq: nextSeqPkt, sec, nsec });
      }
      fwd.nSegs = n + 1;
    }
    const zwp = (ta.flags & TA_ZERO_WINDOW_PROBE) !== 0;
    // O. highest nextseq.
    if ((seqGt(nextSeqPkt, fwd.nextSeq) || fwd.nextSeq === 0) && !zwp) {
      fwd.nextSeq = nextSeqPkt;
      fwd.nextSeqFrame = frame;
      fwd.nextSeqSec = sec;
      fwd.nextSeqNsec = nsec;
    }
    // P. contiguity mark.
    if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !zwp) fwd.maxSeqToBeAcked = fwd.nextSeq;
    // Q. remember.
    fwd.window = win;
    fwd.lastAck = ack;
    fwd.lastAckSec = sec;
    fwd.lastAckNsec = nsec;
    if (s.mptcp !== undefined) fwd.mpOps = s.mptcp.ops;
    fwd.lastSegmentFlags = ta.has ? ta.flags : 0;

    // R. ACK processing over the peer's unacked segments (§7): oldest exact match wins.
    // Segments that stay are swapped to the front, the ACKed ones behind them (the pool).
    const segs = rev.segments;
    const nRev = rev.nSegs;
    let w = 0;
    for (let i = 0; i < nRev; i++) {
      const seg = segs[i]!;
      if (ack === seg.nextSeq) {
        if (ta.acksFrame === 0) {
          ta.has = true;
          ta.acksFrame = seg.frame;
          ta.ackRttNs = ns(seg.sec, seg.nsec, sec, nsec);
        }
        continue;
      }
      if (seqGt(ack, seg.seq) && seqLe(ack, seg.nextSeq)) seg.seq = ack;
      if (seqGt(seg.nextSeq, ack)) {
        if (w !== i) {
          segs[i] = segs[w]!;
          segs[w] = seg;
        }
        w++;
      }
    }
    rev.nSegs = w;
    if (w === 0 && segs.length > MAX_POOLED) rev.segments = [];

    // S. bytes in flight and push bytes (§8.1, §8.2).
    const own = fwd.segments;
    const nOwn = fwd.nSegs;
    if (len !== 0 && nOwn > 0 && fwd.validBif) {
      const base = fwd.baseSeq;
      let first = seqSub(own[nOwn - 1]!.seq, base);
      let last = seqSub(own[nOwn - 1]!.nextSeq, base);
      for (let i = 0; i < nOwn; i++) {
        const seg: UnackedSegment = own[i]!;
        const hi = seqSub(seg.nextSeq, base);
        const lo = seqSub(seg.seq, base);
        if (hi > last) last = hi;
        if (lo < first) first = lo;
      }
      let inFlight = (last - first) >>> 0;
      if (rev.numSack > 0) {
        let delivered = 0;
        for (let i = 0; i < rev.numSack; i++) delivered = (delivered + ((rev.sackRe[i]! - rev.sackLe[i]!) >>> 0)) >>> 0;
        inFlight = (inFlight - delivered) >>> 0;
      }
      ta.has = true;
      if (inFlight > 0 && inFlight < 2_000_000_000) {
        ta.bytesInFlight = (flags & (SYN | FIN)) !== 0 ? inFlight - 1 : inFlight;
      }
      if ((flags & PSH) !== 0) {
        fwd.pushBytesSent = fwd.pushSetLast ? len : fwd.pushBytesSent + len;
        fwd.pushSetLast = true;
      } else if (fwd.pushSetLast) {
        fwd.pushBytesSent = len;
        fwd.pushSetLast = false;
      } else {
        fwd.pushBytesSent += len;
      }
      ta.pushBytesSent = fwd.pushBytesSent;
    }
  }

  /**
   * A copy of the pre-state of a flagged frame. When the sequence analysis did not run (tcp.len
   * unknown: only port reuse can flag it) the state is still as before the frame: read it now.
   */
  private factsOf(
    lenKnown: boolean, s: TcpStream, fwd: TcpFlow, rev: TcpFlow, sec: number, nsec: number, seq: number, ack: number, win: number,
    flags: number,
  ): TcpFlagFacts {
    if (!lenKnown) this.notePreState(s, fwd, rev, sec, nsec, seq, ack, 0, win, flags);
    return { ...this.pre };
  }

  /** Snapshot of the numbers the checks decide on (for --explain). */
  private notePreState(
    s: TcpStream, fwd: TcpFlow, rev: TcpFlow, sec: number, nsec: number, seq: number, ack: number, len: number, win: number,
    flags: number,
  ): void {
    const p = this.pre;
    p.tcpFlags = flags;
    p.rawSeq = seq;
    p.seq = seqSub(seq, fwd.baseSeq);
    p.len = len;
    p.ack = seqSub(ack, rev.baseSeq);
    p.window = win;
    p.prevWindow = fwd.window === 0xffffffff ? -1 : fwd.window;
    p.prevAck = fwd.lastAckSec === 0 && fwd.lastAckNsec === 0 ? -1 : seqSub(fwd.lastAck, rev.baseSeq);
    p.expectedSeq = fwd.nextSeq === 0 ? -1 : seqSub(fwd.nextSeq, fwd.baseSeq);
    p.expectedFrame = fwd.nextSeqFrame;
    p.sinceExpectedNs = ns(fwd.nextSeqSec, fwd.nextSeqNsec, sec, nsec);
    p.peerAck = rev.lastAck === 0 ? -1 : seqSub(rev.lastAck, fwd.baseSeq);
    p.sincePeerNs = rev.lastAckSec === 0 && rev.lastAckNsec === 0 ? -1 : ns(rev.lastAckSec, rev.lastAckNsec, sec, nsec);
    p.peerDupAcks = rev.dupAckNum;
    p.peerWindow = rev.window === 0xffffffff ? -1 : rev.window;
    p.peerShift = rev.winScale === WSCALE_UNKNOWN ? -1 : rev.isFirstAck || rev.winScale === WSCALE_NONE ? 0 : rev.winScale;
    p.peerMaxSeq = rev.maxSeqToBeAcked === 0 ? -1 : seqSub(rev.maxSeqToBeAcked, rev.baseSeq);
    p.thresholdIsIrtt = s.firstRttNs !== 0;
    p.thresholdNs = p.thresholdIsIrtt ? s.firstRttNs : OOO_DEFAULT_NS;
  }

  /** tcp.completeness bookkeeping (dissect_tcp); the shown value is the one before this frame. */
  private updateCompleteness(s: TcpStream, isNew: boolean, flags: number, len: number): void {
    let c: number;
    if (isNew) {
      c = 0;
      if ((flags & (SYN | ACK)) === SYN) {
        c |= TC_SYNSENT;
        if (len > 0) c |= TC_DATA;
      }
    } else {
      c = s.completeness;
      if ((flags & (SYN | ACK)) === (SYN | ACK)) c |= TC_SYNACK;
      if ((flags & (SYN | ACK)) === ACK) c |= len > 0 ? TC_DATA : TC_ACK;
      if ((flags & (FIN | ACK)) === (FIN | ACK)) c |= TC_FIN;
      if ((flags & RST) !== 0) c |= TC_RST;
    }
    s.completeness = c;
  }

  /** §6.1 steps 6–8: SYN bookkeeping, closing state, iRTT, is_first_ack. */
  private afterAnalysis(s: TcpStream, fwd: TcpFlow, rev: TcpFlow, flags: number, sec: number, nsec: number): boolean {
    let initiates = false;
    if ((flags & SYN) !== 0) {
      if ((flags & ACK) === 0) {
        s.tsMruSynSec = sec;
        s.tsMruSynNsec = nsec;
      }
      fwd.isFirstAck = true;
    }
    if ((flags & FIN) !== 0) {
      fwd.finSeen = true;
      if (!rev.closingInitiator) {
        fwd.closingInitiator = true;
        initiates = true;
      }
    }
    if ((flags & RST) !== 0) s.reset = true;
    if ((flags & (SYN | ACK)) === ACK) {
      if ((s.tsMruSynSec !== 0 || s.tsMruSynNsec !== 0) && s.firstRttNs === 0) {
        s.firstRttNs = ns(s.tsMruSynSec, s.tsMruSynNsec, sec, nsec);
      }
      fwd.isFirstAck = false;
    }
    return initiates;
  }

  /** A new stream under key (IPv4: key '' and the numbers ka, kb, kp). */
  private createStream(key: string, ka: number, kb: number, kp: number, sec: number, nsec: number, frame: number): TcpStream {
    // At the cap, the least recently active stream makes room.
    while (this.count >= this.maxStreams && this.head !== undefined) this.drop(this.head);
    const s = new TcpStream(this.nextIndex++, key, sec, nsec);
    s.lastFrame = frame;
    if (key === '') {
      s.ka = ka;
      s.kb = kb;
      s.kp = kp;
      this.streams4.set(ka, kb, kp, s);
    } else {
      this.streams.set(key, s);
    }
    this.count++;
    this.append(s);
    return s;
  }

  private append(s: TcpStream): void {
    s.prev = this.tail;
    s.next = undefined;
    if (this.tail) this.tail.next = s;
    else this.head = s;
    this.tail = s;
  }

  private unlink(s: TcpStream): void {
    if (s.prev) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = undefined;
    s.next = undefined;
  }

  /** Marks activity: moves the stream to the tail of the LRU list. */
  private touch(s: TcpStream, sec: number, frame: number): void {
    s.lastSec = sec;
    s.lastFrame = frame;
    if (this.tail !== s) {
      this.unlink(s);
      this.append(s);
    }
  }

  /** Drops streams from the least-recently-active end while a limit says so. */
  private evict(nowSec: number, frame: number): void {
    for (let h = this.head; h !== undefined; h = this.head) {
      const idle = nowSec - h.lastSec;
      const drop = idle > this.idleTimeoutSec
        || (h.closed && idle > this.closedLingerSec && frame - h.lastFrame > this.closedLingerFrames);
      if (!drop) return;
      this.drop(h);
    }
  }

  private drop(h: TcpStream): void {
    this.unlink(h);
    if (h.key === '') {
      if (this.streams4.get(h.ka, h.kb, h.kp) === h) this.streams4.delete(h.ka, h.kb, h.kp);
    } else if (this.streams.get(h.key) === h) {
      this.streams.delete(h.key);
    }
    this.count--;
  }
}
