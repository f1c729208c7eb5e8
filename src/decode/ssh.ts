/**
 * SSH transport bytes (RFC 4253 §4.2 identification string, §6 binary packet, §7.1 KEXINIT) as
 * Wireshark 4.0's packet-ssh.c reads them without keys. Pure functions of bytes.
 *
 *   uint32 packet_length | byte padding_length | byte msg_code | payload … | padding | [mac]
 */


import { be32, u8at } from '../util/bytes.js';

export const SSH_MSG_KEXINIT = 20;
export const SSH_MSG_NEWKEYS = 21;

/** tvb_strncaseeql(tvb, off, prefix): case-insensitive ASCII prefix test within [off, end). */
export function startsWithCi(d: Uint8Array, off: number, end: number, prefix: string): boolean {
  if (end - off < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let c = u8at(d, off + i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    let p = prefix.charCodeAt(i);
    if (p >= 0x61 && p <= 0x7a) p -= 0x20;
    if (c !== p) return false;
  }
  return true;
}

/** tvb_find_guint8(…, '\n'): absolute offset of the first LF in [off, end), or -1. */
export function findLf(d: Uint8Array, off: number, end: number): number {
  const i = d.subarray(off, end).indexOf(0x0a);
  return i < 0 ? -1 : off + i;
}

/**
 * The first `count` name-lists of a KEXINIT payload (kex, host key, encryption c→s, encryption
 * s→c, …): `off` is the msg_code byte (20), followed by a 16-byte cookie and the name-lists.
 * Stops early (fewer lists) when cut short.
 */
export function kexinitNameLists(d: Uint8Array, off: number, end: number, count: number): string[] {
  const out: string[] = [];
  let p = off + 1 + 16;
  while (out.length < count) {
    if (p + 4 > end) break;
    const len = be32(d, p);
    if (p + 4 + len > end) break;
    // Lists over 16 KiB are not kept (real ones are a few hundred bytes; this bounds memory).
    out.push(len > 16384 ? '' : Buffer.from(d.buffer, d.byteOffset + p + 4, len).toString('latin1'));
    p += 4 + len;
  }
  return out;
}
