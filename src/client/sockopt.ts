/**
 * Socket options that Node's `net` does not expose, set through the `sockopt` N-API helper
 * (derhuerst/node-sockopt: integer setsockopt/getsockopt on a socket's fd; ships prebuilds).
 *
 * What this can and cannot do, and why:
 *  - SO_RCVBUF (integer): yes. Linux doubles the value for bookkeeping (socket(7)), so we read it
 *    back with getsockopt and report what the kernel really applied.
 *  - TCP_KEEPINTVL (integer): yes; Node's setKeepAlive() sets SO_KEEPALIVE + TCP_KEEPIDLE only
 *    (libuv 1.46 also forces TCP_KEEPINTVL=1 s, TCP_KEEPCNT=10).
 *  - SO_LINGER with a timeout: NO. It takes a `struct linger` {l_onoff, l_linger}; the helper
 *    passes a 4-byte int and Linux answers EINVAL. SO_LINGER {1, 0} is reachable another way:
 *    libuv's uv_tcp_close_reset (Node's socket.resetAndDestroy()) sets it and closes.
 *
 * The helper is loaded lazily so that a machine where it fails to load still runs every other
 * client feature; only the options that need it fail, with ERR_CLIENT_SOCKOPT.
 * Constants are Linux's (asm-generic/socket.h, netinet/tcp.h); other platforms are refused.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { LabError } from '../util/errors.js';

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const IPPROTO_TCP = 6;
const TCP_KEEPIDLE = 4;
const TCP_KEEPINTVL = 5;

interface SockoptModule {
  getsockopt(socket: Socket, level: number, name: number): number;
  setsockopt(socket: Socket, level: number, name: number, value: number): void;
}

let loaded: SockoptModule | undefined;

function helper(what: string): SockoptModule {
  if (process.platform !== 'linux') {
    throw new LabError('ERR_CLIENT_SOCKOPT', `${what} is only supported on Linux (socket option numbers are Linux's)`);
  }
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    loaded = require('sockopt') as SockoptModule;
    return loaded;
  } catch (e) {
    throw new LabError('ERR_CLIENT_SOCKOPT', `${what} needs the 'sockopt' native helper, which failed to load: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function call<T>(what: string, f: (m: SockoptModule) => T): T {
  const m = helper(what);
  try {
    return f(m);
  } catch (e) {
    throw new LabError('ERR_CLIENT_SOCKOPT', `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** True when the native helper loads here (Linux and a working build of 'sockopt'). */
export function sockoptAvailable(): boolean {
  try {
    helper('probe');
    return true;
  } catch {
    return false;
  }
}

/**
 * Sets SO_RCVBUF on a socket that already has a file descriptor (bound or connected) and returns
 * the size the kernel applied (Linux reports twice the request, clamped to [2304, rmem_max*2]).
 */
export function setReceiveBuffer(socket: Socket, bytes: number): number {
  return call('--rcvbuf', (m) => {
    m.setsockopt(socket, SOL_SOCKET, SO_RCVBUF, bytes);
    return m.getsockopt(socket, SOL_SOCKET, SO_RCVBUF);
  });
}

/** Reads SO_RCVBUF (bytes, as the kernel accounts them). */
export function getReceiveBuffer(socket: Socket): number {
  return call('SO_RCVBUF', (m) => m.getsockopt(socket, SOL_SOCKET, SO_RCVBUF));
}

/** Sets TCP_KEEPINTVL (seconds between keep-alive probes) and returns TCP_KEEPIDLE as applied. */
export function setKeepAliveInterval(socket: Socket, seconds: number): { idleSec: number; intervalSec: number } {
  return call('--keepalive', (m) => {
    m.setsockopt(socket, IPPROTO_TCP, TCP_KEEPINTVL, seconds);
    return {
      idleSec: m.getsockopt(socket, IPPROTO_TCP, TCP_KEEPIDLE),
      intervalSec: m.getsockopt(socket, IPPROTO_TCP, TCP_KEEPINTVL),
    };
  });
}
