/**
 * Compiles a checked plan (check.ts) into one closure tree: `(frame) => boolean`.
 *
 * Everything that does not depend on the packet is done here, once (ARCHITECTURE.md §2.7):
 * constants are converted, comparators chosen per type, and the common shape "field op constant"
 * becomes a loop over the field's occurrences with the constant baked into a monomorphic
 * predicate (`v === 80` for integers). Only the fields the filter names are read, through
 * FieldDef.values(); a frame without them is never asked for anything else.
 *
 * Ownership: values() may return a shared array, so an operand's values are used before the
 * next field is read, or copied when two field-reading operands meet (field == field).
 */
import type { FieldDef, FieldType, Frame } from '../fields/field.js';
import type { RangeNode } from './ast.js';
import type { Expr, Test, RelOp } from './check.js';
import { comparatorFor, isZero, toBytes, formatValue, type Value, INT_TYPES } from './ftype.js';
import { WIRE_SIZE } from './functions.js';

type Eval = (f: Frame) => readonly Value[];
type Pred = (v: Value) => boolean;
export type Predicate = (f: Frame) => boolean;

const EMPTY: readonly Value[] = Object.freeze([]) as readonly Value[];

/** fvalue_slice: the concatenation of the ranges; a range that does not fit ends it (dfvm). */
export function sliceBytes(b: Uint8Array, ranges: readonly RangeNode[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const n = b.length;
  for (const r of ranges) {
    let start = r.start;
    if (start < 0) { start += n; if (start < 0) break; }
    let len: number;
    if (r.kind === 'to_end') { len = n - start; if (len <= 0) break; }
    else if (r.kind === 'length') { len = r.length; if (start + len > n) break; }
    else {
      let end = r.end;
      if (end < 0) { end += n; if (end < start) break; }
      else if (end >= n) break;
      len = end - start + 1;
    }
    parts.push(b.subarray(start, start + len));
  }
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** fvalue_length for len(). */
export function valueLength(t: FieldType, v: Value): number {
  if (v instanceof Uint8Array) return v.length;
  if (typeof v === 'string') return new TextEncoder().encode(v).length;
  return WIRE_SIZE[t] ?? 0;
}

const latin1 = new TextDecoder('latin1');

/** The text a regex sees: strings as they are, byte values as one char per byte. */
export function matchText(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return latin1.decode(v);
  return undefined;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const first = needle[0];
  outer: for (let i = hay.indexOf(first as number); i !== -1 && i <= hay.length - n; i = hay.indexOf(first as number, i + 1)) {
    for (let j = 1; j < n; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** fvalue_contains: substring for strings, byte subsequence for everything byte-like. */
export function contains(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
  const x = a instanceof Uint8Array ? a : typeof a === 'string' ? new TextEncoder().encode(a) : undefined;
  const y = b instanceof Uint8Array ? b : typeof b === 'string' ? new TextEncoder().encode(b) : undefined;
  return x !== undefined && y !== undefined && indexOfBytes(x, y);
}

/** One arithmetic step on two values of type t; undefined when it has no result (÷0). */
export function arithmetic(op: string, t: FieldType, a: Value, b: Value | undefined): Value | undefined {
  if (op === 'unary_minus') return typeof a === 'bigint' ? -a : typeof a === 'number' ? -a : undefined;
  if (op === 'bitwise_and') {
    if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as number | bigint) & BigInt(b as number | bigint);
    if (a instanceof Uint8Array && b instanceof Uint8Array) {
      const out = new Uint8Array(Math.min(a.length, b.length));
      for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) & (b[i] ?? 0);
      return out;
    }
    if (t === 'FT_IPv4') {
      const x = typeof a === 'number' ? a : (a as { addr: number }).addr;
      const y = typeof b === 'number' ? b : (b as { addr: number; mask: number }).addr & (b as { mask: number }).mask;
      return (x & y) >>> 0;
    }
    return ((a as number) & (b as number)) >>> 0;
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as number | bigint), y = BigInt(b as number | bigint);
    switch (op) {
      case 'add': return x + y;
      case 'subtract': return x - y;
      case 'multiply': return x * y;
      case 'divide': return y === 0n ? undefined : x / y;
      case 'modulo': return y === 0n ? undefined : x % y;
    }
    return undefined;
  }
  const x = a as number, y = b as number;
  const int = INT_TYPES.has(t);
  switch (op) {
    case 'add': return x + y;
    case 'subtract': return x - y;
    case 'multiply': return x * y;
    case 'divide': return y === 0 ? undefined : int ? Math.trunc(x / y) : x / y;
    case 'modulo': return y === 0 ? undefined : x % y;
  }
  return undefined;
}

function compileExpr(e: Expr, fields: Set<FieldDef>): Eval {
  switch (e.k) {
    case 'field': {
      const def = e.def;
      fields.add(def);
      if (!e.asBytes) return (f) => def.values(f);
      const t = e.type;
      return (f) => {
        const out: Value[] = [];
        for (const v of def.values(f)) { const b = toBytes(t, v); if (b) out.push(b); }
        return out;
      };
    }
    case 'const': {
      const arr: readonly Value[] = [e.value];
      return () => arr;
    }
    case 'slice': {
      const src = compileExpr(e.src, fields);
      const t = e.srcType, ranges = e.ranges;
      return (f) => {
        const vs = src(f);
        if (vs.length === 0) return EMPTY;
        const out: Value[] = [];
        for (const v of vs) { const b = toBytes(t, v); if (b) out.push(sliceBytes(b, ranges)); }
        return out;
      };
    }
    case 'func': {
      const args = e.args.map((a) => compileExpr(a, fields));
      const arg = args[0] as Eval;
      const at = e.argType;
      switch (e.name) {
        case 'count': return (f) => { const n = arg(f).length; return n === 0 ? EMPTY : [n]; };
        case 'len': return (f) => arg(f).map((v) => valueLength(at, v));
        case 'upper': return (f) => arg(f).map((v) => String(v).replace(/[a-z]+/g, (s) => s.toUpperCase()));
        case 'lower': return (f) => arg(f).map((v) => String(v).replace(/[A-Z]+/g, (s) => s.toLowerCase()));
        case 'string': return (f) => arg(f).map((v) => formatValue(at, v).replace(/^"(.*)"$/s, '$1'));
        case 'abs': return (f) => arg(f).map((v) => (typeof v === 'bigint' ? (v < 0n ? -v : v) : typeof v === 'number' ? Math.abs(v) : v));
        case 'max': case 'min': {
          const cmp = comparatorFor(at);
          const better = e.name === 'max' ? (a: Value, b: Value) => cmp(a, b) > 0 : (a: Value, b: Value) => cmp(a, b) < 0;
          return (f) => {
            let best: Value | undefined;
            for (const a of args) for (const v of a(f)) if (best === undefined || better(v, best)) best = v;
            return best === undefined ? EMPTY : [best];
          };
        }
      }
      break;
    }
    case 'arith': {
      const l = compileExpr(e.left, fields);
      const op = e.op, t = e.type;
      if (e.right === undefined) {
        return (f) => { const out: Value[] = []; for (const v of l(f)) { const r = arithmetic(op, t, v, undefined); if (r !== undefined) out.push(r); } return out; };
      }
      const r = compileExpr(e.right, fields);
      return (f) => {
        const ls = l(f);
        if (ls.length === 0) return EMPTY;
        const lc = ls.slice();
        const rs = r(f);
        const out: Value[] = [];
        for (const a of lc) for (const b of rs) { const x = arithmetic(op, t, a, b); if (x !== undefined) out.push(x); }
        return out;
      };
    }
  }
  throw new Error('unreachable');
}

/** A predicate on one left value against the constant c (intentional specialisation, hot path). */
function constPred(op: RelOp, type: FieldType, c: Value): Pred {
  if (op === 'contains') return (v) => contains(v, c);
  const direct = typeof c === 'number' && (INT_TYPES.has(type) || type === 'FT_RELATIVE_TIME' || type === 'FT_DOUBLE' || type === 'FT_FLOAT') && type !== 'FT_UINT64' && type !== 'FT_INT64';
  if (direct) {
    switch (op) {
      case 'eq': return (v) => v === c;
      case 'ne': return (v) => v !== c;
      case 'gt': return (v) => (v as number) > c;
      case 'ge': return (v) => (v as number) >= c;
      case 'lt': return (v) => (v as number) < c;
      case 'le': return (v) => (v as number) <= c;
    }
  }
  if (type === 'FT_IPv4' && typeof c === 'object' && c !== null && 'mask' in c && (op === 'eq' || op === 'ne')) {
    // field values are plain numbers (mask /32): compare under the constant's mask, no dispatch
    const mask = c.mask, net = (c.addr & mask) >>> 0;
    return op === 'eq' ? (v) => typeof v === 'number' ? ((v & mask) >>> 0) === net : comparatorFor(type)(v, c) === 0
      : (v) => typeof v === 'number' ? ((v & mask) >>> 0) !== net : comparatorFor(type)(v, c) !== 0;
  }
  const cmp = comparatorFor(type);
  switch (op) {
    case 'eq': return (v) => cmp(v, c) === 0;
    case 'ne': return (v) => cmp(v, c) !== 0;
    case 'gt': return (v) => cmp(v, c) > 0;
    case 'ge': return (v) => cmp(v, c) >= 0;
    case 'lt': return (v) => cmp(v, c) < 0;
    case 'le': return (v) => cmp(v, c) <= 0;
  }
}

/** Types whose field values are plain numbers ordered as numbers (no masks, no bigint). */
function numericType(type: FieldType): boolean {
  return (INT_TYPES.has(type) && type !== 'FT_UINT64' && type !== 'FT_INT64') || type === 'FT_RELATIVE_TIME' || type === 'FT_DOUBLE' || type === 'FT_FLOAT';
}

function pairTest(op: RelOp, type: FieldType): (a: Value, b: Value) => boolean {
  if (op === 'contains') return contains;
  // FT_IPv4 field values are unsigned numbers (/32): as numbers when both sides are fields
  if (numericType(type) || type === 'FT_IPv4') {
    // intentional duplication of the comparator, hot path (field == field): no dispatch
    switch (op) {
      case 'eq': return (a, b) => a === b;
      case 'ne': return (a, b) => a !== b;
      case 'gt': return (a, b) => (a as number) > (b as number);
      case 'ge': return (a, b) => (a as number) >= (b as number);
      case 'lt': return (a, b) => (a as number) < (b as number);
      case 'le': return (a, b) => (a as number) <= (b as number);
    }
  }
  const cmp = comparatorFor(type);
  switch (op) {
    case 'eq': return (a, b) => cmp(a, b) === 0;
    case 'ne': return (a, b) => cmp(a, b) !== 0;
    case 'gt': return (a, b) => cmp(a, b) > 0;
    case 'ge': return (a, b) => cmp(a, b) >= 0;
    case 'lt': return (a, b) => cmp(a, b) < 0;
    case 'le': return (a, b) => cmp(a, b) <= 0;
  }
}

function quantify(left: Eval, pred: Pred, all: boolean): Predicate {
  if (all) {
    return (f) => {
      const vs = left(f);
      const n = vs.length;
      if (n === 0) return false;
      for (let i = 0; i < n; i++) if (!pred(vs[i] as Value)) return false;
      return true;
    };
  }
  return (f) => {
    const vs = left(f);
    for (let i = 0, n = vs.length; i < n; i++) if (pred(vs[i] as Value)) return true;
    return false;
  };
}

function compileTest(t: Test, fields: Set<FieldDef>): Predicate {
  switch (t.k) {
    case 'and': case 'or': {
      // flatten left-deep chains (long `or` lists) into one loop: no deep recursion per frame
      const parts: Test[] = [];
      let l: Test = t;
      while (l.k === t.k) { parts.push((l as Extract<Test, { k: 'and' | 'or' }>).right); l = (l as Extract<Test, { k: 'and' | 'or' }>).left; }
      parts.push(l);
      const preds = parts.reverse().map((p) => compileTest(p, fields));
      if (preds.length === 2) {
        const a = preds[0] as Predicate, b = preds[1] as Predicate;
        return t.k === 'and' ? (f) => a(f) && b(f) : (f) => a(f) || b(f);
      }
      if (t.k === 'and') return (f) => { for (const p of preds) if (!p(f)) return false; return true; };
      return (f) => { for (const p of preds) if (p(f)) return true; return false; };
    }
    case 'not': { const a = compileTest(t.operand, fields); return (f) => !a(f); }
    case 'exists': { const def = t.def; fields.add(def); return (f) => def.values(f).length > 0; }
    case 'nonzero': { const e = compileExpr(t.expr, fields); return quantify(e, (v) => !isZero(v), false); }
    case 'nonempty': { const e = compileExpr(t.expr, fields); return quantify(e, (v) => (v as Uint8Array).length !== 0, false); }
    case 'matches': {
      const e = compileExpr(t.left, fields);
      const re = t.re;
      return quantify(e, (v) => { const s = matchText(v); return s !== undefined && re.test(s); }, t.all);
    }
    case 'rel': {
      const left = compileExpr(t.left, fields);
      if (t.right.k === 'const') return quantify(left, constPred(t.op, t.type, t.right.value), t.all);
      const right = compileExpr(t.right, fields);
      const test = pairTest(t.op, t.type);
      const all = t.all;
      const ls: Value[] = []; // reused: values() may share its array with the next read
      return (f) => {
        const ls0 = left(f);
        const n = ls0.length;
        if (n === 0) return false;
        if (n === 1) {
          // one occurrence (the usual case): keep it in a local, no copy
          const a = ls0[0] as Value;
          const rs = right(f);
          const m = rs.length;
          if (m === 0) return false;
          for (let j = 0; j < m; j++) {
            const r = test(a, rs[j] as Value);
            if (all && !r) return false;
            if (!all && r) return true;
          }
          return all;
        }
        ls.length = 0;
        for (let i = 0; i < n; i++) ls.push(ls0[i] as Value);
        const rs = right(f);
        if (rs.length === 0) return false;
        for (const a of ls) for (const b of rs) {
          const r = test(a, b);
          if (all && !r) return false;
          if (!all && r) return true;
        }
        return all;
      };
    }
    case 'in': {
      const left = compileExpr(t.left, fields);
      const cmp = comparatorFor(t.type);
      const all = t.all;
      const elems = t.elems.map((el) => ({
        lo: compileExpr(el.lo, fields),
        hi: el.hi ? compileExpr(el.hi, fields) : undefined,
      }));
      return (f) => {
        const ls0 = left(f);
        if (ls0.length === 0) return false;
        const ls = ls0.slice();
        for (const el of elems) {
          const los = el.lo(f);
          if (los.length === 0) continue;
          const lo = los.slice();
          const his = el.hi ? el.hi(f) : undefined;
          if (his !== undefined && his.length === 0) continue;
          let res = all;
          outer: for (const v of ls) {
            for (const a of lo) {
              let r: boolean;
              if (his === undefined) r = cmp(v, a) === 0;
              else {
                r = false;
                if (cmp(v, a) >= 0) for (const b of his) if (cmp(v, b) <= 0) { r = true; break; }
              }
              if (all && !r) { res = false; break outer; }
              if (!all && r) { res = true; break outer; }
            }
          }
          if (res) return true;
        }
        return false;
      };
    }
  }
}

/** Compiles a checked plan; returns the predicate and the fields it reads. */
export function compile(t: Test): { test: Predicate; fields: FieldDef[] } {
  const fields = new Set<FieldDef>();
  const test = compileTest(t, fields);
  return { test, fields: [...fields] };
}
