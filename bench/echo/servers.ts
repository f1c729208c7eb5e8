/**
 * Process plumbing for the echo benchmark: build the Go programs into a temporary directory,
 * start a server under test with the hard file-descriptor limit, wait for its port, read its
 * RSS, CPU time and open descriptors from /proc, and run the Go load generator.
 *
 * Linux only (/proc). Every wait is bounded; every process started here is killed by stopServer()
 * or when the load generator exits.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, openSync, writeSync, closeSync, unlinkSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs as dist/bench/echo/servers.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Every child started here, so an interrupted run can kill them (see cleanUpOnSignal). */
const live = new Set<ChildProcess>();
function track(p: ChildProcess): ChildProcess {
  live.add(p);
  p.once('exit', () => live.delete(p));
  return p;
}

const LOCK = join(tmpdir(), 'tcplab-echo-bench.lock');

/**
 * Waits (bounded) until no other echo benchmark runs on this machine, then holds the lock until
 * this process exits: two runs at once on 2 cores would each measure the other.
 */
export async function exclusive(maxWaitMs = 30 * 60_000): Promise<void> {
  const until = Date.now() + maxWaitMs;
  for (let said = false; ; said = true) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.once('exit', () => { try { unlinkSync(LOCK); } catch { /* already gone */ } });
      return;
    } catch {
      let holder: number;
      let ageMs: number;
      try {
        holder = Number(readFileSync(LOCK, 'utf8').trim() || 0);
        ageMs = Date.now() - statSync(LOCK).mtimeMs;
      } catch {
        continue; // released while we looked
      }
      // A dead holder, or an empty lock older than any writer needs (a crash right after open).
      if ((holder && !isAlive(holder)) || (!holder && ageMs > 10_000)) {
        try { unlinkSync(LOCK); } catch { /* raced */ }
        continue;
      }
      if (Date.now() > until) throw new Error(`another echo benchmark (pid ${holder}) still holds ${LOCK}`);
      if (!said) process.stderr.write(`bench: waiting for the echo benchmark run by pid ${holder} to finish\n`);
      await sleep(2000);
    }
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** SIGKILL a child and its descendants (a primary killed alone could leave its workers behind). */
export function killTree(p: ChildProcess): void {
  if (p.pid === undefined) return;
  for (const pid of processTree(p.pid).reverse()) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** On SIGINT/SIGTERM: kill the servers and load generators started here, run `cleanup`, exit 130. */
export function cleanUpOnSignal(cleanup: () => void): void {
  const stop = (): void => {
    for (const p of live) killTree(p);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export interface GoBinaries { dir: string; goEcho: string; loadgen: string }

/** Builds bench/echo/go-echo and bench/echo/loadgen with /usr/bin/go into a fresh temp dir. */
export function buildGo(): GoBinaries {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-bench-'));
  const build = (name: string): string => {
    const out = join(dir, name);
    execFileSync('go', ['build', '-o', out, `./${name}/main.go`], {
      cwd: join(ROOT, 'bench', 'echo'), stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-trimpath' },
    });
    return out;
  };
  return { dir, goEcho: build('go-echo'), loadgen: build('loadgen') };
}

export function removeBuild(b: GoBinaries): void {
  rmSync(b.dir, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1 (bound and released; the tiny race is acceptable for a bench). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

export interface RunningServer {
  name: string;
  port: number;
  proc: ChildProcess;
  pid: number;
  stderr: string[];
}

/**
 * Starts `argv` (with "{port}" replaced) with the soft fd limit raised to the hard one, and
 * resolves once the port accepts a connection. `exec` keeps the server's own pid for /proc.
 */
export async function startServer(name: string, argv: string[], port: number): Promise<RunningServer> {
  const args = argv.map((a) => a.split('{port}').join(String(port)));
  const proc = track(spawn('bash', withLimits(args, 'server'), {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
  }));
  const stderr: string[] = [];
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 200) stderr.push(d);
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${args.join(' ')}`);
  const srv: RunningServer = { name, port, proc, pid, stderr };
  const until = Date.now() + 15_000;
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null || Date.now() > until) {
      stopServer(srv);
      throw new Error(`${name}: not listening on ${port}: ${args.join(' ')}\n${stderr.join('')}`);
    }
    await sleep(50);
  }
  return srv;
}

export function stopServer(s: RunningServer): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const t = setTimeout(() => killTree(s.proc), 3000);
    s.proc.once('exit', () => { clearTimeout(t); ok(); });
    s.proc.kill('SIGTERM');
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const c = connect(port, '127.0.0.1');
    const done = (v: boolean): void => { c.destroy(); ok(v); };
    c.setTimeout(500, () => done(false));
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

let niceness = 0;
/**
 * Niceness for every server and load generator started from now on (same for all, so the ratio
 * stays fair). A negative value (root) shields the measurement from other work on the machine.
 */
export function setNiceness(n: number): void {
  niceness = n;
}

/** CPU lists (taskset -c) for the servers and the load generator; '' = anywhere (the default). */
const cpus = { server: '', loadgen: '' };

/**
 * Pins every server (its workers inherit it) and the load generator to CPU lists from now on,
 * e.g. server '0' and loadgen '1': the generator then never takes a server's CPU, so the
 * latency tail is the server's own rather than the scheduler's sharing of two vCPUs.
 */
export function setCpus(server: string, loadgen: string): void {
  cpus.server = server;
  cpus.loadgen = loadgen;
}

/** bash argv that raises the soft fd limit to the hard one, then execs argv niced (same pid). */
function withLimits(argv: string[], role: 'server' | 'loadgen'): string[] {
  const list = cpus[role];
  const pin = list !== '' ? ['taskset', '-c', list] : [];
  return ['-c', 'ulimit -n "$(ulimit -Hn)" && exec nice -n "$0" "$@"', String(niceness), ...pin, ...argv];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `pid` and all its descendants (a server may fork workers: `tcplab serve --workers`), found by
 * scanning /proc for parent links. The figures below are sums over this tree.
 */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited while we looked */ }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

/** Sum of fn over the process tree of `pid`; NaN when `pid` itself is gone. */
function sumTree(pid: number, fn: (p: number) => number): number {
  const own = fn(pid);
  if (!Number.isFinite(own)) return NaN;
  return processTree(pid).slice(1).reduce((t, p) => t + (fn(p) || 0), own);
}

/** Resident set size (VmRSS) of `pid` and its descendants in bytes (shared pages counted in each). */
export function rssBytes(pid: number): number {
  return sumTree(pid, (p) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m?.[1] ? Number(m[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  });
}

const CLK_TCK = 100; // USER_HZ on Linux x86-64 and arm64

/** User+system CPU seconds used so far by `pid` and its live descendants, all threads included. */
export function cpuSeconds(pid: number): number {
  return sumTree(pid, (p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / CLK_TCK;
    } catch {
      return NaN;
    }
  });
}

/** Open file descriptors of `pid` and its descendants. */
export function openFds(pid: number): number {
  return sumTree(pid, (p) => {
    try {
      return readdirSync(`/proc/${p}/fd`).length;
    } catch {
      return NaN;
    }
  });
}

/** What the Go load generator prints (see bench/echo/loadgen/main.go, type Result). */
export interface LoadResult {
  mode: string; conns: number; size: number; durationS: number;
  messages: number; msgsPerSec: number; mbPerSec: number;
  p50Us: number; p99Us: number; maxUs: number;
  /** Newer generator builds only. */
  p90Us?: number; p999Us?: number;
  mismatches: number; errors: number; firstError: string;
  cpuUserS: number; cpuSysS: number;
  connected: number; connectS: number; firstRoundOk: number; secondRoundOk: number; holdS: number;
  bytesWritten: number; writtenPerSec: number[] | null;
}

/**
 * Runs the load generator and resolves with its JSON result (also when it exits 1 because some
 * message failed; the result says what). `onLine` sees its stderr progress lines.
 */
export function runLoadgen(bin: string, args: string[], onLine?: (line: string) => void): Promise<LoadResult> {
  return new Promise((ok, fail) => {
    const p = track(spawn('bash', withLimits([bin, ...args], 'loadgen'), {
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    let out = '';
    let err = '';
    p.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      for (const line of d.split('\n')) if (line) onLine?.(line);
    });
    p.on('error', fail);
    p.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        ok(JSON.parse(last) as LoadResult);
      } catch {
        fail(new Error(`loadgen ${args.join(' ')} exited ${code}: ${err.trim()}`));
      }
    });
  });
}
