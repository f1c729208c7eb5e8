/**
 * Apache Thrift TBinaryProtocol (strict, unframed) message framing as Wireshark 4.0's
 * packet-thrift.c walks it without an IDL: the message header, then the argument struct field by
 * field (the only way to find where an unframed message ends). Pure functions of bytes.
 *
 *   0x80 0x01 0x00 mtype | int32 name length | name | int32 seqid | fields … T_STOP(0)
 *   field: type(1) id(2) value; list/set: etype(1) count(4); map: ktype(1) vtype(1) count(4)
 */

import { u8at } from '../util/bytes.js';

const i32 = (d: Uint8Array, o: number): number => (u8at(d, o) << 24) | (u8at(d, o + 1) << 16) | (u8at(d, o + 2) << 8) | u8at(d, o + 3);

/** Result of walking a value: the offset after it, NEED_MORE (data short) or BAD (not Thrift). */
export const THRIFT_NEED_MORE = -1;
export const THRIFT_BAD = -2;

/** packet-thrift.c nested_type_depth default. */
const MAX_DEPTH = 25;

/** is_thrift_strict_version: 0x8001 00 0000_0mmm with mtype 1..4 (any mtype when `anyType`). */
export function isStrictVersion(d: Uint8Array, off: number, anyType: boolean): boolean {
  const h = i32(d, off) >>> 0;
  if ((h & 0xffff00f8) >>> 0 !== 0x80010000) return false;
  if (anyType) return true;
  const t = h & 7;
  return t >= 1 && t <= 4;
}

/** thrift_binary_utf8_isprint(…, accept_crlf = FALSE) === len: a printable UTF-8 method name. */
function printableName(d: Uint8Array, off: number, len: number): boolean {
  let ended = false;
  let need = 0;
  for (let p = off; p < off + len; p++) {
    const c = u8at(d, p);
    if (ended) { if (c !== 0) return false; continue; }
    if (need > 0) { if ((c & 0xc0) !== 0x80) return false; need--; continue; }
    if (c === 0) { ended = true; continue; }
    if (c < 0x80) { if (c < 0x20 || c > 0x7e) return false; }
    else if ((c & 0xe0) === 0xc0) { if (c < 0xc2) return false; need = 1; }
    else if ((c & 0xf0) === 0xe0) need = 2;
    else if ((c & 0xf8) === 0xf0 && c <= 0xf4) need = 3;
    else return false;
  }
  // A NUL-terminated name counts its printable part only.
  return !ended;
}

/**
 * test_thrift_strict for an unframed buffer d[off, capEnd) (reported end `end`): a strict
 * binary message header with a printable method name and room for a field after it.
 */
export function looksLikeThriftStrict(d: Uint8Array, off: number, capEnd: number, end: number): boolean {
  if (capEnd - off < 8) return false;
  if (u8at(d, off) < 0x80) return false; // framed (length first): not modelled
  if (!isStrictVersion(d, off, false)) return false;
  const nameLen = i32(d, off + 4);
  if (nameLen < 0 || capEnd - (off + 8) < nameLen) return false;
  if (!printableName(d, off + 8, nameLen)) return false;
  return end - (off + 8 + nameLen) >= 5;
}

/** A strict message header at `off`: type, method name (latin1 of the bytes) and where data starts. */
export interface ThriftHeader {
  mtype: number;
  name: Uint8Array;
  dataOffset: number;
}

/**
 * The strict header (dissect_thrift_common): NEED_MORE when fewer than 13 + name bytes,
 * BAD for a negative name length.
 */
export function strictHeader(d: Uint8Array, off: number, end: number): ThriftHeader | number {
  const remaining = end - off;
  if (remaining < 13) return THRIFT_NEED_MORE;
  const nameLen = i32(d, off + 4);
  if (nameLen < 0) return THRIFT_BAD;
  if (remaining < 13 + nameLen) return THRIFT_NEED_MORE;
  return { mtype: u8at(d, off + 3) & 7, name: d.subarray(off + 8, off + 8 + nameLen), dataOffset: off + 8 + nameLen + 4 };
}

/** dissect_thrift_binary_fields: fields until T_STOP; the offset after it, NEED_MORE or BAD. */
export function skipFields(d: Uint8Array, off: number, end: number, depth = 0): number {
  for (;;) {
    if (end - off < 1) return THRIFT_NEED_MORE;
    const type = u8at(d, off);
    if (type === 0) return off + 1;
    if (end - off < 3) return THRIFT_NEED_MORE;
    off = skipValue(d, off + 3, end, type, depth);
    if (off < 0) return off;
  }
}

/** dissect_thrift_binary_type for one value of `type` at `off`. */
function skipValue(d: Uint8Array, off: number, end: number, type: number, depth: number): number {
  if (depth + 1 > MAX_DEPTH) return THRIFT_BAD;
  const fixed = (n: number): number => (end - off < n ? THRIFT_NEED_MORE : off + n);
  switch (type) {
    case 2: case 3: return fixed(1); // bool, i8
    case 6: return fixed(2);
    case 8: return fixed(4);
    case 4: case 10: return fixed(8); // double, i64
    case 16: return fixed(16); // uuid
    case 11: { // binary/string
      if (end - off < 4) return THRIFT_NEED_MORE;
      const len = i32(d, off);
      if (len < 0) return THRIFT_BAD;
      return end - off < 4 + len ? THRIFT_NEED_MORE : off + 4 + len;
    }
    case 12: return end - off < 1 ? THRIFT_NEED_MORE : skipFields(d, off, end, depth + 1);
    case 14: case 15: { // set, list
      if (end - off < 5) return THRIFT_NEED_MORE;
      const et = u8at(d, off), n = i32(d, off + 1);
      if (n < 0) return THRIFT_BAD;
      let p = off + 5;
      for (let i = 0; i < n; i++) {
        p = skipValue(d, p, end, et, depth + 1);
        if (p < 0) return p;
      }
      return p;
    }
    case 13: { // map
      if (end - off < 6) return THRIFT_NEED_MORE;
      const kt = u8at(d, off), vt = u8at(d, off + 1), n = i32(d, off + 2);
      if (n < 0) return THRIFT_BAD;
      let p = off + 6;
      for (let i = 0; i < n; i++) {
        p = skipValue(d, p, end, kt, depth + 1);
        if (p < 0) return p;
        p = skipValue(d, p, end, vt, depth + 1);
        if (p < 0) return p;
      }
      return p;
    }
    default: return THRIFT_BAD;
  }
}
