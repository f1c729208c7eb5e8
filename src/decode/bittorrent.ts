/**
 * BitTorrent peer wire message framing (BEP 3) as Wireshark 4.0's packet-bittorrent.c frames it
 * (get_bittorrent_pdu_length, test_type_length): handshake = 68 bytes; otherwise a 4-byte length
 * prefix, a type byte and a length that must fit the type, else "continuation data" to the end.
 * Pure functions of bytes.
 */


import { be32, u8at } from '../util/bytes.js';

export const BT_HEADER_LENGTH = 4;
const PSTR = 'BitTorrent protocol';

/** 19 "BitTorrent protocol" at `off`. */
export function isBtHandshake(d: Uint8Array, off: number, end: number): boolean {
  if (end - off < 20 || u8at(d, off) !== 19) return false;
  for (let i = 0; i < 19; i++) if (u8at(d, off + 1 + i) !== PSTR.charCodeAt(i)) return false;
  return true;
}

/** test_type_length: the message type is known and its length fits it. */
export function btTypeLengthOk(type: number, length: number): boolean {
  switch (type) {
    case 1: case 2: case 3: case 14: case 15: return length === 1; // unchoke … have all/none
    case 9: return length === 3; // port
    case 4: case 13: case 17: return length === 5; // have, suggest, allowed fast
    case 6: case 8: case 16: return length === 13; // request, cancel, reject
    case 7: case 20: return length <= 0x4009; // piece, extended
    case 0: case 5: return length <= 0x20000; // choke (or Azureus), bitfield
    default: return false;
  }
}

/**
 * get_bittorrent_pdu_length at `off` (captured bytes end at `end`, reported bytes end at
 * `reportedEnd`): the PDU length, or the bytes left when the message is not recognised.
 */
export function btPduLength(d: Uint8Array, off: number, end: number, reportedEnd: number): number {
  if (isBtHandshake(d, off, end)) return 1 + 19 + 8 + 20 + 20;
  const length = be32(d, off);
  if (length === 0) return BT_HEADER_LENGTH;
  if (off + BT_HEADER_LENGTH < end) {
    if (btTypeLengthOk(u8at(d, off + BT_HEADER_LENGTH), length)) return BT_HEADER_LENGTH + length;
  }
  return reportedEnd - off;
}
