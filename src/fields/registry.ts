/**
 * The registry: Map<abbrev, FieldDef> over every protocol's field table (tshark -G fields).
 * Protocols are fields too (type FT_PROTOCOL, e.g. 'tcp', 'ip', 'frame').
 * Owner: fields/. A duplicate abbrev is a programming error and throws on first use.
 */
import type { FieldDef } from './field.js';
import { TCP_ANALYSIS_FIELDS } from './tcp-analysis.js';
import { FRAME_FIELDS } from './frame.js';
import { ETH_FIELDS, NULL_FIELDS, SLL_FIELDS, VLAN_FIELDS } from './link.js';
import { IP_FIELDS, IPV6_FIELDS } from './ip.js';
import { TCP_FIELDS } from './tcp.js';
import { DATA_FIELDS, ICMP_FIELDS, ICMPV6_FIELDS, UDP_FIELDS } from './transport.js';

const TABLES: readonly (readonly FieldDef[])[] = [
  FRAME_FIELDS, ETH_FIELDS, NULL_FIELDS, SLL_FIELDS, VLAN_FIELDS, IP_FIELDS, IPV6_FIELDS, TCP_FIELDS,
  TCP_ANALYSIS_FIELDS, UDP_FIELDS, ICMP_FIELDS, ICMPV6_FIELDS, DATA_FIELDS,
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
