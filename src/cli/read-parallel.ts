/**
 * Parallel `tcplab read` (--threads N, opt-in): worker threads (src/cli/read-worker.ts) each read the
 * whole file and take the TCP conversations that hash to them; this thread merges their lines by
 * frame number and writes them. Output is byte-identical to the single-threaded read (tested on
 * every fixture), in about 0.6x its wall time on two cores (BENCHMARKS.md, "read").
 *
 * Used only where sharding cannot show in the output: a regular file; summary lines or -T fields;
 * no -V, -x, -q, -w, JSON, -z, --explain or progress bar; no field or filter naming tcp.stream
 * (stream numbers are handed out per worker) or frame.time_delta_displayed (it depends on the
 * frames other workers displayed). Captures with MPTCP (which ties conversations together) or
 * with so many live conversations that the analysis' stream cap could come into play are
 * finished on one thread: the main thread restarts the read there and prints only what it has
 * not printed yet.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { LabError } from '../util/errors.js';
import { DEFAULT_MAX_STREAMS } from '../analysis/tcp-analysis.js';
import type { ReadWorkerJob, ReadWorkerMessage } from './read-worker.js';
import type { ShowOptions, StdoutWriter } from './read.js';

/** Records per batch; TCPLAB_READ_BATCH overrides it (tests use tiny batches to cross many edges). */
const BATCH = Number(process.env['TCPLAB_READ_BATCH']) > 0 ? Math.floor(Number(process.env['TCPLAB_READ_BATCH'])) : 8192;
/** TCPLAB_READ_TRACE=1: one stderr line saying how the read ran (tests check which path ran). */
const TRACE = process.env['TCPLAB_READ_TRACE'] === '1';
/** Young generation per worker, MB (16 → 8 cut the parallel read's peak RSS ~215 → ~195 MB). */
const YOUNG_MB = 8;

/**
 * How many worker threads to use for this read, or 0 for one thread.
 * `threads`: the --threads option (undefined or 1 = one thread). Opt-in, not automatic: on the
 * 2-vCPU test machine two workers took the same wall time as one thread (1.24-1.38 s vs
 * 1.14-1.33 s on 300k frames, quiet host) for ~1.45x the CPU — each worker still reads and
 * shards every frame, and the two vCPUs do not scale like two cores. More cores should pay.
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

/**
 * Reads `path` with `count` workers, writing through `out`. Throws the LabError the
 * single-threaded read would throw, after writing every frame before the damage.
 */
export async function runParallelRead(path: string, o: ShowOptions, count: number, out: StdoutWriter): Promise<ParallelResult> {
  const url = new URL('./read-worker.js', import.meta.url);
  const workers: Worker[] = [];
  /** Per batch index: the workers' parts that have arrived. */
  const parts = new Map<number, (ReadWorkerMessage & { type: 'batch' })[]>();
  let next = 0;
  let ended = 0;
  let total = -1;
  let fallback = false;
  let error: { code: string; message: string; lab: boolean } | undefined;
  let crash: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  try {
    for (let i = 0; i < count; i++) {
      const job: ReadWorkerJob = { path, index: i, count, batch: BATCH, opts: { ...o } };
      const w = new Worker(url, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
      w.on('message', (m: ReadWorkerMessage) => {
        if (m.type === 'batch') {
          let p = parts.get(m.k);
          if (p === undefined) parts.set(m.k, (p = []));
          p.push(m);
        } else if (m.type === 'end') {
          ended++;
          total = m.batches;
          error ??= m.error;
        } else {
          fallback = true;
        }
        poke();
      });
      w.on('error', (e) => {
        crash ??= e;
        poke();
      });
      w.on('exit', (code) => {
        if (code !== 0) crash ??= new Error(`read worker exited with status ${code}`);
        poke();
      });
      workers.push(w);
    }
    for (;;) {
      if (fallback) return handOver(next * BATCH, 'MPTCP');
      const p = parts.get(next);
      if (p !== undefined && p.length === count) {
        parts.delete(next);
        let tracked = 0;
        for (const m of p) tracked += m.tracked;
        const merged = merge(p);
        if (merged.length > 0) await out.writeBytes(merged);
        for (const w of workers) w.postMessage(0);
        next++;
        // At most BATCH new streams per batch: the next batch could reach the stream cap, whose
        // evictions depend on every stream — one thread goes on from there.
        if (tracked + count * BATCH >= DEFAULT_MAX_STREAMS) return handOver(next * BATCH, 'stream cap');
        continue;
      }
      if (ended === count && next >= total) break;
      if (crash) throw crash;
      if (ended === count && !error) throw new Error(`read workers ended without batch ${next} of ${total}`);
      await new Promise<void>((r) => { wake = r; });
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (TRACE) process.stderr.write(`trace: read on ${count} threads\n`);
  if (error) {
    if (error.lab) throw new LabError(error.code, error.message);
    throw new Error(error.message);
  }
  return { done: true };
}

function handOver(from: number, why: string): ParallelResult {
  if (TRACE) process.stderr.write(`trace: read handed over to one thread at record ${from} (${why})\n`);
  return { done: false, from };
}

/** The workers' lines of one batch in frame order. */
function merge(parts: (ReadWorkerMessage & { type: 'batch' })[]): Buffer {
  let size = 0;
  for (const m of parts) size += m.bytes.length;
  const out = Buffer.allocUnsafe(size);
  if (parts.length === 1 || size === 0) {
    let o = 0;
    for (const m of parts) { out.set(m.bytes, o); o += m.bytes.length; }
    return out;
  }
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
