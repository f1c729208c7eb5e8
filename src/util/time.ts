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
export function formatSeconds(ns: number, digits: number): string {
  const abs = Math.abs(ns);
  const sec = Math.floor(abs / NS_PER_SEC);
  return formatParts(ns < 0, sec, abs - sec * NS_PER_SEC, digits);
}

/** "[-]sec.fraction", the fraction (0 ≤ nsec < 1e9) truncated to `digits` decimals. */
function formatParts(neg: boolean, sec: number, nsec: number, digits: number): string {
  let s = String(sec);
  if (digits > 0) {
    const f = String(Math.floor(nsec / (POW10[9 - digits] ?? 10 ** (9 - digits))));
    s += f.length >= digits ? '.' + f : '.' + ZEROS[digits - f.length] + f;
  }
  return neg ? '-' + s : s;
}

/**
 * b − a formatted as formatSeconds does, computed from the parts: exact for any span (a span in
 * one float of nanoseconds loses digits beyond 2^53 ns, ~104 days; captures with broken clocks
 * have such spans, and tshark prints them exactly).
 */
export function formatSpan(a: Timestamp, b: Timestamp, digits: number): string {
  const neg = compareTs(b, a) < 0;
  const [lo, hi] = neg ? [b, a] : [a, b];
  let sec = hi.sec - lo.sec;
  let nsec = hi.nsec - lo.nsec;
  if (nsec < 0) {
    sec -= 1;
    nsec += NS_PER_SEC;
  }
  return formatParts(neg, sec, nsec, digits);
}
