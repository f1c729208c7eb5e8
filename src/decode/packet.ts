/**
 * DecodedPacket: one fixed shape for every packet (ARCHITECTURE.md §2.3). Absent layers are
 * `undefined`, never missing keys, so hot code stays monomorphic.
 *
 * Offsets are into `record.data` (the CaptureRecord's bytes), so the hex pane can highlight any
 * header or field. Addresses that are not 32-bit numbers (MAC, IPv6) are given as offsets into
 * the same bytes: read them with util helpers, copy them to keep them.
 *
 * Owner: decode/. Other areas may rely on every member declared here; decode/ may add members.
 *
 * Helpers next to this contract:
 * - decoder.ts: PacketDecoder.decode(record) / decodeInto(pkt, record) / decodeBytes(lt, bytes, origLen).
 * - tcp.ts: tcpShown(tcp, quoted) — which tcp.* fields tshark shows for partial, bogus (data
 *   offset < 5) and ICMP-quoted headers; TH_* flag bits.
 * - tcp-options.ts: TCPOPT_* kinds, tcpOptionName(kind) (Wireshark's names), TCP_OPTION_NAMES.
 * - names.ts: LAYER_SHORT_NAMES ("[Packet size limited during capture: TCP truncated]").
 * - util/addr.ts: formatIPv4(u32), formatIPv6(bytes, off), formatMac(bytes, off).
 * Field values as tshark -T fields prints them: ip.frag_offset is fragOffset (8-byte units; -V
 * shows ×8), ip.flags is `flags` (0x02 = DF), eth.type is eth.outerType, vlan.etype each tag's type.
 */

export type LayerId =
  | 'null' | 'loop' | 'eth' | 'vlan' | 'llc' | 'sll' | 'sll2' | 'raw' | 'ppp' | 'nflog'
  | 'mpls' | 'arp' | 'teredo' | 'ip' | 'ipv6' | 'icmp' | 'icmpv6' | 'udp' | 'tcp' | 'data';

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
  /** The EtherType/length field of the Ethernet header itself (before VLAN tags): eth.type / eth.len. */
  outerType: number;
  /** Zero padding up to 60 bytes after the payload (eth.padding); length 0 when none. */
  paddingOffset: number;
  paddingLength: number;
  /**
   * Other bytes after the payload, FCS excluded; length 0 when none. tshark calls them eth.trailer,
   * or vlan.trailer when the frame has VLAN tags.
   */
  trailerOffset: number;
  trailerLength: number;
  /**
   * Offset of an assumed 4-byte FCS (eth.fcs), -1 when none. Wireshark's heuristic for pcap files
   * (FCS length unknown): a frame of 64 bytes or more whose trailer is 4 bytes or more ends in an FCS.
   */
  fcsOffset: number;
}

/** IEEE 802.2 LLC header (+ SNAP when dsap = ssap = 0xaa). */
export interface LlcHeader extends Span {
  dsap: number;
  ssap: number;
  /** Control field (1 byte for U frames, 2 for I/S frames). */
  control: number;
  /** SNAP OUI and protocol id, -1 when there is no SNAP header. */
  oui: number;
  pid: number;
}

/** BSD loopback (LINKTYPE_NULL, host byte order) / OpenBSD LOOP (network byte order) header. */
export interface NullHeader extends Span {
  /** AF_ value (2 = IPv4; 24, 28, 30 = IPv6 on the BSDs), or an EtherType when > 1500. */
  family: number;
  /** True when the 4 bytes were read little-endian. */
  littleEndian: boolean;
}

/** PPP (in HDLC-like framing) or Cisco HDLC header. */
export interface PppHeader extends Span {
  /** True for Cisco HDLC (address 0x0f/0x8f; protocol is an EtherType). */
  chdlc: boolean;
  /** Address and control bytes, -1 when absent (address/control field compression). */
  address: number;
  control: number;
  protocol: number;
}

/** Linux NFLOG header; the IP packet is the NFULA_PAYLOAD TLV. */
export interface NflogHeader extends Span {
  /** NFPROTO_* (2 IPv4, 10 IPv6). */
  family: number;
  version: number;
  resourceId: number;
  /** NFULA_PACKET_HDR hw_protocol (EtherType), 0 when absent. */
  hwProtocol: number;
  /** NFULA_PREFIX text span, length 0 when absent (NUL excluded). */
  prefixOffset: number;
  prefixLength: number;
  /** NFULA_PAYLOAD value span; length 0 when absent. */
  payloadOffset: number;
  payloadLength: number;
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
  version: 4;
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
  /** ip.dst: the final destination (the last hop of a strict/loose source route, as Wireshark). */
  dst: number;
  /** Offsets of the 4 address bytes in record.data (dstOffset follows a source route). */
  srcOffset: number;
  dstOffset: number;
  /** IP options (spans of each option; kind is the option type byte). */
  options: IpOption[];
  /** MF set or fragment offset > 0 (the payload is not dissected when fragOffset > 0). */
  isFragment: boolean;
}

/** One IPv4 option (type byte, and the option's span including type and length bytes). */
export interface IpOption extends Span {
  type: number;
}

export interface Ipv6ExtHeader extends Span {
  type: number;
  nextHeader: number;
  /** Fragment header (44) only, else 0: offset in 8-byte units, M flag, identification. */
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
}

export interface Ipv6Header extends Span {
  version: 6;
  /** Span.length covers the fixed header and the extension headers. */
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
  /**
   * Bytes of the option actually captured (= length unless a snaplen cut ends inside it; then
   * tshark still shows the kind and the values whose bytes were captured — use the parsed
   * TcpHeader members, e.g. tsval without tsecr, rather than reading past `captured`).
   */
  captured: number;
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
  /** Bit k set when `options` holds an option of kind k < 32 (MPTCP 30, SACK 5: tested per frame). */
  optionKinds: number;
  /**
   * tcp.len is known: false inside a fragmented datagram, inside an ICMP error, and when the
   * segment is shorter than its header (Wireshark then shows no tcp.len). `len` is 0 then.
   */
  hasLen: boolean;
  /**
   * How many bytes of the TCP header are present (captured and within the IP length): 20 or more
   * for a complete fixed header. Less happens in ICMP-quoted headers (usually 8: ports and seq)
   * and in snaplen-cut frames; fields past this count read as 0 and must not be shown.
   */
  hdrAvailable: number;
  /** Parsed common options; undefined when absent. */
  mss: number | undefined;
  wscale: number | undefined;
  sackPerm: boolean;
  sack: SackBlock[];
  tsval: number | undefined;
  tsecr: number | undefined;
  /** Option-level problems are in DecodedPacket.issues (layer 'tcp'). */
}

/** ARP (RFC 826): the facts for a one-line summary ("Who has a? Tell b"). */
export interface ArpHeader extends Span {
  hwType: number;
  protoType: number;
  hwSize: number;
  protoSize: number;
  /** 1 request, 2 reply (3/4 RARP, 8/9 InARP). */
  opcode: number;
  /** Address offsets in record.data (sizes hwSize / protoSize). */
  senderHwOffset: number;
  senderProtoOffset: number;
  targetHwOffset: number;
  targetProtoOffset: number;
}

export interface UdpHeader extends Span {
  srcPort: number;
  dstPort: number;
  /** Span.length is the 8-byte header; the UDP length field (udp.length) is `udpLength`. */
  length: number;
  udpLength: number;
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
  /** Bytes 4..7 of the ICMP header as identifier and sequence number (echo, timestamp …); 0 when not captured. */
  ident: number;
  seqNum: number;
}

export interface DecodedPacket {
  /**
   * Layers in order, e.g. ['sll2', 'ip', 'tcp']. All lists in a DecodedPacket are read-only for
   * consumers (empty ones may be a shared frozen array).
   */
  layers: LayerId[];
  /** The link type the packet was decoded as (LINKTYPE_*). */
  linkType: number;
  eth: EthHeader | undefined;
  vlan: VlanTag[];
  llc: LlcHeader | undefined;
  sll: SllHeader | undefined;
  null: NullHeader | undefined;
  ppp: PppHeader | undefined;
  nflog: NflogHeader | undefined;
  ip4: Ipv4Header | undefined;
  ip6: Ipv6Header | undefined;
  /**
   * Outer IP headers of IP-in-IP tunnels that an inner header of the same version replaced in
   * ip4/ip6 (outermost first). ip4/ip6 hold the innermost; tshark lists all (ip.src "outer,inner").
   */
  tunnelIps: (Ipv4Header | Ipv6Header)[];
  tcp: TcpHeader | undefined;
  udp: UdpHeader | undefined;
  icmp: IcmpHeader | undefined;
  arp: ArpHeader | undefined;
  /** Offset and length of what is left after the last decoded layer (payload / unknown). */
  payloadOffset: number;
  payloadLength: number;
  /** capLen < what the headers say is there: a snaplen cut ([Packet size limited during capture]). */
  truncated: boolean;
  /** The layer that ran out of captured bytes ("[Packet size limited during capture: TCP truncated]"). */
  truncatedLayer: LayerId | undefined;
  /** Malformed facts, in order; a shared empty array when none. */
  issues: DecodeIssue[];
}
