/**
 * TCP byte-stream reassembly for "follow stream" and library users: feed every frame (in capture
 * order) with its TcpFrameAnalysis; get events back:
 *
 *   open   first packet of a tcp.stream (handshake: it was a pure SYN; else the capture joined
 *          mid-stream). Node 0 is the source of that packet, as in tshark's follow.
 *   data   new bytes of one direction, in order, each byte once — whatever the loss,
 *          retransmission or reordering on the wire — with the frame they came from.
 *   gap    bytes that the peer acknowledged (or that the capture ended without) but the capture
 *          never had: their count and stream offset.
 *   close  'fin' (both directions sent FIN), 'rst', 'end' (capture end: finish()), 'evicted'
 *          (state bound reached).
 *
 * Ordering follows tshark 4.0's follow-tcp tap (spec §14.3): a segment at the expected sequence
 * is delivered and buffered ones that now fit follow; one starting beyond it is buffered until
 * the gap fills or a packet of the other direction acknowledges past the lowest buffered
 * sequence (then a gap is declared). Data is the captured bytes (a snaplen cut shortens it).
 *
 * Bounds: buffered out-of-order bytes and segments per direction (maxBufferedBytes,
 * maxBufferedSegments: past them the lowest buffered segment is forced through with a gap) and
 * open streams (maxStreams, the least recently active is closed first).
 * Bytes in events are copies: they stay valid after the record is gone.
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import { formatIPv4, formatIPv6 } from '../util/addr.js';
import { seqAdd, seqGt, seqLt, seqSub } from './seq.js';
import type { TcpFrameAnalysis } from './types.js';
import { TH_FIN as FIN, TH_SYN as SYN, TH_RST as RST, TH_ACK as ACK } from '../decode/tcp.js';

export interface Endpoint {
  addr: string;
  port: number;
}

export type StreamEvent =
  | { type: 'open'; stream: number; frame: number; handshake: boolean; node0: Endpoint; node1: Endpoint }
  /**
   * `offset`: position of the first byte in this direction's byte stream (0 = first byte after
   * the SYN or the first byte seen); gaps take their length of positions.
   */
  | { type: 'data'; stream: number; node: 0 | 1; frame: number; offset: number; bytes: Uint8Array; atClose: boolean }
  | { type: 'gap'; stream: number; node: 0 | 1; frame: number; offset: number; length: number; atClose: boolean }
  | { type: 'close'; stream: number; frame: number; reason: 'fin' | 'rst' | 'end' | 'evicted' };

export interface ReassemblerOptions {
  /** Out-of-order bytes buffered per direction before a gap is forced (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Out-of-order segments buffered per direction before a gap is forced (default 4096). */
  maxBufferedSegments?: number;
  /** Streams followed at once (default 100000); the least recently active is closed first. */
  maxStreams?: number;
}

/**
 * An out-of-order segment. As in tshark, a buffered fragment advances the stream by its captured
 * length (an in-order segment advances it by tcp.len): only differs on snaplen-cut captures.
 */
interface Fragment {
  seq: number;
  bytes: Uint8Array;
  frame: number;
}

class Side {
  /** Next expected relative sequence; valid once `started`. */
  seq = 0;
  started = false;
  /** Stream positions delivered so far: bytes plus gap lengths (event offsets). */
  written = 0;
  fragments: Fragment[] = [];
  buffered = 0;
  fin = false;
}

class FollowState {
  readonly sides: [Side, Side] = [new Side(), new Side()];
  lastFrame = 0;
  constructor(readonly stream: number, readonly key0: string) {}
}

function endpointOf(record: CaptureRecord, pkt: DecodedPacket, src: boolean): Endpoint | undefined {
  const t = pkt.tcp;
  if (t === undefined) return undefined;
  const port = src ? t.srcPort : t.dstPort;
  if (pkt.ip6 !== undefined && (pkt.ip4 === undefined || pkt.layers.lastIndexOf('ipv6') > pkt.layers.lastIndexOf('ip'))) {
    return { addr: formatIPv6(record.data, src ? pkt.ip6.srcOffset : pkt.ip6.dstOffset), port };
  }
  if (pkt.ip4 !== undefined) return { addr: formatIPv4(src ? pkt.ip4.src : pkt.ip4.dst), port };
  return undefined;
}

const keyOf = (e: Endpoint): string => e.addr + '|' + e.port;

export class TcpReassembler {
  private readonly follows = new Map<number, FollowState>();
  private readonly maxBufferedBytes: number;
  private readonly maxBufferedSegments: number;
  private readonly maxStreams: number;
  /** Recently closed streams (bounded): their late packets are ignored. */
  private readonly closed = new Set<number>();

  constructor(opts: ReassemblerOptions = {}) {
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.maxBufferedSegments = opts.maxBufferedSegments ?? 4096;
    this.maxStreams = opts.maxStreams ?? 100_000;
  }

  /** Feeds one frame (capture order) with its analysis; returns the events it caused. */
  push(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined): StreamEvent[] {
    const t = pkt.tcp;
    if (t === undefined || a === undefined || !a.lenKnown || a.bogusHeader || a.optionsCut) return [];
    const out: StreamEvent[] = [];
    let f = this.follows.get(a.stream);
    if (f === undefined) {
      if (this.closed.has(a.stream)) return out;
      const node0 = endpointOf(record, pkt, true);
      const node1 = endpointOf(record, pkt, false);
      if (node0 === undefined || node1 === undefined) return out;
      if (this.follows.size >= this.maxStreams) this.evictOldest(record.frameNo, out);
      f = new FollowState(a.stream, keyOf(node0));
      this.follows.set(a.stream, f);
      out.push({ type: 'open', stream: a.stream, frame: record.frameNo, handshake: (t.flags & (SYN | ACK)) === SYN, node0, node1 });
    } else {
      // Keep the map ordered by activity (Map iteration order = insertion order).
      this.follows.delete(a.stream);
      this.follows.set(a.stream, f);
    }
    f.lastFrame = record.frameNo;
    const src = endpointOf(record, pkt, true);
    const node: 0 | 1 = src !== undefined && keyOf(src) === f.key0 ? 0 : 1;
    const other: 0 | 1 = node === 0 ? 1 : 0;
    const frame = record.frameNo;

    // A packet of one direction may acknowledge buffered data of the other one.
    const peer = f.sides[other];
    if (peer.fragments.length > 0) {
      while (this.fold(f, other, a.relAck, frame, true, false, out));
    }

    const me = f.sides[node];
    let seq = (t.flags & SYN) !== 0 ? seqAdd(a.relSeq, 1) : a.relSeq;
    let len = t.len;
    let off = t.payloadOffset;
    let have = t.capturedLen;
    if (!me.started && me.written === 0) {
      me.seq = seq;
      me.started = true;
    }
    if (seqLt(seq, me.seq)) {
      const end = seqAdd(seq, len);
      if (seqGt(end, me.seq)) {
        const skip = seqSub(me.seq, seq);
        have = have <= skip ? 0 : have - skip;
        off += skip;
        seq = me.seq;
        len = seqSub(end, me.seq);
      }
    }
    if (have > 0 && !seqLt(seq, me.seq)) {
      const bytes = record.data.slice(off, off + have);
      if (seq === me.seq) {
        me.seq = seqAdd(me.seq, len);
        out.push({ type: 'data', stream: f.stream, node, frame, offset: me.written, bytes, atClose: false });
        me.written += bytes.length;
        while (this.fold(f, node, 0, frame, false, false, out));
      } else {
        me.fragments.push({ seq, bytes, frame });
        me.buffered += bytes.length;
        while ((me.buffered > this.maxBufferedBytes || me.fragments.length > this.maxBufferedSegments) && me.fragments.length > 0) {
          this.fold(f, node, lowestSeq(me.fragments), frame, true, true, out);
        }
      }
    }

    if ((t.flags & FIN) !== 0) me.fin = true;
    if ((t.flags & RST) !== 0) this.close(f, frame, 'rst', out);
    else if (f.sides[0].fin && f.sides[1].fin && f.sides[0].fragments.length === 0 && f.sides[1].fragments.length === 0) {
      this.close(f, frame, 'fin', out);
    }
    return out;
  }

  /** Capture end: flushes what is buffered (with gaps) and closes every open stream. */
  finish(lastFrame: number): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const f of [...this.follows.values()]) this.close(f, lastFrame, 'end', out);
    return out;
  }

  /** Streams currently followed. */
  get openStreams(): number {
    return this.follows.size;
  }

  private evictOldest(frame: number, out: StreamEvent[]): void {
    const first = this.follows.values().next();
    if (first.done !== true) this.close(first.value, frame, 'evicted', out);
  }

  private close(f: FollowState, frame: number, reason: 'fin' | 'rst' | 'end' | 'evicted', out: StreamEvent[]): void {
    for (const n of [0, 1] as const) {
      const s = f.sides[n];
      while (s.fragments.length > 0) this.fold(f, n, lowestSeq(s.fragments), frame, true, true, out);
    }
    this.follows.delete(f.stream);
    this.closed.add(f.stream);
    if (this.closed.size > this.maxStreams) {
      const oldest = this.closed.values().next();
      if (oldest.done !== true) this.closed.delete(oldest.value);
    }
    out.push({ type: 'close', stream: f.stream, frame, reason });
  }

  /**
   * Applies one buffered fragment of `node` if one fits (or overlaps what was delivered); else,
   * when `useAck` and `ack` is past the lowest buffered sequence, declares the gap up to it.
   * Returns whether something happened (callers loop).
   */
  private fold(f: FollowState, node: 0 | 1, ack: number, frame: number, useAck: boolean, atClose: boolean, out: StreamEvent[]): boolean {
    const s = f.sides[node];
    const frags = s.fragments;
    if (frags.length === 0) return false;
    let lowest = frags[0]!.seq;
    for (let i = 0; i < frags.length; i++) {
      const g = frags[i]!;
      if (seqGt(lowest, g.seq)) lowest = g.seq;
      if (seqLt(g.seq, s.seq)) {
        const end = seqAdd(g.seq, g.bytes.length);
        if (seqGt(end, s.seq)) {
          const skip = seqSub(s.seq, g.seq);
          if (g.bytes.length > skip) {
            const bytes = g.bytes.subarray(skip);
            out.push({ type: 'data', stream: f.stream, node, frame: g.frame, offset: s.written, bytes, atClose });
            s.written += bytes.length;
          }
          s.seq = end;
        }
        frags.splice(i, 1);
        s.buffered -= g.bytes.length;
        return true;
      }
      if (g.seq === s.seq) {
        out.push({ type: 'data', stream: f.stream, node, frame: g.frame, offset: s.written, bytes: g.bytes, atClose });
        s.written += g.bytes.length;
        s.seq = seqAdd(s.seq, g.bytes.length);
        frags.splice(i, 1);
        s.buffered -= g.bytes.length;
        return true;
      }
    }
    if (useAck && seqGt(ack, lowest)) {
      const length = seqSub(lowest, s.seq);
      out.push({ type: 'gap', stream: f.stream, node, frame, offset: s.written, length, atClose });
      s.written += length;
      s.seq = lowest;
      return true;
    }
    return false;
  }
}

function lowestSeq(frags: readonly Fragment[]): number {
  let lowest = frags[0]!.seq;
  for (const g of frags) if (seqGt(lowest, g.seq)) lowest = g.seq;
  // Past every fragment start, so the gap check in fold() always fires.
  return seqAdd(lowest, 1);
}
