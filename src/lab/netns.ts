/**
 * LabNet: private network namespaces for experiments, that cannot outlive tcplab.
 *
 * Why not `ip netns add`: a named namespace is a bind mount under /run/netns that stays behind
 * when the process that made it is killed (SIGKILL runs no handler). Here every namespace is
 * anonymous and held by a "holder" process (`unshare --net sleep`); every process that runs in it
 * is started through `nsenter` + `setpriv --pdeathsig KILL`, so the kernel kills it when tcplab
 * dies, however it dies. When the last process in a namespace is gone, the kernel frees the
 * namespace and everything in it (addresses, veth pairs, nftables tables). Nothing is left on
 * the host to clean up.
 *
 * Topologies:
 *  - 'loopback': one namespace; client and server talk over its `lo` (127.0.0.1 / ::1).
 *  - 'veth': two namespaces ("client" and "server") joined by a veth pair, 10.66.0.1 ↔ 10.66.0.2
 *    and fd66::1 ↔ fd66::2, as two hosts on one Ethernet segment.
 *
 * Realistic segments: the link MTU is 1500 and TSO/GSO/GRO are off (ethtool), so bulk transfers
 * are captured as MSS-sized segments, as on a real network.
 *
 * Needs root (CAP_SYS_ADMIN for unshare, CAP_NET_ADMIN for ip/nft/ethtool): LabNet.create throws
 * LabError ERR_LAB_NOT_ROOT otherwise.
 */
import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { LabError } from '../util/errors.js';

const execFileP = promisify(execFile);

/**
 * `setpriv --pdeathsig KILL` then exec cmd, but only while tcplab is still its parent. The
 * parent-death signal is armed by setpriv a few milliseconds after the fork; a tcplab killed in
 * that window never sends it, and the process (say the lab's `tcplab serve`) would live on in
 * its namespace. So after arming, a shell checks its parent is still this process (`$PPID`, read
 * after the prctl) and exits otherwise; from then on the kernel's signal covers it. Every pid
 * stays the same (exec, no fork). The command and its arguments are positional parameters,
 * never parsed by the shell.
 */
export function deathGuard(cmd: string, args: readonly string[], parentPid: number = process.pid): string[] {
  return ['setpriv', '--pdeathsig', 'KILL', '--', 'sh', '-c', '[ "$PPID" = "$0" ] || exit 111; exec "$@"', String(parentPid), cmd, ...args];
}

export type Topology = 'loopback' | 'veth';
export type HostName = 'client' | 'server';

export interface LabNetOptions {
  topology: Topology;
  /** Link MTU (default 1500). */
  mtu?: number;
  /** Turn TSO/GSO/GRO off (default true). */
  offloadsOff?: boolean;
}

export interface HostAddresses {
  /** Address the host's peer reaches it at (IPv4). */
  ipv4: string;
  ipv6: string;
  /** Interface the traffic crosses in this host ('lo' or the veth end). */
  iface: string;
}

/** A process run inside a lab host. */
export interface LabProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

interface Host {
  name: HostName;
  holder: ChildProcess;
  pid: number;
  addr: HostAddresses;
}

const VETH_CLIENT = 'veth-client';
const VETH_SERVER = 'veth-server';

export class LabNet {
  readonly topology: Topology;
  private readonly hosts = new Map<HostName, Host>();
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  private constructor(topology: Topology) {
    this.topology = topology;
  }

  /** Creates the namespaces and links; throws LabError (ERR_LAB_NOT_ROOT, ERR_LAB_SETUP). */
  static async create(opts: LabNetOptions): Promise<LabNet> {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new LabError('ERR_LAB_NOT_ROOT', 'lab needs root (network namespaces and nftables): run it with sudo');
    }
    const net = new LabNet(opts.topology);
    const mtu = opts.mtu ?? 1500;
    try {
      if (opts.topology === 'loopback') {
        const h = await net.addHost('client', { ipv4: '127.0.0.1', ipv6: '::1', iface: 'lo' });
        net.hosts.set('server', { ...h, name: 'server' });
        await net.run('client', 'ip', ['link', 'set', 'lo', 'mtu', String(mtu), 'up']);
        if (opts.offloadsOff !== false) await net.offloadsOff('client', 'lo');
      } else {
        const c = await net.addHost('client', { ipv4: '10.66.0.1', ipv6: 'fd66::1', iface: VETH_CLIENT });
        const s = await net.addHost('server', { ipv4: '10.66.0.2', ipv6: 'fd66::2', iface: VETH_SERVER });
        await net.run('client', 'ip', ['link', 'add', VETH_CLIENT, 'mtu', String(mtu), 'type', 'veth',
          'peer', 'name', VETH_SERVER, 'mtu', String(mtu), 'netns', String(s.pid)]);
        for (const h of [c, s]) {
          await net.run(h.name, 'ip', ['link', 'set', 'lo', 'up']);
          await net.run(h.name, 'ip', ['addr', 'add', `${h.addr.ipv4}/24`, 'dev', h.addr.iface]);
          await net.run(h.name, 'ip', ['-6', 'addr', 'add', `${h.addr.ipv6}/64`, 'dev', h.addr.iface, 'nodad']);
          await net.run(h.name, 'ip', ['link', 'set', h.addr.iface, 'up']);
          if (opts.offloadsOff !== false) await net.offloadsOff(h.name, h.addr.iface);
        }
      }
    } catch (e) {
      net.close();
      if (e instanceof LabError) throw e;
      throw new LabError('ERR_LAB_SETUP', `lab network setup failed: ${(e as Error).message}`, { cause: e });
    }
    return net;
  }

  /** The addresses of a host. */
  address(host: HostName): HostAddresses {
    return this.host(host).addr;
  }

  /** PID whose network namespace is the host's (for `nsenter --net=/proc/PID/ns/net`). */
  nsPid(host: HostName): number {
    return this.host(host).pid;
  }

  /** Runs a command in a host to completion; throws LabError with its stderr when it fails. */
  async run(host: HostName, cmd: string, args: readonly string[], input?: string): Promise<string> {
    const argv = this.wrap(host, cmd, args);
    try {
      if (input === undefined) {
        const { stdout } = await execFileP(argv[0]!, argv.slice(1), { maxBuffer: 64 << 20 });
        return stdout;
      }
      const p = this.spawn(host, cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
      p.child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
      p.child.stdin?.end(input);
      const code = await p.exited;
      if (code !== 0) throw new Error(err.trim() || `exit ${code}`);
      return out;
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr;
      const msg = (stderr && stderr.trim()) || (e as Error).message;
      throw new LabError('ERR_LAB_COMMAND', `${cmd} ${args.join(' ')}: ${msg.split('\n')[0]}`, { cause: e });
    }
  }

  /**
   * Starts a long-running process in a host; it is killed by close() or when tcplab dies.
   * Caveat: the kernel clears the parent-death signal when a process changes its user id, so a
   * program that drops privileges (tcpdump without `-Z root`) would outlive a killed tcplab.
   */
  spawn(host: HostName, cmd: string, args: readonly string[], options: SpawnOptions = {}): LabProcess {
    if (this.closed) throw new LabError('ERR_LAB_CLOSED', 'lab network already closed');
    const argv = this.wrap(host, cmd, args);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.children.add(child);
    const exited = new Promise<number | string>((resolve) => {
      child.once('error', () => resolve('error'));
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        resolve(code ?? signal ?? 'unknown');
      });
    });
    return { child, exited };
  }

  /** Kills every process and the holders: the kernel then frees the namespaces. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.children) c.kill('SIGKILL');
    for (const h of this.hosts.values()) h.holder.kill('SIGKILL');
    this.children.clear();
  }

  /** close(), then waits until every holder has exited (the namespaces are gone then). */
  async dispose(): Promise<void> {
    this.close();
    await Promise.all([...new Set([...this.hosts.values()].map((h) => h.holder))].map(async (p) => {
      if (p.exitCode === null && p.signalCode === null) await once(p, 'exit');
    }));
  }

  private host(name: HostName): Host {
    const h = this.hosts.get(name);
    if (!h) throw new LabError('ERR_LAB_NO_HOST', `no lab host ${name}`);
    return h;
  }

  private wrap(host: HostName, cmd: string, args: readonly string[]): string[] {
    const pid = this.host(host).pid;
    return ['nsenter', `--net=/proc/${pid}/ns/net`, '--', ...deathGuard(cmd, args)];
  }

  private async addHost(name: HostName, addr: HostAddresses): Promise<Host> {
    // setpriv sets the parent-death signal, then execs unshare, which makes the namespace and
    // execs sleep: the holder dies with us. 'infinity' keeps it until close().
    const [guard, ...guardArgs] = deathGuard('unshare', ['--net', '--', 'sleep', 'infinity']);
    const holder = spawn(guard!, guardArgs, {
      stdio: 'ignore',
    });
    const pid = holder.pid;
    if (pid === undefined) throw new LabError('ERR_LAB_SETUP', 'could not start a namespace holder (setpriv/unshare missing?)');
    const h: Host = { name, holder, pid, addr };
    this.hosts.set(name, h);
    // The holder is ready once its net namespace differs from ours.
    const ours = await readNsLink('self');
    for (let i = 0; i < 200; i++) {
      if (holder.exitCode !== null || holder.signalCode !== null) {
        throw new LabError('ERR_LAB_SETUP', 'namespace holder exited at once (unshare needs root)');
      }
      const theirs = await readNsLink(String(pid)).catch(() => ours);
      if (theirs !== ours) return h;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new LabError('ERR_LAB_SETUP', 'namespace holder did not enter a new network namespace');
  }

  private async offloadsOff(host: HostName, iface: string): Promise<void> {
    // Not every offload exists on every device; ethtool exits non-zero for "fixed" features,
    // which is fine: what is left on is reported by `ethtool -k`.
    await this.run(host, 'ethtool', ['-K', iface, 'tso', 'off', 'gso', 'off', 'gro', 'off']).catch(() => undefined);
  }
}

function readNsLink(pid: string): Promise<string> {
  return readlink(`/proc/${pid}/ns/net`);
}
