/**
 * Linux "cooked" capture headers: SLL (LINKTYPE_LINUX_SLL 113, 16 bytes) and SLL2
 * (LINKTYPE_LINUX_SLL2 276, 20 bytes; what `tcpdump -i any` writes since libpcap 1.10).
 * https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html, …_SLL2.html
 *
 *   SLL:  packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
 *   SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
 *
 * The link-layer address length is read from the wire: it is clamped to the 8-byte field
 * (addrLen reports the wire value only when ≤ 8; a larger one is an issue). The protocol is an
 * EtherType, except 4 (802.2 LLC frames) and 1 (Novell 802.3), as Wireshark's packet-sll.c.
 */
import type { DecodeState } from './state.js';
import { decodeEtherType, decodeData, decodeLlc } from './dispatch.js';
import { decodePppHdlc } from './ppp.js';

const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;
const LINUX_SLL_P_PPPHDLC = 0x0007;
const ARPHRD_NETLINK = 824;

export function decodeSll(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('sll');
  if (!s.need('sll', off, 16, end, 'Linux cooked header')) return end;
  const wireAddrLen = s.u16(off + 4);
  const addrLen = clampAddrLen(s, 'sll', off + 4, wireAddrLen);
  const protocol = s.u16(off + 14);
  const arphrdType = s.u16(off + 2);
  pkt.sll = {
    offset: off, length: 16, version: 1, packetType: s.u16(off), arphrdType,
    addrOffset: off + 6, addrLen, protocol, ifIndex: -1,
  };
  return dispatchSllProtocol(s, arphrdType, protocol, off + 16, end);
}

export function decodeSll2(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('sll2');
  if (!s.need('sll2', off, 20, end, 'Linux cooked v2 header')) return end;
  const protocol = s.u16(off);
  const arphrdType = s.u16(off + 8);
  const addrLen = clampAddrLen(s, 'sll2', off + 11, s.u8at(off + 11));
  pkt.sll = {
    offset: off, length: 20, version: 2, packetType: s.u8at(off + 10), arphrdType,
    addrOffset: off + 12, addrLen, protocol, ifIndex: s.u32(off + 4),
  };
  return dispatchSllProtocol(s, arphrdType, protocol, off + 20, end);
}

function clampAddrLen(s: DecodeState, layer: 'sll' | 'sll2', at: number, n: number): number {
  if (n <= 8) return n;
  s.addIssue('ERR_SLL_BAD_ADDR_LEN', layer, at, `Link-layer address length ${n} exceeds the 8-byte field`);
  return 8;
}

function dispatchSllProtocol(s: DecodeState, arphrd: number, protocol: number, off: number, end: number): number {
  if (arphrd === ARPHRD_NETLINK) return decodeData(s, off, end);
  switch (protocol) {
    case LINUX_SLL_P_802_2: return decodeLlc(s, off, end);
    case LINUX_SLL_P_802_3: return decodeData(s, off, end);
    case LINUX_SLL_P_PPPHDLC: return decodePppHdlc(s, off, end);
    default: return decodeEtherType(s, protocol, off, end);
  }
}
