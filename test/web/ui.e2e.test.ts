/**
 * End-to-end tests of `tcplab ui` in Debian's Chromium (playwright-core): a real capture of the
 * echo server (analysis-lo-bulk-loss.pcap: loopback, zero windows and window-full segments),
 * served by a UiServer on 127.0.0.1:0. Screenshots go to test-results/web/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixture, openUiPage, root, snap, type UiPage } from './support.js';

// Browser-side callbacks run in the page; these names are the page's (the main tsconfig has no DOM lib).
declare const document: { getElementById(id: string): { textContent: string | null; className: string } | null; querySelector(s: string): { getAttribute(n: string): string | null } | null };
declare function getComputedStyle(e: unknown): { color: string };
type HTMLElement = { dataset: Record<string, string | undefined> };

const FILE = fixture('analysis-lo-bulk-loss.pcap');
const TELNET = fixture('analysis-lo-telnet-v4.pcap');

let ui: UiPage | undefined;
let url: string;
let page: Page;

/** tcplab read's displayed line count for a filter: the number the UI's "Displayed:" must equal. */
function cliCount(file: string, filter: string): number {
  const out = execFileSync(process.execPath, [join(root, 'bin', 'tcplab'), 'read', '-r', file, '-Y', filter], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').length;
}

async function waitStatus(packets: number, displayed: number): Promise<void> {
  await page.waitForFunction(([p, d]) => document.getElementById('st-packets')?.textContent === `Packets: ${p}`
    && (document.getElementById('st-displayed')?.textContent ?? '').startsWith(`Displayed: ${d}`), [packets, displayed], { timeout: 10_000 });
}

before(async () => {
  ui = await openUiPage([FILE, TELNET], FILE);
  ({ url, page } = ui);
});

after(async () => {
  await ui?.close();
});

test('opening a capture: status bar counts and rows with data-frame', async () => {
  await waitStatus(73, 73);
  await page.waitForSelector('#list .row[data-frame="1"]');
  const first = await page.locator('#list .row[data-frame="1"]').innerText();
  assert.match(first, /60390 → 6666 \[SYN\] Seq=0 Win=65495/);
  assert.equal(await page.locator('#list .row[data-frame="1"]').getAttribute('class'), 'row synfin');
  // Window Full frames are "Bad TCP" in Wireshark's colouring rules.
  await page.waitForSelector('#list .row[data-frame="7"]');
  assert.match((await page.locator('#list .row[data-frame="7"]').getAttribute('class')) ?? '', /\bbad\b/);
  await snap(page, '01-open');
});

test('filter bar: red with the error under its span, green when valid, Enter applies and matches tcplab read', async () => {
  const input = page.getByLabel('Display filter');
  await input.fill('tcp.flgs == 1');
  await page.waitForFunction(() => document.getElementById('filter')?.className === 'invalid');
  assert.match(await page.locator('#filtermsg').innerText(), /^\^{8} .*tcp\.flgs/);
  await snap(page, '02-filter-invalid');
  for (const filter of ['tcp.analysis.window_full', 'tcp.len > 0 && tcp.srcport == 6666', 'tcp.analysis.flags']) {
    await input.fill(filter);
    await page.waitForFunction(() => document.getElementById('filter')?.className === 'valid');
    await input.press('Enter');
    const want = cliCount(FILE, filter);
    assert.ok(want > 0 && want < 73, `${filter}: a selective filter (${want})`);
    await waitStatus(73, want);
    // Rows come from their own request after the status: wait for them (a block request left
    // pending by the previous filter once kept this filter's rows from ever being drawn).
    await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
      .document.querySelectorAll('#list .row').length === n, want, { timeout: 5_000 }).catch(() => undefined);
    const rows = await page.locator('#list .row').count();
    assert.equal(rows, want, `${filter}: every displayed row rendered`);
  }
  // A filter applied while the previous filter's rows are still loading shows its own rows: the
  // first filter's row request is held back 400 ms, so it is still pending when the second applies.
  await page.route('**/api/frames?*', async (route) => {
    if (route.request().url().includes(encodeURIComponent('tcp.analysis.flags'))) await new Promise((r) => setTimeout(r, 400));
    // After unroute() Playwright may have let the request go on already.
    await route.continue().catch(() => undefined);
  });
  try {
    const want = cliCount(FILE, 'tcp.analysis.window_full');
    const flagged = cliCount(FILE, 'tcp.analysis.flags');
    for (let i = 0; i < 2; i++) {
      await input.fill('tcp.analysis.flags');
      await input.press('Enter');
      await waitStatus(73, flagged);
      await input.fill('tcp.analysis.window_full');
      await input.press('Enter');
      await waitStatus(73, want);
      await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
        .document.querySelectorAll('#list .row').length === n, want, { timeout: 3_000 }).catch(() => undefined);
      assert.equal(await page.locator('#list .row').count(), want, `round ${i}: rows of the last filter applied`);
    }
  } finally {
    await page.unroute('**/api/frames?*');
  }
  await snap(page, '03-filter-applied');
  await input.fill('');
  await input.press('Enter');
  await waitStatus(73, 73);
});

test('selecting a frame shows the -V tree; tree and hex pane highlight each other', async () => {
  await page.locator('#list .row[data-frame="4"]').click();
  const tree = page.getByRole('tree');
  await tree.getByText('Transmission Control Protocol, Src Port: 60390, Dst Port: 6666', { exact: false }).waitFor();
  // Same sections as tcplab read -V.
  const sections = await page.locator('#tree > ul > li > span').allInnerTexts();
  const cliV = execFileSync(process.execPath, [join(root, 'bin', 'tcplab'), 'read', '-r', FILE, '-V', '-Y', 'frame.number == 4'], { encoding: 'utf8' });
  const cliSections = cliV.split('\n').filter((l) => l !== '' && !l.startsWith(' ') && !/^[0-9a-f]{4}  /.test(l));
  assert.deepEqual(sections.map((s) => s.replace(/^[▸▾]/, '')), cliSections);
  // Expand TCP and pick "Source Port": its 2 bytes (offset 34, 35 on Ethernet/IPv4) light up.
  const tcp = page.locator('#tree > ul > li').filter({ hasText: 'Transmission Control Protocol' }).first();
  await tcp.locator(':scope > span').dblclick();
  await tcp.getByText('Source Port: 60390', { exact: true }).click();
  const hl = await page.locator('#hex .b.hl').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['o']));
  assert.deepEqual(hl, ['34', '35']);
  assert.equal(await page.locator('#hex .b.hl').first().innerText(), 'eb');
  // Reverse: clicking byte 24 (IPv4 checksum, 2 bytes) selects "Header Checksum" in the tree.
  await page.locator('#hex .b[data-o="24"]').click();
  const sel = page.locator('#tree li[aria-selected="true"] > span');
  assert.match(await sel.innerText(), /Header Checksum: 0x/);
  assert.deepEqual(await page.locator('#hex .b.hl').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['o'])), ['24', '25']);
  // Keyboard: Down moves to the next visible item, whose bytes light up in turn.
  await page.getByRole('tree').press('ArrowDown');
  assert.match(await sel.innerText(), /Header checksum status: Unverified/);
  await page.getByRole('tree').press('ArrowDown');
  assert.match(await sel.innerText(), /^Source Address: 127\.0\.0\.1/);
  assert.deepEqual(await page.locator('#hex .b.hl').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['o'])), ['26', '27', '28', '29']);
  await snap(page, '04-tree-hex');
});

test('flow graph: one arrow per segment of the stream, steps with the --explain text', async () => {
  await page.locator('#list .row[data-frame="7"]').click();
  await page.getByRole('tree').getByText('Transmission Control Protocol', { exact: false }).first().waitFor();
  await page.locator('#btn-flow').click();
  await page.waitForSelector('#panel svg.ladder');
  const arrows = await page.locator('#panel svg .arrow').count();
  assert.equal(arrows, cliCount(FILE, 'tcp.stream == 0'));
  assert.equal(await page.locator('#panel svg text').first().innerHTML(), '127.0.0.1:60390');
  // The step starts at the selected frame (7: Window Full) and shows why it was flagged.
  assert.match(await page.locator('#stepinfo').innerText(), /^Frame 7 /);
  assert.match(await page.locator('#explain').innerText(), /\[TCP Window Full\]/);
  assert.equal(await page.locator('#panel svg .arrow.cur').getAttribute('data-frame'), '7');
  await page.locator('#next').click();
  await page.waitForFunction(() => document.querySelector('#panel svg .arrow.cur')?.getAttribute('data-frame') === '8');
  await snap(page, '05-flow-graph');
  // The Stevens graph is uPlot's canvas; its data segments are the sender's frames with payload.
  await page.locator('#btn-stevens').click();
  await page.waitForSelector('#stevens[data-segments] canvas');
  const dir = await page.locator('#panelbody').getAttribute('data-dir');
  const [sender, receiver] = dir === '0' ? [60390, 6666] : [6666, 60390];
  assert.equal(Number(await page.locator('#stevens').getAttribute('data-segments')), cliCount(FILE, `tcp.stream == 0 && tcp.srcport == ${sender} && tcp.len > 0`));
  assert.equal(Number(await page.locator('#stevens').getAttribute('data-acks')), cliCount(FILE, `tcp.stream == 0 && tcp.srcport == ${receiver} && tcp.flags.ack == 1`));
  await snap(page, '06-stevens');
});

test('follow TCP stream: both directions in two colours; conversations and expert info', async () => {
  await page.locator('#btn-follow').click();
  await page.waitForSelector('#follow pre');
  assert.ok(await page.locator('#follow .c0').count() > 0);
  assert.ok(await page.locator('#follow .c1').count() > 0);
  const c0 = await page.locator('#follow .c0').first().evaluate((e) => getComputedStyle(e).color);
  const c1 = await page.locator('#follow .c1').first().evaluate((e) => getComputedStyle(e).color);
  assert.notEqual(c0, c1);
  await snap(page, '07-follow');
  await page.locator('#btn-conv').click();
  await page.waitForSelector('#convs tr[data-stream="0"]');
  assert.match(await page.locator('#convs tr[data-stream="0"]').innerText(), /127\.0\.0\.1:60390\s+127\.0\.0\.1:6666\s+73/);
  await page.locator('#btn-expert').click();
  await page.waitForSelector('#expert');
  assert.match(await page.locator('#expert').innerText(), /Warning\s+TCP Window Full\s+TCP\s+8/);
  await page.locator('#panelclose').click();
});

test('export a stream as one static HTML page', async () => {
  const r = await fetch(`${url}api/export/0`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="tcp-stream-0.html"/);
  const html = await r.text();
  assert.match(html, /<svg[^>]*class="ladder"/);
  assert.match(html, /<svg[^>]*class="stevens"/);
  assert.match(html, /\[TCP Window Full\]/);
  assert.doesNotMatch(html, /<script/);
});

test('download the filtered frames as pcapng; tcplab reads back the same frames', async () => {
  const r = await fetch(`${url}api/download.pcapng?filter=${encodeURIComponent('tcp.analysis.window_full')}`);
  assert.equal(r.status, 200);
  const bytes = new Uint8Array(await r.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x0a, 0x0d, 0x0d, 0x0a]);
  const { BufferCaptureReader } = await import('../../src/wire/open.js');
  const n = [...new BufferCaptureReader(bytes)].length;
  assert.equal(n, cliCount(FILE, 'tcp.analysis.window_full'));
});

test('the API refuses paths it was not given; a bad upload gets a message in the page', async () => {
  for (const p of ['/etc/passwd', join(root, 'package.json'), `${FILE}/../../../../package.json`]) {
    const r = await fetch(`${url}api/open?path=${encodeURIComponent(p)}`, { method: 'POST' });
    assert.equal(r.status, 403, p);
  }
  const ok = await fetch(`${url}api/open?path=${encodeURIComponent(TELNET)}`, { method: 'POST' });
  assert.equal(ok.status, 200);
  await waitStatus(cliCount(TELNET, ''), cliCount(TELNET, ''));
  // A damaged upload through the file picker: the page says why, the open capture stays.
  await page.locator('#file').setInputFiles({ name: 'junk.pcap', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a capture file at all') });
  await page.waitForSelector('#notices .err');
  assert.match(await page.locator('#notices .err').innerText(), /Could not open junk\.pcap: .*(format|capture|recogni)/i);
  await snap(page, '08-bad-upload');
  // A good upload replaces the capture.
  await page.locator('#file').setInputFiles({ name: 'bulk.pcap', mimeType: 'application/octet-stream', buffer: readFileSync(FILE) });
  await waitStatus(73, 73);
  assert.equal(await page.locator('#st-file').innerText(), 'bulk.pcap');
});
