/**
 * Display filters (Wireshark 4.0 syntax and semantics): parse, check against the field registry,
 * compile once into a predicate that reads only the fields it names.
 *
 *   const r = parseFilter('tcp.port == 80 && !tcp.analysis.retransmission');
 *   if (!r.ok) print(r.errors)              // FilterError[] with Wireshark's words and spans
 *   else for (const f of frames) if (r.filter.test(f)) out(f);
 *
 * Pipeline: lexer.ts → parser.ts (AST with spans) → check.ts (types, Wireshark's errors) →
 * compile.ts (closures). explain.ts prints the checked tree (dftest-like).
 */
import type { FieldDef, Frame } from '../fields/field.js';
import { lookupField } from '../fields/registry.js';
import { LabError } from '../util/errors.js';
import { type FilterError, FilterFailure, msg } from './errors.js';
import { parse, type FieldLookup } from './parser.js';
import { check, type Test } from './check.js';
import { compile } from './compile.js';

export type { FilterError, FilterErrorCode } from './errors.js';
export type { FieldLookup } from './parser.js';
export type { Test as FilterPlan } from './check.js';
export { explainFilter } from './explain.js';

export interface CompiledFilter {
  /** The filter text as given. */
  text: string;
  /** Field abbrevs the filter reads (Wireshark's "interesting fields"). */
  fields: readonly string[];
  /** The checked plan (undefined for the empty filter), for explainFilter(). */
  plan?: Test | undefined;
  /** True when the frame passes. Never throws on frame contents. */
  test(frame: Frame): boolean;
}

export type ParseResult = { ok: true; filter: CompiledFilter } | { ok: false; errors: FilterError[] };

export interface FilterOptions {
  /** Field lookup (default: the registry's lookupField); tests inject small registries. */
  lookup?: FieldLookup;
}

const ALWAYS_TRUE = (): boolean => true;

/**
 * Parses, checks and compiles a display filter. An empty (or blank) filter passes every frame.
 * A broken filter yields its first error (as Wireshark reports one), never a predicate.
 */
export function parseFilter(text: string, options: FilterOptions = {}): ParseResult {
  const lookup = options.lookup ?? lookupField;
  try {
    const ast = parse(text, lookup);
    if (ast === undefined) return { ok: true, filter: { text, fields: [], plan: undefined, test: ALWAYS_TRUE } };
    const plan = check(ast);
    const { test, fields } = compile(plan);
    return { ok: true, filter: { text, fields: fields.map((d: FieldDef) => d.abbrev), plan, test } };
  } catch (e) {
    if (e instanceof FilterFailure) return { ok: false, errors: [e.error] };
    // Hostile nesting ("((((…" thousands deep) exhausts the stack: a clear error, not a crash.
    // (tshark's parser stack stops near 100 levels with '")" was unexpected in this context.')
    if (e instanceof RangeError) return { ok: false, errors: [{ code: 'ERR_FILTER_SYNTAX', message: msg.tooDeep(), span: { start: -1, end: -1 } }] };
    throw e;
  }
}

/** For scripts: the compiled filter, or a LabError carrying the first FilterError's code and message. */
export function compileFilterOrThrow(text: string, options: FilterOptions = {}): CompiledFilter {
  const r = parseFilter(text, options);
  if (r.ok) return r.filter;
  const first = r.errors[0];
  throw new LabError(first?.code ?? 'ERR_FILTER_SYNTAX', first?.message ?? 'invalid display filter');
}
