/**
 * frame.* fields: what the capture says about the frame (Wireshark's packet-frame.c), not its
 * bytes. frame.protocols is the colon list tshark prints ("eth:ethertype:ip:tcp:data").
 */
import type { FieldDef, Frame } from './field.js';
import type { LayerId } from '../decode/packet.js';
import { bool, field, generated, NO_VALUES, one, present, proto } from './define.js';
import { appException, dataBytes } from './transport.js';

/** LINKTYPE_* → Wireshark's WTAP_ENCAP_* number (frame.encap_type) and its name (-V). */
const ENCAP: Record<number, [number, string]> = {
  0: [15, 'NULL/Loopback'], 1: [1, 'Ethernet'], 9: [4, 'PPP'], 12: [7, 'Raw IP'], 14: [7, 'Raw IP'],
  101: [7, 'Raw IP'], 108: [15, 'NULL/Loopback'], 113: [25, 'Linux cooked-mode capture v1'],
  228: [129, 'Raw IPv4'], 229: [130, 'Raw IPv6'], 239: [141, 'NFLOG'], 276: [210, 'Linux cooked-mode capture v2'],
};

/** WTAP encapsulation number and name of a link type (unknown types: -1 / "Unknown"). */
export function encapOf(linkType: number): [number, string] {
  return ENCAP[linkType] ?? [-1, 'Unknown'];
}

const LAYER_PROTOS: Partial<Record<LayerId, string>> = {
  mpls: 'mpls', arp: 'arp',
  null: 'null', loop: 'null', eth: 'eth:ethertype', vlan: 'vlan:ethertype', llc: 'llc', sll: 'sll:ethertype',
  sll2: 'sll:ethertype', raw: 'raw', ppp: 'ppp', nflog: 'nflog', ip: 'ip', ipv6: 'ipv6', icmp: 'icmp',
  icmpv6: 'icmpv6', udp: 'udp', tcp: 'tcp', data: 'data',
};

/** "eth:ethertype:ip:tcp:data" — frame.protocols. */
export function protocolsOf(f: Frame): string {
  const out: string[] = [];
  for (const l of f.pkt.layers) out.push(LAYER_PROTOS[l] ?? l);
  // TCP/UDP payload goes to tshark's Data dissector here (no application dissectors), unless a
  // dissector that claimed it raised an exception (its name ends the list).
  const ex = appException(f);
  if (ex !== undefined) out.push(ex.proto.toLowerCase());
  else if (out[out.length - 1] !== 'data' && dataBytes(f) !== undefined) out.push('data');
  return out.join(':');
}

/**
 * frame.time_epoch as integer nanoseconds. A bigint: epoch nanoseconds exceed 2^53, and a float
 * would print 1795537459.621008896 where tshark prints .621009000.
 */
export function epochNs(f: Frame): bigint {
  return BigInt(f.record.ts.sec) * 1_000_000_000n + BigInt(f.record.ts.nsec);
}

export const FRAME_FIELDS: readonly FieldDef[] = [
  proto('frame', 'Frame', () => present(true)),
  field('frame.encap_type', 'Encapsulation type', 'FT_INT16', 'BASE_DEC', 0x0, '', (f) => [encapOf(f.record.linkType)[0]]),
  field('frame.time', 'Arrival Time', 'FT_ABSOLUTE_TIME', 'BASE_NONE', 0x0, 'Absolute time when this frame was captured', (f) => [f.record.ts]),
  field('frame.offset_shift', 'Time shift for this packet', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0, 'Time shift applied to this packet', () => [0]),
  field('frame.time_epoch', 'Epoch Time', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0, 'Epoch time when this frame was captured', (f) => [epochNs(f)]),
  generated('frame.time_delta', 'Time delta from previous captured frame', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0, '', (f) => [f.timeDeltaNs]),
  generated('frame.time_delta_displayed', 'Time delta from previous displayed frame', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0, '', (f) => [f.timeDeltaDisplayedNs]),
  generated('frame.time_relative', 'Time since reference or first frame', 'FT_RELATIVE_TIME', 'BASE_NONE', 0x0, 'Time relative to time reference or first frame', (f) => [f.timeRelativeNs]),
  field('frame.number', 'Frame Number', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => [f.record.frameNo]),
  field('frame.len', 'Frame length on the wire', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => [f.record.origLen]),
  field('frame.cap_len', 'Frame length stored into the capture file', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => [f.record.capLen]),
  bool('frame.marked', 'Frame is marked', 0, 0x0, 'Frame is marked in the GUI', () => [false]),
  bool('frame.ignored', 'Frame is ignored', 0, 0x0, 'Frame is ignored by the dissectors', () => [false]),
  generated('frame.protocols', 'Protocols in frame', 'FT_STRING', 'BASE_NONE', 0x0, 'Protocols carried by this frame', (f) => [protocolsOf(f)]),
  field('frame.interface_id', 'Interface id', 'FT_UINT32', 'BASE_DEC', 0x0, '', (f) => (f.capture?.format === 'pcapng' ? [f.record.ifIndex] : NO_VALUES)),
  field('frame.section_number', 'Section number', 'FT_UINT32', 'BASE_DEC', 0x0, 'The number of the file section this frame is in', (f) => (f.capture?.format === 'pcapng' ? [1] : NO_VALUES)),
  field('frame.interface_name', 'Interface name', 'FT_STRING', 'BASE_NONE', 0x0, 'The friendly name for this interface', (f) => (f.capture?.format === 'pcapng' ? [f.capture.interfaces[f.record.ifIndex]?.name ?? 'unknown'] : NO_VALUES)),
  field('frame.comment', 'Comment', 'FT_STRING', 'BASE_NONE', 0x0, '', (f) => (f.record.comments.length ? f.record.comments : NO_VALUES)),
];

export { one };
