/**
 * tshark -V: the protocol tree, four spaces per level, generated items in [brackets], hidden items
 * left out. Built lazily per frame (the summary path never builds a tree).
 */
import type { Frame } from '../fields/field.js';
import { buildTree, type TreeNode } from '../fields/tree.js';

function walk(n: TreeNode, depth: number, out: string[]): void {
  if (n.hidden) return;
  const pad = '    '.repeat(depth);
  out.push(n.generated ? `${pad}[${n.label}]` : `${pad}${n.label}`);
  for (const c of n.children) walk(c, depth + 1, out);
}

/** The -V text of a frame: one line per visible tree item, each ending in "\n". */
export function formatDetail(f: Frame): string {
  const out: string[] = [];
  for (const n of buildTree(f)) walk(n, 0, out);
  return out.join('\n') + '\n';
}
