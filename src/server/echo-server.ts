/**
 * EchoServer: the TCP echo server behind `tcplab serve` (RFC 862 Echo Protocol, TCP flavour:
 * "any data received is sent back", in order, unchanged, until the peer closes).
 *
 * Per connection the data path is one 'data' listener that writes the chunk it was given back to
 * the same socket — no copy, no per-read allocation of ours, no logging unless `captureData` asks
 * for it (then a 'data' event is emitted per read). Node reads up to 64 KiB per read, so a 16 KiB
 * message is usually echoed with one read and one write (the reference Go server takes 16 of each).
 *
 * Invariants
 *  - Bytes leave in the order they arrived; a chunk is written before the next read is looked at.
 *  - Backpressure (ARCHITECTURE.md §3.11): when write() returns false the socket is paused and
 *    resumed on 'drain'. A paused socket keeps at most readableHighWaterMark + one read in its
 *    readable buffer before Node stops reading from the kernel, and the writable side holds at
 *    most writableHighWaterMark + one read, so the memory a peer can make us hold is bounded by
 *    `maxBufferedBytesPerConnection()` whatever it sends. The rest waits in the kernel (TCP flow
 *    control then stops the peer).
 *  - Half-close: allowHalfOpen is on; the peer's FIN ends our reads, we flush what is queued and
 *    then send our FIN (socket.end()).
 *  - No connection's error can crash the server: every socket has an 'error' listener; the
 *    connection is recorded as closed by RST (ECONNRESET, EPIPE) or by error (any other code).
 *  - Out of descriptors (EMFILE) never stops the listener: libuv's reserve-descriptor trick
 *    accepts and closes each connection it cannot keep (the peer sees an immediate close, the
 *    loop does not spin) — and tells nobody: uv__server_io() swallows the EMFILE once the trick
 *    has drained the backlog. So the server watches its own descriptor table (Linux: the soft
 *    RLIMIT_NOFILE from /proc/self/limits, the count from /proc/self/fd, read only when the
 *    connection count nears the limit) and reports one 'accept-error' event when the table is
 *    full, and 'accept-recovered' once a connection is accepted with some room again
 *    (hysteresis, so churn at the limit does not log a pair of lines per connection). Accept
 *    errors libuv does report (ENFILE, ENOBUFS…) join the same episode.
 *
 * The class does no logging and reads no argv/env: cli/serve.ts turns its events into log lines
 * and metrics. It imports nothing from the project but util/ (ARCHITECTURE.md §2.2).
 */
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { errnoCode, LabError } from '../util/errors.js';

/** How a connection ended, as logged in "Closed connection … (how)". */
export type CloseReason = 'FIN' | 'RST' | 'idle timeout' | 'server shutdown' | 'error';

export interface EchoServerOptions {
  /** TCP port; 0 picks a free one (start() returns it). Default 6666. */
  port?: number;
  /** Address or host name to bind; undefined means every interface, IPv4 and IPv6 (dual-stack "::"). */
  host?: string;
  /** Open connections allowed at once; more are accepted and closed at once ('refused'). 0 = no limit. */
  maxConnections?: number;
  /** Close a connection after this long with no byte read or written. 0 = never. */
  idleTimeoutMs?: number;
  /** Emit a 'data' event for every read (costs a call per read; off by default). */
  captureData?: boolean;
  /**
   * listen() backlog (the kernel caps it at net.core.somaxconn). Default 4096, as Go asks for
   * somaxconn: with Node's 511, a burst of 10,000 connects overflowed the queue (TcpExtListenOverflows)
   * and every overflow cost a SYN retransmission (1 s): 5-15 s to open 10k connections vs Go's 0.7 s.
   */
  backlog?: number;
  /**
   * Stream high-water mark of each accepted socket, both directions, in bytes (default 16 KiB,
   * Node's). Together with the 64 KiB read size it fixes the per-connection memory bound.
   */
  highWaterMark?: number;
  /**
   * Descriptor limit to watch for EMFILE episodes: 'auto' (default) reads the soft RLIMIT_NOFILE
   * on Linux, a number overrides it, 0 turns the watch off.
   */
  fdLimit?: number | 'auto';
}

/** Who is on the other end of a connection and when it started. */
export interface ConnectionInfo {
  /** Per-server sequence number, from 1. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** "127.0.0.1:41402" or "[::1]:41402"; IPv4-mapped IPv6 addresses are shown as IPv4. */
  readonly peer: string;
  /** Date.now() at accept. */
  readonly startedAtMs: number;
}

/** What 'close' reports about a finished connection. */
export interface ClosedConnection extends ConnectionInfo {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
  readonly how: CloseReason;
  /** errno code for how = 'RST' or 'error' (ECONNRESET, EPIPE, ETIMEDOUT…). */
  readonly errorCode: string | undefined;
}

/** A live connection's counters and buffer fill, for tests and diagnostics. */
export interface ConnectionSnapshot extends ConnectionInfo {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Bytes queued in Node's writable buffer, not yet handed to the kernel. */
  readonly writableLength: number;
  /** Bytes read from the kernel but not yet echoed (only non-zero while paused). */
  readableLength: number;
  /** True while reads are paused because the peer is not reading our echo. */
  readonly paused: boolean;
}

/** Server-wide counters since start(). */
export interface EchoServerStats {
  open: number;
  total: number;
  bytesIn: number;
  bytesOut: number;
  /** Connections closed by RST or error, by errno code. */
  errors: Record<string, number>;
  /** Connections refused because maxConnections was reached. */
  refused: number;
  /** Failed accept() calls, by errno code (EMFILE…). */
  acceptErrors: Record<string, number>;
  /** Connections paused right now by backpressure. */
  paused: number;
  /** Times any connection was paused by backpressure. */
  pauses: number;
}

export interface ListeningInfo {
  port: number;
  /** Bound addresses, e.g. ["::"] (all interfaces, dual-stack) or ["127.0.0.1"]. */
  addresses: string[];
}

/** A refused connection (maxConnections reached). */
export interface RefusedConnection {
  readonly peer: string;
  readonly maxConnections: number;
}

export interface AcceptErrorEpisode {
  readonly code: string;
  readonly message: string;
}

export interface EchoServerEvents {
  connection: [info: ConnectionInfo];
  /** A read (captureData only). `chunk` views the shared read buffer: valid during the call only; copy to keep. */
  data: [info: ConnectionInfo, chunk: Buffer];
  close: [closed: ClosedConnection];
  refused: [refused: RefusedConnection];
  'accept-error': [episode: AcceptErrorEpisode];
  'accept-recovered': [episode: { code: string; errors: number; durationMs: number }];
  'shutdown-started': [info: { open: number; graceMs: number }];
}

/** Node's read size for stream sockets (libuv suggests 64 KiB per read in src/stream_base.cc). */
export const READ_SIZE = 64 * 1024;
const DEFAULT_HWM = 16 * 1024;

/**
 * Upper bound of the bytes a connection can make the server hold in Node's stream buffers:
 * readable side (high-water mark + the read that crossed it) plus writable side (same).
 */
export function maxBufferedBytesPerConnection(highWaterMark = DEFAULT_HWM): number {
  return 2 * (highWaterMark + READ_SIZE);
}

/** Soft RLIMIT_NOFILE of this process (Linux /proc/self/limits); undefined if unknown or unlimited. */
export function readFdLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Descriptors open in this process (Linux /proc/self/fd, minus the one reading it); Infinity when
 * the table is too full to even open the directory (EMFILE); -1 when unknown (no /proc).
 */
export function countOpenFds(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch (e) {
    return errnoCode(e) === 'EMFILE' ? Infinity : -1;
  }
}

/** The descriptor table is watched once this close to the limit (counting is a readdir). */
const FD_WATCH_MARGIN = 256;

/** errno codes that mean the peer reset the connection. */
const RST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** "127.0.0.1:41402" / "[::1]:41402"; IPv4-mapped IPv6 shown as IPv4. */
export function formatPeer(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'unknown peer';
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return a.includes(':') ? `[${a}]:${port ?? 0}` : `${a}:${port ?? 0}`;
}

/** Per-connection state; one fixed shape, created once per accept. */
class Connection implements ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly peer: string;
  readonly startedAtMs: number;
  readonly socket: Socket;
  bytesIn = 0;
  bytesOut = 0;
  paused = false;
  /** Set by whoever decides how the connection ends first; 'FIN' when the peer just closes. */
  how: CloseReason | undefined = undefined;
  errorCode: string | undefined = undefined;
  /** Bytes still queued when we destroyed the socket or saw its error (not sent). */
  unsent = 0;

  constructor(id: number, socket: Socket) {
    this.id = id;
    this.socket = socket;
    const addr = socket.remoteAddress ?? '';
    this.remoteAddress = addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
    this.remotePort = socket.remotePort ?? 0;
    this.peer = formatPeer(socket.remoteAddress, socket.remotePort);
    this.startedAtMs = Date.now();
  }

  info(): ConnectionInfo {
    return { id: this.id, remoteAddress: this.remoteAddress, remotePort: this.remotePort, peer: this.peer, startedAtMs: this.startedAtMs };
  }
}

/**
 * A TCP echo server. Call start() once, stop() once. Events (see EchoServerEvents) are emitted
 * synchronously from socket callbacks; listeners must not throw.
 */
export class EchoServer extends EventEmitter<EchoServerEvents> {
  readonly options: Readonly<Required<Omit<EchoServerOptions, 'host'>>> & { readonly host: string | undefined };
  private readonly server: Server;
  private readonly conns = new Set<Connection>();
  private nextId = 1;
  private readonly counters: EchoServerStats = {
    open: 0, total: 0, bytesIn: 0, bytesOut: 0, errors: {}, refused: 0, acceptErrors: {}, paused: 0, pauses: 0,
  };
  private acceptEpisode: { code: string; errors: number; startedAtMs: number } | undefined = undefined;
  /** Watched descriptor limit (0 = not watched), the connection count from which it is watched, and the hysteresis. */
  private fdLimit = 0;
  private fdWatchFrom = Infinity;
  private fdRoom = 0;
  private stopping: Promise<void> | undefined = undefined;
  private started = false;

  constructor(options: EchoServerOptions = {}) {
    super();
    this.options = {
      port: options.port ?? 6666,
      host: options.host,
      maxConnections: options.maxConnections ?? 0,
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
      captureData: options.captureData ?? false,
      backlog: options.backlog ?? 4096,
      highWaterMark: options.highWaterMark ?? DEFAULT_HWM,
      fdLimit: options.fdLimit ?? 'auto',
    };
    const o = this.options;
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
      throw new LabError('ERR_SERVER_BAD_PORT', `invalid port ${String(o.port)} (0-65535)`);
    }
    for (const [name, v] of [['maxConnections', o.maxConnections], ['idleTimeoutMs', o.idleTimeoutMs], ['highWaterMark', o.highWaterMark]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new LabError('ERR_SERVER_BAD_OPTION', `invalid ${name} ${String(v)}`);
    }
    // noDelay: an echo must leave at once. With Nagle on, the second part of a reply split across
    // two reads waits for the peer's (delayed) ACK of the first: 40 ms stalls (Go sets it too).
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true, highWaterMark: o.highWaterMark }, (s) => this.accept(this.withSharedReadBuffer(s)));
    if (o.maxConnections > 0) this.server.maxConnections = o.maxConnections;
    this.server.on('drop', (d) => {
      this.counters.refused++;
      this.emit('refused', { peer: formatPeer(d?.remoteAddress, d?.remotePort), maxConnections: o.maxConnections });
    });
  }

  /** Binds and listens. Rejects with LabError ERR_SERVER_LISTEN (cause: the errno error, e.g. EADDRINUSE). */
  start(): Promise<ListeningInfo> {
    if (this.started) return Promise.reject(new LabError('ERR_SERVER_STATE', 'EchoServer.start() called twice'));
    this.started = true;
    const { port, host, backlog } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => {
        const code = errnoCode(e) ?? 'ERR';
        const where = host === undefined ? `port ${port}` : `${host} port ${port}`;
        const why = code === 'EADDRINUSE' ? 'address already in use'
          : code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
          : code === 'EADDRNOTAVAIL' ? 'address not available on this machine'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found'
          : e.message;
        reject(new LabError('ERR_SERVER_LISTEN', `cannot listen on ${where}: ${why} (${code})`, { cause: e }));
      };
      this.server.once('error', onError);
      this.server.listen({ port, host, backlog }, () => {
        this.server.off('error', onError);
        const lim = this.options.fdLimit === 'auto' ? readFdLimit() ?? 0 : this.options.fdLimit;
        if (lim > 0 && countOpenFds() >= 0) {
          this.fdLimit = lim;
          this.fdWatchFrom = Math.max(0, lim - FD_WATCH_MARGIN);
          this.fdRoom = Math.max(1, Math.min(16, lim >> 3));
        }
        this.server.on('error', (e) => this.onAcceptError(e));
        const a = this.server.address() as AddressInfo;
        resolve({ port: a.port, addresses: [a.address] });
      });
    });
  }

  /** The bound port (after start()). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  /** Counters since start (a copy). */
  stats(): EchoServerStats {
    const c = this.counters;
    return { ...c, errors: { ...c.errors }, acceptErrors: { ...c.acceptErrors } };
  }

  /** One snapshot per open connection. */
  connections(): ConnectionSnapshot[] {
    const out: ConnectionSnapshot[] = [];
    for (const c of this.conns) {
      out.push({
        ...c.info(), bytesIn: c.bytesIn, bytesOut: c.bytesOut, paused: c.paused,
        writableLength: c.socket.writableLength, readableLength: c.socket.readableLength,
      });
    }
    return out;
  }

  /**
   * Stops accepting at once, lets open connections go on for up to `graceMs`, then closes the
   * rest (reported with how = 'server shutdown'). Resolves when every connection is closed.
   * Calling it again with a smaller grace shortens the wait (a second Ctrl-C).
   */
  stop(graceMs = 0): Promise<void> {
    if (this.stopping) {
      if (graceMs <= 0) this.closeAll();
      return this.stopping;
    }
    this.emit('shutdown-started', { open: this.conns.size, graceMs });
    this.stopping = new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let listenerClosed = !this.server.listening;
      const check = (): void => {
        if (!listenerClosed || this.conns.size > 0) return;
        this.onConnectionGone = undefined;
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.onConnectionGone = check;
      if (!listenerClosed) this.server.close(() => { listenerClosed = true; check(); });
      if (this.conns.size > 0) {
        if (graceMs > 0) timer = setTimeout(() => this.closeAll(), graceMs);
        else this.closeAll();
      }
      check();
    });
    return this.stopping;
  }

  /** While stopping: called after each connection's 'close' event has been emitted. */
  private onConnectionGone: (() => void) | undefined = undefined;

  /** Destroys every open connection, recording it as closed by the server's shutdown. */
  private closeAll(): void {
    for (const c of this.conns) this.closeConnection(c, 'server shutdown');
  }

  private closeConnection(c: Connection, how: CloseReason): void {
    if (c.how === undefined) c.how = how;
    c.unsent = c.socket.writableLength;
    c.socket.destroy();
  }

  /** The one read buffer of this process; replaced when a pending write still holds it. */
  private sharedRead: Buffer = Buffer.allocUnsafe(READ_SIZE);

  /**
   * Re-wraps an accepted (paused, not yet reading) socket so that it reads into the process's
   * shared buffer (Node's `onread`) instead of a fresh 64 KiB Buffer per read. Measured on
   * 50 x 16 KiB echo: 4.95x the Go reference instead of 3.65x in the same run, since a third of
   * the worker's time was allocating and collecting read buffers (bench/FINDINGS.md).
   *
   * Safety: a read's bytes are echoed at once; a write the kernel takes whole leaves nothing
   * that refers to the buffer. A write left pending still refers to it, so that connection
   * pauses reading until 'drain' and the process moves on to a new shared buffer (the pending
   * write keeps the old one alive). 'data' events therefore never fire: the echo happens in
   * onData, and a chunk given to the 'data' event of EchoServer is valid only during the call.
   */
  private withSharedReadBuffer(raw: Socket): Socket {
    const r = raw as unknown as { _handle: unknown; _server: unknown; server: unknown };
    const handle = r._handle;
    const server = r._server;
    r._handle = null;
    r._server = null;
    const sock = new Socket({
      handle: handle as never, allowHalfOpen: true, readable: true, writable: true,
      highWaterMark: this.options.highWaterMark,
      onread: { buffer: () => this.sharedRead, callback: (n: number, buf: Uint8Array) => this.onData(sock, n, buf) },
    } as ConstructorParameters<typeof Socket>[0]);
    // net.Server counts connections through the socket's _server (close() waits for them).
    (sock as unknown as { _server: unknown; server: unknown })._server = server;
    (sock as unknown as { _server: unknown; server: unknown }).server = server;
    return sock;
  }

  private readonly readers = new WeakMap<Socket, (n: number, buf: Uint8Array) => void>();

  private onData(sock: Socket, n: number, buf: Uint8Array): boolean {
    this.readers.get(sock)?.(n, buf);
    return true;
  }

  private accept(socket: Socket): void {
    const c = new Connection(this.nextId++, socket);
    this.conns.add(c);
    if (this.conns.size >= this.fdWatchFrom) this.watchFds();
    else if (this.acceptEpisode) this.endAcceptEpisode();
    const k = this.counters;
    k.open++;
    k.total++;
    const capture = this.options.captureData;

    // Hot path: intentionally minimal (one call, two adds, one write per read).
    this.readers.set(socket, (n: number, buf: Uint8Array) => {
      const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
      c.bytesIn += n;
      c.bytesOut += n;
      k.bytesIn += n;
      k.bytesOut += n;
      if (capture) this.emit('data', c, chunk);
      const below = socket.write(chunk);
      if (socket.writableLength > 0) {
        // The write still refers to the shared buffer: read no more into it (see withSharedReadBuffer).
        this.sharedRead = Buffer.allocUnsafe(READ_SIZE);
        if (!c.paused) {
          socket.pause();
          c.paused = true;
          k.paused++;
          if (!below) k.pauses++;
        }
      }
    });
    socket.resume();
    socket.on('drain', () => {
      if (c.paused) {
        c.paused = false;
        k.paused--;
        socket.resume();
      }
    });
    // Peer's FIN: flush what is queued, then FIN (allowHalfOpen keeps our side open till then).
    socket.on('end', () => {
      if (c.how === undefined) c.how = 'FIN';
      socket.end();
    });
    socket.on('error', (e: Error) => {
      const code = errnoCode(e) ?? 'ERR';
      if (c.how === undefined || c.how === 'FIN') {
        c.how = RST_CODES.has(code) ? 'RST' : 'error';
        c.errorCode = code;
      }
      c.unsent = socket.writableLength;
      k.errors[code] = (k.errors[code] ?? 0) + 1;
    });
    if (this.options.idleTimeoutMs > 0) {
      socket.setTimeout(this.options.idleTimeoutMs, () => this.closeConnection(c, 'idle timeout'));
    }
    socket.on('close', () => {
      this.conns.delete(c);
      k.open--;
      if (c.paused) k.paused--;
      // Bytes queued but never handed to the kernel were not sent.
      const bytesOut = c.bytesOut - c.unsent;
      k.bytesOut -= c.unsent;
      this.emit('close', {
        ...c.info(), bytesIn: c.bytesIn, bytesOut, durationMs: Date.now() - c.startedAtMs,
        how: c.how ?? 'FIN', errorCode: c.errorCode,
      });
      this.onConnectionGone?.();
    });
    this.emit('connection', c.info());
  }

  /**
   * Near the descriptor limit: a full table starts an EMFILE episode (libuv will close the
   * connections it cannot accept, silently); room again ends it.
   */
  private watchFds(): void {
    const n = countOpenFds();
    if (n < 0) return;
    if (this.acceptEpisode) {
      if (n <= this.fdLimit - this.fdRoom) this.endAcceptEpisode();
    } else if (n >= this.fdLimit) {
      this.counters.acceptErrors['EMFILE'] = (this.counters.acceptErrors['EMFILE'] ?? 0) + 1;
      this.acceptEpisode = { code: 'EMFILE', errors: 1, startedAtMs: Date.now() };
      const used = Number.isFinite(n) ? n : this.fdLimit;
      this.emit('accept-error', { code: 'EMFILE', message: `too many open files (${used} of ${this.fdLimit} descriptors in use)` });
    }
  }

  private endAcceptEpisode(): void {
    const e = this.acceptEpisode;
    this.acceptEpisode = undefined;
    if (e) this.emit('accept-recovered', { code: e.code, errors: e.errors, durationMs: Date.now() - e.startedAtMs });
  }

  /** accept() failed (EMFILE…): one event per episode; the listener keeps running. */
  private onAcceptError(e: Error): void {
    const code = errnoCode(e) ?? 'ERR';
    const k = this.counters;
    k.acceptErrors[code] = (k.acceptErrors[code] ?? 0) + 1;
    if (this.acceptEpisode) {
      this.acceptEpisode.errors++;
      return;
    }
    this.acceptEpisode = { code, errors: 1, startedAtMs: Date.now() };
    this.emit('accept-error', { code, message: e.message });
  }
}
