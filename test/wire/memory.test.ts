/**
 * Constant memory: streaming a 64 MB capture through openCaptureStream keeps no chunk alive
 * once its records are consumed. Checked with forced GCs (v8 --expose-gc set at run time), not
 * with timings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openCaptureStream } from '../../src/wire/open.js';
import { fixtureBytes } from './support.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The records of lo-ethernet.pcap repeated into fresh 1 MiB chunks, `total` bytes in all. */
async function* bigCapture(total: number): AsyncGenerator<Uint8Array> {
  const file = fixtureBytes('lo-ethernet.pcap');
  const header = file.subarray(0, 24);
  const body = file.subarray(24);
  yield header.slice();
  const chunk = 1 << 20;
  // Odd chunk size relative to the body, so records straddle chunk edges all the time.
  let pos = 0;
  for (let sent = 0; sent < total; sent += chunk) {
    const c = new Uint8Array(chunk);
    for (let i = 0; i < chunk; ) {
      const k = Math.min(chunk - i, body.byteLength - pos);
      c.set(body.subarray(pos, pos + k), i);
      i += k;
      pos = (pos + k) % body.byteLength;
    }
    yield c;
  }
}

test('64 MB streamed: live ArrayBuffer memory stays bounded', async () => {
  gc();
  const base = process.memoryUsage().arrayBuffers;
  const src = await openCaptureStream(bigCapture(64 << 20), { name: 'big' });
  let n = 0;
  let worst = 0;
  try {
    for await (const r of src) {
      n++;
      if (r.capLen === 0) break;
      if (n % 100_000 === 0) {
        gc();
        worst = Math.max(worst, process.memoryUsage().arrayBuffers - base);
      }
    }
  } catch (e) {
    // The stream ends inside a record (the repeat does not end on a boundary): expected.
    assert.equal((e as { code?: string }).code, 'ERR_CAPTURE_TRUNCATED');
  }
  assert.ok(n > 300_000, `read ${n} records`);
  assert.ok(worst < 24 << 20, `live array buffers grew by ${worst} bytes`);
});
