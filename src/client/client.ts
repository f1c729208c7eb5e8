/**
 * runClient(): a TCP client whose socket behaviour can be steered, for talking to an echo server
 * (RFC 862) and watching what each steering does on the wire.
 *
 * One run = resolve → (bind, SO_RCVBUF) → connect → exchange → close:
 *  - send mode: `payload` × `repeat` rounds, ping-pong, each round timed from its first write to
 *    its last echoed byte; every received byte is compared with the byte sent at that offset.
 *  - interactive mode: items of `input` are sent as they come; received bytes go to `onData`.
 * Steering (each is one real socket behaviour, see ClientOptions): write segmentation
 * (chunkBytes/delayMs), TCP_NODELAY, shutdown(SHUT_WR) (halfClose), RST (reset, lingerSec 0),
 * SO_RCVBUF + a paused reader (rcvbufBytes, readRateBytesPerSec: the kernel receive buffer fills
 * and we advertise a zero window), SO_KEEPALIVE (keepAliveSec), bind(localPort).
 *
 * Invariants: every wait is bounded (connectTimeoutMs, timeoutMs as an idle watchdog); the socket
 * is always destroyed before runClient settles; I/O failures reject with a LabError whose code is
 * ERR_CLIENT_* and which carries the transcript so far; an echo mismatch is a finding, not an
 * error: the transcript says ok=false. Received bytes handed to `onData` are copies.
 */
import net from 'node:net';
import { lookup } from 'node:dns/promises';
import { getSystemErrorName } from 'node:util';
import { LabError, errnoCode } from '../util/errors.js';
import type { Timestamp } from '../util/time.js';
import { setKeepAliveInterval, setReceiveBuffer, sockoptAvailable } from './sockopt.js';
import type {
  AppliedSettings, ClientOptions, ClientTranscript, EchoMismatch, RoundResult, TranscriptEvent,
  TranscriptEventKind,
} from './types.js';

/** Cap on recorded events: a 1 GB send with --chunk 1 must not record a billion of them. */
export const MAX_EVENTS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const READ_BUFFER_BYTES = 65_536;

/** A failure of the run; `transcript` holds what happened up to it. */
export class ClientError extends LabError {
  transcript: ClientTranscript | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClientError';
    this.transcript = undefined;
  }
}

/** Checks options; throws LabError ERR_USAGE_CLIENT_OPTION (the CLI maps it to exit 2). */
export function validateClientOptions(o: ClientOptions): void {
  const bad = (msg: string): never => { throw new LabError('ERR_USAGE_CLIENT_OPTION', msg); };
  const intIn = (name: string, v: number | undefined, min: number, max: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) bad(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  if (o.host.length === 0) bad('host must not be empty');
  intIn('port', o.port, 1, 65535);
  intIn('repeat', o.repeat, 1, 1_000_000);
  intIn('chunk', o.chunkBytes, 1, 1 << 30);
  intIn('delay', o.delayMs, 0, 3_600_000);
  intIn('rcvbuf', o.rcvbufBytes, 1, 1 << 30);
  intIn('read-rate', o.readRateBytesPerSec, 1, 1 << 30);
  intIn('keepalive', o.keepAliveSec, 1, 32_767);
  intIn('local-port', o.localPort, 1, 65535);
  intIn('hold', o.holdMs, 0, 3_600_000);
  intIn('connect-timeout', o.connectTimeoutMs, 1, 3_600_000);
  intIn('timeout', o.timeoutMs, 1, 3_600_000);
  if (o.lingerSec !== undefined && o.lingerSec !== 0) {
    bad('linger: only 0 is supported (RST on close); SO_LINGER with a timeout needs a struct linger, which Node cannot set');
  }
  if (o.payload !== undefined && o.payload.length === 0) bad('nothing to send: the payload is empty');
  if (o.payload === undefined && o.input === undefined) bad('give a payload (send mode) or an input (interactive mode)');
  if (o.payload === undefined && o.repeat !== undefined) bad('repeat needs a payload (--send or --file)');
  if (o.reset && o.halfClose) bad('reset and half-close conflict: choose RST or FIN');
}

type Waiter = { check: () => boolean; resolve: () => void; reject: (e: unknown) => void };

/** Internal Node handle methods used to bind before connect() (see bindEarly). */
interface TcpHandle { fd: number; bind(address: string, port: number): number; bind6(address: string, port: number, flags: number): number }

class Run {
  readonly o: ClientOptions;
  readonly t0 = process.hrtime.bigint();
  readonly startedAt: Timestamp;
  readonly socket: net.Socket;
  readonly events: TranscriptEvent[] = [];
  eventsDropped = 0;
  readonly rounds: RoundResult[] = [];
  readonly settings: AppliedSettings;
  local = { address: '', port: 0 };
  remote = { address: '', port: 0 };
  connectNs = 0;
  bytesSent = 0;
  bytesReceived = 0;
  readPauses = 0;
  drained = true;
  peerFin = false;
  closed = false;
  closedWith: 'fin' | 'rst' = 'fin';
  mismatch: EchoMismatch | undefined = undefined;
  failure: unknown = undefined;
  lastProgressNs = 0;
  /** Bytes of echo expected so far (send mode), for comparison by offset. */
  readonly payload: Uint8Array | undefined;
  private readonly waiters = new Set<Waiter>();
  private watchdog: NodeJS.Timeout | undefined = undefined;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /** Reasons reading is stopped for (slow-reader sleeps, a consumer still busy); resume at 0. */
  private holds = 0;

  constructor(o: ClientOptions) {
    this.o = o;
    const ms = Date.now();
    this.startedAt = { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 };
    this.payload = o.payload;
    this.settings = {
      noDelay: o.noDelay === true, rcvbufBytes: undefined, keepAliveIdleSec: undefined,
      keepAliveIntervalSec: undefined, lingerSec: o.lingerSec,
    };
    const rate = o.readRateBytesPerSec;
    // A slow reader reads in small bites (≈100 ms worth) so that pauses are fine-grained.
    const bufBytes = rate === undefined ? READ_BUFFER_BYTES : Math.max(1, Math.min(READ_BUFFER_BYTES, Math.floor(rate / 10)));
    // `onread` is handled by the Socket constructor (net.connect() passes it there) although
    // @types/node 20 only declares it on the connect options.
    const socketOpts: net.SocketConstructorOpts & Pick<net.TcpSocketConnectOpts, 'onread'> = {
      allowHalfOpen: true,
      // onread: Node reads straight into this buffer, and pause() really stops reading from the
      // kernel (readStop) instead of buffering up to highWaterMark in the stream. That is what lets
      // the kernel receive buffer fill and the window close.
      onread: { buffer: Buffer.alloc(bufBytes), callback: (n: number, buf: Uint8Array) => { this.onBytes(buf.subarray(0, n)); return true; } },
    };
    this.socket = new net.Socket(socketOpts);
  }

  nowNs(): number { return Number(process.hrtime.bigint() - this.t0); }

  record(kind: TranscriptEventKind, bytes: number): void {
    if (this.events.length >= MAX_EVENTS) { this.eventsDropped++; return; }
    this.events.push({ tNs: this.nowNs(), kind, bytes });
  }

  // ---- waiting ----

  /** Resolves when check() holds; rejects on failure. Re-checked on every state change (poke). */
  until(check: () => boolean): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (check()) return Promise.resolve();
    // check() may itself have failed the run (it can call fail()).
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => { this.waiters.add({ check, resolve, reject }); });
  }

  poke(): void {
    for (const w of this.waiters) {
      if (w.check()) { this.waiters.delete(w); w.resolve(); }
    }
  }

  fail(e: unknown): void {
    if (this.failure === undefined) this.failure = e;
    for (const w of this.waiters) { this.waiters.delete(w); w.reject(this.failure); }
  }

  /** Idle watchdog: fails the run when nothing was written or read for timeoutMs while armed. */
  arm(what: () => string): void {
    const limitMs = this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.lastProgressNs = this.nowNs();
    this.disarm();
    this.watchdog = setInterval(() => {
      if (this.nowNs() - this.lastProgressNs > limitMs * 1e6) {
        this.fail(new ClientError('ERR_CLIENT_TIMEOUT', `no progress for ${limitMs} ms ${what()}`));
      }
    }, Math.max(5, Math.min(250, Math.floor(limitMs / 4))));
  }

  disarm(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) { reject(this.failure); return; }
      const w: Waiter = { check: () => false, resolve, reject };
      const t = setTimeout(() => { this.waiters.delete(w); resolve(); }, ms);
      w.reject = (e) => { clearTimeout(t); reject(e); };
      this.waiters.add(w);
    });
  }

  // ---- connecting ----

  async connect(): Promise<void> {
    const o = this.o;
    let address = o.host;
    let family = net.isIP(o.host);
    if (family === 0) {
      try {
        const r = await lookup(o.host);
        address = r.address;
        family = r.family;
      } catch (e) {
        throw new ClientError('ERR_CLIENT_DNS', `cannot resolve ${o.host}: ${errnoCode(e) ?? String(e)}`, { cause: e });
      }
    }
    const s = this.socket;
    const limitMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const early = o.rcvbufBytes !== undefined;
    const opts: net.TcpSocketConnectOpts = { host: address, port: o.port, family };
    if (!early && o.localPort !== undefined) opts.localPort = o.localPort;
    if (!early && o.localAddress !== undefined) opts.localAddress = o.localAddress;
    const started = this.nowNs();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ClientError('ERR_CLIENT_CONNECT_TIMEOUT', `connect to ${address}:${o.port} timed out after ${limitMs} ms`));
      }, limitMs);
      const onError = (e: unknown) => { clearTimeout(timer); reject(this.connectError(e, address)); };
      s.once('error', onError);
      s.once('connect', () => { clearTimeout(timer); s.off('error', onError); resolve(); });
      s.connect(opts);
      if (early) {
        try {
          this.bindEarly(family, o.localAddress, o.localPort ?? 0);
          this.settings.rcvbufBytes = setReceiveBuffer(s, o.rcvbufBytes ?? 0);
        } catch (e) {
          clearTimeout(timer);
          s.destroy();
          reject(e);
        }
      }
    });
    this.connectNs = this.nowNs() - started;
    this.record('connect', 0);
    this.local = { address: s.localAddress ?? '', port: s.localPort ?? 0 };
    this.remote = { address: s.remoteAddress ?? address, port: s.remotePort ?? o.port };
    s.on('error', (e) => this.fail(this.ioError(e)));
    s.on('end', () => {
      this.peerFin = true;
      this.record('fin-received', 0);
      this.poke();
    });
    s.on('drain', () => { this.drained = true; this.lastProgressNs = this.nowNs(); this.poke(); });
    s.on('close', () => { this.closed = true; this.record('close', 0); this.poke(); });
    if (o.noDelay) s.setNoDelay(true);
    if (o.keepAliveSec !== undefined) {
      // Node sets SO_KEEPALIVE and TCP_KEEPIDLE (libuv 1.46 also TCP_KEEPINTVL=1, TCP_KEEPCNT=10).
      s.setKeepAlive(true, o.keepAliveSec * 1000);
      if (sockoptAvailable()) {
        const ka = setKeepAliveInterval(s, o.keepAliveSec);
        this.settings.keepAliveIdleSec = ka.idleSec;
        this.settings.keepAliveIntervalSec = ka.intervalSec;
      } else {
        // Without the helper the probes still go out after the idle time, at libuv's interval;
        // the transcript says the interval is unknown rather than pretending.
        this.settings.keepAliveIdleSec = o.keepAliveSec;
      }
    }
  }

  /**
   * SO_RCVBUF must be set before connect() to shape the SYN (window, window scale), but Node
   * creates the socket fd only inside connect. Node's TCP handle exists synchronously after
   * socket.connect() and the real connect() runs a tick later (IP literals skip the lookup), so we
   * bind the handle ourselves in between — which creates the fd — and set the option on it.
   * Uses Node internals (`_handle.bind`, `_handle.fd`), checked here so a change fails loudly.
   */
  private bindEarly(family: number, localAddress: string | undefined, localPort: number): void {
    const h = (this.socket as unknown as { _handle?: TcpHandle })._handle;
    if (!h || typeof h.bind !== 'function') {
      throw new ClientError('ERR_CLIENT_SOCKOPT', '--rcvbuf: this Node version does not expose the socket handle before connect');
    }
    const err = family === 6 ? h.bind6(localAddress ?? '::', localPort, 0) : h.bind(localAddress ?? '0.0.0.0', localPort);
    if (err !== 0) throw this.connectError(Object.assign(new Error(getSystemErrorName(err)), { code: getSystemErrorName(err) }), this.o.host);
  }

  private connectError(e: unknown, address: string): ClientError {
    const code = errnoCode(e);
    const where = `${address}:${this.o.port}`;
    const lp = this.o.localPort;
    switch (code) {
      case 'ECONNREFUSED': return new ClientError('ERR_CLIENT_CONNECT_REFUSED', `connection to ${where} refused`, { cause: e });
      case 'EHOSTUNREACH': case 'ENETUNREACH':
        return new ClientError('ERR_CLIENT_UNREACHABLE', `${where} is unreachable (${code})`, { cause: e });
      case 'ETIMEDOUT': return new ClientError('ERR_CLIENT_CONNECT_TIMEOUT', `connect to ${where} timed out`, { cause: e });
      case 'EADDRINUSE':
        return new ClientError('ERR_CLIENT_LOCAL_PORT', `local port ${lp ?? '?'} is in use by another socket`, { cause: e });
      case 'EADDRNOTAVAIL':
        return new ClientError('ERR_CLIENT_LOCAL_PORT', lp === undefined
          ? `cannot assign a local address to reach ${where} (EADDRNOTAVAIL)`
          : `local port ${lp} to ${where} is still in TIME_WAIT from an earlier connection (EADDRNOTAVAIL); on loopback Linux reuses it once a second has passed (tcp_tw_reuse=2), elsewhere after 60 s`, { cause: e });
      default:
        if (e instanceof LabError) return e instanceof ClientError ? e : new ClientError(e.code, e.message, { cause: e });
        return new ClientError('ERR_CLIENT_CONNECT', `connect to ${where} failed: ${code ?? (e instanceof Error ? e.message : String(e))}`, { cause: e });
    }
  }

  private ioError(e: unknown): ClientError {
    const code = errnoCode(e);
    const counts = `after ${this.bytesSent} bytes sent and ${this.bytesReceived} received`;
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      return new ClientError('ERR_CLIENT_PEER_RESET', `connection reset by peer ${counts}`, { cause: e });
    }
    return new ClientError('ERR_CLIENT_SOCKET', `socket error ${code ?? ''} ${counts}`.replace('  ', ' '), { cause: e });
  }

  // ---- data ----

  private onBytes(chunk: Uint8Array): void {
    const n = chunk.length;
    const start = this.bytesReceived;
    this.bytesReceived += n;
    this.lastProgressNs = this.nowNs();
    this.record('read', n);
    const p = this.payload;
    if (p !== undefined && this.mismatch === undefined) {
      const expectedTotal = p.length * (this.o.repeat ?? 1);
      for (let i = 0; i < n; i++) {
        const off = start + i;
        const actual = chunk[i] ?? 0;
        const expected = off < expectedTotal ? (p[off % p.length] ?? 0) : -1;
        if (actual !== expected) { this.mismatch = { offset: off, expected, actual }; break; }
      }
    }
    const consumed = this.o.onData ? this.o.onData(new Uint8Array(chunk)) : undefined;
    // A slow consumer (stdout into a pipe) holds reading until it has taken the bytes: the socket,
    // not our memory, absorbs the difference (ARCHITECTURE.md §2.7 backpressure).
    if (consumed instanceof Promise) this.hold(consumed.then(() => undefined, () => undefined));
    const rate = this.o.readRateBytesPerSec;
    if (rate !== undefined) {
      // Token bucket of depth 0: this read "costs" n/rate seconds of not reading.
      this.readPauses++;
      this.hold(new Promise((resolve) => {
        const t = setTimeout(() => { this.resumeTimers.delete(t); resolve(); }, Math.ceil((n * 1000) / rate));
        this.resumeTimers.add(t);
      }));
    }
    this.poke();
  }

  /** Stops reading until `until` settles (several holds may overlap). */
  private hold(until: Promise<void>): void {
    if (this.holds++ === 0 && !this.closed) this.socket.pause();
    void until.then(() => {
      if (--this.holds === 0 && !this.closed && !this.socket.destroyed) this.socket.resume();
    });
  }

  private clearResumeTimers(): void {
    for (const t of this.resumeTimers) clearTimeout(t);
    this.resumeTimers.clear();
  }

  /** Writes `data` in chunks of chunkBytes with delayMs between them, honouring backpressure. */
  async send(data: Uint8Array): Promise<void> {
    const step = this.o.chunkBytes ?? data.length;
    for (let off = 0; off < data.length; off += step) {
      if (off > 0 && (this.o.delayMs ?? 0) > 0) await this.sleep(this.o.delayMs ?? 0);
      if (this.failure !== undefined) throw this.failure;
      const piece = data.subarray(off, Math.min(data.length, off + step));
      this.bytesSent += piece.length;
      this.record('write', piece.length);
      // No copy (a --file of 1 GB stays 1 GB): the payload is owned by the run until it settles.
      if (!this.socket.write(piece, () => { this.lastProgressNs = this.nowNs(); })) {
        this.drained = false;
        await this.until(() => this.drained);
      }
    }
  }

  /** Resolves once Node has handed every queued write to the kernel. */
  flushed(): Promise<void> {
    return this.until(() => this.socket.writableLength === 0 || this.closed);
  }

  // ---- closing ----

  rst(): void {
    this.closedWith = 'rst';
    this.record('rst-sent', 0);
    this.clearResumeTimers();
    // uv_tcp_close_reset: setsockopt(SO_LINGER, {1, 0}) + close() → the kernel sends RST and
    // discards unsent and unread data.
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  finSent = false;

  fin(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.record('fin-sent', 0);
    this.socket.end();
  }

  /** The normal end: FIN (or RST with lingerSec 0), then wait for the peer's FIN (bounded). */
  async close(): Promise<void> {
    if (this.o.lingerSec === 0) { this.rst(); return; }
    this.fin();
    const limitMs = this.o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => this.fail(new ClientError('ERR_CLIENT_TIMEOUT', `peer did not close within ${limitMs} ms`)), limitMs);
    try {
      await this.until(() => this.peerFin || this.closed);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.disarm();
    this.clearResumeTimers();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  transcript(): ClientTranscript {
    const sendMode = this.payload !== undefined;
    return {
      mode: sendMode ? 'send' : 'interactive',
      local: this.local,
      remote: this.remote,
      startedAt: this.startedAt,
      connectNs: this.connectNs,
      settings: this.settings,
      rounds: this.rounds,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      readPauses: this.readPauses,
      closedWith: this.closedWith,
      peerClosed: this.peerFin,
      mismatch: this.mismatch,
      ok: this.mismatch === undefined && (!sendMode || this.o.reset === true
        || this.rounds.every((r) => r.rttNs !== undefined && r.echoedBytes === r.sentBytes)),
      events: this.events,
      eventsDropped: this.eventsDropped,
    };
  }
}

async function exchangeRounds(run: Run, payload: Uint8Array): Promise<void> {
  const o = run.o;
  const repeat = o.repeat ?? 1;
  for (let r = 0; r < repeat; r++) {
    const last = r === repeat - 1;
    const round: RoundResult = { round: r + 1, sentBytes: payload.length, echoedBytes: 0, rttNs: undefined };
    run.rounds.push(round);
    const startNs = run.nowNs();
    const base = r * payload.length;
    const end = base + payload.length;
    run.arm(() => `in round ${r + 1} (${run.bytesSent} bytes sent, ${Math.max(0, run.bytesReceived - base)} of ${payload.length} echoed${run.drained ? '' : '; the peer is not reading'})`);
    await run.send(payload);
    if (last && o.reset) {
      await run.flushed();
      run.rst();
      return;
    }
    if (last && o.halfClose) run.fin();
    await run.until(() => {
      if (run.mismatch !== undefined) return true;
      if (run.peerFin && run.bytesReceived < end) {
        run.fail(new ClientError('ERR_CLIENT_PEER_CLOSED', `peer closed after echoing ${run.bytesReceived - base} of ${payload.length} bytes in round ${r + 1}`));
        return false;
      }
      return run.bytesReceived >= end;
    });
    round.echoedBytes = Math.min(payload.length, run.bytesReceived - base);
    if (run.mismatch !== undefined) return;
    round.rttNs = run.nowNs() - startNs;
  }
}

async function exchangeInteractive(run: Run, input: AsyncIterable<Uint8Array>): Promise<void> {
  const it = input[Symbol.asyncIterator]();
  // The peer may close while we wait for input: race each read of input against that.
  const peerGone = run.until(() => run.peerFin || run.closed).then(() => 'peer' as const);
  peerGone.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([it.next(), peerGone]);
      if (next === 'peer') return;
      if (next.done) break;
      await run.send(next.value);
    }
  } finally {
    void it.return?.();
  }
  if (run.o.reset) { await run.flushed(); run.rst(); return; }
  if (run.o.halfClose) run.fin();
  // Wait for the echo to catch up with what was sent; a peer that is not an echo server just
  // costs timeoutMs here, which is not a failure in interactive mode.
  const limitMs = run.o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await Promise.race([run.until(() => run.bytesReceived >= run.bytesSent || run.peerFin || run.closed), run.sleep(limitMs)]);
}

/**
 * Connects to `options.host:options.port`, runs the exchange with the requested socket
 * behaviour, closes, and returns what happened. Rejects with a ClientError (code ERR_CLIENT_*,
 * `transcript` attached when connected) on connection and I/O failures, and with a LabError
 * ERR_USAGE_CLIENT_OPTION on bad options. An echo that differs is reported as `ok: false`.
 */
export async function runClient(options: ClientOptions): Promise<ClientTranscript> {
  validateClientOptions(options);
  const run = new Run(options);
  let connected = false;
  try {
    await run.connect();
    connected = true;
    if (options.payload !== undefined) await exchangeRounds(run, options.payload);
    else if (options.input !== undefined) await exchangeInteractive(run, options.input);
    run.disarm();
    if (run.closedWith === 'rst') return run.transcript();
    if (options.holdMs !== undefined && options.holdMs > 0 && !run.peerFin) {
      await Promise.race([run.sleep(options.holdMs), run.until(() => run.closed)]);
    }
    await run.close();
    return run.transcript();
  } catch (e) {
    const err = e instanceof ClientError ? e : e instanceof LabError ? new ClientError(e.code, e.message, { cause: e }) : new ClientError('ERR_CLIENT_SOCKET', e instanceof Error ? e.message : String(e), { cause: e });
    if (connected) err.transcript = run.transcript();
    throw err;
  } finally {
    run.destroy();
  }
}
