/**
 * Live capture in the web UI: tcpdump on loopback while a client talks to `tcplab serve`, frames
 * appearing in Chromium as they are captured with the display filter applied live; and the CLI
 * (`tcplab ui -i lo --with-echo-server`, and without capture privileges: the UI still opens with
 * a notice). Needs root for the capture (the tests run as root here) and tcpdump.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { UiServer } from '../../src/web/server.js';
import { FrameStore } from '../../src/web/store.js';
import { loadSource } from '../../src/web/ingest.js';
import { startLiveCapture } from '../../src/wire/live.js';
import { launchChromium, root, snap, withTimeout, type BrowserHandle } from './support.js';

declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelectorAll(s: string): { length: number } };
declare const window: unknown;

const BIN = join(root, 'bin', 'tcplab');
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

after(async () => {
  for (const c of cleanups.reverse()) await c();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function run(args: string[], opts: { uid?: number; gid?: number } = {}): ChildProcess {
  const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.push(c);
  return c;
}

/** Resolves with the first stdout match of `re` (bounded wait). */
async function waitOutput(c: ChildProcess, re: RegExp, ms = 15_000): Promise<RegExpMatchArray> {
  let buf = '';
  return withTimeout(new Promise<RegExpMatchArray>((resolve, reject) => {
    const on = (d: Buffer): void => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) resolve(m);
    };
    c.stdout?.on('data', on);
    c.stderr?.on('data', on);
    c.once('exit', (code) => reject(new Error(`exited ${code}: ${buf}`)));
  }), ms, `output ${re} (got: ${buf})`);
}

/** One echo round: write a line, wait for it to come back. */
async function echoRound(s: Socket, line: string): Promise<void> {
  let got = '';
  await withTimeout(new Promise<void>((resolve) => {
    const on = (d: Buffer): void => {
      got += d.toString();
      if (got === line) { s.off('data', on); resolve(); }
    };
    s.on('data', on);
    s.write(line);
  }), 5000, 'echo');
}

async function talk(port: number, rounds: number): Promise<void> {
  const s = connect(port, '127.0.0.1');
  await withTimeout(once(s, 'connect'), 5000, 'connect');
  for (let i = 0; i < rounds; i++) {
    await echoRound(s, `hello ${i}\n`);
    await new Promise((r) => setTimeout(r, 60));
  }
  s.end();
  await withTimeout(once(s, 'close'), 5000, 'close');
}

test('live: frames appear in the page while a client talks to tcplab serve; the filter applies live', async () => {
  const port = await freePort();
  const serve = run(['serve', '-p', String(port), '--host', '127.0.0.1']);
  await waitOutput(serve, /listening/i);
  const ui = new UiServer({ port: 0 });
  const url = await ui.listen();
  cleanups.push(() => ui.close());
  const store = new FrameStore('live: lo');
  const src = await startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}` });
  ui.live = true;
  const done = ui.attach(store, loadSource(store, src), () => src.stop());
  const handle: BrowserHandle = await launchChromium();
  cleanups.push(() => handle.close());
  const page = await handle.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('st-state')?.textContent === 'Live capture running', undefined, { timeout: 20_000 });
  // The filter is applied before the traffic: matching frames must show up as they arrive.
  await page.getByLabel('Display filter').fill('tcp.len > 0');
  await page.getByLabel('Display filter').press('Enter');
  await talk(port, 5);
  // 5 lines and their 5 echoes carry data: 10 displayed frames.
  await page.waitForFunction(() => (document.getElementById('st-displayed')?.textContent ?? '').startsWith('Displayed: 10 '), undefined, { timeout: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('#list .row').length === 10, undefined, { timeout: 20_000 });
  // The status bar catches up with every captured frame (the close comes last).
  await new Promise((r) => setTimeout(r, 500));
  await page.waitForFunction((n) => document.getElementById('st-packets')?.textContent === `Packets: ${n}`, store.total, { timeout: 20_000 });
  assert.ok(store.total >= 18, `handshake + 5 rounds + close captured (${store.total})`);
  const infos = await page.locator('#list .row').allInnerTexts();
  assert.ok(infos.every((t) => /Len=(7|8)\b/.test(t)), infos.join('\n'));
  await snap(page, '10-live');
  // The Stevens graph of a stream follows the capture: more echo rounds, more segments drawn.
  const s = connect(port, '127.0.0.1');
  await withTimeout(once(s, 'connect'), 5000, 'connect');
  await echoRound(s, 'stevens 0\n');
  await page.getByLabel('Display filter').fill('tcp.len > 0 && tcp.stream == 1');
  await page.getByLabel('Display filter').press('Enter');
  await page.waitForSelector('#list .row');
  await page.locator('#list .row').first().click();
  await page.getByRole('tree').getByText('Transmission Control Protocol', { exact: false }).first().waitFor();
  // uPlot draws it; the same chart is extended (not redrawn from scratch) as frames arrive.
  await page.locator('#btn-stevens').click();
  await page.waitForSelector('#stevens[data-segments] canvas');
  const segs = async (): Promise<number> => Number(await page.locator('#stevens').getAttribute('data-segments'));
  const before = await segs();
  assert.ok(before >= 1, `the first round's segment is drawn (${before})`);
  const pointsBefore = await page.evaluate(() => {
    const u = (window as unknown as { tcplabStevens: { data: unknown[][]; liveMark?: number } }).tcplabStevens;
    u.liveMark = 1;
    return u.data[0]!.length;
  });
  for (let i = 1; i <= 4; i++) await echoRound(s, `stevens ${i}\n`);
  let now = before;
  for (let i = 0; i < 100 && now < before + 4; i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = await segs();
  }
  assert.ok(now >= before + 4, `Stevens segments: ${before} before, ${now} after 4 more rounds`);
  const after = await page.evaluate(() => {
    const u = (window as unknown as { tcplabStevens: { data: (number | null | undefined)[][]; liveMark?: number } }).tcplabStevens;
    return { mark: u.liveMark, points: u.data[0]!.length, data: u.data[1]!.filter((v) => v != null).length + u.data[2]!.filter((v) => v != null).length };
  });
  assert.equal(after.mark, 1, 'the same uPlot chart was extended');
  assert.ok(after.points > pointsBefore, `points ${pointsBefore} → ${after.points}`);
  assert.equal(after.data, now, 'uPlot holds one data point per segment');
  await snap(page, '11-live-stevens');
  s.end();
  src.stop();
  await withTimeout(done, 10_000, 'capture stop');
  serve.kill('SIGTERM');
});

test('cli: tcplab ui -i lo --with-echo-server prints the URL and a connect line, and captures the echo traffic', async () => {
  const echoPort = await freePort();
  const c = run(['ui', '-i', 'lo', '-f', `tcp port ${echoPort}`, '--with-echo-server', '--echo-port', String(echoPort), '--port', '0']);
  const m = await waitOutput(c, /tcplab ui: open (http:\/\/127\.0\.0\.1:\d+\/)[\s\S]*tcplab connect 127\.0\.0\.1 (\d+)/);
  assert.equal(Number(m[2]), echoPort);
  const url = m[1]!;
  await talk(echoPort, 2);
  let st: { total: number; live: boolean } = { total: 0, live: false };
  for (let i = 0; i < 50 && st.total < 10; i++) {
    st = await (await fetch(`${url}api/status`)).json() as typeof st;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(st.live, true);
  assert.ok(st.total >= 10, `captured ${st.total}`);
  c.kill('SIGTERM');
  const [code] = await withTimeout(once(c, 'exit'), 5000, 'exit');
  assert.equal(code, 0);
});

test('cli: without capture privileges the UI still opens, with a notice saying how to enable live capture', async () => {
  const c = run(['ui', '-i', 'lo', '-f', 'tcp port 1', '--port', '0'], { uid: 65534, gid: 65534 });
  const m = await waitOutput(c, /tcplab ui: open (http:\/\/127\.0\.0\.1:\d+\/)/);
  const st = await (await fetch(`${m[1]}api/status`)).json() as { live: boolean; notices: string[] };
  assert.equal(st.live, false);
  assert.match(st.notices.join('\n'), /Live capture unavailable: .*setcap cap_net_raw,cap_net_admin=eip/);
  const page = await (await fetch(m[1]!)).text();
  assert.match(page, /aria-label="Display filter"/);
  c.kill('SIGTERM');
  await withTimeout(once(c, 'exit'), 5000, 'exit');
});

test('cli: bad usage exits 2 with one line', async () => {
  const c = run(['ui', '-r', 'x.pcap', '-i', 'lo', '--port', '0']);
  let err = '';
  c.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const [code] = await withTimeout(once(c, 'exit'), 5000, 'exit');
  assert.equal(code, 2);
  assert.equal(err.trim().split('\n').length, 1);
  const d = run(['ui', '-r', '/nonexistent.pcap', '--port', '0']);
  let err2 = '';
  d.stderr?.on('data', (x: Buffer) => { err2 += x.toString(); });
  const [code2] = await withTimeout(once(d, 'exit'), 5000, 'exit');
  assert.equal(code2, 2);
  assert.doesNotMatch(err2, /\n\s+at /);
});
