/**
 * The client's public contract: the options `runClient()` takes and the transcript it returns.
 *
 * Units are in the names (ARCHITECTURE.md §2.4): bytes unless said otherwise, `…Ms`, `…Sec`,
 * `…Ns` (integer nanoseconds, relative to the start of the run, from the monotonic clock).
 */
import type { Timestamp } from '../util/time.js';

/** How the client should treat its TCP socket; every field maps to one real socket behaviour. */
export interface ClientOptions {
  /** Host name or IP literal to connect to. */
  host: string;
  /** TCP port of the peer (the CLI defaults it to 6666). */
  port: number;

  /**
   * Non-interactive mode: these bytes are sent `repeat` times, one round at a time; each round
   * waits for its echo before the next starts, and the round trip is timed. The bytes are written
   * without copying: do not change them until runClient() settles.
   */
  payload?: Uint8Array;
  /** Rounds of `payload` (default 1). */
  repeat?: number;
  /**
   * Interactive mode (when `payload` is absent): every item is sent as it arrives (the CLI passes
   * stdin lines with their line ending). At the end of the input the client waits (at most
   * `timeoutMs`) until as many bytes came back as were sent, then closes. Items are written
   * without copying. When the peer closes first, the run ends without reading further items.
   */
  input?: AsyncIterable<Uint8Array>;
  /**
   * Called with a copy of every received chunk, in order (the CLI prints echoes with it). When it
   * returns a promise, reading stops until the promise settles (a slow consumer's backpressure).
   */
  onData?: (bytes: Uint8Array) => void | Promise<unknown>;

  /** Split every send into write() calls of at most this many bytes (segmenting). */
  chunkBytes?: number;
  /** Sleep this long between two writes of one send (used with `chunkBytes`). */
  delayMs?: number;
  /** TCP_NODELAY: disable Nagle's algorithm. */
  noDelay?: boolean;
  /** After the last send, shut down the write side (FIN) and keep reading until the echo is in. */
  halfClose?: boolean;
  /** Abort with RST right after the last send is handed to the kernel; the echo is not awaited. */
  reset?: boolean;
  /** SO_RCVBUF, set before connect() so that the SYN's window and window scale reflect it. */
  rcvbufBytes?: number;
  /** Slow reader: stop reading (pause the socket) so that at most this many bytes/s are consumed. */
  readRateBytesPerSec?: number;
  /** SO_KEEPALIVE with TCP_KEEPIDLE = TCP_KEEPINTVL = this many seconds. */
  keepAliveSec?: number;
  /** Bind this local (source) port before connecting. */
  localPort?: number;
  /** Bind this local address before connecting. */
  localAddress?: string;
  /**
   * SO_LINGER timeout; only 0 is supported (close sends RST, via libuv's uv_tcp_close_reset).
   * A non-zero timeout needs a `struct linger`, which cannot be set from Node here.
   */
  lingerSec?: number;
  /** Keep the connection open and idle (still reading) this long after the exchange. */
  holdMs?: number;

  /** Give up connecting after this long (default 5000). */
  connectTimeoutMs?: number;
  /** Give up when nothing is written or read for this long while an echo is due (default 10000). */
  timeoutMs?: number;
}

export type TranscriptEventKind =
  | 'connect' | 'write' | 'read' | 'fin-sent' | 'fin-received' | 'rst-sent' | 'close';

/** One thing that happened on the socket, `tNs` after the run started. */
export interface TranscriptEvent {
  tNs: number;
  kind: TranscriptEventKind;
  /** Payload bytes written or read (0 for other kinds). */
  bytes: number;
}

/** One non-interactive round: the payload sent once and its echo. */
export interface RoundResult {
  /** 1-based. */
  round: number;
  sentBytes: number;
  echoedBytes: number;
  /** From the first write of the round to the last echoed byte; undefined when it never completed. */
  rttNs: number | undefined;
}

/** Where the echo first differed from what was sent. */
export interface EchoMismatch {
  /** 0-based offset in the byte stream received. */
  offset: number;
  /** The byte that was sent at that offset, or -1 when the peer sent more bytes than it got. */
  expected: number;
  actual: number;
}

/** The socket settings that were really applied (read back from the kernel where possible). */
export interface AppliedSettings {
  noDelay: boolean;
  /** SO_RCVBUF as the kernel reports it (Linux doubles the request), when --rcvbuf was given. */
  rcvbufBytes: number | undefined;
  keepAliveIdleSec: number | undefined;
  /** undefined when the sockopt helper is unavailable (then the system default interval applies). */
  keepAliveIntervalSec: number | undefined;
  lingerSec: number | undefined;
}

/** What `runClient()` returns: addresses, timings, bytes and the verdict on the echo. */
export interface ClientTranscript {
  mode: 'send' | 'interactive';
  local: { address: string; port: number };
  remote: { address: string; port: number };
  /** Wall-clock start of the run. */
  startedAt: Timestamp;
  /** From connect() to the 'connect' event (the three-way handshake as seen by the client). */
  connectNs: number;
  settings: AppliedSettings;
  rounds: RoundResult[];
  bytesSent: number;
  bytesReceived: number;
  /** Times the slow reader stopped reading (--read-rate). */
  readPauses: number;
  /** How the connection ended on our side. */
  closedWith: 'fin' | 'rst';
  /** True when the peer's FIN was seen. */
  peerClosed: boolean;
  mismatch: EchoMismatch | undefined;
  /**
   * Non-interactive: every byte came back unchanged (with `reset`: every byte was sent, as no
   * echo is awaited). Interactive: no mismatch could be judged, so true unless a mismatch was seen.
   */
  ok: boolean;
  /** At most MAX_EVENTS events; later ones are counted in `eventsDropped`. */
  events: TranscriptEvent[];
  eventsDropped: number;
}
