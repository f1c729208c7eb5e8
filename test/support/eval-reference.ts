/**
 * A plain reference evaluator for checked display-filter plans (filter/check.ts Test), written
 * as directly as the Wireshark 4.0 semantics read (dfvm.c cmp_test/any_test/all_test): every
 * operand becomes a list of values, every relation walks all pairs, nothing is specialised or
 * cached. The differential tests compare it with filter/compile.ts on every frame
 * (zod's compile-differential idea): the two must agree, or one of them is wrong.
 */
import type { Frame, FieldType } from '../../src/fields/field.js';
import type { Expr, Test } from '../../src/filter/check.js';
import type { RangeNode } from '../../src/filter/ast.js';
import { comparatorFor, toBytes, isZero, formatValue, type Value } from '../../src/filter/ftype.js';
import { WIRE_SIZE } from '../../src/filter/functions.js';

function slice(b: Uint8Array, ranges: readonly RangeNode[]): Uint8Array {
  const out: number[] = [];
  for (const r of ranges) {
    const n = b.length;
    let start = r.start < 0 ? n + r.start : r.start;
    if (start < 0) break;
    let end: number; // exclusive
    if (r.kind === 'to_end') end = n;
    else if (r.kind === 'length') end = start + r.length;
    else end = (r.end < 0 ? n + r.end : r.end) + 1;
    if (r.kind === 'offset' && r.end >= 0 && r.end >= n) break;
    if (end > n || end <= start) break;
    for (let i = start; i < end; i++) out.push(b[i] ?? 0);
    start = end;
  }
  return Uint8Array.from(out);
}

function bytesOf(v: Value): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  return undefined;
}

function has(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function typeOf(e: Expr): FieldType {
  switch (e.k) {
    case 'field': return e.asBytes ? 'FT_BYTES' : e.type;
    case 'slice': return 'FT_BYTES';
    default: return e.type;
  }
}

function values(e: Expr, f: Frame): Value[] {
  switch (e.k) {
    case 'field': {
      const vs = [...e.def.values(f)];
      return e.asBytes ? vs.map((v) => toBytes(e.type, v)).filter((b): b is Uint8Array => b !== undefined) : vs;
    }
    case 'const': return [e.value];
    case 'slice': {
      const src = values(e.src, f);
      return src.map((v) => toBytes(e.srcType, v)).filter((b): b is Uint8Array => b !== undefined).map((b) => slice(b, e.ranges));
    }
    case 'func': {
      const lists = e.args.map((x) => values(x, f));
      const a = lists[0] ?? [];
      switch (e.name) {
        case 'count': return a.length === 0 ? [] : [a.length];
        case 'len': return a.map((v) => (v instanceof Uint8Array ? v.length : typeof v === 'string' ? new TextEncoder().encode(v).length : WIRE_SIZE[e.argType] ?? 0));
        case 'upper': case 'lower':
          return a.map((v) => [...String(v)].map((c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? (e.name === 'upper' ? c.toUpperCase() : c.toLowerCase()) : c).join(''));
        case 'string': return a.map((v) => { const s = formatValue(e.argType, v); return s.startsWith('"') ? s.slice(1, -1) : s; });
        case 'abs': return a.map((v) => (typeof v === 'bigint' ? (v < 0n ? -v : v) : typeof v === 'number' && v < 0 ? -v : v));
        case 'max': case 'min': {
          const all = lists.flat();
          if (all.length === 0) return [];
          const cmp = comparatorFor(e.argType);
          return [all.reduce((x, y) => ((e.name === 'max' ? cmp(y, x) > 0 : cmp(y, x) < 0) ? y : x))];
        }
      }
      return [];
    }
    case 'arith': {
      const l = values(e.left, f);
      const r = e.right ? values(e.right, f) : [undefined];
      const out: Value[] = [];
      for (const a of l) for (const b of r) {
        const x = arith(e.op, e.type, a, b);
        if (x !== undefined) out.push(x);
      }
      return out;
    }
  }
}

function arith(op: string, t: FieldType, a: Value, b: Value | undefined): Value | undefined {
  const big = typeof a === 'bigint' || typeof b === 'bigint';
  if (op === 'unary_minus') return typeof a === 'bigint' ? -a : -(a as number);
  if (op === 'bitwise_and') {
    if (a instanceof Uint8Array && b instanceof Uint8Array) return Uint8Array.from(a.slice(0, Math.min(a.length, b.length)).map((x, i) => x & (b[i] ?? 0)));
    if (t === 'FT_IPv4') {
      const bb = typeof b === 'object' && b !== null && 'addr' in b ? (b.addr & b.mask) >>> 0 : (b as number);
      return ((a as number) & bb) >>> 0;
    }
    if (big) return BigInt(a as bigint | number) & BigInt(b as bigint | number);
    return ((a as number) & (b as number)) >>> 0;
  }
  if (big) {
    const x = BigInt(a as bigint | number), y = BigInt(b as bigint | number);
    if ((op === 'divide' || op === 'modulo') && y === 0n) return undefined;
    return op === 'add' ? x + y : op === 'subtract' ? x - y : op === 'multiply' ? x * y : op === 'divide' ? x / y : x % y;
  }
  const x = a as number, y = b as number;
  if ((op === 'divide' || op === 'modulo') && y === 0) return undefined;
  if (op === 'add') return x + y;
  if (op === 'subtract') return x - y;
  if (op === 'multiply') return x * y;
  if (op === 'divide') return t.startsWith('FT_UINT') || t.startsWith('FT_INT') || t === 'FT_FRAMENUM' || t === 'FT_CHAR' ? Math.trunc(x / y) : x / y;
  return x % y;
}

function holds(op: string, type: FieldType, a: Value, b: Value): boolean {
  if (op === 'contains') {
    if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
    const x = bytesOf(a), y = bytesOf(b);
    return x !== undefined && y !== undefined && has(x, y);
  }
  const c = comparatorFor(type)(a, b);
  switch (op) {
    case 'eq': return c === 0;
    case 'ne': return c !== 0;
    case 'gt': return c > 0;
    case 'ge': return c >= 0;
    case 'lt': return c < 0;
    default: return c <= 0;
  }
}

/** Evaluates a checked plan on one frame, the slow and obvious way. */
export function evalReference(t: Test, f: Frame): boolean {
  switch (t.k) {
    case 'and': case 'or': {
      const parts: Test[] = [];
      let l: Test = t;
      while (l.k === t.k) { parts.push((l as Extract<Test, { k: 'and' | 'or' }>).right); l = (l as Extract<Test, { k: 'and' | 'or' }>).left; }
      parts.push(l);
      return t.k === 'and' ? parts.every((p) => evalReference(p, f)) : parts.some((p) => evalReference(p, f));
    }
    case 'not': return !evalReference(t.operand, f);
    case 'exists': return t.def.values(f).length > 0;
    case 'nonzero': return values(t.expr, f).some((v) => !isZero(v));
    case 'nonempty': return values(t.expr, f).some((v) => (v as Uint8Array).length > 0);
    case 'matches': {
      const vs = values(t.left, f);
      const m = (v: Value): boolean => {
        const s = typeof v === 'string' ? v : v instanceof Uint8Array ? String.fromCharCode(...v) : undefined;
        return s !== undefined && t.re.test(s);
      };
      return vs.length > 0 && (t.all ? vs.every(m) : vs.some(m));
    }
    case 'rel': {
      const l = values(t.left, f);
      const r = values(t.right, f);
      if (l.length === 0 || r.length === 0) return false;
      const pairs = l.flatMap((a) => r.map((b) => holds(t.op, t.type, a, b)));
      return t.all ? pairs.every(Boolean) : pairs.some(Boolean);
    }
    case 'in': {
      const l = values(t.left, f);
      if (l.length === 0) return false;
      const cmp = comparatorFor(t.type);
      return t.elems.some((el) => {
        const lo = values(el.lo, f);
        if (lo.length === 0) return false;
        if (!el.hi) {
          const pairs = l.flatMap((v) => lo.map((a) => cmp(v, a) === 0));
          return t.all ? pairs.every(Boolean) : pairs.some(Boolean);
        }
        const hi = values(el.hi, f);
        if (hi.length === 0) return false;
        const pairs = l.flatMap((v) => lo.map((a) => cmp(v, a) >= 0 && hi.some((b) => cmp(v, b) <= 0)));
        return t.all ? pairs.every(Boolean) : pairs.some(Boolean);
      });
    }
  }
}
