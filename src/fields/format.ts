/**
 * Field values as tshark 4.0 prints them in `-T fields`, `-T json` and `-T ek`
 * (epan/print.c get_node_field_value → fvalue_to_string_repr(FTREPR_DISPLAY)):
 *   integers by display base (BASE_HEX pads to the type's width: FT_UINT16 → 0x0018, whatever
 *   the bitmask), booleans 1/0, FT_NONE "1", bytes as bare lower-case hex, IPv6 per RFC 5952,
 *   relative times as seconds with 9 decimals, absolute times "Nov 24, 2026 16:24:19.621009000 UTC".
 * Also the address formatters every presenter shares.
 */
import type { FieldDef, FieldType, FieldValue, Timestamp } from './field.js';

const HEX_WIDTH: Partial<Record<FieldType, number>> = {
  FT_UINT8: 2, FT_INT8: 2, FT_CHAR: 2, FT_UINT16: 4, FT_INT16: 4, FT_UINT24: 6, FT_INT32: 8,
  FT_UINT32: 8, FT_UINT64: 16, FT_INT64: 16,
};

const HEX = '0123456789abcdef';

/** Lower-case hex of bytes, no separator (tshark's FT_BYTES in -T fields). */
export function formatHex(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const v = b[i] ?? 0;
    if (i > 0 && sep) s += sep;
    s += HEX[v >> 4]! + HEX[v & 15]!;
  }
  return s;
}

/** Dotted quad of an unsigned 32-bit address. */
export function formatIPv4(a: number): string {
  let s = ip4Cache.get(a);
  if (s === undefined) {
    s = `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    // Bounded: a capture with many hosts just restarts the cache (profile: ~2 % of `read`).
    if (ip4Cache.size >= 4096) ip4Cache.clear();
    ip4Cache.set(a, s);
  }
  return s;
}
const ip4Cache = new Map<number, string>();

/** RFC 5952 text of 16 bytes: lower case, longest run (≥ 2) of zero groups as "::", first wins. */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  // IPv4-mapped and IPv4-compatible forms (Wireshark prints ::ffff:a.b.c.d).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/**
 * Wireshark's MAC name resolution (on by default in tshark) for the few OUIs our captures meet:
 * loopback's all-zero OUI, common VM NICs. Unknown OUIs print bare, as tshark does when its manuf
 * file has no entry. (Divergence: tshark's manuf file knows ~50k OUIs.)
 */
const OUI_NAMES: Record<string, string> = {
  '00:00:00': '00:00:00', '00:0c:29': 'VMware', '00:50:56': 'VMware', '08:00:27': 'PcsCompu', '52:54:00': 'RealtekU',
  '00:1b:63': 'Apple', '00:1f:f3': 'Apple',
};
const OUI_LONG: Record<string, string> = {
  '00:00:00': 'Officially Xerox, but 0:0:0:0:0:0 is more common', '00:0c:29': 'VMware, Inc.', '00:50:56': 'VMware, Inc.',
  '08:00:27': 'PCS Computer Systems GmbH', '52:54:00': 'Realtek (UpTech? also reported)', '00:1b:63': 'Apple, Inc.', '00:1f:f3': 'Apple, Inc.',
};

/** The manufacturer's long name of a MAC's OUI (eth.*.oui_resolved), when known. */
export function ouiLongName(b: Uint8Array): string | undefined {
  return OUI_LONG[formatHex(b.subarray(0, 3), ':')];
}

let macNames = true;

/** tshark -n: no name resolution at all, MAC addresses included (process-wide setting). */
export function setNameResolution(on: boolean): void {
  macNames = on;
}

/** "00:00:00_00:00:00", "Broadcast", or the bare MAC when the OUI is unknown (or with -n). */
export function resolveMac(b: Uint8Array): string {
  const m = formatHex(b, ':');
  if (!macNames) return m;
  if (m === 'ff:ff:ff:ff:ff:ff') return 'Broadcast';
  const name = OUI_NAMES[m.slice(0, 8)];
  return name === undefined ? m : `${name}_${m.slice(9)}`;
}

/** A MAC in -V labels: "resolved (aa:bb:…)", or just "aa:bb:…" with name resolution off. */
export function macLabel(b: Uint8Array): string {
  return macNames ? `${resolveMac(b)} (${formatHex(b, ':')})` : formatHex(b, ':');
}

/** aa:bb:cc:dd:ee:ff */
export function formatMac(b: Uint8Array): string {
  return formatHex(b, ':');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/**
 * "Nov 24, 2026 16:24:19.621009000 UTC" (day space-padded: "Jan  9"). tshark prints local time with the zone's abbreviation;
 * tcplab always prints UTC (identical where TZ is UTC, as on our test hosts).
 */
export function formatAbsTime(t: Timestamp): string {
  const d = new Date(t.sec * 1000);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(t.nsec).padStart(9, '0')} UTC`;
}

/** Seconds with 9 decimals of a signed ns span: 31000 → "0.000031000" (bigint for epoch-sized spans). */
export function formatRelNs(ns: number | bigint): string {
  if (typeof ns === 'bigint') {
    const neg = ns < 0n;
    const a = neg ? -ns : ns;
    return `${neg ? '-' : ''}${a / 1_000_000_000n}.${String(a % 1_000_000_000n).padStart(9, '0')}`;
  }
  const neg = ns < 0;
  const a = Math.abs(ns);
  const sec = Math.floor(a / 1e9);
  const frac = a - sec * 1e9;
  return `${neg ? '-' : ''}${sec}.${String(frac).padStart(9, '0')}`;
}

/** Epoch seconds: "1795537459.621009000". */
export function formatEpoch(t: Timestamp): string {
  return `${t.sec}.${String(t.nsec).padStart(9, '0')}`;
}

function formatInt(def: FieldDef, v: number | bigint): string {
  switch (def.display) {
    case 'BASE_HEX':
    case 'BASE_HEX_DEC': {
      const w = HEX_WIDTH[def.type] ?? 0;
      const n = typeof v === 'bigint' ? BigInt.asUintN(64, v) : v >>> 0;
      return '0x' + n.toString(16).padStart(w, '0');
    }
    case 'BASE_OCT':
      return '0' + v.toString(8);
    default:
      return String(v);
  }
}

/**
 * One occurrence of `def` as tshark writes it in -T fields / json / ek. FT_PROTOCOL values are
 * printed by the caller (tshark prints the protocol's tree label there).
 */
export function formatFieldValue(def: FieldDef, v: FieldValue): string {
  switch (def.type) {
    case 'FT_NONE':
      return '1';
    case 'FT_PROTOCOL':
      return v instanceof Uint8Array ? formatHex(v) : def.abbrev;
    case 'FT_BOOLEAN':
      return v === true || (typeof v === 'number' && v !== 0) ? '1' : '0';
    case 'FT_IPv4':
      return formatIPv4(v as number);
    case 'FT_IPv6':
      return formatIPv6(v as Uint8Array);
    case 'FT_ETHER':
      return formatMac(v as Uint8Array);
    case 'FT_BYTES':
      return formatHex(v as Uint8Array);
    case 'FT_STRING':
      return String(v);
    case 'FT_ABSOLUTE_TIME':
      return formatAbsTime(v as Timestamp);
    case 'FT_RELATIVE_TIME':
      return formatRelNs(v as number | bigint);
    case 'FT_DOUBLE':
    case 'FT_FLOAT':
      return String(v);
    case 'FT_FRAMENUM':
      return String(v);
    default:
      return formatInt(def, v as number | bigint);
  }
}
