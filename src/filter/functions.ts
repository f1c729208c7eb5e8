/**
 * Display-filter functions (Wireshark 4.0 epan/dfilter/dfunctions.c): name, argument count and
 * result type. tcplab evaluates len(), count(), upper() and lower(); string(), max(), min() and
 * abs() exist in Wireshark 4.0, parse, and are refused by check.ts as unsupported.
 */
import type { FieldType } from '../fields/field.js';

export interface FunctionDef {
  name: string;
  minArgs: number;
  /** 0: no upper bound. */
  maxArgs: number;
  /** Evaluated by tcplab (false: Wireshark has it, tcplab refuses it with ERR_FILTER_UNSUPPORTED). */
  supported: boolean;
  returns: FieldType | undefined;
}

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map<string, FunctionDef>([
  ['lower', { name: 'lower', minArgs: 1, maxArgs: 1, supported: true, returns: 'FT_STRING' }],
  ['upper', { name: 'upper', minArgs: 1, maxArgs: 1, supported: true, returns: 'FT_STRING' }],
  ['len', { name: 'len', minArgs: 1, maxArgs: 1, supported: true, returns: 'FT_UINT32' }],
  ['count', { name: 'count', minArgs: 1, maxArgs: 1, supported: true, returns: 'FT_UINT32' }],
  ['string', { name: 'string', minArgs: 1, maxArgs: 1, supported: false, returns: 'FT_STRING' }],
  ['max', { name: 'max', minArgs: 1, maxArgs: 0, supported: false, returns: undefined }],
  ['min', { name: 'min', minArgs: 1, maxArgs: 0, supported: false, returns: undefined }],
  ['abs', { name: 'abs', minArgs: 1, maxArgs: 1, supported: false, returns: undefined }],
]);

/** Wire size of fixed-size types, for len() of a non-byte field (fvalue_length). */
export const WIRE_SIZE: Partial<Record<FieldType, number>> = {
  FT_UINT8: 1, FT_INT8: 1, FT_CHAR: 1, FT_UINT16: 2, FT_INT16: 2, FT_UINT24: 3, FT_UINT32: 4, FT_INT32: 4,
  FT_FRAMENUM: 4, FT_UINT64: 8, FT_INT64: 8, FT_IPv4: 4, FT_IPv6: 16, FT_ETHER: 6,
};
