/**
 * Live capture: spawns tcpdump or dumpcap (with an argument array, never a shell) writing a
 * pcap/pcapng stream to its stdout, and parses that stream as it arrives with the same readers
 * as files. No protocol code here.
 *
 *   tcpdump -i IFACE -w - -U --immediate-mode -B 65536 --time-stamp-precision=nano -n -s SNAPLEN [-c N] [-- BPF]
 *   dumpcap -i IFACE -w - -q -B 64 -t -C 67108864 -s SNAPLEN [-c N] [-a duration:S] [-f BPF]   (the default)
 *
 * Start-up errors come from the tool's stderr, classified into codes: a rejected BPF expression
 * → ERR_CAPTURE_BAD_FILTER, no permission → ERR_CAPTURE_PERMISSION, anything else (no such
 * interface, tool missing, tool crashed) → ERR_CAPTURE_TOOL; the message is the tool's own text on
 * one line. Ending: `count` (the tool's -c), `durationSec` (a timer for tcpdump, -a for dumpcap)
 * or stop() end the capture gracefully (SIGINT: the tool flushes what it has, iteration yields it
 * and ends); close() kills the child at once.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CaptureInfo, CaptureRecord } from './record.js';
import { CAPTURE_ERR, CaptureError } from './errors.js';
import { type CaptureSource, openCaptureStream } from './source.js';
import { errnoCode } from '../util/errors.js';

export type CaptureTool = 'tcpdump' | 'dumpcap';

export interface LiveCaptureOptions {
  /** Interface name (e.g. "lo", "any", "eth0"). */
  iface: string;
  /** BPF capture filter (tcpdump syntax), passed to the tool as one argument. */
  bpf?: string;
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many seconds. */
  durationSec?: number;
  /** Snapshot length (default 262144). */
  snaplen?: number;
  /** Which tool to run; default dumpcap (no drops at 100k frames/s), else tcpdump when dumpcap is not installed. */
  tool?: CaptureTool;
  /** Milliseconds to wait for the tool to start writing (default 10000). */
  startTimeoutMs?: number;
  /** Run the tool as this user/group (privilege separation; the tests use it to check EPERM). */
  runAs?: { uid: number; gid: number };
}

/** A live CaptureSource; close() kills the tool, stop() asks it to finish. */
export interface LiveCaptureSource extends CaptureSource {
  /** The tool that runs, with its arguments (for logs and tests). */
  readonly tool: CaptureTool;
  readonly args: readonly string[];
  /** Ends the capture gracefully: records already captured are still yielded. */
  stop(): void;
  /**
   * Packets the kernel dropped (the tool's closing "N packets dropped by kernel" line, dumpcap's
   * "received/dropped" line), once the tool has ended; undefined when it did not say.
   */
  kernelDrops(): Promise<number | undefined>;
}

/** Parses a capture tool's closing statistics for the kernel drop count. */
export function parseKernelDrops(stderr: string): number | undefined {
  const td = /^(\d+) packets? dropped by kernel$/m.exec(stderr);
  if (td) return Number(td[1]);
  const dc = /^Packets received\/dropped on interface '[^']*': \d+\/(\d+)/m.exec(stderr);
  return dc ? Number(dc[1]) : undefined;
}

/** dumpcap's packet queue between its capture thread and its writer (-C), bytes. */
export const DUMPCAP_QUEUE_BYTES = 64 * 1024 * 1024;

/** Arguments for the tool (exported for tests and for printing with -v). */
export function captureArgs(tool: CaptureTool, o: LiveCaptureOptions): string[] {
  const snap = String(o.snaplen ?? 262144);
  if (tool === 'tcpdump') {
    // Nanosecond timestamps, as dumpcap writes them for tshark (tshark -i shows 9 decimals).
    // A 64 MiB kernel buffer (-B, KiB): on loopback at ~130k frames/s (2 cores, Go echo load)
    // tcpdump -U --immediate-mode into a pipe dropped 75 % of the frames with the default 2 MiB,
    // 12 % with -B 65536 (bench/read.bench.ts). Without --immediate-mode it dropped none, but a
    // stop() then loses the frames still in libpcap's current block (up to ~1 s of traffic).
    const a = ['-i', o.iface, '-w', '-', '-U', '--immediate-mode', '-B', '65536', '--time-stamp-precision=nano', '-n', '-s', snap];
    if (o.count !== undefined) a.push('-c', String(o.count));
    if (o.bpf !== undefined && o.bpf.trim() !== '') a.push('--', o.bpf);
    return a;
  }
  // dumpcap (the default when installed) keeps up where tcpdump cannot: on loopback at ~72k
  // frames/s (Go echo load, 2 cores) `dumpcap -w - | wc -c` dropped none and delivered a lone
  // packet within 20-60 ms, while tcpdump -U --immediate-mode dropped 23 % (above) and tcpdump
  // without it delivered a lone packet only after 0.3-0.7 s. -B: a 64 MiB kernel buffer.
  //
  // -t -C: dumpcap reads the interface on its own thread into a queue of up to 64 MiB, so a
  // reader that stalls for a moment (tcplab descheduled on a busy machine) no longer blocks
  // dumpcap's pipe writes and with them the kernel buffer: at 100k frames/s a consumer stalled
  // 2 s lost 94k frames without them and none with them (its drops, if the queue fills, are
  // counted in dumpcap's "received/dropped" line as "flushed").
  const a = ['-i', o.iface, '-w', '-', '-q', '-B', '64', '-t', '-C', String(DUMPCAP_QUEUE_BYTES), '-s', snap];
  if (o.count !== undefined) a.push('-c', String(o.count));
  if (o.durationSec !== undefined) a.push('-a', `duration:${o.durationSec}`);
  if (o.bpf !== undefined && o.bpf.trim() !== '') a.push('-f', o.bpf);
  return a;
}

/** Lines of the tool's stderr that are progress chatter, not errors. */
const CHATTER = /^(tcpdump: listening on |listening on |Capturing on |File: |\d+ packets? (captured|received by filter|dropped by kernel)|Packets captured: |Packets received\/dropped|$)/;

/** Classifies a failed tool's stderr into a CaptureError with the tool's own words on one line. */
export function classifyToolError(tool: CaptureTool, stderr: string, exit: string): CaptureError {
  let lines = stderr.split('\n').map((l) => l.trim()).filter((l) => !CHATTER.test(l) && !l.startsWith('See the User'));
  // dumpcap follows its permission error with a page of Debian advice: keep the error itself.
  const advice = lines.findIndex((l) => l.startsWith('Please check to make sure you have sufficient permissions'));
  if (advice >= 0) lines = lines.slice(0, advice);
  const text = lines.join(' ') || `${tool} ${exit} without a message`;
  let code: (typeof CAPTURE_ERR)[keyof typeof CAPTURE_ERR] = CAPTURE_ERR.TOOL;
  if (/can't parse filter expression|syntax error in filter|Invalid capture filter|isn't a valid capture filter|expression rejects all packets|illegal token|unknown (host|port|protocol|net)/i.test(text)) code = CAPTURE_ERR.BAD_FILTER;
  else if (/permission|Operation not permitted|not permitted to capture/i.test(text)) code = CAPTURE_ERR.PERMISSION;
  const hint = code === CAPTURE_ERR.PERMISSION ? ' (run as root, or give the tool cap_net_raw,cap_net_admin)' : '';
  return new CaptureError(code, text + hint);
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Starts a capture and resolves once the tool has written its file header, i.e. the interface is
 * open and the filter compiled; rejects with the classified error otherwise.
 */
export async function startLiveCapture(opts: LiveCaptureOptions): Promise<LiveCaptureSource> {
  const tools: CaptureTool[] = opts.tool !== undefined ? [opts.tool] : ['dumpcap', 'tcpdump'];
  let last: unknown;
  for (const tool of tools) {
    try {
      return await startWith(tool, opts);
    } catch (e) {
      last = e;
      if (!(e instanceof ToolMissing)) throw e;
    }
  }
  const msg = tools.length > 1
    ? 'Cannot capture: neither dumpcap nor tcpdump is installed (apt-get install tcpdump, or wireshark-common for dumpcap).'
    : `Cannot capture: ${tools[0]} is not installed (apt-get install ${tools[0] === 'dumpcap' ? 'wireshark-common' : 'tcpdump'}).`;
  throw new CaptureError(CAPTURE_ERR.TOOL, msg, { cause: last });
}

class ToolMissing extends Error {}

async function startWith(tool: CaptureTool, opts: LiveCaptureOptions): Promise<LiveCaptureSource> {
  const args = captureArgs(tool, opts);
  const child: Child = spawn(tool, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
    ...(opts.runAs !== undefined ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    // Bounded: the start-up message is short; keep the last 8 KiB.
    stderr = (stderr + s).slice(-8192);
  });
  const stderrClosed = new Promise<void>((resolve) => child.stderr.once('close', () => resolve()));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal !== null ? `killed by ${signal}` : `exited with status ${code}`));
    child.once('error', (e) => resolve(`failed: ${(e as Error).message}`));
  });
  let missing = false;
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (e) => {
      missing = errnoCode(e) === 'ENOENT';
      reject(missing ? new ToolMissing(tool) : new CaptureError(CAPTURE_ERR.TOOL, `${tool}: ${(e as Error).message}`, { cause: e }));
    });
  });
  spawnError.catch(() => undefined);

  let stopping = false;
  const kill = (sig: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const failure = async (): Promise<Error> => {
    const how = await exited;
    return missing ? new ToolMissing(tool) : classifyToolError(tool, stderr, how);
  };

  let inner: CaptureSource;
  const timeoutMs = opts.startTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    inner = await Promise.race([
      // No onClose: the inner source also closes itself at a natural end of stream, when the tool
      // may still be exiting with its final status; killing is left to close()/stop().
      openCaptureStream(child.stdout, { name: `${tool} -i ${opts.iface}` }),
      spawnError,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CaptureError(CAPTURE_ERR.TOOL, `${tool} did not start capturing on ${opts.iface} within ${timeoutMs} ms: ${stderr.trim().split('\n').join(' ')}`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    kill('SIGKILL');
    if (e instanceof ToolMissing) throw e;
    // No header: the tool refused to start; its stderr says why.
    if (child.exitCode !== null || child.signalCode !== null || !(e instanceof CaptureError) || e.code !== CAPTURE_ERR.TOOL) {
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      throw await failure();
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
  if (inner.info.format === 'pcap' && inner.info.interfaces.length === 0) {
    // The tool wrote nothing at all (an empty stream): it failed before opening the interface.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    kill('SIGKILL');
    throw await failure();
  }

  // A pcap stream has no interface name; give it the one captured on (tshark: "on interface lo").
  const first = inner.info.interfaces[0];
  if (inner.info.format === 'pcap' && first !== undefined && first.name === undefined) first.name = opts.iface;

  let durationTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    stopping = true;
    clearTimeout(durationTimer);
    kill('SIGINT');
  };
  if (opts.durationSec !== undefined && tool === 'tcpdump') {
    durationTimer = setTimeout(stop, opts.durationSec * 1000);
    durationTimer.unref();
  }
  const it = inner[Symbol.asyncIterator]();
  const source: LiveCaptureSource = {
    tool,
    args,
    get info(): CaptureInfo {
      return inner.info;
    },
    stop,
    async kernelDrops(): Promise<number | undefined> {
      await Promise.race([stderrClosed, new Promise((r) => setTimeout(r, 2000).unref())]);
      return parseKernelDrops(stderr);
    },
    close(): void {
      stopping = true;
      clearTimeout(durationTimer);
      inner.close();
      kill('SIGKILL');
    },
    // Records already read from the pipe, without a promise each (two awaits per frame cost
    // the live path ~15 % of its time at 100k frames/s).
    nextSync(): CaptureRecord | undefined {
      return inner.nextSync?.();
    },
    [Symbol.asyncIterator](): AsyncIterator<CaptureRecord> {
      return {
        next: async (): Promise<IteratorResult<CaptureRecord>> => {
          const r = await it.next();
          if (r.done !== true) return r;
          clearTimeout(durationTimer);
          // The stream ended: a tool that died on its own with an error is reported.
          const how = await exited;
          if (!stopping && !/status 0$/.test(how) && !/SIGINT|SIGTERM/.test(how)) throw await failure();
          return r;
        },
        return: async (): Promise<IteratorResult<CaptureRecord>> => {
          source.close();
          return { value: undefined, done: true };
        },
      };
    },
  };
  return source;
}
