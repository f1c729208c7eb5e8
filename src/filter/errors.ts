/**
 * FilterError: a broken display filter, as data (code + Wireshark's message + span).
 *
 * All wording lives here (ARCHITECTURE.md §2.5.3). The messages are Wireshark 4.0's, word for
 * word (epan/dfilter/scanner.l, grammar.lemon, semcheck.c, epan/ftypes/*.c), because users and
 * tests compare them with tshark. Codes are the stable API; messages may follow Wireshark.
 */
import { type Span, NO_SPAN } from './token.js';

export interface FilterError {
  /** Stable code, e.g. 'ERR_FILTER_UNKNOWN_FIELD'. */
  code: FilterErrorCode;
  /** Wireshark's wording, e.g. 'tcp.prot is neither a field nor a protocol name.' */
  message: string;
  /** Character span [start, end) in the filter text; start = -1 when Wireshark names no place. */
  span: Span;
}

export const FILTER_ERROR_CODES = [
  /** A token that the grammar does not allow here, or the filter ends too early. */
  'ERR_FILTER_SYNTAX',
  /** A character or string the scanner cannot read (bad escape, missing quote, stray byte). */
  'ERR_FILTER_SCAN',
  /** A name that is not a field or protocol. */
  'ERR_FILTER_UNKNOWN_FIELD',
  /** A value that cannot be converted to the field's type (bad number, address, bytes, time). */
  'ERR_FILTER_BAD_VALUE',
  /** Operands of incompatible types, or a type that cannot take part in the operator. */
  'ERR_FILTER_TYPE_MISMATCH',
  /** A slice range that is not valid. */
  'ERR_FILTER_BAD_RANGE',
  /** A regular expression that does not compile. */
  'ERR_FILTER_BAD_REGEX',
  /** A function that does not exist, or has the wrong number or kind of arguments. */
  'ERR_FILTER_FUNCTION',
  /** Valid Wireshark syntax tcplab does not evaluate (field references ${…}, layer operator #). */
  'ERR_FILTER_UNSUPPORTED',
] as const;
export type FilterErrorCode = (typeof FILTER_ERROR_CODES)[number];

/** Thrown inside the filter compiler and caught by parseFilter(); never escapes the module. */
export class FilterFailure extends Error {
  readonly error: FilterError;
  constructor(error: FilterError) {
    super(error.message);
    this.error = error;
  }
}

export function fail(code: FilterErrorCode, message: string, span: Span = NO_SPAN): never {
  throw new FilterFailure({ code, message, span: { start: span.start, end: span.end } });
}

/** Wireshark's messages, one function per wording. */
export const msg = {
  unexpected: (tok: string) => `"${tok}" was unexpected in this context.`,
  unexpectedEnd: () => 'Unexpected end of filter expression.',
  nonPrintable: () => 'Non-printable ASCII characters may only appear inside double-quotes.',
  missingQuote: () => 'The final quote was missing from a quoted string.',
  missingCharQuote: () => 'The final quote was missing from a character constant.',
  missingBracket: () => 'The right bracket was missing from a slice.',
  badEscape: (c: string) => `\\${c} is not a valid character escape sequence`,
  octalTooLarge: (s: string) => `${s} is larger than 255.`,
  badUcn: (s: string) => `${s} is not a valid universal character name`,
  emptyCharConst: () => 'Empty character constant.',
  badCharConst: (s: string) => `${s} isn't a valid character constant.`,
  charConstTooLarge: (s: string) => `${s} is too large to be a valid character constant.`,
  charConstTooLong: (s: string) => `${s} is too long to be a valid character constant.`,
  charConstNonPrintable: (v: number) => `Non-printable value '0x${v.toString(16).padStart(2, '0')}' in character constant.`,
  layerExpected: (s: string) => `Expected digit or "[", not "${s}"`,
  notField: (s: string) => `${s} is neither a field nor a protocol name.`,
  notValidField: (s: string) => `"${s}" is not a valid protocol or protocol field.`,
  notValidFieldLayer: (s: string) => `${s} is not a valid field`,
  noFunction: (s: string) => `Function '${s}' does not exist`,
  functionPresent: () => 'You cannot test whether a function is present.',
  badRange: (s: string) => `"${s}" is not a valid range.`,
  rangeLength: (s: string, n: number) => `Range ${s} isn't valid because length ${n} isn't positive`,
  rangeSigns: (s: string, a: number, b: number) => `Range ${s} isn't valid because ${a} and ${b} have different signs`,
  rangeOrder: (s: string, a: number, b: number) => `Range ${s} isn't valid because ${a} is greater or equal than ${b}`,
  cannotParticipate: (f: string, t: string, op: string) => `${f} (type=${t}) cannot participate in ${op} comparison.`,
  cannotParticipateSpecified: (f: string, t: string) => `${f} (type=${t}) cannot participate in specified comparison.`,
  notCompatible: (a: string, b: string) => `${a} and ${b} are not of compatible types.`,
  notTypeCompatible: (a: string, b: string) => `${a} and ${b} are not type compatible.`,
  cannotSlice: (f: string, t: string) => `"${f}" is a ${t} and cannot be sliced into a sequence of bytes.`,
  cannotConvertBytes: (f: string, t: string) => `"${f}" is a ${t} and cannot be converted into a sequence of bytes.`,
  rangeNotSupported: (s: string) => `Range is not supported for entity ${s}`,
  leftSide: (op: string, s: string) => `Left side of "${op}" expression must be a field or function, not ${s}.`,
  leftSideNoQuote: (op: string, s: string) => `Left side of ${op} expression must be a field or function, not ${s}.`,
  matchesNeedsString: () => 'Matches requires a double quoted string on the right side.',
  regex: (e: string) => `Regex compilation error: ${e}.`,
  onlyFieldInSet: () => 'Only a field may be tested for membership in a set.',
  sliceInSet: () => 'A slice may not appear inside a set.',
  constantArithLhs: () => 'Constant arithmetic expression on the LHS is invalid.',
  arithCannot: (t: string, op: string) => `${t} cannot ${op}.`,
  notArithOperand: (s: string) => `${s} is not a valid arithmetic operand.`,
  fnMinArgs: (f: string, n: number) => `Function ${f} needs at least ${n} arguments.`,
  fnMaxArgs: (f: string, n: number) => `Function ${f} can only accept ${n} arguments.`,
  notValidNumber: (s: string) => `"${s}" is not a valid number.`,
  intOverflow: (s: string) => `"${s}" causes an integer overflow.`,
  tooBig: (s: string, max: string) => `"${s}" too big for this field, maximum ${max}.`,
  tooSmall: (s: string, min: string) => `"${s}" too small for this field, minimum ${min}.`,
  notIpv4: (s: string) => `"${s}" is not a valid hostname or IPv4 address.`,
  ipv4Mask: (n: number) => `Netmask bits in a CIDR IPv4 address should be <= 32, not ${n}`,
  notIpv6: (s: string) => `"${s}" is not a valid hostname or IPv6 address.`,
  ipv6Prefix: (n: number) => `Prefix in a IPv6 address should be <= 128, not ${n}`,
  notBytes: (s: string) => `"${s}" is not a valid byte string.`,
  notEther: (s: string) => `"${s}" is not a valid Ethernet address.`,
  etherTooMany: (s: string) => `"${s}" contains too many bytes to be a valid Ethernet address.`,
  etherTooFew: (s: string) => `"${s}" contains too few bytes to be a valid Ethernet address.`,
  notTime: (s: string) => `"${s}" is not a valid time.`,
  notAbsTime: (s: string) => `"${s}" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"`,
  notFloat: (s: string) => `"${s}" is not a valid floating-point number.`,
  cannotConvertLiteral: (s: string, t: string) => `"${s}" cannot be converted to ${t}.`,
  cannotConvertString: (t: string, s: string) => `${t} cannot be converted from a string ("${s}").`,
  cannotConvertChar: (c: string, v: number, t: string) => `Character constant ${c} (0x${v.toString(16)}) cannot be converted to ${t}.`,
  byteTooLarge: (n: number) => `${n} is too large for a byte value`,
  /** tcplab's own words: tshark's parser stack gives up near 100 levels with a syntax error. */
  tooDeep: () => 'The filter is nested too deeply.',
  unsupported: (what: string) => `${what} is not supported by tcplab.`,
} as const;
