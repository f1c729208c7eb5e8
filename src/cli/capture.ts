/**
 * `tcplab capture -i IFACE [-f BPF] [-c N] [-a duration:S] [-w FILE] [-P]`: live capture through
 * wire/'s startLiveCapture (dumpcap, else tcpdump), frames printed as they arrive exactly as
 * `tcplab read` prints them (same -V/-x/-T/-e/-E/-Y/-q options). As tshark: with -w, frames go
 * to the file and are printed only with -P. Ctrl-C stops the capture gracefully (frames already
 * captured are still printed and written).
 *
 * Exit statuses: 0 ok, 2 bad input (usage, bad BPF, broken -Y), 1 capture failure (no such
 * interface, no permission, tool missing).
 */
import type { Command } from 'commander';
import { startLiveCapture, type LiveCaptureSource } from '../wire/live.js';
import { addShowOptions, fail, openSink, prepareOutput, runSession, StdoutWriter, type FrameSink, type ShowOptions } from './read.js';
import { LabError } from '../util/errors.js';
import type { Frame } from '../fields/field.js';
import { addStatsOptions, wantsStats, type StatsOptions } from './stats-options.js';
import type { ReadStats } from './read-stats.js';
import { formatInterfaceList, listCaptureInterfaces } from '../wire/interfaces.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

interface CaptureOptions extends ShowOptions, StatsOptions {
  i?: string;
  f?: string;
  a: string[];
  D?: boolean;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Parses tshark's autostop conditions; only duration:S is supported (packets: use -c). */
export function parseAutostop(specs: readonly string[]): number | undefined {
  let duration: number | undefined;
  for (const s of specs) {
    const m = /^duration:(\d+(?:\.\d+)?)$/.exec(s);
    if (!m) throw new LabError('ERR_USAGE_AUTOSTOP', `Invalid or unknown -a flag "${s}" (supported: duration:SECONDS)`);
    duration = Number(m[1]);
  }
  return duration;
}

export function registerCapture(program: Command): void {
  const cmd = program
    .command('capture')
    .description('Capture live packets (tcpdump/dumpcap underneath) and print them as tshark does')
    .option('-i <iface>', 'interface to capture on (e.g. lo, any, eth0)')
    .option('-f <bpf>', 'capture filter (BPF, tcpdump syntax)')
    .option('-a <autostop>', 'stop condition: duration:SECONDS (repeatable)', collect, [] as string[])
    .option('-D', 'print the list of interfaces and exit (as tshark -D)');
  addStatsOptions(addShowOptions(cmd), { explainFilter: false }).action(async (o: CaptureOptions) => {
    if (o.D === true) return listInterfaces();
    let prep: Awaited<ReturnType<typeof prepareOutput>>;
    let durationSec: number | undefined;
    let stats: ReadStats | undefined;
    try {
      if (!o.i) throw new LabError('ERR_USAGE', 'capture: -i IFACE is required');
      prep = await prepareOutput(o);
      durationSec = parseAutostop(o.a);
      // -z statistics (printed when the capture stops) and --explain: src/cli/read-stats.ts.
      stats = wantsStats(o) ? (await import('./read-stats.js')).ReadStats.from(o) : undefined;
      if (stats) prep = { ...prep, printer: stats.wrap(prep.printer, (o.T ?? 'text') === 'text' && o.V !== true) };
    } catch (e) {
      return fail(e);
    }
    // -c is the tool's packet count here (tshark -c stops the capture after N packets).
    const limit = prep.limit;
    prep = { ...prep, limit: Infinity };
    let source: LiveCaptureSource;
    try {
      source = await startLiveCapture({
        iface: o.i,
        ...(o.f !== undefined ? { bpf: o.f } : {}),
        ...(Number.isFinite(limit) ? { count: limit } : {}),
        ...(durationSec !== undefined ? { durationSec } : {}),
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      return fail(e, code === 'ERR_CAPTURE_BAD_FILTER' ? EXIT_USAGE : EXIT_FAILURE);
    }
    process.stderr.write(`Capturing on '${o.i}'\n`);
    const stop = (): void => source.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const out = new StdoutWriter();
    let sink: FrameSink | undefined;
    let shown = 0;
    try {
      if (o.w) sink = await openSink(o.w, source, o.F);
      const st = stats;
      shown = await runSession(source, prep, out, { sink, live: true, print: !o.w || (o.P === true && o.w !== '-'), ...(st ? { onFrame: (f: Frame) => st.onFrame(f) } : {}) });
      if (st) {
        await st.writeTo((s) => out.write(s));
        await out.flush();
      }
    } catch (e) {
      return fail(e, EXIT_FAILURE);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    process.stderr.write(`${shown} packet${shown === 1 ? '' : 's'} captured\n`);
    // As tshark: "N packets dropped from IFACE" when the kernel dropped any.
    const drops = await source.kernelDrops();
    if (drops !== undefined && drops > 0) process.stderr.write(`${drops} packet${drops === 1 ? '' : 's'} dropped from ${o.i}\n`);
  });
}

/** `capture -D`: the interface list in tshark's format; exit 1 with a how-to-fix line on failure. */
async function listInterfaces(): Promise<void> {
  try {
    const { interfaces } = await listCaptureInterfaces();
    if (interfaces.length === 0) throw new LabError('ERR_CAPTURE_TOOL', 'There are no interfaces on which a capture can be done (run as root, or give dumpcap/tcpdump cap_net_raw,cap_net_admin)');
    process.stdout.write(formatInterfaceList(interfaces));
  } catch (e) {
    fail(e, EXIT_FAILURE);
  }
}
