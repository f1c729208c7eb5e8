/**
 * tshark -V: the protocol tree, four spaces per level, generated items in [brackets], hidden items
 * left out. Built lazily per frame (the summary path never builds a tree).
 */
import type { Frame } from '../fields/field.js';
import { buildTree, type TreeNode } from '../fields/tree.js';
import { dataBytes } from '../fields/transport.js';
import { formatHexDump } from './hexdump.js';

function walk(n: TreeNode, depth: number, out: string[], f: Frame, dataHex: boolean, only?: ReadonlySet<string>): void {
  if (n.hidden) return;
  const pad = '    '.repeat(depth);
  out.push(n.generated ? `${pad}[${n.label}]` : `${pad}${n.label}`);
  // -O: a protocol not asked for shows its one summary line only.
  if (only !== undefined && depth === 0 && !only.has(n.def?.abbrev ?? '')) return;
  // tshark -V without -x dumps the bytes of the Data protocol right under its line.
  if (dataHex && depth === 0 && n.def?.abbrev === 'data') out.push('', formatHexDump(dataBytes(f) ?? new Uint8Array(0)).trimEnd());
  for (const c of n.children) walk(c, depth + 1, out, f, dataHex);
}

/** The -V text of a frame: one line per visible tree item, each ending in "\n". */
export function formatDetail(f: Frame, withHex = false, only?: ReadonlySet<string>): string {
  const out: string[] = [];
  for (const n of buildTree(f)) walk(n, 0, out, f, !withHex, only);
  return out.join('\n') + '\n';
}
