/**
 * ip.* (IPv4, RFC 791 §3.1) and ipv6.* (RFC 8200 §3) fields. Addresses are values, the *_host
 * strings are their text (no name resolution, as tshark -n and its default for tshark -r).
 */
import type { FieldDef, FieldValue, Frame } from './field.js';
import { bool, bytesAt, field, generated, masked, NO_VALUES, one, present, proto, two } from './define.js';
import { formatIPv4, formatIPv6 } from './format.js';

const ip4 = (f: Frame) => f.pkt.ip4;
const ip6 = (f: Frame) => f.pkt.ip6;

export const IP_FIELDS: readonly FieldDef[] = [
  proto('ip', 'Internet Protocol Version 4', (f) => present(ip4(f) !== undefined)),
  // IPv6 packets carry ip.version too (Wireshark adds it in the IPv6 tree).
  field('ip.version', 'Version', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => (ip4(f) ? [4] : ip6(f) ? [6] : NO_VALUES)),
  field('ip.hdr_len', 'Header Length', 'FT_UINT8', 'BASE_DEC', 0x0, 'Header length in 32-bit words', (f) => one(ip4(f)?.hdrLen)),
  field('ip.dsfield', 'Differentiated Services Field', 'FT_UINT8', 'BASE_HEX', 0x0, '', (f) => one(ip4(f)?.dsfield)),
  field('ip.dsfield.dscp', 'Differentiated Services Codepoint', 'FT_UINT8', 'BASE_DEC', 0xfc, '', (f) => { const h = ip4(f); return h ? [masked(h.dsfield, 0xfc)] : NO_VALUES; }),
  field('ip.dsfield.ecn', 'Explicit Congestion Notification', 'FT_UINT8', 'BASE_DEC', 0x3, '', (f) => { const h = ip4(f); return h ? [h.dsfield & 3] : NO_VALUES; }),
  field('ip.len', 'Total Length', 'FT_UINT16', 'BASE_DEC', 0x0, '', (f) => one(ip4(f)?.totalLen)),
  field('ip.id', 'Identification', 'FT_UINT16', 'BASE_HEX_DEC', 0x0, '', (f) => one(ip4(f)?.id)),
  field('ip.flags', 'Flags', 'FT_UINT8', 'BASE_HEX', 0xe0, 'Flags (3 bits)', (f) => one(ip4(f)?.flags)),
  bool('ip.flags.rb', 'Reserved bit', 8, 0x80, '', (f) => { const h = ip4(f); return h ? [(h.flags & 4) !== 0] : NO_VALUES; }),
  bool('ip.flags.df', "Don't fragment", 8, 0x40, '', (f) => { const h = ip4(f); return h ? [(h.flags & 2) !== 0] : NO_VALUES; }),
  bool('ip.flags.mf', 'More fragments', 8, 0x20, '', (f) => { const h = ip4(f); return h ? [(h.flags & 1) !== 0] : NO_VALUES; }),
  field('ip.frag_offset', 'Fragment Offset', 'FT_UINT16', 'BASE_DEC', 0x1fff, 'Fragment offset (13 bits)', (f) => { const h = ip4(f); return h ? [h.fragOffset * 8] : NO_VALUES; }),
  field('ip.ttl', 'Time to Live', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => one(ip4(f)?.ttl)),
  field('ip.proto', 'Protocol', 'FT_UINT8', 'BASE_DEC', 0x0, '', (f) => one(ip4(f)?.proto)),
  field('ip.checksum', 'Header Checksum', 'FT_UINT16', 'BASE_HEX', 0x0, '', (f) => one(ip4(f)?.checksum)),
  generated('ip.checksum.status', 'Header checksum status', 'FT_UINT8', 'BASE_NONE', 0x0, '', (f) => (ip4(f) ? [2] : NO_VALUES)),
  field('ip.src', 'Source Address', 'FT_IPv4', 'BASE_NONE', 0x0, '', (f) => one(ip4(f)?.src)),
  field('ip.addr', 'Source or Destination Address', 'FT_IPv4', 'BASE_NONE', 0x0, '', (f) => two(ip4(f)?.src, ip4(f)?.dst)),
  field('ip.src_host', 'Source Host', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => { const h = ip4(f); return h ? [formatIPv4(h.src)] : NO_VALUES; }),
  field('ip.host', 'Source or Destination Host', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => { const h = ip4(f); return h ? [formatIPv4(h.src), formatIPv4(h.dst)] : NO_VALUES; }),
  field('ip.dst', 'Destination Address', 'FT_IPv4', 'BASE_NONE', 0x0, '', (f) => one(ip4(f)?.dst)),
  field('ip.dst_host', 'Destination Host', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => { const h = ip4(f); return h ? [formatIPv4(h.dst)] : NO_VALUES; }),
];

const a6 = (f: Frame, off: number): Uint8Array => bytesAt(f, off, 16);
const v6 = (get: (f: Frame) => FieldValue | undefined) => (f: Frame): readonly FieldValue[] => one(ip6(f) ? get(f) : undefined);

export const IPV6_FIELDS: readonly FieldDef[] = [
  proto('ipv6', 'Internet Protocol Version 6', (f) => present(ip6(f) !== undefined)),
  field('ipv6.version', 'Version', 'FT_UINT8', 'BASE_DEC', 0x0, '', v6(() => 6)),
  field('ipv6.tclass', 'Traffic Class', 'FT_UINT32', 'BASE_HEX', 0xff00000, '', v6((f) => ip6(f)!.tclass)),
  field('ipv6.tclass.dscp', 'Differentiated Services Codepoint', 'FT_UINT32', 'BASE_DEC', 0xfc00000, '', v6((f) => ip6(f)!.tclass >> 2)),
  field('ipv6.tclass.ecn', 'Explicit Congestion Notification', 'FT_UINT32', 'BASE_DEC', 0x300000, '', v6((f) => ip6(f)!.tclass & 3)),
  field('ipv6.flow', 'Flow Label', 'FT_UINT24', 'BASE_HEX', 0xfffff, '', v6((f) => ip6(f)!.flowLabel)),
  field('ipv6.plen', 'Payload Length', 'FT_UINT16', 'BASE_DEC', 0x0, '', v6((f) => ip6(f)!.payloadLen)),
  field('ipv6.nxt', 'Next Header', 'FT_UINT8', 'BASE_DEC', 0x0, '', v6((f) => ip6(f)!.nextHeader)),
  field('ipv6.hlim', 'Hop Limit', 'FT_UINT8', 'BASE_DEC', 0x0, '', v6((f) => ip6(f)!.hopLimit)),
  field('ipv6.src', 'Source Address', 'FT_IPv6', 'BASE_NONE', 0x0, 'Source IPv6 Address', v6((f) => a6(f, ip6(f)!.srcOffset))),
  field('ipv6.addr', 'Source or Destination Address', 'FT_IPv6', 'BASE_NONE', 0x0, '', (f) => { const h = ip6(f); return h ? [a6(f, h.srcOffset), a6(f, h.dstOffset)] : NO_VALUES; }),
  field('ipv6.src_host', 'Source Host', 'FT_STRING', 'BASE_NONE', 0x0, 'Source IPv6 Host', v6((f) => formatIPv6(a6(f, ip6(f)!.srcOffset)))),
  field('ipv6.host', 'Source or Destination Host', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => { const h = ip6(f); return h ? [formatIPv6(a6(f, h.srcOffset)), formatIPv6(a6(f, h.dstOffset))] : NO_VALUES; }),
  field('ipv6.dst', 'Destination Address', 'FT_IPv6', 'BASE_NONE', 0x0, 'Destination IPv6 Address', v6((f) => a6(f, ip6(f)!.dstOffset))),
  field('ipv6.dst_host', 'Destination Host', 'FT_STRING', 'BASE_NONE', 0x0, 'Destination IPv6 Host', v6((f) => formatIPv6(a6(f, ip6(f)!.dstOffset)))),
];
