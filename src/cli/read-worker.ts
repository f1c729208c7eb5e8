/**
 * Worker thread of the parallel `tcplab read` (src/cli/read-parallel.ts).
 *
 * The main thread reads the capture and shards its frames by TCP conversation
 * (pipeline/shard.ts); it sends each worker the records of the conversations it owns, packed in
 * batches (pipeline/record-batch.ts), with the timestamp of the record before each one in the
 * capture. A conversation's frames all reach one worker, in capture order, so its TCP analysis
 * is the single-threaded analysis; the frame clock (time_relative, time_delta) comes from the
 * packed timestamps. The worker decodes, analyses, filters and formats, and answers each batch
 * with its printed lines and their frame numbers; the main thread merges them by frame number.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Session } from '../pipeline/session.js';
import { forEachRecord, LineBatchWriter, type LineBatch } from '../pipeline/record-batch.js';
import type { CaptureSource } from '../wire/open.js';
import type { CaptureInfo } from '../wire/record.js';
import type { Timestamp } from '../util/time.js';
import { prepareOutput, type ShowOptions } from './read.js';
import { MAX_SUMMARY_BYTES } from '../present/summary-bytes.js';
import type { CompiledFilter } from '../filter/index.js';
import type { Printer } from '../present/printer.js';

export interface ReadWorkerJob {
  opts: ShowOptions;
}

/** Main thread → worker: batch k's records; `info` as the reader knows it now; `first`: the capture's first timestamp. */
export interface ReadWorkerBatch {
  k: number;
  records: Uint8Array;
  info: CaptureInfo;
  first: Timestamp;
}

/** Worker → main thread: the lines of batch k; tracked = TCP streams held now. */
export type ReadWorkerMessage = LineBatch & { k: number; tracked: number; /** Time spent on batches so far. */ busyMs: number };

function run(job: ReadWorkerJob): void {
  const port = parentPort!;
  // The listener is attached at once; batches wait for the printer in arrival order (promise
  // reactions run in the order they were registered).
  const prepared = prepareOutput(job.opts);
  let info: CaptureInfo = { format: 'pcap', tsPrecision: 'usec', interfaces: [] };
  // Session reads only `info` from its source here: records come from the batches.
  const source: CaptureSource = {
    get info() { return info; },
    close() {},
    [Symbol.asyncIterator]() { throw new Error('read worker: records come in batches'); },
  };
  const session = new Session(source);
  const lines = new LineBatchWriter();
  let started = false;
  let busyMs = 0;
  port.on('message', (b: ReadWorkerBatch) => {
    void prepared.then(({ filter, printer }) => onBatch(b, filter, printer));
  });
  function onBatch(b: ReadWorkerBatch, filter: CompiledFilter | undefined, printer: Printer): void {
    const fb = printer.frameBytes;
    const t = performance.now();
    info = b.info;
    if (!started) {
      session.skip({ ts: b.first });
      started = true;
    }
    forEachRecord(b.records, (r, prev) => {
      if (prev) session.skip({ ts: prev });
      const frame = session.frameOf(r);
      if ((!filter || filter.test(frame)) && !(fb && lines.addBytes(r.frameNo, MAX_SUMMARY_BYTES, fb, frame))) lines.add(r.frameNo, printer.frame(frame, 0));
    });
    busyMs += performance.now() - t;
    const m: ReadWorkerMessage = { k: b.k, tracked: session.trackedStreams, busyMs, ...lines.take() };
    port.postMessage(m, [m.bytes.buffer as ArrayBuffer, m.frames.buffer as ArrayBuffer, m.ends.buffer as ArrayBuffer]);
  }
}

run(workerData as ReadWorkerJob);
