/**
 * Semantic check (Wireshark 4.0 epan/dfilter/semcheck.c, re-stated): resolves what each operand
 * is, converts literals to the type of the field they meet, refuses operators a type cannot take,
 * and yields a typed plan (Test/Expr) for compile.ts and explain.ts. One exhaustive switch per
 * node kind; the error words and places are Wireshark's.
 *
 * Semantics kept from 4.0 (gencode.c, dfvm.c): a relation reads each field's occurrences; a field
 * that is absent makes the relation false (also for `!=`); `==`, `>`, `contains`, `matches`, `in`
 * hold when any occurrence matches, `!=` and `===` when all do, `!==`/`~=` when any differs;
 * `any`/`all` before a relation choose explicitly. A bare arithmetic expression is true when any
 * result is non-zero; a bare slice when any result is non-empty.
 */
import type { FieldDef, FieldType } from '../fields/field.js';
import type { Node, RangeNode, ArithOp, CmpOp } from './ast.js';
import { fail, msg } from './errors.js';
import { FTYPES, compatible, isBytesType, fromLiteral, fromString, fromCharConst, type Value, type Conv } from './ftype.js';
import { FUNCTIONS } from './functions.js';

/** A value-producing operand: evaluates to the list of values (occurrences) in a frame. */
export type Expr =
  | { k: 'field'; def: FieldDef; type: FieldType; asBytes: boolean }
  | { k: 'const'; type: FieldType; value: Value; repr: string }
  | { k: 'slice'; src: Expr; srcType: FieldType; ranges: RangeNode[]; repr: string }
  | { k: 'func'; name: FunctionName; args: Expr[]; argType: FieldType; type: FieldType }
  | { k: 'arith'; op: ArithOp; left: Expr; right: Expr | undefined; type: FieldType };

export type FunctionName = 'len' | 'count' | 'upper' | 'lower' | 'string' | 'max' | 'min' | 'abs';

export type RelOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains';

export type Test =
  | { k: 'exists'; def: FieldDef }
  | { k: 'nonzero'; expr: Expr }
  | { k: 'nonempty'; expr: Expr }
  | { k: 'rel'; op: RelOp; all: boolean; left: Expr; right: Expr; type: FieldType; opText: string }
  | { k: 'matches'; all: boolean; left: Expr; re: RegExp; type: FieldType }
  | { k: 'in'; all: boolean; left: Expr; elems: { lo: Expr; hi: Expr | undefined }[]; type: FieldType }
  | { k: 'and' | 'or'; left: Test; right: Test }
  | { k: 'not'; operand: Test };

type Can = 'eq' | 'cmp' | 'contains' | 'matches';

function isConstant(n: Node): boolean {
  return n.kind === 'charconst' || n.kind === 'string' || n.kind === 'literal';
}

/**
 * The registry gives a protocol's presence (`true`), not its bytes (fields/define.ts proto()), so
 * comparing, searching or slicing a protocol (`frame contains "x"`, `tcp[0:2]`) cannot be
 * answered as Wireshark would: refused rather than silently false.
 */
function refuseProtocolBytes(n: Extract<Node, { kind: 'field' | 'reference' }>): void {
  if (n.def.type === 'FT_PROTOCOL') {
    fail('ERR_FILTER_UNSUPPORTED', msg.unsupported(`Comparing, searching or slicing the bytes of the protocol "${n.def.abbrev}"`), n.span);
  }
}

/** The Expr for a field node (layers and references are refused here, once). */
function fieldExpr(n: Extract<Node, { kind: 'field' | 'reference' }>): Expr {
  if (n.kind === 'reference') fail('ERR_FILTER_UNSUPPORTED', msg.unsupported('A field reference ("${…}")'), n.span);
  if (n.layer) fail('ERR_FILTER_UNSUPPORTED', msg.unsupported('The layer operator ("#")'), n.span);
  return { k: 'field', def: n.def, type: n.def.type, asBytes: false };
}

function conv(r: Conv, n: Node): Value {
  if (!r.ok) fail('ERR_FILTER_BAD_VALUE', r.message, n.span);
  return r.value;
}

/** A literal/string/charconst converted to type t (with the boolean value-string fallback of semcheck.c). */
function constExpr(n: Node, t: FieldType, allowPartial: boolean, field: FieldDef | undefined): Expr {
  let r: Conv;
  switch (n.kind) {
    case 'literal': r = fromLiteral(t, n.text, allowPartial); break;
    case 'string': r = fromString(t, n.bytes); break;
    case 'charconst': r = fromCharConst(t, n.code, n.repr); break;
    default: throw new Error('not a constant');
  }
  if (!r.ok && field && t === 'FT_BOOLEAN' && n.kind !== 'charconst') {
    // semcheck.c mk_fvalue_from_val_string: a boolean's words come from its true_false_string,
    // which the registry does not carry; tshark's wording for a word it does not know is kept.
    const s = n.kind === 'literal' ? n.text : new TextDecoder().decode(n.bytes);
    r = { ok: false, message: `"${s}" cannot be found among the possible values for ${field.abbrev}.` };
  }
  return { k: 'const', type: t, value: conv(r, n), repr: n.repr };
}

/** PCRE2's words for the regex errors JavaScript's RegExp reports differently (tshark prints PCRE2's). */
const PCRE_WORDS: readonly [RegExp, string][] = [
  [/Unterminated group/i, 'missing closing parenthesis'],
  [/Unmatched '\)'/i, 'unmatched closing parenthesis'],
  [/Nothing to repeat/i, 'quantifier does not follow a repeatable item'],
  [/Unterminated character class/i, 'missing terminating ] for character class'],
  [/\\ at end of pattern/i, '\\ at end of pattern'],
  [/numbers out of order in \{\} quantifier/i, 'numbers out of order in {} quantifier'],
  [/Range out of order in character class/i, 'range out of order in character class'],
  [/Invalid group/i, 'unrecognized character after (? or (?-'],
];

/**
 * The pattern as a JavaScript RegExp with PCRE2's options as tshark sets them (caseless). A
 * leading PCRE inline option group such as `(?-i)` or `(?s)` becomes RegExp flags, since Node 20's
 * RegExp has no inline modifiers; other PCRE-only syntax is refused as a regex error.
 */
function compileRegex(pattern: string): RegExp {
  let flags = new Set(['i']);
  let body = pattern;
  const m = /^\(\?([imsx]*)(?:-([imsx]*))?\)/.exec(pattern);
  if (m) {
    for (const f of m[1] ?? '') flags.add(f);
    for (const f of m[2] ?? '') flags.delete(f);
    flags = new Set([...flags].filter((f) => f !== 'x'));
    body = pattern.slice(m[0].length);
  }
  return new RegExp(body, [...flags].join(''));
}

function pcreWording(jsMessage: string): string {
  const why = jsMessage.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  for (const [re, words] of PCRE_WORDS) if (re.test(why)) return words;
  return why.charAt(0).toLowerCase() + why.slice(1);
}

/** Types string() converts (dfunctions.c ul_semcheck_string_param). */
const STRINGABLE: ReadonlySet<FieldType> = new Set<FieldType>([
  'FT_UINT8', 'FT_UINT16', 'FT_UINT24', 'FT_UINT32', 'FT_UINT64', 'FT_INT8', 'FT_INT16', 'FT_INT32', 'FT_INT64',
  'FT_IPv4', 'FT_IPv6', 'FT_FLOAT', 'FT_DOUBLE', 'FT_ETHER', 'FT_FRAMENUM',
]);

/** Types with is_negative (ftype_can_is_negative), the ones abs() takes. */
const CAN_BE_NEGATIVE: ReadonlySet<FieldType> = new Set<FieldType>([
  'FT_UINT8', 'FT_UINT16', 'FT_UINT24', 'FT_UINT32', 'FT_UINT64', 'FT_INT8', 'FT_INT16', 'FT_INT32', 'FT_INT64',
  'FT_CHAR', 'FT_FRAMENUM', 'FT_BOOLEAN', 'FT_RELATIVE_TIME', 'FT_DOUBLE', 'FT_FLOAT',
]);

/** stnode_type_name for the messages that name a node kind. */
const ST_TYPE_NAME: Partial<Record<Node['kind'], string>> = { string: 'STRING', charconst: 'CHARCONST', literal: 'LITERAL', slice: 'SLICE', reference: 'REFERENCE' };

function canDo(t: FieldType, can: Can): boolean {
  return FTYPES[t][can];
}

const toBytesExpr = (e: Expr): Expr => {
  if (e.k === 'field') return { ...e, asBytes: true };
  return e;
};

class Checker {
  check(n: Node): Test {
    switch (n.kind) {
      case 'and': case 'or': {
        // long `a or b or c …` lists are left-deep: walk the spine without recursing on it
        const rights: Node[] = [];
        let l: Node = n;
        while ((l.kind === 'and' || l.kind === 'or') && l.kind === n.kind) { rights.push(l.right); l = l.left; }
        let t = this.check(l);
        for (let i = rights.length - 1; i >= 0; i--) t = { k: n.kind, left: t, right: this.check(rights[i] as Node) };
        return t;
      }
      case 'not':
        return { k: 'not', operand: this.check(n.operand) };
      case 'cmp':
        return this.relation(n, n.op, n.op === 'any_eq' || n.op === 'all_ne' || n.op === 'all_eq' || n.op === 'any_ne' ? 'eq' : 'cmp');
      case 'contains': {
        if (!(n.left.kind === 'field' || n.left.kind === 'reference' || n.left.kind === 'function' || n.left.kind === 'slice')) {
          fail('ERR_FILTER_TYPE_MISMATCH', msg.leftSideNoQuote(n.repr, n.left.repr), n.left.span);
        }
        const { left, right, type } = this.lhs(n.left, n.right, 'contains', true, n.repr);
        return { k: 'rel', op: 'contains', all: n.how === 'all', left, right: right as Expr, type, opText: n.repr };
      }
      case 'matches': {
        if (n.right.kind !== 'string') fail('ERR_FILTER_BAD_REGEX', msg.matchesNeedsString(), n.right.span);
        const pattern = new TextDecoder('latin1').decode(n.right.bytes);
        let re: RegExp;
        try {
          re = compileRegex(pattern);
        } catch (e) {
          const why = pcreWording(e instanceof Error ? e.message : String(e));
          fail('ERR_FILTER_BAD_REGEX', msg.regex(why));
        }
        if (!(n.left.kind === 'field' || n.left.kind === 'reference' || n.left.kind === 'function' || n.left.kind === 'slice')) {
          fail('ERR_FILTER_TYPE_MISMATCH', msg.leftSideNoQuote(n.repr, n.left.repr), n.left.span);
        }
        const { left, type } = this.lhs(n.left, undefined, 'matches', true, n.repr);
        return { k: 'matches', all: n.how === 'all', left, re, type };
      }
      case 'in': {
        if (n.left.kind !== 'field') fail('ERR_FILTER_TYPE_MISMATCH', msg.onlyFieldInSet(), n.left.span);
        const elems: { lo: Expr; hi: Expr | undefined }[] = [];
        let left: Expr | undefined;
        let type: FieldType = n.left.def.type;
        for (const el of n.set) {
          if (el.lo.kind === 'slice') fail('ERR_FILTER_TYPE_MISMATCH', msg.sliceInSet(), el.lo.span);
          if (el.hi) {
            const a = this.lhs(n.left, el.lo, 'cmp', false, n.repr);
            const b = this.lhs(n.left, el.hi, 'cmp', false, n.repr);
            left = a.left; type = a.type;
            elems.push({ lo: a.right as Expr, hi: b.right });
          } else {
            const a = this.lhs(n.left, el.lo, 'eq', false, n.repr);
            left = a.left; type = a.type;
            elems.push({ lo: a.right as Expr, hi: undefined });
          }
        }
        return { k: 'in', all: n.how === 'all', left: left ?? fieldExpr(n.left), elems, type };
      }
      case 'arith':
        return { k: 'nonzero', expr: this.arith(n, undefined).expr };
      case 'slice':
        return { k: 'nonempty', expr: this.slice(n) };
      case 'field':
        if (n.layer) fail('ERR_FILTER_UNSUPPORTED', msg.unsupported('The layer operator ("#")'), n.span);
        return { k: 'exists', def: n.def };
      case 'reference': case 'string': case 'literal': case 'charconst':
        fail('ERR_FILTER_UNKNOWN_FIELD', msg.notField(n.repr), n.span);
      // falls through (fail never returns)
      case 'function':
        fail('ERR_FILTER_TYPE_MISMATCH', msg.functionPresent(), n.span);
    }
  }

  private relation(n: Extract<Node, { kind: 'cmp' }>, op: CmpOp, can: Can): Test {
    const l = n.left.kind;
    if (!(l === 'field' || l === 'reference' || l === 'slice' || l === 'function' || l === 'arith')) {
      fail('ERR_FILTER_TYPE_MISMATCH', msg.leftSide(n.repr, n.left.repr), n.left.span);
    }
    const { left, right, type } = this.lhs(n.left, n.right, can, false, n.repr);
    const rel: RelOp = op === 'any_eq' || op === 'all_eq' ? 'eq' : op === 'all_ne' || op === 'any_ne' ? 'ne' : op;
    let all = op === 'all_ne' || op === 'all_eq';
    if (n.how === 'any') all = false;
    if (n.how === 'all') all = true;
    return { k: 'rel', op: rel, all, left, right: right as Expr, type, opText: n.repr };
  }

  /** check_relation_LHS_*: the left operand, and the right one converted to match it. */
  private lhs(a1: Node, a2: Node | undefined, can: Can, partial: boolean, opRepr: string): { left: Expr; right: Expr | undefined; type: FieldType } {
    switch (a1.kind) {
      case 'field': case 'reference': {
        const t1 = a1.def.type;
        if (!canDo(t1, can)) fail('ERR_FILTER_TYPE_MISMATCH', msg.cannotParticipate(a1.def.abbrev, FTYPES[t1].pretty, opRepr), a1.span);
        refuseProtocolBytes(a1);
        let left = fieldExpr(a1);
        if (!a2) return { left, right: undefined, type: t1 };
        const r = this.rhs(a2, t1, can, partial, a1.def, a1.repr);
        if (r.leftToBytes) {
          if (!isBytesType(t1)) {
            if (!FTYPES[t1].slice) fail('ERR_FILTER_TYPE_MISMATCH', msg.cannotConvertBytes(a1.def.abbrev, FTYPES[t1].pretty), a1.span);
            left = toBytesExpr(left);
          }
          return { left, right: r.expr, type: 'FT_BYTES' };
        }
        return { left, right: r.expr, type: t1 };
      }
      case 'function': {
        const { expr: left, type: t1 } = this.func(a1);
        if (!canDo(t1, can)) fail('ERR_FILTER_TYPE_MISMATCH', `Function ${a1.name} (type=${FTYPES[t1].pretty}) cannot participate in ${opRepr} comparison.`, a1.span);
        if (!a2) return { left, right: undefined, type: t1 };
        const r = this.rhs(a2, t1, can, partial, undefined, a1.repr);
        if (r.leftToBytes && !isBytesType(t1)) {
          if (!FTYPES[t1].slice) fail('ERR_FILTER_TYPE_MISMATCH', `Function "${a1.name}" is a ${FTYPES[t1].pretty} and cannot be converted into a sequence of bytes.`, a1.span);
          return { left, right: r.expr, type: 'FT_BYTES' };
        }
        return { left, right: r.expr, type: r.leftToBytes ? 'FT_BYTES' : t1 };
      }
      case 'slice': {
        const left = this.slice(a1);
        if (!a2) return { left, right: undefined, type: 'FT_BYTES' };
        const r = this.rhs(a2, 'FT_BYTES', can, partial, undefined, a1.repr, true);
        return { left, right: r.expr, type: 'FT_BYTES' };
      }
      case 'arith': {
        const { expr: left } = this.arith(a1, undefined);
        // semcheck.c checks the relation against the arithmetic's first operand
        let entity: Node = a1;
        while (entity.kind === 'arith') entity = entity.left;
        const inner = this.lhs(entity, a2, can, partial, opRepr);
        return { left, right: inner.right, type: left.k === 'arith' ? left.type : inner.type };
      }
      default:
        fail('ERR_FILTER_TYPE_MISMATCH', msg.leftSide(opRepr, a1.repr), a1.span);
    }
  }

  /** The right operand against a left of type t1. `leftToBytes`: the left must be compared as bytes. */
  private rhs(a2: Node, t1: FieldType, can: Can, partial: boolean, field: FieldDef | undefined, leftRepr: string, leftIsSlice = false): { expr: Expr; leftToBytes: boolean } {
    switch (a2.kind) {
      case 'field': case 'reference': {
        const t2 = a2.def.type;
        let expr = fieldExpr(a2);
        if (leftIsSlice) {
          if (!isBytesType(t2)) {
            if (!FTYPES[t2].slice) fail('ERR_FILTER_TYPE_MISMATCH', msg.cannotConvertBytes(a2.repr, FTYPES[t2].pretty), a2.span);
            expr = toBytesExpr(expr);
          }
          return { expr, leftToBytes: false };
        }
        if (!compatible(t1, t2)) fail('ERR_FILTER_TYPE_MISMATCH', msg.notCompatible(field ? field.abbrev : leftRepr, a2.repr), a2.span);
        if (!canDo(t2, can)) fail('ERR_FILTER_TYPE_MISMATCH', msg.cannotParticipateSpecified(a2.repr, FTYPES[t2].pretty), a2.span);
        return { expr, leftToBytes: false };
      }
      case 'string': case 'literal': case 'charconst':
        return { expr: constExpr(a2, t1, partial, field), leftToBytes: false };
      case 'slice':
        return { expr: this.slice(a2), leftToBytes: !leftIsSlice };
      case 'function': {
        const { expr, type: t2 } = this.func(a2, leftIsSlice ? 'FT_BYTES' : t1);
        if (leftIsSlice) {
          if (!isBytesType(t2) && !FTYPES[t2].slice) fail('ERR_FILTER_TYPE_MISMATCH', `Return value of function "${a2.name}" is a ${FTYPES[t2].pretty} and cannot be converted into a sequence of bytes.`, a2.span);
          return { expr, leftToBytes: false };
        }
        if (!compatible(t1, t2)) fail('ERR_FILTER_TYPE_MISMATCH', `${field ? field.abbrev : leftRepr} (type=${FTYPES[t1].pretty}) and return value of ${a2.name}() (type=${FTYPES[t2].pretty}) are not of compatible types.`, a2.span);
        if (!canDo(t2, can)) fail('ERR_FILTER_TYPE_MISMATCH', `return value of ${a2.name}() (type=${FTYPES[t2].pretty}) cannot participate in specified comparison.`, a2.span);
        return { expr, leftToBytes: false };
      }
      case 'arith': {
        const { expr, type: t2 } = this.arith(a2, t1);
        if (!compatible(t1, t2)) fail('ERR_FILTER_TYPE_MISMATCH', msg.notCompatible(leftRepr, a2.repr), a2.span);
        if (!canDo(t2, can)) fail('ERR_FILTER_TYPE_MISMATCH', msg.cannotParticipateSpecified(a2.repr, FTYPES[t2].pretty), a2.span);
        return { expr, leftToBytes: false };
      }
      default:
        throw new Error(`unexpected right operand ${a2.kind}`);
    }
  }

  /** check_slice_sanity + the slice's Expr. */
  private slice(n: Extract<Node, { kind: 'slice' }>): Expr {
    const e = n.entity;
    let src: Expr;
    let srcType: FieldType;
    if (e.kind === 'field' || e.kind === 'reference') {
      const t = e.def.type;
      if (!FTYPES[t].slice) fail('ERR_FILTER_TYPE_MISMATCH', msg.cannotSlice(e.def.abbrev, FTYPES[t].pretty), e.span);
      refuseProtocolBytes(e);
      src = fieldExpr(e);
      srcType = t;
    } else if (e.kind === 'function') {
      const f = this.func(e);
      if (!FTYPES[f.type].slice) fail('ERR_FILTER_TYPE_MISMATCH', `Return value of function "${e.name}" is a ${FTYPES[f.type].pretty} and cannot be converted into a sequence of bytes.`, e.span);
      src = f.expr;
      srcType = f.type;
    } else if (e.kind === 'slice') {
      src = this.slice(e);
      srcType = 'FT_BYTES';
    } else {
      fail('ERR_FILTER_TYPE_MISMATCH', msg.rangeNotSupported(e.repr), e.span);
    }
    return { k: 'slice', src, srcType, ranges: n.ranges, repr: n.repr };
  }

  /** check_function + the function's own semcheck (dfunctions.c); lhsType as for arithmetic. */
  private func(n: Extract<Node, { kind: 'function' }>, lhsType?: FieldType): { expr: Expr; type: FieldType } {
    const def = FUNCTIONS.get(n.name);
    if (!def) fail('ERR_FILTER_FUNCTION', msg.noFunction(n.name), n.span);
    if (n.args.length < def.minArgs) fail('ERR_FILTER_FUNCTION', msg.fnMinArgs(def.name, def.minArgs), n.span);
    if (def.maxArgs > 0 && n.args.length > def.maxArgs) fail('ERR_FILTER_FUNCTION', msg.fnMaxArgs(def.name, def.maxArgs), n.span);
    const name = def.name as FunctionName;
    const arg = n.args[0];
    if (arg === undefined) throw new Error('arity checked');
    const bad = (m: string, at: Node): never => fail('ERR_FILTER_FUNCTION', m, at.span);
    switch (name) {
      case 'upper': case 'lower': {
        if (arg.kind !== 'field' || arg.def.type !== 'FT_STRING') bad(`Only string type fields can be used as parameter for ${name}()`, arg);
        const a = fieldExpr(arg as Extract<Node, { kind: 'field' }>);
        return { expr: { k: 'func', name, args: [a], argType: 'FT_STRING', type: 'FT_STRING' }, type: 'FT_STRING' };
      }
      case 'len': case 'count': {
        if (arg.kind !== 'field') bad(`Only fields can be used as parameter for ${name}()`, arg);
        const a = fieldExpr(arg as Extract<Node, { kind: 'field' }>);
        return { expr: { k: 'func', name, args: [a], argType: (arg as Extract<Node, { kind: 'field' }>).def.type, type: 'FT_UINT32' }, type: 'FT_UINT32' };
      }
      case 'string': {
        if (arg.kind !== 'field') bad(`Only fields can be used as parameter for ${name}()`, arg);
        const f = arg as Extract<Node, { kind: 'field' }>;
        if (!STRINGABLE.has(f.def.type)) bad(`String conversion for field "${f.def.abbrev}" is not supported`, arg);
        return { expr: { k: 'func', name, args: [fieldExpr(f)], argType: f.def.type, type: 'FT_STRING' }, type: 'FT_STRING' };
      }
      case 'max': case 'min': {
        // ul_semcheck_compare: every argument of one orderable type
        let type: FieldType | undefined = lhsType;
        const args: Expr[] = [];
        n.args.forEach((a, i) => {
          let e: { expr: Expr; type: FieldType };
          if (a.kind === 'arith') e = this.arith(a, type);
          else if (a.kind === 'literal' && type !== undefined) e = { expr: constExpr(a, type, false, undefined), type };
          else if (a.kind === 'function') e = this.func(a, type);
          else if (a.kind === 'field' || a.kind === 'reference') e = { expr: fieldExpr(a), type: a.def.type };
          else bad(`Argument '${a.repr}' is not valid for ${name}()`, a);
          if (i > 0 || lhsType !== undefined) {
            const want = type ?? e!.type;
            if (e!.type !== want) bad(`Arguments to '${name}' must have the same type (expected ${want}, got ${e!.type})`, a);
            if (!FTYPES[e!.type].cmp) bad(`Argument '${a.repr}' to '${name}' cannot be ordered`, a);
          }
          type ??= e!.type;
          args.push(e!.expr);
        });
        const t = type as FieldType;
        return { expr: { k: 'func', name, args, argType: t, type: t }, type: t };
      }
      case 'abs': {
        let e: { expr: Expr; type: FieldType } | undefined;
        if (arg.kind === 'arith') e = this.arith(arg, lhsType);
        else if (arg.kind === 'literal') {
          if (lhsType === undefined) bad('Need a field or field-like value on the LHS.', arg);
          e = { expr: constExpr(arg, lhsType as FieldType, false, undefined), type: lhsType as FieldType };
        } else if (arg.kind === 'function') e = this.func(arg, lhsType);
        else if (arg.kind === 'field') e = { expr: fieldExpr(arg), type: arg.def.type };
        if (e === undefined) bad(`Type ${ST_TYPE_NAME[arg.kind] ?? arg.kind.toUpperCase()} is not valid for ${name}`, arg);
        if (!CAN_BE_NEGATIVE.has(e!.type)) bad(`'${arg.repr}' is not a valid argument to '${name}'()`, arg);
        return { expr: { k: 'func', name, args: [e!.expr], argType: e!.type, type: e!.type }, type: e!.type };
      }
    }
  }

  /** check_arithmetic_expr: lhsType is the type constants take (undefined: FT_NONE). */
  arith(n: Node, lhsType: FieldType | undefined): { expr: Expr; type: FieldType } {
    if (n.kind !== 'arith') return this.arithEntity(n, lhsType);
    if (lhsType === undefined && isConstant(n.left)) fail('ERR_FILTER_TYPE_MISMATCH', msg.constantArithLhs(), n.left.span);
    if (n.op === 'unary_minus') {
      const { expr, type } = this.arithEntity(n.left, lhsType);
      if (!FTYPES[type].unaryMinus) fail('ERR_FILTER_TYPE_MISMATCH', msg.arithCannot(type, n.repr), n.left.span);
      if (expr.k === 'const') return { expr: { ...expr, value: negate(expr.value), repr: '-' + expr.repr }, type };
      return { expr: { k: 'arith', op: 'unary_minus', left: expr, right: undefined, type }, type };
    }
    const capName = ({ bitwise_and: 'bitwiseAnd', add: 'add', subtract: 'subtract', multiply: 'multiply', divide: 'divide', modulo: 'modulo' } as const)[n.op];
    const l = this.arith(n.left, lhsType);
    if (!FTYPES[l.type][capName]) fail('ERR_FILTER_TYPE_MISMATCH', msg.arithCannot(l.type, n.repr), n.left.span);
    if (n.right === undefined) throw new Error('binary operator without right operand');
    const r = this.arith(n.right, l.type);
    if (!FTYPES[r.type][capName]) fail('ERR_FILTER_TYPE_MISMATCH', msg.arithCannot(r.type, n.repr), n.right.span);
    if (!compatible(l.type, r.type)) fail('ERR_FILTER_TYPE_MISMATCH', msg.notTypeCompatible(n.left.repr, n.right.repr), n.right.span);
    return { expr: { k: 'arith', op: n.op, left: l.expr, right: r.expr, type: l.type }, type: l.type };
  }

  private arithEntity(n: Node, lhsType: FieldType | undefined): { expr: Expr; type: FieldType } {
    switch (n.kind) {
      case 'literal':
        if (lhsType === undefined) fail('ERR_FILTER_TYPE_MISMATCH', msg.constantArithLhs(), n.span);
        return { expr: constExpr(n, lhsType, false, undefined), type: lhsType };
      case 'field': case 'reference': return { expr: fieldExpr(n), type: n.def.type };
      case 'function': return this.func(n, lhsType);
      case 'slice': return { expr: this.slice(n), type: 'FT_BYTES' };
      default: fail('ERR_FILTER_TYPE_MISMATCH', msg.notArithOperand(n.repr), n.span);
    }
  }
}

function negate(v: Value): Value {
  if (typeof v === 'number') return -v;
  if (typeof v === 'bigint') return -v;
  return v;
}

/** Checks a parsed tree; throws FilterFailure with Wireshark's message on the first problem. */
export function check(root: Node): Test {
  return new Checker().check(root);
}

/** The type of the values an Expr yields. */
export function exprType(e: Expr): FieldType {
  switch (e.k) {
    case 'field': return e.asBytes ? 'FT_BYTES' : e.type;
    case 'const': return e.type;
    case 'slice': return 'FT_BYTES';
    case 'func': case 'arith': return e.type;
  }
}
