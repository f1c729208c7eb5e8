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

export interface SessionOptions {
  /** Run the TCP sequence analysis (default true; tshark's tcp.analyze_sequence_numbers). */
  analyze?: boolean;
}

export class Session implements AsyncIterable<Frame> {
  readonly source: CaptureSource;
  private readonly decoder = new PacketDecoder();
  private readonly analyzer: TcpAnalyzer | undefined;
  private first: Timestamp | undefined;
  private prev: Timestamp | undefined;
  private prevDisplayed: Timestamp | undefined;

  constructor(source: CaptureSource, opts: SessionOptions = {}) {
    this.source = source;
    this.analyzer = opts.analyze === false ? undefined : new TcpAnalyzer();
  }

  /** Builds the Frame of one record (records must come in capture order). */
  frameOf(record: CaptureRecord): Frame {
    const pkt = this.decoder.decode(record);
    const tcp = this.analyzer && pkt.tcp ? this.analyzer.analyze(record, pkt) : undefined;
    const ts = record.ts;
    this.first ??= ts;
    const frame: Frame = {
      record,
      pkt,
      tcp,
      timeRelativeNs: diffNs(this.first, ts),
      timeDeltaNs: this.prev ? diffNs(this.prev, ts) : 0,
      timeDeltaDisplayedNs: this.prevDisplayed ? diffNs(this.prevDisplayed, ts) : 0,
      tsDigits: this.digitsOf(record),
      capture: this.source.info,
    };
    this.prev = ts;
    return frame;
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

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    for await (const record of this.source) yield this.frameOf(record);
  }
}
