/**
 * Differential test (zod's compile-differential idea): seeded random filters over the real
 * registry, built from values seen in real captures, must give the same answer from the compiled
 * predicate (filter/compile.ts) and the plain reference evaluator (test/support/eval-reference.ts)
 * on every frame. Also over the unit-test registry's hand-made frames. Seeds are fixed; a failure
 * prints the filter and frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldDef, FieldValue, Frame } from '../../src/fields/field.js';
import { parseFilter, type CompiledFilter, type FieldLookup } from '../../src/filter/index.js';
import { FTYPES, formatValue, INT_TYPES } from '../../src/filter/ftype.js';
import { lookupField } from '../../src/fields/registry.js';
import { openCaptureFile } from '../../src/wire/open.js';
import { Session } from '../../src/pipeline/session.js';
import { evalReference } from '../support/eval-reference.js';
import { TEST_FRAMES, TEST_FIELDS, testLookup } from './test-fields.js';
import { mulberry32 as rng } from '../../src/util/prng.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CAPTURES = ['filter-loopback.pcap', 'filter-smtp.pcap', 'filter-v6-http.pcap', 'filter-retrans.pcap'].map((c) => join(root, 'test', 'fixtures', 'pcap', c));


type Samples = Map<FieldDef, FieldValue[]>;

function copy(v: FieldValue): FieldValue {
  return v instanceof Uint8Array ? v.slice() : v;
}

function literal(def: FieldDef, v: FieldValue, r: () => number): string | undefined {
  const t = def.type;
  if (INT_TYPES.has(t)) {
    const n = typeof v === 'bigint' ? v : BigInt(v as number);
    if (n < 0n) return undefined;
    return r() < 0.3 ? '0x' + n.toString(16) : n.toString();
  }
  switch (t) {
    case 'FT_BOOLEAN': return v ? (r() < 0.5 ? '1' : 'True') : (r() < 0.5 ? '0' : 'False');
    case 'FT_IPv4': {
      const s = formatValue(t, { addr: v as number, mask: 0xffffffff });
      return r() < 0.3 ? `${s}/${8 + Math.floor(r() * 25)}` : s;
    }
    case 'FT_IPv6': {
      const s = formatValue(t, v as Uint8Array);
      return r() < 0.3 ? `${s}/${Math.floor(r() * 129)}` : s;
    }
    case 'FT_ETHER': return formatValue(t, v as Uint8Array);
    case 'FT_BYTES': {
      const b = v as Uint8Array;
      if (b.length === 0) return undefined;
      const part = b.subarray(0, 1 + Math.floor(r() * Math.min(b.length, 6)));
      return part.length === 1 ? ':' + formatValue(t, part) : formatValue(t, part);
    }
    case 'FT_STRING': return JSON.stringify(String(v));
    case 'FT_RELATIVE_TIME': return formatValue(t, v as number);
    case 'FT_DOUBLE': case 'FT_FLOAT': return String(v);
    default: return undefined;
  }
}

function pick<T>(xs: readonly T[], r: () => number): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function relation(def: FieldDef, samples: Samples, r: () => number): string {
  const caps = FTYPES[def.type];
  const vals = samples.get(def) ?? [];
  if (vals.length === 0 || (!caps.eq && !caps.contains)) return def.abbrev;
  const v = pick(vals, r);
  const lit = literal(def, v, r);
  if (lit === undefined) return def.abbrev;
  const fn = r();
  if (fn < 0.03) return `count(${def.abbrev}) == ${1 + Math.floor(r() * 2)}`;
  if (INT_TYPES.has(def.type) && fn < 0.06) return `abs(${def.abbrev}) ${pick(['==', '>=', '<'], r)} ${lit}`;
  if (INT_TYPES.has(def.type) && fn < 0.09) return `${pick(['max', 'min'], r)}(${def.abbrev}, ${lit}) ${pick(['==', '>', '<='], r)} ${lit}`;
  if ((INT_TYPES.has(def.type) || def.type === 'FT_IPv4' || def.type === 'FT_ETHER') && fn < 0.12) {
    return `string(${def.abbrev}) ${pick(['==', 'contains', 'matches'], r)} ${JSON.stringify(lit.replace(/\/\d+$/, '').replace(/^0x[0-9a-f]+$/, (h) => String(parseInt(h, 16))).slice(0, 4))}`;
  }
  if ((def.type === 'FT_BYTES' || def.type === 'FT_STRING') && fn < 0.15) return `len(${def.abbrev}) ${pick(['==', '>', '<'], r)} ${Math.floor(r() * 20)}`;
  const roll = r();
  if (caps.bitwiseAnd && INT_TYPES.has(def.type) && roll < 0.1) return `${def.abbrev} & ${lit}`;
  if (roll < 0.2 && caps.eq) {
    const more = [lit, literal(def, pick(vals, r), r)].filter((x): x is string => x !== undefined);
    if (caps.cmp && INT_TYPES.has(def.type) && r() < 0.5) more.push(`${lit}..${literal(def, pick(vals, r), r) ?? lit}`);
    return `${def.abbrev} in {${more.join(', ')}}`;
  }
  if (roll < 0.3 && (caps.contains)) return `${def.abbrev} contains ${lit}`;
  if (roll < 0.35 && def.type === 'FT_BYTES' && v instanceof Uint8Array && v.length > 2) {
    const start = Math.floor(r() * (v.length - 1));
    return `${def.abbrev}[${start}:2] ${pick(['==', '!=', '>', '<='], r)} ${formatValue('FT_BYTES', v.subarray(start, start + 2))}`;
  }
  if (roll < 0.4 && caps.matches && typeof v === 'string' && v.length > 0) {
    return `${def.abbrev} matches ${JSON.stringify(v.slice(0, 3).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))}`;
  }
  const ops = caps.cmp ? ['==', '!=', '===', '!==', '~=', '>', '>=', '<', '<=', 'eq', 'ne', 'gt', 'lt'] : ['==', '!=', '===', '!=='];
  const quant = r() < 0.1 ? pick(['any ', 'all '], r) : '';
  return `${quant}${def.abbrev} ${pick(ops, r)} ${lit}`;
}

function expr(defs: readonly FieldDef[], samples: Samples, r: () => number, depth: number): string {
  const roll = r();
  if (depth > 2 || roll < 0.45) return relation(pick(defs, r), samples, r);
  if (roll < 0.55) return `!(${expr(defs, samples, r, depth + 1)})`;
  if (roll < 0.6) return `not ${relation(pick(defs, r), samples, r)}`;
  const op = pick(['&&', '||', 'and', 'or'], r);
  return `(${expr(defs, samples, r, depth + 1)}) ${op} (${expr(defs, samples, r, depth + 1)})`;
}

function generate(defs: readonly FieldDef[], samples: Samples, seed: number, n: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => expr(defs, samples, r, 0));
}

function compileAll(filters: string[], lookup?: FieldLookup): CompiledFilter[] {
  return filters.map((f) => {
    const res = lookup ? parseFilter(f, { lookup }) : parseFilter(f);
    if (!res.ok) throw new Error(`generated filter refused: ${f}: ${res.errors[0]?.message}`);
    return res.filter;
  });
}

function agree(filters: CompiledFilter[], frame: Frame, frameNo: number, stats: { hits: number; checks: number }, out: string[]): void {
  for (const c of filters) {
    if (!c.plan) continue;
    const a = c.test(frame);
    const b = evalReference(c.plan, frame);
    stats.checks++;
    if (a) stats.hits++;
    if (a !== b && out.length < 20) out.push(`${c.text} @frame ${frameNo}: compiled ${a}, reference ${b}`);
  }
}

test('random filters over the test registry: compiled == reference on every frame (seed 1)', () => {
  const samples: Samples = new Map();
  for (const d of TEST_FIELDS) samples.set(d, TEST_FRAMES.flatMap((f) => [...d.values(f)].map(copy)));
  const filters = compileAll(generate(TEST_FIELDS, samples, 1, 600), testLookup);
  const stats = { hits: 0, checks: 0 };
  const bad: string[] = [];
  TEST_FRAMES.forEach((f, i) => agree(filters, f, i + 1, stats, bad));
  assert.deepEqual(bad, []);
  assert.ok(stats.hits > stats.checks * 0.05 && stats.hits < stats.checks * 0.95, `non-trivial: ${stats.hits}/${stats.checks}`);
});

test('random filters over real captures and the real registry: compiled == reference (seed 20261124)', async (t) => {
  // Pass 1: values seen per registered field, so the filters hit real values.
  const samples: Samples = new Map();
  for (const cap of CAPTURES) {
    const src = await openCaptureFile(cap);
    try {
      for await (const frame of new Session(src)) {
        for (const name of FIELD_NAMES) {
          const d = lookupField(name);
          if (!d) continue;
          const list = samples.get(d) ?? [];
          if (list.length < 40) for (const v of d.values(frame)) list.push(copy(v));
          samples.set(d, list);
        }
      }
    } finally { src.close(); }
  }
  const defs = [...samples.keys()];
  assert.ok(defs.length >= 10, `registered fields found: ${defs.length}`);
  const filters = compileAll(generate(defs, samples, 20261124, 500));
  // Pass 2: every filter on every frame.
  const stats = { hits: 0, checks: 0 };
  const bad: string[] = [];
  for (const cap of CAPTURES) {
    const src = await openCaptureFile(cap);
    try {
      for await (const frame of new Session(src)) agree(filters, frame, frame.record.frameNo, stats, bad);
    } finally { src.close(); }
  }
  assert.deepEqual(bad, []);
  t.diagnostic(`${filters.length} filters over ${defs.length} fields, ${stats.checks} filter×frame checks, ${stats.hits} true`);
  assert.ok(stats.checks > 50_000, `${stats.checks} checks`);
  assert.ok(stats.hits > stats.checks * 0.02, `non-trivial: ${stats.hits}/${stats.checks}`);
});

/** The fields the random filters draw from (those registered are used). */
const FIELD_NAMES = [
  'frame.number', 'frame.len', 'frame.cap_len', 'frame.time_delta', 'frame.time_relative', 'frame.protocols',
  'eth.addr', 'eth.src', 'eth.dst', 'eth.type', 'ip', 'ip.addr', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.id', 'ip.len', 'ip.proto', 'ip.flags.df',
  'ip.dsfield', 'ipv6', 'ipv6.addr', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ipv6.plen', 'ipv6.flow', 'tcp', 'tcp.port', 'tcp.srcport',
  'tcp.dstport', 'tcp.len', 'tcp.seq', 'tcp.ack', 'tcp.seq_raw', 'tcp.flags', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin',
  'tcp.flags.str', 'tcp.window_size_value', 'tcp.window_size', 'tcp.hdr_len', 'tcp.stream', 'tcp.payload', 'tcp.options',
  'tcp.options.mss_val', 'tcp.options.timestamp.tsval', 'tcp.options.sack_le', 'tcp.nxtseq', 'tcp.time_delta',
  'tcp.analysis.ack_rtt', 'tcp.analysis.bytes_in_flight', 'tcp.analysis.retransmission', 'tcp.analysis.acks_frame',
  'udp', 'udp.port', 'udp.length', 'udp.payload',
];
