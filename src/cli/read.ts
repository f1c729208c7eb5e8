/**
 * `tcplab read -r FILE`: prints a capture as tshark 4.0 does (one line per frame by default; -V
 * tree, -x hex, -T fields/json/ek, -Y display filter, -c count, -q, -w copy, -G fields).
 *
 * Exit statuses: 0 ok (also on EPIPE: `| head`), 2 bad input (usage, broken filter, unknown -e
 * field, damaged or unreadable capture — after printing every frame before the damage), 1 runtime.
 */
import type { Command } from 'commander';
import { createWriteStream, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { openCaptureFile } from '../wire/open.js';
import type { CaptureSource } from '../wire/open.js';
import { Session } from '../pipeline/session.js';
import type { CompiledFilter } from '../filter/index.js';
import type { FieldsOptions } from '../present/fields-out.js';
import type { FieldDef } from '../fields/field.js';
import { makePrinter, type OutputFormat, type Printer } from '../present/printer.js';
import { MAX_SUMMARY_BYTES } from '../present/summary-bytes.js';
import { PIPE_MIN_BYTES } from './read-pipe-ring.js';
import { setNameResolution } from '../fields/format.js';
import { relativeSequenceNumbers, setRelativeSequenceNumbers } from '../fields/tcp-analysis.js';
import { isLabError, LabError } from '../util/errors.js';
import { TIME_FORMATS, type TimeFormat } from '../util/time.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';
import type { Frame } from '../fields/field.js';
import { addStatsOptions, wantsStats, type StatsOptions } from './stats-options.js';
// Loaded only when asked for (start-up time of a plain read): './read-stats.js' (-z, --explain,
// --explain-filter), './read-parallel.js' (--threads N), the capture writers (-w) and the field
// list (-G).
import type { ReadStats } from './read-stats.js';

/**
 * Writes to stdout, awaiting 'drain' when the buffer is full; batches small strings.
 * Strings are encoded straight into one 256 KiB Buffer (buf.write) and handed to stdout whole:
 * joining ~1,000 line strings and encoding the result cost ~40 % of `read` (profile of a
 * 300k-frame capture, bench/read.bench.ts). Flushes hand stdout a copy (pipes write
 * asynchronously) so the one Buffer is reused.
 */
export class StdoutWriter {
  private static readonly SIZE = 1 << 18;
  private buf = Buffer.allocUnsafe(StdoutWriter.SIZE);
  private pos = 0;

  async write(s: string): Promise<void> {
    if (s === '') return;
    // utf8 is at most 3 bytes per UTF-16 unit; flush first when the string might not fit.
    if (this.pos + s.length * 3 > StdoutWriter.SIZE) {
      await this.flush();
      if (s.length * 3 > StdoutWriter.SIZE) return this.put(Buffer.from(s, 'utf8'));
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * write() without a Promise when the string fits the buffer: the per-frame path of runSession
   * (an async call per frame cost a promise and a microtask turn each, profile of `read`).
   */
  writeFast(s: string): Promise<void> | undefined {
    if (this.pos + s.length * 3 > StdoutWriter.SIZE) return this.write(s);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return undefined;
  }

  /**
   * Lets `fill` write one frame's text straight into the buffer (Printer.frameBytes): true when
   * it did, false when it declined (-1) and the string path must be used. A promise only when the
   * buffer had to be flushed first.
   */
  writeFrame(fill: (f: Frame, buf: Uint8Array, pos: number) => number, f: Frame): boolean | Promise<boolean> {
    if (this.pos + MAX_SUMMARY_BYTES > StdoutWriter.SIZE) return this.flush().then(() => this.fillNow(fill, f));
    return this.fillNow(fill, f);
  }

  private fillNow(fill: (f: Frame, buf: Uint8Array, pos: number) => number, f: Frame): boolean {
    const end = fill(f, this.buf, this.pos);
    if (end < 0) return false;
    this.pos = end;
    return true;
  }

  /** Writes bytes already encoded (after what is buffered). */
  async writeBytes(b: Uint8Array): Promise<void> {
    await this.flush();
    await this.put(b);
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    // A copy of the used bytes (pooled when small): live capture flushes after every frame.
    const chunk = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    await this.put(chunk);
  }

  private pending: NodeJS.Immediate | undefined;

  /**
   * For live output: flushes once the frames already received are formatted (setImmediate runs
   * when the event loop next waits for I/O), so a burst costs one write instead of one per frame
   * (per-frame writes held `capture` to ~10k frames/s on loopback, bench/read.bench.ts).
   */
  flushSoon(): Promise<void> | undefined {
    // Backpressure: while stdout is full the reader waits here (and the capture tool's pipe fills).
    if (this.draining) return this.draining.then(() => this.flushSoon());
    if (this.pos >= StdoutWriter.SIZE / 2) return this.flush();
    // No promise per frame otherwise (this runs for every live frame).
    this.pending ??= setImmediate(() => {
      this.pending = undefined;
      void this.flush();
    });
    return undefined;
  }

  /** One shared wait for 'drain' (flushes from setImmediate may overlap). */
  private draining: Promise<void> | undefined;

  private async put(chunk: Uint8Array): Promise<void> {
    if (!process.stdout.write(chunk)) {
      this.draining ??= new Promise<void>((resolve) => {
        const done = (): void => {
          process.stdout.off('drain', done);
          process.stdout.off('close', done);
          this.draining = undefined;
          resolve();
        };
        process.stdout.once('drain', done);
        process.stdout.once('close', done);
      });
      await this.draining;
    }
  }
}

export interface ShowOptions {
  c?: string;
  V?: boolean;
  x?: boolean;
  T?: string;
  e: string[];
  E: string[];
  Y?: string;
  q?: boolean;
  w?: string;
  F?: string;
  n?: boolean;
  /** -P: print packets even while writing them with -w. */
  P?: boolean;
  /** -t: Time column format (a, ad, adoy, d, dd, e, r, u, ud, udoy). */
  t?: string;
  /** -O: comma-separated protocols whose details to show (implies -V). */
  O?: string;
  /** -o name:value preferences (repeatable). */
  o?: string[];
  /** -u: seconds format of relative and delta times (s, hms). */
  u?: string;
  /** -l: flush stdout after each packet. */
  l?: boolean;
}

/** The preferences -o can set (tshark names), and what each does here. */
const PREFERENCES: Record<string, (on: boolean) => void> = {
  'tcp.relative_sequence_numbers': setRelativeSequenceNumbers,
};

/**
 * Applies `-o name:value` preferences as tshark reads them: booleans are TRUE (any case) or else
 * false; an unknown name or a missing ":" is a usage error. Returns whether any was set.
 */
export function applyPreferences(specs: readonly string[]): { changed: boolean } {
  setRelativeSequenceNumbers(true);
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    if (colon <= 0) usage(`Invalid -o flag "${spec}"`);
    const set = PREFERENCES[spec.slice(0, colon).trim()];
    if (set === undefined) usage(`-o flag "${spec}" specifies unknown preference (known: ${Object.keys(PREFERENCES).join(', ')})`);
    set(spec.slice(colon + 1).trim().toUpperCase() === 'TRUE');
  }
  return { changed: specs.length > 0 };
}

/** Fails with a usage LabError (exit 2, one line). */
function usage(msg: string): never {
  throw new LabError('ERR_USAGE', msg);
}

/**
 * Builds the filter and printer from the options shared by read and capture (compile once). The
 * filter compiler and the field output load only when -Y, -e or -E ask for them (start-up time).
 */
export async function prepareOutput(o: ShowOptions): Promise<{ filter: CompiledFilter | undefined; printer: Printer; limit: number; flushEach: boolean }> {
  const format = (o.T ?? 'text') as OutputFormat;
  if (!['text', 'fields', 'json', 'ek'].includes(format)) usage(`Invalid -T parameter "${o.T}"; it must be one of: text, fields, json, ek`);
  const timeFormat = (o.t ?? 'r') as TimeFormat;
  if (!TIME_FORMATS.includes(timeFormat)) usage(`Invalid time stamp type "${o.t}"; it must be one of: ${TIME_FORMATS.join(', ')}`);
  if (o.u !== undefined && o.u !== 's' && o.u !== 'hms') usage(`Invalid seconds type "${o.u}"; it must be one of: s, hms`);
  const hms = o.u === 'hms';
  let fo: FieldsOptions | undefined;
  let fields: FieldDef[] = [];
  if (o.E.length > 0 || o.e.length > 0 || format === 'fields') {
    const fout = await import('../present/fields-out.js');
    fo = { ...fout.DEFAULT_FIELDS_OPTIONS };
    for (const spec of o.E) fout.applyFieldsOption(fo, spec);
    if (format === 'fields' && o.e.length === 0) usage('"-Tfields" was specified, but no fields were specified with "-e".');
    if (o.e.length) fields = fout.resolveFields(o.e, timeFormat, hms);
  }
  let filter: CompiledFilter | undefined;
  if (o.Y !== undefined && o.Y.trim() !== '') {
    const [{ parseFilter }, { formatFilterError }] = await Promise.all([import('../filter/index.js'), import('../present/filter-error.js')]);
    const r = parseFilter(o.Y);
    if (!r.ok) throw new LabError('ERR_USAGE_FILTER', formatFilterError(o.Y, r.errors[0]!));
    filter = r.filter;
  }
  // -n: tshark turns off every name resolution, MAC vendor names included.
  setNameResolution(o.n !== true);
  const prefs = applyPreferences(o.o ?? []);
  let limit = Infinity;
  if (o.c !== undefined) {
    const n = Number(o.c);
    if (!Number.isInteger(n) || n < 0) usage(`Invalid packet count "${o.c}"`);
    if (n > 0) limit = n;
  }
  // -O implies -V, as in tshark; other protocols keep their one summary line.
  const onlyProtocols = o.O !== undefined ? o.O.split(',').map((p) => p.trim()).filter((p) => p !== '') : undefined;
  const printer = await makePrinter({
    format, detail: o.V === true || onlyProtocols !== undefined, hex: o.x === true, quiet: o.q === true, fields, fieldsOptions: fo, timeFormat, hms, onlyProtocols,
    // The byte encoder writes relative numbers only.
    plainText: prefs.changed,
  });
  return { filter, printer, limit, flushEach: o.l === true };
}

/** A frame sink: writes a copy of displayed frames (-w). Provided by wire/ writers when present. */
export interface FrameSink {
  write(f: Frame): Promise<void> | void;
  close(): Promise<void> | void;
}

/**
 * Opens a -w writer. Like tshark, the default file type is pcapng (with the source's interfaces);
 * `-F pcap` writes libpcap (one link type; ns magic when the source has ns timestamps).
 * "-w -" writes to stdout (then nothing else may go there).
 */
export async function openSink(path: string, source: CaptureSource, fileType: string | undefined): Promise<FrameSink> {
  if (fileType !== undefined && fileType !== 'pcap' && fileType !== 'pcapng') usage(`Invalid -F file type "${fileType}": use pcap or pcapng`);
  const out: Writable = path === '-' ? process.stdout : createWriteStream(path);
  if (path !== '-') {
    await new Promise<void>((resolveOpen, reject) => {
      (out as ReturnType<typeof createWriteStream>).once('open', () => resolveOpen());
      out.once('error', (e) => reject(new LabError('ERR_USAGE_WRITE', `The file "${path}" could not be opened for writing: ${(e as Error).message}`)));
    });
  }
  if (fileType === 'pcap') {
    const { PcapWriter } = await import('../wire/pcap-writer.js');
    let w: InstanceType<typeof PcapWriter> | undefined;
    return {
      write: async (f) => {
        w ??= new PcapWriter(out, { linkType: f.record.linkType, nsec: f.tsDigits > 6 });
        await w.write(f.record);
      },
      close: async () => {
        w ??= new PcapWriter(out, { linkType: source.info.interfaces[0]?.linkType ?? 1 });
        await w.end();
      },
    };
  }
  const { PcapngWriter } = await import('../wire/pcapng-writer.js');
  const w = new PcapngWriter(out, { interfaces: source.info.interfaces });
  return { write: async (f) => { await w.write(f.record); }, close: async () => { await w.end(); } };
}

/** Where runSession's text goes: stdout on this thread, or the output thread (cli/read-pipe.ts). */
export type TextOutput = Pick<StdoutWriter, 'write' | 'writeFast' | 'writeFrame' | 'flush' | 'flushSoon'>;

/** Runs a session to the end: filter, print, copy; returns the number of frames displayed. */
export async function runSession(
  source: CaptureSource,
  prep: Awaited<ReturnType<typeof prepareOutput>>,
  out: TextOutput,
  opts: { sink?: FrameSink | undefined; print?: boolean; onFrame?: (f: Frame) => void; live?: boolean; quietUntil?: number | undefined } = {},
): Promise<number> {
  const session = new Session(source, { relativeSeq: relativeSequenceNumbers() });
  const { filter, printer, limit } = prep;
  const frameBytes = printer.frameBytes;
  let print = opts.print !== false;
  // The head and the first quietUntil frames were printed already (a parallel read handed over).
  const quietUntil = opts.quietUntil ?? -1;
  const printAfter = print && quietUntil >= 0;
  if (printAfter) print = false;
  let read = 0;
  let shown = 0;
  if (print) await out.write(printer.head());
  try {
    const it = session[Symbol.asyncIterator]();
    for (;;) {
      // Records already buffered are taken synchronously: no promise per frame.
      let frame = session.nextSync();
      if (frame === undefined) {
        const r = await it.next();
        if (r.done === true) break;
        frame = r.value;
      }
      read++;
      if (printAfter && read > quietUntil) print = true;
      if (!filter || filter.test(frame)) {
        if (print) {
          let done: boolean | Promise<boolean> = frameBytes ? out.writeFrame(frameBytes, frame) : false;
          if (typeof done !== 'boolean') done = await done;
          if (!done) {
            const w = out.writeFast(printer.frame(frame, shown));
            if (w) await w;
          }
          // -l: stdout is flushed after each packet; live capture: each frame is printed as it happens.
          if (prep.flushEach) await out.flush();
          else if (opts.live) {
            const f = out.flushSoon();
            if (f) await f;
          }
        }
        if (opts.sink) await opts.sink.write(frame);
        session.displayed(frame);
        shown++;
      }
      opts.onFrame?.(frame);
      if (read >= limit) break;
    }
  } finally {
    if (opts.print !== false) await out.write(printer.tail(shown));
    await out.flush();
    if (opts.sink) await opts.sink.close();
    source.close();
  }
  return shown;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/**
 * Progress bar on stderr for long reads (files of 32 MiB and more), only when stderr is a TTY and
 * stdout is not (tshark's rule for its own progress: never mix it into the output). Progress is
 * the bytes of records read (capLen + 16 per record) against the file size: exact for pcap,
 * close for pcapng, and for gzip it stops short (compressed size) — the bar is cleared at the end.
 */
async function progressFor(size: number): Promise<{ tick(f: Frame): void; stop(): void } | undefined> {
  if (!process.stderr.isTTY || process.stdout.isTTY) return undefined;
  if (size < 32 << 20) return undefined;
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'reading {bar} {percentage}% | {frames} frames', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(size, 0, { frames: 0 });
  let bytes = 24;
  let frames = 0;
  return {
    tick: (f) => {
      bytes += f.record.capLen + 16;
      frames++;
      if ((frames & 1023) === 0) bar.update(Math.min(bytes, size), { frames });
    },
    stop: () => bar.stop(),
  };
}

export function addShowOptions(cmd: Command): Command {
  return cmd
    .option('-c <count>', 'stop after reading this many packets')
    .option('-V', 'print the packet details tree')
    .option('-x', 'print hex and ASCII of each packet')
    .option('-T <format>', 'output format: text, fields, json, ek')
    .option('-e <field>', 'field to print with -T fields (repeatable)', collect, [] as string[])
    .option('-E <option>', 'header=y|n, separator=, occurrence=f|l|a, aggregator=, quote=d|s|n (repeatable)', collect, [] as string[])
    .option('-Y <filter>', 'display filter (Wireshark syntax)')
    .option('-q', 'print nothing per packet')
    .option('-w <file>', 'write the displayed packets to this capture file ("-" = stdout)')
    .option('-F <type>', 'file type for -w: pcapng (default, as tshark) or pcap')
    .option('-P', 'print packets even when writing them with -w')
    .option('-n', 'no name resolution (MAC vendor names off too; addresses and ports are never resolved)')
    .option('-o <pref:value>', 'set a preference, as tshark (repeatable): tcp.relative_sequence_numbers:FALSE shows the sequence numbers on the wire', collect, [] as string[])
    .option('-l', 'flush standard output after each packet (for a pipe into another program)')
    .option('-u <s|hms>', 'seconds format of relative and delta times: s (default) or hms (1h  2m  3.000000s)')
    .option('-O <protocols>', 'details (-V) of these protocols only, comma separated (e.g. tcp); the others show their summary line')
    .option('-t <format>', 'Time column: r (seconds since the first frame, default), d (since the previous frame), dd (since the previous displayed frame), a|ad|adoy (local time; ad with YYYY-MM-DD, adoy with YYYY/DOY), u|ud|udoy (the same in UTC), e (epoch seconds)');
}

export function registerRead(program: Command): void {
  const cmd = program
    .command('read')
    .description('Read a pcap/pcapng file (gzip too; "-" for stdin) and print it as tshark does')
    .option('-r <file>', 'capture file to read ("-" = stdin)')
    .option('-G [report]', 'list registered fields (tshark -G fields layout)')
    .option('--threads <n>', 'worker threads that shard frames by TCP conversation (default 1; the output is the same)');
  addStatsOptions(addShowOptions(cmd)).action(async (o: ShowOptions & StatsOptions & { r?: string; G?: string | boolean; threads?: string }) => {
    if (o.explainFilter !== undefined) {
      const { runExplainFilter } = await import('./read-stats.js');
      process.exitCode = runExplainFilter(o.explainFilter);
      return;
    }
    if (o.G !== undefined) {
      if (o.G !== true && o.G !== 'fields') usage(`Invalid -G report "${String(o.G)}": only "fields" is supported`);
      const out = new StdoutWriter();
      await out.write((await import('../present/field-list.js')).formatFieldList());
      await out.flush();
      return;
    }
    if (!o.r) usage('read: -r FILE is required (use "-" for stdin)');
    await readFile(o.r, o);
  });
}

async function readFile(path: string, o: ShowOptions & StatsOptions & { threads?: string }): Promise<void> {
  let prep: Awaited<ReturnType<typeof prepareOutput>>;
  let stats: ReadStats | undefined;
  let threads: number | undefined;
  try {
    if (o.threads !== undefined) {
      threads = Number(o.threads);
      if (!Number.isInteger(threads) || threads < 1) usage(`Invalid --threads "${o.threads}": a whole number, 1 or more`);
    }
    prep = await prepareOutput(o);
    // -z statistics and --explain (src/cli/read-stats.ts): printed after the packets.
    stats = wantsStats(o) ? (await import('./read-stats.js')).ReadStats.from(o) : undefined;
    if (stats) prep = { ...prep, printer: stats.wrap(prep.printer, (o.T ?? 'text') === 'text' && o.V !== true) };
  } catch (e) {
    return fail(e);
  }
  let source: CaptureSource;
  try {
    source = await openCaptureFile(path);
  } catch (e) {
    return fail(e, EXIT_USAGE);
  }
  const out = new StdoutWriter();
  const size = fileSize(path);
  const progress = await progressFor(size);
  let quietUntil: number | undefined;
  // The workers write the default Time column and preferences only, in batches: another -t, -u hms, any -o, or -l reads on one thread.
  const parallel = threads !== undefined && threads > 1 && (o.t ?? 'r') === 'r' && o.u !== 'hms' && (o.o ?? []).length === 0 && o.l !== true ? await import('./read-parallel.js') : undefined;
  const workers = parallel ? parallel.parallelThreads(path, o, threads, progress !== undefined || stats !== undefined) : 0;
  if (parallel && workers > 1) {
    try {
      await out.write(prep.printer.head());
      const r = await parallel.runParallelRead(path, o, workers, out);
      if (r.done) {
        source.close();
        await out.flush();
        return;
      }
      // The rest on one thread (MPTCP, or near the stream cap): from the start, printing only
      // the frames the workers did not print.
      quietUntil = r.from;
    } catch (e) {
      source.close();
      await out.flush();
      return fail(e, EXIT_USAGE);
    }
  }
  let sink: FrameSink | undefined;
  const print = !o.w || (o.P === true && o.w !== '-');
  // The default text output of a big file: lines rendered and written on a second thread.
  const big = size >= PIPE_MIN_BYTES;
  const pipeEnv = process.env['TCPLAB_READ_PIPE'];
  const pipe = print && quietUntil === undefined && !prep.flushEach && prep.printer.frameBytes !== undefined && (pipeEnv === '1' || (pipeEnv !== '0' && big))
    ? new (await import('./read-pipe.js')).PipeWriter() : undefined;
  const text: TextOutput = pipe ?? out;
  // A long read: give V8 feedback for the paths a capture may reach only late (cli/read-warm-up.ts).
  if (big && process.env['TCPLAB_READ_WARMUP'] !== '0') (await import('./read-warm-up.js')).warmUpRead();
  // A long read: V8's parallel scavenges of this small young generation cost more in helper
  // threads' start-up and hand-off than they share (and the output thread wants a core too);
  // one-task scavenges (a flag V8 reads at each scavenge) were 3-4 % faster on a 300k-frame read
  // here, both the text through the output thread (0.74 vs 0.77 s, 11 interleaved rounds) and the
  // flags filter (0.61 vs 0.63 s, 11 rounds). TCPLAB_READ_GC=parallel keeps them.
  if ((pipe || big) && process.env['TCPLAB_READ_GC'] !== 'parallel') (await import('node:v8')).setFlagsFromString('--no-parallel-scavenge');
  if (process.env['TCPLAB_READ_TRACE'] === 'pipe' && print) process.stderr.write(`tcplab: read output on the ${pipe ? 'output thread' : 'one thread'}\n`);
  try {
    if (o.w) sink = await openSink(o.w, source, o.F);
    // tshark -r … -w: packets go to the file, nothing is printed (unless -P; -w - owns stdout).
    await runSession(source, prep, text, { sink, quietUntil, print, onFrame: progress || stats ? (f: Frame) => { progress?.tick(f); stats?.onFrame(f); } : undefined } as Parameters<typeof runSession>[3]);
    if (stats) {
      await stats.writeTo((s) => text.write(s));
      await text.flush();
    }
    pipe?.close();
  } catch (e) {
    progress?.stop();
    // As tshark: on a damaged capture the statistics of the frames before the damage still print.
    if (stats && isLabError(e) && e.code.startsWith('ERR_CAPTURE')) {
      await stats.writeTo((s) => text.write(s));
      await text.flush();
    }
    try { pipe?.close(); } catch { /* the output failed: e says what went wrong first */ }
    // Bad input exits 2; stdout failing (ENOSPC…) is a runtime error, 1.
    return fail(e, isLabError(e) && e.code === 'ERR_OUTPUT' ? EXIT_FAILURE : EXIT_USAGE);
  }
  progress?.stop();
}

/**
 * The size of the capture file (0 for stdin or when it cannot be read: opening it says why). Files
 * of PIPE_MIN_BYTES or more print through the output thread (cli/read-pipe.ts) after the JIT
 * warm-up (cli/read-warm-up.ts), both worth their few ms from there; 32 MiB and more get a
 * progress bar.
 */
function fileSize(path: string): number {
  if (path === '-') return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** One line on stderr and the exit status: 2 for bad input (and capture damage), else 1. */
export function fail(e: unknown, labExit?: number): void {
  if (isLabError(e)) {
    process.stderr.write(`tcplab: ${e.message}\n`);
    process.exitCode = labExit ?? (e.code.startsWith('ERR_USAGE') || e.code.startsWith('ERR_CAPTURE') ? EXIT_USAGE : EXIT_FAILURE);
    return;
  }
  process.stderr.write(`tcplab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = EXIT_FAILURE;
}
