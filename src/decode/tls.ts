/**
 * TLS record layer and handshake headers (RFC 8446 §5.1, §4; RFC 5246 §6.2, §7.4), read the way
 * Wireshark 4.0's packet-tls.c reads them to decide record boundaries and column text. Pure
 * functions of bytes; no state (the per-conversation version lives in analysis/app-pdus.ts).
 *
 *   0      1      2      3      4      5 …
 *   +------+------+------+------+------+-----------------+
 *   | type | version     | length      | fragment[length]|
 *   +------+------+------+------+------+-----------------+
 *   handshake message: msg_type(1) length(3) body[length]
 *
 * All reads are bounds-checked against `end`; callers pass the captured end.
 */

import { be16, u8at } from '../util/bytes.js';

export const TLS_CCS = 20;
export const TLS_ALERT = 21;
export const TLS_HANDSHAKE = 22;
export const TLS_APP_DATA = 23;
export const TLS_HEARTBEAT = 24;

export const SSLV3_VERSION = 0x300;
export const TLSV1_VERSION = 0x301;
export const TLSV1DOT1_VERSION = 0x302;
export const TLSV1DOT2_VERSION = 0x303;
export const TLSV1DOT3_VERSION = 0x304;
export const GMTLSV1_VERSION = 0x101;

export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;


/** ssl_is_valid_content_type: 20..24. */
export function isValidContentType(t: number): boolean {
  return t >= TLS_CCS && t <= TLS_HEARTBEAT;
}

/** ssl_31_handshake_type: the handshake message types Wireshark names (others: "encrypted"). */
const HS_TYPES = new Set([0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 67, 254]);

export function isKnownHandshakeType(t: number): boolean {
  return HS_TYPES.has(t);
}

/** The SSLv3/TLS record versions Wireshark accepts (ssl_looks_like_sslv3's list). */
export function isSsl3Version(v: number): boolean {
  return v === SSLV3_VERSION || v === TLSV1_VERSION || v === TLSV1DOT1_VERSION || v === TLSV1DOT2_VERSION || v === GMTLSV1_VERSION;
}

/** ssl_looks_like_sslv3: a valid content type followed by a 3.x record version. */
export function looksLikeSslv3(d: Uint8Array, off: number, end: number): boolean {
  if (end - off < 3) return false;
  if (!isValidContentType(u8at(d, off))) return false;
  return isSsl3Version(be16(d, off + 1));
}

/** tvb_get_ptr(tvb, 0, 4) all printable: dissect_ssl refuses such a buffer (plain text). */
export function startsWithFourPrintable(d: Uint8Array, off: number, end: number): boolean {
  if (end - off <= 4) return false;
  for (let i = 0; i < 4; i++) {
    const c = u8at(d, off + i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** ssl_looks_like_sslv2: a 2-byte v2 record header (high bit set) and a v2 handshake type. */
export function looksLikeSslv2(d: Uint8Array, off: number, end: number): boolean {
  if (end - off < 3 || u8at(d, off) < 0x80) return false;
  const type = u8at(d, off + 2);
  return type === 0 || type === 1 || type === 2 || type === 4;
}

/** Length of an SSLv2 record with a 2-byte header (header included). */
export function sslv2RecordLength(d: Uint8Array, off: number): number {
  return (((u8at(d, off) & 0x7f) << 8) | u8at(d, off + 1)) + 2;
}

/** TLS record header at `off` (needs 5 bytes). */
export interface TlsRecordHeader {
  contentType: number;
  version: number;
  length: number;
}

export function recordHeader(d: Uint8Array, off: number): TlsRecordHeader {
  return { contentType: u8at(d, off), version: be16(d, off + 1), length: be16(d, off + 3) };
}

/** extract_tls13_draft_version: 0x7fXX → draft XX, else 0. */
export function tls13Draft(version: number): number {
  return (version >> 8) === 0x7f ? version & 0xff : 0;
}

/**
 * tls_scan_server_hello: the version a ServerHello body (msg body at `off`, ends at `end`)
 * negotiates: legacy_version, overridden by a supported_versions (43) extension.
 */
export function serverHelloVersion(d: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return 0;
  let version = be16(d, off);
  let p = off + 2 + 32;
  if (p + 1 > end) return version;
  const draft = tls13Draft(version);
  // TLS 1.3 draft < 22 has no session id nor compression method.
  const legacySession = draft === 0 || draft >= 22;
  if (legacySession) p += 1 + u8at(d, p);
  p += 2; // cipher suite
  if (legacySession) p += 1; // compression method
  if (p + 2 > end) return version;
  const extEnd = Math.min(end, p + 2 + be16(d, p));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = be16(d, p), len = be16(d, p + 2);
    if (type === 43 && len >= 2 && p + 6 <= extEnd) {
      version = be16(d, p + 4);
      break;
    }
    p += 4 + len;
  }
  return version;
}
