/**
 * Conversation keys for TCP (spec/tcp-analysis.md §2.1): the unordered pair
 * {(srcIP, srcPort), (dstIP, dstPort)}, so both directions find the same stream, plus which of
 * the stream's two direction slots the packet belongs to.
 *
 * Direction follows Wireshark's rule (compare address bytes, then ports; source greater ⇒ slot 1,
 * otherwise slot 2). It is invisible in the output but keeps src == dst captures consistent.
 * VLAN and interface are not part of the key (tshark 4.0 has no deinterlacing).
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';

export interface FlowKey {
  /** Canonical key of the 4-tuple, the same for both directions. */
  key: string;
  /** True when the packet's source endpoint sorts above its destination (Wireshark's flow1). */
  srcIsFlow1: boolean;
}

function hex2(b: number): string {
  return b < 16 ? '0' + b.toString(16) : b.toString(16);
}

function ip6Text(data: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += hex2(data[off + i] ?? 0);
  return s;
}

/** Which IP header carries the TCP segment: the innermost one before 'tcp' in the layer list. */
function innerIp(pkt: DecodedPacket): 'ip' | 'ipv6' | undefined {
  const ls = pkt.layers;
  for (let i = ls.length - 1; i >= 0; i--) {
    const l = ls[i];
    if (l === 'ip' || l === 'ipv6') return l;
  }
  return pkt.ip4 ? 'ip' : pkt.ip6 ? 'ipv6' : undefined;
}

/**
 * The conversation key of a TCP packet, or undefined when it has no IP addresses to key on.
 * IPv4 endpoints are exact integers ip·65536 + port (< 2^48); IPv6 ones are hex text.
 */
export function flowKeyOf(record: CaptureRecord, pkt: DecodedPacket, srcPort: number, dstPort: number): FlowKey | undefined {
  const which = innerIp(pkt);
  if (which === 'ip' && pkt.ip4) {
    const a = pkt.ip4.src * 65536 + srcPort;
    const b = pkt.ip4.dst * 65536 + dstPort;
    const srcIsFlow1 = a > b;
    return { key: srcIsFlow1 ? '4:' + b + ',' + a : '4:' + a + ',' + b, srcIsFlow1 };
  }
  if (which === 'ipv6' && pkt.ip6) {
    const sa = ip6Text(record.data, pkt.ip6.srcOffset);
    const da = ip6Text(record.data, pkt.ip6.dstOffset);
    const srcIsFlow1 = sa > da || (sa === da && srcPort > dstPort);
    const a = sa + '.' + srcPort;
    const b = da + '.' + dstPort;
    return { key: srcIsFlow1 ? '6:' + b + ',' + a : '6:' + a + ',' + b, srcIsFlow1 };
  }
  return undefined;
}
