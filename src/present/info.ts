/**
 * The Protocol and Info columns, as tshark 4.0 fills them (spec/tcp-analysis.md §11, §13).
 *
 * TCP: `[markers] <sport> → <dport> [<FLAGS>] Seq=<s>[ Ack=<a>] Win=<w>[ Urg=<u>] Len=<l>[ options]`
 * with the markers from formatAnalysisPrefix (analysis owner). UDP: `<sport> → <dport> Len=<n>`.
 * ICMP echo: `Echo (ping) request  id=0x04d2, seq=4321/57616, ttl=100`.
 *
 * Application protocols over TCP that tcplab models (HTTP, TLS, SSH, BitTorrent, MQTT, Thrift,
 * X11 framing: analysis/http-reassembly.ts, analysis/app-pdus.ts) replay their column operations
 * over the TCP text (present/http-info.ts), "[TCP segment of a reassembled PDU]" included.
 * Known divergences (documented in the golden headers): other application protocols (DNS over
 * UDP, SMB, LDAP, …) are not dissected — we show TCP/UDP and the transport text; AccECN "ACE="
 * rendering is not done; ICMP "(reply in N)" links are omitted.
 */
import { be16, be32, u8at } from '../util/bytes.js';
import type { Frame } from '../fields/field.js';
import type { TcpHeader } from '../decode/packet.js';
import { formatAnalysisPrefix } from './tcp-analysis-info.js';
import { exceptionText, httpColumns } from './http-info.js';
import { tcpException } from '../fields/transport.js';
import { tcpPortsCut, tcpReadFixed, tcpReadSane } from '../decode/tcp.js';
import { relativeSequenceNumbers } from '../fields/tcp-analysis.js';
import { TCP_ACK, TCP_URG } from '../fields/tcp.js';
import { echoRequestOf } from '../pipeline/session.js';
import { formatIPv4 as ip4s, formatIPv6 as ip6s, formatMac } from '../fields/format.js';

/** Info is cut at 4096 bytes by Wireshark (COL_MAX_INFO_LEN - 1). */
const COL_MAX_INFO_LEN = 4095;

const ARROW = ' \u2192 ';

const FLAG_NAMES: readonly [number, string][] = [
  [0x001, 'FIN'], [0x002, 'SYN'], [0x004, 'RST'], [0x008, 'PSH'], [0x010, 'ACK'], [0x020, 'URG'],
  [0x040, 'ECE'], [0x080, 'CWR'], [0x100, 'AE'],
];

/** tcpFlagNames by 12-bit flags value, filled on first use (profile: the join cost ~3 % of `read`). */
const FLAG_TEXT: (string | undefined)[] = new Array<string | undefined>(0x1000);

/** "SYN, ACK", "<None>", "…, Reserved": the bracketed flag list. */
export function tcpFlagNames(flags: number): string {
  const k = flags & 0xfff;
  return k === flags ? (FLAG_TEXT[k] ??= buildFlagNames(k)) : buildFlagNames(flags);
}

function buildFlagNames(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) names.push(name);
  if ((flags & 0xe00) !== 0) names.push('Reserved');
  return names.length === 0 ? '<None>' : names.join(', ');
}


/** The option texts appended to TCP Info, in wire order (each with its leading space). */
export function tcpOptionsInfo(f: Frame, t: TcpHeader): string {
  const d = f.record.data;
  let s = '';
  const peerBase = f.tcp && (t.flags & TCP_ACK) !== 0 && relativeSequenceNumbers() ? (t.ack - f.tcp.relAck) >>> 0 : 0;
  for (const o of t.options) {
    const p = o.offset, len = o.length;
    // An option cut by the snaplen throws in tshark before its text is appended (SACK appends
    // block by block: the whole blocks before the cut still show).
    if (o.captured < len && o.kind !== 5) continue;
    switch (o.kind) {
      case 2: if (len === 4) s += ` MSS=${be16(d, p + 2)}`; break;
      case 3: if (len === 3) s += ` WS=${2 ** Math.min(u8at(d, p + 2), 14)}`; break;
      case 4: s += ' SACK_PERM'; break;
      case 5:
        for (let q = p + 2; q + 8 <= p + len && q + 8 <= p + o.captured; q += 8) {
          s += ` SLE=${(be32(d, q) - peerBase) >>> 0} SRE=${(be32(d, q + 4) - peerBase) >>> 0}`;
        }
        break;
      case 6: case 7: if (len === 6) s += ` ECHO=${be32(d, p + 2)}`; break;
      case 8: if (len === 10) s += ` TSval=${be32(d, p + 2)} TSecr=${be32(d, p + 6)}`; break;
      case 11: case 12: case 13: if (len === 6) s += ` CC=${be32(d, p + 2)}`; break;
      case 19: s += ' MD5'; break;
      case 28: if (len === 4) s += ` USER_TO=${be16(d, p + 2) & 0x7fff}`; break;
      case 29: s += 'TCP AO'; break;
      case 34: s += len === 2 ? ' TFO=R' : ' TFO=C'; break;
      case 253: case 254: {
        if (len < 4) break;
        const exid = be16(d, p + 2);
        if (exid === 0xf989) s += len === 4 ? ' TFO=R' : ' TFO=C';
        else if (exid !== 0x00ac && exid !== 0xacc0 && exid !== 0xacc1) s += ` ExID=${exid.toString(16).toUpperCase()}`;
        break;
      }
      default: break;
    }
  }
  return s;
}

/** TCP Info text (without app-protocol text). */
export function tcpInfo(f: Frame, t: TcpHeader): string {
  const a = f.tcp;
  // dissect_tcp adds the ports, then reads seq…window: a header cut before the window ends there.
  if (!tcpReadFixed(t)) return `${t.srcPort}${ARROW}${t.dstPort}${exceptionText(tcpException(f)!.kind)}`;
  const rel = a !== undefined && relativeSequenceNumbers();
  const seq = rel ? a.relSeq : t.seq;
  let s = `${t.srcPort}${ARROW}${t.dstPort} [${tcpFlagNames(t.flags)}] Seq=${seq}`;
  if ((t.flags & TCP_ACK) !== 0) s += ` Ack=${rel ? a.relAck : t.ack}`;
  s += ` Win=${a ? a.windowSize : t.window}`;
  // dissect_tcp gives up on a data offset below 5 right after the window (no Urg, Len, options).
  if (t.hdrLen < 20) return (a ? formatAnalysisPrefix(a) : '') + s + `, bogus TCP header length (${t.hdrLen}, must be at least 20)`;
  // Urg and Len follow the urgent pointer's read: a header cut before it (snaplen) has neither.
  if (tcpReadSane(t, 20)) {
    if ((t.flags & TCP_URG) !== 0) s += ` Urg=${t.urgent}`;
    // No Len when tcp.len is unknown (a segment shorter than its header).
    if (t.hasLen) s += ` Len=${t.len}`;
  }
  s += tcpOptionsInfo(f, t);
  // Options cut short end the dissection with tshark's exception text: past the segment's
  // reported end a ReportedBoundsError, past the captured bytes (snaplen) a BoundsError.
  const ex = tcpException(f);
  if (ex !== undefined) s += exceptionText(ex.kind);
  return a ? formatAnalysisPrefix(a) + s : s;
}

const ICMP_TYPES: Record<number, string> = {
  0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench (flow control)', 5: 'Redirect',
  8: 'Echo (ping) request', 9: 'Router advertisement', 10: 'Router solicitation', 11: 'Time-to-live exceeded',
  12: 'Parameter problem', 13: 'Timestamp request', 14: 'Timestamp reply', 17: 'Address mask request',
  18: 'Address mask reply',
};
const UNREACH: Record<number, string> = {
  0: 'Network unreachable', 1: 'Host unreachable', 2: 'Protocol unreachable', 3: 'Port unreachable',
  4: 'Fragmentation needed', 5: 'Source route failed', 6: 'Destination network unknown', 7: 'Destination host unknown',
  9: 'Network administratively prohibited', 10: 'Host administratively prohibited', 13: 'Communication administratively filtered',
};
const TTL_EXCEEDED: Record<number, string> = { 0: 'Time to live exceeded in transit', 1: 'Fragment reassembly time exceeded' };
const ICMP6_TYPES: Record<number, string> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem',
  128: 'Echo (ping) request', 129: 'Echo (ping) reply', 133: 'Router Solicitation', 134: 'Router Advertisement',
  135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement', 137: 'Redirect', 130: 'Multicast Listener Query',
  131: 'Multicast Listener Report', 132: 'Multicast Listener Done', 143: 'Multicast Listener Report Message v2',
};

function icmpInfo(f: Frame): string {
  const i = f.pkt.icmp!;
  const d = f.record.data;
  if (i.version === 6) {
    const name = ICMP6_TYPES[i.type] ?? `Unknown (${i.type})`;
    if ((i.type === 128 || i.type === 129) && i.length >= 8) {
      const id = be16(d, i.offset + 4), seq = be16(d, i.offset + 6);
      return `${name} id=0x${id.toString(16).padStart(4, '0')}, seq=${seq}, hop limit=${f.pkt.ip6?.hopLimit ?? 0}`;
    }
    const optStart = i.type === 133 ? 8 : i.type === 134 ? 16 : 24;
    if (i.type >= 133 && i.type <= 136 && d.length >= i.offset + optStart) {
      let text = i.type === 135 ? `${name} for ${ip6s(d.subarray(i.offset + 8, i.offset + 24))}`
        : i.type === 136 ? `${name} ${ip6s(d.subarray(i.offset + 8, i.offset + 24))}` : name;
      if (i.type === 136) {
        const fl = u8at(d, i.offset + 4);
        const marks = [(fl & 0x80) ? 'rtr' : '', (fl & 0x40) ? 'sol' : '', (fl & 0x20) ? 'ovr' : ''].filter(Boolean);
        if (marks.length) text += ` (${marks.join(', ')})`;
      }
      // Source/target link-layer address option (type 1 / 2, 8 bytes) → "from"/"is at".
      let q = i.offset + optStart;
      const end = f.pkt.ip6 ? Math.min(d.length, f.pkt.ip6.offset + 40 + f.pkt.ip6.payloadLen) : d.length;
      while (q + 2 <= end) {
        const t = u8at(d, q), l = u8at(d, q + 1) * 8;
        if (l === 0 || q + l > end) break;
        if (t === 1 && i.type !== 136 && l === 8) text += ` from ${formatMac(d.subarray(q + 2, q + 8))}`;
        if (t === 2 && i.type === 136 && l === 8) text += ` is at ${formatMac(d.subarray(q + 2, q + 8))}`;
        q += l;
      }
      return text;
    }
    return name;
  }
  const name = ICMP_TYPES[i.type] ?? `Unknown ICMP (obsolete or malformed?)`;
  if ((i.type === 0 || i.type === 8) && i.length >= 8) {
    const id = be16(d, i.offset + 4), seq = be16(d, i.offset + 6);
    const seqLe = ((seq & 0xff) << 8) | (seq >> 8);
    const req = echoRequestOf(f);
    return `${name.padEnd(20)} id=0x${id.toString(16).padStart(4, '0')}, seq=${seq}/${seqLe}, ttl=${f.pkt.ip4?.ttl ?? 0}${req !== undefined ? ` (request in ${req})` : ''}`;
  }
  if (i.type === 3) return `${name} (${UNREACH[i.code] ?? 'Unknown code'})`;
  if (i.type === 11) return `${name} (${TTL_EXCEEDED[i.code] ?? 'Unknown code'})`;
  return name;
}

const ETHERTYPES: Record<number, string> = { 0x0806: 'ARP', 0x8035: 'RARP', 0x88cc: 'LLDP', 0x888e: 'EAPOL', 0x8100: '802.1Q' };
const IP_PROTOS: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 132: 'SCTP' };

/** ARP Info for Ethernet/IPv4 ARP (RFC 826): "Who has A? Tell B", "A is at MAC". */
function arpInfo(f: Frame): string {
  const d = f.record.data;
  const o = f.pkt.arp ? f.pkt.arp.offset : f.pkt.payloadOffset;
  if (d.length < o + 28 || be16(d, o) !== 1 || be16(d, o + 2) !== 0x0800 || u8at(d, o + 4) !== 6 || u8at(d, o + 5) !== 4) return 'ARP';
  const op = be16(d, o + 6);
  const sha = formatMac(d.subarray(o + 8, o + 14)), spa = ip4s(be32(d, o + 14)), tpa = ip4s(be32(d, o + 24));
  if (op === 1) return spa === tpa ? `Gratuitous ARP for ${spa} (Request)` : be32(d, o + 14) === 0 ? `Who has ${tpa}? (ARP Probe)` : `Who has ${tpa}? Tell ${spa}`;
  if (op === 2) return spa === tpa ? `Gratuitous ARP for ${spa} (Reply)` : `${spa} is at ${sha}`;
  return `Unknown ARP opcode 0x${op.toString(16).padStart(4, '0')}`;
}

/** Protocol column and Info column of a frame. */
export function protocolAndInfo(f: Frame): [string, string] {
  const p = f.pkt;
  let proto: string;
  let info: string;
  if (p.tcp) {
    proto = p.tcp.options.some((o) => o.kind === 30) ? 'MPTCP' : 'TCP';
    info = tcpInfo(f, p.tcp);
    // HTTP (and TCP desegmentation for it) rewrote the columns of this frame.
    if (f.app !== undefined) {
      const prefix = f.tcp ? formatAnalysisPrefix(f.tcp) : '';
      [proto, info] = httpColumns(f.app, proto, prefix, info.slice(prefix.length));
    }
  } else if (p.udp) {
    proto = 'UDP';
    info = `${p.udp.srcPort}${ARROW}${p.udp.dstPort} Len=${Math.max(p.udp.udpLength - 8, 0)}`;
  } else if (p.icmp) {
    proto = p.icmp.version === 6 ? 'ICMPv6' : 'ICMP';
    info = icmpInfo(f);
  } else if (tcpPortsCut(p)) {
    // TCP threw reading its ports: it never set the Protocol column; Info is the exception alone.
    proto = p.ip4 ? 'IPv4' : 'IPv6';
    info = exceptionText(tcpException(f)!.kind);
  } else if (p.ip4 && p.ip4.proto === 6 && p.ip4.totalLen === p.ip4.hdrLen && p.ip4.fragOffset === 0 && (p.ip4.flags & 1) === 0) {
    // An empty segment: IPv4 calls no dissector for it.
    proto = 'IPv4';
    info = '';
  } else if (p.ip4 || p.ip6) {
    const ipProto = p.ip4 ? p.ip4.proto : p.ip6!.proto;
    const frag = p.ip4 && (p.ip4.fragOffset !== 0 || (p.ip4.flags & 1) !== 0);
    proto = frag ? 'IPv4' : IP_PROTOS[ipProto] ?? (p.ip4 ? 'IPv4' : 'IPv6');
    info = frag
      ? `Fragmented IP protocol (proto=${IP_PROTOS[ipProto] ?? 'Unknown'} ${ipProto}, off=${p.ip4!.fragOffset * 8}, ID=${p.ip4!.id.toString(16).padStart(4, '0')})`
      : `${IP_PROTOS[ipProto] ?? 'Unknown'} (${ipProto})`;
  } else if ((p.eth?.type ?? p.sll?.protocol) === 0x0806) {
    proto = 'ARP';
    info = arpInfo(f);
  } else {
    const type = p.eth?.type ?? p.sll?.protocol;
    proto = type !== undefined ? ETHERTYPES[type] ?? `0x${type.toString(16).padStart(4, '0')}` : 'Frame';
    info = type !== undefined ? `Ethernet II` : '';
  }
  if (info.length > COL_MAX_INFO_LEN) info = info.slice(0, COL_MAX_INFO_LEN);
  return [proto, info];
}
