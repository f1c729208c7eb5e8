/**
 * Progressive ingest in Chromium (issue 6): on a large capture (~150k frames of real loopback
 * captures, written by writeBigPcap) the list draws its first rows while the server is still
 * reading the file, the status bar counts grow, and a filter applied mid-ingest ends with the
 * same frames as tcplab read -Y. Ordering is asserted (the page logs when it first drew rows and
 * what the status said then), never elapsed time.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { UiServer } from '../../src/web/server.js';
import { launchChromium, root, snap, writeBigPcap, type BrowserHandle } from './support.js';

declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelectorAll(s: string): { length: number } };
declare const window: unknown;

const FILTER = 'tcp.analysis.retransmission';
let dir: string;
let big: string;
let frames: number;
let server: UiServer;
let url: string;
let handle: BrowserHandle;
let page: Page;

/** tcplab read's output lines (one per displayed frame). */
function cli(...args: string[]): string[] {
  return execFileSync(process.execPath, [join(root, 'bin', 'tcplab'), 'read', '-r', big, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n').filter((l) => l !== '');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcplab-progressive-'));
  big = join(dir, 'big.pcap');
  frames = writeBigPcap(big, 110);
  server = new UiServer({ port: 0 });
  url = await server.listen();
  handle = await launchChromium();
  page = await handle.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(60_000);
});

after(async () => {
  await handle?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a large capture: rows are drawn before ingest completes; counts and a mid-ingest filter end exact', async () => {
  assert.ok(frames > 100_000, `large file (${frames} frames)`);
  const want = cli('-Y', FILTER);
  assert.ok(want.length > 100 && want.length < frames, `selective filter (${want.length})`);
  // The page is open on an empty UI; the file is opened afterwards (as tcplab ui -r, or another
  // client's Open), and the page follows through its event stream.
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('st-packets')?.textContent === 'Packets: 0');
  await server.openFile(big);
  await page.waitForSelector('#list .row[data-frame="1"]');
  const log = async (): Promise<{ ev: string; packets: number; done: boolean }[]> => page.evaluate(() => (window as { tcplabLog: { ev: string; packets: number; done: boolean }[] }).tcplabLog);
  const first = (await log()).find((e) => e.ev === 'rows');
  assert.ok(first, 'rows were drawn');
  assert.equal(first.done, false, 'the status said the file was still loading when the first rows were drawn');
  assert.ok(first.packets > 0 && first.packets < frames, `Packets: ${first.packets} of ${frames} when the first rows were drawn`);
  assert.equal(await page.locator('#list .row[data-frame="1"]').innerText().then((t) => t.split(/\s+/)[0]), '1');
  // Apply a filter while the rest of the file is read (it may already be done on a fast machine:
  // the assertions below hold either way).
  await page.getByLabel('Display filter').fill(FILTER);
  await page.getByLabel('Display filter').press('Enter');
  await page.waitForFunction(([n, d]) => document.getElementById('st-packets')?.textContent === `Packets: ${n}`
    && (document.getElementById('st-displayed')?.textContent ?? '').startsWith(`Displayed: ${d} `)
    && document.getElementById('st-state')?.textContent === '', [frames, want.length] as const);
  const events = await log();
  const done = events.findIndex((e) => e.ev === 'done');
  assert.ok(done > events.indexOf(first), `ingest completed after the first rows: ${JSON.stringify(events)}`);
  assert.equal(events[done]!.packets, frames);
  // The rows shown are the CLI's matching frames, in order.
  const shown = await page.locator('#list .row').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: Record<string, string> }).dataset['frame'])));
  const cliFrames = want.map((l) => Number(l.trim().split(/\s+/)[0]));
  assert.ok(shown.length > 10);
  assert.deepEqual(shown.sort((a, b) => a - b), cliFrames.slice(0, shown.length));
  // The last matching frame is reachable by scrolling to the end.
  await page.evaluate(() => { const l = document.getElementById('list') as unknown as { scrollTop: number; scrollHeight: number }; l.scrollTop = l.scrollHeight; });
  await page.waitForSelector(`#list .row[data-frame="${cliFrames[cliFrames.length - 1]}"]`);
  await snap(page, '12-progressive');
});
