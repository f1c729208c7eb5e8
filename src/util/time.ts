/**
 * Timestamps as integers: {sec, nsec}. Nanoseconds since 1970 exceed 2^53, so never one float.
 * Relative times are integer-nanosecond differences (bigint only where they can exceed 2^53).
 */
export interface Timestamp {
  /** Whole seconds since the Unix epoch (may be negative for odd captures). */
  sec: number;
  /** 0 ≤ nsec < 1e9. */
  nsec: number;
}

export const NS_PER_SEC = 1_000_000_000;

/** b − a in nanoseconds, as a (safe) number: fine for spans below ~104 days. */
export function diffNs(a: Timestamp, b: Timestamp): number {
  return (b.sec - a.sec) * NS_PER_SEC + (b.nsec - a.nsec);
}

/** Compare: negative when a < b, 0 when equal, positive when a > b. */
export function compareTs(a: Timestamp, b: Timestamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

// Powers of ten and zero runs for formatSeconds (no padStart per frame).
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000'];

/**
 * Formats a signed nanosecond span as seconds with `digits` decimals (0..9), truncating as
 * Wireshark does for its relative-time columns: 1234567 ns, 6 → "0.001234".
 */
export function formatSeconds(ns: number, digits: number, hms = false): string {
  const abs = Math.abs(ns);
  const sec = Math.floor(abs / NS_PER_SEC);
  return hms ? formatHms(ns < 0, sec, abs - sec * NS_PER_SEC, digits) : formatParts(ns < 0, sec, abs - sec * NS_PER_SEC, digits);
}

/** "[-]sec.fraction", the fraction (0 ≤ nsec < 1e9) truncated to `digits` decimals. */
function formatParts(neg: boolean, sec: number, nsec: number, digits: number): string {
  const s = String(sec) + fraction(nsec, digits);
  return neg ? '-' + s : s;
}

/** printf's %2d. */
const sp2 = (n: number): string => (n >= 0 && n < 10 ? ' ' + n : String(n));

/**
 * A span as tshark's -u hms shows it (column-utils.c set_time_hour_min_sec): "[- ]Hh MMm SS.fs",
 * "Mm SS.fs" or "S.fs", minutes and seconds space-padded to two; the whole seconds pass through
 * a 32-bit int there (the branch is chosen on the real value), as here.
 */
function formatHms(neg: boolean, sec: number, nsec: number, digits: number): string {
  const s32 = sec | 0;
  const frac = fraction(nsec, digits);
  const sign = neg ? '- ' : '';
  // C: (gint32) secs / 3600, (gint32) (secs / 60) % 60, (gint32) secs % 60.
  if (sec >= 3600) return `${sign}${Math.trunc(s32 / 3600)}h ${sp2((Math.trunc(sec / 60) | 0) % 60)}m ${sp2(s32 % 60)}${frac}s`;
  if (sec >= 60) return `${sign}${Math.trunc(s32 / 60)}m ${sp2(s32 % 60)}${frac}s`;
  return `${sign}${s32}${frac}s`;
}

/**
 * b − a formatted as formatSeconds does, computed from the parts: exact for any span (a span in
 * one float of nanoseconds loses digits beyond 2^53 ns, ~104 days; captures with broken clocks
 * have such spans, and tshark prints them exactly).
 */
export function formatSpan(a: Timestamp, b: Timestamp, digits: number, hms = false): string {
  const neg = compareTs(b, a) < 0;
  const [lo, hi] = neg ? [b, a] : [a, b];
  let sec = hi.sec - lo.sec;
  let nsec = hi.nsec - lo.nsec;
  if (nsec < 0) {
    sec -= 1;
    nsec += NS_PER_SEC;
  }
  return hms ? formatHms(neg, sec, nsec, digits) : formatParts(neg, sec, nsec, digits);
}

/** tshark's -t: what the Time column shows (r, the default: seconds since the first frame). */
export type TimeFormat = 'r' | 'a' | 'ad' | 'adoy' | 'd' | 'dd' | 'e' | 'u' | 'ud' | 'udoy';
export const TIME_FORMATS: readonly TimeFormat[] = ['a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy'];

const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** The fraction of a second, truncated to `digits` decimals, with its point ('' for 0 digits). */
function fraction(nsec: number, digits: number): string {
  if (digits <= 0) return '';
  const f = String(Math.floor(nsec / (POW10[9 - digits] ?? 10 ** (9 - digits))));
  return '.' + (f.length >= digits ? f : ZEROS[digits - f.length] + f);
}

/**
 * A time stamp as tshark's -t a / ad / adoy (local time, as the TZ environment sets it) and
 * u / ud / udoy (UTC) show it: "16:29:54.770906", "2026-11-24 16:29:54.770906", "2026/328 …".
 */
export function formatAbsolute(ts: Timestamp, digits: number, fmt: 'a' | 'ad' | 'adoy' | 'u' | 'ud' | 'udoy'): string {
  // Local time: the zone's offset at that instant (JS Date knows it within ±273,790 years; a
  // broken clock beyond that is shown in UTC). The calendar is computed here, for any year.
  let sec = ts.sec;
  if (fmt.charCodeAt(0) !== 0x75) { // not 'u…': local time
    const d = new Date(sec * 1000);
    if (!Number.isNaN(d.getTime())) sec -= d.getTimezoneOffset() * 60;
  }
  const days = Math.floor(sec / 86_400);
  const tod = sec - days * 86_400;
  let s = `${p2(Math.floor(tod / 3600))}:${p2(Math.floor(tod / 60) % 60)}:${p2(tod % 60)}${fraction(ts.nsec, digits)}`;
  if (fmt === 'a' || fmt === 'u') return s;
  const [year, month, day] = civilFromDays(days);
  if (fmt === 'ad' || fmt === 'ud') return `${year}-${p2(month)}-${p2(day)} ${s}`;
  const doy = days - daysFromCivil(year, 1, 1) + 1;
  s = `${year}/${String(doy).padStart(3, '0')} ${s}`;
  return s;
}

/** Proleptic Gregorian [year, month 1-12, day 1-31] of a day count since 1970-01-01 (H. Hinnant's algorithm). */
function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (inverse of civilFromDays). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Seconds since the epoch with `digits` decimals, as tshark's -t e: "1795537794.770906". */
export function formatEpoch(ts: Timestamp, digits: number): string {
  if (ts.sec >= 0) return formatParts(false, ts.sec, ts.nsec, digits);
  return ts.nsec === 0 ? formatParts(true, -ts.sec, 0, digits) : formatParts(true, -ts.sec - 1, NS_PER_SEC - ts.nsec, digits);
}
