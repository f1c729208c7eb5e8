/**
 * The summary line of a TCP frame (present/columns.ts formatSummaryLine) written as UTF-8 bytes
 * straight into an output buffer, without building strings. For `tcplab read` on big captures:
 * the string path allocated ~1.7 KB per frame (padStart, template pieces, the Info text) and its
 * formatting, encoding and GC were about a third of a plain read (profile of a 300k-frame capture).
 *
 * Covers the common frame only — TCP over IPv4/IPv6, no application-protocol columns, a time
 * span that fits a float of nanoseconds; everything else returns -1 and the caller uses the string
 * path. The output is byte-for-byte the string path's (test/present/summary-bytes.test.ts checks
 * every frame of every fixture).
 */
import type { Frame } from '../fields/field.js';
import type { TcpHeader } from '../decode/packet.js';
import { TCP_ACK, TCP_URG } from '../fields/tcp.js';
import { formatIPv6 } from '../fields/format.js';
import { formatAnalysisPrefix } from './tcp-analysis-info.js';
import { tcpFlagNames, tcpOptionsInfo } from './info.js';
import { u8at } from '../util/bytes.js';

/** Bytes a fast-path line can take at most (options are ≤ 40 bytes, so SACK blocks ≤ 4). */
export const MAX_SUMMARY_BYTES = 1024;

/** Beyond this the span in ns has lost digits (columns.ts EXACT_NS): the string path formats it. */
const EXACT_NS = 2 ** 53;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

const SP = 0x20;
const DOT = 0x2e;

/** Decimal digits of a non-negative integer below 2^53. */
function digitCount(n: number): number {
  if (n < 1e5) return n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : 5;
  if (n < 1e10) return n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  let d = 10;
  for (let x = Math.floor(n / 1e10); x > 0; x = Math.floor(x / 10)) d++;
  return d;
}

/** "00".."99" as byte pairs: two digits per step. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) { PAIRS[2 * i] = 0x30 + Math.floor(i / 10); PAIRS[2 * i + 1] = 0x30 + (i % 10); }

/** Writes a non-negative integer (below 2^53) in decimal; returns the position after it. */
function putUint(b: Uint8Array, pos: number, n: number): number {
  const end = pos + digitCount(n);
  let q = end;
  // Above 2^32 (rare: seconds, huge frame counts) the float steps; below, uint32 arithmetic.
  while (n >= 0x100000000) {
    const h = Math.floor(n / 100);
    const r = n - h * 100;
    b[--q] = PAIRS[2 * r + 1]!; b[--q] = PAIRS[2 * r]!;
    n = h;
  }
  let u = n >>> 0;
  while (u >= 100) {
    const h = (u / 100) >>> 0;
    const r = u - h * 100;
    b[--q] = PAIRS[2 * r + 1]!; b[--q] = PAIRS[2 * r]!;
    u = h;
  }
  if (u >= 10) { b[--q] = PAIRS[2 * u + 1]!; b[--q] = PAIRS[2 * u]!; } else b[--q] = 0x30 + u;
  return end;
}

/** Writes `count` spaces. */
function putSpaces(b: Uint8Array, pos: number, count: number): number {
  for (let i = 0; i < count; i++) b[pos++] = SP;
  return pos;
}

/** Writes an ASCII string (every code unit < 0x80, which the callers' texts are). */
function putAscii(b: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[pos++] = s.charCodeAt(i);
  return pos;
}

/** ASCII bytes of short constant texts, made once. */
function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function putBytes(b: Uint8Array, pos: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) b[pos++] = bytes[i]!;
  return pos;
}

const ARROW = new Uint8Array([SP, 0xe2, 0x86, 0x92, SP]); // " → "
const T_TCP = ascii('TCP');
const T_MPTCP = ascii('MPTCP');
const T_SEQ = ascii('] Seq=');
const T_ACK = ascii(' Ack=');
const T_WIN = ascii(' Win=');
const T_URG = ascii(' Urg=');
const T_LEN = ascii(' Len=');
const T_MSS = ascii(' MSS=');
const T_WS = ascii(' WS=');
const T_SACK_PERM = ascii(' SACK_PERM');
const T_SLE = ascii(' SLE=');
const T_SRE = ascii(' SRE=');
const T_TSVAL = ascii(' TSval=');
const T_TSECR = ascii(' TSecr=');

/** Flag lists ("SYN, ACK") as bytes, per 12-bit flags value, filled on first use. */
const FLAG_BYTES: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(0x1000);

/** Dotted quad of an IPv4 address, right- or left-aligned in `width`. */
function putIPv4(b: Uint8Array, pos: number, a: number, width: number, right: boolean): number {
  const o1 = (a >>> 24) & 255, o2 = (a >>> 16) & 255, o3 = (a >>> 8) & 255, o4 = a & 255;
  const len = digitCount(o1) + digitCount(o2) + digitCount(o3) + digitCount(o4) + 3;
  if (right && len < width) pos = putSpaces(b, pos, width - len);
  pos = putUint(b, pos, o1); b[pos++] = DOT;
  pos = putUint(b, pos, o2); b[pos++] = DOT;
  pos = putUint(b, pos, o3); b[pos++] = DOT;
  pos = putUint(b, pos, o4);
  if (!right && len < width) pos = putSpaces(b, pos, width - len);
  return pos;
}

function putPadded(b: Uint8Array, pos: number, s: string, width: number, right: boolean): number {
  if (right && s.length < width) pos = putSpaces(b, pos, width - s.length);
  pos = putAscii(b, pos, s);
  if (!right && s.length < width) pos = putSpaces(b, pos, width - s.length);
  return pos;
}

/** True when every option is one the byte path writes itself (complete MSS, WS, SACK_PERM, SACK, TS, NOP, EOL). */
function simpleOptions(t: TcpHeader): boolean {
  for (const o of t.options) {
    if (o.captured !== o.length) return false;
    switch (o.kind) {
      case 0: case 1: case 4: case 5: break;
      case 2: if (o.length !== 4) return false; break;
      case 3: if (o.length !== 3) return false; break;
      case 8: if (o.length !== 10) return false; break;
      default: return false;
    }
  }
  return true;
}

function be32(d: Uint8Array, p: number): number {
  return ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
}

/**
 * Writes the summary line of `f` and a newline at `pos` (at least MAX_SUMMARY_BYTES must be free);
 * returns the position after it, or -1 (nothing written) when the string path must format it.
 */
export function writeSummaryLine(f: Frame, b: Uint8Array, pos: number): number {
  const p = f.pkt;
  const t = p.tcp;
  if (t === undefined || f.app !== undefined || (p.ip4 === undefined && p.ip6 === undefined)) return -1;
  const rel = f.timeRelativeNs;
  if (rel < 0 || rel >= EXACT_NS || f.tsDigits > 9 || f.tsDigits < 0) return -1;
  const mptcp = t.options.some((o) => o.kind === 30);
  const a = f.tcp;
  const prefix = a ? formatAnalysisPrefix(a) : '';
  const simple = simpleOptions(t);
  const optText = simple ? '' : tcpOptionsInfo(f, t);
  // The string path cuts Info at 4095 characters; such lines are left to it.
  if (prefix.length + optText.length > 512) return -1;
  const d = f.record.data;

  // No. (right-aligned to 5)
  const no = f.record.frameNo;
  const noLen = digitCount(no);
  if (noLen < 5) pos = putSpaces(b, pos, 5 - noLen);
  pos = putUint(b, pos, no);
  b[pos++] = SP;

  // Time: seconds with tsDigits decimals (truncated), right-aligned to 10.
  const digits = f.tsDigits;
  const sec = Math.floor(rel / 1e9);
  const frac = digits > 0 ? Math.floor((rel - sec * 1e9) / POW10[9 - digits]!) : 0;
  const timeLen = digitCount(sec) + (digits > 0 ? digits + 1 : 0);
  if (timeLen < 10) pos = putSpaces(b, pos, 10 - timeLen);
  pos = putUint(b, pos, sec);
  if (digits > 0) {
    b[pos++] = DOT;
    const fl = digitCount(frac);
    for (let i = fl; i < digits; i++) b[pos++] = 0x30;
    pos = putUint(b, pos, frac);
  }
  b[pos++] = SP;

  // Source (right-aligned to 12) → Destination (left-aligned to 12).
  if (p.ip4) {
    pos = putIPv4(b, pos, p.ip4.src, 12, true);
    pos = putBytes(b, pos, ARROW);
    pos = putIPv4(b, pos, p.ip4.dst, 12, false);
  } else {
    const ip6 = p.ip6!;
    pos = putPadded(b, pos, formatIPv6(d.subarray(ip6.srcOffset, ip6.srcOffset + 16)), 12, true);
    pos = putBytes(b, pos, ARROW);
    pos = putPadded(b, pos, formatIPv6(d.subarray(ip6.dstOffset, ip6.dstOffset + 16)), 12, false);
  }
  b[pos++] = SP;
  pos = putBytes(b, pos, mptcp ? T_MPTCP : T_TCP);
  b[pos++] = SP;
  pos = putUint(b, pos, f.record.origLen);
  b[pos++] = SP;

  // Info: [markers] sport → dport [FLAGS] Seq= Ack= Win= Urg= Len= options
  if (prefix !== '') pos = putAscii(b, pos, prefix);
  pos = putUint(b, pos, t.srcPort);
  pos = putBytes(b, pos, ARROW);
  pos = putUint(b, pos, t.dstPort);
  b[pos++] = SP;
  b[pos++] = 0x5b; // [
  const fk = t.flags & 0xfff;
  pos = fk === t.flags
    ? putBytes(b, pos, FLAG_BYTES[fk] ??= ascii(tcpFlagNames(fk)))
    : putAscii(b, pos, tcpFlagNames(t.flags));
  pos = putBytes(b, pos, T_SEQ);
  pos = putUint(b, pos, a ? a.relSeq : t.seq);
  if ((t.flags & TCP_ACK) !== 0) { pos = putBytes(b, pos, T_ACK); pos = putUint(b, pos, a ? a.relAck : t.ack); }
  pos = putBytes(b, pos, T_WIN);
  pos = putUint(b, pos, a ? a.windowSize : t.window);
  if ((t.flags & TCP_URG) !== 0) { pos = putBytes(b, pos, T_URG); pos = putUint(b, pos, t.urgent); }
  pos = putBytes(b, pos, T_LEN);
  pos = putUint(b, pos, t.len);
  if (!simple) {
    pos = putAscii(b, pos, optText);
  } else {
    const peerBase = a && (t.flags & TCP_ACK) !== 0 ? (t.ack - a.relAck) >>> 0 : 0;
    for (const o of t.options) {
      const q = o.offset;
      switch (o.kind) {
        case 2: pos = putBytes(b, pos, T_MSS); pos = putUint(b, pos, (d[q + 2]! << 8) | d[q + 3]!); break;
        case 3: pos = putBytes(b, pos, T_WS); pos = putUint(b, pos, 2 ** Math.min(u8at(d, q + 2), 14)); break;
        case 4: pos = putBytes(b, pos, T_SACK_PERM); break;
        case 5:
          for (let e = q + 2; e + 8 <= q + o.length; e += 8) {
            pos = putBytes(b, pos, T_SLE); pos = putUint(b, pos, (be32(d, e) - peerBase) >>> 0);
            pos = putBytes(b, pos, T_SRE); pos = putUint(b, pos, (be32(d, e + 4) - peerBase) >>> 0);
          }
          break;
        case 8:
          pos = putBytes(b, pos, T_TSVAL); pos = putUint(b, pos, be32(d, q + 2));
          pos = putBytes(b, pos, T_TSECR); pos = putUint(b, pos, be32(d, q + 6));
          break;
        default: break;
      }
    }
  }
  b[pos++] = 0x0a;
  return pos;
}
