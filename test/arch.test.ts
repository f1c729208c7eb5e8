/**
 * Enforces the dependency direction of ARCHITECTURE.md §2.2: bytes flow one way, nothing imports
 * upward, and the corners (server/, client/) import util/ only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

const RANK: Record<string, number> = {
  util: 0, wire: 1, decode: 2, analysis: 3, fields: 4, filter: 5, pipeline: 6, present: 7,
  web: 8, lab: 8, cli: 9, server: 0.5, client: 0.5,
};
/** What each corner/area may import besides lower ranks. */
const ONLY: Record<string, string[]> = { server: ['util', 'server'], client: ['util', 'client'] };
const MAY_USE_CORNERS = new Set(['cli', 'lab', 'web']);

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

export function violations(): string[] {
  const bad: string[] = [];
  for (const file of files(src)) {
    const from = relative(src, file).split('/')[0] ?? '';
    if (!(from in RANK) && from !== 'index.ts') bad.push(`${relative(root, file)}: unknown area ${from}`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]/g)) {
      const spec = m[1] ?? m[2] ?? '';
      const target = relative(src, resolve(dirname(file), spec)).split('/')[0] ?? '';
      if (target === from || from === 'index.ts') continue;
      const fromRank = RANK[from] ?? -1;
      const toRank = RANK[target];
      const corner = target === 'server' || target === 'client';
      let ok: boolean;
      if (ONLY[from]) ok = ONLY[from].includes(target);
      else if (corner) ok = MAY_USE_CORNERS.has(from);
      else ok = toRank !== undefined && toRank < fromRank;
      if (!ok) bad.push(`${relative(root, file)} imports ${spec} (${from} -> ${target})`);
    }
  }
  return bad;
}

test('no module imports upward or across corners', () => {
  assert.deepEqual(violations(), []);
});

test('the checker sees the source tree', () => {
  assert.ok(files(src).length > 5, 'found the TypeScript sources');
});
