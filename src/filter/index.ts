/**
 * Display filters (Wireshark 4.0 syntax): parse, check against the field registry, compile once.
 * (Owner: filter/. Placeholder API until the filter issue lands.)
 */
import type { Frame } from '../fields/field.js';

export interface FilterError {
  /** Stable code, e.g. 'ERR_FILTER_UNKNOWN_FIELD'. */
  code: string;
  /** Wireshark's wording, e.g. '"tcp.prot" is neither a field nor a protocol name.' */
  message: string;
  /** Character span in the filter text [start, end). */
  span: { start: number; end: number };
}

export interface CompiledFilter {
  /** The filter text as given. */
  text: string;
  /** Field abbrevs the filter reads. */
  fields: readonly string[];
  test(frame: Frame): boolean;
}

export type ParseResult = { ok: true; filter: CompiledFilter } | { ok: false; errors: FilterError[] };

/** Parses, checks and compiles a display filter. */
export function parseFilter(text: string): ParseResult {
  if (text.trim() === '') return { ok: true, filter: { text, fields: [], test: () => true } };
  return { ok: false, errors: [{ code: 'ERR_FILTER_NOT_BUILT', message: 'display filters are not built yet', span: { start: 0, end: text.length } }] };
}
