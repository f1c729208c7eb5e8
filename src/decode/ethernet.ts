/**
 * Ethernet II / IEEE 802.3 (with 802.2 LLC and SNAP), 802.1Q / 802.1ad VLAN tags, and the
 * trailer after the payload (padding, assumed FCS, other trailer bytes) as Wireshark 4.0 splits it.
 *
 *   0                   6                  12      14
 *   +-------------------+-------------------+-------+----------------------------+
 *   | destination MAC   | source MAC        | type  | payload … [padding][FCS]   |
 *   +-------------------+-------------------+-------+----------------------------+
 *   type > 1500: EtherType (0x8100/0x88a8/0x9100 = VLAN tag: TCI(2) + type(2) follow)
 *   type <= 1500: 802.3 length, followed by LLC: DSAP SSAP control [SNAP: OUI(3) PID(2)]
 */
import type { DecodeState } from './state.js';
import { MAX_VLAN_TAGS, NONE } from './state.js';
import { decodeEtherType, decodeData } from './dispatch.js';

const ETH_HDR_LEN = 14;
const IEEE_802_3_MAX_LEN = 1500;

/** Decodes an Ethernet frame starting at `off`; `end` is the frame's reported end. */
export function decodeEthernet(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('eth');
  if (!s.need('eth', off, ETH_HDR_LEN, end, 'Ethernet header')) return end;
  const type = s.u16(off + 12);
  const eth = {
    offset: off,
    length: ETH_HDR_LEN,
    dstOffset: off,
    srcOffset: off + 6,
    type,
    outerType: type,
    paddingOffset: 0,
    paddingLength: 0,
    trailerOffset: 0,
    trailerLength: 0,
    fcsOffset: -1,
  };
  pkt.eth = eth;
  const pduEnd = type <= IEEE_802_3_MAX_LEN
    ? decode8023(s, type, off + ETH_HDR_LEN, end)
    : decodeEtherType(s, type, off + ETH_HDR_LEN, end);
  if (pduEnd < end) addTrailer(s, off, pduEnd, end);
  return end;
}

/** An 802.1Q/802.1ad tag (4 bytes after the TPID): PCP(3) DEI(1) VID(12), then the next type. */
export function decodeVlan(s: DecodeState, tpid: number, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('vlan');
  if (pkt.vlan.length >= MAX_VLAN_TAGS) {
    s.addIssue('ERR_VLAN_TOO_MANY', 'vlan', off, `More than ${MAX_VLAN_TAGS} VLAN tags`);
    return decodeData(s, off, end);
  }
  if (!s.need('vlan', off, 4, end, '802.1Q tag')) return end;
  const tci = s.u16(off);
  const type = s.u16(off + 2);
  if (pkt.vlan === NONE) pkt.vlan = [];
  pkt.vlan.push({ offset: off, length: 4, tpid, pcp: tci >> 13, dei: (tci >> 12) & 1, id: tci & 0xfff, type });
  if (pkt.eth !== undefined) pkt.eth.type = type;
  return type <= IEEE_802_3_MAX_LEN ? decode8023(s, type, off + 4, end) : decodeEtherType(s, type, off + 4, end);
}

/** 802.3 length field: the LLC PDU is `len` bytes (Wireshark: a longer length is an error, clamped). */
function decode8023(s: DecodeState, len: number, off: number, end: number): number {
  let pend = off + len;
  if (pend > end) {
    s.addIssue('ERR_ETH_BAD_LEN', 'eth', off - 2,
      `Length field value goes past the end of the payload (${len} > ${end - off})`);
    pend = end;
  }
  // Novell "raw" 802.3 carries IPX directly (first two bytes 0xffff): not ours, show as data.
  if (s.avail(off, pend) >= 2 && s.u16(off) === 0xffff) {
    decodeData(s, off, pend);
    return pend;
  }
  decodeLlc(s, off, pend);
  return pend;
}

/** IEEE 802.2 LLC, and SNAP when DSAP = SSAP = 0xaa; SNAP with OUI 0 (or Cisco 0x0000f8) carries an EtherType. */
export function decodeLlc(s: DecodeState, off: number, end: number): number {
  const pkt = s.pkt;
  pkt.layers.push('llc');
  if (!s.need('llc', off, 3, end, 'LLC header')) return end;
  const dsap = s.u8at(off);
  const ssap = s.u8at(off + 1);
  let control = s.u8at(off + 2);
  let hlen = 3;
  if ((control & 3) !== 3) {
    // I or S format: 2-byte control field.
    if (!s.need('llc', off, 4, end, 'LLC control field')) return end;
    control = s.u16(off + 2);
    hlen = 4;
  }
  const llc = { offset: off, length: hlen, dsap, ssap, control, oui: -1, pid: -1 };
  pkt.llc = llc;
  if (dsap === 0xaa && ssap === 0xaa && hlen === 3) {
    if (!s.need('llc', off + 3, 5, end, 'SNAP header')) return end;
    llc.oui = (s.u8at(off + 3) << 16) | s.u16(off + 4);
    llc.pid = s.u16(off + 6);
    llc.length = 8;
    if (llc.oui === 0 || llc.oui === 0xf8) return decodeEtherType(s, llc.pid, off + 8, end);
    return decodeData(s, off + 8, end);
  }
  return decodeData(s, off + hlen, end);
}

/**
 * Splits the bytes after the payload as Wireshark's add_ethernet_trailer does (eth.padding zeros
 * only, FCS assumed for untagged frames of 64+ bytes with 4+ trailer bytes, the rest eth.trailer;
 * in a VLAN-tagged frame tshark names the rest vlan.trailer and assumes no FCS).
 */
function addTrailer(s: DecodeState, ethOff: number, pduEnd: number, end: number): void {
  const eth = s.pkt.eth;
  if (eth === undefined) return;
  const pktLen = end - ethOff;
  let trailerRep = end - pduEnd;
  let trailerCap = s.avail(pduEnd, end);
  let start = pduEnd;
  const maybePadded = pktLen >= 60 && pktLen - trailerRep < 60;
  if (maybePadded) {
    let padLen = 60 - (pktLen - trailerRep);
    for (let i = 0; i < padLen; i++) {
      if (pduEnd + i >= s.cap || s.u8at(pduEnd + i) !== 0) { padLen = 0; break; }
    }
    if (padLen > 0) {
      eth.paddingOffset = pduEnd;
      eth.paddingLength = padLen;
      start += padLen;
      trailerRep -= padLen;
      trailerCap -= padLen;
    }
  }
  // A VLAN tag hands the payload on with an FCS length of 0 (packet-vlan.c): no FCS is assumed.
  if (s.pkt.vlan.length === 0 && pktLen >= 64 && trailerRep >= 4) {
    trailerRep -= 4;
    if (trailerCap > trailerRep) trailerCap = trailerRep;
    if (start + trailerRep + 4 <= s.cap) eth.fcsOffset = start + trailerRep;
  }
  if (trailerCap > 0) {
    eth.trailerOffset = start;
    eth.trailerLength = trailerCap;
  }
}
