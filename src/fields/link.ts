/**
 * Link-layer fields: eth.* (Ethernet II / IEEE 802.3), vlan.* (802.1Q), sll.* (Linux cooked v1
 * and v2, one protocol in Wireshark), null.* (BSD loopback). One table per protocol.
 */
import type { FieldDef, FieldValue, Frame } from './field.js';
import { bool, bytesAt, field, masked, NO_VALUES, one, present, proto, u8 } from './define.js';
import { ouiLongName, resolveMac } from './format.js';

const oui = (f: Frame, off: number): number => (u8(f, off) << 16) | (u8(f, off + 1) << 8) | u8(f, off + 2);

const mac = (f: Frame, off: number): Uint8Array => bytesAt(f, off, 6);
const eth = (f: Frame) => f.pkt.eth;

/** End of the network packet inside the frame, for Ethernet padding; -1 when unknown. */
export function networkEnd(f: Frame): number {
  const p = f.pkt;
  if (p.ip4) return p.ip4.offset + p.ip4.totalLen;
  if (p.ip6) return p.ip6.offset + 40 + p.ip6.payloadLen;
  return -1;
}

/** Ethernet padding bytes after the IP packet (short frames padded to 60 bytes). */
export function ethPadding(f: Frame): Uint8Array | undefined {
  if (!f.pkt.eth) return undefined;
  const end = networkEnd(f);
  if (end < 0 || end >= f.record.capLen) return undefined;
  return bytesAt(f, end, f.record.capLen - end);
}

const addrBit = (which: 'dst' | 'src' | 'both', mask: number) => (f: Frame): readonly FieldValue[] => {
  const e = eth(f);
  if (!e) return NO_VALUES;
  const d = (u8(f, e.dstOffset) & mask) !== 0;
  const s = (u8(f, e.srcOffset) & mask) !== 0;
  return which === 'dst' ? [d] : which === 'src' ? [s] : [d, s];
};

export const ETH_FIELDS: readonly FieldDef[] = [
  proto('eth', 'Ethernet', (f) => present(eth(f) !== undefined)),
  field('eth.dst', 'Destination', 'FT_ETHER', 'BASE_NONE', 0x0, 'Destination Hardware Address', (f) => { const e = eth(f); return e ? [mac(f, e.dstOffset)] : NO_VALUES; }),
  field('eth.src', 'Source', 'FT_ETHER', 'BASE_NONE', 0x0, 'Source Hardware Address', (f) => { const e = eth(f); return e ? [mac(f, e.srcOffset)] : NO_VALUES; }),
  field('eth.addr', 'Address', 'FT_ETHER', 'BASE_NONE', 0x0, 'Source or Destination Hardware Address', (f) => { const e = eth(f); return e ? [mac(f, e.dstOffset), mac(f, e.srcOffset)] : NO_VALUES; }),
  field('eth.dst_resolved', 'Destination (resolved)', 'FT_STRING', 'BASE_NONE', 0x0, 'Destination Hardware Address (resolved)', (f) => { const e = eth(f); return e ? [resolveMac(mac(f, e.dstOffset))] : NO_VALUES; }),
  field('eth.dst.oui', 'Destination OUI', 'FT_UINT24', 'BASE_OUI', 0x0, 'Destination Organizationally Unique Identifier', (f) => { const e = eth(f); return e ? [oui(f, e.dstOffset)] : NO_VALUES; }),
  field('eth.dst.oui_resolved', 'Destination OUI (resolved)', 'FT_STRING', 'BASE_NONE', 0x0, 'Destination Organizationally Unique Identifier (resolved)', (f) => { const e = eth(f); return e ? one(ouiLongName(mac(f, e.dstOffset))) : NO_VALUES; }),
  field('eth.src_resolved', 'Source (resolved)', 'FT_STRING', 'BASE_NONE', 0x0, 'Source Hardware Address (resolved)', (f) => { const e = eth(f); return e ? [resolveMac(mac(f, e.srcOffset))] : NO_VALUES; }),
  field('eth.src.oui', 'Source OUI', 'FT_UINT24', 'BASE_OUI', 0x0, 'Source Organizationally Unique Identifier', (f) => { const e = eth(f); return e ? [oui(f, e.srcOffset)] : NO_VALUES; }),
  field('eth.src.oui_resolved', 'Source OUI (resolved)', 'FT_STRING', 'BASE_NONE', 0x0, 'Source Organizationally Unique Identifier (resolved)', (f) => { const e = eth(f); return e ? one(ouiLongName(mac(f, e.srcOffset))) : NO_VALUES; }),
  field('eth.addr_resolved', 'Address (resolved)', 'FT_STRING', 'BASE_NONE', 0x0, 'Source or Destination Hardware Address (resolved)', (f) => { const e = eth(f); return e ? [resolveMac(mac(f, e.dstOffset)), resolveMac(mac(f, e.srcOffset))] : NO_VALUES; }),
  field('eth.addr.oui', 'Address OUI', 'FT_UINT24', 'BASE_OUI', 0x0, 'Address Organizationally Unique Identifier', (f) => { const e = eth(f); return e ? [oui(f, e.dstOffset), oui(f, e.srcOffset)] : NO_VALUES; }),
  field('eth.addr.oui_resolved', 'Address OUI (resolved)', 'FT_STRING', 'BASE_NONE', 0x0, 'Address Organizationally Unique Identifier (resolved)', (f) => {
    const e = eth(f);
    if (!e) return NO_VALUES;
    const out: FieldValue[] = [];
    for (const o of [e.dstOffset, e.srcOffset]) { const n = ouiLongName(mac(f, o)); if (n !== undefined) out.push(n); }
    return out;
  }),
  bool('eth.dst.lg', 'LG bit', 24, 0x20000, 'Specifies if this is a locally administered or globally unique (IEEE assigned) address', addrBit('dst', 2)),
  bool('eth.dst.ig', 'IG bit', 24, 0x10000, 'Specifies if this is an individual (unicast) or group (broadcast/multicast) address', addrBit('dst', 1)),
  bool('eth.src.lg', 'LG bit', 24, 0x20000, 'Specifies if this is a locally administered or globally unique (IEEE assigned) address', addrBit('src', 2)),
  bool('eth.src.ig', 'IG bit', 24, 0x10000, 'Specifies if this is an individual (unicast) or group (broadcast/multicast) address', addrBit('src', 1)),
  bool('eth.lg', 'LG bit', 24, 0x20000, 'Specifies if this is a locally administered or globally unique (IEEE assigned) address', addrBit('both', 2)),
  bool('eth.ig', 'IG bit', 24, 0x10000, 'Specifies if this is an individual (unicast) or group (broadcast/multicast) address', addrBit('both', 1)),
  field('eth.type', 'Type', 'FT_UINT16', 'BASE_HEX', 0x0, '', (f) => {
    const e = eth(f);
    // The EtherType right after the addresses (VLAN tags carry their own vlan.etype).
    if (!e) return NO_VALUES;
    const t = ((u8(f, e.offset + 12) << 8) | u8(f, e.offset + 13));
    return t >= 0x600 ? [t] : NO_VALUES;
  }),
  field('eth.len', 'Length', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => {
    const e = eth(f);
    if (!e) return NO_VALUES;
    const t = ((u8(f, e.offset + 12) << 8) | u8(f, e.offset + 13));
    return t < 0x600 ? [t] : NO_VALUES;
  }),
  field('eth.padding', 'Padding', 'FT_BYTES', 'BASE_NONE', 0x0, 'Ethernet Padding', (f) => one(ethPadding(f))),
];

export const VLAN_FIELDS: readonly FieldDef[] = [
  proto('vlan', '802.1Q Virtual LAN', (f) => present(f.pkt.vlan.length > 0)),
  field('vlan.priority', 'Priority', 'FT_UINT16', 'BASE_DEC', 0xe000, 'Descriptions are recommendations from IEEE standard 802.1D-2004', (f) => f.pkt.vlan.map((v) => v.pcp)),
  bool('vlan.dei', 'DEI', 16, 0x1000, 'Drop Eligible Indicator', (f) => f.pkt.vlan.map((v) => v.dei !== 0)),
  field('vlan.id', 'ID', 'FT_UINT16', 'BASE_DEC', 0xfff, 'VLAN ID', (f) => f.pkt.vlan.map((v) => v.id)),
  field('vlan.etype', 'Type', 'FT_UINT16', 'BASE_HEX', 0x0, 'Ethertype', (f) => f.pkt.vlan.map((v) => v.type)),
];

const sll = (f: Frame) => f.pkt.sll;

export const SLL_FIELDS: readonly FieldDef[] = [
  proto('sll', 'Linux cooked-mode capture', (f) => present(sll(f) !== undefined)),
  field('sll.pkttype', 'Packet type', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(sll(f)?.packetType)),
  field('sll.hatype', 'Link-layer address type', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(sll(f)?.arphrdType)),
  field('sll.halen', 'Link-layer address length', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(sll(f)?.addrLen)),
  field('sll.src.eth', 'Source', 'FT_ETHER', 'BASE_NONE', 0x0, 'Source link-layer address', (f) => {
    const s = sll(f);
    return s && s.addrLen === 6 && (s.arphrdType === 1 || s.arphrdType === 772) ? [bytesAt(f, s.addrOffset, 6)] : NO_VALUES;
  }),
  field('sll.unused', 'Unused', 'FT_BYTES', 'BASE_NONE', 0x0, 'Unused bytes', (f) => {
    const s = sll(f);
    if (!s) return NO_VALUES;
    const used = s.addrLen === 6 && (s.arphrdType === 1 || s.arphrdType === 772) ? 6 : 0;
    return used < 8 ? [bytesAt(f, s.addrOffset + used, 8 - used)] : NO_VALUES;
  }),
  field('sll.etype', 'Protocol', 'FT_UINT16', 'BASE_HEX', 0x0, 'Ethernet protocol type', (f) => one(sll(f)?.protocol)),
  field('sll.ifindex', 'Interface index', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => { const s = sll(f); return s && s.version === 2 ? [s.ifIndex] : NO_VALUES; }),
];

/** AF_ value of a BSD loopback header (host byte order: the smaller reading is the right one). */
export function nullFamily(f: Frame): number | undefined {
  if (f.pkt.layers[0] !== 'null' && f.pkt.layers[0] !== 'loop') return undefined;
  const b = f.record.data;
  if (b.length < 4) return undefined;
  const be = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  const le = (((b[3] ?? 0) << 24) | ((b[2] ?? 0) << 16) | ((b[1] ?? 0) << 8) | (b[0] ?? 0)) >>> 0;
  return f.pkt.layers[0] === 'loop' ? be : Math.min(be, le);
}

export const NULL_FIELDS: readonly FieldDef[] = [
  proto('null', 'Null/Loopback', (f) => present(nullFamily(f) !== undefined)),
  field('null.family', 'Family', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => one(nullFamily(f))),
];

export { masked };

const arp = (f: Frame) => f.pkt.arp;
/** Ethernet/IPv4 ARP (the only kind whose addresses have typed fields). */
const arpEthIp = (f: Frame) => { const a = arp(f); return a && a.hwType === 1 && a.hwSize === 6 && a.protoType === 0x0800 && a.protoSize === 4 ? a : undefined; };
const ip4At = (f: Frame, off: number): number => (((u8(f, off) << 24) | (u8(f, off + 1) << 16) | (u8(f, off + 2) << 8) | u8(f, off + 3)) >>> 0);

/** arp.* (RFC 826). */
export const ARP_FIELDS: readonly FieldDef[] = [
  proto('arp', 'Address Resolution Protocol', (f) => present(arp(f) !== undefined)),
  field('arp.hw.type', 'Hardware type', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(arp(f)?.hwType)),
  field('arp.proto.type', 'Protocol type', 'FT_UINT16', 'BASE_HEX', 0x0, '', (f) => one(arp(f)?.protoType)),
  field('arp.hw.size', 'Hardware size', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => one(arp(f)?.hwSize)),
  field('arp.proto.size', 'Protocol size', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => one(arp(f)?.protoSize)),
  field('arp.opcode', 'Opcode', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(arp(f)?.opcode)),
  field('arp.src.hw_mac', 'Sender MAC address', 'FT_ETHER', 'BASE_NONE', 0x0, '', (f) => { const a = arpEthIp(f); return a ? [mac(f, a.senderHwOffset)] : NO_VALUES; }),
  field('arp.src.proto_ipv4', 'Sender IP address', 'FT_IPv4', 'BASE_NONE', 0x0, '', (f) => { const a = arpEthIp(f); return a ? [ip4At(f, a.senderProtoOffset)] : NO_VALUES; }),
  field('arp.dst.hw_mac', 'Target MAC address', 'FT_ETHER', 'BASE_NONE', 0x0, '', (f) => { const a = arpEthIp(f); return a ? [mac(f, a.targetHwOffset)] : NO_VALUES; }),
  field('arp.dst.proto_ipv4', 'Target IP address', 'FT_IPv4', 'BASE_NONE', 0x0, '', (f) => { const a = arpEthIp(f); return a ? [ip4At(f, a.targetProtoOffset)] : NO_VALUES; }),
];
