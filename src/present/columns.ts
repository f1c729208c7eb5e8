/**
 * tshark's default one line per frame: No. Time Source → Destination Protocol Length Info.
 * Padding as tshark.c print_columns(): No. right-aligned to 5, Time right-aligned to 10, Source
 * right-aligned to 12, Destination left-aligned to 12, the rest unpadded; " → " between Source and
 * Destination, single spaces elsewhere.
 */
import type { Frame } from '../fields/field.js';
import { formatAbsolute, formatEpoch, formatSeconds, formatSpan, type Timestamp, type TimeFormat } from '../util/time.js';

/** Spans from here on lost digits as float nanoseconds: formatted from the timestamps instead. */
const EXACT_NS = 2 ** 53;
import { formatIPv4, formatIPv6, resolveMac } from '../fields/format.js';
import { protocolAndInfo } from './info.js';

/** Source and Destination columns: network addresses, else link-layer addresses. */
export function addressColumns(f: Frame): [string, string] {
  const p = f.pkt;
  const d = f.record.data;
  if (p.ip4) return [formatIPv4(p.ip4.src), formatIPv4(p.ip4.dst)];
  if (p.ip6) return [formatIPv6(d.subarray(p.ip6.srcOffset, p.ip6.srcOffset + 16)), formatIPv6(d.subarray(p.ip6.dstOffset, p.ip6.dstOffset + 16))];
  if (p.eth) return [resolveMac(d.subarray(p.eth.srcOffset, p.eth.srcOffset + 6)), resolveMac(d.subarray(p.eth.dstOffset, p.eth.dstOffset + 6))];
  if (p.sll && p.sll.addrLen === 6) return [resolveMac(d.subarray(p.sll.addrOffset, p.sll.addrOffset + 6)), ''];
  return ['', ''];
}

/** A span since `from` (ns in `ns`), from the timestamps when the float has lost digits. */
function exactSpan(ns: number, from: Timestamp | undefined, f: Frame, hms: boolean): string {
  return from !== undefined && (ns >= EXACT_NS || ns <= -EXACT_NS) ? formatSpan(from, f.record.ts, f.tsDigits, hms) : formatSeconds(ns, f.tsDigits, hms);
}

/**
 * The frame displayed before this one (its number and time stamp), kept by whoever prints: -t d
 * and dd are then exact beyond 2^53 ns too (the Frame carries those spans as float ns only).
 */
export interface PrevShown { frameNo: number; ts: Timestamp }

/** The Time column as tshark's -t `fmt` shows it (unpadded); `hms`: -u hms for the spans (r, d, dd). */
export function timeColumn(f: Frame, fmt: TimeFormat, prev?: PrevShown, hms = false): string {
  switch (fmt) {
    case 'r': return exactSpan(f.timeRelativeNs, f.firstTs, f, hms);
    case 'd': return exactSpan(f.timeDeltaNs, prev !== undefined && prev.frameNo === f.record.frameNo - 1 ? prev.ts : undefined, f, hms);
    case 'dd': return exactSpan(f.timeDeltaDisplayedNs, prev?.ts, f, hms);
    case 'e': return formatEpoch(f.record.ts, f.tsDigits);
    default: return formatAbsolute(f.record.ts, f.tsDigits, fmt);
  }
}

/** The summary line of a frame (no newline), its Time column as -t `time` says (default r). */
export function formatSummaryLine(f: Frame, time: TimeFormat = 'r', prev?: PrevShown, hms = false): string {
  // IPv4 fast path without the [src, dst] pair (profile of `read`: allocation per frame).
  const ip4 = f.pkt.ip4;
  let src: string, dst: string;
  if (ip4) {
    src = formatIPv4(ip4.src);
    dst = formatIPv4(ip4.dst);
  } else {
    [src, dst] = addressColumns(f);
  }
  const [proto, info] = protocolAndInfo(f);
  const no = String(f.record.frameNo).padStart(5);
  return `${no} ${timeColumn(f, time, prev, hms).padStart(10)} ${src.padStart(12)} \u2192 ${dst.padEnd(12)} ${proto} ${f.record.origLen} ${info}`;
}
