/**
 * DecodedPacket: one fixed shape for every packet (ARCHITECTURE.md §2.3). Absent layers are
 * `undefined`, never missing keys, so hot code stays monomorphic.
 *
 * Offsets are into `record.data` (the CaptureRecord's bytes), so the hex pane can highlight any
 * header or field. Addresses that are not 32-bit numbers (MAC, IPv6) are given as offsets into
 * the same bytes: read them with util helpers, copy them to keep them.
 *
 * Owner: decode/. Other areas may rely on every member declared here; decode/ may add members.
 */

export type LayerId =
  | 'null' | 'loop' | 'eth' | 'vlan' | 'llc' | 'sll' | 'sll2' | 'raw' | 'ppp' | 'nflog'
  | 'ip' | 'ipv6' | 'icmp' | 'icmpv6' | 'udp' | 'tcp' | 'data';

/** A malformed-packet fact (never a capture-truncation fact: that is `truncated`). */
export interface DecodeIssue {
  /** Stable code, e.g. 'ERR_TCP_BAD_DATA_OFFSET', 'ERR_IP_BAD_TOTAL_LEN', 'ERR_DECODE_INTERNAL'. */
  code: string;
  layer: LayerId;
  /** Byte offset in record.data where the problem is. */
  offset: number;
  message: string;
}

/** A header's place in record.data. */
export interface Span {
  offset: number;
  length: number;
}

export interface EthHeader extends Span {
  dstOffset: number;
  srcOffset: number;
  /** EtherType (or 802.3 length) after any VLAN tags. */
  type: number;
}

export interface VlanTag extends Span {
  tpid: number;
  pcp: number;
  dei: number;
  id: number;
  type: number;
}

export interface SllHeader extends Span {
  version: 1 | 2;
  packetType: number;
  arphrdType: number;
  /** Link-layer address: offset and length (0..8). */
  addrOffset: number;
  addrLen: number;
  protocol: number;
  /** SLL2 only (else -1). */
  ifIndex: number;
}

export interface Ipv4Header extends Span {
  /** Header length in bytes (IHL * 4). */
  hdrLen: number;
  dsfield: number;
  totalLen: number;
  id: number;
  /** The 3 flag bits (0x4 reserved, 0x2 DF, 0x1 MF) as in the header. */
  flags: number;
  /** Fragment offset in 8-byte units. */
  fragOffset: number;
  ttl: number;
  proto: number;
  checksum: number;
  /** Addresses as unsigned 32-bit numbers. */
  src: number;
  dst: number;
}

export interface Ipv6ExtHeader extends Span {
  type: number;
  nextHeader: number;
}

export interface Ipv6Header extends Span {
  tclass: number;
  flowLabel: number;
  payloadLen: number;
  /** Next Header of the fixed header. */
  nextHeader: number;
  hopLimit: number;
  srcOffset: number;
  dstOffset: number;
  ext: Ipv6ExtHeader[];
  /** The upper-layer protocol after the extension chain. */
  proto: number;
}

export interface SackBlock {
  le: number;
  re: number;
}

export interface TcpOption extends Span {
  kind: number;
}

export interface TcpHeader extends Span {
  srcPort: number;
  dstPort: number;
  /** Raw 32-bit sequence and acknowledgment numbers (unsigned). */
  seq: number;
  ack: number;
  /** Header length in bytes (data offset * 4). */
  hdrLen: number;
  /** 12 flag bits: FIN 0x001 … CWR 0x080, AE 0x100, reserved 0xE00. */
  flags: number;
  window: number;
  checksum: number;
  urgent: number;
  /** Payload length from the IP length (tcp.len), not from the captured bytes. */
  len: number;
  /** Payload bytes actually captured (≤ len). */
  capturedLen: number;
  /** Offset of the payload in record.data. */
  payloadOffset: number;
  options: TcpOption[];
  /** Parsed common options; undefined when absent. */
  mss: number | undefined;
  wscale: number | undefined;
  sackPerm: boolean;
  sack: SackBlock[];
  tsval: number | undefined;
  tsecr: number | undefined;
}

export interface UdpHeader extends Span {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
}

export interface IcmpHeader extends Span {
  /** 4 for ICMP, 6 for ICMPv6. */
  version: 4 | 6;
  type: number;
  code: number;
  checksum: number;
  /** The IP packet quoted in an error message, decoded (TCP/UDP ports, seq) when present. */
  quoted: DecodedPacket | undefined;
}

export interface DecodedPacket {
  /** Layers in order, e.g. ['sll2', 'ip', 'tcp']. */
  layers: LayerId[];
  eth: EthHeader | undefined;
  vlan: VlanTag[];
  sll: SllHeader | undefined;
  ip4: Ipv4Header | undefined;
  ip6: Ipv6Header | undefined;
  tcp: TcpHeader | undefined;
  udp: UdpHeader | undefined;
  icmp: IcmpHeader | undefined;
  /** Offset and length of what is left after the last decoded layer (payload / unknown). */
  payloadOffset: number;
  payloadLength: number;
  /** capLen < what the headers say is there: a snaplen cut ([Packet size limited during capture]). */
  truncated: boolean;
  /** Malformed facts, in order; a shared empty array when none. */
  issues: DecodeIssue[];
}
