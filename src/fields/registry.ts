/**
 * The registry: Map<abbrev, FieldDef> over every protocol's field table (tshark -G fields).
 * Protocols are fields too (type FT_PROTOCOL, e.g. 'tcp', 'ip', 'frame').
 * (Owner: fields/. Tables are added as the protocols land.)
 */
import type { FieldDef } from './field.js';
import { TCP_ANALYSIS_FIELDS } from './tcp-analysis.js';

const TABLES: readonly (readonly FieldDef[])[] = [TCP_ANALYSIS_FIELDS];

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
