/**
 * Address text as tshark 4.0 prints it, and the inverse parsers.
 *
 * - IPv4: dotted quad of an unsigned 32-bit number.
 * - IPv6: tshark uses the C library's inet_ntop (glibc): RFC 5952 text — lower-case hex, leading
 *   zeros dropped, the longest run of two or more zero groups replaced by "::" (the first run on a
 *   tie) — plus glibc's dotted-quad tail for IPv4-compatible (::a.b.c.d, exactly six zero groups)
 *   and IPv4-mapped (::ffff:a.b.c.d) addresses.
 * - MAC: six lower-case hex pairs joined by ':' (tshark -n; name resolution is not ours).
 */

/** "192.0.2.1" for 0xc0000201 (any number is taken modulo 2^32). */
export function formatIPv4(u32: number): string {
  return `${(u32 >>> 24) & 255}.${(u32 >>> 16) & 255}.${(u32 >>> 8) & 255}.${u32 & 255}`;
}

/** IPv4 address text from 4 bytes at `offset` (no bounds check beyond reading 0 past the end). */
export function formatIPv4Bytes(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** IPv6 address text (as tshark prints it) from 16 bytes at `offset`. */
export function formatIPv6(bytes: Uint8Array, offset: number): string {
  const w: number[] = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = ((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0);
  // Longest run of zero words (first one on a tie), only if at least 2 long (glibc inet_ntop6).
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) { curBase = i; curLen = 1; } else curLen++;
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += formatIPv4Bytes(bytes, offset + 12);
      break;
    }
    s += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

/** "00:1b:21:0a:0b:0c" from 6 bytes at `offset`. */
export function formatMac(bytes: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    const b = bytes[offset + i] ?? 0;
    if (i > 0) s += ':';
    s += (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

/** Parses dotted-quad IPv4 text to an unsigned 32-bit number; undefined when not valid. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** Parses IPv6 text (with "::" and an optional dotted-quad tail) to 16 bytes; undefined when not valid. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let s = text;
  const words: number[] = [];
  let tail: number[] = [];
  const v4 = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4) {
    const n = parseIPv4(v4[2]!);
    if (n === undefined) return undefined;
    tail = [n >>> 16, n & 0xffff];
    s = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const parseGroups = (t: string): number[] | undefined => {
    if (t === '') return [];
    const out: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const rest = parseGroups(s.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const fill = 8 - head.length - rest.length - tail.length;
    if (fill < 1) return undefined;
    words.push(...head, ...new Array<number>(fill).fill(0), ...rest, ...tail);
  } else {
    const all = parseGroups(s);
    if (!all) return undefined;
    words.push(...all, ...tail);
    if (words.length !== 8) return undefined;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 255;
  }
  return out;
}

/** Parses "aa:bb:cc:dd:ee:ff" (also '-' or '.' separated) to 6 bytes; undefined when not valid. */
export function parseMac(text: string): Uint8Array | undefined {
  const m = /^([0-9a-fA-F]{2})[:.-]?([0-9a-fA-F]{2})[:.-]?([0-9a-fA-F]{2})[:.-]?([0-9a-fA-F]{2})[:.-]?([0-9a-fA-F]{2})[:.-]?([0-9a-fA-F]{2})$/.exec(text);
  if (!m) return undefined;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(m[i + 1]!, 16);
  return out;
}
