/**
 * PacketDecoder edge cases, one per row (ws style): each row builds a packet with
 * test/support/packet-builder.ts, decodes it, and checks the facts the row is about.
 * Wireshark behaviour quoted in the row names is from tshark 4.0 (packet-ip.c, packet-tcp.c …).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketDecoder } from '../../src/decode/decoder.js';
import type { DecodedPacket } from '../../src/decode/packet.js';
import { tcpOptionName } from '../../src/decode/tcp-options.js';
import { formatIPv4, formatIPv4Bytes, formatIPv6 } from '../../src/util/addr.js';
import { hex } from '../../src/util/bytes.js';
import { ah, cat, eth, ext6, frag6, icmp, ipv4, ipv6, MAC_A, tcp, u16, u32, udp } from '../support/packet-builder.js';

const LT_NULL = 0, LT_ETH = 1, LT_PPP = 9, LT_RAW = 101, LT_LOOP = 108, LT_SLL = 113, LT_IPV4 = 228;
const LT_IPV6 = 229, LT_NFLOG = 239, LT_SLL2 = 276;
const SYN = 0x002, ACK = 0x010, PSH = 0x008;

// MSS 1460, NOP, WS 7, SACK_PERM, TS 100/0 — a Linux SYN's options (20 bytes).
const SYN_OPTS = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, ...u32(100), ...u32(0)];

interface Row {
  name: string;
  lt: number;
  bytes: Uint8Array;
  origLen?: number;
  layers?: string[];
  truncated?: boolean;
  issues?: string[];
  check?: (p: DecodedPacket, b: Uint8Array) => void;
}

const payload10 = new Uint8Array(10).fill(0x61);

const ROWS: Row[] = [
  {
    name: 'Ethernet IPv4 TCP SYN: every common option parsed, spans kept',
    lt: LT_ETH, bytes: eth(0x0800, ipv4(tcp({ flags: SYN, seq: 0xfffffff0, options: SYN_OPTS }))),
    layers: ['eth', 'ip', 'tcp'], truncated: false, issues: [],
    check: p => {
      const t = p.tcp!;
      assert.equal(t.seq, 0xfffffff0);
      assert.equal(t.hdrLen, 40);
      assert.equal(t.len, 0);
      assert.equal(t.hasLen, true);
      assert.equal(t.mss, 1460);
      assert.equal(t.wscale, 7);
      assert.equal(t.sackPerm, true);
      assert.equal(t.tsval, 100);
      assert.equal(t.tsecr, 0);
      assert.deepEqual(t.options.map(o => [o.offset, o.length, o.kind]),
        [[54, 4, 2], [58, 1, 1], [59, 3, 3], [62, 2, 4], [64, 10, 8]]);
      assert.equal(formatIPv4(p.ip4!.src), '192.0.2.1');
      assert.equal(p.eth!.srcOffset, 6);
    },
  },
  {
    name: 'tcp.len comes from the IP total length, not the captured bytes (60-byte frame, zero padding)',
    lt: LT_ETH, bytes: cat(eth(0x0800, ipv4(tcp({ flags: ACK }))), new Uint8Array(6)),
    issues: [],
    check: p => {
      assert.equal(p.tcp!.len, 0);
      assert.equal(p.eth!.paddingLength, 6);
      assert.equal(p.eth!.paddingOffset, 54);
      assert.equal(p.eth!.trailerLength, 0);
      assert.equal(p.eth!.fcsOffset, -1);
      assert.equal(p.payloadLength, 0);
    },
  },
  {
    name: 'Ethernet frame of 64+ bytes with a 4+ byte trailer: padding, then an assumed FCS (Wireshark heuristic)',
    lt: LT_ETH, bytes: cat(eth(0x0800, ipv4(tcp())), new Uint8Array(6), [0xde, 0xad, 0xbe, 0xef]),
    check: p => {
      assert.equal(p.eth!.paddingLength, 6);
      assert.equal(p.eth!.fcsOffset, 60);
      assert.equal(p.eth!.trailerLength, 0);
    },
  },
  {
    name: 'non-zero bytes after the datagram: no padding, FCS split off, the rest is eth.trailer',
    lt: LT_ETH, bytes: cat(eth(0x0800, ipv4(tcp({ payload: payload10 }))), new Uint8Array(16).fill(0x55)),
    check: p => {
      assert.equal(p.tcp!.len, 10);
      assert.equal(p.eth!.paddingLength, 0);
      assert.equal(p.eth!.trailerOffset, 64);
      assert.equal(p.eth!.trailerLength, 12);
      assert.equal(p.eth!.fcsOffset, 76);
    },
  },
  {
    name: 'IPv4 total length exceeds the frame: issue, tcp.len from what the frame reports',
    lt: LT_RAW, bytes: ipv4(tcp({ payload: payload10 }), { totalLen: 500 }),
    issues: ['ERR_IP_BAD_TOTAL_LEN'],
    check: p => { assert.equal(p.tcp!.len, 10); assert.equal(p.truncated, false); },
  },
  {
    name: 'IPv4 total length < header length: "Bogus IP length", nothing dissected after IP',
    lt: LT_RAW, bytes: ipv4(tcp(), { totalLen: 12 }),
    layers: ['raw', 'ip'], issues: ['ERR_IP_BAD_TOTAL_LEN'],
    check: p => { assert.equal(p.tcp, undefined); assert.equal(p.ip4!.totalLen, 12); },
  },
  {
    name: 'IPv4 total length 0: TCP segmentation offload, the frame length is used',
    lt: LT_RAW, bytes: ipv4(tcp({ payload: payload10 }), { totalLen: 0 }),
    issues: [],
    check: p => assert.equal(p.tcp!.len, 10),
  },
  {
    name: 'IPv4 IHL < 5: "Bogus IP header length", no IPv4 header object',
    lt: LT_RAW, bytes: ipv4(tcp(), { ihl: 4 }),
    layers: ['raw', 'ip'], issues: ['ERR_IP_BAD_HDR_LEN'],
    check: p => assert.equal(p.ip4, undefined),
  },
  {
    name: 'IPv4 fragment with offset > 0 is not dissected as TCP',
    lt: LT_RAW, bytes: ipv4(tcp(), { flags: 0, fragOffset: 185 }),
    layers: ['raw', 'ip', 'data'], issues: [],
    check: p => { assert.equal(p.tcp, undefined); assert.equal(p.ip4!.isFragment, true); assert.equal(p.payloadOffset, 20); },
  },
  {
    name: 'first IPv4 fragment fully captured goes to reassembly in Wireshark: not dissected',
    lt: LT_RAW, bytes: ipv4(tcp({ payload: payload10 }), { flags: 1 }),
    layers: ['raw', 'ip', 'data'],
    check: p => assert.equal(p.tcp, undefined),
  },
  {
    name: 'first IPv4 fragment cut by the snaplen is dissected, without tcp.len',
    lt: LT_RAW, bytes: ipv4(tcp({ payload: payload10 }), { flags: 1 }).subarray(0, 45), origLen: 50,
    layers: ['raw', 'ip', 'tcp'], truncated: false,
    check: p => { assert.equal(p.tcp!.hasLen, false); assert.equal(p.tcp!.srcPort, 40000); },
  },
  {
    name: 'TCP data offset 4: "Bogus TCP header length", seq kept, nothing after',
    lt: LT_RAW, bytes: ipv4(tcp({ dataOffset: 4, seq: 77 })),
    issues: ['ERR_TCP_BAD_DATA_OFFSET'],
    check: p => {
      assert.equal(p.tcp!.hdrLen, 16);
      assert.equal(p.tcp!.seq, 77);
      assert.equal(p.tcp!.hasLen, true);
      assert.equal(p.tcp!.len, 4);
      assert.equal(p.tcp!.options.length, 0);
    },
  },
  {
    name: 'TCP header longer than the segment: short segment, no tcp.len, options past the end malformed',
    lt: LT_RAW, bytes: ipv4(tcp({ dataOffset: 10 })),
    issues: ['ERR_TCP_SHORT_SEGMENT', 'ERR_DECODE_SHORT'],
    check: p => { assert.equal(p.tcp!.hasLen, false); assert.equal(p.truncated, false); },
  },
  {
    name: 'unknown option kept raw; wrong-length MSS kept but not parsed',
    lt: LT_RAW, bytes: ipv4(tcp({ options: [0x99, 4, 0xab, 0xcd, 2, 3, 5, 1] })),
    issues: ['ERR_TCP_OPT_LEN'],
    check: p => {
      assert.deepEqual(p.tcp!.options.map(o => [o.kind, o.length]), [[0x99, 4], [2, 3], [1, 1]]);
      assert.equal(p.tcp!.mss, undefined);
      assert.equal(tcpOptionName(0x99), 'Unknown (0x99)');
    },
  },
  {
    name: 'option length 1 ends the walk ("with too-short option length")',
    lt: LT_RAW, bytes: ipv4(tcp({ options: [1, 3, 1, 7] })),
    issues: ['ERR_TCP_OPT_LEN'],
    check: p => assert.deepEqual(p.tcp!.options.map(o => o.kind), [1]),
  },
  {
    name: 'option running past the end of the options ends the walk',
    lt: LT_RAW, bytes: ipv4(tcp({ options: [1, 8, 10, 0, 0] })),
    issues: ['ERR_TCP_OPT_LEN'],
    check: p => assert.equal(p.tcp!.tsval, undefined),
  },
  {
    name: 'EOL followed by non-zero bytes: "Non-zero header padding"',
    lt: LT_RAW, bytes: ipv4(tcp({ options: [0, 0, 1, 1] })),
    issues: ['ERR_TCP_OPT_AFTER_EOL'],
    check: p => assert.deepEqual(p.tcp!.options.map(o => o.kind), [0, 0]),
  },
  {
    name: 'SACK with two blocks; TFO cookie; MPTCP by name',
    lt: LT_RAW,
    bytes: ipv4(tcp({ options: [1, 1, 5, 18, ...u32(10), ...u32(20), ...u32(30), ...u32(40), 34, 6, 1, 2, 3, 4, 30, 4, 0x10, 0x00] })),
    issues: [],
    check: p => {
      assert.deepEqual(p.tcp!.sack, [{ le: 10, re: 20 }, { le: 30, re: 40 }]);
      assert.deepEqual(p.tcp!.options.map(o => o.kind), [1, 1, 5, 34, 30, 0, 0]); // builder pads with EOL
      assert.equal(tcpOptionName(30), 'Multipath TCP');
      assert.equal(tcpOptionName(34), 'TCP Fast Open');
    },
  },
  {
    name: 'snaplen cut inside the timestamps option: truncated, tsval shown, tsecr not',
    lt: LT_ETH, bytes: eth(0x0800, ipv4(tcp({ flags: SYN, options: SYN_OPTS }))).subarray(0, 72), origLen: 74,
    truncated: true, issues: [],
    check: p => {
      assert.equal(p.truncatedLayer, 'tcp');
      assert.equal(p.tcp!.tsval, 100);
      assert.equal(p.tcp!.tsecr, undefined);
      assert.equal(p.tcp!.options.length, 5);
      assert.deepEqual(p.tcp!.options.map(o => o.captured), [4, 1, 3, 2, 8]);
    },
  },
  {
    name: 'snaplen cut 10 bytes into TCP: ports only (hdrAvailable 10)',
    lt: LT_ETH, bytes: eth(0x0800, ipv4(tcp({ payload: payload10 }))).subarray(0, 44), origLen: 64,
    truncated: true, issues: [],
    check: p => {
      assert.equal(p.tcp!.hdrAvailable, 10);
      assert.equal(p.tcp!.dstPort, 80);
      assert.equal(p.tcp!.hasLen, false);
    },
  },
  {
    name: 'snaplen cut inside the payload is not truncation of a header',
    lt: LT_ETH, bytes: eth(0x0800, ipv4(tcp({ payload: payload10 }))).subarray(0, 58), origLen: 64,
    truncated: false, issues: [],
    check: p => { assert.equal(p.tcp!.len, 10); assert.equal(p.tcp!.capturedLen, 4); assert.equal(p.payloadLength, 4); },
  },
  {
    name: 'frame shorter than the Ethernet header without a snaplen cut is malformed, not truncated',
    lt: LT_ETH, bytes: new Uint8Array(10),
    truncated: false, issues: ['ERR_DECODE_SHORT'],
  },
  {
    name: 'QinQ: 802.1ad S-tag then 802.1Q C-tag',
    lt: LT_ETH, bytes: eth(0x0800, ipv4(tcp()), [{ tpid: 0x88a8, tci: 100 }, { tpid: 0x8100, tci: (5 << 13) | 200 }]),
    layers: ['eth', 'vlan', 'vlan', 'ip', 'tcp'], issues: [],
    check: p => {
      assert.deepEqual(p.vlan.map(v => [v.tpid, v.id, v.pcp]), [[0x88a8, 100, 0], [0x8100, 200, 5]]);
      assert.equal(p.eth!.type, 0x0800);
      assert.equal(p.eth!.outerType, 0x88a8);
    },
  },
  {
    name: '802.3 length + LLC/SNAP (OUI 0) carrying IPv4',
    lt: LT_ETH,
    bytes: (() => { const ip = ipv4(tcp()); return cat(MAC_A, MAC_A, u16(8 + ip.length), [0xaa, 0xaa, 0x03, 0, 0, 0], u16(0x0800), ip); })(),
    layers: ['eth', 'llc', 'ip', 'tcp'], issues: [],
    check: p => { assert.equal(p.llc!.pid, 0x0800); assert.equal(p.llc!.oui, 0); assert.equal(p.eth!.type, 48); },
  },
  {
    name: 'ICMP port unreachable quoting IPv4 + 8 bytes of TCP: ports and seq, no issues',
    lt: LT_RAW,
    bytes: ipv4(icmp(3, 3, [0, 0, 0, 0], ipv4(tcp({ sport: 1234, dport: 25, seq: 99 }), { totalLen: 1500 }).subarray(0, 28)), { proto: 1 }),
    layers: ['raw', 'ip', 'icmp'], issues: [], truncated: false,
    check: p => {
      const q = p.icmp!.quoted!;
      assert.equal(p.icmp!.type, 3);
      assert.deepEqual(q.layers, ['ip', 'tcp']);
      assert.equal(q.tcp!.srcPort, 1234);
      assert.equal(q.tcp!.seq, 99);
      assert.equal(q.tcp!.hdrAvailable, 8);
      assert.equal(q.tcp!.hasLen, false);
      assert.deepEqual(q.issues, []);
      assert.equal(p.tcp, undefined);
    },
  },
  {
    name: 'ICMP echo request: identifier and sequence number',
    lt: LT_RAW, bytes: ipv4(icmp(8, 0, [...u16(0x1234), ...u16(7)], payload10), { proto: 1 }),
    issues: [],
    check: p => { assert.equal(p.icmp!.ident, 0x1234); assert.equal(p.icmp!.seqNum, 7); assert.equal(p.icmp!.quoted, undefined); },
  },
  {
    name: 'ICMPv6 packet too big quoting IPv6 + TCP',
    lt: LT_IPV6, bytes: ipv6(icmp(2, 0, u32(1280), ipv6(tcp({ sport: 443 }))), { nxt: 58 }),
    layers: ['raw', 'ipv6', 'icmpv6'], issues: [],
    check: p => { assert.equal(p.icmp!.version, 6); assert.equal(p.icmp!.quoted!.tcp!.srcPort, 443); },
  },
  {
    name: 'BSD NULL little-endian AF_INET (macOS lo0)',
    lt: LT_NULL, bytes: cat([2, 0, 0, 0], ipv4(tcp())),
    layers: ['null', 'ip', 'tcp'], issues: [],
    check: p => { assert.equal(p.null!.family, 2); assert.equal(p.null!.littleEndian, true); },
  },
  {
    name: 'BSD NULL written big-endian: byte order guessed',
    lt: LT_NULL, bytes: cat([0, 0, 0, 2], ipv4(tcp())),
    layers: ['null', 'ip', 'tcp'],
    check: p => { assert.equal(p.null!.family, 2); assert.equal(p.null!.littleEndian, false); },
  },
  {
    name: 'BSD NULL AF_INET6 = 30 (Darwin)',
    lt: LT_NULL, bytes: cat([30, 0, 0, 0], ipv6(tcp())),
    layers: ['null', 'ipv6', 'tcp'], issues: [],
  },
  {
    name: 'OpenBSD LOOP: network byte order AF value',
    lt: LT_LOOP, bytes: cat([0, 0, 0, 24], ipv6(tcp())),
    layers: ['loop', 'ipv6', 'tcp'],
  },
  {
    name: 'SLL with a link-layer address length of 255: clamped to the 8-byte field, issue',
    lt: LT_SLL, bytes: cat(u16(0), u16(1), u16(255), new Uint8Array(8), u16(0x0800), ipv4(tcp())),
    layers: ['sll', 'ip', 'tcp'], issues: ['ERR_SLL_BAD_ADDR_LEN'],
    check: p => { assert.equal(p.sll!.addrLen, 8); assert.equal(p.sll!.version, 1); },
  },
  {
    name: 'SLL2 (tcpdump -i any): protocol, ifindex, packet type',
    lt: LT_SLL2, bytes: cat(u16(0x86dd), u16(0), u32(3), u16(772), [4, 6], MAC_A, [0, 0], ipv6(tcp())),
    layers: ['sll2', 'ipv6', 'tcp'], issues: [],
    check: p => { assert.equal(p.sll!.ifIndex, 3); assert.equal(p.sll!.packetType, 4); assert.equal(p.sll!.addrLen, 6); },
  },
  {
    name: 'raw IP (101) picks IPv6 by the version nibble',
    lt: LT_RAW, bytes: ipv6(tcp()), layers: ['raw', 'ipv6', 'tcp'],
  },
  {
    name: 'raw IP with version 5: "Bogus IP version"',
    lt: LT_RAW, bytes: cat([0x55], new Uint8Array(39)), issues: ['ERR_IP_BAD_VERSION'],
  },
  {
    name: 'IPv4 link type (228) with an IPv6 packet inside: dissected as IPv6 with an issue (Wireshark)',
    lt: LT_IPV4, bytes: ipv6(tcp()), layers: ['raw', 'ip', 'ipv6', 'tcp'], issues: ['ERR_IP_BAD_VERSION'],
  },
  {
    name: 'IPv6 extension chain Hop-by-Hop → Destination Options → AH → TCP; tcp.len excludes them',
    lt: LT_IPV6, bytes: ipv6(cat(ext6(60), ext6(51), ah(6), tcp({ payload: payload10 })), { nxt: 0 }),
    issues: [],
    check: p => {
      assert.deepEqual(p.ip6!.ext.map(e => [e.type, e.length]), [[0, 8], [60, 8], [51, 24]]);
      assert.equal(p.ip6!.proto, 6);
      assert.equal(p.ip6!.nextHeader, 0);
      assert.equal(p.tcp!.len, 10);
      assert.equal(p.tcp!.offset, 40 + 40);
    },
  },
  {
    name: 'IPv6 fragment (M set): not dissected past the Fragment header',
    lt: LT_IPV6, bytes: ipv6(cat(frag6(6, 0, true), tcp()), { nxt: 44 }),
    layers: ['raw', 'ipv6', 'data'],
    check: p => { assert.equal(p.tcp, undefined); assert.equal(p.ip6!.ext[0]!.moreFragments, true); },
  },
  {
    name: 'IPv6 atomic fragment (offset 0, M clear) is dissected',
    lt: LT_IPV6, bytes: ipv6(cat(frag6(6, 0, false), tcp()), { nxt: 44 }),
    layers: ['raw', 'ipv6', 'tcp'],
  },
  {
    name: 'IPv6 payload length exceeds the frame: issue, the frame length is used',
    lt: LT_IPV6, bytes: ipv6(tcp({ payload: payload10 }), { plen: 900 }),
    issues: ['ERR_IPV6_BAD_PLEN'],
    check: p => assert.equal(p.tcp!.len, 10),
  },
  {
    name: 'IPv6 in IPv4 (protocol 41)',
    lt: LT_RAW, bytes: ipv4(ipv6(tcp({ dport: 22 })), { proto: 41 }),
    layers: ['raw', 'ip', 'ipv6', 'tcp'], issues: [],
    check: (p, b) => { assert.equal(p.tcp!.dstPort, 22); assert.equal(formatIPv6(b, p.ip6!.srcOffset), '2001:db8::1'); },
  },
  {
    name: 'IPv4 in IPv4: the outer header moves to tunnelIps',
    lt: LT_RAW, bytes: ipv4(ipv4(tcp(), { src: '10.0.0.1' }), { proto: 4, src: '10.9.9.9' }),
    layers: ['raw', 'ip', 'ip', 'tcp'],
    check: p => {
      assert.equal(formatIPv4(p.ip4!.src), '10.0.0.1');
      assert.deepEqual(p.tunnelIps.map(h => h.version === 4 ? formatIPv4(h.src) : ''), ['10.9.9.9']);
    },
  },
  {
    name: 'IPv4 loose source route: ip.dst is the final hop',
    lt: LT_RAW, bytes: ipv4(tcp(), { options: [0x83, 11, 4, ...u32(0x0a000001), ...u32(0x0a000002), 1], dst: '10.0.0.1' }),
    issues: [],
    check: p => {
      assert.equal(formatIPv4(p.ip4!.dst), '10.0.0.2');
      assert.deepEqual(p.ip4!.options.map(o => [o.type, o.length]), [[0x83, 11], [1, 1]]);
    },
  },
  {
    name: 'PPP in HDLC framing (ff 03, protocol 0x0021)',
    lt: LT_PPP, bytes: cat([0xff, 0x03, 0x00, 0x21], ipv4(tcp())),
    layers: ['ppp', 'ip', 'tcp'], issues: [],
    check: p => { assert.equal(p.ppp!.protocol, 0x21); assert.equal(p.ppp!.length, 4); },
  },
  {
    name: 'PPP with address/control and protocol field compression (one byte 0x21)',
    lt: LT_PPP, bytes: cat([0x21], ipv4(tcp())),
    layers: ['ppp', 'ip', 'tcp'],
    check: p => { assert.equal(p.ppp!.address, -1); assert.equal(p.ppp!.length, 1); },
  },
  {
    name: 'Cisco HDLC inside the PPP link type',
    lt: LT_PPP, bytes: cat([0x0f, 0x00, 0x08, 0x00], ipv4(tcp())),
    layers: ['ppp', 'ip', 'tcp'],
    check: p => assert.equal(p.ppp!.chdlc, true),
  },
  {
    name: 'PPPoE session over Ethernet',
    lt: LT_ETH, bytes: (() => { const ip = ipv4(tcp()); return eth(0x8864, cat([0x11, 0], u16(1), u16(ip.length + 2), u16(0x0021), ip)); })(),
    layers: ['eth', 'ppp', 'ip', 'tcp'], issues: [],
  },
  {
    name: 'MPLS label stack (two labels) then IPv4',
    lt: LT_ETH, bytes: eth(0x8847, cat([0, 0x10, 0x00, 64], [0, 0x20, 0x01, 64], ipv4(tcp()))),
    layers: ['eth', 'mpls', 'ip', 'tcp'], issues: [],
  },
  {
    name: 'NFLOG: prefix and payload TLVs (host byte order), IPv4 by family',
    lt: LT_NFLOG,
    bytes: (() => {
      const ip = ipv4(tcp());
      const pfx = [...'drop'].map(c => c.charCodeAt(0)).concat([0]);
      return cat([2, 0], u16(0), [4 + 5, 0, 10, 0], pfx, [0, 0, 0], [(4 + ip.length) & 255, (4 + ip.length) >> 8, 9, 0], ip);
    })(),
    layers: ['nflog', 'ip', 'tcp'], issues: [],
    check: (p, b) => {
      assert.equal(p.nflog!.family, 2);
      assert.equal(new TextDecoder().decode(b.subarray(p.nflog!.prefixOffset, p.nflog!.prefixOffset + p.nflog!.prefixLength)), 'drop');
    },
  },
  {
    name: 'NFLOG written on a big-endian host: TLV byte order detected from the first length',
    lt: LT_NFLOG,
    bytes: (() => { const ip = ipv6(tcp()); return cat([10, 0], u16(0), u16(4 + ip.length), u16(9), ip); })(),
    layers: ['nflog', 'ipv6', 'tcp'], issues: [],
  },
  {
    name: 'LINKTYPE_PPP_ETHER (51): PPPoE header then PPP',
    lt: 51, bytes: (() => { const ip = ipv4(tcp()); return cat([0x11, 0], u16(1), u16(ip.length + 2), u16(0x0021), ip); })(),
    layers: ['ppp', 'ip', 'tcp'], issues: [],
  },
  {
    name: 'SLL protocol 4: 802.2 LLC frame (SNAP carrying IPv4)',
    lt: LT_SLL, bytes: cat(u16(0), u16(1), u16(6), MAC_A, [0, 0], u16(4), [0xaa, 0xaa, 3, 0, 0, 0], u16(0x0800), ipv4(tcp())),
    layers: ['sll', 'llc', 'ip', 'tcp'], issues: [],
  },
  {
    name: 'ARP request padded to 60 bytes: ARP facts, eth.padding after the 28-byte ARP',
    lt: LT_ETH,
    bytes: eth(0x0806, cat(u16(1), u16(0x0800), [6, 4], u16(1), MAC_A, [10, 0, 0, 2], new Uint8Array(6), [10, 0, 0, 1], new Uint8Array(18))),
    layers: ['eth', 'arp'], issues: [],
    check: (p, b) => {
      assert.equal(p.arp!.opcode, 1);
      assert.equal(formatIPv4Bytes(b, p.arp!.targetProtoOffset), '10.0.0.1');
      assert.equal(formatIPv4Bytes(b, p.arp!.senderProtoOffset), '10.0.0.2');
      assert.equal(p.eth!.paddingOffset, 42);
      assert.equal(p.eth!.paddingLength, 18);
    },
  },
  {
    name: 'VLAN-tagged frame: no FCS assumed, the rest is the (vlan.)trailer',
    lt: LT_ETH, bytes: cat(eth(0x0800, ipv4(tcp()), [{ tpid: 0x8100, tci: 3 }]), new Uint8Array(10).fill(0x77)),
    check: p => { assert.equal(p.eth!.fcsOffset, -1); assert.equal(p.eth!.trailerLength, 10); assert.equal(p.eth!.paddingLength, 0); },
  },
  {
    name: 'Teredo (UDP 3544) with an origin indication carrying IPv6 + TCP',
    lt: LT_RAW, bytes: ipv4(udp(3544, 50000, cat([0, 0], u16(0xffff), u32(0), ipv6(tcp({ sport: 8080 })))), { proto: 17 }),
    layers: ['raw', 'ip', 'udp', 'teredo', 'ipv6', 'tcp'], issues: [],
    check: p => { assert.equal(p.tcp!.srcPort, 8080); assert.equal(p.udp!.dstPort, 50000); },
  },
  {
    name: 'UDP one-line facts: ports and length',
    lt: LT_RAW, bytes: ipv4(udp(53, 5353, payload10), { proto: 17 }),
    layers: ['raw', 'ip', 'udp'], issues: [],
    check: p => { assert.equal(p.udp!.udpLength, 18); assert.equal(p.udp!.dstPort, 5353); assert.equal(p.payloadLength, 10); },
  },
  {
    name: 'UDP length larger than the datagram: issue',
    lt: LT_RAW, bytes: ipv4(udp(53, 53, payload10, 200), { proto: 17 }),
    issues: ['ERR_UDP_BAD_LEN'],
  },
  {
    name: 'all 12 TCP flag bits (AE and reserved included)',
    lt: LT_RAW, bytes: ipv4(tcp({ flags: 0xfff })),
    check: p => assert.equal(p.tcp!.flags, 0xfff),
  },
  {
    name: 'unsupported link type: data plus an issue',
    lt: 147, bytes: hex`de ad be ef`,
    layers: ['data'], issues: ['ERR_DECODE_UNSUPPORTED_LINKTYPE'],
  },
  {
    name: 'PSH/ACK with payload: payload span in record.data',
    lt: LT_ETH, bytes: eth(0x0800, ipv4(tcp({ flags: PSH | ACK, payload: payload10 }))),
    check: p => { assert.equal(p.payloadOffset, 54); assert.equal(p.payloadLength, 10); assert.equal(p.tcp!.payloadOffset, 54); },
  },
];

const dec = new PacketDecoder();

for (const row of ROWS) {
  test(row.name, () => {
    const before = PacketDecoder.internalErrors;
    const p = dec.decodeBytes(row.lt, row.bytes, row.origLen ?? row.bytes.length);
    if (row.layers) assert.deepEqual(p.layers, row.layers);
    if (row.truncated !== undefined) assert.equal(p.truncated, row.truncated, 'truncated');
    if (row.issues) assert.deepEqual(p.issues.map(i => i.code), row.issues, JSON.stringify(p.issues));
    row.check?.(p, row.bytes);
    assert.equal(PacketDecoder.internalErrors, before);
    // Every issue carries a layer, an offset inside the frame and a message.
    for (const i of p.issues) {
      assert.ok(i.offset >= 0 && i.offset <= (row.origLen ?? row.bytes.length), `issue offset ${i.offset}`);
      assert.ok(i.message.length > 0);
    }
  });
}

test('decode(record) uses linkType, data and origLen of the record; decodeInto reuses the packet', () => {
  const data = eth(0x0800, ipv4(tcp({ payload: payload10 })));
  const rec = { frameNo: 1, ts: { sec: 0, nsec: 0 }, capLen: 44, origLen: 64, linkType: LT_ETH, ifIndex: 0, data: data.subarray(0, 44), comments: [] };
  const p = dec.decode(rec);
  assert.equal(p.truncated, true);
  assert.equal(p.linkType, LT_ETH);
  const q = dec.decodeInto(p, { ...rec, data, capLen: 64 });
  assert.equal(q, p);
  assert.equal(q.truncated, false);
  assert.equal(q.tcp!.len, 10);
});

test('NOP, NOP, Timestamps (the shared fast path) decodes as the option walk does', () => {
  const ts = [1, 1, 8, 10, ...u32(0xdeadbeef), ...u32(7)];
  // The same three options with an EOL after them (16 bytes: the general walk) for reference.
  const fast = dec.decodeBytes(LT_ETH, eth(0x0800, ipv4(tcp({ options: ts, payload: payload10 }))));
  const walk = dec.decodeBytes(LT_ETH, eth(0x0800, ipv4(tcp({ options: [...ts, 0, 0, 0, 0], payload: payload10 }))));
  const t = fast.tcp!, w = walk.tcp!;
  assert.deepEqual(t.options.map(o => [o.offset, o.length, o.kind, o.captured]), [[54, 1, 1, 1], [55, 1, 1, 1], [56, 10, 8, 10]]);
  assert.deepEqual(t.options, w.options.slice(0, 3));
  assert.equal(t.tsval, 0xdeadbeef);
  assert.equal(t.tsecr, 7);
  assert.equal(t.optionKinds, (1 << 1) | (1 << 8));
  assert.equal(w.optionKinds, (1 << 0) | (1 << 1) | (1 << 8));
  assert.equal(t.len, 10);
  assert.deepEqual(fast.issues, []);
  // Another frame at the same offset shares the (frozen) list; the values are its own.
  const again = dec.decodeBytes(LT_ETH, eth(0x0800, ipv4(tcp({ options: [1, 1, 8, 10, ...u32(1), ...u32(2)] }))));
  assert.equal(again.tcp!.options, t.options);
  assert.ok(Object.isFrozen(t.options) && Object.isFrozen(t.options[2]));
  assert.equal(again.tcp!.tsval, 1);
  // Cut by the snaplen inside the timestamp: not the fast path; tsval kept, tsecr not, truncated.
  const bytes = eth(0x0800, ipv4(tcp({ options: ts })));
  const cut = dec.decodeBytes(LT_ETH, bytes.subarray(0, 64), bytes.length);
  assert.equal(cut.truncated, true);
  assert.equal(cut.tcp!.tsval, 0xdeadbeef);
  assert.equal(cut.tcp!.tsecr, undefined);
  assert.notEqual(cut.tcp!.options, t.options);
});
