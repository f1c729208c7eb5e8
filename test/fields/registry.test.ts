/**
 * The field registry over real captures: unique names, values of the declared type on every
 * frame of every fixture (never a throw), and the -V/JSON tree agreeing with FieldDef.values().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { allFields, lookupField } from '../../src/fields/registry.js';
import type { FieldDef, FieldValue, Frame } from '../../src/fields/field.js';
import { buildTree, type TreeNode } from '../../src/fields/tree.js';
import { formatFieldValue } from '../../src/fields/format.js';
import { openCaptureFile } from '../../src/wire/open.js';
import { Session } from '../../src/pipeline/session.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fxDir = join(root, 'test', 'fixtures', 'pcap');

async function framesOf(name: string, max = 400): Promise<Frame[]> {
  const src = await openCaptureFile(join(fxDir, name));
  const out: Frame[] = [];
  try {
    for await (const f of new Session(src)) {
      // Keep the frame past the next pull: copy its bytes (records are views).
      out.push({ ...f, record: { ...f.record, data: f.record.data.slice() } });
      if (out.length >= max) break;
    }
  } catch {
    // damaged fixtures: the frames before the damage are enough here
  } finally {
    src.close();
  }
  return out;
}

function typeOk(d: FieldDef, v: FieldValue): boolean {
  switch (d.type) {
    case 'FT_PROTOCOL': return v === true || v instanceof Uint8Array;
    case 'FT_NONE': return v === true;
    case 'FT_BOOLEAN': return typeof v === 'boolean';
    case 'FT_IPv4': return typeof v === 'number' && v >= 0 && v <= 0xffffffff;
    case 'FT_IPv6': return v instanceof Uint8Array && v.length === 16;
    case 'FT_ETHER': return v instanceof Uint8Array && v.length === 6;
    case 'FT_BYTES': return v instanceof Uint8Array;
    case 'FT_STRING': return typeof v === 'string';
    case 'FT_ABSOLUTE_TIME': return typeof v === 'object' && v !== null && 'sec' in v;
    case 'FT_RELATIVE_TIME': return typeof v === 'number' || typeof v === 'bigint';
    default: return typeof v === 'number' || typeof v === 'bigint';
  }
}

test('abbrevs are unique and every row is well formed', () => {
  const all = allFields();
  assert.ok(all.length > 150);
  assert.equal(new Set(all.map((d) => d.abbrev)).size, all.length);
  for (const d of all) {
    assert.match(d.abbrev, /^[a-z0-9_]+(\.[a-z0-9_]+)*$/, d.abbrev);
    assert.ok(d.name.length > 0, d.abbrev);
    assert.equal(lookupField(d.abbrev), d);
  }
  assert.equal(lookupField('tcp.nosuch'), undefined);
});

const fixtures = readdirSync(fxDir).filter((n) => /^(present-|decode-)/.test(n) && !n.includes('cut'));

test('every field yields values of its declared type on every frame of every fixture', async () => {
  let checked = 0;
  for (const name of fixtures) {
    for (const f of await framesOf(name)) {
      for (const d of allFields()) {
        const vs = d.values(f);
        for (const v of vs) {
          assert.ok(typeOk(d, v), `${name} frame ${f.record.frameNo}: ${d.abbrev} (${d.type}) got ${String(v)}`);
          assert.equal(typeof formatFieldValue(d, v), 'string');
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 10_000, `only ${checked} values checked`);
});

function walk(n: TreeNode, visit: (n: TreeNode) => void): void {
  visit(n);
  for (const c of n.children) walk(c, visit);
}

test('tree nodes show values that FieldDef.values() also returns (one source of truth)', async () => {
  let nodes = 0;
  for (const name of ['present-lo-telnet-v4.pcap', 'present-lo-telnet-v6.pcap', 'present-lo-pingpong-loss.pcap', 'decode-eth-udp-tcp-icmp.pcap']) {
    for (const f of await framesOf(name, 100)) {
      for (const top of buildTree(f)) {
        walk(top, (n) => {
          if (!n.def || n.value === undefined || n.def.type === 'FT_PROTOCOL' || n.def.type === 'FT_NONE') return;
          const want = formatFieldValue(n.def, n.value);
          const have = n.def.values(f).map((v) => formatFieldValue(n.def!, v));
          assert.ok(have.includes(want), `${name} frame ${f.record.frameNo}: tree ${n.def.abbrev}=${want}, values() ${have.join(',')}`);
          nodes++;
        });
      }
    }
  }
  assert.ok(nodes > 2000);
});
