/**
 * tshark `-T fields` values computed from a DecodedPacket, for the decode/ golden tables and the
 * corpus comparison (scripts/decode-vs-tshark.ts). This is test code standing in for fields/
 * until the registry lands; it mirrors tshark 4.0's occurrence rules for the fields listed:
 * several occurrences (tunnels, ICMP-quoted headers) are joined with ','.
 *
 * Golden files are made with (tshark never runs in tests):
 *   tshark -r F -o tcp.relative_sequence_numbers:FALSE -T fields -e <each of DECODE_FIELDS>
 */
import type { DecodedPacket, TcpHeader } from '../../src/decode/packet.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import { formatIPv4, formatIPv4Bytes, formatIPv6, formatMac } from '../../src/util/addr.js';
import { formatHex } from '../../src/util/bytes.js';
import { tcpShown } from '../../src/decode/tcp.js';

export const DECODE_FIELDS = [
  'frame.number', 'eth.src', 'eth.dst', 'eth.type', 'vlan.id', 'vlan.etype', 'sll.pkttype', 'sll.etype',
  'null.family', 'ip.hdr_len', 'ip.len', 'ip.id', 'ip.flags', 'ip.ttl', 'ip.src', 'ip.dst', 'ip.proto',
  'ip.frag_offset', 'ipv6.plen', 'ipv6.nxt', 'ipv6.flow', 'ipv6.hlim', 'ipv6.src', 'ipv6.dst', 'tcp.checksum', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.hdr_len', 'tcp.flags',
  'tcp.window_size_value', 'tcp.urgent_pointer', 'tcp.option_kind', 'tcp.options.mss_val',
  'tcp.options.wscale.shift', 'tcp.options.sack_perm', 'tcp.options.timestamp.tsval',
  'tcp.options.timestamp.tsecr', 'tcp.options.sack_le', 'tcp.options.sack_re', 'udp.srcport', 'udp.dstport',
  'udp.length', 'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'eth.padding', 'eth.trailer',
  'eth.fcs', 'vlan.trailer', '_ws.short',
] as const;
export type DecodeField = (typeof DECODE_FIELDS)[number];

/** The packet and every packet quoted inside it (ICMP errors), outermost first. */
function chain(pkt: DecodedPacket): DecodedPacket[] {
  return chainAll(pkt);
}

/** Every IP header of a packet chain in order (tunnels' outer headers first). */
function ips<T extends 4 | 6>(pk: DecodedPacket[], v: T): (T extends 4 ? import('../../src/decode/packet.js').Ipv4Header : import('../../src/decode/packet.js').Ipv6Header)[] {
  const out: unknown[] = [];
  for (const p of pk) {
    for (const t of p.tunnelIps) if (t.version === v) out.push(t);
    const h = v === 4 ? p.ip4 : p.ip6;
    if (h !== undefined) out.push(h);
  }
  return out as never;
}

function chainAll(pkt: DecodedPacket): DecodedPacket[] {
  const out: DecodedPacket[] = [];
  let p: DecodedPacket | undefined = pkt;
  for (let i = 0; p !== undefined && i < 8; i++) {
    out.push(p);
    p = p.icmp?.quoted;
  }
  return out;
}

function hexN(v: number, digits: number): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

function join(vals: (string | undefined)[]): string {
  return vals.filter((v): v is string => v !== undefined).join(',');
}

/** tcp.* values tshark shows for a header (presence rules: decode/tcp.ts tcpShown). */
function tcpVals(t: TcpHeader, quoted: boolean, f: DecodeField, data: Uint8Array): string | undefined {
  const sh = tcpShown(t, quoted);
  switch (f) {
    case 'tcp.srcport': return String(t.srcPort);
    case 'tcp.dstport': return String(t.dstPort);
    case 'tcp.seq_raw': return sh.seqRaw ? String(t.seq >>> 0) : undefined;
    case 'tcp.ack_raw': return sh.ack ? String(t.ack >>> 0) : undefined;
    case 'tcp.len': return sh.len ? String(t.len) : undefined;
    case 'tcp.hdr_len': return sh.hdrLen ? String(t.hdrLen) : undefined;
    case 'tcp.flags': return sh.flags ? '0x' + t.flags.toString(16).padStart(4, '0') : undefined;
    case 'tcp.window_size_value': return sh.window ? String(t.window) : undefined;
    case 'tcp.urgent_pointer': return sh.urgent ? String(t.urgent) : undefined;
    case 'tcp.checksum': return sh.checksum ? hexN(t.checksum, 4) : undefined;
    case 'tcp.option_kind': return t.options.length ? t.options.map(o => String(o.kind)).join(',') : undefined;
    case 'tcp.options.mss_val': return t.mss !== undefined ? String(t.mss) : undefined;
    case 'tcp.options.wscale.shift': return t.wscale !== undefined ? String(t.wscale) : undefined;
    case 'tcp.options.sack_perm': {
      const o = t.options.filter(x => x.kind === 4 && x.length === 2);
      return o.length ? o.map(x => formatHex(data, x.offset, x.length)).join(',') : undefined;
    }
    case 'tcp.options.timestamp.tsval': return t.tsval !== undefined ? String(t.tsval) : undefined;
    case 'tcp.options.timestamp.tsecr': return t.tsecr !== undefined ? String(t.tsecr) : undefined;
    case 'tcp.options.sack_le': return t.sack.length ? t.sack.map(b => String(b.le)).join(',') : undefined;
    case 'tcp.options.sack_re': return t.sack.length ? t.sack.map(b => String(b.re)).join(',') : undefined;
    default: return undefined;
  }
}

/** The value tshark would print for `f` (empty string when absent). */
export function fieldValue(rec: CaptureRecord, pkt: DecodedPacket, f: DecodeField): string {
  const data = rec.data;
  const pk = chain(pkt);
  switch (f) {
    case 'frame.number': return String(rec.frameNo);
    case 'eth.src': return pkt.eth ? formatMac(data, pkt.eth.srcOffset) : '';
    case 'eth.dst': return pkt.eth ? formatMac(data, pkt.eth.dstOffset) : '';
    case 'eth.type': return pkt.eth && pkt.eth.outerType > 1500 ? hexN(pkt.eth.outerType, 4) : '';
    case 'eth.padding': return pkt.eth && pkt.eth.paddingLength ? formatHex(data, pkt.eth.paddingOffset, pkt.eth.paddingLength) : '';
    case 'eth.trailer': return pkt.eth && pkt.eth.trailerLength && pkt.vlan.length === 0 ? formatHex(data, pkt.eth.trailerOffset, pkt.eth.trailerLength) : '';
    case 'eth.fcs': return pkt.eth && pkt.eth.fcsOffset >= 0 ? '0x' + formatHex(data, pkt.eth.fcsOffset, 4) : '';
    case 'vlan.trailer': return pkt.eth && pkt.eth.trailerLength && pkt.vlan.length > 0 ? formatHex(data, pkt.eth.trailerOffset, pkt.eth.trailerLength) : '';
    case 'arp.opcode': return pkt.arp ? String(pkt.arp.opcode) : '';
    case 'arp.src.proto_ipv4': return pkt.arp && pkt.arp.protoSize === 4 && pkt.arp.protoType === 0x0800 ? formatIPv4Bytes(data, pkt.arp.senderProtoOffset) : '';
    case 'arp.dst.proto_ipv4': return pkt.arp && pkt.arp.protoSize === 4 && pkt.arp.protoType === 0x0800 ? formatIPv4Bytes(data, pkt.arp.targetProtoOffset) : '';
    case 'vlan.id': return pkt.vlan.map(v => String(v.id)).join(',');
    case 'vlan.etype': return pkt.vlan.filter(v => v.type > 1500).map(v => hexN(v.type, 4)).join(',');
    case 'sll.pkttype': return pkt.sll ? String(pkt.sll.packetType) : '';
    case 'sll.etype': return pkt.sll && pkt.sll.protocol > 1500 ? hexN(pkt.sll.protocol, 4) : '';
    case 'null.family': return pkt.null && pkt.null.family <= 1500 ? String(pkt.null.family) : '';
    case 'ip.hdr_len': return join(ips(pk, 4).map(h => String(h.hdrLen)));
    case 'ip.len': return join(ips(pk, 4).map(h => String(h.totalLen)));
    case 'ip.id': return join(ips(pk, 4).map(h => hexN(h.id, 4)));
    case 'ip.flags': return join(ips(pk, 4).map(h => hexN(h.flags, 2)));
    case 'ip.ttl': return join(ips(pk, 4).map(h => String(h.ttl)));
    case 'ipv6.plen': return join(ips(pk, 6).map(h => String(h.payloadLen)));
    case 'ipv6.nxt': return join(ips(pk, 6).map(h => String(h.nextHeader)));
    case 'ipv6.flow': return join(ips(pk, 6).map(h => hexN(h.flowLabel, 6)));
    case 'ipv6.hlim': return join(ips(pk, 6).map(h => String(h.hopLimit)));
    case 'ip.src': return join(ips(pk, 4).map(h => formatIPv4(h.src)));
    case 'ip.dst': return join(ips(pk, 4).map(h => formatIPv4(h.dst)));
    case 'ip.proto': return join(ips(pk, 4).map(h => String(h.proto)));
    case 'ip.frag_offset': return join(ips(pk, 4).map(h => String(h.fragOffset)));
    case 'ipv6.src': return join(ips(pk, 6).map(h => formatIPv6(data, h.srcOffset)));
    case 'ipv6.dst': return join(ips(pk, 6).map(h => formatIPv6(data, h.dstOffset)));
    case 'udp.srcport': return join(pk.map(p => p.udp && String(p.udp.srcPort)));
    case 'udp.dstport': return join(pk.map(p => p.udp && String(p.udp.dstPort)));
    case 'udp.length': return join(pk.map(p => p.udp && String(p.udp.udpLength)));
    case 'icmp.type': return join(pk.map(p => p.icmp?.version === 4 ? String(p.icmp.type) : undefined));
    case 'icmp.code': return join(pk.map(p => p.icmp?.version === 4 ? String(p.icmp.code) : undefined));
    case 'icmpv6.type': return join(pk.map(p => p.icmp?.version === 6 ? String(p.icmp.type) : undefined));
    case 'icmpv6.code': return join(pk.map(p => p.icmp?.version === 6 ? String(p.icmp.code) : undefined));
    case '_ws.short': return pkt.truncated ? 'short' : '';
    default:
      if (f.startsWith('tcp.')) return join(pk.map((p, i) => p.tcp && tcpVals(p.tcp, i > 0, f, data)));
      return '';
  }
}

/** One TSV row (fields in DECODE_FIELDS order). */
export function fieldRow(rec: CaptureRecord, pkt: DecodedPacket): string[] {
  return DECODE_FIELDS.map(f => fieldValue(rec, pkt, f));
}

/** Normalises a tshark row for comparison: _ws.short is compared by presence only. */
export function normaliseTsharkRow(cols: string[]): string[] {
  return DECODE_FIELDS.map((f, i) => {
    const v = cols[i] ?? '';
    if (f === '_ws.short') return v !== '' ? 'short' : '';
    return v;
  });
}

/**
 * Compares our row with tshark's (already normalised) for one frame and returns the fields that
 * differ. One documented divergence is absorbed here: tshark also marks a frame short when an
 * application dissector (HTTP, X11, …) runs into the snaplen cut of the payload; tcplab dissects
 * no application protocols, so such frames are not `truncated` for us.
 */
export function diffRow(rec: CaptureRecord, pkt: DecodedPacket, theirs: string[]): { fields: DecodeField[]; appShort: boolean } {
  const ours = fieldRow(rec, pkt);
  const kShort = DECODE_FIELDS.indexOf('_ws.short');
  let appShort = false;
  if (ours[kShort] === '' && theirs[kShort] !== '' && rec.capLen < rec.origLen && pkt.payloadLength > 0 && !pkt.truncated) {
    appShort = true;
  }
  const fields: DecodeField[] = [];
  for (let k = 0; k < DECODE_FIELDS.length; k++) {
    if (k === kShort && appShort) continue;
    if (ours[k] !== theirs[k]) fields.push(DECODE_FIELDS[k]!);
  }
  return { fields, appShort };
}

/** tshark arguments that produce a golden / comparison table for `path`. */
export function tsharkArgs(path: string): string[] {
  const args = ['-r', path, '-n', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields', '-E', 'occurrence=a'];
  for (const f of DECODE_FIELDS) args.push('-e', f);
  return args;
}
