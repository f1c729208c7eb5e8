/**
 * Live capture through tcpdump and dumpcap on lo (the tests run as root): frames arrive while the
 * capture runs, count/duration/stop end it, and a bad BPF or interface gives the tool's own message
 * with a stable code. Needs the Debian packages tcpdump and wireshark-common (dumpcap).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startLiveCapture, classifyToolError, captureArgs, DUMPCAP_QUEUE_BYTES, type LiveCaptureSource } from '../../src/wire/live.js';
import { CaptureError } from '../../src/wire/errors.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import { withTimeout } from './support.js';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const server = net.createServer((s) => s.on('data', () => undefined).on('error', () => undefined));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as net.AddressInfo).port;
after(() => server.close());

async function send(payload: string): Promise<void> {
  const c = net.connect(port, '127.0.0.1');
  await withTimeout(once(c, 'connect'), 5000, 'connect');
  c.end(payload);
  await withTimeout(once(c, 'close'), 5000, 'close');
}

function contains(r: CaptureRecord, text: string): boolean {
  return Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).includes(text);
}

for (const tool of ['tcpdump', 'dumpcap'] as const) {
  test(`${tool}: frames arrive while capturing; stop() ends the capture`, async () => {
    const src: LiveCaptureSource = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}`, tool }), 15_000, 'start');
    try {
      const it = src[Symbol.asyncIterator]();
      await send(`hello-${tool}`);
      let sawPayload = false;
      let n = 0;
      // Read until our payload has arrived — while the capture is still running.
      while (!sawPayload && n < 50) {
        const r = await withTimeout(it.next(), 10_000, 'next frame');
        assert.equal(r.done, false);
        n++;
        assert.equal(r.value.linkType, 1);
        assert.equal(r.value.frameNo, n);
        if (contains(r.value, `hello-${tool}`)) sawPayload = true;
      }
      assert.ok(sawPayload, 'payload captured');
      assert.equal(src.info.interfaces[0]?.linkType, 1);
      assert.equal(src.info.interfaces[0]?.name, 'lo');
      assert.equal(src.info.interfaces[0]?.tsDigits, 9, 'ns timestamps, as tshark -i shows them');
      src.stop();
      for (;;) {
        const r = await withTimeout(it.next(), 10_000, 'drain after stop');
        if (r.done === true) break;
      }
    } finally {
      src.close();
    }
  });

  test(`${tool}: count N yields exactly N frames then ends`, async () => {
    const src = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}`, count: 3, tool }), 15_000, 'start');
    try {
      const collected: number[] = [];
      const done = (async () => {
        for await (const r of src) collected.push(r.frameNo);
      })();
      await send('x'.repeat(10));
      await withTimeout(done, 15_000, 'count');
      assert.deepEqual(collected, [1, 2, 3]);
    } finally {
      src.close();
    }
  });

  test(`${tool}: a bad BPF gives ERR_CAPTURE_BAD_FILTER with the tool's message`, async () => {
    await assert.rejects(
      withTimeout(startLiveCapture({ iface: 'lo', bpf: 'tcp port', tool }), 15_000, 'bad bpf'),
      (e: CaptureError) => {
        assert.equal(e.code, 'ERR_CAPTURE_BAD_FILTER');
        assert.match(e.message, /can't parse filter expression: syntax error/);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  });

  test(`${tool}: a bad interface gives ERR_CAPTURE_TOOL with the tool's message`, async () => {
    await assert.rejects(
      withTimeout(startLiveCapture({ iface: 'nosuch0', tool }), 15_000, 'bad iface'),
      (e: CaptureError) => e.code === 'ERR_CAPTURE_TOOL' && /nosuch0/.test(e.message) && /No such device/.test(e.message),
    );
  });
}

test('dumpcap queues up to 64 MiB on its own capture thread, so a stalled reader does not block it (bench/capture-live.bench.ts)', () => {
  const a = captureArgs('dumpcap', { iface: 'lo', bpf: 'tcp port 1' });
  assert.deepEqual(a.slice(a.indexOf('-t'), a.indexOf('-t') + 3), ['-t', '-C', String(64 * 1024 * 1024)]);
  assert.equal(DUMPCAP_QUEUE_BYTES, 64 * 1024 * 1024);
  assert.deepEqual(a.slice(-2), ['-f', 'tcp port 1']);
});

test('tcpdump: durationSec ends the capture', async () => {
  const t0 = Date.now();
  const src = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}`, durationSec: 1 }), 15_000, 'start');
  try {
    for await (const _ of src) {
      // none expected
    }
  } finally {
    src.close();
  }
  const ms = Date.now() - t0;
  assert.ok(ms >= 900 && ms < 8000, `ended after ${ms} ms`);
});

test('close() kills the tool at once', async () => {
  const src = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}` }), 15_000, 'start');
  const it = src[Symbol.asyncIterator]();
  const pending = it.next();
  src.close();
  const r = await withTimeout(pending, 5000, 'next after close');
  assert.equal(r.done, true);
});

for (const tool of ['tcpdump', 'dumpcap'] as const) {
  test(`${tool} run as nobody: ERR_CAPTURE_PERMISSION with the tool's message`, async () => {
    await assert.rejects(
      withTimeout(startLiveCapture({ iface: 'lo', tool, runAs: { uid: 65534, gid: 65534 } }), 15_000, 'as nobody'),
      (e: CaptureError) => {
        assert.equal(e.code, 'ERR_CAPTURE_PERMISSION', e.message);
        assert.match(e.message, /permission/);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  });
}

test('without dumpcap on PATH, tcpdump is used; with neither, a clear ERR_CAPTURE_TOOL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-path-'));
  symlinkSync('/usr/bin/tcpdump', join(dir, 'tcpdump'));
  const saved = process.env['PATH'];
  try {
    process.env['PATH'] = dir;
    const src = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}` }), 15_000, 'fallback');
    assert.equal(src.tool, 'tcpdump');
    src.close();
    process.env['PATH'] = join(dir, 'empty');
    await assert.rejects(startLiveCapture({ iface: 'lo' }), (e: CaptureError) => e.code === 'ERR_CAPTURE_TOOL' && /neither dumpcap nor tcpdump is installed/.test(e.message));
  } finally {
    process.env['PATH'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('permission errors are classified (stderr of tcpdump/dumpcap run as nobody on lo)', () => {
  // Captured once with: runuser -u nobody -- tcpdump -i lo -w -   (and the same for dumpcap)
  const t = classifyToolError('tcpdump', "tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n", 'exited with status 1');
  assert.equal(t.code, 'ERR_CAPTURE_PERMISSION');
  assert.match(t.message, /^tcpdump: lo: You don't have permission to perform this capture on that device \(socket: Operation not permitted\)/);
  const d = classifyToolError('dumpcap', `Capturing on 'Loopback: lo'\ndumpcap: You do not have permission to capture on device "lo".\n(socket: Operation not permitted)\nPlease check to make sure you have sufficient permissions.\n`, 'exited with status 2');
  assert.equal(d.code, 'ERR_CAPTURE_PERMISSION');
  assert.match(d.message, /^dumpcap: You do not have permission to capture on device "lo"\./);
});
