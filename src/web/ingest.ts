/**
 * Feeds a FrameStore from a CaptureSource (file, live capture) or from uploaded bytes, through the
 * pipeline's Session (decode + TCP analysis once per frame, in capture order). Ingest runs in the
 * background: the page shows the first rows while the rest of a large file is still being read.
 */
import type { CaptureSource } from '../wire/open.js';
import { BufferCaptureReader } from '../wire/open.js';
import type { CaptureRecord } from '../wire/record.js';
import { Session } from '../pipeline/session.js';
import type { FrameStore } from './store.js';

/**
 * Longest stretch of ingest (wall ms) before the event loop gets a turn. Measured on a 300k-frame
 * file in bench/ui.bench.ts with Chromium on the same 2 cores: 15 ms slices checked every 256
 * frames gave a server event-loop delay of p50 25 ms / p99 184 ms while ingesting; 5 ms slices
 * checked every 32 frames keep requests (rows, status) waiting a few ms; the yields cost < 1 %.
 */
const SLICE_MS = 5;

/** Frames between two clock reads (a clock read costs ~40 ns; a frame ~10 µs). */
const CHECK_EVERY = 32;

/** Frames between two yields to the event loop when reading from memory. */
const YIELD_EVERY = 4096;

/** Reads `src` to its end into `store`; damage ends ingest with store.error set (good frames stay). */
export async function loadSource(store: FrameStore, src: CaptureSource): Promise<void> {
  const session = new Session(src);
  let last = performance.now();
  let n = 0;
  try {
    for await (const frame of session) {
      store.add(frame);
      store.notify();
      // A file's records come synchronously from each 1 MiB chunk: let requests in every few ms,
      // so the page lists the first rows (and the status bar counts grow) while the rest is read.
      if (++n % CHECK_EVERY === 0 && performance.now() - last > SLICE_MS) {
        await new Promise((res) => setImmediate(res));
        last = performance.now();
      }
    }
  } catch (e) {
    store.error = (e as Error).message;
  } finally {
    store.done = true;
    src.close();
    store.notify();
  }
}

/**
 * A CaptureSource over bytes in memory (uploads). Throws a CaptureError now when the header is
 * bad; iteration yields to the event loop every few thousand records so the server stays responsive.
 */
export function bufferSource(bytes: Uint8Array, name: string): CaptureSource {
  const reader = new BufferCaptureReader(bytes, name);
  let closed = false;
  return {
    info: reader.info,
    close: () => { closed = true; },
    async *[Symbol.asyncIterator](): AsyncIterator<CaptureRecord> {
      let n = 0;
      for (const r of reader) {
        if (closed) return;
        yield r;
        if (++n % YIELD_EVERY === 0) await new Promise((res) => setImmediate(res));
      }
    },
  };
}
