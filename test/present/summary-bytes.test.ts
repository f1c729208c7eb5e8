/**
 * The byte writer of the summary line (present/summary-bytes.ts) against the string path
 * (present/columns.ts formatSummaryLine): every frame of every fixture capture, byte for byte,
 * plus the edge values the fixtures do not reach (wide numbers, 2^32 and beyond, IPv6, options).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCaptureFile } from '../../src/wire/open.js';
import { Session } from '../../src/pipeline/session.js';
import { formatSummaryLine } from '../../src/present/columns.js';
import { MAX_SUMMARY_BYTES, writeSummaryLine } from '../../src/present/summary-bytes.js';
import type { Frame } from '../../src/fields/field.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = join(root, 'test', 'fixtures', 'pcap');

/** The byte path's text for `f` (undefined when it declines), written after 3 bytes of junk. */
function bytesOf(f: Frame): string | undefined {
  const buf = Buffer.alloc(3 + MAX_SUMMARY_BYTES, 0x7e);
  const end = writeSummaryLine(f, buf, 3);
  if (end < 0) return undefined;
  assert.ok(end - 3 <= MAX_SUMMARY_BYTES);
  assert.equal(buf.subarray(0, 3).toString('latin1'), '~~~');
  return buf.subarray(3, end).toString('utf8');
}

test('every frame of every fixture: the byte path prints what the string path prints, or declines', async () => {
  let taken = 0, declined = 0, files = 0;
  for (const name of readdirSync(dir).filter((n) => /\.(pcap|pcapng)(\.gz)?$/.test(n)).sort()) {
    let src;
    try { src = await openCaptureFile(join(dir, name)); } catch { continue; }
    files++;
    try {
      for await (const f of new Session(src)) {
        const b = bytesOf(f);
        if (b === undefined) { declined++; continue; }
        taken++;
        assert.equal(b, formatSummaryLine(f) + '\n', `${name} frame ${f.record.frameNo}`);
      }
    } catch (e) {
      // Damaged fixtures end with an error after their good frames; those frames were compared.
      if (!(e instanceof Error) || !('code' in e)) throw e;
    } finally {
      src.close();
    }
  }
  assert.ok(files > 100, `fixtures read: ${files}`);
  // Most fixture frames are plain TCP: the byte path must be the usual one, not the exception.
  assert.ok(taken > 5_000 && taken > 3 * declined, `byte path ${taken}, declined ${declined}`);
});

async function framesOf(name: string, n: number): Promise<Frame[]> {
  const src = await openCaptureFile(join(dir, name));
  const out: Frame[] = [];
  for await (const f of new Session(src)) {
    out.push({ ...f, record: { ...f.record, data: f.record.data.slice() } });
    if (out.length === n) break;
  }
  src.close();
  return out;
}

test('wide and huge numbers, ns and µs precision, IPv6 and IPv4 addresses of every width', async () => {
  const v4 = await framesOf('present-lo-telnet-v4.pcap', 6);
  const v6 = await framesOf('present-lo-telnet-v6.pcap', 6);
  let compared = 0;
  for (const f of [...v4, ...v6]) {
    const variants: Frame[] = [
      f,
      { ...f, record: { ...f.record, frameNo: 1234567, origLen: 65535 } },
      { ...f, timeRelativeNs: 123456_789_000_123, tsDigits: 9 },
      { ...f, timeRelativeNs: 2 ** 53 - 1, tsDigits: 6 },
      { ...f, timeRelativeNs: 999_999_999, tsDigits: 3 },
      { ...f, timeRelativeNs: 5, tsDigits: 0 },
      { ...f, record: { ...f.record, frameNo: 2 ** 32 + 17 } },
    ];
    if (f.pkt.ip4) {
      for (const [src, dst] of [[0, 0xffffffff], [0x0a000001, 0xc0a80a64], [0x01020304, 0xfefdfcfb]] as const) {
        variants.push({ ...f, pkt: { ...f.pkt, ip4: { ...f.pkt.ip4, src, dst } } });
      }
    }
    if (f.tcp) {
      variants.push({ ...f, tcp: { ...f.tcp, relSeq: 4294967295, relAck: 2 ** 31, windowSize: 1073725440 } });
    }
    for (const v of variants) {
      const b = bytesOf(v);
      assert.ok(b !== undefined, 'TCP over IP with small times takes the byte path');
      assert.equal(b, formatSummaryLine(v) + '\n');
      compared++;
    }
  }
  assert.ok(compared > 100);
  // A negative span or one past 2^53 ns is left to the string path.
  assert.equal(bytesOf({ ...v4[0]!, timeRelativeNs: -1 }), undefined);
  assert.equal(bytesOf({ ...v4[0]!, timeRelativeNs: 2 ** 53 }), undefined);
});
