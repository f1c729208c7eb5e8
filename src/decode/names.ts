/**
 * Wireshark's protocol short names for decode/ layers — the name tshark 4.0 puts in
 * "[Packet size limited during capture: <name> truncated]" (DecodedPacket.truncatedLayer) and in
 * the Protocol column when that layer is the last one. Checked with editcap -s cuts of the
 * fixtures at each layer.
 */
import type { LayerId } from './packet.js';

export const LAYER_SHORT_NAMES: Readonly<Record<LayerId, string>> = {
  null: 'Null',
  loop: 'Null',
  eth: 'Ethernet',
  vlan: 'VLAN',
  llc: 'LLC',
  sll: 'SLL',
  sll2: 'SLL',
  raw: 'Raw',
  ppp: 'PPP',
  nflog: 'NFLOG',
  mpls: 'MPLS',
  arp: 'ARP',
  teredo: 'Teredo',
  ip: 'IPv4',
  ipv6: 'IPv6',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  udp: 'UDP',
  tcp: 'TCP',
  data: 'Data',
};
