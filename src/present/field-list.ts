/**
 * `tcplab read -G fields`: the registry in tshark -G fields layout —
 * "P\t<name>\t<abbrev>" for protocols, and
 * "F\t<name>\t<abbrev>\t<type>\t<parent>\t<base>\t<bitmask>\t<blurb>" for fields, where <base> is
 * the BASE_* name for integers, the bit width for FT_BOOLEAN and empty for other types.
 */
import type { FieldDef } from '../fields/field.js';
import { allFields } from '../fields/registry.js';

const INTEGER = new Set(['FT_UINT8', 'FT_UINT16', 'FT_UINT24', 'FT_UINT32', 'FT_UINT64', 'FT_INT8', 'FT_INT16', 'FT_INT32', 'FT_INT64', 'FT_CHAR']);

/** One -G fields line (no newline). */
export function formatFieldRow(d: FieldDef): string {
  if (d.type === 'FT_PROTOCOL' && d.parent === '') return `P\t${d.name}\t${d.abbrev}`;
  if (d.type === 'FT_PROTOCOL') return `P\t${d.name}\t${d.abbrev}`;
  const base = INTEGER.has(d.type) ? d.display : d.type === 'FT_BOOLEAN' ? String(d.boolBits ?? 0) : '';
  return `F\t${d.name}\t${d.abbrev}\t${d.type}\t${d.parent}\t${base}\t0x${d.bitmask.toString(16)}\t${d.blurb}`;
}

/** All rows, each ending in "\n". */
export function formatFieldList(): string {
  return allFields().map((d) => formatFieldRow(d) + '\n').join('');
}
