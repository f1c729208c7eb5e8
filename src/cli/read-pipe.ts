/**
 * `tcplab read`'s output on a second thread: the main thread decodes, analyses and filters, and
 * for each displayed TCP frame stores a small summary record (present/summary-bytes.ts
 * encodeSummary) in a shared ring; the output thread (cli/read-pipe-worker.ts) renders the lines
 * and writes stdout. Other text (lines the byte path declines, statistics) goes through the same
 * ring as raw bytes, so the output order is the program order.
 *
 * Why: on a 300k-frame capture the one-line text and its write were ~30 % of a plain read; on
 * another core they overlap with decoding (BENCHMARKS.md, read). Used for the default text output
 * of files of PIPE_MIN_BYTES and more (TCPLAB_READ_PIPE=0 turns it off, =1 forces it).
 *
 * The main thread blocks (Atomics.wait) only when the ring is full or on flush(); the output
 * thread reports a closed stdout (EPIPE: exit 0, as `read | head` expects) or a write error
 * through the control words.
 */
import { Worker } from 'node:worker_threads';
import { encodeSummary, MAX_SUMMARY_RECORD } from '../present/summary-bytes.js';
import type { Frame } from '../fields/field.js';
import { LabError } from '../util/errors.js';
import {
  C_DONE, C_ERR, C_ERR_LEN, C_HEAD, C_P_WAIT, C_SYNC, C_SYNC_ACK, C_TAIL, C_W_WAIT, ERR_EPIPE, MASK, RAW_HEAD, REC_RAW,
  REC_WRAP, RING_BYTES, SAB_BYTES, ringViews, type RingViews,
} from './read-pipe-ring.js';

/** Published every this many bytes: each publish usually wakes the (faster) output thread, a futex
 * wake costing ~0.2 ms of the main thread (profile; 64 KiB batches spent 8 % of a read there). */
const PUBLISH_BYTES = 1 << 20;
/** Raw text is copied in pieces of at most this many bytes. */
const RAW_CHUNK = 1 << 16;

export class PipeWriter {
  private readonly r: RingViews;
  private readonly worker: Worker;
  private readonly ring: Uint8Array;
  private readonly view: DataView;
  private head = 0;
  /** Bytes free at head as of the last look at the consumer's position (never more than real). */
  private room = 0;
  private published = 0;
  private syncs = 0;
  private closed = false;

  constructor() {
    const sab = new SharedArrayBuffer(SAB_BYTES);
    this.r = ringViews(sab);
    this.ring = this.r.ring;
    this.view = this.r.view;
    this.worker = new Worker(new URL('./read-pipe-worker.js', import.meta.url), { workerData: { sab } });
    // The thread ends when told (C_DONE) or with the process; it never keeps node alive.
    this.worker.unref();
    this.worker.on('error', () => { /* reported through C_ERR, or seen as a missing sync ack */ });
  }

  /** The summary record of `f` (the `fill` of StdoutWriter.writeFrame is not needed here). */
  writeFrame(_fill: unknown, f: Frame): boolean {
    // Per frame: no atomic read of the consumer's position while the room known is enough.
    if (this.room < MAX_SUMMARY_RECORD || (this.head & MASK) + MAX_SUMMARY_RECORD > RING_BYTES) this.reserve(MAX_SUMMARY_RECORD);
    const pos = this.head & MASK;
    const end = encodeSummary(f, this.ring, this.view, pos);
    if (end < 0) return false;
    this.advance(end - pos);
    return true;
  }

  writeFast(s: string): undefined {
    this.putString(s);
    return undefined;
  }

  write(s: string): Promise<void> {
    this.putString(s);
    return Promise.resolve();
  }

  /** Blocks until the output thread has written everything so far to stdout. */
  flush(): Promise<void> {
    this.sync();
    return Promise.resolve();
  }

  flushSoon(): undefined {
    return undefined;
  }

  /** Writes out everything and lets the output thread end. */
  close(): void {
    if (this.closed) return;
    this.sync();
    this.closed = true;
    Atomics.store(this.r.ctl, C_DONE, 1);
    Atomics.notify(this.r.ctl, C_HEAD);
  }

  private putString(s: string): void {
    if (s === '') return;
    if (s.length * 3 <= RAW_CHUNK) {
      this.reserve(RAW_HEAD + s.length * 3);
      const pos = this.head & MASK;
      const n = Buffer.from(this.ring.buffer, this.ring.byteOffset + pos + RAW_HEAD, s.length * 3).write(s, 'utf8');
      this.view.setUint8(pos + 2, REC_RAW);
      this.view.setUint32(pos + 4, n, true);
      this.advance((RAW_HEAD + n + 7) & ~7);
      return;
    }
    const b = Buffer.from(s, 'utf8');
    for (let off = 0; off < b.length; off += RAW_CHUNK) {
      const piece = b.subarray(off, Math.min(b.length, off + RAW_CHUNK));
      this.reserve(RAW_HEAD + piece.length);
      const pos = this.head & MASK;
      this.ring.set(piece, pos + RAW_HEAD);
      this.view.setUint8(pos + 2, REC_RAW);
      this.view.setUint32(pos + 4, piece.length, true);
      this.advance((RAW_HEAD + piece.length + 7) & ~7);
    }
  }

  private advance(n: number): void {
    this.head = (this.head + n) | 0;
    this.room -= n;
    if (((this.head - this.published) >>> 0) >= PUBLISH_BYTES) this.publish();
  }

  private publish(): void {
    const ctl = this.r.ctl;
    this.published = this.head;
    Atomics.store(ctl, C_HEAD, this.head);
    if (Atomics.load(ctl, C_W_WAIT) !== 0) Atomics.notify(ctl, C_HEAD);
    this.checkError();
  }

  /** Makes `n` contiguous bytes free at head (a wrap marker first when the end of the ring is near). */
  private reserve(n: number): void {
    if (this.closed) throw new LabError('ERR_INTERNAL', 'read output already closed');
    const pos = this.head & MASK;
    const wrap = pos + n > RING_BYTES;
    this.waitFree(wrap ? RING_BYTES - pos + n : n);
    if (wrap) {
      this.view.setUint8(pos + 2, REC_WRAP);
      this.head = (this.head + (RING_BYTES - pos)) | 0;
      this.room -= RING_BYTES - pos;
    }
  }

  private waitFree(n: number): void {
    const ctl = this.r.ctl;
    for (;;) {
      const tail = Atomics.load(ctl, C_TAIL);
      this.room = RING_BYTES - ((this.head - tail) >>> 0);
      if (this.room >= n) return;
      this.publish();
      Atomics.store(ctl, C_P_WAIT, 1);
      if (Atomics.load(ctl, C_TAIL) === tail) Atomics.wait(ctl, C_TAIL, tail, 200);
      Atomics.store(ctl, C_P_WAIT, 0);
      this.checkError();
    }
  }

  private sync(): void {
    if (this.closed) return;
    const ctl = this.r.ctl;
    this.publish();
    const n = ++this.syncs;
    Atomics.store(ctl, C_SYNC, n);
    Atomics.notify(ctl, C_HEAD);
    for (;;) {
      const ack = Atomics.load(ctl, C_SYNC_ACK);
      if (ack === n) return;
      Atomics.store(ctl, C_P_WAIT, 1);
      Atomics.wait(ctl, C_SYNC_ACK, ack, 200);
      Atomics.store(ctl, C_P_WAIT, 0);
      this.checkError();
    }
  }

  private checkError(): void {
    const ctl = this.r.ctl;
    const err = Atomics.load(ctl, C_ERR);
    if (err === 0) return;
    // As StdoutWriter's EPIPE (cli/main.ts): the reader of our output left; that is not an error.
    if (err === ERR_EPIPE) process.exit(0);
    const msg = Buffer.from(this.r.errText.subarray(0, Atomics.load(ctl, C_ERR_LEN))).toString('utf8');
    this.closed = true;
    throw new LabError('ERR_OUTPUT', msg);
  }
}
