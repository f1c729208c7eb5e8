/**
 * The kernel's own TCP accounting, read inside a lab namespace: /proc/net/netstat (TcpExt) and
 * /proc/net/snmp (Tcp). MIB counters are per network namespace and a lab namespace starts at
 * zero, so what is read at the end of an experiment is exactly what that experiment caused.
 */

export type Counters = Map<string, number>;

/**
 * Parses /proc/net/netstat or /proc/net/snmp text: pairs of lines "Prefix: names…" and
 * "Prefix: values…". Keys are "Prefix.Name" (e.g. "TcpExt.TCPTimeouts", "Tcp.RetransSegs").
 */
export function parseProcNet(text: string, into: Counters = new Map()): Counters {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i]!.split(/\s+/).filter(Boolean);
    const values = lines[i + 1]!.split(/\s+/).filter(Boolean);
    const prefix = names[0];
    if (!prefix || prefix !== values[0]) continue;
    const p = prefix.replace(/:$/, '');
    for (let k = 1; k < names.length && k < values.length; k++) into.set(`${p}.${names[k]}`, Number(values[k]));
  }
  return into;
}

/** The counters that tell what really happened to retransmissions, with plain names. */
export const KEY_COUNTERS: ReadonlyArray<readonly [string, string]> = [
  ['Tcp.RetransSegs', 'segments retransmitted'],
  ['TcpExt.TCPTimeouts', 'retransmission timeouts (RTO)'],
  ['TcpExt.TCPLossProbes', 'tail-loss probes sent'],
  ['TcpExt.TCPLossProbeRecovery', 'losses recovered by a tail-loss probe'],
  ['TcpExt.TCPFastRetrans', 'fast retransmits'],
  ['TcpExt.TCPSlowStartRetrans', 'retransmits in slow start'],
  ['TcpExt.TCPSynRetrans', 'SYN retransmits'],
  ['TcpExt.TCPSpuriousRTOs', 'spurious RTOs detected (F-RTO)'],
  ['TcpExt.TCPDSACKOldSent', 'D-SACKs sent for old data'],
  ['TcpExt.TCPDSACKOfoSent', 'D-SACKs sent for out-of-order data'],
  ['TcpExt.TCPDSACKRecv', 'D-SACKs received'],
  ['TcpExt.TCPSACKReorder', 'reorderings detected by SACK'],
  ['TcpExt.TCPToZeroWindowAdv', 'zero windows advertised'],
  ['TcpExt.TCPFromZeroWindowAdv', 'windows reopened from zero'],
  ['TcpExt.TCPWinProbe', 'zero-window probes sent'],
  ['TcpExt.TCPKeepAlive', 'keep-alive probes sent'],
  ['Tcp.OutRsts', 'RSTs sent'],
  ['TcpExt.TCPAbortOnData', 'connections reset on unread data'],
  ['TcpExt.DelayedACKs', 'delayed ACKs sent'],
];

/** Differences b − a for the counters that changed (a may be empty: a fresh namespace). */
export function counterDelta(a: Counters, b: Counters): Counters {
  const out: Counters = new Map();
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0);
    if (d !== 0) out.set(k, d);
  }
  return out;
}
