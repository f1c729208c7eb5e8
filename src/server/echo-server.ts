/**
 * EchoServer: the TCP echo server behind `tcplab serve` (RFC 862 Echo Protocol, TCP flavour:
 * "any data received is sent back", in order, unchanged, until the peer closes).
 *
 * Per connection the data path is one read callback (Node's `onread`: every connection of the
 * process reads into one shared 32 KiB buffer) that writes what it was given back to the same
 * socket — no copy, no per-read allocation, no logging unless `captureData` asks for it (then a
 * 'data' event is emitted per read). A read returns up to 32 KiB, so a 16 KiB message is
 * usually echoed with one read and one write (the reference Go server takes 16 of each).
 * The write goes straight to the socket's libuv handle (`writeBuffer`, as net.Socket does at
 * the end of its Writable machinery) whenever nothing is queued for the connection: the kernel
 * usually takes it whole at once (uv_try_write), and nothing is left to track. A write it takes
 * only in part is finished by libuv (uv_write) while the connection's reads are paused. With
 * `writePath: 'stream'`, or when something is queued already, the echo goes through
 * net.Socket.write() instead. Measured: bench/FINDINGS.md and BENCHMARKS.md.
 *
 * Invariants
 *  - Bytes leave in the order they arrived; a chunk is written before the next read is looked
 *    at, and a direct write is used only when nothing is queued (libuv's queue keeps the order).
 *  - Backpressure (ARCHITECTURE.md §3.11): a direct write the kernel did not finish, or a stream
 *    write left queued, pauses the socket until it is done. A paused connection holds at most
 *    one pending write (one read), a copy of its unsent bytes (the shared-buffer guard) and the
 *    read buffer its socket points at, so the memory a peer can make us hold is bounded by
 *    `maxBufferedBytesPerConnection()` whatever it sends. The rest waits in the kernel (TCP flow
 *    control then stops the peer).
 *  - A pending write's bytes in the shared read buffer are never overwritten by another
 *    connection's read (see EchoServer.guards).
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
import { getSystemErrorName } from 'node:util';
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
   * Node's). Together with READ_SIZE it fixes the per-connection memory bound.
   */
  highWaterMark?: number;
  /**
   * Descriptor limit to watch for EMFILE episodes: 'auto' (default) reads the soft RLIMIT_NOFILE
   * on Linux, a number overrides it, 0 turns the watch off.
   */
  fdLimit?: number | 'auto';
  /**
   * How echoes are written: 'direct' (default) hands each read straight to the socket's libuv
   * stream handle when nothing is queued for that connection (see directWriter()); 'stream' always
   * goes through net.Socket.write(). 'direct' falls back to 'stream' where Node lacks the binding.
   */
  writePath?: 'direct' | 'stream';
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
  /** Bytes queued in Node's writable buffer or in a pending direct write, not yet handed to the kernel. */
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
  /** Echo writes handed straight to libuv (writePath 'direct', nothing queued for the connection). */
  directWrites: number;
  /** Direct writes the kernel did not take whole at once (libuv finished them; reads paused meanwhile). */
  directAsync: number;
  /** Echo writes through net.Socket.write() (writePath 'stream', or something already queued). */
  streamWrites: number;
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

/**
 * Size of the shared read buffer, so the most one read returns. 32 KiB: a 16 KiB message still
 * arrives in one read, and a stalled connection's worst case (below) stays small.
 */
export const READ_SIZE = 32 * 1024;
const DEFAULT_HWM = 16 * 1024;

/**
 * Upper bound of the bytes a stalled connection can make the server hold: the read buffer its
 * pending write still sends from, the guard copy of that write's unsent bytes, the (abandoned)
 * buffer its socket would read into next, and the Writable's high-water mark. No 'data' events
 * fire, so the readable side holds nothing. Measured: ~90 KiB of Buffers per stalled peer with
 * 64 KiB reads (test/server/echo-server.test.ts "20 peers that write and never read").
 */
export function maxBufferedBytesPerConnection(highWaterMark = DEFAULT_HWM): number {
  return highWaterMark + 3 * READ_SIZE;
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

/**
 * Node's own stream-write primitives, as net.Socket uses them internally (lib/internal/
 * stream_base_commons.js): the WriteWrap request class and the shared state array in which
 * handle.writeBuffer() reports whether the write went asynchronous. Reached through
 * process.binding('stream_wrap') (allow-listed, deprecated only under --pending-deprecation);
 * undefined where it is missing or shaped differently, and then every write takes the stream path.
 */
interface DirectWriteBinding {
  readonly WriteWrap: new () => WriteReq;
  readonly state: Int32Array;
  readonly kLastWriteWasAsync: number;
}

/** A WriteWrap as Node's createWriteWrap() fills it (the native side reads `oncomplete` as an own property). */
interface WriteReq {
  handle: unknown;
  oncomplete: ((status: number) => void) | undefined;
  /** Keeps the written bytes alive while libuv still points into them. */
  buffer: Uint8Array | null;
  async: boolean;
  bytes: number;
}

/** The libuv stream handle behind a net.Socket (TCPWrap), as far as the direct path uses it. */
interface StreamHandle {
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  /** Bytes libuv has queued and not yet written (uv_stream_t.write_queue_size). */
  readonly writeQueueSize: number;
}

function loadDirectWriteBinding(): DirectWriteBinding | undefined {
  try {
    const b = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('stream_wrap');
    const { WriteWrap, streamBaseState, kLastWriteWasAsync } = b;
    if (typeof WriteWrap !== 'function' || !(streamBaseState instanceof Int32Array) || typeof kLastWriteWasAsync !== 'number') return undefined;
    return { WriteWrap: WriteWrap as DirectWriteBinding['WriteWrap'], state: streamBaseState, kLastWriteWasAsync };
  } catch {
    return undefined;
  }
}

let directBinding: DirectWriteBinding | undefined | null = null;
/** The binding, looked up once per process (undefined when this Node lacks it). */
function directWriteBinding(): DirectWriteBinding | undefined {
  if (directBinding === null) directBinding = loadDirectWriteBinding();
  return directBinding;
}

/** True when this Node offers what the direct write path needs (else EchoServer uses the stream path). */
export function directWriteAvailable(): boolean {
  return directWriteBinding() !== undefined;
}

/** A system error as Node makes them (code, errno, syscall), from a negative libuv status. */
function uvError(status: number, syscall: string): NodeJS.ErrnoException {
  let code: string;
  try { code = getSystemErrorName(status); } catch { code = 'EIO'; }
  return Object.assign(new Error(`${syscall} ${code}`), { errno: status, code, syscall });
}

/** Bytes this connection has queued and not yet handed to the kernel (stream path and direct path). */
function unsentBytes(c: Connection): number {
  return c.socket.writableLength + (c.pendingReq !== undefined ? c.pendingBytes : 0);
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
  /** Direct path: the request object for the next write (reused while writes complete synchronously). */
  req: WriteReq | undefined = undefined;
  /** Direct path: the write libuv is still sending (at most one; reads are paused meanwhile). */
  pendingReq: WriteReq | undefined = undefined;
  /** Direct path: bytes of pendingReq libuv had not written when it went asynchronous. */
  pendingBytes = 0;
  /** Abandoned shared read buffers this connection's pending writes still send from (see EchoServer.guards); at most one in practice. */
  readonly guarded: Buffer[] = [];

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
    directWrites: 0, directAsync: 0, streamWrites: 0,
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
      writePath: options.writePath ?? 'direct',
    };
    const o = this.options;
    if (o.writePath !== 'direct' && o.writePath !== 'stream') throw new LabError('ERR_SERVER_BAD_OPTION', `invalid writePath ${String(o.writePath)}`);
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
      throw new LabError('ERR_SERVER_BAD_PORT', `invalid port ${String(o.port)} (0-65535)`);
    }
    for (const [name, v] of [['maxConnections', o.maxConnections], ['idleTimeoutMs', o.idleTimeoutMs], ['highWaterMark', o.highWaterMark]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new LabError('ERR_SERVER_BAD_OPTION', `invalid ${name} ${String(v)}`);
    }
    // noDelay: an echo must leave at once. With Nagle on, the second part of a reply split across
    // two reads waits for the peer's (delayed) ACK of the first: 40 ms stalls (Go sets it too).
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true, highWaterMark: o.highWaterMark }, (s) => this.accept(s));
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
        writableLength: unsentBytes(c), readableLength: c.socket.readableLength,
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
    c.unsent = unsentBytes(c);
    c.socket.destroy();
  }

  /** The one read buffer of this process; replaced when a pending write still holds it. */
  private sharedRead: Buffer = Buffer.allocUnsafe(READ_SIZE);
  /** The last read's view of sharedRead (closed-loop clients send the same size again and again). */
  private lastView: Buffer = this.sharedRead.subarray(0, 0);
  /**
   * Abandoned shared read buffers that a pending write (direct or stream path) still sends from,
   * each with a copy of the bytes that write needs. Node fixes where a socket's next read lands
   * when its previous read finishes (the `onread.buffer` function is called then), so every
   * connection that read before a buffer was abandoned still reads into it once more: those
   * stale reads are copied out and the guarded bytes put back (staleRead) before libuv can send
   * them. Without this, a paused connection's echo carried other connections' bytes.
   */
  private readonly guards = new Map<Buffer, { offset: number; saved: Buffer }>();

  /** A view of the first n bytes of the shared read buffer `buf` (reused when n repeats). */
  private viewOf(buf: Buffer, n: number): Buffer {
    const v = this.lastView;
    if (v.length === n && v.buffer === buf.buffer) return v;
    return (this.lastView = buf.subarray(0, n));
  }

  /** Where stale reads are copied to; no socket reads into it. Replaced when a write left pending holds it. */
  private scratch: Buffer = Buffer.allocUnsafe(READ_SIZE);

  /**
   * A read that landed in an abandoned buffer `buf`: its n bytes are copied out to `scratch`
   * (the echo is written from there) and the bytes a pending write still needs from `buf` are
   * put back. No allocation: a flood of stalling peers makes many stale reads.
   */
  private staleRead(buf: Buffer, n: number): Buffer {
    const copy = this.scratch.subarray(0, n);
    buf.copy(copy, 0, 0, n);
    const g = this.guards.get(buf);
    if (g !== undefined && n > g.offset) g.saved.copy(buf, g.offset, 0, Math.min(n - g.offset, g.saved.length));
    return copy;
  }

  /**
   * A write of `chunk` (a view of the shared buffer) is left pending, its last `pending` bytes
   * not yet sent: the process reads into a fresh buffer from now on, and those bytes of the old
   * one are guarded for `c` until that write is done.
   */
  private abandonSharedRead(c: Connection, chunk: Buffer, pending: number): void {
    const old = this.sharedRead;
    this.sharedRead = Buffer.allocUnsafe(READ_SIZE);
    const offset = chunk.length - Math.min(Math.max(pending, 0), chunk.length);
    this.guards.set(old, { offset, saved: Buffer.from(chunk.subarray(offset)) });
    c.guarded.push(old);
  }

  /** c's pending write is done (or gone): the buffer it read from needs no guard any more. */
  private releaseGuard(c: Connection): void {
    for (const b of c.guarded) this.guards.delete(b);
    c.guarded.length = 0;
  }

  /**
   * Re-wraps an accepted (paused, not yet reading) socket so that it reads into the process's
   * shared buffer (Node's `onread`) instead of a fresh 64 KiB Buffer per read. Measured on
   * 50 x 16 KiB echo: 4.95x the Go reference instead of 3.65x in the same run, since a third of
   * the worker's time was allocating and collecting read buffers (bench/FINDINGS.md).
   *
   * Safety: a read's bytes are echoed at once; a write the kernel takes whole leaves nothing
   * that refers to the buffer. A write left pending still refers to it, so that connection
   * pauses reading until it completes and the process moves on to a new shared buffer (the
   * pending write keeps the old one alive, and `guards` keeps its bytes intact). Node's 'data'
   * events therefore never fire: the echo happens in `onRead`, and a chunk given to the 'data'
   * event of EchoServer is valid only during the call.
   */
  private withSharedReadBuffer(raw: Socket, onRead: (n: number, buf: Buffer) => void): Socket {
    const r = raw as unknown as { _handle: unknown; _server: unknown; server: unknown };
    const handle = r._handle;
    const server = r._server;
    r._handle = null;
    r._server = null;
    // Node asks for the next read's buffer after every read; answering undefined keeps the one
    // the socket has (no Buffer.Data() lookup in C++ per read) until the shared buffer changes.
    let given: Buffer | undefined;
    const nextBuffer = (): Buffer => {
      const b = this.sharedRead;
      if (b === given) return undefined as unknown as Buffer;
      return (given = b);
    };
    const sock = new Socket({
      handle: handle as never, allowHalfOpen: true, readable: true, writable: true,
      highWaterMark: this.options.highWaterMark,
      onread: { buffer: nextBuffer, callback: onRead },
    } as ConstructorParameters<typeof Socket>[0]);
    // net.Server counts connections through the socket's _server (close() waits for them).
    (sock as unknown as { _server: unknown; server: unknown })._server = server;
    (sock as unknown as { _server: unknown; server: unknown }).server = server;
    return sock;
  }

  private accept(accepted: Socket): void {
    const k = this.counters;
    const capture = this.options.captureData;
    const direct = this.options.writePath === 'direct' ? directWriteBinding() : undefined;
    let c: Connection | undefined;

    const pause = (cc: Connection, overHighWaterMark: boolean): void => {
      if (cc.paused) return;
      cc.socket.pause();
      cc.paused = true;
      k.paused++;
      if (overHighWaterMark) k.pauses++;
    };

    // Direct path: a write that went asynchronous has finished (or failed, or was cancelled by a destroy).
    const onWriteDone = (status: number): void => {
      const cc = c;
      if (!cc) return;
      const req = cc.pendingReq;
      cc.pendingReq = undefined;
      if (req) req.buffer = null;
      this.releaseGuard(cc);
      const s = cc.socket;
      if (s.destroyed) return; // cancelled by our own destroy; unsent was counted there
      if (status < 0) {
        cc.unsent += cc.pendingBytes;
        s.destroy(uvError(status, 'write'));
        return;
      }
      cc.pendingBytes = 0;
      (s as unknown as { _unrefTimer(): void })._unrefTimer(); // bytes left: the idle timer restarts, as for stream writes
      if (cc.paused && s.writableLength === 0) {
        cc.paused = false;
        k.paused--;
        s.resume();
      }
    };
    // Stream path: a write has been handed to the kernel (one function per connection, no allocation per write).
    const onFlushed = (): void => {
      const cc = c;
      if (!cc || cc.socket.writableLength > 0) return;
      this.releaseGuard(cc);
      if (cc.paused && cc.pendingReq === undefined && !cc.socket.destroyed) {
        cc.paused = false;
        k.paused--;
        cc.socket.resume();
      }
    };
    const newReq = (handle: unknown): WriteReq => {
      const req = new direct!.WriteWrap();
      req.handle = handle;
      req.oncomplete = onWriteDone;
      req.async = false;
      req.bytes = 0;
      req.buffer = null;
      return req;
    };

    // Hot path: intentionally minimal (one call, four adds, one write per read).
    const onRead = (n: number, buf: Buffer): void => {
      const cc = c!;
      const socket = cc.socket;
      // Almost always the shared buffer; a stale read (see guards) is echoed from its own copy.
      const shared = buf === this.sharedRead;
      const chunk = shared ? this.viewOf(buf, n) : this.staleRead(buf, n);
      cc.bytesIn += n;
      cc.bytesOut += n;
      k.bytesIn += n;
      k.bytesOut += n;
      if (capture) this.emit('data', cc, chunk);
      if (direct !== undefined && cc.pendingReq === undefined && socket.writableLength === 0) {
        // Nothing of this connection is queued anywhere: hand the bytes straight to libuv
        // (uv_try_write, then uv_write for a remainder) — what net.Socket.write() ends in, minus
        // Writable's bookkeeping, a WriteWrap per write and an afterWrite tick per read.
        const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
        if (handle !== null) {
          const req = cc.req ?? (cc.req = newReq(handle));
          const err = handle.writeBuffer(req, chunk);
          k.directWrites++;
          if (err !== 0) {
            cc.unsent += n;
            socket.destroy(uvError(err, 'write'));
            return;
          }
          if (direct.state[direct.kLastWriteWasAsync] !== 0) {
            // The kernel did not take it all: libuv keeps writing from the shared buffer.
            // Keep that buffer for this write alone and read no more here until it is done.
            req.buffer = chunk;
            k.directAsync++;
            cc.req = undefined;
            cc.pendingReq = req;
            cc.pendingBytes = handle.writeQueueSize;
            if (shared) this.abandonSharedRead(cc, chunk, cc.pendingBytes);
            else this.scratch = Buffer.allocUnsafe(READ_SIZE); // the pending write keeps the old one
            pause(cc, true);
          }
          return;
        }
      }
      // Stream path: something is queued already (or no direct path here): Writable keeps order.
      const below = socket.write(chunk, onFlushed);
      k.streamWrites++;
      if (socket.writableLength > 0) {
        // The write still refers to the shared buffer: read no more into it (see withSharedReadBuffer).
        if (shared) this.abandonSharedRead(cc, chunk, n); // Writable may hold all of it
        else this.scratch = Buffer.allocUnsafe(READ_SIZE);
        pause(cc, !below);
      }
    };

    const socket = this.withSharedReadBuffer(accepted, onRead);
    c = new Connection(this.nextId++, socket);
    const conn = c;
    this.conns.add(conn);
    if (this.conns.size >= this.fdWatchFrom) this.watchFds();
    else if (this.acceptEpisode) this.endAcceptEpisode();
    k.open++;
    k.total++;

    socket.resume();
    socket.on('drain', () => {
      if (conn.paused && conn.pendingReq === undefined) {
        conn.paused = false;
        k.paused--;
        socket.resume();
      }
    });
    // Peer's FIN: flush what is queued, then FIN (allowHalfOpen keeps our side open till then;
    // libuv's shutdown waits for a direct write still pending).
    socket.on('end', () => {
      if (conn.how === undefined) conn.how = 'FIN';
      socket.end();
    });
    socket.on('error', (e: Error) => {
      const code = errnoCode(e) ?? 'ERR';
      if (conn.how === undefined || conn.how === 'FIN') {
        conn.how = RST_CODES.has(code) ? 'RST' : 'error';
        conn.errorCode = code;
      }
      conn.unsent = Math.max(conn.unsent, unsentBytes(conn));
      k.errors[code] = (k.errors[code] ?? 0) + 1;
    });
    if (this.options.idleTimeoutMs > 0) {
      socket.setTimeout(this.options.idleTimeoutMs, () => this.closeConnection(conn, 'idle timeout'));
    }
    socket.on('close', () => {
      this.releaseGuard(conn);
      this.conns.delete(conn);
      k.open--;
      if (conn.paused) k.paused--;
      // Bytes queued but never handed to the kernel were not sent.
      const unsent = Math.min(conn.unsent, conn.bytesOut);
      const bytesOut = conn.bytesOut - unsent;
      k.bytesOut -= unsent;
      this.emit('close', {
        ...conn.info(), bytesIn: conn.bytesIn, bytesOut, durationMs: Date.now() - conn.startedAtMs,
        how: conn.how ?? 'FIN', errorCode: conn.errorCode,
      });
      this.onConnectionGone?.();
    });
    this.emit('connection', conn.info());
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
