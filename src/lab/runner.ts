/**
 * Runs one Scenario end to end inside a LabNet: sysctls, nftables drops, tcpdump on the
 * client's interface (and on NFLOG for the drops), `tcplab serve`, the `tcplab connect` runs,
 * socket snapshots (`ss -tin`) while they run, then the kernel's counters. Returns what happened;
 * report.ts turns it into frames and explanations.
 *
 * Everything runs as child processes inside the namespaces (a Node thread cannot enter a
 * network namespace), and dies with tcplab (see netns.ts).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { LabError } from '../util/errors.js';
import { LabNet, type HostName, type LabProcess } from './netns.js';
import { nftScript, parseCounters, FAULT_TABLE } from './faults.js';
import { parseProcNet, type Counters } from './kernel.js';
import { LAB_PORT, type Scenario, type ClientRun } from './scenarios.js';

const NFLOG_GROUP = 5;
const BIN = fileURLToPath(new URL('../../../bin/tcplab', import.meta.url));

export interface ClientOutcome {
  args: string[];
  exit: number | string;
  stdout: string;
  stderr: string;
  startNs: bigint;
  endNs: bigint;
}

export interface SocketSnapshot {
  /** Wall-clock time (ns since the epoch) the snapshot was taken. */
  atNs: bigint;
  text: string;
}

export interface LabRun {
  scenario: Scenario;
  dir: string;
  /** The capture tcpdump wrote (pcap, Ethernet on lo/veth). */
  capturePath: string;
  /** What nftables dropped, as NFLOG records (pcap, LINKTYPE_NFLOG), or undefined when no faults. */
  dropsPath: string | undefined;
  /** Packets dropped per fault rule (index into scenario.faults). */
  dropped: Map<number, number>;
  /** TCP MIB counters of the namespace(s), summed over hosts. */
  counters: Counters;
  clients: ClientOutcome[];
  serverLog: string;
  snapshots: SocketSnapshot[];
  serverAddress: string;
}

export interface RunOptions {
  /** Working directory for files (default: a new temp dir). */
  dir?: string;
  /** Called with progress lines (for the CLI's stderr). */
  onProgress?: (line: string) => void;
  /** Per client run time limit (ms). */
  clientTimeoutMs?: number;
}

export async function runScenario(sc: Scenario, opts: RunOptions = {}): Promise<LabRun> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), `tcplab-lab-${sc.name}-`)));
  const say = opts.onProgress ?? (() => undefined);
  say(`setting up a ${sc.topology} lab network`);
  const net = await LabNet.create({ topology: sc.topology });
  const hosts: HostName[] = sc.topology === 'loopback' ? ['client'] : ['client', 'server'];
  let sampling = true;
  try {
    for (const h of hosts) {
      for (const [k, v] of Object.entries(sc.sysctls)) await net.run(h, 'sysctl', ['-q', '-w', `${k}=${v}`]);
      if (sc.faults.length > 0) await net.run(h, 'nft', ['-f', '-'], nftScript(sc.faults, NFLOG_GROUP));
    }
    const iface = net.address('client').iface;
    const capturePath = join(dir, `${sc.name}.pcap`);
    // -Z root: tcpdump must not change its user id, which would clear its parent-death signal.
    const capture = net.spawn('client', 'tcpdump', ['-i', iface, '-Z', 'root', '--immediate-mode', '-U', '-n', '-s', '0', '-w', capturePath, 'tcp']);
    await waitFor(capture.child, /listening on/, 10_000, 'tcpdump');
    const dropCaptures: LabProcess[] = [];
    let dropsPath: string | undefined;
    if (sc.faults.length > 0) {
      for (const h of hosts) {
        const p = join(dir, `${sc.name}-drops-${h}.pcap`);
        dropsPath ??= p;
        const d = net.spawn(h, 'tcpdump', ['-i', `nflog:${NFLOG_GROUP}`, '-Z', 'root', '--immediate-mode', '-U', '-n', '-w', p]);
        await waitFor(d.child, /listening on/, 10_000, 'tcpdump (nflog)');
        dropCaptures.push(d);
      }
    }

    const serverAddress = net.address('server').ipv4;
    say(`starting tcplab serve on ${serverAddress}:${LAB_PORT}`);
    const server = net.spawn('server', process.execPath, [BIN, 'serve', '--host', serverAddress, '--port', String(LAB_PORT), '--log-format', 'json', '--log-data', ...sc.serverArgs]);
    let serverLog = '';
    server.child.stdout?.setEncoding('utf8').on('data', (d: string) => { serverLog = cap(serverLog + d); });
    server.child.stderr?.setEncoding('utf8').on('data', (d: string) => { serverLog = cap(serverLog + d); });
    await waitListening(net, LAB_PORT, server);

    const snapshots: SocketSnapshot[] = [];
    const sampler = (async () => {
      while (sampling && snapshots.length < 2000) {
        const text = await net.run('client', 'ss', ['-tinH', `( sport = :${LAB_PORT} or dport = :${LAB_PORT} )`]).catch(() => '');
        if (text.trim()) snapshots.push({ atNs: process.hrtime.bigint() + epochOffsetNs(), text });
        await sleep(50);
      }
    })();

    const clients: ClientOutcome[] = [];
    for (const [i, run] of sc.clients.entries()) {
      if (run.startAfterMs) await sleep(run.startAfterMs);
      const outcome = await runClient(net, serverAddress, run, join(dir, `client-${i}.bin`), opts.clientTimeoutMs ?? 30_000);
      say(`client ${i + 1}: tcplab connect ${outcome.args.join(' ')} → exit ${outcome.exit}`);
      clients.push(outcome);
      const failed = outcome.exit !== 0;
      if (failed !== Boolean(run.expectFailure)) {
        throw new LabError('ERR_LAB_CLIENT', `client ${i + 1} exited ${outcome.exit}${run.expectFailure ? ' (a failure was expected)' : ''}: ${lastLine(outcome.stderr || outcome.stdout)}`);
      }
    }
    await sleep(400); // let closing segments and delayed ACKs reach the capture
    sampling = false;
    await sampler;

    let dropped = new Map<number, number>();
    if (sc.faults.length > 0) {
      for (const h of hosts) {
        const c = parseCounters(await net.run(h, 'nft', ['-j', 'list', 'counters', 'table', 'inet', FAULT_TABLE]));
        for (const [k, v] of c) dropped.set(k, (dropped.get(k) ?? 0) + v);
      }
    } else dropped = new Map();
    const counters: Counters = new Map();
    for (const h of hosts) {
      const c = parseProcNet((await net.run(h, 'cat', ['/proc/net/netstat'])) + (await net.run(h, 'cat', ['/proc/net/snmp'])));
      for (const [k, v] of c) counters.set(k, (counters.get(k) ?? 0) + v);
    }
    for (const p of [capture, ...dropCaptures]) p.child.kill('SIGINT');
    await Promise.all([capture.exited, ...dropCaptures.map((d) => d.exited)]);
    server.child.kill('SIGTERM');
    await Promise.race([server.exited, sleep(2000)]);
    return { scenario: sc, dir, capturePath, dropsPath, dropped, counters, clients, serverLog, snapshots, serverAddress };
  } finally {
    sampling = false;
    await net.dispose();
  }
}

async function runClient(net: LabNet, host: string, run: ClientRun, filePath: string, timeoutMs: number): Promise<ClientOutcome> {
  const args = ['connect', host, String(run.port ?? LAB_PORT), '--json', ...run.args];
  if (run.fileBytes !== undefined) {
    await writeFile(filePath, pseudoRandomBytes(run.fileBytes));
    args.push('--file', filePath);
  }
  const startNs = process.hrtime.bigint() + epochOffsetNs();
  const p = net.spawn('client', process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout = cap(stdout + d); });
  p.child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr = cap(stderr + d); });
  p.child.stdin?.on('error', () => undefined);
  void (async () => {
    for (const step of run.input ?? []) {
      if (typeof step === 'number') await sleep(step);
      else p.child.stdin?.write(step);
    }
    p.child.stdin?.end();
  })();
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  return { args: args.slice(1).map((a) => (a === filePath ? '<file>' : a)), exit, stdout, stderr, startNs, endNs: process.hrtime.bigint() + epochOffsetNs() };
}

/** Polls `ss -ltn` in the server's namespace until the port listens (the server's log format is its own business). */
async function waitListening(net: LabNet, port: number, server: LabProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (server.child.exitCode !== null) throw new LabError('ERR_LAB_SERVER', `tcplab serve exited with status ${server.child.exitCode}`);
    const out = await net.run('server', 'ss', ['-ltnH', `sport = :${port}`]).catch(() => '');
    if (out.trim()) return;
    await sleep(25);
  }
  throw new LabError('ERR_LAB_SERVER', `tcplab serve did not listen on port ${port} within 5 s`);
}

function waitFor(child: ChildProcess, re: RegExp, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new LabError('ERR_LAB_SETUP', `${what} did not start: ${lastLine(buf)}`)), ms);
    const on = (d: Buffer) => {
      buf += d.toString();
      if (re.test(buf)) { clearTimeout(t); resolve(); }
    };
    child.stderr?.on('data', on);
    child.stdout?.on('data', on);
    child.once('exit', (code) => { clearTimeout(t); reject(new LabError('ERR_LAB_SETUP', `${what} exited (${code}): ${lastLine(buf)}`)); });
  });
}

let epochOffset: bigint | undefined;
/** hrtime → wall clock offset, computed once (snapshots and captures share the wall clock). */
function epochOffsetNs(): bigint {
  epochOffset ??= BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return epochOffset;
}

/** Deterministic bytes (xorshift), so a scenario sends the same data every run. */
function pseudoRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const cap = (s: string) => (s.length > 1_000_000 ? s.slice(-1_000_000) : s);
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';
