/**
 * The summary line of a TCP frame (present/columns.ts formatSummaryLine) as UTF-8 bytes, without
 * building strings. For `tcplab read` on big captures: the string path allocated ~1.7 KB per frame
 * (padStart, template pieces, the Info text) and its formatting, encoding and GC were about a third
 * of a plain read (profile of a 300k-frame capture).
 *
 * Two steps, so that the second can run on another thread (cli/read-pipe.ts):
 *  - encodeSummary(frame) → a *summary record*: the numbers of the line (No., time, addresses,
 *    ports, flags, Seq/Ack/Win/Len, option values) in a few dozen bytes, plus the rare texts
 *    (analysis markers, IPv6 addresses) already as ASCII;
 *  - renderSummary(record) → the line's bytes.
 * writeSummaryLine does both in one go.
 *
 * Covers the common frame only — TCP over IPv4/IPv6, no application-protocol columns, a time span
 * that fits a float of nanoseconds; everything else is declined (-1) and the caller uses the string
 * path. The output is byte-for-byte the string path's (test/present/summary-bytes.test.ts checks
 * every frame of every fixture).
 */
import type { Frame } from '../fields/field.js';
import type { TcpHeader } from '../decode/packet.js';
import { TCP_ACK, TCP_URG } from '../fields/tcp.js';
import { formatIPv6 } from '../fields/format.js';
import { formatAnalysisPrefix } from './tcp-analysis-info.js';
import { tcpFlagNames, tcpOptionsInfo } from './info.js';
import { be16, be32, u8at } from '../util/bytes.js';
import { tcpException } from '../fields/transport.js';
import { TCPOPT_MPTCP } from '../decode/tcp-options.js';

/** Bytes a rendered line can take at most, and a record (both well above what one can need). */
export const MAX_SUMMARY_BYTES = 1024;
export const MAX_SUMMARY_RECORD = 1024;

/** Record kinds (first byte after the 16-bit record length). */
export const REC_SUMMARY = 1;

/** Beyond this the span in ns has lost digits (columns.ts EXACT_NS): the string path formats it. */
const EXACT_NS = 2 ** 53;

// Record layout (little-endian; total length rounded up to a multiple of 8):
const R_LEN = 0; //      u16 record length
const R_KIND = 2; //     u8 REC_SUMMARY
const R_DIGITS = 3; //   u8 time digits (0..9)
const R_IP = 4; //       u8 4 or 6
const R_MPTCP = 5; //    u8 1: Protocol column "MPTCP"
const R_TFLAGS = 6; //   u16 TCP flags (12 bits)
const R_FRAME = 8; //    f64 frame number
const R_REL = 16; //     f64 ns since the first frame
const R_ORIGLEN = 24; // u32 frame length
const R_SPORT = 28; //   u16
const R_DPORT = 30; //   u16
const R_SEQ = 32; //     u32 Seq shown (relative when analysed)
const R_ACK = 36; //     u32 Ack shown
const R_WIN = 40; //     u32 Win shown (scaled when known)
const R_URG = 44; //     u32
const R_LEN_TCP = 48; // u32 tcp.len
const R_SRC4 = 52; //    u32 IPv4 source (IPv6: text length in the variable part)
const R_DST4 = 56; //    u32
const R_PREFIX = 60; //  u16 length of the analysis markers text
const R_OPTS = 62; //    u16 length of the option items (or of the options text)
const R_OPTMODE = 64; // u8 0: option items, 1: options text
const R_HEAD = 72; //    then: [IPv6 src text, IPv6 dst text,] prefix text, options

// Option items: u8 kind, then its u32 values (MSS 1, WS 1, SACK_PERM 0, SACK 2 per block, TS 2).
const O_MSS = 2, O_WS = 3, O_SACK_PERM = 4, O_SACK = 5, O_TS = 8;

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

function putSpaces(b: Uint8Array, pos: number, count: number): number {
  for (let i = 0; i < count; i++) b[pos++] = SP;
  return pos;
}

/** Writes an ASCII string (every code unit < 0x80, which the callers' texts are). */
function putAscii(b: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[pos++] = s.charCodeAt(i);
  return pos;
}

function copy(b: Uint8Array, pos: number, from: Uint8Array, start: number, len: number): number {
  for (let i = 0; i < len; i++) b[pos++] = from[start + i]!;
  return pos;
}

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

/** True when every option is one the option items carry (complete MSS, WS, SACK_PERM, SACK, TS, NOP, EOL). */
function simpleOptions(t: TcpHeader): boolean {
  const opts = t.options;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    if (o.captured !== o.length) return false;
    switch (o.kind) {
      case 0: case 1: case O_SACK_PERM: case O_SACK: break;
      case O_MSS: if (o.length !== 4) return false; break;
      case O_WS: if (o.length !== 3) return false; break;
      case O_TS: if (o.length !== 10) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * Encodes the summary record of `f` at `pos` (MAX_SUMMARY_RECORD bytes must be free); returns the
 * position after it (a multiple of 8 past `pos`), or -1 when the string path must format the frame.
 */
export function encodeSummary(f: Frame, b: Uint8Array, v: DataView, pos: number): number {
  const p = f.pkt;
  const t = p.tcp;
  if (t === undefined || f.app !== undefined || (p.ip4 === undefined && p.ip6 === undefined)) return -1;
  // A bogus data offset or an unknown tcp.len changes the line's tail: the string path has it.
  if (t.hdrLen < 20 || !t.hasLen || tcpException(f) !== undefined) return -1;
  const rel = f.timeRelativeNs;
  if (rel < 0 || rel >= EXACT_NS || f.tsDigits > 9 || f.tsDigits < 0) return -1;
  const a = f.tcp;
  const prefix = a !== undefined && a.flags !== 0 ? formatAnalysisPrefix(a) : '';
  const simple = simpleOptions(t);
  const optText = simple ? '' : tcpOptionsInfo(f, t);
  // The string path cuts Info at 4095 characters; such lines are left to it.
  if (prefix.length + optText.length > 600) return -1;
  const d = f.record.data;
  const mptcp = (t.optionKinds & (1 << TCPOPT_MPTCP)) !== 0 ? 1 : 0;

  v.setUint8(pos + R_KIND, REC_SUMMARY);
  v.setUint8(pos + R_DIGITS, f.tsDigits);
  v.setUint8(pos + R_MPTCP, mptcp);
  v.setUint16(pos + R_TFLAGS, t.flags, true);
  v.setFloat64(pos + R_FRAME, f.record.frameNo, true);
  v.setFloat64(pos + R_REL, rel, true);
  v.setUint32(pos + R_ORIGLEN, f.record.origLen, true);
  v.setUint16(pos + R_SPORT, t.srcPort, true);
  v.setUint16(pos + R_DPORT, t.dstPort, true);
  v.setUint32(pos + R_SEQ, a ? a.relSeq : t.seq, true);
  v.setUint32(pos + R_ACK, a ? a.relAck : t.ack, true);
  v.setUint32(pos + R_WIN, a ? a.windowSize : t.window, true);
  v.setUint32(pos + R_URG, t.urgent, true);
  v.setUint32(pos + R_LEN_TCP, t.len, true);
  let q = pos + R_HEAD;
  if (p.ip4) {
    v.setUint8(pos + R_IP, 4);
    v.setUint32(pos + R_SRC4, p.ip4.src, true);
    v.setUint32(pos + R_DST4, p.ip4.dst, true);
  } else {
    const ip6 = p.ip6!;
    const src = formatIPv6(d.subarray(ip6.srcOffset, ip6.srcOffset + 16));
    const dst = formatIPv6(d.subarray(ip6.dstOffset, ip6.dstOffset + 16));
    v.setUint8(pos + R_IP, 6);
    v.setUint32(pos + R_SRC4, src.length, true);
    v.setUint32(pos + R_DST4, dst.length, true);
    q = putAscii(b, q, src);
    q = putAscii(b, q, dst);
  }
  v.setUint16(pos + R_PREFIX, prefix.length, true);
  q = putAscii(b, q, prefix);
  const optStart = q;
  if (!simple) {
    v.setUint8(pos + R_OPTMODE, 1);
    q = putAscii(b, q, optText);
  } else {
    v.setUint8(pos + R_OPTMODE, 0);
    const peerBase = a && (t.flags & TCP_ACK) !== 0 ? (t.ack - a.relAck) >>> 0 : 0;
    const opts = t.options;
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i]!;
      const at = o.offset;
      switch (o.kind) {
        case O_MSS: b[q] = O_MSS; v.setUint32(q + 1, be16(d, at + 2), true); q += 5; break;
        case O_WS: b[q] = O_WS; v.setUint32(q + 1, 2 ** Math.min(u8at(d, at + 2), 14), true); q += 5; break;
        case O_SACK_PERM: b[q++] = O_SACK_PERM; break;
        case O_SACK:
          for (let e = at + 2; e + 8 <= at + o.length; e += 8) {
            b[q] = O_SACK;
            v.setUint32(q + 1, (be32(d, e) - peerBase) >>> 0, true);
            v.setUint32(q + 5, (be32(d, e + 4) - peerBase) >>> 0, true);
            q += 9;
          }
          break;
        case O_TS:
          b[q] = O_TS;
          v.setUint32(q + 1, be32(d, at + 2), true);
          v.setUint32(q + 5, be32(d, at + 6), true);
          q += 9;
          break;
        default: break;
      }
    }
  }
  v.setUint16(pos + R_OPTS, q - optStart, true);
  const end = pos + ((q - pos + 7) & ~7);
  v.setUint16(pos + R_LEN, end - pos, true);
  return end;
}

/**
 * Renders the summary record at `pos` of `rb`/`rv` as the line's bytes (newline included) into `b`
 * at `out` (MAX_SUMMARY_BYTES free); returns the position after the line.
 */
export function renderSummary(rb: Uint8Array, rv: DataView, pos: number, b: Uint8Array, out: number): number {
  // No. (right-aligned to 5)
  const no = rv.getFloat64(pos + R_FRAME, true);
  const noLen = digitCount(no);
  if (noLen < 5) out = putSpaces(b, out, 5 - noLen);
  out = putUint(b, out, no);
  b[out++] = SP;

  // Time: seconds with `digits` decimals (truncated), right-aligned to 10.
  const rel = rv.getFloat64(pos + R_REL, true);
  const digits = rb[pos + R_DIGITS]!;
  const sec = Math.floor(rel / 1e9);
  const frac = digits > 0 ? Math.floor((rel - sec * 1e9) / POW10[9 - digits]!) : 0;
  const timeLen = digitCount(sec) + (digits > 0 ? digits + 1 : 0);
  if (timeLen < 10) out = putSpaces(b, out, 10 - timeLen);
  out = putUint(b, out, sec);
  if (digits > 0) {
    b[out++] = DOT;
    for (let i = digitCount(frac); i < digits; i++) b[out++] = 0x30;
    out = putUint(b, out, frac);
  }
  b[out++] = SP;

  // Source (right-aligned to 12) → Destination (left-aligned to 12).
  let q = pos + R_HEAD;
  if (rb[pos + R_IP] === 4) {
    out = putIPv4(b, out, rv.getUint32(pos + R_SRC4, true), 12, true);
    out = putBytes(b, out, ARROW);
    out = putIPv4(b, out, rv.getUint32(pos + R_DST4, true), 12, false);
  } else {
    const sl = rv.getUint32(pos + R_SRC4, true), dl = rv.getUint32(pos + R_DST4, true);
    if (sl < 12) out = putSpaces(b, out, 12 - sl);
    out = copy(b, out, rb, q, sl);
    q += sl;
    out = putBytes(b, out, ARROW);
    out = copy(b, out, rb, q, dl);
    q += dl;
    if (dl < 12) out = putSpaces(b, out, 12 - dl);
  }
  b[out++] = SP;
  out = putBytes(b, out, rb[pos + R_MPTCP] === 1 ? T_MPTCP : T_TCP);
  b[out++] = SP;
  out = putUint(b, out, rv.getUint32(pos + R_ORIGLEN, true));
  b[out++] = SP;

  // Info: [markers] sport → dport [FLAGS] Seq= Ack= Win= Urg= Len= options
  const pl = rv.getUint16(pos + R_PREFIX, true);
  out = copy(b, out, rb, q, pl);
  q += pl;
  out = putUint(b, out, rv.getUint16(pos + R_SPORT, true));
  out = putBytes(b, out, ARROW);
  out = putUint(b, out, rv.getUint16(pos + R_DPORT, true));
  b[out++] = SP;
  b[out++] = 0x5b; // [
  const flags = rv.getUint16(pos + R_TFLAGS, true);
  out = putBytes(b, out, FLAG_BYTES[flags & 0xfff] ??= ascii(tcpFlagNames(flags & 0xfff)));
  out = putBytes(b, out, T_SEQ);
  out = putUint(b, out, rv.getUint32(pos + R_SEQ, true));
  if ((flags & TCP_ACK) !== 0) { out = putBytes(b, out, T_ACK); out = putUint(b, out, rv.getUint32(pos + R_ACK, true)); }
  out = putBytes(b, out, T_WIN);
  out = putUint(b, out, rv.getUint32(pos + R_WIN, true));
  if ((flags & TCP_URG) !== 0) { out = putBytes(b, out, T_URG); out = putUint(b, out, rv.getUint32(pos + R_URG, true)); }
  out = putBytes(b, out, T_LEN);
  out = putUint(b, out, rv.getUint32(pos + R_LEN_TCP, true));
  const ol = rv.getUint16(pos + R_OPTS, true);
  if (rb[pos + R_OPTMODE] === 1) {
    out = copy(b, out, rb, q, ol);
  } else {
    const end = q + ol;
    while (q < end) {
      switch (rb[q]) {
        case O_MSS: out = putBytes(b, out, T_MSS); out = putUint(b, out, rv.getUint32(q + 1, true)); q += 5; break;
        case O_WS: out = putBytes(b, out, T_WS); out = putUint(b, out, rv.getUint32(q + 1, true)); q += 5; break;
        case O_SACK_PERM: out = putBytes(b, out, T_SACK_PERM); q += 1; break;
        case O_SACK:
          out = putBytes(b, out, T_SLE); out = putUint(b, out, rv.getUint32(q + 1, true));
          out = putBytes(b, out, T_SRE); out = putUint(b, out, rv.getUint32(q + 5, true));
          q += 9;
          break;
        default: // O_TS
          out = putBytes(b, out, T_TSVAL); out = putUint(b, out, rv.getUint32(q + 1, true));
          out = putBytes(b, out, T_TSECR); out = putUint(b, out, rv.getUint32(q + 5, true));
          q += 9;
          break;
      }
    }
  }
  b[out++] = 0x0a;
  return out;
}

const scratch = new Uint8Array(MAX_SUMMARY_RECORD);
const scratchView = new DataView(scratch.buffer);

/**
 * Writes the summary line of `f` and a newline at `pos` (MAX_SUMMARY_BYTES must be free); returns
 * the position after it, or -1 (nothing written) when the string path must format it.
 */
export function writeSummaryLine(f: Frame, b: Uint8Array, pos: number): number {
  if (encodeSummary(f, scratch, scratchView, 0) < 0) return -1;
  return renderSummary(scratch, scratchView, 0, b, pos);
}
