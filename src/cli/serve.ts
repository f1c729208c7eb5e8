/**
 * `tcplab serve`: the echo server (src/server/echo-server.ts) as a service — flags, pino logs,
 * signals, Prometheus metrics and node:cluster workers.
 *
 * Process roles
 *  - single (--workers 1): this process listens, logs and serves metrics.
 *  - primary (--workers N > 1): forks N workers running this same command line (cluster.fork
 *    re-runs argv), waits until all listen, logs "Listening…", serves metrics summed over the
 *    workers, restarts a worker that dies, and on SIGTERM/SIGINT tells every worker to shut down.
 *    Workers share the one listening socket and accept from it themselves (see runPrimary for
 *    why not Node's round-robin).
 *  - worker: an EchoServer plus its own log lines (same stdout); ignores SIGINT/SIGTERM (a Ctrl-C
 *    reaches the whole process group) and obeys the primary's {tcplab:'stop'} message instead.
 *
 * Exit status: 0 after a signal-driven shutdown, 1 when the port cannot be bound (one line on
 * stderr, e.g. "tcplab: cannot listen on port 6666: address already in use (EADDRINUSE)"),
 * 2 for bad flags.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Server as HttpServer } from 'node:http';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Logger, LevelWithSilent } from 'pino';
import { LabError } from '../util/errors.js';
import {
  EchoServer, maxBufferedBytesPerConnection, type ClosedConnection, type ListeningInfo,
} from '../server/echo-server.js';
import { createLogger, formatDataDump, LOG_LEVELS, type LogFormat } from '../server/logger.js';

const DEFAULT_PORT = 6666;
const DEFAULT_GRACE_S = 10;
/**
 * Default worker count. Chosen by measurement (bench/echo, see README "tcplab serve"): on the
 * 2-core reference machine the load generator shares the cores with the server, and one process
 * per core beats a single event loop on every throughput scenario.
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

interface ServeFlags {
  port: number; host?: string; maxConnections: number; idleTimeout: number; grace: number;
  logLevel: LevelWithSilent; logFormat: LogFormat; logData: boolean; workers?: number; metricsPort?: number;
}

function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

function secondsArg(name: string): (v: string) => number {
  return (v: string) => {
    const n = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isFinite(n) || n < 0 || n > 86_400 * 365) throw new InvalidArgumentError(`${name} must be a number of seconds (0 or more)`);
    return n;
  };
}

const HELP_NOTES = `
Logs (stdout): "Listening to connections on port 6666", "Accepted new connection from ADDR:PORT",
"Closed connection from ADDR:PORT (FIN|RST|idle timeout|server shutdown): N bytes in, N bytes out, S s".
--log-format json writes pino's JSON lines with the same messages and the facts as fields.

Behaviour:
  - Every byte is echoed in order, unchanged. A peer that sends but does not read gets its reads
    paused (backpressure): the server holds at most ${maxBufferedBytesPerConnection() / 1024} KiB of buffers per
    connection, whatever the peer sends; the rest waits in the kernel and TCP stops the peer.
  - Half-close: after the peer's FIN the pending echo is sent, then our FIN.
  - --max-connections: further connections are accepted and closed at once (refused, logged),
    not queued. With --workers N each worker takes an equal share of the limit.
  - Out of file descriptors (EMFILE): new connections are closed at once, open ones keep being
    served; logged once per episode.
  - SIGTERM/SIGINT: stop accepting, let open connections finish for --grace seconds, then close
    them; exit 0. A second signal closes them at once.
  - --workers: default one per core (${defaultWorkers()} here), measured fastest (README). Workers
    accept from the shared socket themselves (NODE_CLUSTER_SCHED_POLICY=rr: Node's round-robin,
    even spread but fragile at the descriptor limit). --log-data defaults to 1 worker.
`;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the TCP echo server (default port 6666)')
    .addOption(new Option('-p, --port <port>', 'TCP port (0 = any free port; the chosen one is logged)').default(DEFAULT_PORT).argParser(intArg('--port', 0, 65535)))
    .addOption(new Option('--host <address>', 'address to bind (default: all interfaces, IPv4 and IPv6)'))
    .addOption(new Option('--max-connections <n>', 'open connections allowed at once (0 = no limit but the OS\'s)').default(0).argParser(intArg('--max-connections', 0, 10_000_000)))
    .addOption(new Option('--idle-timeout <seconds>', 'close a connection idle this long (0 = off)').default(0).argParser(secondsArg('--idle-timeout')))
    .addOption(new Option('--grace <seconds>', 'on SIGTERM/SIGINT, how long open connections may go on').default(DEFAULT_GRACE_S).argParser(secondsArg('--grace')))
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS as string[]).default('info'))
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--log-data', 'log every read: the byte list and a printable form').default(false))
    .addOption(new Option('--workers <n>', `processes serving the port (default: one per core, ${defaultWorkers()} here)`).argParser(intArg('--workers', 1, 256)))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics at http://HOST:PORT/metrics (off by default)').argParser(intArg('--metrics-port', 0, 65535)))
    .addHelpText('after', HELP_NOTES)
    .action(async (flags: ServeFlags) => {
      if (cluster.isWorker) return runWorker(flags);
      const workers = flags.workers ?? (flags.logData ? 1 : defaultWorkers());
      return workers > 1 ? runPrimary(flags, workers) : runSingle(flags);
    });
}

// ---------------------------------------------------------------------------------------------
// Messages (the wording is the product; tests match it)

function listeningMessage(info: ListeningInfo, host: string | undefined): string {
  // Without --host Node binds "::" dual-stack, or "0.0.0.0" on a machine without IPv6.
  const where = host !== undefined ? info.addresses.join(', ')
    : info.addresses[0] === '::' ? 'all interfaces, IPv4 and IPv6' : 'all interfaces, IPv4 only (no IPv6 here)';
  return `Listening to connections on port ${info.port} (${where})`;
}

function tryMessage(port: number, host: string | undefined): string {
  const h = host === undefined || host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return `Try: tcplab connect ${h} ${port}  (or: telnet ${h} ${port})`;
}

function closedMessage(c: ClosedConnection): string {
  const how = c.errorCode && c.how !== 'FIN' ? `${c.how}, ${c.errorCode}` : c.how;
  return `Closed connection from ${c.peer} (${how}): ${c.bytesIn} bytes in, ${c.bytesOut} bytes out, ${(c.durationMs / 1000).toFixed(3)} s`;
}

function loggerFor(flags: ServeFlags, bindings?: Record<string, unknown>): Logger {
  return createLogger({ level: flags.logLevel, format: flags.logFormat, ...(bindings ? { bindings } : {}) });
}

// ---------------------------------------------------------------------------------------------
// The server with its log lines (single process or cluster worker)

/** Refusals are logged at most once a second (a flood of them must not flood the log). */
const REFUSED_LOG_INTERVAL_MS = 1000;

function buildServer(flags: ServeFlags, log: Logger, maxConnections: number): EchoServer {
  const server = new EchoServer({
    port: flags.port,
    ...(flags.host === undefined ? {} : { host: flags.host }),
    maxConnections,
    idleTimeoutMs: Math.round(flags.idleTimeout * 1000),
    captureData: flags.logData,
    // For A/B benchmarks only (bench/echo): TCPLAB_SERVE_WRITE_PATH=stream turns the direct write path off.
    writePath: process.env['TCPLAB_SERVE_WRITE_PATH'] === 'stream' ? 'stream' : 'direct',
  });
  server.on('connection', (c) => log.info({ conn: c.id, peer: c.peer }, `Accepted new connection from ${c.peer}`));
  server.on('close', (c) => log.info({
    conn: c.id, peer: c.peer, how: c.how, errorCode: c.errorCode, bytesIn: c.bytesIn, bytesOut: c.bytesOut, durationMs: c.durationMs,
  }, closedMessage(c)));
  if (flags.logData) {
    server.on('data', (c, chunk) => log.info({ conn: c.id, peer: c.peer, length: chunk.length },
      `Read new data from connection ${c.peer} (${chunk.length} bytes): ${formatDataDump(chunk)}`));
  }
  let lastRefusedLog = 0;
  let refusedSince = 0;
  server.on('refused', (r) => {
    refusedSince++;
    const now = Date.now();
    if (now - lastRefusedLog < REFUSED_LOG_INTERVAL_MS) return;
    log.warn({ peer: r.peer, maxConnections: r.maxConnections, refused: refusedSince },
      `Refused connection from ${r.peer}: --max-connections ${r.maxConnections} reached` +
      (refusedSince > 1 ? ` (${refusedSince} refused since the last such line)` : ''));
    lastRefusedLog = now;
    refusedSince = 0;
  });
  server.on('accept-error', (e) => log.error({ code: e.code },
    e.code === 'EMFILE' || e.code === 'ENFILE'
      ? `Cannot accept new connections: ${e.message.replace(/^too many open files/, `too many open files (${e.code})`)}; ` +
        'new ones are closed at once until descriptors free up, open connections are still served'
      : `Cannot accept new connections: ${e.message}; new ones are closed at once until accept() works again`));
  server.on('accept-recovered', (e) => log.info({ code: e.code, durationMs: e.durationMs },
    `Accepting connections again after ${(e.durationMs / 1000).toFixed(1)} s without (${e.code})`));
  return server;
}

/** Imported lazily: prom-client costs startup time and memory that only --metrics-port needs. */
async function metricsModule(): Promise<typeof import('../server/metrics.js')> {
  return import('../server/metrics.js');
}

async function startMetrics(flags: ServeFlags, log: Logger, source: import('../server/metrics.js').MetricsSource): Promise<HttpServer | undefined> {
  if (flags.metricsPort === undefined) return undefined;
  const m = await metricsModule();
  try {
    const { server, port } = await m.startMetricsServer(source, flags.metricsPort, flags.host);
    log.info({ metricsPort: port }, `Serving Prometheus metrics on port ${port} at /metrics`);
    return server;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'ERR';
    throw new LabError('ERR_SERVER_METRICS_LISTEN', `cannot serve metrics on port ${flags.metricsPort}: ${code === 'EADDRINUSE' ? 'address already in use' : (e as Error).message} (${code})`, { cause: e });
  }
}

function closeHttp(s: HttpServer | undefined): Promise<void> {
  if (!s) return Promise.resolve();
  return new Promise((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });
}

/** Resolves with the signal name the first time SIGINT or SIGTERM arrives; calls `again` on later ones. */
function onShutdownSignal(again: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const handler = (sig: NodeJS.Signals): void => {
      if (seen) { again(); return; }
      seen = true;
      resolve(sig);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/** An exit that cannot hang: if some handle outlives the shutdown, leave anyway. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

async function runSingle(flags: ServeFlags): Promise<void> {
  const log = loggerFor(flags);
  const server = buildServer(flags, log, flags.maxConnections);
  const info = await server.start(); // throws LabError ERR_SERVER_LISTEN: main prints one line, exit 1
  let metrics: HttpServer | undefined;
  try {
    if (flags.metricsPort !== undefined) {
      const m = await metricsModule();
      m.registerEchoMetrics(server);
      metrics = await startMetrics(flags, log, m.registrySource());
    }
  } catch (e) {
    await server.stop(0);
    throw e;
  }
  log.info({ port: info.port, addresses: info.addresses, workers: 1 }, listeningMessage(info, flags.host));
  log.info(tryMessage(info.port, flags.host));
  const graceMs = Math.round(flags.grace * 1000);
  const sig = await onShutdownSignal(() => {
    log.info('Second signal: closing open connections now');
    void server.stop(0);
  });
  const open = server.stats().open;
  log.info({ signal: sig, open, graceMs }, `Shutting down (${sig}): no longer accepting; ${open} connection${open === 1 ? '' : 's'} open, ` +
    `waiting up to ${flags.grace} s for ${open === 1 ? 'it' : 'them'} to close`);
  await stopWithin(server, log, graceMs);
  await closeHttp(metrics);
  log.info('Server stopped');
  exitSoon(0);
}

/** After the grace period, how long a stop may still take before the process leaves anyway. */
const STOP_MARGIN_MS = 2000;

/**
 * server.stop(graceMs), bounded: if the listener or a connection has still not closed
 * STOP_MARGIN_MS after the grace period, say so and go on (a shutdown never waits on a
 * straggler for longer than the operator asked, plus a margin).
 */
async function stopWithin(server: EchoServer, log: Logger, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.warn({ open: server.stats().open }, `Stop not complete ${(graceMs + STOP_MARGIN_MS) / 1000} s after the signal (${server.stats().open} connections open); leaving anyway`);
      resolve();
    }, graceMs + STOP_MARGIN_MS);
  });
  await Promise.race([server.stop(graceMs), late]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Cluster

/** Messages between the primary and its workers (key `tcplab` keeps them apart from prom-client's). */
type ToPrimary =
  | { tcplab: 'listening'; port: number; addresses: string[] }
  | { tcplab: 'listen-error'; message: string }
  | { tcplab: 'stopped' };
type ToWorker = { tcplab: 'stop'; graceMs: number };

function isToPrimary(m: unknown): m is ToPrimary {
  return typeof m === 'object' && m !== null && typeof (m as { tcplab?: unknown }).tcplab === 'string';
}

async function runWorker(flags: ServeFlags): Promise<void> {
  const id = cluster.worker?.id ?? 0;
  const log = loggerFor(flags, { worker: id });
  const workers = Number(process.env['TCPLAB_SERVE_WORKERS'] ?? '1') || 1;
  // Each worker enforces an equal share of --max-connections; the kernel spreads connections
  // unevenly, so with several workers the limit is approximate (exact with --workers 1).
  const share = flags.maxConnections > 0 ? Math.max(1, Math.ceil(flags.maxConnections / workers)) : 0;
  const server = buildServer(flags, log, share);
  const send = (m: ToPrimary): void => { if (process.connected) process.send?.(m); };
  // Signals are the primary's business (a terminal's Ctrl-C reaches every worker too).
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  let info: ListeningInfo;
  try {
    info = await server.start();
  } catch (e) {
    send({ tcplab: 'listen-error', message: e instanceof Error ? e.message : String(e) });
    process.disconnect?.();
    return;
  }
  if (flags.metricsPort !== undefined) {
    const m = await metricsModule();
    m.registerEchoMetrics(server);
    m.answerClusterMetricRequests();
  }
  process.on('message', (m: unknown) => {
    const msg = m as Partial<ToWorker>;
    if (msg?.tcplab !== 'stop') return;
    void stopWithin(server, log, msg.graceMs ?? 0).then(() => {
      send({ tcplab: 'stopped' });
      process.exit(0);
    });
  });
  // The primary is gone (killed -9): leave with it rather than serve unsupervised.
  process.on('disconnect', () => { void server.stop(0).then(() => process.exit(0)); });
  send({ tcplab: 'listening', port: info.port, addresses: info.addresses });
}

/**
 * Resolves once no worker is left. Node drops a worker from cluster.workers only when it has both
 * exited and disconnected, in whichever order those come, and emits 'exit'/'disconnect' after
 * doing so: checking on 'exit' alone missed the case where the IPC channel closes last, and the
 * primary then waited forever (CI: "serve exits after SIGTERM" timed out with --workers 2, twice).
 */
export function allWorkersGone(c: Pick<typeof cluster, 'on' | 'workers'>): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => { if (Object.keys(c.workers ?? {}).length === 0) resolve(); };
    c.on('exit', check);
    c.on('disconnect', check);
    check();
  });
}

/** Restarts allowed within RESTART_WINDOW_MS before the primary gives up (a crash loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10_000;

async function runPrimary(flags: ServeFlags, n: number): Promise<void> {
  const log = loggerFor(flags, { role: 'primary' });
  process.env['TCPLAB_SERVE_WORKERS'] = String(n);
  // Workers accept on the shared listening socket themselves (SCHED_NONE), unless
  // NODE_CLUSTER_SCHED_POLICY=rr asks for Node's round-robin. Round-robin spreads connections
  // evenly, but its primary accepts every connection and passes the descriptor to a worker over
  // IPC: a worker at its descriptor limit cannot receive it, the hand-off never completes, and
  // from then on that worker gets no connection at all (found by the EMFILE test). With
  // SCHED_NONE each worker meets EMFILE on its own accept(), which libuv and EchoServer handle.
  // Node freezes the policy at the first setupPrimary() (fork() calls it too), so it is set first.
  if (process.env['NODE_CLUSTER_SCHED_POLICY'] !== 'rr') cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ silent: false });

  let stopping = false;
  /** Workers that said they listen (only they have a 'stop' listener), and the stop message once sent. */
  const ready = new Set<number>();
  let stopMessage: ToWorker | undefined;
  const restarts: number[] = [];
  const fork = (): Worker => {
    const w = cluster.fork({ TCPLAB_SERVE_WORKERS: String(n) });
    // Node's cluster code itself writes to workers (the listen handle's answer) and a write to one
    // that was just killed fails with EPIPE on the Worker; without a listener that would be thrown.
    w.on('error', (e: NodeJS.ErrnoException) => {
      if (!stopping) log.debug({ worker: w.id, code: e.code }, `IPC to worker ${w.id} failed: ${e.message}`);
    });
    return w;
  };

  // Start: all workers listening, or the first listen error.
  const started = new Promise<ListeningInfo>((resolve, reject) => {
    let listening = 0;
    cluster.on('message', (w, m: unknown) => {
      if (!isToPrimary(m)) return;
      if (m.tcplab === 'listen-error') reject(new LabError('ERR_SERVER_LISTEN', m.message));
      else if (m.tcplab === 'listening') {
        ready.add(w.id);
        // A replacement worker that comes up during shutdown is told at once.
        if (stopMessage) w.send(stopMessage);
        if (++listening === n) resolve({ port: m.port, addresses: m.addresses });
      }
    });
  });
  let failedStart: ((e: Error) => void) | undefined;
  const earlyExit = new Promise<never>((_, reject) => { failedStart = reject; });
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    if (failedStart) {
      failedStart(new LabError('ERR_SERVER_WORKER', `worker ${w.id} exited during start (${signal ?? `code ${code}`})`));
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      log.fatal(`Workers keep dying (${restarts.length} in ${RESTART_WINDOW_MS / 1000} s); giving up`);
      stopping = true;
      for (const x of Object.values(cluster.workers ?? {})) x?.kill('SIGKILL');
      process.exitCode = 1;
      return;
    }
    log.error({ worker: w.id, code, signal }, `Worker ${w.id} died (${signal ?? `exit code ${code}`}); starting a new one`);
    fork();
  });
  for (let i = 0; i < n; i++) fork();
  let info: ListeningInfo;
  try {
    info = await Promise.race([started, earlyExit]);
  } catch (e) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGKILL');
    throw e;
  }
  failedStart = undefined;
  void earlyExit.catch(() => {});

  let metrics: HttpServer | undefined;
  try {
    if (flags.metricsPort !== undefined) metrics = await startMetrics(flags, log, (await metricsModule()).clusterSource());
  } catch (e) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGKILL');
    throw e;
  }
  log.info({ port: info.port, addresses: info.addresses, workers: n }, `${listeningMessage(info, flags.host)}, ${n} workers`);
  log.info(tryMessage(info.port, flags.host));

  const tell = (m: ToWorker): void => {
    stopMessage = m;
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected() && ready.has(w.id)) w.send(m);
  };
  const graceMs = Math.round(flags.grace * 1000);
  const sig = await onShutdownSignal(() => {
    log.info('Second signal: closing open connections now');
    tell({ tcplab: 'stop', graceMs: 0 });
  });
  stopping = true;
  log.info({ signal: sig, graceMs }, `Shutting down (${sig}): no longer accepting; waiting up to ${flags.grace} s for open connections to close`);
  const allExited = allWorkersGone(cluster);
  tell({ tcplab: 'stop', graceMs });
  // A worker that does not finish within grace + 5 s is killed.
  const killer = setTimeout(() => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGKILL');
  }, graceMs + 5000);
  await allExited;
  clearTimeout(killer);
  await closeHttp(metrics);
  log.info('Server stopped');
  exitSoon(0);
}
