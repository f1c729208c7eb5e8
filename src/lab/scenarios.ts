/**
 * The lab's experiments, as data: what runs (server flags, client runs and their stdin script),
 * what the network does to it (nftables drops, per-namespace sysctls), what the capture must show
 * (Wireshark analysis fields checked by CI) and the story it tells.
 *
 * Client runs are `tcplab connect` processes inside the lab namespace: the steering flags are the
 * client's own, so a lab shows exactly what a user gets by typing the same command.
 */
import { mulberry32 } from '../util/prng.js';
import type { FaultRule } from './faults.js';
import type { Topology } from './netns.js';

export const LAB_PORT = 6666;

/** One `tcplab connect` run. Its stdin is `input`: lines sent with pauses, then closed. */
export interface ClientRun {
  /** Flags after `connect HOST PORT`. */
  args: readonly string[];
  /** Connect to this port instead of the server's (e.g. a closed port). */
  port?: number;
  /** Interactive input: text to write and pauses (ms) between, then stdin is closed. */
  input?: ReadonlyArray<string | number>;
  /** A file of this many pseudo-random bytes is made and its path appended as `--file PATH`. */
  fileBytes?: number;
  /** Wait this long after the previous run ended before starting (ms). */
  startAfterMs?: number;
  /** The run is expected to fail (exit status ≠ 0), e.g. connecting to a closed port. */
  expectFailure?: boolean;
}

export interface Scenario {
  name: string;
  /** One line for the list. */
  summary: string;
  topology: Topology;
  serverArgs: readonly string[];
  clients: readonly ClientRun[];
  faults: readonly FaultRule[];
  /** sysctl settings in every lab namespace (name → value). */
  sysctls: Readonly<Record<string, string>>;
  /**
   * Frames to remove from the saved capture after the run, to model a capture that missed them:
   * the n-th data segment from the server (1-based).
   */
  captureMisses?: { fromServerDataSegment: number };
  /** Wireshark fields at least one frame must have (checked by the lab test and CI). */
  expectFields: readonly string[];
  /** The story: what to look at in the frames. */
  narrative: readonly string[];
  /** Random choices, made from a seed (default 1): the same seed gives the same run. */
  seeded?: (seed: number) => Pick<Scenario, 'faults'>;
}

/** `n` distinct picks from [lo, hi], sorted, from a seeded PRNG. */
export function seededPicks(seed: number, n: number, lo: number, hi: number): number[] {
  const next = mulberry32(seed);
  const out = new Set<number>();
  while (out.size < Math.min(n, hi - lo + 1)) out.add(lo + Math.floor(next() * (hi - lo + 1)));
  return [...out].sort((x, y) => x - y);
}

/** The scenario with its seeded choices made. */
export function withSeed(sc: Scenario, seed: number): Scenario {
  return sc.seeded ? { ...sc, ...sc.seeded(seed) } : sc;
}

/** TLP off, so a lone lost segment is repaired by a real RTO and not by a tail-loss probe. */
const NO_TLP = { 'net.ipv4.tcp_early_retrans': '0' } as const;
const SEED_LINE = 'ping from aidan-mac';

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'handshake',
    summary: 'the 3-way handshake, one echo and the FIN/ACK close',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--send', 'hi'] }],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.flags.syn', 'tcp.flags.fin', 'tcp.analysis.initial_rtt'],
    narrative: [
      'SYN → SYN/ACK → ACK: each side picks an initial sequence number and shows it as relative 0.',
      'The SYNs carry the options both sides agree on: MSS, SACK permitted, timestamps and the window scale (WS=).',
      'The FIN counts as one byte of sequence space, so the ACK of a FIN is its seq + 1.',
    ],
  },
  {
    name: 'echo',
    summary: `the seed's telnet session: "${SEED_LINE}" → Len 19, next seq 20, echoed back`,
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--send', SEED_LINE] }],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.flags.push', 'tcp.analysis.acks_frame'],
    narrative: [
      `The client's write of "${SEED_LINE}" is one segment: Seq=1 Len=19, so the next seq is 1 + 19 = 20.`,
      'The server acknowledges with Ack=20 and echoes the same 19 bytes back ([PSH, ACK]).',
    ],
  },
  {
    name: 'retransmission',
    summary: 'a data segment lost on the wire → retransmission after a timeout (RTO)',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--send', SEED_LINE] }],
    faults: [{ from: 'server', port: LAB_PORT, kind: 'data', nth: [1], where: 'network' }],
    sysctls: NO_TLP,
    expectFields: ['tcp.analysis.retransmission'],
    narrative: [
      "The server's echo is dropped after the capture point: the capture has it, the client never gets it.",
      'No ACK comes back, so the server retransmits the same bytes when its retransmission timer (RTO, ≥ 200 ms) fires.',
    ],
  },
  {
    name: 'fast-retransmission',
    summary: 'bulk transfer with one loss → duplicate ACKs with SACK, then fast retransmit',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: [], fileBytes: 400_000 }],
    faults: [{ from: 'client', port: LAB_PORT, kind: 'data', nth: [20], where: 'network' }],
    sysctls: {},
    expectFields: ['tcp.analysis.duplicate_ack', 'tcp.analysis.fast_retransmission', 'tcp.options.sack_le'],
    narrative: [
      "The client's 20th data segment is lost; the segments after it arrive out of order at the server.",
      'Each one makes the server repeat its ACK (Dup ACK #1, #2, #3…) with a SACK block for the data it holds.',
      'After three duplicate ACKs the client retransmits the hole without waiting for its timer: a fast retransmission.',
    ],
  },
  {
    name: 'spurious',
    summary: 'an ACK lost → the data is sent again though it had arrived: spurious retransmission, D-SACK',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--send', SEED_LINE] }],
    // The server's 2nd-4th packets: its echo, the separate ACK the kernel may send before it
    // (quick-ACK mode), and whichever comes next (its own retransmission of the echo when its
    // timer fires first): the client then always times out and resends data the capture saw
    // acknowledged. With only [2, 3] the two RTO timers raced and the server's retransmission
    // sometimes acknowledged the data first (a plain retransmission, no spurious one).
    faults: [{ from: 'server', port: LAB_PORT, kind: 'any', nth: [2, 3, 4], where: 'network' }],
    sysctls: NO_TLP,
    expectFields: ['tcp.analysis.spurious_retransmission'],
    narrative: [
      "The server's echo (which also acknowledges the client's data) is lost after the capture point.",
      'The client, seeing no ACK, retransmits data the server already has: the capture did see the ACK, so Wireshark calls it spurious.',
      'The server answers the duplicate with a D-SACK (a SACK block below the ACK number) telling the client so.',
    ],
  },
  {
    name: 'zero-window',
    summary: 'a slow reader with a small receive buffer → window full, zero window, probes, window update',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--rcvbuf', '4096', '--read-rate', '20000'], fileBytes: 60_000 }],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.analysis.zero_window', 'tcp.analysis.window_update'],
    narrative: [
      'The client reads its socket slowly and has a small receive buffer, so the echoed bytes pile up in its kernel.',
      'Its advertised window shrinks to 0 ([TCP ZeroWindow]); the server stops and probes ([TCP ZeroWindowProbe]).',
      'As the reader drains the buffer, the client announces room again ([TCP Window Update]) and data flows.',
    ],
  },
  {
    name: 'keepalive',
    summary: 'an idle connection with keep-alive every second → keep-alive probes and their ACKs',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--send', 'hi', '--keepalive', '1', '--hold', '3500'] }],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack'],
    narrative: [
      'After one idle second the client sends a keep-alive: one byte below its next seq (Len 0 or 1), which the server must ACK.',
      'The server ACKs it ([TCP Keep-Alive ACK]); the connection is known to be alive without sending any data.',
    ],
  },
  {
    name: 'reset',
    summary: 'an abort (RST instead of FIN) and a connection attempt to a closed port',
    topology: 'loopback',
    serverArgs: [],
    clients: [
      { args: ['--send', 'hi', '--reset'] },
      { args: ['--send', 'hi'], port: LAB_PORT + 1, expectFailure: true, startAfterMs: 100 },
    ],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.flags.reset'],
    narrative: [
      'The client aborts: SO_LINGER 0 makes close() send an RST, not a FIN, and the connection is gone at once (no TIME_WAIT).',
      'A SYN to a port nobody listens on is answered with RST/ACK: "connection refused".',
    ],
  },
  {
    name: 'half-close',
    summary: 'the client sends FIN after its data but keeps reading; the echo still arrives',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: ['--send', SEED_LINE, '--half-close'] }],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.flags.fin'],
    narrative: [
      "The client's FIN follows its data at once (shutdown(SHUT_WR)): it will send no more, but reads on.",
      'The server still echoes the 19 bytes, then closes its side with its own FIN.',
    ],
  },
  {
    name: 'port-reuse',
    summary: 'two connections from the same source port → "TCP Port numbers reused"',
    topology: 'loopback',
    serverArgs: [],
    clients: [
      { args: ['--send', 'one', '--local-port', '40000', '--reset'] },
      { args: ['--send', 'two', '--local-port', '40000'], startAfterMs: 200 },
    ],
    faults: [],
    sysctls: {},
    expectFields: ['tcp.analysis.reused_ports'],
    narrative: [
      'The second connection uses the same 4-tuple as the first. Wireshark sees a SYN on a known conversation and starts a new stream ([TCP Port numbers reused]).',
      'The first connection was aborted with RST, so no TIME_WAIT blocks the reuse.',
    ],
  },
  {
    name: 'random-loss',
    summary: 'bulk transfer losing 4 random data segments (--seed N picks which; same seed, same run)',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: [], fileBytes: 400_000 }],
    faults: [],
    sysctls: {},
    seeded: (seed) => ({ faults: [{ from: 'client', port: LAB_PORT, kind: 'data', nth: seededPicks(seed, 4, 5, 200), where: 'network' }] }),
    expectFields: ['tcp.analysis.duplicate_ack', 'tcp.options.sack_le'],
    narrative: [
      'Four of the client\'s data segments are lost; which ones is decided by the seed, so a run can be repeated exactly.',
      'Each loss shows as duplicate ACKs with SACK blocks, then a retransmission: count how many Wireshark calls fast and compare with the kernel.',
    ],
  },
  {
    name: 'capture-gaps',
    summary: 'frames the capture missed → "previous segment not captured", "ACKed unseen segment"',
    topology: 'loopback',
    serverArgs: [],
    clients: [{ args: [], fileBytes: 60_000 }],
    faults: [],
    sysctls: {},
    captureMisses: { fromServerDataSegment: 3 },
    expectFields: ['tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment'],
    narrative: [
      "The transfer itself is clean; the saved capture lacks the server's 3rd data segment, as a busy capture host drops frames.",
      'The next segment jumps ahead of the expected seq: [TCP Previous segment not captured].',
      'The client then ACKs bytes the capture never saw: [TCP ACKed unseen segment]. No retransmission follows — nothing was lost on the wire.',
    ],
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
