/**
 * The Stevens time-sequence graph in Chromium, drawn by uPlot from a real capture with loss
 * (analysis-loss.pcap: loopback Go echo exchange, ~10 % of client segments dropped by nftables,
 * retransmissions and SACK blocks). For each direction, uPlot's own data must hold one point per
 * data segment, retransmission, ACK and SACK-carrying ACK that tcplab read -Y finds, and the
 * canvas must show the segment and retransmission colours.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixture, openUiPage, root, snap, type UiPage } from './support.js';

declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): unknown };
declare const window: unknown;

const FILE = fixture('analysis-loss.pcap');
const RETRANS = '(tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission)';

let ui: UiPage | undefined;
let page: Page;

function cliCount(filter: string): number {
  const out = execFileSync(process.execPath, [join(root, 'bin', 'tcplab'), 'read', '-r', FILE, '-Y', filter], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').length;
}

before(async () => {
  ui = await openUiPage([FILE], FILE);
  page = ui.page;
});

after(async () => {
  await ui?.close();
});

interface PlotFacts { labels: string[]; nonNull: number[]; xs: number; red: number; dark: number }

/** What uPlot holds and drew: series labels, non-null points per series, coloured canvas pixels. */
async function plotFacts(): Promise<PlotFacts> {
  return page.evaluate(() => {
    type U = { series: { label?: string }[]; data: (number | null | undefined)[][]; ctx: { canvas: { width: number; height: number }; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const u = (window as { tcplabStevens: U }).tcplabStevens;
    const { width, height } = u.ctx.canvas;
    const px = u.ctx.getImageData(0, 0, width, height).data;
    let red = 0, dark = 0;
    for (let i = 0; i < px.length; i += 4) {
      const [r, g, b, a] = [px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!];
      if (a > 200 && r > 180 && g < 60 && b < 60) red++;
      if (a > 200 && r < 40 && g < 40 && b < 40) dark++;
    }
    return { labels: u.series.map((s) => s.label ?? ''), nonNull: u.data.map((a) => a.filter((v) => v != null).length), xs: u.data[0]!.length, red, dark };
  });
}

test('Stevens graph: uPlot holds every data segment, retransmission, ACK and SACK of each direction (as tcplab read -Y)', async () => {
  const ports = ['41402', '6666'];
  await page.locator('#list .row[data-frame="15"]').click();
  await page.getByRole('tree').getByText('Transmission Control Protocol', { exact: false }).first().waitFor();
  await page.locator('#btn-stevens').click();
  const seen = new Set<string>();
  let allRetrans = 0, allSacks = 0;
  for (let round = 0; round < 2; round++) {
    await page.waitForSelector('#stevens[data-segments] canvas');
    const dir = (await page.locator('#panelbody').getAttribute('data-dir'))!;
    assert.ok(!seen.has(dir), `direction ${dir} drawn once`);
    seen.add(dir);
    const title = await page.locator('#paneltitle').innerText();
    const m = /127\.0\.0\.1:(\d+) → 127\.0\.0\.1:(\d+)/.exec(title);
    assert.ok(m, title);
    const [sender, receiver] = [m[1]!, m[2]!];
    assert.deepEqual([sender, receiver].sort(), [...ports].sort());
    const f = await plotFacts();
    assert.deepEqual(f.labels, ['Time (s)', 'Data', 'Retransmission', 'ACK', 'Receive window', 'SACK']);
    const segs = cliCount(`tcp.stream == 0 && tcp.srcport == ${sender} && tcp.len > 0`);
    const retrans = cliCount(`tcp.stream == 0 && tcp.srcport == ${sender} && tcp.len > 0 && ${RETRANS}`);
    const acks = cliCount(`tcp.stream == 0 && tcp.srcport == ${receiver} && tcp.flags.ack == 1`);
    const sacks = cliCount(`tcp.stream == 0 && tcp.srcport == ${receiver} && tcp.options.sack_le`);
    assert.ok(segs > 100, `${sender}: ${segs} segments`);
    allRetrans += retrans;
    allSacks += sacks;
    assert.equal(f.nonNull[1]! + f.nonNull[2]!, segs, `${sender}: data + retransmission points = segments`);
    assert.equal(f.nonNull[2], retrans, `${sender}: retransmission points`);
    assert.equal(f.nonNull[3], acks, `${receiver}: ACK points`);
    assert.equal(f.nonNull[4], acks, `${receiver}: receive-window points`);
    assert.equal(f.nonNull[5], sacks, `${receiver}: SACK points`);
    assert.equal(f.xs, segs + acks, 'one x per point');
    assert.ok(f.dark > 50, `segments drawn on the canvas (${f.dark} dark pixels)`);
    if (retrans > 0) assert.ok(f.red > 0, 'retransmissions drawn in red');
    await snap(page, `09-stevens-uplot-${sender}`);
    if (round === 0) {
      // The data the client sent lost segments: that side has retransmissions and the echo side SACKs.
      await page.locator('#swap').click();
      await page.waitForFunction((d) => document.getElementById('panelbody') !== null
        && (document.querySelector('#panelbody') as { dataset: Record<string, string> }).dataset['dir'] !== d, dir);
    }
  }
  assert.equal(seen.size, 2);
  // Hiding the receive window (legend click) rescales the sequence axis to the data and ACKs.
  const yMax = (): Promise<number> => page.evaluate(() => (window as { tcplabStevens: { scales: Record<string, { max: number }> } }).tcplabStevens.scales['y']!.max);
  const before = await yMax();
  await page.locator('#stevens .u-legend .u-series').filter({ hasText: 'Receive window' }).click();
  await page.waitForFunction((b) => (window as { tcplabStevens: { scales: Record<string, { max: number }> } }).tcplabStevens.scales['y']!.max < b, before);
  assert.ok(await yMax() < before);
  await snap(page, '09-stevens-uplot-no-window');
  assert.ok(allRetrans > 0 && allSacks > 0, `the capture has retransmissions (${allRetrans}) and SACK blocks (${allSacks})`);
});

test('export keeps the server-drawn SVG graph (a static page without script)', async () => {
  const html = await (await fetch(`${await page.evaluate(() => (window as { location: { origin: string } }).location.origin)}/api/export/0`)).text();
  assert.match(html, /<svg[^>]*class="stevens"/);
  assert.doesNotMatch(html, /<script/);
});
