/**
 * ByteQueue: the chunk list the streaming readers parse from (ws `Receiver.consume()` style).
 *
 * Invariants:
 * - Chunks are appended as they arrive and never concatenated as a whole: no quadratic copies.
 * - `take(n)` returns a view into the first chunk when the n bytes lie inside it, and copies only
 *   when they straddle chunks. The copy is fresh memory; the view keeps its chunk alive only as
 *   long as the caller holds it.
 * - `header(n)` exposes n contiguous bytes through (`hv`, `ho`): the first chunk's DataView when they
 *   lie inside it, a reusable scratch buffer otherwise. Valid until the next queue call.
 * - `offset` is the absolute stream position of the first unread byte (for error messages).
 * Memory: the queue holds only the bytes not yet consumed (at most one record plus one chunk).
 */
const EMPTY = new Uint8Array(0);

export class ByteQueue {
  /** Unconsumed bytes in total. */
  length = 0;
  /** Absolute stream offset of the first unconsumed byte. */
  offset = 0;
  /** DataView holding the bytes asked for by the last header() call. */
  hv: DataView;
  /** Offset in `hv` of those bytes. */
  ho = 0;

  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk in `chunks` (shifted lazily to avoid O(n) shift per chunk). */
  private first = 0;
  /** Bytes already consumed in the first live chunk. */
  private head = 0;
  private cur: Uint8Array = EMPTY;
  private curView: DataView;
  private scratch: Uint8Array;
  private scratchView: DataView;

  constructor() {
    this.curView = new DataView(EMPTY.buffer);
    this.scratch = new Uint8Array(64);
    this.scratchView = new DataView(this.scratch.buffer);
    this.hv = this.curView;
  }

  /** Appends a chunk (kept by reference; do not modify it afterwards). */
  push(input: Uint8Array): void {
    if (input.byteLength === 0) return;
    // A plain Uint8Array view: its subarray() is the engine's own, ~2x cheaper than Buffer's
    // (measured with --cpu-prof on a 375 MB pcapng: Buffer.subarray + FastBuffer were 8% of time).
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (this.length === 0) {
      this.chunks.length = 0;
      this.first = 0;
      this.head = 0;
      this.setCur(chunk);
    }
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  /**
   * Makes n contiguous bytes (n ≤ length) readable at `hv`/`ho` without consuming them.
   * Intended for small headers; larger n grows the scratch buffer.
   */
  header(n: number): void {
    const avail = this.cur.byteLength - this.head;
    if (avail >= n) {
      this.hv = this.curView;
      this.ho = this.head;
      return;
    }
    if (this.scratch.byteLength < n) {
      this.scratch = new Uint8Array(Math.max(n, this.scratch.byteLength * 2));
      this.scratchView = new DataView(this.scratch.buffer);
    }
    this.copyOut(this.scratch, n);
    this.hv = this.scratchView;
    this.ho = 0;
  }

  /** Consumes n bytes (n ≤ length) and returns them: a view when contiguous, else a fresh copy. */
  take(n: number): Uint8Array {
    const avail = this.cur.byteLength - this.head;
    if (avail >= n) {
      const out = this.cur.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    this.copyOut(out, n);
    this.skip(n);
    return out;
  }

  /**
   * Consumes `total` bytes (≤ length) and returns bytes [off, off + len) of them: a view when the
   * total lies inside the first chunk (the common case: one call per record on the hot path),
   * else a fresh copy.
   */
  extract(off: number, len: number, total: number): Uint8Array {
    const h = this.head;
    if (this.cur.byteLength - h >= total) {
      const out = this.cur.subarray(h + off, h + off + len);
      this.advance(total);
      return out;
    }
    if (off > 0) this.advance(off);
    const out = this.take(len);
    this.advance(total - off - len);
    return out;
  }

  /** Consumes n bytes (n ≤ length). */
  skip(n: number): void {
    this.advance(n);
  }

  /** Copies the first n unconsumed bytes into dst without consuming them. */
  private copyOut(dst: Uint8Array, n: number): void {
    let done = 0;
    let i = this.first;
    let pos = this.head;
    while (done < n) {
      const c = this.chunks[i] as Uint8Array;
      const k = Math.min(c.byteLength - pos, n - done);
      dst.set(c.subarray(pos, pos + k), done);
      done += k;
      i++;
      pos = 0;
    }
  }

  private advance(n: number): void {
    this.length -= n;
    this.offset += n;
    let left = n;
    while (left > 0) {
      const avail = this.cur.byteLength - this.head;
      if (left < avail) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks[this.first] = EMPTY;
      this.first++;
      this.head = 0;
      const next = this.chunks[this.first];
      if (next === undefined) {
        this.chunks.length = 0;
        this.first = 0;
        this.setCur(EMPTY);
        return;
      }
      this.setCur(next);
    }
    if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  private setCur(c: Uint8Array): void {
    this.cur = c;
    this.curView = new DataView(c.buffer, c.byteOffset, c.byteLength);
  }
}
