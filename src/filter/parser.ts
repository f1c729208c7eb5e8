/**
 * The display-filter parser: Wireshark 4.0's grammar.lemon as a recursive-descent parser that
 * builds the same tree and fails at the same token with the same words.
 *
 * Precedence, loosest first (grammar.lemon): `or`, `and`, `not` (right), relations
 * (`== != === !== > >= < <= contains matches in`, non-associative; `a < b < c` means
 * `a < b and b < c`), `&`, `+ -`, `* / %`, unary `- +`. Parentheses group tests, braces `{}`
 * group arithmetic. Names are resolved here, as in the grammar's actions: a name that is a field
 * becomes a field node, any other name stays a literal for check.ts to convert or reject.
 */
import type { FieldDef } from '../fields/field.js';
import { type Token, type Span, NO_SPAN, CMP_KINDS } from './token.js';
import { type FilterError, fail, FilterFailure, msg } from './errors.js';
import { tokenize } from './lexer.js';
import { FUNCTIONS } from './functions.js';
import { type Node, type RangeNode, type CmpOp, type ArithOp, type MatchHow, type SetElement, rangeNodeToString } from './ast.js';

export type FieldLookup = (abbrev: string) => FieldDef | undefined;

const CMP_OP: Partial<Record<Token['kind'], CmpOp>> = {
  TEST_ANY_EQ: 'any_eq', TEST_ALL_NE: 'all_ne', TEST_ALL_EQ: 'all_eq', TEST_ANY_NE: 'any_ne',
  TEST_GT: 'gt', TEST_GE: 'ge', TEST_LT: 'lt', TEST_LE: 'le',
};

const spanOf = (t: Token): Span => ({ start: t.start, end: t.end });

/** strtol(s, &end, 0) as drange.c uses it: the number and the rest, or undefined when no digits. */
function strtol0(s: string): { value: number; rest: string } | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9A-Fa-f]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  const body = m[2] ?? '0';
  const v = /^0[xX]/.test(body) ? parseInt(body, 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  return { value: m[1] === '-' ? -v : v, rest: s.slice(m[0].length) };
}

const INT32_MAX = 2147483647;

/** drange_node_from_str: one slice range, or Wireshark's error message. */
export function parseRangeNode(s: string): RangeNode | string {
  let rest = s;
  let lower = 0;
  if (rest[0] !== ':') {
    const n = strtol0(rest);
    if (!n) return msg.notValidNumber(s);
    if (n.value > INT32_MAX || n.value < -INT32_MAX - 1) return msg.intOverflow(s);
    lower = n.value;
    rest = n.rest;
  }
  rest = rest.replace(/^\s+/, '');
  const upperOf = (t: string): { value: number; rest: string } | undefined => {
    const n = strtol0(t);
    return n && n.value <= INT32_MAX && n.value >= -INT32_MAX - 1 ? n : undefined;
  };
  if (rest[0] === '-') {
    const n = upperOf(rest.slice(1));
    if (!n || n.rest.trim() !== '') return msg.badRange(s);
    const upper = n.value;
    if ((lower < 0 && upper > 0) || (lower > 0 && upper < 0)) return msg.rangeSigns(s, lower, upper);
    if (upper <= lower) return msg.rangeOrder(s, lower, upper);
    return { kind: 'offset', start: lower, end: upper };
  }
  if (rest[0] === ':') {
    if (rest.length === 1) return { kind: 'to_end', start: lower };
    const n = upperOf(rest.slice(1));
    if (!n || n.rest.trim() !== '') return msg.badRange(s);
    if (n.value <= 0) return msg.rangeLength(s, n.value);
    return { kind: 'length', start: lower, length: n.value };
  }
  if (rest.trim() === '') return { kind: 'length', start: lower, length: 1 };
  return msg.badRange(s);
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly scanError: FilterError | undefined, private readonly lookup: FieldLookup) {}

  private peek(k = 0): Token {
    const t = this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
    if (t === undefined) throw new Error('token list is never empty');
    return t;
  }

  /** Consumes the next token; a scan error there is reported now, as Wireshark does. */
  private next(): Token {
    const t = this.peek();
    if (t.kind === 'ERROR' && this.scanError) throw new FilterFailure(this.scanError);
    this.pos++;
    return t;
  }

  /** The syntax error for token t (Lemon's %syntax_error). */
  private unexpected(t: Token): never {
    if (t.kind === 'ERROR' && this.scanError) throw new FilterFailure(this.scanError);
    if (t.kind === 'EOF') fail('ERR_FILTER_SYNTAX', msg.unexpectedEnd());
    fail('ERR_FILTER_SYNTAX', msg.unexpected(t.text), spanOf(t));
  }

  private expect(kind: Token['kind']): Token {
    const t = this.peek();
    if (t.kind !== kind) this.unexpected(t);
    return this.next();
  }

  sentence(): Node | undefined {
    if (this.peek().kind === 'EOF') return undefined;
    if (this.peek().kind === 'ERROR') this.unexpected(this.peek());
    const e = this.expr();
    const t = this.peek();
    if (t.kind !== 'EOF') this.unexpected(t);
    return e;
  }

  private expr(): Node {
    return this.binary('TEST_OR', 'or', () => this.binary('TEST_AND', 'and', () => this.notExpr()));
  }

  /** A left-associative chain of `or` / `and`. */
  private binary(op: 'TEST_OR' | 'TEST_AND', kind: 'or' | 'and', operand: () => Node): Node {
    let left = operand();
    while (this.peek().kind === op) {
      const t = this.next();
      const right = operand();
      left = { kind, left, right, repr: t.text, span: spanOf(t) };
    }
    return left;
  }

  private notExpr(): Node {
    const t = this.peek();
    if (t.kind === 'TEST_NOT') {
      this.next();
      const operand = this.notExpr();
      return { kind: 'not', operand, repr: t.text, span: spanOf(t) };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.peek();
    if (t.kind === 'LPAREN') {
      this.next();
      const e = this.expr();
      this.expect('RPAREN');
      return e;
    }
    if (t.kind === 'ANY' || t.kind === 'ALL') {
      this.next();
      return this.relation(t.kind === 'ANY' ? 'any' : 'all');
    }
    return this.relation('def');
  }

  /** relation / arithmetic_expr at test level; with `any`/`all` a relation is required. */
  private relation(how: MatchHow): Node {
    const { node: a, bare } = this.arith();
    const t = this.peek();
    if (CMP_KINDS.has(t.kind)) return this.comparison(a, how);
    if (t.kind === 'TEST_CONTAINS' || t.kind === 'TEST_MATCHES') {
      if (!bare) this.unexpected(t);
      this.next();
      const right = this.entity();
      return { kind: t.kind === 'TEST_CONTAINS' ? 'contains' : 'matches', how, left: a, right, repr: t.text, span: spanOf(t) };
    }
    if (t.kind === 'TEST_IN') {
      if (!bare) this.unexpected(t);
      this.next();
      return { kind: 'in', how, left: a, set: this.set(), repr: t.text, span: spanOf(t) };
    }
    if (t.kind === 'TEST_NOT' && bare) {
      this.next();
      const i = this.expect('TEST_IN');
      const inNode: Node = { kind: 'in', how, left: a, set: this.set(), repr: i.text, span: spanOf(i) };
      return { kind: 'not', operand: inNode, repr: t.text, span: spanOf(t) };
    }
    if (how !== 'def') this.unexpected(t);
    return a;
  }

  /** `a op b [op c …]`: a chain means the AND of each neighbouring pair. */
  private comparison(left: Node, how: MatchHow): Node {
    const t = this.next();
    const op = CMP_OP[t.kind];
    if (op === undefined) this.unexpected(t);
    const { node: right } = this.arith();
    const cmp: Node = { kind: 'cmp', op, how, left, right, repr: t.text, span: spanOf(t) };
    if (!CMP_KINDS.has(this.peek().kind)) return cmp;
    const rest = this.comparison(right, how);
    return { kind: 'and', left: cmp, right: rest, repr: '&&', span: NO_SPAN };
  }

  private set(): SetElement[] {
    this.expect('LBRACE');
    const out: SetElement[] = [];
    for (;;) {
      const lo = this.setEntity();
      let hi: Node | undefined;
      if (this.peek().kind === 'DOTDOT') {
        this.next();
        hi = this.setEntity();
      }
      out.push({ lo, hi });
      const t = this.peek();
      if (t.kind === 'COMMA') { this.next(); continue; }
      if (t.kind === 'RBRACE') { this.next(); return out; }
      this.unexpected(t);
    }
  }

  private setEntity(): Node {
    const t = this.peek();
    if (t.kind === 'MINUS') {
      this.next();
      const e = this.entity();
      return { kind: 'arith', op: 'unary_minus', left: e, right: undefined, repr: t.text, span: spanOf(t) };
    }
    if (t.kind === 'PLUS') {
      this.next();
      return this.entity();
    }
    return this.entity();
  }

  // arithmetic_expr, loosest first: & ; + - ; * / % ; unary
  private arith(): { node: Node; bare: boolean } {
    return this.arithLevel(0);
  }

  private static readonly LEVELS: readonly (Partial<Record<Token['kind'], ArithOp>>)[] = [
    { BITWISE_AND: 'bitwise_and' },
    { PLUS: 'add', MINUS: 'subtract' },
    { STAR: 'multiply', RSLASH: 'divide', PERCENT: 'modulo' },
  ];

  private arithLevel(level: number): { node: Node; bare: boolean } {
    const ops = Parser.LEVELS[level];
    if (ops === undefined) return this.unary();
    let res = this.arithLevel(level + 1);
    for (;;) {
      const t = this.peek();
      const op = ops[t.kind];
      if (op === undefined) return res;
      this.next();
      const right = this.arithLevel(level + 1).node;
      res = { node: { kind: 'arith', op, left: res.node, right, repr: t.text, span: spanOf(t) }, bare: false };
    }
  }

  private unary(): { node: Node; bare: boolean } {
    const t = this.peek();
    if (t.kind === 'PLUS') {
      this.next();
      return { node: this.entity(), bare: false };
    }
    if (t.kind === 'MINUS') {
      this.next();
      const e = this.entity();
      return { node: { kind: 'arith', op: 'unary_minus', left: e, right: undefined, repr: t.text, span: spanOf(t) }, bare: false };
    }
    if (t.kind === 'LBRACE') {
      this.next();
      const e = this.arith().node;
      this.expect('RBRACE');
      return { node: e, bare: false };
    }
    return { node: this.entity(), bare: true };
  }

  private resolve(t: Token): FieldDef | undefined {
    return this.lookup(t.text);
  }

  private layer(): RangeNode[] {
    this.expect('HASH');
    const t = this.peek();
    if (t.kind === 'INTEGER') {
      this.next();
      const r = parseRangeNode(t.text);
      if (typeof r === 'string') fail('ERR_FILTER_BAD_RANGE', r, spanOf(t));
      return [r];
    }
    this.expect('LBRACKET');
    return this.rangeList().ranges;
  }

  private rangeList(): { ranges: RangeNode[]; text: string } {
    const ranges: RangeNode[] = [];
    for (;;) {
      const t = this.expect('RANGE_NODE');
      const r = parseRangeNode(t.text);
      const after = this.peek();
      if (after.kind !== 'COMMA' && after.kind !== 'RBRACKET') this.unexpected(after);
      if (typeof r === 'string') fail('ERR_FILTER_BAD_RANGE', r, spanOf(t));
      ranges.push(r);
      this.next();
      if (after.kind === 'RBRACKET') return { ranges, text: ranges.map(rangeNodeToString).join(',') };
    }
  }

  private entity(): Node {
    let e = this.atom();
    while (this.peek().kind === 'LBRACKET') {
      this.next();
      const { ranges, text } = this.rangeList();
      e = { kind: 'slice', entity: e, ranges, rangeText: text, repr: `${e.repr}[${text}]`, span: NO_SPAN };
    }
    return e;
  }

  private fieldNode(t: Token, def: FieldDef): Node {
    let layer: RangeNode[] | undefined;
    if (this.peek().kind === 'HASH') layer = this.layer();
    return { kind: 'field', def, repr: t.text, span: spanOf(t), layer };
  }

  private atom(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'STRING':
        this.next();
        return { kind: 'string', bytes: t.bytes ?? new Uint8Array(0), repr: t.text, span: spanOf(t) };
      case 'CHARCONST':
        this.next();
        return { kind: 'charconst', code: t.num ?? 0, repr: t.text, span: spanOf(t) };
      case 'LITERAL':
        this.next();
        return { kind: 'literal', text: t.text, repr: t.text, span: spanOf(t) };
      case 'FIELD': {
        this.next();
        const def = this.resolve(t);
        if (!def) fail('ERR_FILTER_UNKNOWN_FIELD', msg.notValidField(t.text), spanOf(t));
        return this.fieldNode(t, def);
      }
      case 'UNPARSED': {
        this.next();
        const nx = this.peek();
        if (nx.kind === 'LPAREN') return this.functionCall(t);
        const def = this.resolve(t);
        if (nx.kind === 'HASH') {
          if (!def) {
            this.layer();
            fail('ERR_FILTER_UNKNOWN_FIELD', msg.notValidFieldLayer(t.text), spanOf(t));
          }
          return this.fieldNode(t, def);
        }
        if (def) return { kind: 'field', def, repr: t.text, span: spanOf(t), layer: undefined };
        return { kind: 'literal', text: t.text, repr: t.text, span: spanOf(t) };
      }
      case 'DOLLAR': {
        this.next();
        this.expect('LBRACE');
        const f = this.peek();
        if (f.kind !== 'FIELD' && f.kind !== 'UNPARSED') this.unexpected(f);
        this.next();
        const def = this.resolve(f);
        if (this.peek().kind === 'HASH') this.layer();
        this.expect('RBRACE');
        if (!def) {
          fail('ERR_FILTER_UNKNOWN_FIELD', f.kind === 'FIELD' ? msg.notValidField(f.text) : msg.notValidFieldLayer(f.text), spanOf(f));
        }
        return { kind: 'reference', def, repr: '${' + f.text + '}', span: spanOf(f) };
      }
      default:
        this.unexpected(t);
    }
  }

  private functionCall(name: Token): Node {
    this.expect('LPAREN');
    const args: Node[] = [];
    if (this.peek().kind !== 'RPAREN') {
      for (;;) {
        args.push(this.arith().node);
        const t = this.peek();
        if (t.kind === 'COMMA') { this.next(); continue; }
        if (t.kind === 'RPAREN') break;
        this.unexpected(t);
      }
    }
    this.expect('RPAREN');
    if (!FUNCTIONS.has(name.text)) fail('ERR_FILTER_FUNCTION', msg.noFunction(name.text), spanOf(name));
    return { kind: 'function', name: name.text, args, repr: name.text, span: spanOf(name) };
  }
}

/** Tokenizes and parses `text`; throws FilterFailure on the first error. Undefined for an empty filter. */
export function parse(text: string, lookup: FieldLookup): Node | undefined {
  const { tokens, error } = tokenize(text);
  return new Parser(tokens, error, lookup).sentence();
}
