/**
 * Worker thread of the parallel `tcplab read` (src/cli/read-parallel.ts).
 *
 * Every worker reads the whole capture. Frames are sharded by TCP conversation
 * (pipeline/shard.ts): worker `index` of `count` owns the conversations whose hash % count is
 * its index (and worker 0 every frame the TCP analysis ignores); it decodes, analyses, filters
 * and formats only those, and only moves the frame clock for the others. A conversation's frames
 * all go to one worker, in capture order, so its analysis is the single-threaded analysis.
 *
 * Output goes to the main thread in batches of `batch` consecutive records: the bytes of the
 * displayed lines plus, per line, its frame number and end offset; the main thread merges the
 * workers' batch k by frame number. At most MAX_OUTSTANDING batches wait for the main thread's
 * ack (bounded memory; a slow stdout holds the workers back).
 *
 * A frame with an MPTCP option ties conversations together: the worker stops and reports
 * 'fallback', and the main thread finishes the read on one thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCaptureFile } from '../wire/open.js';
import { Session } from '../pipeline/session.js';
import { MPTCP, NOT_TCP, Sharder } from '../pipeline/shard.js';
import { isLabError } from '../util/errors.js';
import { prepareOutput, type ShowOptions } from './read.js';

export interface ReadWorkerJob {
  path: string;
  index: number;
  count: number;
  /** Records per batch. */
  batch: number;
  opts: ShowOptions;
}

/** Messages from a worker to the main thread. */
export type ReadWorkerMessage =
  /** Batch k: lines for frames[i] end at ends[i] in bytes; tracked = TCP streams held now. */
  | { type: 'batch'; k: number; bytes: Uint8Array; frames: Int32Array; ends: Int32Array; tracked: number }
  /** The end: `batches` = batches in the capture (all workers agree); error when reading stopped on one. */
  | { type: 'end'; batches: number; error?: { code: string; message: string; lab: boolean } }
  /** This capture needs the single-threaded read (from record index `at`). */
  | { type: 'fallback'; at: number };

const MAX_OUTSTANDING = 3;

class Batch {
  buf = Buffer.allocUnsafe(1 << 18);
  pos = 0;
  frames = new Int32Array(1024);
  ends = new Int32Array(1024);
  n = 0;

  add(frameNo: number, s: string): void {
    if (this.pos + s.length * 3 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + s.length * 3));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.pos += this.buf.write(s, this.pos);
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

  /** The batch as a message (copies), and empties it. */
  take(k: number, tracked: number): ReadWorkerMessage & { type: 'batch' } {
    const m = {
      type: 'batch' as const, k, tracked,
      bytes: Uint8Array.prototype.slice.call(this.buf, 0, this.pos),
      frames: this.frames.slice(0, this.n),
      ends: this.ends.slice(0, this.n),
    };
    this.pos = 0;
    this.n = 0;
    return m;
  }
}

async function run(job: ReadWorkerJob): Promise<void> {
  const port = parentPort!;
  let outstanding = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    outstanding--;
    const w = wake;
    wake = undefined;
    w?.();
  });
  const post = async (m: ReadWorkerMessage & { type: 'batch' }): Promise<void> => {
    outstanding++;
    port.postMessage(m, [m.bytes.buffer as ArrayBuffer, m.frames.buffer as ArrayBuffer, m.ends.buffer as ArrayBuffer]);
    while (outstanding >= MAX_OUTSTANDING) await new Promise<void>((r) => { wake = r; });
  };

  const { filter, printer, limit } = prepareOutput(job.opts);
  const { batch: size, index, count } = job;
  const batch = new Batch();
  const sharder = new Sharder();
  let read = 0;
  let error: { code: string; message: string; lab: boolean } | undefined;
  try {
    const source = await openCaptureFile(job.path);
    const session = new Session(source);
    const it = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        let record = source.nextSync?.();
        if (record === undefined) {
          const r = await it.next();
          if (r.done === true) break;
          record = r.value;
        }
        const h = sharder.hashOf(record);
        if (h === MPTCP) {
          port.postMessage({ type: 'fallback', at: read } satisfies ReadWorkerMessage);
          return;
        }
        read++;
        if ((h === NOT_TCP ? 0 : h % count) === index) {
          const frame = session.frameOf(record);
          if (!filter || filter.test(frame)) batch.add(record.frameNo, printer.frame(frame, 0));
        } else {
          session.skip(record);
        }
        if (read % size === 0) await post(batch.take(read / size - 1, session.trackedStreams));
        if (read >= limit) break;
      }
    } finally {
      source.close();
    }
  } catch (e) {
    error = isLabError(e)
      ? { code: e.code, message: e.message, lab: true }
      : { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e), lab: false };
  }
  const batches = Math.ceil(read / size);
  // The last, partial batch: the frames before the end (or the damage).
  if (read % size !== 0) await post(batch.take(batches - 1, 0));
  port.postMessage((error ? { type: 'end', batches, error } : { type: 'end', batches }) satisfies ReadWorkerMessage);
  port.removeAllListeners('message');
}

void run(workerData as ReadWorkerJob);
