/**
 * Session: turns a CaptureSource into Frames — decode, TCP analysis (in capture order, once per
 * frame) and frame times — as an async iterator. Memory is bounded: one frame at a time; the
 * record's bytes are a view valid until the next frame is pulled (copy to keep).
 *
 * frame.time_delta_displayed depends on what is displayed: call `displayed(frame)` for each frame
 * that is printed, and the next frame's delta is measured from it (tshark: the previous displayed
 * frame; with no filter that is the previous frame).
 */
import type { CaptureSource } from '../wire/open.js';
import type { CaptureRecord } from '../wire/record.js';
import type { Frame } from '../fields/field.js';
import type { Timestamp } from '../util/time.js';
import { diffNs } from '../util/time.js';
import { PacketDecoder } from '../decode/decoder.js';
import { TcpAnalyzer } from '../analysis/tcp-analysis.js';
import { HttpTracker } from '../analysis/http-reassembly.js';
import { setFinRoleSource } from '../fields/tree.js';

/** ICMP echo replies → frame number of their request (tshark's "(request in N)"), per frame. */
const echoRequests = new WeakMap<Frame, number>();

/** The frame number of the echo request a reply answers (single pass: seen earlier), if any. */
export function echoRequestOf(f: Frame): number | undefined {
  return echoRequests.get(f);
}

/** FIN segments → 'initiates' or 'undergoes' the connection closing (tshark's FIN expert items). */
const finRoles = new WeakMap<Frame, 'initiates' | 'undergoes'>();

/** Whether a FIN frame initiates or undergoes the closing (undefined for non-FIN frames). */
export function finRoleOf(f: Frame): 'initiates' | 'undergoes' | undefined {
  return finRoles.get(f);
}

setFinRoleSource((f) => finRoles.get(f));

/** Bound on tracked streams for the FIN roles (oldest dropped first). */
const MAX_FIN_STREAMS = 100_000;

/** Bound on remembered echo requests (oldest dropped first). */
const MAX_ECHO = 10_000;

export interface SessionOptions {
  /** Run the TCP sequence analysis (default true; tshark's tcp.analyze_sequence_numbers). */
  analyze?: boolean;
  /** tshark's tcp.relative_sequence_numbers (default true): see TcpAnalyzerOptions.relativeSeq. */
  relativeSeq?: boolean;
}

export class Session implements AsyncIterable<Frame> {
  readonly source: CaptureSource;
  private readonly decoder = new PacketDecoder();
  private readonly analyzer: TcpAnalyzer | undefined;
  /** HTTP over TCP: desegmentation and messages (tshark's HTTP dissector), fed after the analysis. */
  private readonly http = new HttpTracker();
  private first: Timestamp | undefined;
  private prev: Timestamp | undefined;
  private prevDisplayed: Timestamp | undefined;
  private readonly echo = new Map<string, number>();
  /** Per TCP stream: the directions ("addr/port") that initiated the closing. */
  private readonly closing = new Map<number, string[]>();

  constructor(source: CaptureSource, opts: SessionOptions = {}) {
    this.source = source;
    this.analyzer = opts.analyze === false ? undefined : new TcpAnalyzer({ relativeSeq: opts.relativeSeq ?? true });
  }

  /** Builds the Frame of one record (records must come in capture order). */
  frameOf(record: CaptureRecord): Frame {
    const pkt = this.decoder.decode(record);
    // Every frame goes to the analyzer: an ICMP error quoting a TCP header also finds its stream.
    const tcp = this.analyzer ? this.analyzer.analyze(record, pkt) : undefined;
    const ts = record.ts;
    this.first ??= ts;
    const frame: Frame = {
      record,
      pkt,
      tcp,
      timeRelativeNs: diffNs(this.first, ts),
      firstTs: this.first,
      timeDeltaNs: this.prev ? diffNs(this.prev, ts) : 0,
      timeDeltaDisplayedNs: this.prevDisplayed ? diffNs(this.prevDisplayed, ts) : 0,
      tsDigits: this.digitsOf(record),
      capture: this.source.info,
      app: tcp === undefined ? undefined : this.http.push(record, pkt, tcp),
    };
    this.prev = ts;
    if (tcp && pkt.tcp && (pkt.tcp.flags & 1) !== 0) this.trackFin(frame, tcp.stream);
    const i = pkt.icmp;
    if (i && i.version === 4 && pkt.ip4 && (i.type === 8 || i.type === 0)) this.trackEcho(frame, i.type === 8, pkt.ip4.src, pkt.ip4.dst, i.ident, i.seqNum);
    return frame;
  }

  private trackFin(frame: Frame, stream: number): void {
    const p = frame.pkt;
    const t = p.tcp!;
    const src = p.ip4 ? String(p.ip4.src) : p.ip6 ? `${p.ip6.srcOffset}:${Buffer.from(frame.record.data.subarray(p.ip6.srcOffset, p.ip6.srcOffset + 16)).toString('hex')}` : '';
    const dst = p.ip4 ? String(p.ip4.dst) : p.ip6 ? `${p.ip6.srcOffset}:${Buffer.from(frame.record.data.subarray(p.ip6.dstOffset, p.ip6.dstOffset + 16)).toString('hex')}` : '';
    const me = `${src}/${t.srcPort}`, peer = `${dst}/${t.dstPort}`;
    let marked = this.closing.get(stream);
    if (!marked) {
      if (this.closing.size >= MAX_FIN_STREAMS) this.closing.delete(this.closing.keys().next().value as number);
      marked = [];
      this.closing.set(stream, marked);
    }
    if (!marked.includes(peer)) {
      if (!marked.includes(me)) marked.push(me);
      finRoles.set(frame, 'initiates');
    } else {
      finRoles.set(frame, 'undergoes');
    }
  }

  private trackEcho(frame: Frame, request: boolean, src: number, dst: number, id: number, seq: number): void {
    if (request) {
      if (this.echo.size >= MAX_ECHO) this.echo.delete(this.echo.keys().next().value as string);
      this.echo.set(`${src}/${dst}/${id}/${seq}`, frame.record.frameNo);
    } else {
      const req = this.echo.get(`${dst}/${src}/${id}/${seq}`);
      if (req !== undefined) echoRequests.set(frame, req);
    }
  }

  /** TCP streams the analysis holds in memory now. */
  get trackedStreams(): number {
    return this.analyzer?.trackedStreams ?? 0;
  }

  /**
   * Takes a record without decoding or analysing it: only the frame clock moves (frame.time_*
   * of later frames). For a sharded read, where another worker owns this frame's conversation.
   */
  skip(record: { ts: Timestamp }): void {
    this.first ??= record.ts;
    this.prev = record.ts;
  }

  /** Marks `frame` as displayed: later frames' time_delta_displayed count from it. */
  displayed(frame: Frame): void {
    this.prevDisplayed = frame.record.ts;
  }

  private digitsOf(record: CaptureRecord): number {
    const info = this.source.info;
    const itf = info.interfaces[record.ifIndex];
    return itf ? itf.tsDigits : info.tsPrecision === 'nsec' ? 9 : 6;
  }

  /**
   * The next frame when its record is already buffered by the source, else undefined (then use
   * the async iterator, which also reports the end). Throws what the iterator would reject with.
   * Mixing both is fine: they pull from the same source.
   */
  nextSync(): Frame | undefined {
    const r = this.source.nextSync?.();
    return r === undefined ? undefined : this.frameOf(r);
  }

  /**
   * A plain iterator over the source's, not an async generator: a generator adds a promise and a
   * resumption per frame on top of the source's own.
   */
  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    const it = this.source[Symbol.asyncIterator]();
    return {
      next: async (): Promise<IteratorResult<Frame>> => {
        const r = await it.next();
        return r.done === true ? { done: true, value: undefined } : { done: false, value: this.frameOf(r.value) };
      },
      return: async (): Promise<IteratorResult<Frame>> => {
        await it.return?.();
        return { done: true, value: undefined };
      },
    };
  }
}
