/**
 * `tcplab connect HOST [PORT]`: the telnet-like client whose TCP behaviour can be steered.
 * Maps flags to ClientOptions (src/client), prints the echo / round-trip times, and maps the
 * outcome to exit statuses: 0 every byte came back unchanged, 1 runtime failure (refused,
 * unreachable, timeout, reset, echo mismatch), 2 bad flags.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { LabError, errnoCode } from '../util/errors.js';
import { formatSeconds } from '../util/time.js';
import { runClient, type ClientOptions, type ClientTranscript } from '../client/index.js';
import { EXIT_FAILURE } from './exit-codes.js';

const DEFAULT_PORT = 6666;
/** --file is read whole (each echoed byte is compared with it): 1 GiB at most. */
const MAX_FILE_BYTES = 1 << 30;

function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

interface ConnectFlags {
  crlf?: boolean; send?: string; file?: string; repeat?: number; chunk?: number; delay?: number;
  nodelay?: boolean; halfClose?: boolean; reset?: boolean; rcvbuf?: number; readRate?: number;
  keepalive?: number; localPort?: number; localAddress?: string; linger?: number; hold?: number;
  timeout?: number; connectTimeout?: number; json?: boolean;
}

const HELP_NOTES = `
Modes:
  Without --send/--file, stdin lines are sent as typed (\\n, or \\r\\n with --crlf) and whatever
  comes back is printed to stdout; connection notes go to stderr. With --send/--file the payload is
  sent --repeat times, each round waiting for its echo; the round-trip time of each round is printed
  and the exit status is 0 only when every byte came back unchanged.

How each steering flag is done (Linux):
  --chunk/--delay  one write() per chunk, with a sleep between writes
  --nodelay        TCP_NODELAY (Nagle off)
  --half-close     shutdown(SHUT_WR) after the last send: FIN goes out, reading goes on
  --reset          abort right after the payload is handed to the kernel: RST, echo not awaited
  --linger 0       at the normal close, SO_LINGER {on, 0} + close(), i.e. RST instead of FIN
                   (libuv uv_tcp_close_reset). A non-zero --linger is refused: SO_LINGER with a
                   timeout takes a struct linger, and Node cannot set struct-valued options.
  --rcvbuf         SO_RCVBUF set before connect(), so the SYN's window/scale reflect it; set through
                   the 'sockopt' native helper (Linux doubles the value; the applied size is printed)
  --read-rate      the socket is paused between small reads: the kernel receive buffer fills and
                   the peer sees a zero window
  --keepalive S    SO_KEEPALIVE, TCP_KEEPIDLE = TCP_KEEPINTVL = S seconds
  --local-port N   bind(N) before connect(). If this client closed first, the old connection on
                   that port sits in TIME_WAIT: connecting again at once to the same peer fails with
                   EADDRNOTAVAIL; on loopback Linux reuses the port after ~1 s (tcp_tw_reuse=2),
                   to other hosts after 60 s.
`;

/** Turns parsed flags into ClientOptions; throws LabError ERR_USAGE_* on bad combinations. */
export async function connectOptions(host: string, port: number, f: ConnectFlags): Promise<ClientOptions> {
  const usage = (msg: string): never => { throw new LabError('ERR_USAGE_CONNECT', msg); };
  if (f.send !== undefined && f.file !== undefined) usage('--send and --file are exclusive');
  if (f.repeat !== undefined && f.send === undefined && f.file === undefined) usage('--repeat needs --send or --file');
  if (f.delay !== undefined && f.chunk === undefined) usage('--delay needs --chunk (it is the pause between chunks)');
  if (f.linger !== undefined && f.linger !== 0) {
    usage('--linger: only 0 is supported (RST on close); SO_LINGER with a timeout needs a struct linger, which Node cannot set');
  }
  const o: ClientOptions = { host, port };
  if (f.send !== undefined) o.payload = Buffer.from(f.send, 'utf8');
  if (f.file !== undefined) {
    // The payload is held in memory (each echoed byte is compared with it): cap it.
    const size = await stat(f.file).then((st) => (st.isFile() ? st.size : -1), (e: unknown) => usage(`--file ${f.file}: cannot read it (${errnoCode(e) ?? String(e)})`));
    if (size < 0) usage(`--file ${f.file}: not a regular file`);
    if (size > MAX_FILE_BYTES) usage(`--file ${f.file}: ${size} bytes is more than the ${MAX_FILE_BYTES}-byte limit (the payload is held in memory)`);
    try {
      o.payload = await readFile(f.file);
    } catch (e) {
      usage(`--file ${f.file}: cannot read it (${errnoCode(e) ?? String(e)})`);
    }
  }
  if (o.payload !== undefined && o.payload.length === 0) usage('nothing to send: the payload is empty');
  if (f.repeat !== undefined) o.repeat = f.repeat;
  if (f.chunk !== undefined) o.chunkBytes = f.chunk;
  if (f.delay !== undefined) o.delayMs = f.delay;
  if (f.nodelay) o.noDelay = true;
  if (f.halfClose) o.halfClose = true;
  if (f.reset) o.reset = true;
  if (f.reset && f.halfClose) usage('--reset and --half-close conflict: choose RST or FIN');
  if (f.rcvbuf !== undefined) o.rcvbufBytes = f.rcvbuf;
  if (f.readRate !== undefined) o.readRateBytesPerSec = f.readRate;
  if (f.keepalive !== undefined) o.keepAliveSec = f.keepalive;
  if (f.localPort !== undefined) o.localPort = f.localPort;
  if (f.localAddress !== undefined) o.localAddress = f.localAddress;
  if (f.linger !== undefined) o.lingerSec = f.linger;
  if (f.hold !== undefined) o.holdMs = f.hold;
  if (f.timeout !== undefined) o.timeoutMs = f.timeout;
  if (f.connectTimeout !== undefined) o.connectTimeoutMs = f.connectTimeout;
  return o;
}

async function* stdinLines(eol: string): AsyncGenerator<Uint8Array> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of rl) yield Buffer.from(line + eol, 'utf8');
  } finally {
    rl.close();
  }
}

const ms = (ns: number): string => formatSeconds(ns * 1000, 3);

function describeSettings(t: ClientTranscript): string | undefined {
  const s = t.settings;
  const parts: string[] = [];
  if (s.noDelay) parts.push('TCP_NODELAY');
  if (s.rcvbufBytes !== undefined) parts.push(`SO_RCVBUF ${s.rcvbufBytes} (as the kernel reports it)`);
  if (s.keepAliveIdleSec !== undefined) parts.push(`keepalive idle ${s.keepAliveIdleSec} s, interval ${s.keepAliveIntervalSec === undefined ? 'system default (sockopt helper unavailable)' : `${s.keepAliveIntervalSec} s`}`);
  if (s.lingerSec !== undefined) parts.push(`SO_LINGER ${s.lingerSec} s`);
  return parts.length > 0 ? `socket: ${parts.join(', ')}` : undefined;
}

function printSendReport(t: ClientTranscript, reset: boolean): void {
  const out: string[] = [];
  out.push(`connected ${t.local.address}:${t.local.port} -> ${t.remote.address}:${t.remote.port} (handshake ${ms(t.connectNs)} ms)`);
  const s = describeSettings(t);
  if (s) out.push(s);
  if (reset) {
    out.push(`aborted with RST after sending ${t.bytesSent} bytes (echo not awaited; ${t.bytesReceived} bytes had come back)`);
  } else {
    const rtts: number[] = [];
    for (const r of t.rounds) {
      if (r.rttNs !== undefined) {
        rtts.push(r.rttNs);
        out.push(`round ${r.round}: ${r.echoedBytes} bytes echoed, rtt ${ms(r.rttNs)} ms`);
      } else {
        out.push(`round ${r.round}: ${r.echoedBytes} of ${r.sentBytes} bytes echoed`);
      }
    }
    if (rtts.length > 1) {
      const sum = rtts.reduce((a, b) => a + b, 0);
      out.push(`rtt min/avg/max ${ms(Math.min(...rtts))}/${ms(Math.round(sum / rtts.length))}/${ms(Math.max(...rtts))} ms over ${rtts.length} rounds`);
    }
    if (t.readPauses > 0) out.push(`slow reader paused ${t.readPauses} times`);
    if (t.ok) out.push(`ok: ${t.bytesSent} bytes sent, all came back unchanged; closed with ${t.closedWith.toUpperCase()}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

function hex(b: number): string {
  return b < 0 ? 'nothing' : `0x${b.toString(16).padStart(2, '0')}`;
}

export function registerConnect(program: Command): void {
  program
    .command('connect')
    .description('Talk to a TCP server like telnet, steering how the client socket behaves')
    .argument('<host>', 'host name or IP address')
    .argument('[port]', `TCP port (default ${DEFAULT_PORT})`, intArg('port', 1, 65535))
    .option('--crlf', 'interactive: end lines with \\r\\n (telnet style) instead of \\n')
    .option('--send <text>', 'send TEXT, wait for the echo, print the round-trip time')
    .option('--file <path>', 'send the bytes of PATH instead')
    .option('--repeat <n>', 'send the payload N times, one round at a time', intArg('--repeat', 1, 1_000_000))
    .option('--chunk <bytes>', 'split every send into write() calls of at most BYTES', intArg('--chunk', 1, 1 << 30))
    .option('--delay <ms>', 'sleep MS between two chunks', intArg('--delay', 0, 3_600_000))
    .option('--nodelay', 'TCP_NODELAY: turn Nagle\'s algorithm off')
    .option('--half-close', 'send FIN after the last send and keep reading the echo')
    .option('--reset', 'abort with RST right after sending (the echo is not awaited)')
    .option('--rcvbuf <bytes>', 'SO_RCVBUF, set before connect', intArg('--rcvbuf', 1, 1 << 30))
    .option('--read-rate <bytes_per_s>', 'read at most this fast (a slow reader: the peer sees a zero window)', intArg('--read-rate', 1, 1 << 30))
    .option('--keepalive <seconds>', 'SO_KEEPALIVE with probes after SECONDS idle, every SECONDS', intArg('--keepalive', 1, 32_767))
    .option('--local-port <n>', 'bind this source port before connecting', intArg('--local-port', 1, 65535))
    .option('--local-address <addr>', 'bind this source address before connecting')
    .option('--linger <seconds>', 'SO_LINGER; only 0 (RST on close) can be set from Node', intArg('--linger', 0, 65535))
    .option('--hold <ms>', 'keep the connection open and idle for MS after the exchange', intArg('--hold', 0, 3_600_000))
    .option('--timeout <ms>', 'give up when nothing moves for MS while an echo is due (default 10000)', intArg('--timeout', 1, 3_600_000))
    .option('--connect-timeout <ms>', 'give up connecting after MS (default 5000)', intArg('--connect-timeout', 1, 3_600_000))
    .addOption(new Option('--json', 'print the transcript (events, rounds, settings) as JSON'))
    .addHelpText('after', HELP_NOTES)
    .action(async (host: string, port: number | undefined, flags: ConnectFlags) => {
      const o = await connectOptions(host, port ?? DEFAULT_PORT, flags);
      const interactive = o.payload === undefined;
      if (interactive) {
        o.input = stdinLines(flags.crlf ? '\r\n' : '\n');
        if (!flags.json) o.onData = (b) => (process.stdout.write(b) ? undefined : once(process.stdout, 'drain'));
      }
      let t: ClientTranscript;
      try {
        t = await runClient(o);
      } finally {
        // The peer may have closed while a stdin line was still awaited: let go of stdin, or the
        // process would wait for the user's next line.
        if (interactive) process.stdin.destroy();
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(t) + '\n');
      } else if (interactive) {
        process.stderr.write(`connected ${t.local.address}:${t.local.port} -> ${t.remote.address}:${t.remote.port}; sent ${t.bytesSent} bytes, received ${t.bytesReceived}; closed with ${t.closedWith.toUpperCase()}${t.peerClosed ? ' (peer closed)' : ''}\n`);
      } else {
        printSendReport(t, o.reset === true);
      }
      if (!t.ok) {
        const m = t.mismatch;
        process.stderr.write(m
          ? `tcplab: echo mismatch at byte ${m.offset}: sent ${hex(m.expected)}, got ${hex(m.actual)}\n`
          : 'tcplab: the echo did not come back complete\n');
        process.exitCode = EXIT_FAILURE;
      }
    });
}
