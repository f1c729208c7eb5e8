/**
 * Parallel `tcplab read` (--threads N): this thread reads the capture and shards its frames by
 * TCP conversation (pipeline/shard.ts). It decodes, analyses and formats the conversations it
 * owns itself (a smaller share: it also reads, packs, merges and writes) and sends the records of
 * the others, packed in batches, to N-1 worker threads (src/cli/read-worker.ts), which answer with
 * their printed lines; the lines of each batch are merged by frame number. Output is
 * byte-identical to the single-threaded read (tested on every fixture merged into one file).
 *
 * Used only where sharding cannot show in the output: a regular file; summary lines or -T fields;
 * no -V, -x, -q, -w, JSON, -z, --explain or progress bar; no field or filter naming tcp.stream
 * (stream numbers are handed out per thread) or frame.time_delta_displayed (it depends on the
 * frames other threads displayed). Captures with MPTCP (which ties conversations together) or
 * with so many live conversations that the analysis' stream cap could come into play are
 * finished on one thread: the caller restarts the read there and prints only what was not
 * printed yet.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_STREAMS } from '../analysis/tcp-analysis.js';
import { openCaptureFile } from '../wire/open.js';
import { Session } from '../pipeline/session.js';
import { MPTCP, NOT_TCP, Sharder } from '../pipeline/shard.js';
import { LineBatchWriter, mergeLines, RecordBatchWriter, type LineBatch } from '../pipeline/record-batch.js';
import type { Timestamp } from '../util/time.js';
import type { ReadWorkerBatch, ReadWorkerJob, ReadWorkerMessage } from './read-worker.js';
import { MAX_SUMMARY_BYTES } from '../present/summary-bytes.js';
import { prepareOutput, type ShowOptions, type StdoutWriter } from './read.js';

/** Records per batch; TCPLAB_READ_BATCH overrides it (tests use tiny batches to cross many edges). */
const BATCH = Number(process.env['TCPLAB_READ_BATCH']) > 0 ? Math.floor(Number(process.env['TCPLAB_READ_BATCH'])) : 8192;
/** TCPLAB_READ_TRACE=1: one stderr line saying how the read ran (tests check which path ran). */
const TRACE = process.env['TCPLAB_READ_TRACE'] === '1';
/** Young generation per worker, MB (16 → 8 cut the parallel read's peak RSS ~215 → ~195 MB). */
const YOUNG_MB = 8;

/**
 * How many threads to use for this read, or 0 for one thread.
 * `threads`: the --threads option (undefined or 1 = one thread). Opt-in, not automatic: on the
 * 2-vCPU test machine `--threads 2` takes about the time of one thread (300k frames: 1.7-2.0 s vs
 * 1.7-2.1 s, 21:30 UTC, a noisy host) for ~1.5x the CPU. The worker, doing 70 % of the frames,
 * is busy as long as one thread doing all of them: two busy threads slow each other down on
 * these vCPUs (two independent reads run 15-35 % slower side by side, GC helper threads
 * compete too). TCPLAB_READ_TRACE=time prints where the time went.
 */
export function parallelThreads(path: string, o: ShowOptions, threads: number | undefined, singleOnly: boolean): number {
  if (threads === undefined || threads <= 1) return 0;
  if (path === '-' || singleOnly) return 0;
  if (o.V === true || o.x === true || o.q === true || o.w !== undefined) return 0;
  const format = o.T ?? 'text';
  if (format !== 'text' && format !== 'fields') return 0;
  const crossShard = (s: string): boolean => s.includes('tcp.stream') || s.includes('time_delta_displayed');
  if (o.e.some(crossShard) || (o.Y !== undefined && crossShard(o.Y))) return 0;
  try {
    if (!statSync(path).isFile()) return 0;
  } catch {
    return 0;
  }
  return Math.min(threads, 16);
}

/** The parallel read's result: done, or the record index from which one thread must go on. */
export type ParallelResult = { done: true } | { done: false; from: number };

/** Batches handed to the workers and not yet merged (bounded memory; a slow stdout holds the read back). */
const MAX_OUTSTANDING = 3;
/**
 * Conversations are spread over 64 slots; the main thread owns MAIN_SLOTS of them (and every
 * frame the TCP analysis ignores), the workers the rest in equal parts. The main thread also
 * reads, shards, packs, merges and writes, so it takes a smaller share.
 * TCPLAB_READ_MAIN_SLOTS overrides it (benchmarks).
 */
const SLOTS = 64;
function mainSlots(threads: number): number {
  const env = Number(process.env['TCPLAB_READ_MAIN_SLOTS']);
  if (Number.isInteger(env) && env >= 0 && env <= SLOTS) return env;
  return Math.floor((SLOTS / threads) * 0.6);
}

interface Pending {
  k: number;
  own: LineBatch;
  parts: (LineBatch | undefined)[];
  waiting: number;
}

/**
 * Reads `path` on this thread and `threads - 1` workers, writing through `out`. Throws the
 * LabError the single-threaded read would throw, after writing every frame before the damage.
 */
export async function runParallelRead(path: string, o: ShowOptions, threads: number, out: StdoutWriter): Promise<ParallelResult> {
  const url = new URL('./read-worker.js', import.meta.url);
  const nw = threads - 1;
  const own = mainSlots(threads);
  const workers: Worker[] = [];
  const pending: Pending[] = [];
  let crash: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const workerTracked = new Array<number>(nw).fill(0);
  const workerBusy = new Array<number>(nw).fill(0);
  const t0 = performance.now();
  const source = await openCaptureFile(path);
  try {
    for (let i = 0; i < nw; i++) {
      const job: ReadWorkerJob = { opts: { ...o } };
      const w = new Worker(url, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
      w.on('message', (m: ReadWorkerMessage) => {
        const p = pending.find((x) => x.k === m.k);
        if (p) {
          p.parts[i] = m;
          p.waiting--;
        }
        workerTracked[i] = m.tracked;
        workerBusy[i] = m.busyMs;
        poke();
      });
      w.on('error', (e) => { crash ??= e; poke(); });
      w.on('exit', (code) => { if (code !== 0) crash ??= new Error(`read worker exited with status ${code}`); poke(); });
      workers.push(w);
    }
    const { filter, printer, limit } = await prepareOutput(o);
    // The default text is written as bytes straight into the line batch (present/summary-bytes.ts).
    const fb = printer.frameBytes;
    const session = new Session(source);
    const sharder = new Sharder();
    const lines = new LineBatchWriter();
    const packs = workers.map(() => new RecordBatchWriter());
    let k = 0;
    let read = 0;
    /** Records in the batches ended so far. */
    let batched = 0;
    let first: Timestamp | undefined;
    let prev: Timestamp | undefined;

    /** Writes every finished batch at the head of the queue. */
    const drain = async (): Promise<void> => {
      while (pending.length > 0 && pending[0]!.waiting === 0) {
        const p = pending.shift()!;
        const merged = mergeLines([p.own, ...(p.parts as LineBatch[])]);
        if (merged.length > 0) await out.writeBytes(merged);
      }
    };
    let waitedMs = 0;
    const waitFor = async (done: () => boolean): Promise<void> => {
      for (;;) {
        if (crash) throw crash;
        await drain();
        if (done()) return;
        const t = performance.now();
        await new Promise<void>((r) => { wake = r; });
        waitedMs += performance.now() - t;
      }
    };
    /** Hands the records since the last batch to the workers; keeps this thread's lines for the merge. */
    const endBatch = async (): Promise<void> => {
      const p: Pending = { k, own: lines.take(), parts: new Array<LineBatch | undefined>(nw), waiting: nw };
      pending.push(p);
      batched = read;
      for (let i = 0; i < nw; i++) {
        const records = packs[i]!.take();
        const b: ReadWorkerBatch = { k, records, info: source.info, first: first! };
        workers[i]!.postMessage(b, [records.buffer as ArrayBuffer]);
      }
      k++;
      await waitFor(() => pending.length < MAX_OUTSTANDING);
    };
    const finish = async (): Promise<void> => {
      if (read > batched) await endBatch();
      await waitFor(() => pending.length === 0);
    };

    const it = source[Symbol.asyncIterator]();
    let result: ParallelResult = { done: true };
    try {
      for (;;) {
        let record = source.nextSync?.();
        if (record === undefined) {
          await drain();
          const r = await it.next();
          if (r.done === true) break;
          record = r.value;
        }
        const h = sharder.hashOf(record);
        if (h === MPTCP) {
          result = handOver(read, 'MPTCP');
          break;
        }
        read++;
        first ??= record.ts;
        const slot = h === NOT_TCP ? 0 : h % SLOTS;
        if (slot < own || nw === 0) {
          const frame = session.frameOf(record);
          if ((!filter || filter.test(frame)) && !(fb && lines.addBytes(record.frameNo, MAX_SUMMARY_BYTES, fb, frame))) lines.add(record.frameNo, printer.frame(frame, 0));
        } else {
          packs[(slot - own) % nw]!.add(record, prev);
          session.skip(record);
        }
        prev = record.ts;
        if (read % BATCH === 0) {
          await endBatch();
          // At most BATCH new streams per batch, and the workers' counts lag MAX_OUTSTANDING
          // batches: before the stream cap's evictions could differ, one thread goes on.
          let tracked = session.trackedStreams;
          for (const t of workerTracked) tracked += t;
          if (tracked + (MAX_OUTSTANDING + 1) * BATCH >= DEFAULT_MAX_STREAMS) {
            result = handOver(read, 'stream cap');
            break;
          }
        }
        if (read >= limit) break;
      }
    } catch (e) {
      // Damage: print every frame before it, then report it as one thread would.
      await finish();
      throw e;
    }
    await finish();
    if (TRACE && result.done) process.stderr.write(`trace: read on ${threads} threads\n`);
    if (process.env['TCPLAB_READ_TRACE'] === 'time') {
      process.stderr.write(`time: main ${(performance.now() - t0).toFixed(0)} ms, waited ${waitedMs.toFixed(0)} ms; workers busy ${workerBusy.map((b) => b.toFixed(0)).join(', ')} ms\n`);
    }
    return result;
  } finally {
    source.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function handOver(from: number, why: string): ParallelResult {
  if (TRACE) process.stderr.write(`trace: read handed over to one thread at record ${from} (${why})\n`);
  return { done: false, from };
}
