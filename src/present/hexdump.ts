/**
 * tshark -x: offset, 16 hex bytes, three spaces, 16 printable ASCII characters ('.' otherwise).
 * "0000  00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00   ..............E."
 */
const HEX = '0123456789abcdef';

/** Hex and ASCII dump of `data`, one line per 16 bytes, each ending in "\n". */
export function formatHexDump(data: Uint8Array): string {
  let out = '';
  for (let off = 0; off < data.length; off += 16) {
    let hex = '', asc = '';
    for (let i = 0; i < 16; i++) {
      const b = data[off + i];
      if (b === undefined) { hex += '   '; continue; }
      hex += (i === 0 ? '' : ' ') + HEX[b >> 4]! + HEX[b & 15]!;
      asc += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    if (off + 16 > data.length) hex = hex.replace(/^ /, '');
    out += `${off.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}   ${asc}\n`;
  }
  return out;
}
