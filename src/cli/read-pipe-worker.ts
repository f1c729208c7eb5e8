/**
 * Output thread of `tcplab read` (cli/read-pipe.ts): takes records from the shared ring, renders
 * summary records as text (present/summary-bytes.ts), copies raw records, and writes stdout (fd 1)
 * with blocking writes of up to 256 KiB. Errors go back through the control words: the main thread
 * is often blocked in Atomics.wait and would not see a message.
 */
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import type * as SummaryBytes from '../present/summary-bytes.js';
import {
  C_DONE, C_ERR, C_ERR_LEN, C_HEAD, C_P_WAIT, C_SLEEP, C_SYNC, C_SYNC_ACK, C_TAIL, C_W_WAIT, ERR_EPIPE, ERR_WRITE,
  MASK, RAW_HEAD, REC_RAW, REC_WRAP, RING_BYTES, ringViews,
} from './read-pipe-ring.js';

const { ring, view, ctl, errText } = ringViews((workerData as { sab: SharedArrayBuffer }).sab);
// Loaded in run(): a failure to load is then reported like any other (the producer never hangs).
let renderSummary: typeof SummaryBytes.renderSummary;
let MAX_SUMMARY_BYTES = 0;
let REC_SUMMARY = 0;
const OUT_BYTES = 1 << 18;
const out = Buffer.allocUnsafe(OUT_BYTES);
let o = 0;

class Stop extends Error {}

function fail(code: number, message: string): never {
  const m = Buffer.from(message.slice(0, 400), 'utf8');
  errText.set(m.subarray(0, errText.length));
  Atomics.store(ctl, C_ERR_LEN, Math.min(m.length, errText.length));
  Atomics.store(ctl, C_ERR, code);
  Atomics.notify(ctl, C_TAIL);
  Atomics.notify(ctl, C_SYNC_ACK);
  throw new Stop();
}

/** Blocking write of `len` bytes of `b` to stdout; waits out EAGAIN (a non-blocking pipe that is full). */
function writeAll(b: Uint8Array, len: number): void {
  let off = 0;
  while (off < len) {
    try {
      off += writeSync(1, b, off, len - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { Atomics.wait(ctl, C_SLEEP, 0, 2); continue; }
      if (code === 'EPIPE') fail(ERR_EPIPE, 'stdout closed');
      fail(ERR_WRITE, `cannot write to stdout: ${(e as Error).message}`);
    }
  }
}

function flushOut(): void {
  if (o > 0) writeAll(out, o);
  o = 0;
}

/** Takes the records between tail and head; returns the new tail. */
function drain(tail: number, head: number): number {
  let released = tail;
  while (tail !== head) {
    const pos = tail & MASK;
    const kind = ring[pos + 2];
    if (kind === REC_SUMMARY) {
      if (o + MAX_SUMMARY_BYTES > OUT_BYTES) flushOut();
      o = renderSummary(ring, view, pos, out, o);
      tail = (tail + view.getUint16(pos, true)) | 0;
    } else if (kind === REC_RAW) {
      const len = view.getUint32(pos + 4, true);
      if (o + len > OUT_BYTES) flushOut();
      if (len > OUT_BYTES) writeAll(ring.subarray(pos + RAW_HEAD, pos + RAW_HEAD + len), len);
      else { out.set(ring.subarray(pos + RAW_HEAD, pos + RAW_HEAD + len), o); o += len; }
      tail = (tail + ((RAW_HEAD + len + 7) & ~7)) | 0;
    } else if (kind === REC_WRAP) {
      tail = (tail + (RING_BYTES - pos)) | 0;
    } else {
      fail(ERR_WRITE, `output ring damaged (record kind ${kind} at ${pos})`);
    }
    // Give space back to a producer that may be waiting for it, every 256 KiB.
    if (((tail - released) >>> 0) >= 1 << 18) {
      released = tail;
      release(tail);
    }
  }
  release(tail);
  return tail;
}

function release(tail: number): void {
  Atomics.store(ctl, C_TAIL, tail);
  if (Atomics.load(ctl, C_P_WAIT) !== 0) Atomics.notify(ctl, C_TAIL);
}

async function run(): Promise<void> {
  ({ renderSummary, MAX_SUMMARY_BYTES, REC_SUMMARY } = await import('../present/summary-bytes.js'));
  let tail = 0;
  let acked = 0;
  for (;;) {
    const head = Atomics.load(ctl, C_HEAD);
    if (head !== tail) {
      tail = drain(tail, head);
      continue;
    }
    // Caught up. A sync request covers what was published before it: check HEAD again after it.
    const sync = Atomics.load(ctl, C_SYNC);
    if (sync !== acked) {
      if (Atomics.load(ctl, C_HEAD) !== tail) continue;
      flushOut();
      acked = sync;
      Atomics.store(ctl, C_SYNC_ACK, sync);
      Atomics.notify(ctl, C_SYNC_ACK);
      continue;
    }
    if (Atomics.load(ctl, C_DONE) !== 0) { flushOut(); return; }
    // Nothing to do: write what is rendered (the producer may be slow, e.g. a live source) and sleep.
    flushOut();
    Atomics.store(ctl, C_W_WAIT, 1);
    if (Atomics.load(ctl, C_HEAD) === tail && Atomics.load(ctl, C_SYNC) === acked && Atomics.load(ctl, C_DONE) === 0) {
      Atomics.wait(ctl, C_HEAD, tail, 1000);
    }
    Atomics.store(ctl, C_W_WAIT, 0);
  }
}

run().catch((e: unknown) => {
  if (!(e instanceof Stop)) {
    try { fail(ERR_WRITE, `output thread failed: ${e instanceof Error ? e.message : String(e)}`); } catch { /* reported */ }
  }
});
