/**
 * Display-filter functions (Wireshark 4.0 epan/dfilter/dfunctions.c): name and argument count.
 * check.ts gives each its argument rules and result type; compile.ts evaluates them.
 */
import type { FieldType } from '../fields/field.js';

export interface FunctionDef {
  name: string;
  minArgs: number;
  /** 0: no upper bound. */
  maxArgs: number;
}

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map<string, FunctionDef>([
  ['lower', { name: 'lower', minArgs: 1, maxArgs: 1 }],
  ['upper', { name: 'upper', minArgs: 1, maxArgs: 1 }],
  ['len', { name: 'len', minArgs: 1, maxArgs: 1 }],
  ['count', { name: 'count', minArgs: 1, maxArgs: 1 }],
  ['string', { name: 'string', minArgs: 1, maxArgs: 1 }],
  ['max', { name: 'max', minArgs: 1, maxArgs: 0 }],
  ['min', { name: 'min', minArgs: 1, maxArgs: 0 }],
  ['abs', { name: 'abs', minArgs: 1, maxArgs: 1 }],
]);

/** Wire size of fixed-size types, for len() of a non-byte field (fvalue_length). */
export const WIRE_SIZE: Partial<Record<FieldType, number>> = {
  FT_UINT8: 1, FT_INT8: 1, FT_CHAR: 1, FT_UINT16: 2, FT_INT16: 2, FT_UINT24: 3, FT_UINT32: 4, FT_INT32: 4,
  FT_FRAMENUM: 4, FT_UINT64: 8, FT_INT64: 8, FT_IPv4: 4, FT_IPv6: 16, FT_ETHER: 6,
};
