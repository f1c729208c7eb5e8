/**
 * Fault injection with nftables (the kernel here has no netem): drop chosen TCP segments.
 *
 * A FaultRule picks packets by direction (from the server's port or to it), by kind (data
 * segments, pure ACKs, SYN, FIN, any) and then either the n-th ones (deterministic: "the 3rd data
 * segment from the server") or each with a probability (`numgen random`). Every drop is logged to
 * NFLOG group `nflogGroup`, so the lab knows exactly what it dropped (ground truth beside
 * Wireshark's guess) by capturing `nflog:GROUP` with tcpdump, and counted in a named counter.
 *
 * Where the drop happens decides what a capture shows:
 *  - 'network': in the receiver's prerouting hook, after the capture point: the capture shows the
 *    segment, the peer never gets it (a loss on the wire: retransmission follows).
 *  - 'before-capture': in the sender's output hook: the capture never sees the segment (a capture
 *    gap: "previous segment not captured", "ACKed unseen segment").
 *
 * Counting the n-th packet: `numgen inc` advances once per packet that reaches the expression, so
 * the classification happens first in per-rule chains and the counting rule sees only packets of
 * that kind. Payload length is not an nftables expression; a data segment is one whose IP length
 * exceeds its headers: one rule per TCP data offset (5..15), no IPv4 options or IPv6 extension
 * headers assumed (the lab makes none).
 */

export type FaultKind = 'data' | 'pure-ack' | 'syn' | 'fin' | 'any';

export interface FaultRule {
  /** Whose packets: 'server' = source port is `port`; 'client' = destination port is `port`. */
  from: 'server' | 'client';
  port: number;
  kind: FaultKind;
  /** Drop these matching packets (1-based), e.g. [3]. */
  nth?: readonly number[];
  /** Or drop each matching packet with this probability (0..1). */
  probability?: number;
  where: 'network' | 'before-capture';
}

export const FAULT_TABLE = 'tcplab_faults';

/** Name of rule i's drop counter (`nft list counter inet tcplab_faults drop_i`). */
export const counterName = (i: number): string => `drop_${i}`;

/**
 * The nft script (for `nft -f -`) that installs the rules in a namespace. Install the same script
 * in every lab host: a packet crosses its sender's output hook and its receiver's prerouting hook
 * once each, so each rule acts exactly once per packet whatever the topology. The table is
 * deleted and made anew, so applying twice is safe.
 */
export function nftScript(rules: readonly FaultRule[], nflogGroup: number): string {
  const lines: string[] = [];
  lines.push(`table inet ${FAULT_TABLE}`, `delete table inet ${FAULT_TABLE}`, `table inet ${FAULT_TABLE} {`);
  rules.forEach((_r, i) => lines.push(`  counter ${counterName(i)} { }`));
  for (const hook of ['prerouting', 'output'] as const) {
    lines.push(`  chain ${hook} {`, `    type filter hook ${hook} priority -300; policy accept;`);
    rules.forEach((r, i) => {
      if ((r.where === 'network') !== (hook === 'prerouting')) return;
      const dir = r.from === 'server' ? `tcp sport ${r.port}` : `tcp dport ${r.port}`;
      lines.push(`    meta l4proto tcp ${dir} jump classify_${i}`);
    });
    lines.push('  }');
  }
  rules.forEach((r, i) => {
    lines.push(`  chain classify_${i} {`);
    for (const m of kindMatches(r.kind)) lines.push(`    ${m ? m + ' ' : ''}goto count_${i}`);
    lines.push('  }', `  chain count_${i} {`);
    lines.push(`    ${selector(r)} counter name ${counterName(i)} log prefix "tcplab-drop-${i} " group ${nflogGroup} queue-threshold 1 drop`);
    lines.push('  }');
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

function selector(r: FaultRule): string {
  if (r.nth && r.nth.length > 0) {
    for (const n of r.nth) if (!Number.isInteger(n) || n < 1) throw new RangeError(`nth must be whole numbers from 1, got ${n}`);
    const set = [...new Set(r.nth)].sort((a, b) => a - b).map((n) => n - 1);
    return `numgen inc mod 1000000000 { ${set.join(', ')} }`;
  }
  const p = r.probability ?? 0;
  if (!(p > 0 && p <= 1)) throw new RangeError(`a fault rule needs nth or a probability in (0, 1], got ${p}`);
  // numgen random mod 10000 < p*10000: drops with probability p at 0.01 % resolution.
  return `numgen random mod 10000 < ${Math.max(1, Math.round(p * 10000))}`;
}

/** Classification matches for a packet kind (each followed by the goto). */
function kindMatches(kind: FaultKind): string[] {
  const noCtl = 'tcp flags & (syn | fin | rst) == 0';
  switch (kind) {
    case 'any':
      return [''];
    case 'syn':
      return ['tcp flags & syn == syn'];
    case 'fin':
      return ['tcp flags & fin == fin'];
    case 'data':
    case 'pure-ack': {
      const out: string[] = [];
      const cmp = kind === 'data' ? '>' : '==';
      for (let doff = 5; doff <= 15; doff++) {
        const tcpLen = doff * 4;
        out.push(`meta nfproto ipv4 tcp doff ${doff} ip length ${cmp} ${20 + tcpLen}${kind === 'pure-ack' ? ' ' + noCtl : ''}`);
        out.push(`meta nfproto ipv6 tcp doff ${doff} ip6 length ${cmp} ${tcpLen}${kind === 'pure-ack' ? ' ' + noCtl : ''}`);
      }
      return out;
    }
  }
}

/** Parses `nft -j list counters table inet tcplab_faults` output into packets dropped per rule. */
export function parseCounters(json: string): Map<number, number> {
  const out = new Map<number, number>();
  const doc = JSON.parse(json) as { nftables?: Array<{ counter?: { name: string; packets: number } }> };
  for (const item of doc.nftables ?? []) {
    const c = item.counter;
    const m = c ? /^drop_(\d+)$/.exec(c.name) : null;
    if (c && m) out.set(Number(m[1]), c.packets);
  }
  return out;
}
