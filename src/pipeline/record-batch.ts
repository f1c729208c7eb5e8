/**
 * Batches for the parallel read (src/cli/read-parallel.ts): capture records packed into one
 * transferable byte array (main thread → worker), and printed lines with their frame numbers
 * (worker → main thread), merged back into capture order.
 *
 * A packed record: a 56-byte little-endian header, the captured bytes, and (rare) the packet's
 * comments as a length-prefixed JSON array.
 *
 *   0 f64 ts.sec        8 f64 ts.nsec       16 f64 prev.sec     24 f64 prev.nsec
 *  32 u32 frameNo      36 u32 capLen       40 u32 origLen      44 u32 linkType
 *  48 u32 ifIndex      52 u32 flags (1 no timestamp, 2 has prev, 4 comments follow)
 *
 * `prev` is the timestamp of the record before it in the capture (whoever owns that one), so the
 * worker's frame.time_delta equals the single-threaded one.
 */
import type { CaptureRecord } from '../wire/record.js';
import type { Timestamp } from '../util/time.js';

const HEADER = 56;
const F_NO_TS = 1;
const F_PREV = 2;
const F_COMMENTS = 4;
const NO_COMMENTS: readonly string[] = [];

/** Packs records for one worker; take() hands the bytes over and starts again. */
export class RecordBatchWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private pos = 0;
  count = 0;

  add(r: CaptureRecord, prev: Timestamp | undefined): void {
    const comments = r.comments.length > 0 ? Buffer.from(JSON.stringify(r.comments)) : undefined;
    const need = HEADER + r.capLen + (comments ? 4 + comments.length : 0);
    if (this.pos + need > this.buf.length) this.grow(this.pos + need);
    const v = this.view;
    const p = this.pos;
    v.setFloat64(p, r.ts.sec, true);
    v.setFloat64(p + 8, r.ts.nsec, true);
    v.setFloat64(p + 16, prev ? prev.sec : 0, true);
    v.setFloat64(p + 24, prev ? prev.nsec : 0, true);
    v.setUint32(p + 32, r.frameNo, true);
    v.setUint32(p + 36, r.capLen, true);
    v.setUint32(p + 40, r.origLen, true);
    v.setUint32(p + 44, r.linkType, true);
    v.setUint32(p + 48, r.ifIndex, true);
    v.setUint32(p + 52, (r.noTimestamp ? F_NO_TS : 0) | (prev ? F_PREV : 0) | (comments ? F_COMMENTS : 0), true);
    this.buf.set(r.data.subarray(0, r.capLen), p + HEADER);
    let q = p + HEADER + r.capLen;
    if (comments) {
      v.setUint32(q, comments.length, true);
      this.buf.set(comments, q + 4);
      q += 4 + comments.length;
    }
    this.pos = q;
    this.count++;
  }

  /** The packed records (a copy, transferable), and empties the batch. */
  take(): Uint8Array {
    const out = Uint8Array.prototype.slice.call(this.buf, 0, this.pos);
    this.pos = 0;
    this.count = 0;
    return out;
  }

  private grow(min: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, min));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }
}

/**
 * Calls `each` for every record packed in `bytes`, in order. The record's data is a view into
 * `bytes`; `prev` is undefined for the capture's first record.
 */
export function forEachRecord(bytes: Uint8Array, each: (r: CaptureRecord, prev: Timestamp | undefined) => void): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  while (p + HEADER <= bytes.length) {
    const flags = v.getUint32(p + 52, true);
    const capLen = v.getUint32(p + 36, true);
    const data = bytes.subarray(p + HEADER, p + HEADER + capLen);
    let q = p + HEADER + capLen;
    let comments = NO_COMMENTS;
    if ((flags & F_COMMENTS) !== 0) {
      const n = v.getUint32(q, true);
      comments = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + q + 4, n).toString('utf8')) as string[];
      q += 4 + n;
    }
    const r: CaptureRecord = {
      frameNo: v.getUint32(p + 32, true),
      ts: { sec: v.getFloat64(p, true), nsec: v.getFloat64(p + 8, true) },
      capLen,
      origLen: v.getUint32(p + 40, true),
      linkType: v.getUint32(p + 44, true),
      ifIndex: v.getUint32(p + 48, true),
      data,
      comments,
    };
    if ((flags & F_NO_TS) !== 0) r.noTimestamp = true;
    each(r, (flags & F_PREV) !== 0 ? { sec: v.getFloat64(p + 16, true), nsec: v.getFloat64(p + 24, true) } : undefined);
    p = q;
  }
}

/** Printed lines of one batch: the bytes, and per line its frame number and end offset. */
export interface LineBatch {
  bytes: Uint8Array;
  frames: Int32Array;
  ends: Int32Array;
}

/** Collects printed lines with their frame numbers. */
export class LineBatchWriter {
  private buf = Buffer.allocUnsafe(1 << 18);
  private pos = 0;
  private frames = new Int32Array(1024);
  private ends = new Int32Array(1024);
  private n = 0;

  add(frameNo: number, s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos);
    this.line(frameNo);
  }

  /**
   * Adds a line that `fill` writes as bytes (at most `max`; the printers' frameBytes); false,
   * with nothing added, when `fill` declines (-1) and the caller must add() the string instead.
   */
  addBytes<T>(frameNo: number, max: number, fill: (x: T, buf: Uint8Array, pos: number) => number, x: T): boolean {
    this.room(max);
    const end = fill(x, this.buf, this.pos);
    if (end < 0) return false;
    this.pos = end;
    this.line(frameNo);
    return true;
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
  }

  private line(frameNo: number): void {
    if (this.n === this.frames.length) {
      const f = new Int32Array(this.n * 2);
      f.set(this.frames);
      this.frames = f;
      const e = new Int32Array(this.n * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.frames[this.n] = frameNo;
    this.ends[this.n++] = this.pos;
  }

  /** The lines so far (copies, transferable), and empties the batch. */
  take(): LineBatch {
    const m = {
      bytes: Uint8Array.prototype.slice.call(this.buf, 0, this.pos),
      frames: this.frames.slice(0, this.n),
      ends: this.ends.slice(0, this.n),
    };
    this.pos = 0;
    this.n = 0;
    return m;
  }
}

/** The lines of several batches covering the same records, merged in frame-number order. */
export function mergeLines(parts: readonly LineBatch[]): Buffer {
  let size = 0;
  for (const m of parts) size += m.bytes.length;
  const out = Buffer.allocUnsafe(size);
  const idx = new Int32Array(parts.length);
  let o = 0;
  for (;;) {
    // The part whose next line has the lowest frame number.
    let best = -1;
    let bestFrame = 0;
    for (let w = 0; w < parts.length; w++) {
      const m = parts[w]!;
      const i = idx[w]!;
      if (i < m.frames.length && (best < 0 || m.frames[i]! < bestFrame)) {
        best = w;
        bestFrame = m.frames[i]!;
      }
    }
    if (best < 0) break;
    const m = parts[best]!;
    // Take the run of this part's lines that come before every other part's next line.
    let limit = Infinity;
    for (let w = 0; w < parts.length; w++) {
      if (w === best) continue;
      const i = idx[w]!;
      if (i < parts[w]!.frames.length) limit = Math.min(limit, parts[w]!.frames[i]!);
    }
    let i = idx[best]!;
    const start = i === 0 ? 0 : m.ends[i - 1]!;
    while (i < m.frames.length && m.frames[i]! < limit) i++;
    const end = m.ends[i - 1]!;
    out.set(m.bytes.subarray(start, end), o);
    o += end - start;
    idx[best] = i;
  }
  return out;
}
