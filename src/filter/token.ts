/**
 * Display-filter tokens, as Wireshark 4.0's scanner (epan/dfilter/scanner.l) produces them.
 *
 * Every token carries its span [start, end) in the filter text, so any error can be drawn with a
 * caret under the place. `text` is the token's display form (Wireshark's repr_token): the source
 * text for most tokens, the re-escaped quoted form for strings.
 */

export const TOKEN_KINDS = [
  'LPAREN', 'RPAREN', 'COMMA', 'LBRACE', 'RBRACE', 'DOTDOT', 'DOLLAR', 'ANY', 'ALL',
  'TEST_ANY_EQ', 'TEST_ALL_NE', 'TEST_ALL_EQ', 'TEST_ANY_NE', 'TEST_GT', 'TEST_GE', 'TEST_LT', 'TEST_LE',
  'TEST_CONTAINS', 'TEST_MATCHES', 'TEST_NOT', 'TEST_AND', 'TEST_OR', 'TEST_IN',
  'PLUS', 'MINUS', 'STAR', 'RSLASH', 'PERCENT', 'BITWISE_AND',
  'HASH', 'INTEGER', 'LBRACKET', 'RBRACKET', 'RANGE_NODE',
  'STRING', 'CHARCONST', 'UNPARSED', 'LITERAL', 'FIELD', 'EOF', 'ERROR',
] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** A half-open character range [start, end) in the filter text; start -1 means "no place". */
export interface Span {
  start: number;
  end: number;
}

export const NO_SPAN: Span = Object.freeze({ start: -1, end: -1 });

export interface Token {
  kind: TokenKind;
  /** Display form (Wireshark's token repr). */
  text: string;
  start: number;
  end: number;
  /** STRING: the unescaped bytes (latin1/UTF-8 as written); CHARCONST: the code. */
  bytes: Uint8Array | undefined;
  num: number | undefined;
}

/** Comparison operators (cmp_op in grammar.lemon). */
export const CMP_KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'TEST_ANY_EQ', 'TEST_ALL_NE', 'TEST_ALL_EQ', 'TEST_ANY_NE', 'TEST_GT', 'TEST_GE', 'TEST_LT', 'TEST_LE',
]);
