/**
 * Byte helpers shared by every level: a DataView that respects `byteOffset`, and hex text.
 *
 * Invariant: `viewOf(u8)` covers exactly `u8`'s window of its ArrayBuffer, so absolute offsets
 * into `u8` are offsets into the view (ARCHITECTURE.md §2.7 "one DataView per buffer").
 */

/** The byte at `o`, 0 past the end: readers of cut packets never throw. */
export function u8at(d: Uint8Array, o: number): number {
  return d[o] ?? 0;
}

/** Big-endian uint16 at `o` (missing bytes read as 0). */
export function be16(d: Uint8Array, o: number): number {
  return ((d[o] ?? 0) << 8) | (d[o + 1] ?? 0);
}

/** Big-endian uint32 at `o` (missing bytes read as 0). */
export function be32(d: Uint8Array, o: number): number {
  return (((d[o] ?? 0) << 24) | ((d[o + 1] ?? 0) << 16) | ((d[o + 2] ?? 0) << 8) | (d[o + 3] ?? 0)) >>> 0;
}

/** A DataView over exactly the bytes of `u8` (honours byteOffset/byteLength). */
export function viewOf(u8: Uint8Array): DataView {
  return new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
}

const HEX = '0123456789abcdef';

/** Lower-case hex of `len` bytes from `offset`, optionally separated (e.g. ':' for MACs). */
export function formatHex(u8: Uint8Array, offset = 0, len = u8.byteLength - offset, sep = ''): string {
  const end = Math.min(u8.byteLength, offset + len);
  let s = '';
  for (let i = offset; i < end; i++) {
    const b = u8[i] ?? 0;
    if (i > offset && sep !== '') s += sep;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/**
 * Bytes from hex text. Whitespace, ':' '-' '.' separators and `#` comments to end of line are
 * ignored, so test packets can be written as annotated hex dumps. Throws on odd digit counts or
 * other characters (test/tool input, not packet bytes).
 */
export function parseHex(text: string): Uint8Array {
  const digits: number[] = [];
  let inComment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inComment) {
      if (c === 10) inComment = false;
      continue;
    }
    if (c === 35 /* # */) { inComment = true; continue; }
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 58 || c === 45 || c === 46) continue;
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (v < 0) throw new Error(`parseHex: bad character ${JSON.stringify(text[i])} at ${i}`);
    digits.push(v);
  }
  if (digits.length % 2 !== 0) throw new Error('parseHex: odd number of hex digits');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
  return out;
}

/** Template tag: hex`45 00 00 28 …` → Uint8Array (for test data). */
export function hex(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  let s = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) s += String(values[i]) + (strings[i + 1] ?? '');
  return parseHex(s);
}
