/**
 * The statistics and explanations of `tcplab read` / `tcplab capture` (issue 4 "Output", issue 5):
 *  -z conv,tcp[,FILTER]                 TCP conversations table (present/tcp-conv.ts)
 *  -z expert[,LEVEL][,FILTER]           TCP expert items summary (present/tcp-expert.ts)
 *  -z follow,tcp,ascii|hex|raw,N        the bytes of tcp.stream N (analysis/reassembly.ts)
 *  -z io,stat,INTERVAL[,FILTER]...      frames and bytes per interval (present/io-stat.ts)
 *  --explain[=all]                      reasons under each flagged frame (+ likely cause), with
 *                                       "all" the arithmetic of every TCP frame; a per-stream
 *                                       summary at the end
 *  --explain-filter FILTER              the parsed filter (filter/explain.ts), then exit
 * As tshark: several -z may be given; they are printed after the packets, the last one given
 * first (tshark's tap list order); with -q only the statistics. Statistics see every frame read
 * (not only those passing -Y), as tshark's taps do in one pass.
 * Exit statuses: a bad -z or a broken filter in it is a usage error (2, one line).
 */
import type { Frame } from '../fields/field.js';
import { appException } from '../fields/transport.js';
import { parseFilter, explainFilter, type CompiledFilter } from '../filter/index.js';
import { formatFilterError } from '../present/filter-error.js';
import type { Printer } from '../present/printer.js';
import { TcpConversationTable } from '../analysis/conversations.js';
import { TcpReassembler, type StreamEvent } from '../analysis/reassembly.js';
import { StreamSummaryTable } from '../analysis/stream-summary.js';
import { formatTcpConversations } from '../present/tcp-conv.js';
import { ExpertSummary, malformedItem, tcpExpertItems, type ExpertSeverity } from '../present/tcp-expert.js';
import { formatFollow } from '../present/tcp-follow.js';
import { formatFollowHex } from '../present/follow-hex.js';
import { IoStat, parseInterval, type IoStatColumn } from '../present/io-stat.js';
import { explainTcpAnalysis } from '../present/tcp-analysis-explain.js';
import { formatStreamSummaries, likelyCause, TcpArithmetic } from '../present/tcp-arith.js';
import { LabError } from '../util/errors.js';
import { EXIT_USAGE } from './exit-codes.js';
import { wantsStats, type StatsOptions } from './stats-options.js';

/** One -z statistic: sees every frame, prints once at the end. */
interface Stat {
  add(f: Frame): void;
  format(): string | Iterable<string>;
}

function usage(msg: string): never {
  throw new LabError('ERR_USAGE', msg);
}

function compile(text: string): CompiledFilter {
  const r = parseFilter(text);
  if (!r.ok) throw new LabError('ERR_USAGE_FILTER', formatFilterError(text, r.errors[0]!));
  return r.filter;
}

/**
 * `--explain-filter`: writes the dftest-like dump (exit 0) or the caret message (exit 2).
 * Returns the exit status.
 */
export function runExplainFilter(text: string): number {
  const r = parseFilter(text);
  if (!r.ok) {
    process.stderr.write(`tcplab: ${formatFilterError(text, r.errors[0]!)}\n`);
    return EXIT_USAGE;
  }
  process.stdout.write(explainFilter(r.filter));
  return 0;
}

const LEVELS: readonly ExpertSeverity[] = ['error', 'warn', 'note', 'chat', 'comment'];

function expertStat(args: string[]): Stat {
  let level: ExpertSeverity = 'comment';
  if (args.length > 0 && (LEVELS as readonly string[]).includes(args[0]!)) level = args.shift() as ExpertSeverity;
  const filter = args.length > 0 ? compile(args.join(',')) : undefined;
  const summary = new ExpertSummary();
  return {
    add(f) {
      if (filter !== undefined && !filter.test(f)) return;
      for (const item of tcpExpertItems(f.record, f.pkt, f.tcp)) summary.add(item);
      const ex = appException(f);
      if (ex?.kind === 'malformed') summary.add(malformedItem(ex.proto));
    },
    format: () => summary.format(level),
  };
}

function convStat(args: string[]): Stat {
  const text = args.length > 0 ? args.join(',') : undefined;
  const filter = text !== undefined ? compile(text) : undefined;
  const table = new TcpConversationTable();
  return {
    add(f) {
      if (filter !== undefined && !filter.test(f)) return;
      table.add(f.record, f.pkt, f.tcp);
    },
    format: () => formatTcpConversations(table.sorted(), text),
  };
}

function followStat(spec: string, args: string[]): Stat {
  const [mode, n, ...rest] = args;
  if ((mode !== 'ascii' && mode !== 'hex' && mode !== 'raw') || n === undefined || !/^\d+$/.test(n) || rest.length > 0) {
    usage(`Invalid -z argument "${spec}"; it must be follow,tcp,ascii|hex|raw,<stream number>`);
  }
  const stream = Number(n);
  const reassembler = new TcpReassembler();
  // Only the followed stream's events are kept: memory is that stream's bytes.
  const events: StreamEvent[] = [];
  let last = 0;
  const keep = (evs: StreamEvent[]): void => { for (const e of evs) if (e.stream === stream) events.push(e); };
  return {
    add(f) {
      last = f.record.frameNo;
      keep(reassembler.push(f.record, f.pkt, f.tcp));
    },
    format() {
      keep(reassembler.finish(last));
      return mode === 'hex' ? formatFollowHex(events, stream) : formatFollow(events, stream, mode);
    },
  };
}

function ioStat(spec: string, args: string[]): Stat {
  const [interval, ...filters] = args;
  if (interval === undefined || spec.endsWith(',')) usage(`invalid "-z io,stat,<interval>[,<filter>][,<filter>]..." argument`);
  let parsed: { intervalUs: number; prec: number };
  try {
    parsed = parseInterval(interval);
  } catch (e) {
    usage((e as Error).message);
  }
  const columns: IoStatColumn[] = filters.length === 0 ? [{ filter: undefined, test: undefined }] : filters.map((raw) => {
    const text = raw.trim();
    if (text === '') return { filter: undefined, test: undefined };
    const f = compile(text);
    return { filter: text, test: (fr: Frame) => f.test(fr) };
  });
  const io = new IoStat(parsed.intervalUs, parsed.prec, columns);
  return { add: (f) => io.add(f), format: () => io.chunks() };
}

/** Parses one -z argument into its statistic (usage error on anything unknown). */
export function makeStat(spec: string): Stat {
  const parts = spec.split(',');
  const [a, b] = parts;
  if (a === 'conv' && b === 'tcp') return convStat(parts.slice(2));
  if (a === 'expert') return expertStat(parts.slice(1));
  if (a === 'follow' && b === 'tcp') return followStat(spec, parts.slice(2));
  if (a === 'io' && b === 'stat') return ioStat(spec, parts.slice(2));
  usage(`Invalid -z argument "${spec}"; supported: conv,tcp  expert  follow,tcp,ascii|hex|raw,N  io,stat,INTERVAL[,FILTER…]`);
}

/** The -z statistics and --explain of one run. */
export class ReadStats {
  private readonly stats: Stat[];
  private readonly explain: boolean;
  private readonly arith: TcpArithmetic | undefined;
  private readonly streams: StreamSummaryTable | undefined;
  /** Frames whose explanation was printed (so onFrame does not feed the arithmetic twice). */
  private lastExplained = -1;

  private constructor(o: StatsOptions) {
    this.stats = (o.z ?? []).map(makeStat);
    const what = o.explainArith === true ? 'all' : o.explain;
    if (what !== undefined && what !== true && what !== 'all' && what !== 'flags') usage(`Invalid --explain value "${String(what)}": use --explain or --explain=all`);
    this.explain = what !== undefined;
    this.arith = what === 'all' ? new TcpArithmetic() : undefined;
    this.streams = this.explain ? new StreamSummaryTable() : undefined;
  }

  /** undefined when no -z and no --explain were given (nothing to do per frame). */
  static from(o: StatsOptions): ReadStats | undefined {
    if (!wantsStats(o)) return undefined;
    return new ReadStats(o);
  }

  /**
   * With --explain, a printer that adds the reason lines (indented 8 spaces) under each printed
   * frame; the text format only (fields/json stay machine-readable).
   */
  wrap(printer: Printer, textFormat: boolean): Printer {
    if (!this.explain || !textFormat) return printer;
    return {
      head: () => printer.head(),
      tail: (n) => printer.tail(n),
      frame: (f, i) => {
        const base = printer.frame(f, i);
        if (base === '') return base;
        const lines = this.explainLines(f);
        return lines.length === 0 ? base : base + lines.map((l) => `        ${l}\n`).join('');
      },
    };
  }

  private explainLines(f: Frame): string[] {
    const a = f.tcp;
    if (a === undefined) return [];
    const out = explainTcpAnalysis(a);
    const cause = likelyCause(a);
    if (cause !== undefined && out.length > 0) out.push(`likely cause: ${cause}`);
    if (this.arith !== undefined) {
      this.lastExplained = f.record.frameNo;
      for (const l of this.arith.lines(f)) out.push(`= ${l}`);
    }
    return out;
  }

  /** Feeds one frame read (after it was printed, if it was). */
  onFrame(f: Frame): void {
    for (const s of this.stats) s.add(f);
    if (this.arith !== undefined && this.lastExplained !== f.record.frameNo) this.arith.observe(f);
    this.streams?.add(f.record, f.pkt, f.tcp, f.timeRelativeNs);
  }

  /**
   * Writes what is printed after the packets: -z outputs (last given first), then the stream
   * summary; piece by piece through `write` (which applies backpressure).
   */
  async writeTo(write: (s: string) => Promise<void>): Promise<void> {
    for (let i = this.stats.length - 1; i >= 0; i--) {
      const text = this.stats[i]!.format();
      if (typeof text === 'string') await write(text);
      else for (const piece of text) await write(piece);
    }
    if (this.streams !== undefined) await write(formatStreamSummaries(this.streams.summaries()));
  }
}
