/**
 * tshark -T json and -T ek layouts.
 * json: an array of {"_index": "packets-YYYY-MM-DD", "_type": "doc", "_score": null, "_source":
 * {"layers": {...}}}; a field is "abbrev": "value", its subtree "abbrev_tree": {...}; a protocol or
 * FT_NONE with children is "abbrev": {...}; a text-only item is keyed by its label. Duplicate keys
 * are kept, as tshark prints them. Indentation two spaces per level, as tshark.
 * ek: per frame an index line and one compact document; keys "<proto>_<abbrev with _>", sibling
 * items with the same key grouped into arrays, booleans as true/false, subtrees flattened.
 */
import type { FieldDef, Frame } from '../fields/field.js';
import { fieldTexts } from './fields-out.js';
import { buildTree, type TreeNode } from '../fields/tree.js';
import { formatFieldValue, formatHex } from '../fields/format.js';

const q = (s: string): string => JSON.stringify(s);

function jsonValue(n: TreeNode): string {
  const d = n.def!;
  if (d.type === 'FT_BYTES' || d.type === 'FT_ETHER' || (d.type === 'FT_PROTOCOL' && n.value instanceof Uint8Array)) {
    return formatHex(n.value as Uint8Array, ':');
  }
  if (d.type === 'FT_NONE') return '';
  return formatFieldValue(d, n.value!);
}

function isContainer(n: TreeNode): boolean {
  return n.def === undefined || n.def.type === 'FT_PROTOCOL' && !(n.value instanceof Uint8Array) || n.def.type === 'FT_NONE';
}

function jsonObject(nodes: readonly TreeNode[], indent: string): string {
  const lines: string[] = [];
  const inner = indent + '  ';
  for (const n of nodes) {
    if (n.expert) {
      const x = n.expert;
      lines.push(`${inner}"_ws.expert": {\n${inner}  ${q(x.abbrev)}: "",\n${inner}  "_ws.expert.message": ${q(x.message)},\n${inner}  "_ws.expert.severity": "${x.severity}",\n${inner}  "_ws.expert.group": "${x.group}"\n${inner}}`);
      continue;
    }
    const key = n.def ? n.def.abbrev : n.label;
    if (n.children.length > 0) {
      if (isContainer(n)) lines.push(`${inner}${q(key)}: ${jsonObject(n.children, inner)}`);
      else {
        lines.push(`${inner}${q(key)}: ${q(jsonValue(n))}`);
        lines.push(`${inner}${q(key + '_tree')}: ${jsonObject(n.children, inner)}`);
      }
    } else if (n.generated && n.def?.type === 'FT_PROTOCOL' && !(n.value instanceof Uint8Array)) {
      // A generated protocol item without children (the size-limited marker) prints its label.
      lines.push(`${inner}${q(key)}: ${q(`[${n.label}]`)}`);
    } else if (n.hidden && n.def?.type === 'FT_PROTOCOL') {
      // A hidden protocol item (the malformed marker) prints the protocol's name.
      lines.push(`${inner}${q(key)}: ${q(n.def.name)}`);
    } else {
      lines.push(`${inner}${q(key)}: ${q(n.def ? jsonValue(n) : '')}`);
    }
  }
  if (lines.length === 0) return '{}';
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function indexName(f: Frame): string {
  const d = new Date(f.record.ts.sec * 1000);
  return `packets-${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** One element of the -T json array (indented as inside the array), without trailing comma. */
export function formatJsonPacket(f: Frame): string {
  const layers = jsonObject(buildTree(f), '      ');
  return `  {\n    "_index": ${q(indexName(f))},\n    "_type": "doc",\n    "_score": null,\n    "_source": {\n      "layers": ${layers}\n    }\n  }`;
}

/** "<top protocol>_<abbrev with _>" (e.g. ipv6_ip_version); sub-protocols by their own name. */
function ekKey(n: TreeNode, top: string): string {
  const d = n.def!;
  if (d.type === 'FT_PROTOCOL') return d.abbrev.replace(/\./g, '_');
  return `${top}_${d.abbrev.replace(/\./g, '_')}`;
}

type EkVal = string | boolean | null;

function ekValue(n: TreeNode): EkVal {
  const d = n.def!;
  if (d.type === 'FT_BOOLEAN') return n.value === true;
  if (d.type === 'FT_NONE') return null;
  if (d.type === 'FT_ABSOLUTE_TIME') {
    const t = n.value as { sec: number; nsec: number };
    return new Date(t.sec * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(t.nsec).padStart(9, '0')}Z`);
  }
  return jsonValue(n);
}

function ekKeyOf(n: TreeNode, top: string): string {
  return n.def ? ekKey(n, top) : 'text';
}

function ekOne(n: TreeNode): EkVal | Record<string, never> {
  if (!n.def) return n.label;
  if (n.hidden && n.def.type === 'FT_PROTOCOL') return {};
  if (n.def.type === 'FT_PROTOCOL' && !(n.value instanceof Uint8Array)) return null;
  return ekValue(n);
}

/**
 * tshark's ek layout: siblings with the same key are grouped (value or array), the group's
 * children follow it (grouped the same way); duplicate keys across groups stay duplicate.
 */
function ekEmit(nodes: readonly TreeNode[], top: string, out: string[]): void {
  const groups = new Map<string, TreeNode[]>();
  for (const n of nodes) {
    if (n.expert) {
      const x = n.expert;
      // Keyed by the top protocol; the exception markers' own (_ws.malformed) is two words.
      const abbrevKey = `${x.abbrev.startsWith('_ws.') ? top : x.abbrev.split('.')[0]}_${x.abbrev.replace(/\./g, '_')}`;
      out.push(`"_ws_expert":{${q(abbrevKey)}:null,"_ws_expert__ws_expert_message":${q(x.message)},"_ws_expert__ws_expert_severity":"${x.severity}","_ws_expert__ws_expert_group":"${x.group}"}`);
      continue;
    }
    const k = ekKeyOf(n, top);
    const g = groups.get(k);
    if (g) g.push(n);
    else groups.set(k, [n]);
  }
  for (const [k, g] of groups) {
    const vals = g.map(ekOne);
    out.push(`${q(k)}:${JSON.stringify(vals.length === 1 ? vals[0] : vals)}`);
    ekEmit(g.flatMap((n) => n.children), top, out);
  }
}

/** The two -T ek lines of a frame (index line, document), each ending in "\n". */
export function formatEk(f: Frame): string {
  const layers: string[] = [];
  for (const p of buildTree(f)) {
    const parts: string[] = [];
    ekEmit(p.children, p.def!.abbrev.replace(/\./g, '_'), parts);
    const body = parts.join(',');
    layers.push(`${q(p.def!.abbrev.replace(/\./g, '_'))}:{${body}}`);
  }
  const ms = String(f.record.ts.sec * 1000 + Math.floor(f.record.ts.nsec / 1e6));
  return `{"index":{"_index":${q(indexName(f))},"_type":"doc"}}\n{"timestamp":${q(ms)},"layers":{${layers.join(',')}}}\n`;
}

/** -T json -e …: "layers" holds only the chosen fields, each an array of its values (tshark). */
export function formatJsonFieldsPacket(f: Frame, defs: readonly FieldDef[]): string {
  const parts: string[] = [];
  for (const d of defs) {
    const vals = fieldTexts(d, f);
    if (vals.length === 0) continue;
    parts.push(`        ${q(d.abbrev)}: [\n${vals.map((v) => `          ${q(v)}`).join(',\n')}\n        ]`);
  }
  const layers = parts.length ? `{\n${parts.join(',\n')}\n      }` : '{}';
  return `  {\n    "_index": ${q(indexName(f))},\n    "_type": "doc",\n    "_score": null,\n    "_source": {\n      "layers": ${layers}\n    }\n  }`;
}

/** -T ek -e …: compact, keys with "_" for ".", each an array of values (tshark). */
export function formatEkFields(f: Frame, defs: readonly FieldDef[]): string {
  const parts: string[] = [];
  for (const d of defs) {
    const vals = fieldTexts(d, f);
    if (vals.length) parts.push(`${q(d.abbrev.replace(/\./g, '_'))}:${JSON.stringify(vals)}`);
  }
  const ms = String(f.record.ts.sec * 1000 + Math.floor(f.record.ts.nsec / 1e6));
  return `{"index":{"_index":${q(indexName(f))},"_type":"doc"}}\n{"timestamp":${q(ms)},"layers":{${parts.join(',')}}}\n`;
}
