/**
 * The display-filter scanner: Wireshark 4.0's epan/dfilter/scanner.l re-stated (not copied) as a
 * longest-match scanner over the filter text. It knows no field names: names come out as
 * UNPARSED (or FIELD for `.name`) and the parser resolves them.
 *
 * Flex semantics kept: the longest match wins, ties go to the earlier rule (so `eq` is an operator
 * but `eqx` a name); `[` enters the slice state, where everything up to `,` or `]` is one
 * RANGE_NODE; `#` enters the layer state; double-quoted strings take C escapes, r"…" strings keep
 * them. A scan error ends the token list with an ERROR token carrying the FilterError, so the
 * parser reports it only when it gets there (as Wireshark, which scans and parses in step).
 */
import { type Token, type TokenKind } from './token.js';
import { type FilterError, msg } from './errors.js';

const FIXED: readonly (readonly [string, TokenKind])[] = [
  ['(', 'LPAREN'], [')', 'RPAREN'], [',', 'COMMA'], ['{', 'LBRACE'], ['..', 'DOTDOT'], ['}', 'RBRACE'],
  ['$', 'DOLLAR'], ['any', 'ANY'], ['all', 'ALL'],
  ['==', 'TEST_ANY_EQ'], ['eq', 'TEST_ANY_EQ'], ['any_eq', 'TEST_ANY_EQ'],
  ['!=', 'TEST_ALL_NE'], ['ne', 'TEST_ALL_NE'], ['all_ne', 'TEST_ALL_NE'],
  ['===', 'TEST_ALL_EQ'], ['all_eq', 'TEST_ALL_EQ'],
  ['!==', 'TEST_ANY_NE'], ['~=', 'TEST_ANY_NE'], ['any_ne', 'TEST_ANY_NE'],
  ['>', 'TEST_GT'], ['gt', 'TEST_GT'], ['>=', 'TEST_GE'], ['ge', 'TEST_GE'],
  ['<', 'TEST_LT'], ['lt', 'TEST_LT'], ['<=', 'TEST_LE'], ['le', 'TEST_LE'],
  ['contains', 'TEST_CONTAINS'], ['~', 'TEST_MATCHES'], ['matches', 'TEST_MATCHES'],
  ['!', 'TEST_NOT'], ['not', 'TEST_NOT'], ['&&', 'TEST_AND'], ['and', 'TEST_AND'],
  ['||', 'TEST_OR'], ['or', 'TEST_OR'], ['in', 'TEST_IN'],
  ['+', 'PLUS'], ['-', 'MINUS'], ['*', 'STAR'], ['/', 'RSLASH'], ['%', 'PERCENT'],
  ['&', 'BITWISE_AND'], ['bitwise_and', 'BITWISE_AND'],
];

const H2 = '[0-9A-Fa-f]{2}';
const H4 = '[0-9A-Fa-f]{4}';
const H16 = '[0-9A-Fa-f]{1,4}';
const OCT = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4 = `${OCT}\\.${OCT}\\.${OCT}\\.${OCT}`;
const LS32 = `(?:${H16}:${H16}|${V4})`;
const V6_ALTS = [
  `(?:${H16}:){6}${LS32}`,
  `::(?:${H16}:){5}${LS32}`,
  `(?:${H16})?::(?:${H16}:){4}${LS32}`,
  `(?:(?:${H16}:){0,1}${H16})?::(?:${H16}:){3}${LS32}`,
  `(?:(?:${H16}:){0,2}${H16})?::(?:${H16}:){2}${LS32}`,
  `(?:(?:${H16}:){0,3}${H16})?::${H16}:${LS32}`,
  `(?:(?:${H16}:){0,4}${H16})?::${LS32}`,
  `(?:(?:${H16}:){0,5}${H16})?::${H16}`,
  `(?:(?:${H16}:){0,6}${H16})?::`,
];

/** Patterns whose match is an UNPARSED/LITERAL/FIELD token; the longest match wins. */
const PATTERNS: readonly RegExp[] = [
  new RegExp(`${H2}:${H2}:${H2}:${H2}:${H2}:${H2}|${H2}-${H2}-${H2}-${H2}-${H2}-${H2}|${H2}\\.${H2}\\.${H2}\\.${H2}\\.${H2}\\.${H2}|${H4}\\.${H4}\\.${H4}`, 'y'),
  new RegExp(`${V4}(?:\\/[0-9]{1,2})?`, 'y'),
  ...V6_ALTS.map((a) => new RegExp(`${a}(?:\\/[0-9]{1,3})?`, 'y')),
  new RegExp(`:?(?:${H2}(?::${H2})+|${H2}(?:\\.${H2})+|${H2}(?:-${H2})+)`, 'y'),
  /:[0-9A-Fa-f]+/y,
  /\.?[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*/y,
];

const WS = /[ \t\n]+/y;
const enc = new TextEncoder();

function tok(kind: TokenKind, text: string, start: number, end: number): Token {
  return { kind, text, start, end, bytes: undefined, num: undefined };
}

function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** Wireshark's ws_escape_string(…, add_quotes = true): the display form of a string token. */
export function escapeString(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    switch (b) {
      case 0x5c: s += '\\\\'; break;
      case 0x22: s += '\\"'; break;
      case 0x07: s += '\\a'; break;
      case 0x08: s += '\\b'; break;
      case 0x0c: s += '\\f'; break;
      case 0x0a: s += '\\n'; break;
      case 0x0d: s += '\\r'; break;
      case 0x09: s += '\\t'; break;
      case 0x0b: s += '\\v'; break;
      default:
        s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '\\x' + b.toString(16).padStart(2, '0');
    }
  }
  return s + '"';
}

function ucnValue(text: string): number | undefined {
  const n = text[1] === 'u' ? 4 : 8;
  const hex = text.slice(2);
  if (hex.length !== n || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const v = parseInt(hex, 16);
  if (v < 0xa0 && v !== 0x24 && v !== 0x40 && v !== 0x60) return undefined;
  if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) return undefined;
  return v;
}

const SIMPLE_ESC: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c, "'": 0x27, '"': 0x22 };

/** parse_charconst of scanner.l: the value of a 'c' constant, or an error message. */
function parseCharConst(s: string): number | string {
  let p = 1;
  let value: number;
  if (s[p] === "'") return msg.emptyCharConst();
  if (s[p] === '\\') {
    p++;
    const c = s[p];
    if (c === undefined) return msg.badCharConst(s);
    if (c in SIMPLE_ESC && c !== 'n') { value = SIMPLE_ESC[c] ?? 0; p++; }
    else if (c === 'n') { value = 10; /* scanner.l does not advance after \n: kept */ }
    else if (c === 'x') {
      p++;
      const h1 = s[p];
      if (h1 === undefined || !/[0-9A-Fa-f]/.test(h1)) return msg.badCharConst(s);
      value = parseInt(h1, 16); p++;
      if (s[p] !== "'") {
        const h2 = s[p];
        if (h2 === undefined || !/[0-9A-Fa-f]/.test(h2)) return msg.badCharConst(s);
        value = value * 16 + parseInt(h2, 16); p++;
      }
    } else if (c === 'u' || c === 'U') {
      const m = /^\\[uU][0-9A-Fa-f]*/.exec(s.slice(1));
      const v = m ? ucnValue(m[0].slice(0, c === 'u' ? 6 : 10)) : undefined;
      if (v === undefined || !m) return msg.badUcn(s);
      value = v; p = 1 + (c === 'u' ? 6 : 10);
    } else {
      if (!/[0-7]/.test(c)) return msg.badCharConst(s);
      value = c.charCodeAt(0) - 48;
      if (s[p + 1] !== "'") {
        p++;
        const d = s[p] ?? '';
        if (!/[0-7]/.test(d)) return msg.badCharConst(s);
        value = value * 8 + d.charCodeAt(0) - 48;
        if (s[p + 1] !== "'") {
          p++;
          const e = s[p] ?? '';
          if (!/[0-7]/.test(e)) return msg.badCharConst(s);
          value = value * 8 + e.charCodeAt(0) - 48;
        }
      }
      if (value > 0xff) return msg.charConstTooLarge(s);
      p++;
    }
  } else {
    value = s.charCodeAt(p);
    p++;
    if (!isPrint(value)) return msg.charConstNonPrintable(value);
  }
  if (s[p] !== "'" || p + 1 !== s.length) return msg.charConstTooLong(s);
  return value;
}

/**
 * Splits a filter into tokens. The list always ends with EOF, or with ERROR (whose `error` is the
 * scanner's FilterError) at the first place the scanner cannot go on.
 */
export function tokenize(text: string): { tokens: Token[]; error: FilterError | undefined } {
  const tokens: Token[] = [];
  let pos = 0;
  const n = text.length;
  const err = (message: string, start: number, end: number): { tokens: Token[]; error: FilterError } => {
    tokens.push(tok('ERROR', '', start, end));
    return { tokens, error: { code: 'ERR_FILTER_SCAN', message, span: { start, end } } };
  };

  while (pos < n) {
    WS.lastIndex = pos;
    const ws = WS.exec(text);
    if (ws) { pos += ws[0].length; continue; }
    const ch = text[pos] ?? '';

    if (ch === '[') {
      tokens.push(tok('LBRACKET', '[', pos, pos + 1));
      pos++;
      // RANGE state
      for (;;) {
        if (pos >= n) return err(msg.missingBracket(), pos, pos);
        const c = text[pos];
        if (c === ']') { tokens.push(tok('RBRACKET', ']', pos, pos + 1)); pos++; break; }
        if (c === ',') { tokens.push(tok('COMMA', ',', pos, pos + 1)); pos++; continue; }
        let e = pos;
        while (e < n && text[e] !== ']' && text[e] !== ',') e++;
        tokens.push(tok('RANGE_NODE', text.slice(pos, e), pos, e));
        pos = e;
      }
      continue;
    }
    if (ch === '#') {
      tokens.push(tok('HASH', '#', pos, pos + 1));
      pos++;
      // LAYER state
      const m = /[0-9]+/y;
      m.lastIndex = pos;
      const d = m.exec(text);
      if (d) { tokens.push(tok('INTEGER', d[0], pos, pos + d[0].length)); pos += d[0].length; continue; }
      if (text[pos] === '[') continue; // handled by the '[' branch
      if (pos >= n) continue; // EOF: the parser reports the unexpected end
      return err(msg.layerExpected(text[pos] ?? ''), pos, pos + 1);
    }
    if (ch === '"' || ((ch === 'r' || ch === 'R') && text[pos + 1] === '"')) {
      const raw = ch !== '"';
      const start = pos;
      pos += raw ? 2 : 1;
      const out: number[] = [];
      let closed = false;
      while (pos < n) {
        const c = text[pos];
        if (c === '"') { pos++; closed = true; break; }
        if (c === '\\') {
          const rest = text.slice(pos);
          let m: RegExpExecArray | null;
          if ((m = /^\\[0-7]{1,3}/.exec(rest))) {
            if (raw) for (const b of enc.encode(m[0])) out.push(b);
            else {
              const v = parseInt(m[0].slice(1), 8);
              if (v > 0xff) return err(msg.octalTooLarge(m[0]), pos, pos + m[0].length);
              out.push(v);
            }
          } else if ((m = /^\\x[0-9A-Fa-f]{1,2}/.exec(rest))) {
            if (raw) for (const b of enc.encode(m[0])) out.push(b);
            else out.push(parseInt(m[0].slice(2), 16));
          } else if ((m = /^\\u[0-9A-Fa-f]{0,4}/.exec(rest)) || (m = /^\\U[0-9A-Fa-f]{0,8}/.exec(rest))) {
            if (raw) for (const b of enc.encode(m[0])) out.push(b);
            else {
              const v = ucnValue(m[0]);
              if (v === undefined) return err(msg.badUcn(m[0]), pos, pos + m[0].length);
              for (const b of enc.encode(String.fromCodePoint(v))) out.push(b);
            }
          } else {
            const e = rest[1];
            if (e === undefined) { pos++; continue; }
            m = /^\\[\s\S]/.exec(rest) as RegExpExecArray;
            if (raw) for (const b of enc.encode(m[0])) out.push(b);
            else {
              const v = SIMPLE_ESC[e];
              if (v === undefined) return err(msg.badEscape(e), pos, pos + 2);
              out.push(v);
            }
          }
          pos += m[0].length;
          continue;
        }
        let e = pos;
        while (e < n && text[e] !== '"' && text[e] !== '\\') e++;
        for (const b of enc.encode(text.slice(pos, e))) out.push(b);
        pos = e;
      }
      if (!closed) return err(msg.missingQuote(), n, n);
      const bytes = Uint8Array.from(out);
      const t = tok('STRING', escapeString(bytes), start, pos);
      t.bytes = bytes;
      tokens.push(t);
      continue;
    }
    if (ch === "'") {
      const start = pos;
      let s = "'";
      pos++;
      let closed = false;
      while (pos < n) {
        const c = text[pos];
        if (c === "'") { pos++; closed = true; break; }
        if (c === '\\' && pos + 1 < n) { s += text.slice(pos, pos + 2); pos += 2; continue; }
        s += c; pos++;
      }
      if (!closed) return err(msg.missingCharQuote(), n, n);
      s += "'";
      const v = parseCharConst(s);
      if (typeof v === 'string') return err(v, start, pos);
      const t = tok('CHARCONST', s, start, pos);
      t.num = v;
      tokens.push(t);
      continue;
    }

    // Longest match among the fixed tokens and the patterns; ties go to the earlier rule.
    let bestLen = 0;
    let bestKind: TokenKind | undefined;
    for (const [f, kind] of FIXED) {
      if (f.length > bestLen && text.startsWith(f, pos)) { bestLen = f.length; bestKind = kind; }
    }
    for (const re of PATTERNS) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (m && m[0].length > bestLen) {
        bestLen = m[0].length;
        bestKind = m[0][0] === ':' ? 'LITERAL' : m[0][0] === '.' ? 'FIELD' : 'UNPARSED';
      }
    }
    if (bestKind === undefined) {
      const c = text.charCodeAt(pos);
      const len = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      return err(isPrint(c) ? msg.unexpected(ch) : msg.nonPrintable(), pos, pos + len);
    }
    const word = text.slice(pos, pos + bestLen);
    tokens.push(tok(bestKind, bestKind === 'FIELD' ? word.slice(1) : word, pos, pos + bestLen));
    pos += bestLen;
  }
  tokens.push(tok('EOF', '', n, n));
  return { tokens, error: undefined };
}
