/**
 * `--explain`: why the TCP analysis flagged a frame, in plain words with the numbers that decided
 * it (the rules are spec/tcp-analysis.md §6.2; the numbers are TcpFrameAnalysis.facts, the state
 * before this frame). One line per flag, in the order the Info markers show them.
 * Pure formatting: no I/O.
 */
import type { TcpFlagFacts, TcpFrameAnalysis } from '../analysis/types.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK,
  TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL, TA_WINDOW_UPDATE, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK,
} from '../analysis/types.js';

/** "1.250 ms", "0.206522 s": short human durations (µs precision). */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1_000_000) return `${(ns / 1000).toFixed(0)} µs`;
  if (a < 1_000_000_000) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(6)} s`;
}

const u32 = (n: number): number => n >>> 0;
const end = (f: TcpFlagFacts): number => u32(f.seq + f.len);
const bytes = (n: number): string => `${n} byte${n === 1 ? '' : 's'}`;
function range(f: TcpFlagFacts): string {
  const ctl = (f.tcpFlags & 0x002) !== 0 ? 'SYN' : (f.tcpFlags & 0x001) !== 0 ? 'FIN' : '';
  if (f.len > 0) return `Seq ${f.seq}–${end(f)} (${bytes(f.len)}${ctl ? ' + ' + ctl : ''})`;
  return ctl ? `the ${ctl} at Seq ${f.seq}` : `Seq ${f.seq} (no data)`;
}

function peerLast(f: TcpFlagFacts): string {
  return f.sincePeerNs < 0 ? 'the peer had sent nothing yet' : `the peer's last packet was ${formatDuration(f.sincePeerNs)} before`;
}

function notSpurious(f: TcpFlagFacts): string {
  return f.peerAck < 0 ? 'the peer had not acknowledged anything yet' : `the peer had acknowledged only up to ${f.peerAck}`;
}

function dupAcks(n: number): string {
  if (n === 0xffffffff) return 'the peer\'s duplicate-ACK counter was left "unsigned -1" by an ACKed-unseen segment (counts as ≥ 2)';
  return `the peer had sent ${n} duplicate ACK${n === 1 ? '' : 's'}`;
}

function threshold(f: TcpFlagFacts): string {
  return f.thresholdIsIrtt ? `the iRTT of ${formatDuration(f.thresholdNs)}` : `3 ms (no iRTT known)`;
}

type Explainer = (a: TcpFrameAnalysis, f: TcpFlagFacts) => string;

const EXPLAIN: readonly (readonly [number, string, Explainer])[] = [
  [TA_REUSED_PORTS, 'Port numbers reused', (_a, f) =>
    `a ${(f.tcpFlags & 0x010) !== 0 ? 'SYN+ACK' : 'SYN'} on a 4-tuple already in use, with initial sequence number ${u32(f.rawSeq)} instead of the earlier `
    + `${f.previousIsn >= 0 ? u32(f.previousIsn) : '?'}: ${(f.tcpFlags & 0x010) !== 0 ? 'the sequence numbers of this side are rebased' : 'a new connection (new tcp.stream) on the same ports'}.`],
  [TA_RETRANSMISSION, 'Retransmission', (a, f) =>
    `${range(f)} starts before ${f.expectedSeq}, the next sequence number this side had already sent (frame ${f.expectedFrame}); `
    + `${notSpurious(f)}, so not spurious; ${dupAcks(f.peerDupAcks)} and ${peerLast(f)}, so not a fast retransmission; `
    + `${formatDuration(f.sinceExpectedNs)} passed since frame ${f.expectedFrame}, not less than ${threshold(f)}, so not out-of-order.`
    + (a.rtoFrame !== 0 && a.rtoNs !== 0 ? ` RTO ${formatDuration(a.rtoNs)}, counted from frame ${a.rtoFrame} (the oldest unacknowledged segment).` : '')],
  [TA_FAST_RETRANSMISSION, 'Fast Retransmission', (_a, f) =>
    `${range(f)} resends data below ${f.expectedSeq} (next sequence already sent); ${dupAcks(f.peerDupAcks)} all asking for ${f.seq}, `
    + `and its last one came ${formatDuration(f.sincePeerNs)} before (less than 20 ms).`],
  [TA_SPURIOUS_RETRANSMISSION, 'Spurious Retransmission', (_a, f) =>
    `${range(f)} ends at or below ${f.peerAck}, which the peer had already acknowledged: the receiver had these bytes.`],
  [TA_OUT_OF_ORDER, 'Out-Of-Order', (_a, f) =>
    `${range(f)} starts before ${f.expectedSeq}, the highest next sequence number seen (frame ${f.expectedFrame}), only `
    + `${formatDuration(f.sinceExpectedNs)} after it — less than ${threshold(f)} — and does not end there: sent earlier, arrived later.`],
  [TA_LOST_SEGMENT, 'Previous segment not captured', (_a, f) =>
    `${range(f)} starts after ${f.expectedSeq}, the next sequence number expected from this side: `
    + `${bytes(u32(f.seq - f.expectedSeq))} before it were never seen in the capture.`],
  [TA_ACK_LOST_SEGMENT, 'ACKed unseen segment', (_a, f) =>
    `this packet acknowledges ${f.ack}, beyond ${f.peerMaxSeq}, the end of the data seen contiguously from the peer: `
    + `the receiver got bytes that the capture did not.`],
  [TA_WINDOW_UPDATE, 'Window Update', (_a, f) =>
    `no data, same Seq ${f.seq} and Ack ${f.ack} as this side's previous packet, but the window changed from ${f.prevWindow} to ${f.window} (raw values).`],
  [TA_WINDOW_FULL, 'Window Full', (_a, f) =>
    `${range(f)} ends exactly at ${end(f)} = the peer's ack ${f.peerAck} + its window ${f.peerWindow}${f.peerShift > 0 ? ` << ${f.peerShift}` : ''}: `
    + `the sender filled the receiver's advertised window.`],
  [TA_KEEP_ALIVE, 'Keep-Alive', (_a, f) =>
    `${bytes(f.len)} at Seq ${f.seq}, one below ${f.expectedSeq} (the next sequence number expected): a probe that only asks the peer to answer.`],
  [TA_KEEP_ALIVE_ACK, 'Keep-Alive ACK', (_a, f) =>
    `no data, same Seq/Ack ${f.seq}/${f.ack} and window ${f.window} as before, and the peer's last packet was a keep-alive: this answers it.`],
  [TA_DUPLICATE_ACK, 'Dup ACK', (a, _f) =>
    `no data, and Seq, Ack and window equal to this side's previous packet; number ${a.dupAckNum} of the ACKs repeating frame ${a.dupAckFrame}: `
    + `the receiver is still waiting for the byte at Ack.`],
  [TA_ZERO_WINDOW_PROBE, 'ZeroWindowProbe', (_a, f) =>
    `1 byte at Seq ${f.seq}, the next sequence number, while the peer's window was 0: a probe for window space (it does not advance the stream).`],
  [TA_ZERO_WINDOW, 'ZeroWindow', (_a, f) =>
    `window field ${f.window}: the receiver has no buffer space; the sender must stop sending data.`],
  [TA_ZERO_WINDOW_PROBE_ACK, 'ZeroWindowProbeAck', (_a, f) =>
    `no data, same Seq/Ack ${f.seq}/${f.ack} and still window 0, right after the peer's zero-window probe: it answers the probe.`],
];

/**
 * One line per flag set on the frame: "[TCP <marker>] <reason>", in the Info column's order
 * (markers printed last by tshark come first). Empty when the frame has no flag.
 */
export function explainTcpAnalysis(a: TcpFrameAnalysis): string[] {
  const f = a.facts;
  if (f === undefined || a.flags === 0) return [];
  const lines: string[] = [];
  for (const [bit, name, explain] of EXPLAIN) {
    if ((a.flags & bit) === 0) continue;
    const marker = bit === TA_DUPLICATE_ACK ? `Dup ACK ${a.dupAckFrame}#${a.dupAckNum}` : name;
    lines.unshift(`[TCP ${marker}] ${explain(a, f)}`);
  }
  return lines;
}
