/**
 * Helpers for the web UI's end-to-end tests: Debian's Chromium through playwright-core (never a
 * downloaded browser), a UiServer on 127.0.0.1 port 0, and screenshots under test-results/.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UiServer } from '../../src/web/server.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixture = (name: string): string => join(root, 'test', 'fixtures', 'pcap', name);
export const resultsDir = join(root, 'test-results', 'web');

export interface BrowserHandle {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches /usr/bin/chromium headless. playwright-core's launch() gives every browser a fresh
 * temporary profile (it refuses a --user-data-dir argument); TMPDIR points it at our own dir.
 */
export async function launchChromium(): Promise<BrowserHandle> {
  const profile = mkdtempSync(join(tmpdir(), 'tcplab-chromium-'));
  const oldTmp = process.env['TMPDIR'];
  process.env['TMPDIR'] = profile;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  }).finally(() => {
    if (oldTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = oldTmp;
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A UiServer serving `files` with `open` loaded, and a Chromium page on it. */
export interface UiPage {
  server: UiServer;
  url: string;
  handle: BrowserHandle;
  page: Page;
  close(): Promise<void>;
}

/** Starts a UiServer on 127.0.0.1 port 0 with `open` loaded and opens a 1400x900 page on it. */
export async function openUiPage(files: string[], open: string): Promise<UiPage> {
  const server = new UiServer({ port: 0, files });
  await server.openFile(open);
  const url = await server.listen();
  const handle = await launchChromium();
  const page = await handle.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
  await page.goto(url);
  return {
    server, url, handle, page,
    async close() {
      await handle.close();
      await server.close();
    },
  };
}

/** Saves a screenshot as test-results/web/<name>.png (git-ignored test artefacts). */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`) });
}

/** Rejects after `ms` unless `p` settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms); })]).finally(() => clearTimeout(t));
}

/**
 * Writes a large classic pcap (LE, µs, Ethernet) made of `copies` back-to-back copies of real
 * loopback captures from test/fixtures, each copy shifted 100 s later so time runs forward; returns
 * its frame count. The same idea as bench/ui.bench.ts's mergecap file, without needing mergecap.
 */
export function writeBigPcap(out: string, copies: number, names = ['analysis-lo-zerowindow.pcap', 'analysis-lo-pingpong-loss20.pcap', 'analysis-lo-bulk-loss.pcap']): number {
  const seeds = names.map((n) => readFileSync(fixture(n)));
  const header = Buffer.from(seeds[0]!.subarray(0, 24));
  header.writeUInt32LE(262144, 16);
  const parts: Buffer[] = [header];
  let frames = 0;
  for (let c = 0; c < copies; c++) {
    for (const seed of seeds) {
      if (seed.readUInt32LE(0) !== 0xa1b2c3d4 || seed.readUInt32LE(20) !== 1) throw new Error('seed captures must be LE µs Ethernet pcap');
      const copy = Buffer.from(seed.subarray(24));
      for (let o = 0; o + 16 <= copy.length; o += 16 + copy.readUInt32LE(o + 8)) {
        copy.writeUInt32LE(copy.readUInt32LE(o) + c * 100, o);
        frames++;
      }
      parts.push(copy);
    }
  }
  writeFileSync(out, Buffer.concat(parts));
  return frames;
}
