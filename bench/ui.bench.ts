/**
 * Web UI benchmark (issue 6): a large capture in Debian's Chromium through playwright-core.
 *   1. open → first rows visible in the page (target: < 2 s for 300k frames), and full ingest time;
 *      the server's event-loop delay while it ingests (monitorEventLoopDelay: how long a request
 *      can wait for its turn), and 150 animation frames of scrolling *during* the ingest;
 *   2. scrolling after the ingest: 400 animation frames of continuous scrolling (10 rows per frame) — frame
 *      intervals (p50/p95/max) and how many frames showed blank rows; then 40 random jumps —
 *      time until the rows at the new position are drawn;
 *   3. a display filter over the whole capture (first pass, server-side) through the API;
 *   4. memory: RSS and heap after ingest, and with a frame cap (the live-capture bound).
 *
 * Usage (after `npm run build`):
 *   mergecap -a -F pcap -w /tmp/uiseed.pcap test/fixtures/pcap/analysis-lo-*.pcap
 *   mergecap -a -F pcap -w /tmp/ui300k.pcap $(for i in $(seq 141); do echo /tmp/uiseed.pcap; done)
 *   node --expose-gc dist/bench/ui.bench.js /tmp/ui300k.pcap
 * Without FILE it makes that same file in a temporary directory (npm run bench does this).
 * Not part of the tests: numbers depend on the machine.
 */
import { performance, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { UiServer } from '../src/web/server.js';
import { FrameStore } from '../src/web/store.js';
import { loadSource } from '../src/web/ingest.js';
import { openCaptureFile } from '../src/wire/open.js';

/** Without a FILE argument (npm run bench): the 300k-frame file of the usage line, made with mergecap. */
function makeBigCapture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tcplab-ui-bench-'));
  const pcaps = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'pcap');
  const seeds = readdirSync(pcaps).filter((f) => /^analysis-lo-.*\.pcap$/.test(f)).map((f) => join(pcaps, f));
  const seed = join(dir, 'seed.pcap'), big = join(dir, 'big.pcap');
  execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', seed, ...seeds]);
  execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', big, ...Array<string>(141).fill(seed)]);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return big;
}

const file = process.argv[2] ?? makeBigCapture();

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
function mem(): string {
  gc?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap used ${mb(m.heapUsed)}, array buffers ${mb(m.arrayBuffers)}`;
}
const pct = (a: number[], p: number): number => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor((a.length * p) / 100))] ?? 0;

declare const document: { querySelectorAll(s: string): { length: number }; getElementById(id: string): { scrollTop: number; scrollHeight: number; clientHeight: number; textContent: string | null } };
declare function requestAnimationFrame(cb: (t: number) => void): void;
declare const window: unknown;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const server = new UiServer({ port: 0, files: [file] });
const url = await server.listen();

/**
 * Continuous scroll in the page: `frames` animation frames, 10 rows per frame (from the middle of
 * the list, or from the top during ingest); frame intervals and frames that showed blank rows.
 */
async function scrollRun(frames: number, fromMiddle: boolean): Promise<{ gaps: number[]; blank: number }> {
  return page.evaluate(async ([n0, mid]) => {
    const list = document.getElementById('list');
    if (mid) list.scrollTop = list.scrollHeight / 2;
    await new Promise((r) => setTimeout(r, mid ? 500 : 0));
    const gaps: number[] = [];
    let blank = 0;
    let last = -1;
    await new Promise<void>((resolve) => {
      let n = 0;
      const step = (t: number): void => {
        if (last >= 0) gaps.push(t - last);
        last = t;
        const want = Math.min(Math.ceil(list.clientHeight / 18), Math.floor((list.scrollHeight - list.scrollTop) / 18));
        if (document.querySelectorAll('#list .row').length < want) blank++;
        list.scrollTop += 180;
        if (++n < n0) requestAnimationFrame(step); else resolve();
      };
      requestAnimationFrame(step);
    });
    return { gaps, blank };
  }, [frames, fromMiddle] as const);
}
const intervals = (g: number[]): string => `frame interval p50 ${pct(g, 50).toFixed(1)} ms, p95 ${pct(g, 95).toFixed(1)} ms, max ${Math.max(...g).toFixed(1)} ms`;

await page.addInitScript(() => {
  const w = window as unknown as { firstRowAt?: number; MutationObserver: new (cb: () => void) => { observe(n: unknown, o: unknown): void; disconnect(): void }; document: { querySelector(s: string): unknown }; performance: { now(): number } };
  const mo = new w.MutationObserver(() => {
    if (w.firstRowAt === undefined && w.document.querySelector('#list .row')) { w.firstRowAt = w.performance.now(); mo.disconnect(); }
  });
  mo.observe(w.document, { childList: true, subtree: true });
});
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
// GC pauses of this process (server and harness) while ingesting.
const gcPauses: number[] = [];
const gcObs = new PerformanceObserver((l) => { for (const e of l.getEntries()) gcPauses.push(e.duration); });
gcObs.observe({ entryTypes: ['gc'] });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
loopDelay.enable();
await server.openFile(file);
await page.goto(url);
await page.waitForSelector('#list .row', { timeout: 60_000 });
const firstRows = performance.now() - t0;
// The page's own record of when the first row appeared (a MutationObserver installed before the
// page's script; its clock's origin is comparable with ours): free of the delay with which this
// process, busy ingesting, hears back from Chromium.
const drawn = await page.evaluate(() => {
  const w = window as unknown as { firstRowAt?: number; performance: { timeOrigin: number } };
  return w.firstRowAt === undefined ? undefined : w.performance.timeOrigin + w.firstRowAt;
});
const inPage = drawn !== undefined ? `; in the page: ${(drawn - (performance.timeOrigin + t0)).toFixed(0)} ms` : '';
console.log(`first rows visible: ${firstRows.toFixed(0)} ms after opening (frames ingested by then: ${server.store.total})${inPage}`);
const during = await scrollRun(150, false);
const doneDuring = server.store.done;
console.log(`scroll during ingest (150 frames, 10 rows/frame${doneDuring ? ', ingest ended before the last frame' : ''}): ${intervals(during.gaps)}; frames with missing rows: ${during.blank}`);
while (!server.store.done) await new Promise((r) => setTimeout(r, 20));
const ingest = performance.now() - t0;
loopDelay.disable();
gcObs.disconnect();
const cpu = process.cpuUsage(cpu0);
console.log(`ingest: ${server.store.total} frames in ${ingest.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU of this process (${(((cpu.user + cpu.system) / 1000 / server.store.total) * 1e6).toFixed(0)} ns/frame); ${mem()}`);
const ms = (ns: number): string => (ns / 1e6).toFixed(1);
console.log(`server event-loop delay during ingest: p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms; GC pauses ${gcPauses.length}, total ${gcPauses.reduce((a, b) => a + b, 0).toFixed(0)} ms, max ${Math.max(0, ...gcPauses).toFixed(1)} ms`);
await page.waitForFunction((n) => document.getElementById('st-packets').textContent === `Packets: ${n}`, server.store.total, { timeout: 30_000 });

// Continuous scroll after ingest: 10 rows per animation frame, from the middle of the capture.
const scroll = await scrollRun(400, true);
console.log(`continuous scroll (400 frames, 10 rows/frame): ${intervals(scroll.gaps)}; frames with missing rows: ${scroll.blank}`);

// Random jumps: time until the rows at the new position are drawn.
const jumps: number[] = [];
for (let i = 0; i < 40; i++) {
  const frac = ((i * 7919) % 1000) / 1000;
  const t = performance.now();
  await page.evaluate((f) => {
    const list = document.getElementById('list');
    list.scrollTop = Math.floor((list.scrollHeight - list.clientHeight) * f);
  }, frac);
  await page.waitForFunction(() => {
    const list = document.getElementById('list');
    return document.querySelectorAll('#list .row').length >= Math.ceil(list.clientHeight / 18);
  }, undefined, { timeout: 10_000, polling: 'raf' });
  jumps.push(performance.now() - t);
}
console.log(`random jumps (40): rows drawn after p50 ${pct(jumps, 50).toFixed(0)} ms, p95 ${pct(jumps, 95).toFixed(0)} ms, max ${Math.max(...jumps).toFixed(0)} ms`);

// A filter over the whole capture: the first answer (rows so far), then the status until the
// count is final (a build without background scans answers after its whole first pass).
for (const f of ['tcp.analysis.flags', 'tcp.len > 1000 && tcp.srcport == 6666']) {
  const q = encodeURIComponent(f);
  const t = performance.now();
  await (await fetch(`${url}api/frames?start=0&count=100&filter=${q}`)).json();
  const first = performance.now() - t;
  let st: { displayed: number; filtering?: boolean };
  do st = await (await fetch(`${url}api/status?filter=${q}`)).json() as typeof st;
  while (st.filtering === true);
  const full = performance.now() - t;
  const t2 = performance.now();
  await fetch(`${url}api/frames?start=5000&count=100&filter=${q}`);
  console.log(`filter "${f}": ${st.displayed} of ${server.store.total} frames; first rows ${first.toFixed(0)} ms, final count ${full.toFixed(0)} ms, cached page ${(performance.now() - t2).toFixed(1)} ms`);
}
await page.screenshot({ path: 'test-results/ui-bench.png' }).catch(() => undefined);
await browser.close();
await server.close();
console.log(`after closing the UI: ${mem()}`);

// The live bound: the same frames through a store capped at 50k frames (the UI's store released).
await server.attach(new FrameStore('(none)'), Promise.resolve());
console.log(`UI store released: ${mem()}`);
const capped = new FrameStore(file, { maxFrames: 50_000 });
await loadSource(capped, await openCaptureFile(file));
console.log(`capped store (maxFrames 50000): ${capped.total} frames seen, ${capped.total - capped.dropped} kept, ${capped.dropped} dropped; ${mem()}`);
