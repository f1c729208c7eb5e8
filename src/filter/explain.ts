/**
 * explainFilter: a dftest-like dump of a compiled filter (Wireshark 4.0 `dftest`'s "Syntax tree"
 * section, drawn from the checked plan): one node per line, depth-indented, fields shown as
 * `FIELD(abbrev <FT_TYPE>)` and converted constants as `FVALUE(value <FT_TYPE>)`, then the fields
 * the predicate reads. Pure: text in, text out; `tcplab read --explain-filter` prints it.
 */
import type { CompiledFilter } from './index.js';
import { type Expr, type Test, exprType } from './check.js';
import { rangeNodeToString } from './ast.js';
import { formatValue } from './ftype.js';

function line(depth: number, s: string): string {
  return `${' '.repeat(depth * 2)}${String(depth).padStart(2)} ${s}`;
}

function exprLines(e: Expr, depth: number, out: string[]): void {
  switch (e.k) {
    case 'field':
      out.push(line(depth, e.asBytes ? `SLICE(${e.def.abbrev} <${e.type}> as bytes [0:])` : `FIELD(${e.def.abbrev} <${e.type}>)`));
      return;
    case 'const':
      out.push(line(depth, `FVALUE(${formatValue(e.type, e.value)} <${e.type}>)`));
      return;
    case 'slice':
      out.push(line(depth, `SLICE[${e.ranges.map(rangeNodeToString).join(',')}]:`));
      exprLines(e.src, depth + 1, out);
      return;
    case 'func':
      out.push(line(depth, `FUNCTION(${e.name} <${e.type}>):`));
      for (const a of e.args) exprLines(a, depth + 1, out);
      return;
    case 'arith':
      out.push(line(depth, `OP_${e.op.toUpperCase()} <${exprType(e)}>:`));
      exprLines(e.left, depth + 1, out);
      if (e.right) exprLines(e.right, depth + 1, out);
      return;
  }
}

const REL_NAME = { eq: 'EQ', ne: 'NE', gt: 'GT', ge: 'GE', lt: 'LT', le: 'LE', contains: 'CONTAINS' } as const;

function testLines(t: Test, depth: number, out: string[]): void {
  switch (t.k) {
    case 'and': case 'or':
      out.push(line(depth, `TEST_${t.k.toUpperCase()}:`));
      testLines(t.left, depth + 1, out);
      testLines(t.right, depth + 1, out);
      return;
    case 'not':
      out.push(line(depth, 'TEST_NOT:'));
      testLines(t.operand, depth + 1, out);
      return;
    case 'exists':
      out.push(line(depth, `FIELD(${t.def.abbrev} <${t.def.type}>)`));
      return;
    case 'nonzero': case 'nonempty':
      exprLines(t.expr, depth, out);
      return;
    case 'rel': {
      const name = t.op === 'eq' || t.op === 'ne' ? `TEST_${t.all ? 'ALL' : 'ANY'}_${REL_NAME[t.op]}` : `${t.all ? 'ALL ' : ''}TEST_${REL_NAME[t.op]}`;
      out.push(line(depth, `${name}:`));
      exprLines(t.left, depth + 1, out);
      exprLines(t.right, depth + 1, out);
      return;
    }
    case 'matches':
      out.push(line(depth, `${t.all ? 'ALL ' : ''}TEST_MATCHES:`));
      exprLines(t.left, depth + 1, out);
      out.push(line(depth + 1, `PCRE(${t.re.source})`));
      return;
    case 'in':
      out.push(line(depth, `${t.all ? 'ALL ' : ''}TEST_IN:`));
      exprLines(t.left, depth + 1, out);
      out.push(line(depth + 1, `SET(#${t.elems.length}):`));
      for (const el of t.elems) {
        const lo: string[] = [];
        exprLines(el.lo, depth + 2, lo);
        if (el.hi) {
          const hi: string[] = [];
          exprLines(el.hi, 0, hi);
          out.push(`${lo.join('\n')} .. ${(hi[0] ?? '').replace(/^\s*\d+ /, '')}`);
        } else out.push(...lo);
      }
      return;
  }
}

/** The dftest-like text for a compiled filter (ends with a newline). */
export function explainFilter(filter: CompiledFilter): string {
  const out = [`Filter: ${filter.text}`, ''];
  if (!filter.plan) {
    out.push('(empty filter: every frame passes)');
    return out.join('\n') + '\n';
  }
  out.push('Syntax tree:');
  try {
    testLines(filter.plan, 0, out);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    out.push(' (the tree is too deep to print)');
  }
  out.push('', `Fields read: ${filter.fields.length === 0 ? '(none)' : filter.fields.join(', ')}`);
  return out.join('\n') + '\n';
}
