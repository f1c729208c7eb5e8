/**
 * What each Wireshark 4.0 field type can do in a filter (epan/ftypes/ftype-*.c tables), how
 * literals become values of the type (…_from_literal / _from_string / _from_charconst, with the
 * same error words), and how two values of a type compare.
 *
 * Runtime value forms (the FieldValue forms of fields/field.ts, plus constants):
 *   integers → number (64-bit: bigint); booleans → boolean or number; FT_IPv4 → number or
 *   Ipv4Net (constant with CIDR mask); FT_IPv6 → Uint8Array or Ipv6Net; bytes/ether → Uint8Array;
 *   FT_STRING → string; FT_RELATIVE_TIME → ns number; FT_ABSOLUTE_TIME → Timestamp;
 *   FT_PROTOCOL → Uint8Array (the protocol's bytes) or true when the registry gives presence only.
 */
import type { FieldType, FieldValue } from '../fields/field.js';
import type { Timestamp } from '../util/time.js';
import { msg } from './errors.js';
import { parseIPv4, parseIPv6, formatIPv4, formatIPv6 } from '../util/addr.js';

export interface Ipv4Net { addr: number; mask: number }
export interface Ipv6Net { bytes: Uint8Array; prefix: number }
/** Any value the filter engine handles: field values and converted constants. */
export type Value = FieldValue | Ipv4Net | Ipv6Net;

interface Caps {
  pretty: string;
  eq: boolean; cmp: boolean; contains: boolean; matches: boolean; slice: boolean;
  bitwiseAnd: boolean; unaryMinus: boolean; add: boolean; subtract: boolean; multiply: boolean; divide: boolean; modulo: boolean;
  /** val_to_uinteger64 / val_to_sinteger64 exist (compatible_ftypes for integers). */
  toUint: boolean; toSint: boolean;
}

const NONE_CAPS = { eq: false, cmp: false, contains: false, matches: false, slice: false, bitwiseAnd: false, unaryMinus: false, add: false, subtract: false, multiply: false, divide: false, modulo: false, toUint: false, toSint: false };
const INT_CAPS = { ...NONE_CAPS, eq: true, cmp: true, bitwiseAnd: true, unaryMinus: true, add: true, subtract: true, multiply: true, divide: true, modulo: true, toUint: true, toSint: true };
const BYTES_CAPS = { ...NONE_CAPS, eq: true, cmp: true, contains: true, matches: true, slice: true, bitwiseAnd: true };

export const FTYPES: Record<FieldType, Caps> = {
  FT_NONE: { ...NONE_CAPS, pretty: 'Label' },
  FT_PROTOCOL: { ...NONE_CAPS, pretty: 'Protocol', eq: true, cmp: true, contains: true, matches: true, slice: true },
  FT_BOOLEAN: { ...NONE_CAPS, pretty: 'Boolean', eq: true, cmp: true, toUint: true, toSint: true },
  FT_UINT8: { ...INT_CAPS, pretty: 'Unsigned integer (1 byte)' },
  FT_UINT16: { ...INT_CAPS, pretty: 'Unsigned integer (2 bytes)' },
  FT_UINT24: { ...INT_CAPS, pretty: 'Unsigned integer (3 bytes)' },
  FT_UINT32: { ...INT_CAPS, pretty: 'Unsigned integer (4 bytes)' },
  FT_UINT64: { ...INT_CAPS, pretty: 'Unsigned integer (8 bytes)' },
  FT_INT8: { ...INT_CAPS, pretty: 'Signed integer (1 byte)' },
  FT_INT16: { ...INT_CAPS, pretty: 'Signed integer (2 bytes)' },
  FT_INT32: { ...INT_CAPS, pretty: 'Signed integer (4 bytes)' },
  FT_INT64: { ...INT_CAPS, pretty: 'Signed integer (8 bytes)' },
  FT_CHAR: { ...INT_CAPS, pretty: 'Character (1 byte)' },
  FT_FRAMENUM: { ...INT_CAPS, pretty: 'Frame number' },
  FT_DOUBLE: { ...NONE_CAPS, pretty: 'Floating point (double-precision)', eq: true, cmp: true, unaryMinus: true, add: true, subtract: true, multiply: true, divide: true },
  FT_FLOAT: { ...NONE_CAPS, pretty: 'Floating point (single-precision)', eq: true, cmp: true, unaryMinus: true, add: true, subtract: true, multiply: true, divide: true },
  FT_IPv4: { ...NONE_CAPS, pretty: 'IPv4 address', eq: true, cmp: true, slice: true, bitwiseAnd: true },
  FT_IPv6: { ...NONE_CAPS, pretty: 'IPv6 address', eq: true, cmp: true, slice: true, bitwiseAnd: true },
  FT_ETHER: { ...BYTES_CAPS, pretty: 'Ethernet or other MAC address' },
  FT_BYTES: { ...BYTES_CAPS, pretty: 'Byte sequence' },
  FT_STRING: { ...NONE_CAPS, pretty: 'Character string', eq: true, cmp: true, contains: true, matches: true, slice: true },
  FT_ABSOLUTE_TIME: { ...NONE_CAPS, pretty: 'Date and time', eq: true, cmp: true },
  FT_RELATIVE_TIME: { ...NONE_CAPS, pretty: 'Time offset', eq: true, cmp: true, unaryMinus: true, add: true, subtract: true },
};

export const INT_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(['FT_UINT8', 'FT_UINT16', 'FT_UINT24', 'FT_UINT32', 'FT_UINT64', 'FT_INT8', 'FT_INT16', 'FT_INT32', 'FT_INT64', 'FT_CHAR', 'FT_FRAMENUM']);
const UINT32ISH: ReadonlySet<FieldType> = new Set<FieldType>(['FT_UINT8', 'FT_UINT16', 'FT_UINT24', 'FT_UINT32', 'FT_CHAR', 'FT_FRAMENUM']);
const SINT32ISH: ReadonlySet<FieldType> = new Set<FieldType>(['FT_INT8', 'FT_INT16', 'FT_INT32']);
const BYTES_FAMILY: ReadonlySet<FieldType> = new Set<FieldType>(['FT_ETHER', 'FT_BYTES']);

/** semcheck.c is_bytes_type: types whose value already is a byte sequence. */
export function isBytesType(t: FieldType): boolean {
  return t === 'FT_ETHER' || t === 'FT_BYTES' || t === 'FT_IPv6';
}

/** semcheck.c compatible_ftypes. */
export function compatible(a: FieldType, b: FieldType): boolean {
  switch (a) {
    case 'FT_NONE': case 'FT_BOOLEAN': case 'FT_PROTOCOL': case 'FT_ABSOLUTE_TIME': case 'FT_RELATIVE_TIME':
    case 'FT_IPv4': case 'FT_IPv6':
      return a === b;
    case 'FT_FLOAT': case 'FT_DOUBLE':
      return b === 'FT_FLOAT' || b === 'FT_DOUBLE';
    case 'FT_ETHER': case 'FT_BYTES':
      return BYTES_FAMILY.has(b);
    case 'FT_STRING':
      return b === 'FT_STRING';
    case 'FT_INT8': case 'FT_INT16': case 'FT_INT32': case 'FT_INT64':
      return FTYPES[b].toSint;
    default:
      return FTYPES[b].toUint;
  }
}

const MAX: Partial<Record<FieldType, bigint>> = {
  FT_UINT8: 0xffn, FT_CHAR: 0xffn, FT_UINT16: 0xffffn, FT_UINT24: 0xffffffn, FT_UINT32: 0xffffffffn, FT_FRAMENUM: 0xffffffffn,
  FT_UINT64: 0xffffffffffffffffn, FT_INT8: 127n, FT_INT16: 32767n, FT_INT32: 2147483647n, FT_INT64: 9223372036854775807n,
};
const MIN: Partial<Record<FieldType, bigint>> = { FT_INT8: -128n, FT_INT16: -32768n, FT_INT32: -2147483648n, FT_INT64: -9223372036854775808n };

/** C strtoul/strtol with base 0 (plus Wireshark's 0b binary): the value, or undefined if not all of s is a number. */
function strtoInt(s: string): bigint | undefined {
  const m = /^\s*([+-]?)(0[bB][01]+|0[xX][0-9A-Fa-f]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2] ?? '';
  let v: bigint;
  if (/^0[bB]/.test(body)) v = BigInt(body);
  else if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

export type Conv = { ok: true; value: Value } | { ok: false; message: string };
const ok = (value: Value): Conv => ({ ok: true, value });
const bad = (message: string): Conv => ({ ok: false, message });

function intFromLiteral(t: FieldType, s: string): Conv {
  const v = strtoInt(s);
  const max = MAX[t] ?? 0xffffffffn;
  const min = MIN[t];
  if (v === undefined) return bad(msg.notValidNumber(s));
  if (min === undefined) {
    // strtoul: a negative number wraps around unsigned long (64 bits)
    const u = v < 0n ? (1n << 64n) + v : v;
    if (u >= 1n << 64n || u < 0n) return bad(msg.intOverflow(s));
    if (u > max) return bad(msg.tooBig(s, max.toString()));
    return ok(t === 'FT_UINT64' ? u : Number(u));
  }
  if (v >= 1n << 63n || v < -(1n << 63n)) return bad(msg.intOverflow(s));
  if (v > max) return bad(msg.tooBig(s, max.toString()));
  if (v < min) return bad(msg.tooSmall(s, min.toString()));
  return ok(t === 'FT_INT64' ? v : Number(v));
}

/** hex_str_to_bytes(…, force_separators = FALSE) behind byte_array_from_literal. */
export function bytesFromLiteral(s0: string): Uint8Array | undefined {
  let s = s0[0] === ':' ? s0.slice(1) : s0;
  if (s.length === 4 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) s = s.slice(2);
  if (s.length === 10 && /^0[bB][01]{8}$/.test(s)) return Uint8Array.of(parseInt(s.slice(2), 2));
  const out: number[] = [];
  const hex = (c: string | undefined): boolean => c !== undefined && /[0-9A-Fa-f]/.test(c);
  const sep = (c: string | undefined): boolean => c === ':' || c === '.' || c === '-';
  let p = 0;
  while (p < s.length) {
    if (hex(s[p]) && hex(s[p + 1]) && hex(s[p + 2]) && hex(s[p + 3])) {
      out.push(parseInt(s.slice(p, p + 2), 16), parseInt(s.slice(p + 2, p + 4), 16));
      p += 4;
      if (p < s.length && sep(s[p])) p++;
    } else if (hex(s[p]) && hex(s[p + 1])) {
      out.push(parseInt(s.slice(p, p + 2), 16));
      p += 2;
      if (p < s.length && sep(s[p])) p++;
    } else if (hex(s[p]) && sep(s[p + 1])) {
      out.push(parseInt(s[p] ?? '0', 16));
      p += 2;
    } else if (hex(s[p]) && p + 1 === s.length) {
      out.push(parseInt(s[p] ?? '0', 16));
      p += 1;
    } else {
      return undefined;
    }
  }
  return Uint8Array.from(out);
}

export function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function relTimeFromLiteral(s: string): Conv {
  // relative_val_from_literal: [-]seconds[.fraction]; get_nsecs reads the fraction's leading
  // digits and ignores what follows them (so "1.5s" is 1.5 s, as in tshark 4.0).
  const m = /^(-?)(?:(\d+)(?:\.(\d*).*)?|\.(\d*).*)$/s.exec(s);
  if (!m) return bad(msg.notTime(s));
  const frac = m[3] ?? m[4] ?? '';
  if (frac.length > 9 && /[1-9]/.test(frac.slice(9))) return bad(msg.notTime(s));
  const ns = Number(m[2] ?? '0') * 1e9 + Number((frac + '000000000').slice(0, 9));
  return ok(m[1] === '-' ? -ns : ns);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56[.frac]" (local time, or UTC with a trailing "UTC"/"Z"). */
function absTimeFrom(s: string): Conv {
  let m = /^\s*([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(UTC|Z)?\s*$/.exec(s);
  let y: number, mo: number, d: number, h: number, mi: number, se: number, frac: string, utc: boolean;
  if (m) {
    mo = MONTHS.indexOf((m[1] ?? '').toLowerCase());
    if (mo < 0) return bad(msg.notAbsTime(s));
    d = Number(m[2]); y = Number(m[3]); h = Number(m[4]); mi = Number(m[5]); se = Number(m[6]); frac = m[7] ?? ''; utc = m[8] !== undefined;
  } else {
    m = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(UTC|Z)?\s*$/.exec(s);
    if (!m) return bad(msg.notAbsTime(s));
    y = Number(m[1]); mo = Number(m[2]) - 1; d = Number(m[3]); h = Number(m[4]); mi = Number(m[5]); se = Number(m[6]); frac = m[7] ?? ''; utc = m[8] !== undefined;
  }
  // strptime refuses out-of-range fields (Nov 32, 25:00): no Date roll-over
  const check = new Date(Date.UTC(y, mo, d, h, mi, se));
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo || h > 23 || mi > 59 || se > 60) return bad(msg.notAbsTime(s));
  const ms = utc ? Date.UTC(y, mo, d, h, mi, se) : new Date(y, mo, d, h, mi, se).getTime();
  if (!Number.isFinite(ms)) return bad(msg.notAbsTime(s));
  const ts: Timestamp = { sec: Math.floor(ms / 1000), nsec: Number((frac + '000000000').slice(0, 9)) };
  return ok(ts);
}

const dec = new TextDecoder();

/** fvalue_from_literal(type, s): an unquoted word as a value of the type. */
export function fromLiteral(t: FieldType, s: string, allowPartial: boolean): Conv {
  if (INT_TYPES.has(t)) return intFromLiteral(t, s);
  switch (t) {
    case 'FT_BOOLEAN': {
      if (s === 'True' || s === 'TRUE') return ok(true);
      if (s === 'False' || s === 'FALSE') return ok(false);
      const r = intFromLiteral('FT_UINT64', s);
      return r.ok ? ok(r.value !== 0n) : r;
    }
    case 'FT_IPv4': {
      const slash = s.indexOf('/');
      const addrStr = slash >= 0 ? s.slice(0, slash) : s;
      const addr = parseIPv4(addrStr);
      if (addr === undefined) return bad(msg.notIpv4(addrStr));
      if (slash < 0) return ok({ addr, mask: 0xffffffff });
      const bits = intFromLiteral('FT_UINT32', s.slice(slash + 1));
      if (!bits.ok) return bits;
      if ((bits.value as number) > 32) return bad(msg.ipv4Mask(bits.value as number));
      return ok({ addr, mask: maskOf(bits.value as number) });
    }
    case 'FT_IPv6': {
      const slash = s.indexOf('/');
      const addrStr = slash >= 0 ? s.slice(0, slash) : s;
      const bytes = parseIPv6(addrStr);
      if (!bytes) return bad(msg.notIpv6(addrStr));
      if (slash < 0) return ok({ bytes, prefix: 128 });
      const bits = intFromLiteral('FT_UINT32', s.slice(slash + 1));
      if (!bits.ok) return bits;
      if ((bits.value as number) > 128) return bad(msg.ipv6Prefix(bits.value as number));
      return ok({ bytes, prefix: bits.value as number });
    }
    case 'FT_ETHER': {
      const b = bytesFromLiteral(s);
      if (!b) return bad(msg.notEther(s));
      if (b.length > 6) return bad(msg.etherTooMany(s));
      if (b.length < 6 && !allowPartial) return bad(msg.etherTooFew(s));
      return ok(b);
    }
    case 'FT_BYTES': case 'FT_PROTOCOL': {
      const b = bytesFromLiteral(s);
      return b ? ok(b) : bad(msg.notBytes(s[0] === ':' ? s.slice(1) : s));
    }
    case 'FT_STRING': return ok(s);
    case 'FT_RELATIVE_TIME': return relTimeFromLiteral(s);
    case 'FT_ABSOLUTE_TIME': return absTimeFrom(s);
    case 'FT_DOUBLE': case 'FT_FLOAT': {
      const v = /^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|0[xX][0-9A-Fa-f]+|inf(?:inity)?|nan)$/i.test(s) ? Number(s) : NaN;
      return Number.isNaN(v) && !/nan/i.test(s) ? bad(msg.notFloat(s)) : ok(v);
    }
    default: return bad(msg.cannotConvertLiteral(s, FTYPES[t].pretty));
  }
}

/** fvalue_from_string(type, bytes): a double-quoted string as a value of the type. */
export function fromString(t: FieldType, bytes: Uint8Array): Conv {
  switch (t) {
    case 'FT_STRING': return ok(dec.decode(bytes));
    case 'FT_BYTES': case 'FT_PROTOCOL': return ok(bytes);
    case 'FT_ABSOLUTE_TIME': return absTimeFrom(dec.decode(bytes));
    default: return bad(msg.cannotConvertString(FTYPES[t].pretty, dec.decode(bytes)));
  }
}

/** fvalue_from_charconst(type, code): a 'c' constant as a value of the type. */
export function fromCharConst(t: FieldType, code: number, repr: string): Conv {
  if (INT_TYPES.has(t)) {
    const max = MAX[t] ?? 0xffffffffn;
    if (BigInt(code) > max) return bad(msg.tooBig(repr, max.toString()));
    return ok(t === 'FT_UINT64' ? BigInt(code) : t === 'FT_INT64' ? BigInt(code) : code);
  }
  switch (t) {
    case 'FT_BOOLEAN': return ok(code !== 0);
    case 'FT_BYTES': case 'FT_PROTOCOL':
      return code > 0xff ? bad(msg.byteTooLarge(code)) : ok(Uint8Array.of(code));
    case 'FT_STRING':
      return ok(String.fromCodePoint(code));
    default:
      return bad(msg.cannotConvertChar(code <= 0x7f && code >= 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}'` : repr, code, FTYPES[t].pretty));
  }
}

// ---- comparison ------------------------------------------------------------------------------

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0, y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function v6(a: Value): Ipv6Net {
  return a instanceof Uint8Array ? { bytes: a, prefix: 128 } : (a as Ipv6Net);
}

function cmpIpv6(a: Value, b: Value): number {
  const x = v6(a), y = v6(b);
  const prefix = Math.min(x.prefix, y.prefix);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const m = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    const p = (x.bytes[i] ?? 0) & m, q = (y.bytes[i] ?? 0) & m;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function cmpIpv4(a: Value, b: Value): number {
  const x = typeof a === 'number' ? a : (a as Ipv4Net).addr;
  const y = typeof b === 'number' ? b : (b as Ipv4Net).addr;
  const ma = typeof a === 'number' ? 0xffffffff : (a as Ipv4Net).mask;
  const mb = typeof b === 'number' ? 0xffffffff : (b as Ipv4Net).mask;
  const m = Math.min(ma, mb);
  const p = (x & m) >>> 0, q = (y & m) >>> 0;
  return p === q ? 0 : p < q ? -1 : 1;
}

function truth(v: Value): boolean {
  return typeof v === 'boolean' ? v : typeof v === 'bigint' ? v !== 0n : v !== 0;
}

function cmpScalar(a: number | bigint | string, b: number | bigint | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The byte form of a value, for slices and byte comparisons (undefined when it has none). */
export function toBytes(t: FieldType, v: Value): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (t === 'FT_IPv4' && typeof v === 'number') return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  if (t === 'FT_IPv4' && typeof v === 'object' && 'addr' in v) return toBytes(t, v.addr);
  if (t === 'FT_IPv6' && typeof v === 'object' && 'bytes' in v) return v.bytes;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  return undefined;
}

/** A comparator for values of type t: negative, 0 or positive (cmp_order). */
export function comparatorFor(t: FieldType): (a: Value, b: Value) => number {
  switch (t) {
    case 'FT_IPv4': return cmpIpv4;
    case 'FT_IPv6': return cmpIpv6;
    case 'FT_BOOLEAN': return (a, b) => Number(truth(a)) - Number(truth(b));
    case 'FT_ETHER': case 'FT_BYTES': case 'FT_PROTOCOL':
      return (a, b) => {
        const x = a instanceof Uint8Array ? a : new Uint8Array(0);
        const y = b instanceof Uint8Array ? b : new Uint8Array(0);
        return cmpBytes(x, y);
      };
    case 'FT_ABSOLUTE_TIME':
      return (a, b) => {
        const x = a as Timestamp, y = b as Timestamp;
        return x.sec !== y.sec ? (x.sec < y.sec ? -1 : 1) : x.nsec === y.nsec ? 0 : x.nsec < y.nsec ? -1 : 1;
      };
    default:
      return (a, b) => cmpScalar(a as number | bigint | string, b as number | bigint | string);
  }
}

/** fvalue_is_zero, for a bare arithmetic expression used as a test. */
export function isZero(v: Value): boolean {
  if (v instanceof Uint8Array) return v.every((b) => b === 0);
  if (typeof v === 'object' && v !== null) {
    if ('addr' in v) return v.addr === 0;
    if ('bytes' in v) return v.bytes.every((b) => b === 0);
    if ('sec' in v) return v.sec === 0 && v.nsec === 0;
  }
  if (typeof v === 'string') return v.length === 0;
  return !truth(v);
}

/** Display form of a constant for explain (Wireshark's fvalue repr, near enough). */
export function formatValue(t: FieldType, v: Value): string {
  if (v instanceof Uint8Array) {
    if (t === 'FT_IPv6') return formatIPv6(v, 0);
    return [...v].map((b) => b.toString(16).padStart(2, '0')).join(':');
  }
  if (typeof v === 'object' && v !== null) {
    if ('addr' in v) {
      const s = formatIPv4(v.addr);
      if (v.mask === 0xffffffff) return s;
      let bits = 0;
      for (let m = v.mask; m & 0x80000000; m = (m << 1) >>> 0) bits++;
      return `${s}/${bits}`;
    }
    if ('bytes' in v) return v.prefix === 128 ? formatIPv6(v.bytes, 0) : `${formatIPv6(v.bytes, 0)}/${v.prefix}`;
    if ('sec' in v) return `${v.sec}.${String(v.nsec).padStart(9, '0')}`;
  }
  if (t === 'FT_IPv4' && typeof v === 'number') return formatIPv4(v);
  if (t === 'FT_RELATIVE_TIME' && typeof v === 'number') {
    const neg = v < 0 ? '-' : '';
    const a = Math.abs(v);
    return `${neg}${Math.floor(a / 1e9)}.${String(a % 1e9).padStart(9, '0')}`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}
