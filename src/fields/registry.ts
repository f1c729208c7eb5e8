/**
 * The registry: Map<abbrev, FieldDef> over every protocol's field table (tshark -G fields).
 * Protocols are fields too (type FT_PROTOCOL, e.g. 'tcp', 'ip', 'frame').
 * Owner: fields/. A duplicate abbrev is a programming error and throws on first use.
 */
import type { FieldDef, FieldValue, Frame } from './field.js';
import { TCP_ANALYSIS_CORE_FIELDS, TCP_ANALYSIS_FIELDS } from './tcp-analysis.js';
import { FRAME_FIELDS } from './frame.js';
import { ARP_FIELDS, ETH_FIELDS, NULL_FIELDS, SLL_FIELDS, VLAN_FIELDS } from './link.js';
import { IP_FIELDS, IPV6_FIELDS } from './ip.js';
import { TCP_FIELDS } from './tcp.js';
import { DATA_FIELDS, ICMP_FIELDS, ICMPV6_FIELDS, UDP_FIELDS } from './transport.js';
import { HTTP_FIELDS } from './http.js';

/**
 * Fields that also occur inside an ICMP error's quoted packet (tshark dissects the quoted IP and
 * TCP/UDP headers, so e.g. tcp.srcport has a value in an ICMP port-unreachable). Their values are
 * the outer packet's, then the quoted packet's. Generated TCP fields (analysis) are not repeated:
 * tshark does not analyse quoted headers (spec §3.3).
 */
/** Fields whose analysis-area definitions already handle quoted headers (and tcp.seq_raw, which tshark leaves out there). */
const ANALYSIS_OWNED = new Set(TCP_ANALYSIS_CORE_FIELDS.map((d) => d.abbrev));

function withQuoted(table: readonly FieldDef[]): FieldDef[] {
  return table.map((d) => {
    if ((d.type === 'FT_PROTOCOL' && d.parent === '') || d.generated || ANALYSIS_OWNED.has(d.abbrev) || d.abbrev === 'tcp.seq_raw') return d;
    const own = d.values;
    const values = (f: Frame): readonly FieldValue[] => {
      const v = own(f);
      const q = f.pkt.icmp?.quoted;
      if (!q) return v;
      const qv = own({ ...f, pkt: q, tcp: undefined });
      return qv.length === 0 ? v : v.length === 0 ? qv : [...v, ...qv];
    };
    return { ...d, values };
  });
}

const TABLES: readonly (readonly FieldDef[])[] = [
  FRAME_FIELDS, ETH_FIELDS, NULL_FIELDS, SLL_FIELDS, VLAN_FIELDS, ARP_FIELDS, withQuoted(IP_FIELDS), withQuoted(IPV6_FIELDS),
  withQuoted(TCP_FIELDS), TCP_ANALYSIS_FIELDS, withQuoted(UDP_FIELDS), ICMP_FIELDS, ICMPV6_FIELDS, DATA_FIELDS, HTTP_FIELDS,
];

let byAbbrev: Map<string, FieldDef> | undefined;

function build(): Map<string, FieldDef> {
  const m = new Map<string, FieldDef>();
  for (const t of TABLES) for (const f of t) {
    if (m.has(f.abbrev)) throw new Error(`duplicate field ${f.abbrev}`);
    m.set(f.abbrev, f);
  }
  return m;
}

/** The field named `abbrev`, or undefined. */
export function lookupField(abbrev: string): FieldDef | undefined {
  byAbbrev ??= build();
  return byAbbrev.get(abbrev);
}

/** Every registered field, protocols included, in registration order. */
export function allFields(): readonly FieldDef[] {
  byAbbrev ??= build();
  return [...byAbbrev.values()];
}
