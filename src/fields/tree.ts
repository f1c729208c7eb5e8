/**
 * The protocol tree of one frame (tshark -V, -T json/ek): built lazily, only when asked for, from
 * the field registry. Labels are tshark 4.0's; node values come from FieldDef.values() so the tree
 * and -T fields never disagree.
 *
 * Known gaps (golden headers list them): expert-info subtrees other than the TCP SYN/FIN/RST ones,
 * Ethernet OUI resolution ("00:00:00_00:00:00" is Wireshark's manuf lookup: we print the bare MAC
 * there too), the TCP "[SEQ/ACK analysis]" details beyond the fields the analysis registers.
 */
import type { FieldDef, FieldValue, Frame } from './field.js';
import { lookupField } from './registry.js';
import { encapOf, epochNs, protocolsOf } from './frame.js';
import { ethPadding, nullFamily } from './link.js';
import { formatAbsTime, formatEpoch, formatFieldValue, formatHex, formatIPv4, formatIPv6, formatMac, formatRelNs, macLabel, ouiLongName, resolveMac } from './format.js';
import { resetCause, tcpFlagsStr, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './tcp.js';
import { dataBytes, frameException, isRetransmittedData } from './transport.js';
import { relativeSequenceNumbers } from './tcp-analysis.js';
import { SHORT_SEGMENT_TEXT, tcpReadFixed, tcpReadSane, tcpShortSegment } from '../decode/tcp.js';

/** Hook for per-stream facts the pipeline computes (FIN closing role); set by pipeline/. */
let finRole: (f: Frame) => 'initiates' | 'undergoes' | undefined = () => undefined;

/** Lets pipeline/ (a higher level) supply the FIN role without fields/ importing it. */
export function setFinRoleSource(fn: (f: Frame) => 'initiates' | 'undergoes' | undefined): void {
  finRole = fn;
}

export interface TreeNode {
  /** -V text (without the [ ] of generated items). */
  label: string;
  /** The field, or undefined for a text-only item (JSON key = label). */
  def: FieldDef | undefined;
  value: FieldValue | undefined;
  generated: boolean;
  /** Hidden items are in JSON/ek and -T fields but not in -V. */
  hidden: boolean;
  /** Set on expert-info items (JSON prints them as "_ws.expert"). */
  expert?: { abbrev: string; message: string; severity: number; group: number };
  children: TreeNode[];
}

function mk(label: string, abbrev: string | undefined, value?: FieldValue, opts: { gen?: boolean; hidden?: boolean } = {}): TreeNode {
  const def = abbrev === undefined ? undefined : lookupField(abbrev);
  return { label, def, value, generated: opts.gen ?? def?.generated ?? false, hidden: opts.hidden ?? false, children: [] };
}

function add(parent: TreeNode, n: TreeNode): TreeNode {
  parent.children.push(n);
  return n;
}

/** Bit picture of `mask` in a `width`-bit word: ".... ..1. ...." (groups of 4). */
export function bitPicture(word: number, mask: number, width: number): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) {
    const bit = 2 ** i;
    const inMask = Math.floor(mask / bit) % 2 === 1;
    s += inMask ? (Math.floor(word / bit) % 2 === 1 ? '1' : '0') : '.';
    if (i % 4 === 0 && i > 0) s += ' ';
  }
  return s;
}

const setNot = (b: boolean): string => (b ? 'Set' : 'Not set');
const first = (f: Frame, abbrev: string): FieldValue | undefined => lookupField(abbrev)?.values(f)[0];

/** tcp.completeness as Wireshark words it (conversation_completeness_fill). */
export function completenessText(v: number): string {
  const NAMES: Record<number, string> = {
    1: 'Incomplete, SYN_SENT', 3: 'Incomplete, CLIENT_ESTABLISHED', 7: 'Incomplete, ESTABLISHED', 15: 'Incomplete, DATA',
    31: 'Complete, WITH_DATA', 47: 'Complete, WITH_DATA', 63: 'Complete, WITH_DATA',
    23: 'Complete, NO_DATA', 39: 'Complete, NO_DATA', 55: 'Complete, NO_DATA',
  };
  return `${NAMES[v] ?? 'Incomplete'} (${v})`;
}

/** Adds every value of an analysis-owned field (if registered) as a generic generated line. */
function addRegistered(parent: TreeNode, f: Frame, abbrev: string): void {
  const def = lookupField(abbrev);
  if (!def) return;
  for (const v of def.values(f)) {
    const text = abbrev === 'tcp.completeness' ? completenessText(v as number) : def.type === 'FT_RELATIVE_TIME' ? `${formatRelNs(v as number)} seconds` : def.type === 'FT_NONE' ? '' : formatFieldValue(def, v);
    add(parent, mk(text === '' ? def.name : `${def.name}: ${text}`, abbrev, v, { gen: true }));
  }
}

function frameTree(f: Frame): TreeNode {
  const r = f.record;
  const info = f.capture;
  const ng = info?.format === 'pcapng';
  const ifName = ng ? info.interfaces[r.ifIndex]?.name ?? 'unknown' : '';
  const t = mk(`Frame ${r.frameNo}: ${r.origLen} bytes on wire (${r.origLen * 8} bits), ${r.capLen} bytes captured (${r.capLen * 8} bits)${ng ? ` on interface ${ifName}, id ${r.ifIndex}` : ''}`, 'frame', true);
  if (ng) {
    // Section numbers are not carried by CaptureRecord: files with one section (nearly all) say 1.
    add(t, mk('Section number: 1', 'frame.section_number', 1));
    const n = add(t, mk(`Interface id: ${r.ifIndex} (${ifName})`, 'frame.interface_id', r.ifIndex));
    add(n, mk(`Interface name: ${ifName}`, 'frame.interface_name', ifName));
  }
  const [encap, encapName] = encapOf(r.linkType);
  add(t, mk(`Encapsulation type: ${encapName} (${encap})`, 'frame.encap_type', encap));
  add(t, mk(`Arrival Time: ${formatAbsTime(r.ts)}`, 'frame.time', r.ts));
  add(t, mk('Time shift for this packet: 0.000000000 seconds', 'frame.offset_shift', 0, { gen: true }));
  add(t, mk(`Epoch Time: ${formatEpoch(r.ts)} seconds`, 'frame.time_epoch', epochNs(f)));
  add(t, mk(`Time delta from previous captured frame: ${formatRelNs(f.timeDeltaNs)} seconds`, 'frame.time_delta', f.timeDeltaNs));
  add(t, mk(`Time delta from previous displayed frame: ${formatRelNs(f.timeDeltaDisplayedNs)} seconds`, 'frame.time_delta_displayed', f.timeDeltaDisplayedNs));
  add(t, mk(`Time since reference or first frame: ${formatRelNs(f.timeRelativeNs)} seconds`, 'frame.time_relative', f.timeRelativeNs));
  add(t, mk(`Frame Number: ${r.frameNo}`, 'frame.number', r.frameNo));
  add(t, mk(`Frame Length: ${r.origLen} bytes (${r.origLen * 8} bits)`, 'frame.len', r.origLen));
  add(t, mk(`Capture Length: ${r.capLen} bytes (${r.capLen * 8} bits)`, 'frame.cap_len', r.capLen));
  add(t, mk('Frame is marked: False', 'frame.marked', false, { gen: true }));
  add(t, mk('Frame is ignored: False', 'frame.ignored', false, { gen: true }));
  add(t, mk(`Protocols in frame: ${protocolsOf(f)}`, 'frame.protocols', protocolsOf(f)));
  return t;
}

const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8100: '802.1Q Virtual LAN', 0x88a8: '802.1ad Provider Bridge (Q-in-Q)' };
const etherTypeText = (t: number): string => `${ETHERTYPE_NAMES[t] ?? 'Unknown'} (0x${t.toString(16).padStart(4, '0')})`;

function macNode(f: Frame, parent: TreeNode, label: string, which: 'dst' | 'src', off: number): void {
  const b = f.record.data.subarray(off, off + 6);
  const m = macLabel(b);
  const n = add(parent, mk(`${label}: ${m}`, `eth.${which}`, b));
  add(n, mk('', `eth.${which}_resolved`, resolveMac(b), { hidden: true }));
  const ouiNum = ((b[0] ?? 0) << 16) | ((b[1] ?? 0) << 8) | (b[2] ?? 0);
  const long = ouiLongName(b);
  add(n, mk('', `eth.${which}.oui`, ouiNum, { hidden: true }));
  if (long !== undefined) add(n, mk('', `eth.${which}.oui_resolved`, long, { hidden: true }));
  add(n, mk(`Address: ${m}`, 'eth.addr', b));
  add(n, mk('', 'eth.addr_resolved', resolveMac(b), { hidden: true }));
  add(n, mk('', 'eth.addr.oui', ouiNum, { hidden: true }));
  if (long !== undefined) add(n, mk('', 'eth.addr.oui_resolved', long, { hidden: true }));
  const lg = ((b[0] ?? 0) & 2) !== 0, ig = ((b[0] ?? 0) & 1) !== 0;
  const word = (b[0] ?? 0) << 16;
  add(n, mk(`${bitPicture(word, 0x20000, 24)} = LG bit: ${lg ? 'Locally administered address (this is NOT the factory default)' : 'Globally unique address (factory default)'}`, `eth.${which}.lg`, lg));
  add(n, mk('', 'eth.lg', lg, { hidden: true }));
  add(n, mk(`${bitPicture(word, 0x10000, 24)} = IG bit: ${ig ? 'Group address (multicast/broadcast)' : 'Individual address (unicast)'}`, `eth.${which}.ig`, ig));
  add(n, mk('', 'eth.ig', ig, { hidden: true }));
}

function ethTree(f: Frame): TreeNode {
  const e = f.pkt.eth!;
  const d = f.record.data;
  const sb = d.subarray(e.srcOffset, e.srcOffset + 6), db = d.subarray(e.dstOffset, e.dstOffset + 6);
  const src = macLabel(sb), dst = macLabel(db);
  const t = mk(`Ethernet II, Src: ${src}, Dst: ${dst}`, 'eth', true);
  macNode(f, t, 'Destination', 'dst', e.dstOffset);
  macNode(f, t, 'Source', 'src', e.srcOffset);
  const type = ((d[e.offset + 12] ?? 0) << 8) | (d[e.offset + 13] ?? 0);
  add(t, mk(`Type: ${etherTypeText(type)}`, 'eth.type', type));
  return t;
}

function vlanTree(f: Frame, i: number): TreeNode {
  const v = f.pkt.vlan[i]!;
  const t = mk(`802.1Q Virtual LAN, PRI: ${v.pcp}, DEI: ${v.dei}, ID: ${v.id}`, 'vlan', true);
  const tci = (v.pcp << 13) | (v.dei << 12) | v.id;
  const PRI = ['Best Effort (default)', 'Background', 'Excellent Effort', 'Critical Applications', 'Video, < 100ms latency and jitter', 'Voice, < 10ms latency and jitter', 'Internetwork Control', 'Network Control'];
  add(t, mk(`${bitPicture(tci, 0xe000, 16)} = Priority: ${PRI[v.pcp]} (${v.pcp})`, 'vlan.priority', v.pcp));
  add(t, mk(`${bitPicture(tci, 0x1000, 16)} = DEI: ${v.dei ? 'Eligible' : 'Ineligible'}`, 'vlan.dei', v.dei !== 0));
  add(t, mk(`${bitPicture(tci, 0x0fff, 16)} = ID: ${v.id}`, 'vlan.id', v.id));
  add(t, mk(`Type: ${etherTypeText(v.type)}`, 'vlan.etype', v.type));
  return t;
}

const SLL_PKTTYPES = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];
const ARPHRD: Record<number, string> = { 1: 'Ethernet', 512: 'PPP', 772: 'Loopback', 776: 'IPv6-in-IPv4', 778: 'IP GRE', 65534: 'None' };

function sllTree(f: Frame): TreeNode {
  const s = f.pkt.sll!;
  const t = mk(`Linux cooked capture v${s.version}`, 'sll', true);
  const pkt = `Packet type: ${SLL_PKTTYPES[s.packetType] ?? 'Unknown'} (${s.packetType})`;
  const hat = `Link-layer address type: ${ARPHRD[s.arphrdType] ?? 'Unknown'} (${s.arphrdType})`;
  const proto = `Protocol: ${etherTypeText(s.protocol)}`;
  const src = lookupField('sll.src.eth')?.values(f)[0];
  const unused = lookupField('sll.unused')?.values(f)[0];
  if (s.version === 2) {
    add(t, mk(proto, 'sll.etype', s.protocol));
    add(t, mk(`Interface index: ${s.ifIndex}`, 'sll.ifindex', s.ifIndex));
    add(t, mk(hat, 'sll.hatype', s.arphrdType));
    add(t, mk(pkt, 'sll.pkttype', s.packetType));
    add(t, mk(`Link-layer address length: ${s.addrLen}`, 'sll.halen', s.addrLen));
    if (src) add(t, mk(`Source: ${macLabel(src as Uint8Array)}`, 'sll.src.eth', src));
    if (unused) add(t, mk(`Unused: ${formatHex(unused as Uint8Array)}`, 'sll.unused', unused));
  } else {
    add(t, mk(pkt, 'sll.pkttype', s.packetType));
    add(t, mk(hat, 'sll.hatype', s.arphrdType));
    add(t, mk(`Link-layer address length: ${s.addrLen}`, 'sll.halen', s.addrLen));
    if (src) add(t, mk(`Source: ${macLabel(src as Uint8Array)}`, 'sll.src.eth', src));
    if (unused) add(t, mk(`Unused: ${formatHex(unused as Uint8Array)}`, 'sll.unused', unused));
    add(t, mk(proto, 'sll.etype', s.protocol));
  }
  return t;
}

function nullTree(f: Frame): TreeNode {
  const fam = nullFamily(f) ?? 0;
  const t = mk('Null/Loopback', 'null', true);
  const FAM: Record<number, string> = { 2: 'IP', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' };
  add(t, mk(`Family: ${FAM[fam] ?? 'Unknown'} (${fam})`, 'null.family', fam));
  return t;
}

const DSCP: Record<number, string> = { 0: 'Default', 8: 'Class Selector 1', 10: 'Assured Forwarding 11', 46: 'Expedited Forwarding', 16: 'Class Selector 2', 24: 'Class Selector 3', 32: 'Class Selector 4', 40: 'Class Selector 5', 48: 'Class Selector 6', 56: 'Class Selector 7' };
const DSCP_SHORT: Record<number, string> = { 0: 'CS0', 8: 'CS1', 16: 'CS2', 24: 'CS3', 32: 'CS4', 40: 'CS5', 48: 'CS6', 56: 'CS7', 46: 'EF', 10: 'AF11' };
const ECN = ['Not ECN-Capable Transport', 'ECN-Capable Transport codepoint \'01\'', 'ECN-Capable Transport codepoint \'10\'', 'Congestion Experienced'];
const ECN_SHORT = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];
const IP_PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 59: 'IPv6 No Next Header', 0: 'IPv6 Hop-by-Hop Option', 43: 'Routing Header for IPv6', 44: 'Fragment Header for IPv6', 60: 'Destination Options for IPv6', 132: 'SCTP' };

function ipTree(f: Frame): TreeNode {
  const h = f.pkt.ip4!;
  const src = formatIPv4(h.src), dst = formatIPv4(h.dst);
  const t = mk(`Internet Protocol Version 4, Src: ${src}, Dst: ${dst}`, 'ip', true);
  const b0 = (4 << 4) | (h.hdrLen / 4);
  add(t, mk(`${bitPicture(b0, 0xf0, 8)} = Version: 4`, 'ip.version', 4));
  add(t, mk(`${bitPicture(b0, 0x0f, 8)} = Header Length: ${h.hdrLen} bytes (${h.hdrLen / 4})`, 'ip.hdr_len', h.hdrLen));
  const dscp = h.dsfield >> 2, ecn = h.dsfield & 3;
  const ds = add(t, mk(`Differentiated Services Field: 0x${h.dsfield.toString(16).padStart(2, '0')} (DSCP: ${DSCP_SHORT[dscp] ?? 'Unknown'}, ECN: ${ECN_SHORT[ecn]})`, 'ip.dsfield', h.dsfield));
  add(ds, mk(`${bitPicture(h.dsfield, 0xfc, 8)} = Differentiated Services Codepoint: ${DSCP[dscp] ?? 'Unknown'} (${dscp})`, 'ip.dsfield.dscp', dscp));
  add(ds, mk(`${bitPicture(h.dsfield, 0x03, 8)} = Explicit Congestion Notification: ${ECN[ecn]} (${ecn})`, 'ip.dsfield.ecn', ecn));
  add(t, mk(`Total Length: ${h.totalLen}`, 'ip.len', h.totalLen));
  add(t, mk(`Identification: 0x${h.id.toString(16).padStart(4, '0')} (${h.id})`, 'ip.id', h.id));
  const fb = h.flags << 5;
  const names = [(h.flags & 4) ? 'Reserved' : '', (h.flags & 2) ? "Don't fragment" : '', (h.flags & 1) ? 'More fragments' : ''].filter(Boolean);
  const fl = add(t, mk(`${bitPicture(fb, 0xe0, 8)} = Flags: 0x${h.flags.toString(16)}${names.length ? ', ' + names.join(', ') : ''}`, 'ip.flags', h.flags));
  add(fl, mk(`${bitPicture(fb, 0x80, 8)} = Reserved bit: ${setNot((h.flags & 4) !== 0)}`, 'ip.flags.rb', (h.flags & 4) !== 0));
  add(fl, mk(`${bitPicture(fb, 0x40, 8)} = Don't fragment: ${setNot((h.flags & 2) !== 0)}`, 'ip.flags.df', (h.flags & 2) !== 0));
  add(fl, mk(`${bitPicture(fb, 0x20, 8)} = More fragments: ${setNot((h.flags & 1) !== 0)}`, 'ip.flags.mf', (h.flags & 1) !== 0));
  add(t, mk(`${bitPicture((h.flags << 13) | h.fragOffset, 0x1fff, 16)} = Fragment Offset: ${h.fragOffset * 8}`, 'ip.frag_offset', h.fragOffset * 8));
  add(t, mk(`Time to Live: ${h.ttl}`, 'ip.ttl', h.ttl));
  add(t, mk(`Protocol: ${IP_PROTO_NAMES[h.proto] ?? 'Unknown'} (${h.proto})`, 'ip.proto', h.proto));
  add(t, mk(`Header Checksum: 0x${h.checksum.toString(16).padStart(4, '0')} [validation disabled]`, 'ip.checksum', h.checksum));
  add(t, mk('Header checksum status: Unverified', 'ip.checksum.status', 2));
  add(t, mk(`Source Address: ${src}`, 'ip.src', h.src));
  add(t, mk('', 'ip.addr', h.src, { hidden: true }));
  add(t, mk('', 'ip.src_host', src, { hidden: true }));
  add(t, mk('', 'ip.host', src, { hidden: true }));
  add(t, mk(`Destination Address: ${dst}`, 'ip.dst', h.dst));
  add(t, mk('', 'ip.addr', h.dst, { hidden: true }));
  add(t, mk('', 'ip.dst_host', dst, { hidden: true }));
  add(t, mk('', 'ip.host', dst, { hidden: true }));
  return t;
}

function ipv6Tree(f: Frame): TreeNode {
  const h = f.pkt.ip6!;
  const d = f.record.data;
  const sb = d.subarray(h.srcOffset, h.srcOffset + 16), db = d.subarray(h.dstOffset, h.dstOffset + 16);
  const src = formatIPv6(sb), dst = formatIPv6(db);
  const t = mk(`Internet Protocol Version 6, Src: ${src}, Dst: ${dst}`, 'ipv6', true);
  const w = ((6 << 28) | (h.tclass << 20) | h.flowLabel) >>> 0;
  add(t, mk('', 'ipv6.version', 6, { hidden: true }));
  add(t, mk(`${bitPicture(6 << 4, 0xf0, 8)} = Version: 6`, 'ip.version', 6));
  const dscp = h.tclass >> 2, ecn = h.tclass & 3;
  const tc = add(t, mk(`${bitPicture(w, 0x0ff00000, 32)} = Traffic Class: 0x${h.tclass.toString(16).padStart(2, '0')} (DSCP: ${DSCP_SHORT[dscp] ?? 'Unknown'}, ECN: ${ECN_SHORT[ecn]})`, 'ipv6.tclass', h.tclass));
  add(tc, mk(`${bitPicture(w, 0x0fc00000, 32)} = Differentiated Services Codepoint: ${DSCP[dscp] ?? 'Unknown'} (${dscp})`, 'ipv6.tclass.dscp', dscp));
  add(tc, mk(`${bitPicture(w, 0x00300000, 32)} = Explicit Congestion Notification: ${ECN[ecn]} (${ecn})`, 'ipv6.tclass.ecn', ecn));
  add(t, mk(`${bitPicture(h.flowLabel, 0x000fffff, 24)} = Flow Label: 0x${h.flowLabel.toString(16).padStart(5, '0')}`, 'ipv6.flow', h.flowLabel));
  add(t, mk(`Payload Length: ${h.payloadLen}`, 'ipv6.plen', h.payloadLen));
  add(t, mk(`Next Header: ${IP_PROTO_NAMES[h.nextHeader] ?? 'Unknown'} (${h.nextHeader})`, 'ipv6.nxt', h.nextHeader));
  add(t, mk(`Hop Limit: ${h.hopLimit}`, 'ipv6.hlim', h.hopLimit));
  add(t, mk(`Source Address: ${src}`, 'ipv6.src', sb));
  add(t, mk('', 'ipv6.addr', sb, { hidden: true }));
  add(t, mk('', 'ipv6.src_host', src, { hidden: true }));
  add(t, mk('', 'ipv6.host', src, { hidden: true }));
  add(t, mk(`Destination Address: ${dst}`, 'ipv6.dst', db));
  add(t, mk('', 'ipv6.addr', db, { hidden: true }));
  add(t, mk('', 'ipv6.dst_host', dst, { hidden: true }));
  add(t, mk('', 'ipv6.host', dst, { hidden: true }));
  return t;
}

const OPT_KIND_NAMES: Record<number, string> = {
  0: 'End of Option List', 1: 'No-Operation', 2: 'Maximum Segment Size', 3: 'Window Scale', 4: 'SACK Permitted', 5: 'SACK',
  6: 'Echo', 7: 'Echo Reply', 8: 'Time Stamp Option', 19: 'MD5 Signature Option', 28: 'User Timeout Option', 30: 'Multipath TCP', 34: 'TCP Fast Open',
};
const OPT_SHORT: Record<number, [string, string]> = {
  0: ['End of Option List (EOL)', 'tcp.options.eol'], 1: ['No-Operation (NOP)', 'tcp.options.nop'], 2: ['Maximum segment size', 'tcp.options.mss'],
  3: ['Window scale', 'tcp.options.wscale'], 4: ['SACK permitted', 'tcp.options.sack_perm'], 5: ['SACK', 'tcp.options.sack'], 8: ['Timestamps', 'tcp.options.timestamp'],
};

function tcpOptionsTree(f: Frame, parent: TreeNode): void {
  const t = f.pkt.tcp!;
  const d = f.record.data;
  const optBytes = d.subarray(t.offset + 20, t.offset + t.hdrLen);
  // An option that throws (cut by the snaplen, or a SACK without a whole block when the
  // analysis says so) does so before its name is added to the summary.
  const sackThrows = f.tcp?.optionsCut === true && t.hdrAvailable >= t.hdrLen;
  const names = t.options
    .filter((o) => o.captured >= o.length && !(sackThrows && o.kind === 5 && o.length < 10))
    .map((o) => OPT_SHORT[o.kind]?.[0] ?? 'Unknown');
  const on = add(parent, mk(`Options: (${t.hdrLen - 20} bytes), ${names.join(', ')}`, 'tcp.options', optBytes));
  const u16 = (o: number): number => ((d[o] ?? 0) << 8) | (d[o + 1] ?? 0);
  const u32 = (o: number): number => ((u16(o) << 16) | u16(o + 2)) >>> 0;
  const sackLe = lookupField('tcp.options.sack_le')?.values(f) ?? [];
  const relSuffix = relativeSequenceNumbers() ? ' (relative)' : '';
  const sackRe = lookupField('tcp.options.sack_re')?.values(f) ?? [];
  let sackIdx = 0;
  for (const o of t.options) {
    const [short, abbrev] = OPT_SHORT[o.kind] ?? ['Unknown', 'tcp.options.unknown'];
    const bytes = d.subarray(o.offset, o.offset + o.length);
    const kindLine = mk(`Kind: ${OPT_KIND_NAMES[o.kind] ?? 'Unknown'} (${o.kind})`, 'tcp.option_kind', o.kind);
    const lenLine = (): TreeNode => mk(`Length: ${d[o.offset + 1] ?? 0}`, 'tcp.option_len', d[o.offset + 1] ?? 0);
    let label = `TCP Option - ${short}`;
    const kids: TreeNode[] = [kindLine];
    if (o.kind > 1 && o.captured >= 2) kids.push(lenLine());
    if (o.captured < o.length) {
      // Cut by the snaplen: the items whose bytes were captured, then tshark's exception.
      if (o.kind === 8 && o.length === 10 && o.captured >= 6) {
        const v = u32(o.offset + 2);
        kids.push(mk(`Timestamp value: ${v}`, 'tcp.options.timestamp.tsval', v));
      }
      add(on, mk(label, abbrev, bytes)).children.push(...kids);
      continue;
    }
    if (o.kind === 2 && o.length === 4) {
      const v = u16(o.offset + 2);
      label += `: ${v} bytes`;
      kids.push(mk(`MSS Value: ${v}`, 'tcp.options.mss_val', v));
    } else if (o.kind === 3 && o.length === 3) {
      const sh = d[o.offset + 2] ?? 0, mul = 2 ** Math.min(sh, 14);
      label += `: ${sh} (multiply by ${mul})`;
      kids.push(mk(`Shift count: ${sh}`, 'tcp.options.wscale.shift', sh));
      kids.push(mk(`Multiplier: ${mul}`, 'tcp.options.wscale.multiplier', mul, { gen: true }));
    } else if (o.kind === 8 && o.length === 10) {
      const v = u32(o.offset + 2), e = u32(o.offset + 6);
      label += `: TSval ${v}, TSecr ${e}`;
      kids.push(mk(`Timestamp value: ${v}`, 'tcp.options.timestamp.tsval', v));
      kids.push(mk(`Timestamp echo reply: ${e}`, 'tcp.options.timestamp.tsecr', e));
    } else if (o.kind === 5) {
      const edges: string[] = [];
      const n = Math.floor((o.length - 2) / 8);
      for (let i = 0; i < n; i++) {
        const le = sackLe[sackIdx] ?? 0, re = sackRe[sackIdx] ?? 0;
        sackIdx++;
        edges.push(`${String(le)}-${String(re)}`);
        kids.push(mk(`left edge = ${String(le)}${relSuffix}`, 'tcp.options.sack_le', le));
        kids.push(mk(`right edge = ${String(re)}${relSuffix}`, 'tcp.options.sack_re', re));
      }
      if (edges.length > 0) label += ` ${edges.join(' ')}`;
      kids.push(mk(`TCP SACK Count: ${n}`, 'tcp.options.sack.count', n, { gen: true }));
      const dle = first(f, 'tcp.options.sack.dsack_le'), dre = first(f, 'tcp.options.sack.dsack_re');
      if (dle !== undefined && dre !== undefined) {
        kids.push(mk(`D-SACK Left Edge = ${String(dle)}${relSuffix}`, 'tcp.options.sack.dsack_le', dle, { gen: true }));
        kids.push(mk(`D-SACK Right Edge = ${String(dre)}${relSuffix}`, 'tcp.options.sack.dsack_re', dre, { gen: true }));
        const ds = mk('D-SACK Sequence', undefined, undefined, { gen: false });
        expert(ds, 'tcp.options.sack.dsack', 'D-SACK Sequence', 'Warning', 'Sequence');
        kids.push(ds);
      }
    }
    const node = add(on, mk(label, abbrev, bytes));
    node.children.push(...kids);
  }
  // After all options of a SYN or SYN+ACK without MSS (spec §10.2).
  if ((t.flags & TCP_SYN) !== 0 && !t.options.some((o) => o.kind === 2)) {
    expert(on, 'tcp.options.mss.absent', 'The SYN packet does not contain a MSS option', 'Note', 'Protocol');
  }
}

const SEVERITY: Record<string, number> = { Chat: 0x00200000, Note: 0x00400000, Warning: 0x00600000, Error: 0x00800000 };
const GROUP: Record<string, number> = { Sequence: 0x02000000, Protocol: 0x09000000, Malformed: 0x07000000, Undecoded: 0x05000000 };

function expert(parent: TreeNode, abbrev: string, msg: string, sev: string, group: string): void {
  const e = add(parent, mk(`Expert Info (${sev}/${group}): ${msg}`, undefined, undefined, { gen: true }));
  e.expert = { abbrev, message: msg, severity: SEVERITY[sev] ?? 0, group: GROUP[group] ?? 0 };
  e.children.push(mk(msg, abbrev, true, { gen: true }), mk(`Severity level: ${sev}`, undefined, undefined, { gen: true }), mk(`Group: ${group}`, undefined, undefined, { gen: true }));
}

/**
 * "[TCP Analysis Flags]" and what hangs under it, in tshark's printing order
 * (tcp_print_sequence_number_analysis): reused ports, retransmissions (+ RTO), lost / ACKed
 * unseen, window update / full, keep-alive, duplicate ACK (its number and frame go one level up),
 * zero window. Messages and severities as spec/tcp-analysis.md §10.2.
 */
const FLAG_EXPERTS: readonly [string, string, string][] = [
  ['tcp.analysis.reused_ports', 'A new tcp session is started with the same ports as an earlier session in this trace', 'Note'],
];
const has = (f: Frame, abbrev: string): boolean => (lookupField(abbrev)?.values(f).length ?? 0) > 0;

function analysisFlagsTree(f: Frame, an: TreeNode): void {
  if (!has(f, 'tcp.analysis.flags')) return;
  const fl = add(an, mk('TCP Analysis Flags', 'tcp.analysis.flags', true, { gen: true }));
  const ex = (abbrev: string, msg: string, sev: string): void => { if (has(f, abbrev)) expert(fl, abbrev, msg, sev, 'Sequence'); };
  for (const [ab, msg, sev] of FLAG_EXPERTS) ex(ab, msg, sev);
  const fast = has(f, 'tcp.analysis.fast_retransmission'), spurious = has(f, 'tcp.analysis.spurious_retransmission');
  if (!fast && !spurious) {
    ex('tcp.analysis.retransmission', 'This frame is a (suspected) retransmission', 'Note');
    addRegistered(fl, f, 'tcp.analysis.rto');
    addRegistered(fl, f, 'tcp.analysis.rto_frame');
  }
  if (fast) {
    expert(fl, 'tcp.analysis.fast_retransmission', 'This frame is a (suspected) fast retransmission', 'Note', 'Sequence');
    expert(fl, 'tcp.analysis.retransmission', 'This frame is a (suspected) retransmission', 'Note', 'Sequence');
  }
  if (spurious) {
    expert(fl, 'tcp.analysis.spurious_retransmission', 'This frame is a (suspected) spurious retransmission', 'Note', 'Sequence');
    expert(fl, 'tcp.analysis.retransmission', 'This frame is a (suspected) retransmission', 'Note', 'Sequence');
  }
  ex('tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment', 'Warning');
  ex('tcp.analysis.lost_segment', 'Previous segment(s) not captured (common at capture start)', 'Warning');
  ex('tcp.analysis.ack_lost_segment', "ACKed segment that wasn't captured (common at capture start)", 'Warning');
  ex('tcp.analysis.window_update', 'TCP window update', 'Chat');
  ex('tcp.analysis.window_full', 'TCP window specified by the receiver is now completely full', 'Warning');
  ex('tcp.analysis.keep_alive', 'TCP keep-alive segment', 'Note');
  ex('tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', 'Note');
  const num = first(f, 'tcp.analysis.duplicate_ack_num');
  if (num !== undefined) {
    if (has(f, 'tcp.analysis.duplicate_ack')) add(fl, mk('This is a TCP duplicate ack', 'tcp.analysis.duplicate_ack', true, { gen: true }));
    add(an, mk(`Duplicate ACK #: ${String(num)}`, 'tcp.analysis.duplicate_ack_num', num, { gen: true }));
    const fr = first(f, 'tcp.analysis.duplicate_ack_frame');
    if (fr !== undefined) {
      const n = add(an, mk(`Duplicate to the ACK in frame: ${String(fr)}`, 'tcp.analysis.duplicate_ack_frame', fr, { gen: true }));
      expert(n, 'tcp.analysis.duplicate_ack', `Duplicate ACK (#${String(num)})`, 'Note', 'Sequence');
    }
  }
  ex('tcp.analysis.zero_window_probe', 'TCP Zero Window Probe', 'Note');
  ex('tcp.analysis.zero_window', 'TCP Zero Window segment', 'Warning');
  ex('tcp.analysis.zero_window_probe_ack', 'ACK to a TCP Zero Window Probe', 'Note');
}

function tcpTree(f: Frame): TreeNode {
  const h = f.pkt.tcp!;
  if (!tcpReadFixed(h)) {
    // dissect_tcp threw reading seq…window: only the ports were added.
    const cut = mk(`Transmission Control Protocol, Src Port: ${h.srcPort}, Dst Port: ${h.dstPort}`, 'tcp', true);
    add(cut, mk(`Source Port: ${h.srcPort}`, 'tcp.srcport', h.srcPort));
    add(cut, mk(`Destination Port: ${h.dstPort}`, 'tcp.dstport', h.dstPort));
    add(cut, mk('', 'tcp.port', h.srcPort, { hidden: true }));
    add(cut, mk('', 'tcp.port', h.dstPort, { hidden: true }));
    return cut;
  }
  const a = f.tcp;
  const seq = first(f, 'tcp.seq') as number, ack = first(f, 'tcp.ack') as number;
  const rel = a !== undefined && relativeSequenceNumbers();
  let head = `Transmission Control Protocol, Src Port: ${h.srcPort}, Dst Port: ${h.dstPort}, Seq: ${seq}`;
  if (h.flags & TCP_ACK) head += `, Ack: ${ack}`;
  if (h.hasLen) head += `, Len: ${h.len}`;
  const t = mk(head, 'tcp', true);
  add(t, mk(`Source Port: ${h.srcPort}`, 'tcp.srcport', h.srcPort));
  add(t, mk(`Destination Port: ${h.dstPort}`, 'tcp.dstport', h.dstPort));
  add(t, mk('', 'tcp.port', h.srcPort, { hidden: true }));
  add(t, mk('', 'tcp.port', h.dstPort, { hidden: true }));
  if (a) add(t, mk(`Stream index: ${a.stream}`, 'tcp.stream', a.stream, { gen: true }));
  addRegistered(t, f, 'tcp.completeness');
  if (h.hasLen) add(t, mk(`TCP Segment Len: ${h.len}`, 'tcp.len', h.len, { gen: true }));
  else if (tcpShortSegment(f.pkt)) {
    const ss = add(t, mk(SHORT_SEGMENT_TEXT, undefined));
    expert(ss, 'tcp.short_segment', SHORT_SEGMENT_TEXT, 'Warning', 'Malformed');
    // Every Malformed-group expert item also adds a hidden _ws.malformed item (expert.c).
    add(ss, mk('', '_ws.malformed', true, { hidden: true }));
  }
  add(t, mk(`Sequence Number: ${seq}${rel ? '    (relative sequence number)' : ''}`, 'tcp.seq', seq));
  add(t, mk(`Sequence Number (raw): ${h.seq}`, 'tcp.seq_raw', h.seq, { hidden: a !== undefined && !rel }));
  const nxt = first(f, 'tcp.nxtseq') as number | undefined;
  if (nxt !== undefined) add(t, mk(`Next Sequence Number: ${nxt}${rel ? '    (relative sequence number)' : ''}`, 'tcp.nxtseq', nxt, { gen: true }));
  add(t, mk(`Acknowledgment Number: ${ack}${rel && (h.flags & TCP_ACK) ? '    (relative ack number)' : ''}`, 'tcp.ack', ack));
  add(t, mk(`Acknowledgment number (raw): ${h.ack}`, 'tcp.ack_raw', h.ack, { hidden: !rel && (h.flags & TCP_ACK) !== 0 }));
  const b12 = (h.hdrLen / 4) << 4;
  add(t, mk(`${bitPicture(b12, 0xf0, 8)} = Header Length: ${h.hdrLen} bytes (${h.hdrLen / 4})`, 'tcp.hdr_len', h.hdrLen));
  const names: string[] = [];
  for (const [bit, n] of [[1, 'FIN'], [2, 'SYN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG'], [64, 'ECE'], [128, 'CWR'], [256, 'AE']] as const) if (h.flags & bit) names.push(n);
  if (h.flags & 0xe00) names.push('Reserved');
  const fl = add(t, mk(`Flags: 0x${h.flags.toString(16).padStart(3, '0')} (${names.length ? names.join(', ') : '<None>'})`, 'tcp.flags', h.flags));
  const bits: [number, string, string][] = [
    [0xe00, 'Reserved', 'tcp.flags.res'], [0x100, 'Accurate ECN', 'tcp.flags.ae'], [0x80, 'Congestion Window Reduced', 'tcp.flags.cwr'],
    [0x40, 'ECN-Echo', 'tcp.flags.ece'], [0x20, 'Urgent', 'tcp.flags.urg'], [0x10, 'Acknowledgment', 'tcp.flags.ack'],
    [0x08, 'Push', 'tcp.flags.push'], [0x04, 'Reset', 'tcp.flags.reset'], [0x02, 'Syn', 'tcp.flags.syn'], [0x01, 'Fin', 'tcp.flags.fin'],
  ];
  for (const [mask, name, abbrev] of bits) {
    const on = (h.flags & mask) !== 0;
    const n = add(fl, mk(`${bitPicture(h.flags, mask, 12)} = ${name}: ${setNot(on)}`, abbrev, on));
    if (mask === TCP_SYN && on) {
      if (h.flags & TCP_ACK) expert(n, 'tcp.connection.synack', `Connection establish acknowledge (SYN+ACK): server port ${h.srcPort}`, 'Chat', 'Sequence');
      else expert(n, 'tcp.connection.syn', `Connection establish request (SYN): server port ${h.dstPort}`, 'Chat', 'Sequence');
    }
    if (mask === TCP_RST && on) expert(n, 'tcp.connection.rst', 'Connection reset (RST)', 'Warning', 'Sequence');
    if (mask === TCP_FIN && on) expert(n, 'tcp.connection.fin', 'Connection finish (FIN)', 'Chat', 'Sequence');
  }
  const fs = add(fl, mk(`TCP Flags: ${tcpFlagsStr(h.flags)}`, 'tcp.flags.str', tcpFlagsStr(h.flags), { gen: true }));
  const role = finRole(f);
  if (role === 'initiates') expert(fs, 'tcp.connection.fin_active', 'This frame initiates the connection closing', 'Note', 'Sequence');
  if (role === 'undergoes') expert(fs, 'tcp.connection.fin_passive', 'This frame undergoes the connection closing', 'Note', 'Sequence');
  add(t, mk(`Window: ${h.window}`, 'tcp.window_size_value', h.window));
  const win = first(f, 'tcp.window_size') as number;
  add(t, mk(`Calculated window size: ${win}`, 'tcp.window_size', win, { gen: true }));
  const sf = first(f, 'tcp.window_size_scalefactor');
  if (sf !== undefined) {
    const text = sf === -1 ? '-1 (unknown)' : sf === -2 ? '-2 (no window scaling used)' : String(sf);
    add(t, mk(`Window size scaling factor: ${text}`, 'tcp.window_size_scalefactor', sf, { gen: true }));
  }
  // A header cut before its checksum or urgent pointer ends here (dissect_tcp throws reading them).
  if (!tcpReadSane(h, 18)) return t;
  add(t, mk(`Checksum: 0x${h.checksum.toString(16).padStart(4, '0')} [unverified]`, 'tcp.checksum', h.checksum));
  add(t, mk('Checksum Status: Unverified', 'tcp.checksum.status', 2, { gen: true }));
  if (!tcpReadSane(h, 20)) return t;
  add(t, mk(`Urgent Pointer: ${h.urgent}`, 'tcp.urgent_pointer', h.urgent));
  if (h.hdrLen > 20) tcpOptionsTree(f, t);
  if (lookupField('tcp.time_relative')?.values(f).length) {
    const ts = add(t, mk('Timestamps', undefined, undefined, { gen: true }));
    addRegistered(ts, f, 'tcp.time_relative');
    addRegistered(ts, f, 'tcp.time_delta');
  }
  const analysis = lookupField('tcp.analysis');
  if (analysis && analysis.values(f).length > 0) {
    const an = add(t, mk('SEQ/ACK analysis', 'tcp.analysis', true, { gen: true }));
    for (const ab of ['tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt', 'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent']) addRegistered(an, f, ab);
    analysisFlagsTree(f, an);
  }
  if (h.capturedLen > 0 && (h.flags & TCP_RST) !== 0) {
    const p = f.record.data.subarray(h.payloadOffset, h.payloadOffset + h.capturedLen);
    const cause = resetCause(p);
    const rc = add(t, mk(`Reset cause: ${cause}`, 'tcp.reset_cause', cause));
    if (cause.length < p.length) expert(rc, 'string.trailing_stray_characters', 'Trailing stray characters', 'Warning', 'Undecoded');
  } else if (h.capturedLen > 0) {
    const p = f.record.data.subarray(h.payloadOffset, h.payloadOffset + h.capturedLen);
    // Sizes are the reported length (tcp.len), even when the snaplen cut the bytes.
    add(t, mk(`TCP payload (${h.len} byte${h.len === 1 ? '' : 's'})`, 'tcp.payload', p));
    if (isRetransmittedData(f)) add(t, mk(`Retransmitted TCP segment data (${h.len} byte${h.len === 1 ? '' : 's'})`, 'tcp.segment_data', p));
  }
  return t;
}

function udpTree(f: Frame): TreeNode {
  const u = f.pkt.udp!;
  const t = mk(`User Datagram Protocol, Src Port: ${u.srcPort}, Dst Port: ${u.dstPort}`, 'udp', true);
  add(t, mk(`Source Port: ${u.srcPort}`, 'udp.srcport', u.srcPort));
  add(t, mk(`Destination Port: ${u.dstPort}`, 'udp.dstport', u.dstPort));
  add(t, mk('', 'udp.port', u.srcPort, { hidden: true }));
  add(t, mk('', 'udp.port', u.dstPort, { hidden: true }));
  add(t, mk(`Length: ${u.udpLength}`, 'udp.length', u.udpLength));
  add(t, mk(`Checksum: 0x${u.checksum.toString(16).padStart(4, '0')} [unverified]`, 'udp.checksum', u.checksum));
  add(t, mk('Checksum Status: Unverified', 'udp.checksum.status', 2, { gen: true }));
  const pl = lookupField('udp.payload')?.values(f)[0];
  if (pl) add(t, mk(`UDP payload (${(pl as Uint8Array).length} byte${(pl as Uint8Array).length === 1 ? '' : 's'})`, 'udp.payload', pl));
  return t;
}

function icmpTree(f: Frame): TreeNode {
  const i = f.pkt.icmp!;
  const v6 = i.version === 6;
  const p = v6 ? 'icmpv6' : 'icmp';
  const t = mk(v6 ? 'Internet Control Message Protocol v6' : 'Internet Control Message Protocol', p, true);
  add(t, mk(`Type: ${i.type}`, `${p}.type`, i.type));
  add(t, mk(`Code: ${i.code}`, `${p}.code`, i.code));
  add(t, mk(`Checksum: 0x${i.checksum.toString(16).padStart(4, '0')} [unverified]`, `${p}.checksum`, i.checksum));
  if (!v6) {
    for (const ab of ['icmp.ident', 'icmp.ident_le', 'icmp.seq', 'icmp.seq_le']) {
      const def = lookupField(ab)!;
      for (const v of def.values(f)) add(t, mk(`${def.name}: ${v as number} (0x${(v as number).toString(16).padStart(4, '0')})`, ab, v));
    }
  }
  return t;
}

/** Wireshark's bytes label: at most 36 bytes of hex, then "…" (bytes_to_str). */
function bytesLabel(b: Uint8Array): string {
  return b.length > 36 ? `${formatHex(b.subarray(0, 36))}\u2026` : formatHex(b);
}

const ARP_OPS: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply', 8: 'inverse request', 9: 'inverse reply' };

function arpTree(f: Frame): TreeNode {
  const a = f.pkt.arp!;
  const d = f.record.data;
  const op = ARP_OPS[a.opcode] ?? 'Unknown';
  const t = mk(`Address Resolution Protocol (${op})`, 'arp', true);
  add(t, mk(`Hardware type: ${a.hwType === 1 ? 'Ethernet' : 'Unknown'} (${a.hwType})`, 'arp.hw.type', a.hwType));
  add(t, mk(`Protocol type: ${etherTypeText(a.protoType)}`, 'arp.proto.type', a.protoType));
  add(t, mk(`Hardware size: ${a.hwSize}`, 'arp.hw.size', a.hwSize));
  add(t, mk(`Protocol size: ${a.protoSize}`, 'arp.proto.size', a.protoSize));
  add(t, mk(`Opcode: ${op} (${a.opcode})`, 'arp.opcode', a.opcode));
  if (a.hwType === 1 && a.hwSize === 6 && a.protoType === 0x0800 && a.protoSize === 4) {
    const macAt = (o: number): Uint8Array => d.subarray(o, o + 6);
    const ipAt = (o: number): number => (((d[o] ?? 0) << 24) | ((d[o + 1] ?? 0) << 16) | ((d[o + 2] ?? 0) << 8) | (d[o + 3] ?? 0)) >>> 0;
    const sm = macAt(a.senderHwOffset), tm = macAt(a.targetHwOffset);
    add(t, mk(`Sender MAC address: ${macLabel(sm)}`, 'arp.src.hw_mac', sm));
    add(t, mk(`Sender IP address: ${formatIPv4(ipAt(a.senderProtoOffset))}`, 'arp.src.proto_ipv4', ipAt(a.senderProtoOffset)));
    add(t, mk(`Target MAC address: ${macLabel(tm)}`, 'arp.dst.hw_mac', tm));
    add(t, mk(`Target IP address: ${formatIPv4(ipAt(a.targetProtoOffset))}`, 'arp.dst.proto_ipv4', ipAt(a.targetProtoOffset)));
  }
  return t;
}

/**
 * tshark's item for an exception in a dissector (show_exception): "[Malformed Packet: PROTO]"
 * with its expert item, or "[Packet size limited during capture: PROTO truncated]".
 */
function exceptionTree(kind: 'malformed' | 'limited', proto: string): TreeNode {
  if (kind === 'limited') return mk(`Packet size limited during capture: ${proto} truncated`, '_ws.short', undefined, { gen: true });
  const t = mk(`Malformed Packet: ${proto}`, '_ws.malformed', undefined, { gen: true });
  expert(t, '_ws.malformed.expert', 'Malformed Packet (Exception occurred)', 'Error', 'Malformed');
  // The expert item's hidden copy of the protocol (JSON shows it, -V does not).
  add(t, mk('Malformed Packet', '_ws.malformed', undefined, { hidden: true }));
  return t;
}

function dataTree(f: Frame): TreeNode {
  const b = dataBytes(f)!;
  const t = mk(`Data (${b.length} byte${b.length === 1 ? '' : 's'})`, 'data', true);
  add(t, mk(`Data: ${bytesLabel(b)}`, 'data.data', b));
  add(t, mk(`Length: ${b.length}`, 'data.len', b.length, { gen: true }));
  return t;
}

/** The frame's protocol tree, top-level protocols in order. */
export function buildTree(f: Frame): TreeNode[] {
  const out: TreeNode[] = [frameTree(f)];
  let vlan = 0;
  for (const l of f.pkt.layers) {
    switch (l) {
      case 'eth': out.push(ethTree(f)); break;
      case 'vlan': out.push(vlanTree(f, vlan++)); break;
      case 'sll': case 'sll2': out.push(sllTree(f)); break;
      case 'null': case 'loop': out.push(nullTree(f)); break;
      case 'arp': if (f.pkt.arp) out.push(arpTree(f)); break;
      case 'ip': if (f.pkt.ip4) out.push(ipTree(f)); break;
      case 'ipv6': if (f.pkt.ip6) out.push(ipv6Tree(f)); break;
      case 'tcp': if (f.pkt.tcp) out.push(tcpTree(f)); break;
      case 'udp': if (f.pkt.udp) out.push(udpTree(f)); break;
      case 'icmp': case 'icmpv6': if (f.pkt.icmp) out.push(icmpTree(f)); break;
      default: break;
    }
  }
  if (dataBytes(f)) out.push(dataTree(f));
  const ex = frameException(f);
  if (ex !== undefined) out.push(exceptionTree(ex.kind, ex.proto));
  const pad = ethPadding(f);
  if (pad && out[1]?.def?.abbrev === 'eth') add(out[1], mk(`Padding: ${formatHex(pad)}`, 'eth.padding', pad));
  return out;
}

/** tshark's -T fields text of a top-level protocol: its tree label (e.g. "Transmission Control Protocol, Src Port: …"). */
export function protocolLabels(f: Frame, abbrev: string): string[] {
  const out: string[] = [];
  // Tree order: a top-level item prints its label (a generated one, the malformed marker, in
  // brackets); a hidden copy anywhere (no label) prints as the abbreviation, e.g. the
  // _ws.malformed item every Malformed-group expert item adds.
  const walk = (n: TreeNode, top: boolean): void => {
    if (n.def?.abbrev === abbrev) {
      if (n.hidden) out.push(abbrev);
      else if (top) out.push(n.generated ? `[${n.label}]` : n.label);
    }
    for (const c of n.children) walk(c, false);
  };
  for (const n of buildTree(f)) walk(n, true);
  return out;
}
