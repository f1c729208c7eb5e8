/**
 * Helpers for echo-server tests: bounded waits, raw `net` clients, and a spawned `tcplab serve`
 * whose log lines can be awaited. Every wait has a timeout; every child is killed in stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'tcplab');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects with `what` if `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

/** Polls `cond` every 20 ms until true, or throws after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A connected client socket (errors are recorded, never thrown). */
export async function connectTo(port: number, host = '127.0.0.1'): Promise<Socket & { errors: Error[] }> {
  const s = connect({ port, host }) as Socket & { errors: Error[] };
  s.errors = [];
  s.on('error', (e) => s.errors.push(e));
  await withTimeout(once(s, 'connect'), 5000, `connect to ${host}:${port}`);
  return s;
}

/** Sends `data`, half-closes, and resolves with everything read until the server's FIN. */
export async function echoOnce(port: number, data: Uint8Array, timeoutMs = 10_000): Promise<Buffer> {
  const s = await connectTo(port);
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  s.end(data);
  await withTimeout(once(s, 'end'), timeoutMs, 'echo until FIN');
  s.destroy();
  return Buffer.concat(chunks);
}

/** Writes `data` and resolves once `data.length` bytes came back (the socket stays open). */
export async function roundTrip(s: Socket, data: Uint8Array, timeoutMs = 5000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  const done = new Promise<void>((resolve) => {
    const onData = (d: Buffer): void => {
      chunks.push(d);
      n += d.length;
      if (n >= data.length) { s.off('data', onData); resolve(); }
    };
    s.on('data', onData);
  });
  s.write(data);
  await withTimeout(done, timeoutMs, `round trip of ${data.length} bytes`);
  return Buffer.concat(chunks);
}

/**
 * Writes `block` over and over without reading until the socket stays blocked (no 'drain' for
 * `quietMs`) or `maxBytes` were queued. Resolves with the bytes passed to write() and whether
 * the writer ended up blocked.
 */
export async function writeUntilBlocked(s: Socket, block: Uint8Array, maxBytes: number, quietMs = 700): Promise<{ written: number; blocked: boolean }> {
  let written = 0;
  while (written < maxBytes) {
    written += block.length;
    if (s.write(block)) continue;
    const drained = await Promise.race([once(s, 'drain').then(() => true), sleep(quietMs).then(() => false)]);
    if (!drained) return { written, blocked: true };
  }
  return { written, blocked: false };
}

/** A spawned `tcplab serve` with its stdout lines collected. */
export interface ServeProcess {
  proc: ChildProcess;
  lines: string[];
  stderr: string;
  port: number;
  /** Resolves with the first line (new or already seen) matching `re`. */
  waitLine(re: RegExp, ms?: number): Promise<string>;
  /** Lines matching `re`, so far. */
  matching(re: RegExp): string[];
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Kills the process (SIGKILL) if it is still running. */
  stop(): Promise<void>;
}

/**
 * Spawns `node bin/tcplab serve ARGS` (through `bash -c` when `shellPrefix` is given, e.g.
 * "ulimit -n 64;") and, unless `expectListen` is false, waits for its "Listening" line.
 */
export async function spawnServe(args: string[], opts: { shellPrefix?: string; expectListen?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const argv = [process.execPath, BIN, 'serve', ...args];
  const proc = opts.shellPrefix
    ? spawn('bash', ['-c', `${opts.shellPrefix} exec "$@"`, 'bash', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env })
    : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    partial += d;
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  const sp: ServeProcess = {
    proc, lines, stderr: '', port: 0,
    waitLine(re, ms = 10_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return withTimeout(new Promise<string>((resolve) => waiters.push({ re, resolve })), ms,
        `log line ${re} (stdout so far:\n${lines.join('\n')}\nstderr: ${sp.stderr})`);
    },
    matching: (re) => lines.filter((l) => re.test(l)),
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1))),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await withTimeout(sp.exited, 5000, 'serve killed');
      }
    },
  };
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { sp.stderr += d; });
  if (opts.expectListen !== false) {
    try {
      const line = await sp.waitLine(/Listening to connections on port \d+/, 15_000);
      sp.port = Number(/on port (\d+)/.exec(line)![1]);
    } catch (e) {
      await sp.stop();
      throw e;
    }
  }
  return sp;
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
export function randomBytesSeeded(n: number, seed = 0x2545f491): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}
