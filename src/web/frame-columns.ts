/**
 * FrameColumns: the retained part of each Frame (record header, times, bytes) in typed-array
 * columns, with the bytes copied into 4 MiB slabs; frame(i) rebuilds a Frame (a new object, equal
 * to what was added, its `pkt` the given empty packet and `tcp` undefined) on demand.
 *
 * Why not keep the Session's Frame objects: a Frame, its CaptureRecord, Timestamp and Uint8Array
 * view are ~400 bytes of heap per frame that all survive, so every young-generation GC copied them
 * while a capture was ingested (bench/ui.bench.ts: GC was ~1 s of a 2.2 s ingest of 300k frames,
 * pauses up to 150 ms on the loaded 2-core machine, which stall the server's event loop and take
 * CPU from the browser). Columns cost ~70 bytes per frame and nothing to the GC.
 *
 * Ownership: record.data of a rebuilt Frame is a view into a slab, valid while the frame is
 * retained (shift() releases the slabs of dropped frames).
 */
import type { Frame } from '../fields/field.js';
import type { CaptureInfo, CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';

const SLAB = 4 << 20;
const NO_COMMENTS: readonly string[] = Object.freeze([]) as readonly string[];
const F_NO_TIMESTAMP = 1;

export class FrameColumns {
  /** Frames held. */
  length = 0;
  private cap = 0;
  private sec = new Float64Array(0);
  private nsec = new Int32Array(0);
  private capLen = new Uint32Array(0);
  private origLen = new Uint32Array(0);
  private linkType = new Uint32Array(0);
  private ifIndex = new Int32Array(0);
  private slabNo = new Uint32Array(0);
  private off = new Uint32Array(0);
  private len = new Uint32Array(0);
  private rel = new Float64Array(0);
  private delta = new Float64Array(0);
  private deltaDisp = new Float64Array(0);
  private digits = new Uint8Array(0);
  private flags = new Uint8Array(0);
  /** Slab number → bytes; one per ArrayBuffer (one per frame made ingest ~2x slower). */
  private readonly slabs = new Map<number, Uint8Array>();
  private slabCount = 0;
  private slab = new Uint8Array(0);
  private slabPos = 0;
  /** Non-empty record comments (pcapng opt_comment), by frame number. */
  private readonly comments = new Map<number, readonly string[]>();
  /** The capture info shared by the frames (a frame with another one is not stored here: see fits()). */
  private capture: CaptureInfo | undefined;
  private captureSet = false;

  /** Whether `f` can be rebuilt from columns (same capture info as the others). */
  fits(f: Frame): boolean {
    if (!this.captureSet) return true;
    return f.capture === this.capture;
  }

  /** Appends a frame (its bytes copied). */
  push(f: Frame): void {
    if (!this.captureSet) { this.capture = f.capture; this.captureSet = true; }
    if (this.length === this.cap) this.grow();
    const r = f.record;
    const n = r.data.byteLength;
    if (this.slabPos + n > this.slab.byteLength) {
      this.slab = new Uint8Array(Math.max(SLAB, n));
      this.slabs.set(++this.slabCount, this.slab);
      this.slabPos = 0;
    }
    this.slab.set(r.data, this.slabPos);
    const i = this.length++;
    this.slabNo[i] = this.slabCount;
    this.off[i] = this.slabPos;
    this.len[i] = n;
    this.slabPos += n;
    this.sec[i] = r.ts.sec;
    this.nsec[i] = r.ts.nsec;
    this.capLen[i] = r.capLen;
    this.origLen[i] = r.origLen;
    this.linkType[i] = r.linkType;
    this.ifIndex[i] = r.ifIndex;
    this.rel[i] = f.timeRelativeNs;
    this.delta[i] = f.timeDeltaNs;
    this.deltaDisp[i] = f.timeDeltaDisplayedNs;
    this.digits[i] = f.tsDigits;
    this.flags[i] = r.noTimestamp ? F_NO_TIMESTAMP : 0;
    if (r.comments.length > 0) this.comments.set(r.frameNo, r.comments);
  }

  /** The bytes of frame i (a view into its slab). */
  bytes(i: number): Uint8Array {
    const o = this.off[i]!;
    return this.slabs.get(this.slabNo[i]!)!.subarray(o, o + this.len[i]!);
  }

  /** Frame i (numbered `no`), rebuilt: same fields as added, `pkt` = `empty`, `tcp` undefined. */
  frame(i: number, no: number, empty: DecodedPacket): Frame {
    const record: CaptureRecord = {
      frameNo: no,
      ts: { sec: this.sec[i]!, nsec: this.nsec[i]! },
      capLen: this.capLen[i]!,
      origLen: this.origLen[i]!,
      linkType: this.linkType[i]!,
      ifIndex: this.ifIndex[i]!,
      data: this.bytes(i),
      comments: this.comments.get(no) ?? NO_COMMENTS,
    };
    if (this.flags[i]! & F_NO_TIMESTAMP) record.noTimestamp = true;
    const f: Frame = {
      record,
      pkt: empty,
      tcp: undefined,
      timeRelativeNs: this.rel[i]!,
      timeDeltaNs: this.delta[i]!,
      timeDeltaDisplayedNs: this.deltaDisp[i]!,
      tsDigits: this.digits[i]!,
    };
    if (this.capture !== undefined) f.capture = this.capture;
    return f;
  }

  /** Drops the first `n` frames (numbered below `firstNo` afterwards) and the slabs only they used. */
  shift(n: number, firstNo: number): void {
    n = Math.min(n, this.length);
    for (const c of this.columns()) c.copyWithin(0, n, this.length);
    this.length -= n;
    const keep = this.length > 0 ? this.slabNo[0]! : this.slabCount;
    for (const s of this.slabs.keys()) if (s < keep) this.slabs.delete(s);
    for (const k of this.comments.keys()) {
      if (k >= firstNo) break;
      this.comments.delete(k);
    }
  }

  private columns(): (Float64Array | Int32Array | Uint32Array | Uint8Array)[] {
    return [this.sec, this.nsec, this.capLen, this.origLen, this.linkType, this.ifIndex, this.slabNo, this.off, this.len,
      this.rel, this.delta, this.deltaDisp, this.digits, this.flags];
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const g = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.sec = g(this.sec, (k) => new Float64Array(k));
    this.nsec = g(this.nsec, (k) => new Int32Array(k));
    this.capLen = g(this.capLen, (k) => new Uint32Array(k));
    this.origLen = g(this.origLen, (k) => new Uint32Array(k));
    this.linkType = g(this.linkType, (k) => new Uint32Array(k));
    this.ifIndex = g(this.ifIndex, (k) => new Int32Array(k));
    this.slabNo = g(this.slabNo, (k) => new Uint32Array(k));
    this.off = g(this.off, (k) => new Uint32Array(k));
    this.len = g(this.len, (k) => new Uint32Array(k));
    this.rel = g(this.rel, (k) => new Float64Array(k));
    this.delta = g(this.delta, (k) => new Float64Array(k));
    this.deltaDisp = g(this.deltaDisp, (k) => new Float64Array(k));
    this.digits = g(this.digits, (k) => new Uint8Array(k));
    this.flags = g(this.flags, (k) => new Uint8Array(k));
    this.cap = cap;
  }
}
