/**
 * tcplab ui's HTTP server (node:http): the page, its script, a JSON API over a FrameStore and a
 * Server-Sent Events stream for live updates. Binds 127.0.0.1 unless told otherwise.
 *
 * API (all GET unless noted; numbers are frame numbers, `filter` is a display filter):
 *   /api/status?filter=            Packets/Displayed counts, state, notices
 *   /api/filter?text=              {ok} | {ok:false, errors:[{code,message,start,end}]}
 *   /api/frames?start=&count=&filter=   rows of the displayed list (positions, not frame numbers)
 *   /api/index?no=&filter=         position of a frame in the displayed list
 *   /api/frame/N                   detail tree with byte spans + hex bytes
 *   /api/stream/N                  flow graph rows and ladder SVG
 *   /api/stevens/N?dir=&after=     Stevens graph points (StevensData) after frame `after` (live updates)
 *   /api/follow/N                  Follow TCP Stream
 *   /api/conversations, /api/expert
 *   /api/export/N                  static HTML of a stream (attachment)
 *   /api/download.pcapng?filter=   the displayed frames as pcapng
 *   /api/files                     the capture files named on the command line
 *   POST /api/open?path=P          open one of those files (any other path: 403)
 *   POST /api/upload               body = capture bytes (X-File-Name header) — replaces the capture
 *   /api/events                    SSE: "status" events while frames arrive
 *   /uplot.js, /uplot.css          uPlot (npm `uplot`), loaded by the page when a Stevens graph opens
 *
 * The page itself carries the status and the first rows of the list (a JSON block read by the
 * script), so a large file shows rows after two requests (page, script) while it is still being
 * ingested; `gen` in the status changes when another capture replaces the shown one.
 *
 * The server never opens a path it was not given (the upload is bytes, not a path).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { FrameStore } from './store.js';
import { createRequire } from 'node:module';
import { conversationsView, expertView, followView, ladderPage, stevensData, streamView } from './views.js';
import { exportStreamHtml, ladderSvg } from './svg.js';
import { pageHtml } from './page.js';
import { bufferSource, loadSource } from './ingest.js';
import { openCaptureFile } from '../wire/open.js';
import { PcapngWriter } from '../wire/pcapng-writer.js';
import { parseFilter } from '../filter/index.js';

/** Segments per flow-graph page. */
const LADDER_PAGE = 500;

/** Rows per block of the page's list (ui/app.ts BLOCK): the page carries the first block. */
const BOOT_ROWS = 200;

/** Largest upload accepted (bytes). */
export const MAX_UPLOAD = 512 * 1024 * 1024;

export interface UiServerOptions {
  host?: string;
  port?: number;
  /** Capture files the API may open (the -r arguments). */
  files?: readonly string[];
  /** Frames retained per capture (memory cap). */
  maxFrames?: number;
}

export class UiServer {
  store: FrameStore;
  /** Notices shown in the page (live capture unavailable, cap reached…). */
  readonly notices: string[] = [];
  live = false;
  private readonly http: Server;
  private readonly files: Set<string>;
  private readonly sse = new Set<ServerResponse>();
  private unsubscribe: (() => void) | undefined;
  private pending: NodeJS.Timeout | undefined;
  private stopIngest: (() => void) | undefined;
  /** Bumped each time another capture replaces the shown one (pages drop their cached rows). */
  private gen = 0;

  private readonly loopbackOnly: boolean;

  constructor(private readonly opts: UiServerOptions = {}) {
    this.loopbackOnly = isLoopbackHost(opts.host ?? '127.0.0.1');
    this.files = new Set((opts.files ?? []).map((f) => resolve(f)));
    this.store = new FrameStore('(none)', this.storeOpts());
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
        else res.destroy();
      });
    });
  }

  private storeOpts(): { maxFrames?: number } {
    return this.opts.maxFrames !== undefined ? { maxFrames: this.opts.maxFrames } : {};
  }

  /** Listens; resolves with the URL. */
  async listen(): Promise<string> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((res, rej) => {
      this.http.once('error', rej);
      this.http.listen(this.opts.port ?? 8080, host, () => { this.http.off('error', rej); res(); });
    });
    // Read the browser script now, not on the first page load (which may come during an ingest).
    await appScript();
    const a = this.http.address() as AddressInfo;
    const h = a.address.includes(':') ? `[${a.address}]` : a.address;
    return `http://${h}:${a.port}/`;
  }

  async close(): Promise<void> {
    this.stopIngest?.();
    for (const r of this.sse) r.end();
    this.sse.clear();
    this.http.closeAllConnections();
    await new Promise<void>((res) => this.http.close(() => res()));
  }

  /** Replaces the capture shown with a new store, fed by `run` (which resolves when the source ends). */
  attach(store: FrameStore, run: Promise<void>, stop?: () => void): Promise<void> {
    this.stopIngest?.();
    this.unsubscribe?.();
    if (this.store !== store) this.store.close();
    this.store = store;
    this.gen++;
    this.stopIngest = stop;
    this.unsubscribe = store.onChange(() => this.scheduleEvent());
    this.scheduleEvent();
    return run.finally(() => this.scheduleEvent());
  }

  /** Opens a capture file (one of the given ones, or any path from the CLI). */
  async openFile(path: string): Promise<void> {
    const store = new FrameStore(path, this.storeOpts());
    const src = await openCaptureFile(path);
    void this.attach(store, loadSource(store, src), () => src.close());
  }

  /** Coalesces change notifications into at most one SSE event per 200 ms. */
  private scheduleEvent(): void {
    if (this.pending || this.sse.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const data = `event: status\ndata: ${JSON.stringify(this.status(''))}\n\n`;
      for (const r of this.sse) r.write(data);
    }, 200);
  }

  status(filter: string): Record<string, unknown> {
    const s = this.store;
    const notices = [...this.notices];
    if (s.dropped > 0) notices.push(`Memory cap: only the last ${s.maxFrames.toLocaleString('en')} frames are kept; ${s.dropped} older frames were dropped.`);
    const ok = s.compile(filter).ok;
    return { gen: this.gen, name: s.name, total: s.total, displayed: ok ? s.displayed(filter) : 0, filtering: ok && s.filtering(filter), first: s.firstNo, done: s.done, error: s.error ?? null, live: this.live, notices };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a page from elsewhere that resolves its own name to 127.0.0.1 must not read
    // the capture. On a loopback bind only loopback Host names are served.
    if (this.loopbackOnly && !isLoopbackHost(req.headers.host ?? '')) return sendJson(res, 403, { error: 'Host not allowed' });
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const q = (k: string): string => url.searchParams.get(k) ?? '';
    const num = (k: string, d: number): number => {
      const n = Number(url.searchParams.get(k) ?? d);
      return Number.isFinite(n) ? Math.trunc(n) : d;
    };
    if (p === '/' || p === '/index.html') return sendText(res, 200, 'text/html; charset=utf-8', pageHtml({ status: this.status(''), start: 0, rows: this.store.rows('', 0, BOOT_ROWS) }));
    if (p === '/app.js') return sendText(res, 200, 'text/javascript; charset=utf-8', await appScript());
    if (p === '/uplot.js' || p === '/uplot.css') {
      const js = p === '/uplot.js';
      return sendText(res, 200, js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', await uplotFile(js ? 'uPlot.esm.js' : 'uPlot.min.css'));
    }
    if (p === '/api/status') return sendJson(res, 200, this.status(q('filter')));
    if (p === '/api/filter') {
      const text = q('text');
      const r = parseFilter(text);
      return sendJson(res, 200, r.ok ? { ok: true } : { ok: false, errors: r.errors.map((e) => ({ code: e.code, message: e.message, start: e.span.start, end: e.span.end })) });
    }
    if (p === '/api/frames' || p === '/api/index') {
      const filter = q('filter');
      const c = this.store.compile(filter);
      if (!c.ok) return sendJson(res, 400, { error: c.errors[0]?.message ?? 'bad filter', code: c.errors[0]?.code });
      if (p === '/api/index') return sendJson(res, 200, { index: this.store.indexOf(filter, num('no', 0)) });
      const start = Math.max(0, num('start', 0));
      const count = Math.min(1000, Math.max(0, num('count', 100)));
      return sendJson(res, 200, { total: this.store.total, displayed: this.store.displayed(filter), start, rows: this.store.rows(filter, start, count) });
    }
    let m = /^\/api\/frame\/(\d+)$/.exec(p);
    if (m) {
      const d = this.store.detail(Number(m[1]));
      return d ? sendJson(res, 200, d) : sendJson(res, 404, { error: `no frame ${m[1]}` });
    }
    m = /^\/api\/stevens\/(\d+)$/.exec(p);
    if (m) {
      const d = q('dir');
      const v = stevensData(this.store, Number(m[1]), d === '0' ? 0 : d === '1' ? 1 : undefined, Math.max(0, num('after', 0)));
      return v ? sendJson(res, 200, v) : sendJson(res, 404, { error: `no TCP stream ${m[1]}` });
    }
    m = /^\/api\/(stream|follow|export)\/(\d+)$/.exec(p);
    if (m) {
      const n = Number(m[2]);
      if (m[1] === 'follow') {
        const f = followView(this.store, n);
        return f ? sendJson(res, 200, f) : sendJson(res, 404, { error: `no TCP stream ${n}` });
      }
      if (m[1] === 'export') {
        const v = streamView(this.store, n, 0, 2000);
        if (!v) return sendJson(res, 404, { error: `no TCP stream ${n}` });
        res.setHeader('Content-Disposition', `attachment; filename="tcp-stream-${n}.html"`);
        return sendText(res, 200, 'text/html; charset=utf-8', exportStreamHtml(v, this.store.name));
      }
      const around = url.searchParams.has('around') ? num('around', 0) : undefined;
      const page = ladderPage(this.store, n, around, LADDER_PAGE);
      if (!page) return sendJson(res, 404, { error: `no TCP stream ${n}` });
      const v = page.view;
      const rows = v.rows.slice(page.from, page.from + LADDER_PAGE);
      return sendJson(res, 200, {
        stream: v.stream, a: v.a, b: v.b, rows, from: page.from, totalRows: v.rows.length,
        prevNo: v.rows[page.from - 1]?.no ?? null, nextNo: v.rows[page.from + LADDER_PAGE]?.no ?? null,
        ladder: ladderSvg(v, LADDER_PAGE, page.from),
      });
    }
    if (p === '/api/conversations') return sendJson(res, 200, conversationsView(this.store));
    if (p === '/api/expert') return sendJson(res, 200, expertView(this.store));
    if (p === '/api/download.pcapng') return this.download(res, q('filter'));
    if (p === '/api/files') return sendJson(res, 200, [...this.files]);
    if (p === '/api/open' && req.method === 'POST') {
      const path = resolve(q('path'));
      if (!this.files.has(path)) return sendJson(res, 403, { error: 'only the capture files given on the command line can be opened by path; upload other files' });
      try {
        await this.openFile(path);
      } catch (e) {
        return sendJson(res, 400, { error: (e as Error).message });
      }
      return sendJson(res, 200, this.status(''));
    }
    if (p === '/api/upload' && req.method === 'POST') return this.upload(req, res);
    if (p === '/api/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(`event: status\ndata: ${JSON.stringify(this.status(''))}\n\n`);
      this.sse.add(res);
      req.on('close', () => this.sse.delete(res));
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }

  private async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_UPLOAD) {
        req.destroy();
        return sendJson(res, 413, { error: `upload larger than ${MAX_UPLOAD >> 20} MiB` });
      }
      chunks.push(c);
    }
    const name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'upload')).replace(/[^\w.\- ]/g, '_').slice(0, 200) || 'upload';
    const store = new FrameStore(name, this.storeOpts());
    let src;
    try {
      src = bufferSource(Buffer.concat(chunks), name);
    } catch (e) {
      return sendJson(res, 400, { error: (e as Error).message });
    }
    void this.attach(store, loadSource(store, src), () => src.close());
    sendJson(res, 200, this.status(''));
  }

  private async download(res: ServerResponse, filter: string): Promise<void> {
    const c = this.store.compile(filter);
    if (!c.ok) return sendJson(res, 400, { error: c.errors[0]?.message ?? 'bad filter' });
    const frames = this.store.displayedFrames(filter);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="tcplab-export.pcapng"' });
    const out = new PassThrough();
    out.pipe(res);
    const iface = frames[0]?.capture?.interfaces;
    const w = new PcapngWriter(out, iface && iface.length > 0 ? { interfaces: iface } : {});
    for (const f of frames) await w.write(f.record);
    await w.end();
  }
}

/** "127.0.0.1:8080", "localhost", "[::1]:80" → true (port ignored). */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

let appCache: string | undefined;

/** The browser script, compiled by tsconfig.webui.json next to this module (dist/src/web/ui/app.js). */
async function appScript(): Promise<string> {
  if (appCache !== undefined) return appCache;
  const here = dirname(fileURLToPath(import.meta.url));
  try {
    appCache = await readFile(join(here, 'ui', 'app.js'), 'utf8');
  } catch {
    appCache = 'document.body.textContent = "tcplab ui: the browser script is not built (run npm run build).";';
  }
  return appCache;
}

const uplotCache = new Map<string, string>();

/** A file of the uplot package's dist/ (resolved through Node's module resolution). */
async function uplotFile(name: 'uPlot.esm.js' | 'uPlot.min.css'): Promise<string> {
  let t = uplotCache.get(name);
  if (t === undefined) {
    const dist = dirname(createRequire(import.meta.url).resolve('uplot'));
    t = await readFile(join(dist, name), 'utf8');
    uplotCache.set(name, t);
  }
  return t;
}
