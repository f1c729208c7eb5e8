/**
 * tcplab ui, browser side: a virtualised packet list (only the visible rows exist in the DOM;
 * rows are fetched from /api/frames in blocks and cached), the filter bar, the detail tree and hex
 * pane with two-way byte highlighting, and the stream panels (flow graph, Stevens graph, follow,
 * conversations, expert info). Live captures push status events over SSE; the list follows the
 * tail until the user scrolls away from it. No framework: plain DOM.
 *
 * The list keeps one element per visible row and reuses it while it stays visible: a scroll step
 * only creates the rows that came into view (rebuilding every visible row on each scroll event
 * was the list's main per-frame cost). The page arrives with the status and the first block of
 * rows (#boot), so the list draws before any API request. The Stevens graph is drawn with uPlot
 * (loaded on first use from /uplot.js) and extended with the stream's new frames on live updates.
 */
import type uPlotT from 'uplot';

interface Row { no: number; time: string; src: string; dst: string; proto: string; len: number; info: string; color: string }
interface TreeItem { label: string; abbrev?: string; generated?: boolean; span?: [number, number]; children?: TreeItem[] }
interface Status { gen: number; name: string; total: number; displayed: number; filtering: boolean; first: number; done: boolean; error: string | null; live: boolean; notices: string[] }
interface LadderRow { no: number; dir: 0 | 1; time: string; analysis: string; explain: string[]; info: string; flags: string; seq: number; ack: number; len: number; win: number }
interface StreamResp { stream: number; a: string; b: string; rows: LadderRow[]; from: number; totalRows: number; prevNo: number | null; nextNo: number | null; ladder: string }
interface StevensResp { stream: number; a: string; b: string; dir: 0 | 1; last: number; no: number[]; kind: number[]; t: number[]; lo: number[]; hi: number[]; sack: number[][] }
interface FollowResp { node0: string; node1: string; chunks: { node: 0 | 1; frame: number; text: string; gap: boolean }[]; bytes0: number; bytes1: number }

const ROW_H = 18;
const BLOCK = 200;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const list = $('list');
const spacer = $('spacer');
const filterInput = $<HTMLInputElement>('filter');
const filterMsg = $('filtermsg');
const tree = $('tree');
const hex = $('hex');
const notices = $('notices');
const panel = $('panel');
const panelBody = $('panelbody');

let filter = '';
let displayed = 0;
let total = 0;
let selected = -1;
let selectedStream: number | undefined;
let followTail = true;
let epoch = 0;
const blocks = new Map<number, Row[]>();
/** Blocks being fetched → the list epoch they were asked for (a request of an old filter does not count). */
const pendingBlocks = new Map<number, number>();
let uploadError = '';
let panelKind = '';
let panelStream = -1;
/** Capture generation shown (the server bumps it when another capture replaces this one). */
let gen = -1;
let loading = true;
/** Events for the end-to-end tests: when rows were first drawn, relative to the ingest. */
const uiLog: { ev: string; packets: number; done: boolean; t: number }[] = [];
(window as unknown as { tcplabLog: typeof uiLog }).tcplabLog = uiLog;

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  return body;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

// ---- status -------------------------------------------------------------------------------

function showStatus(s: Status): void {
  total = s.total;
  loading = !s.done;
  if (s.done && !uiLog.some((e) => e.ev === 'done' && e.packets === s.total)) uiLog.push({ ev: 'done', packets: s.total, done: true, t: performance.now() });
  $('st-file').textContent = s.name;
  $('st-packets').textContent = `Packets: ${s.total}`;
  $('st-displayed').textContent = `Displayed: ${displayed}${s.total ? ` (${((100 * displayed) / s.total).toFixed(1)}%)` : ''}`;
  $('st-state').textContent = s.live ? (s.done ? 'Live capture stopped' : 'Live capture running') : s.done ? (s.filtering ? 'Filtering…' : '') : 'Loading…';
  const items = s.notices.map((n) => `<div>${esc(n)}</div>`);
  if (s.error) items.push(`<div class="err">${esc(s.error)}</div>`);
  if (uploadError) items.push(`<div class="err">${esc(uploadError)}</div>`);
  notices.innerHTML = items.join('');
}

async function refresh(): Promise<void> {
  const my = epoch;
  const s = await getJson<Status>(`/api/status?filter=${encodeURIComponent(filter)}`);
  if (my !== epoch) return;
  if (s.gen !== gen) {
    // Another capture replaced this one (opened elsewhere): drop every cached row.
    if (gen >= 0) { resetList(); list.scrollTop = 0; followTail = true; }
    gen = s.gen;
  }
  const grew = s.displayed !== displayed;
  displayed = s.displayed;
  showStatus(s);
  if (grew) {
    // Partial blocks have more rows now: fetch them again (their rows stay drawn meanwhile).
    for (const [k, rows] of blocks) if (rows.length < BLOCK) void loadBlock(k);
    if (followTail && s.live) list.scrollTop = list.scrollHeight;
  }
  render();
}

// ---- packet list ---------------------------------------------------------------------------

/** Row elements on screen, by list position; each remembers the row it shows. */
const shown = new Map<number, { el: HTMLElement; row: Row }>();
let spacerHeight = -1;

/** Forgets every drawn and cached row (new filter, new capture). */
function resetList(): void {
  epoch++;
  blocks.clear();
  shown.clear();
  spacer.replaceChildren();
  displayed = -1;
}

function rowElement(r: Row, i: number): HTMLElement {
  const el = document.createElement('div');
  el.className = `row ${r.color}${r.no === selected ? ' sel' : ''}`;
  el.style.top = `${i * ROW_H}px`;
  el.dataset['frame'] = String(r.no);
  el.innerHTML = `<div>${r.no}</div><div>${esc(r.time)}</div><div>${esc(r.src)}</div><div>${esc(r.dst)}</div><div>${esc(r.proto)}</div><div>${r.len}</div><div>${esc(r.info)}</div>`;
  return el;
}

function render(): void {
  const h = Math.max(0, displayed) * ROW_H;
  if (h !== spacerHeight) { spacer.style.height = `${h}px`; spacerHeight = h; }
  const first = Math.max(0, Math.floor(list.scrollTop / ROW_H) - 5);
  const last = Math.min(displayed, first + Math.ceil(list.clientHeight / ROW_H) + 10);
  for (const [i, s] of shown) {
    if (i < first || i >= last) { s.el.remove(); shown.delete(i); }
  }
  const want = new Set<number>();
  let added: DocumentFragment | undefined;
  for (let i = first; i < last; i++) {
    const b = Math.floor(i / BLOCK);
    const r = blocks.get(b)?.[i - b * BLOCK];
    const cur = shown.get(i);
    if (!r) {
      want.add(b);
      if (cur) { cur.el.remove(); shown.delete(i); }
      continue;
    }
    if (cur && cur.row === r) {
      const sel = r.no === selected;
      if (cur.el.classList.contains('sel') !== sel) cur.el.classList.toggle('sel', sel);
      continue;
    }
    cur?.el.remove();
    const el = rowElement(r, i);
    shown.set(i, { el, row: r });
    (added ??= document.createDocumentFragment()).appendChild(el);
  }
  if (added) spacer.appendChild(added);
  if (shown.size > 0 && !uiLog.some((e) => e.ev === 'rows')) uiLog.push({ ev: 'rows', packets: total, done: !loading, t: performance.now() });
  // Prefetch the blocks on either side so scrolling into them finds the rows ready.
  for (const b of [Math.floor(first / BLOCK) - 1, Math.floor(last / BLOCK) + 1]) {
    if (b >= 0 && b * BLOCK < displayed && !blocks.has(b)) want.add(b);
  }
  for (const b of want) void loadBlock(b);
}

async function loadBlock(b: number): Promise<void> {
  // A block still loading for an earlier filter or capture must not stop this epoch's request:
  // its answer is dropped, and nothing would ask again until the next scroll or status change.
  if (pendingBlocks.get(b) === epoch) return;
  const my = epoch;
  pendingBlocks.set(b, my);
  try {
    const r = await getJson<{ rows: Row[] }>(`/api/frames?start=${b * BLOCK}&count=${BLOCK}&filter=${encodeURIComponent(filter)}`);
    if (my !== epoch) return;
    blocks.set(b, r.rows);
    // Bounded cache: keep the 50 most recently loaded blocks (10k rows).
    if (blocks.size > 50) blocks.delete(blocks.keys().next().value as number);
    render();
  } finally {
    if (pendingBlocks.get(b) === my) pendingBlocks.delete(b);
  }
}

list.addEventListener('scroll', () => {
  followTail = list.scrollTop + list.clientHeight >= list.scrollHeight - ROW_H * 2;
  render();
});

list.addEventListener('click', (e) => {
  const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
  if (row) void selectFrame(Number(row.dataset['frame']));
});

list.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  e.preventDefault();
  void (async () => {
    const { index } = await getJson<{ index: number }>(`/api/index?no=${selected}&filter=${encodeURIComponent(filter)}`);
    const next = index + (e.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= displayed) return;
    const r = await getJson<{ rows: Row[] }>(`/api/frames?start=${next}&count=1&filter=${encodeURIComponent(filter)}`);
    const row = r.rows[0];
    if (row) { await selectFrame(row.no); scrollToIndex(next); }
  })();
});

function scrollToIndex(i: number): void {
  const y = i * ROW_H;
  if (y < list.scrollTop || y > list.scrollTop + list.clientHeight - ROW_H) list.scrollTop = Math.max(0, y - list.clientHeight / 2);
}

// ---- detail tree and hex pane ---------------------------------------------------------------

let bytes: number[] = [];
let nodes: { li: HTMLElement; span: [number, number] | undefined; depth: number }[] = [];

async function selectFrame(no: number): Promise<void> {
  selected = no;
  render();
  const d = await getJson<{ tree: TreeItem[]; bytes: string; stream: number | null }>(`/api/frame/${no}`);
  selectedStream = d.stream ?? undefined;
  bytes = [];
  for (let i = 0; i < d.bytes.length; i += 2) bytes.push(parseInt(d.bytes.slice(i, i + 2), 16));
  nodes = [];
  const ul = document.createElement('ul');
  for (const it of d.tree) ul.appendChild(treeNode(it, 0));
  tree.replaceChildren(ul);
  renderHex();
}

function treeNode(it: TreeItem, depth: number): HTMLElement {
  const li = document.createElement('li');
  li.setAttribute('role', 'treeitem');
  li.setAttribute('aria-selected', 'false');
  const label = document.createElement('span');
  const kids = it.children ?? [];
  label.innerHTML = `<span class="tw">${kids.length ? '▸' : ''}</span>${esc(it.label)}`;
  if (it.generated) label.classList.add('gen');
  if (it.abbrev) label.title = it.abbrev;
  if (it.span) { li.dataset['start'] = String(it.span[0]); li.dataset['length'] = String(it.span[1]); }
  li.appendChild(label);
  const idx = nodes.length;
  nodes.push({ li, span: it.span, depth });
  if (kids.length) {
    li.setAttribute('aria-expanded', 'false');
    const ul = document.createElement('ul');
    ul.setAttribute('role', 'group');
    for (const c of kids) ul.appendChild(treeNode(c, depth + 1));
    li.appendChild(ul);
  }
  label.addEventListener('click', (e) => {
    e.stopPropagation();
    if (kids.length && (e.target as HTMLElement).classList.contains('tw')) toggle(li);
    selectNode(idx);
  });
  label.addEventListener('dblclick', () => { if (kids.length) toggle(li); });
  return li;
}

function toggle(li: HTMLElement): void {
  const open = li.getAttribute('aria-expanded') === 'true';
  li.setAttribute('aria-expanded', open ? 'false' : 'true');
  const tw = li.querySelector(':scope>span>.tw');
  if (tw) tw.textContent = open ? '▸' : '▾';
}

function selectNode(idx: number): void {
  for (const n of nodes) { n.li.setAttribute('aria-selected', 'false'); n.li.firstElementChild?.classList.remove('sel'); }
  const n = nodes[idx];
  if (!n) return;
  selectedNode = idx;
  n.li.setAttribute('aria-selected', 'true');
  n.li.firstElementChild?.classList.add('sel');
  (n.li.firstElementChild as HTMLElement | null)?.scrollIntoView({ block: 'nearest' });
  for (let p = n.li.parentElement?.closest('li'); p; p = p.parentElement?.closest('li')) {
    if (p.getAttribute('aria-expanded') === 'false') toggle(p as HTMLElement);
  }
  highlight(n.span);
}

let selectedNode = -1;

// Keyboard in the tree (WAI-ARIA tree pattern): Up/Down move, Right expands, Left collapses or
// goes to the parent.
tree.tabIndex = 0;
tree.addEventListener('keydown', (e) => {
  const visible = nodes.map((n, i) => [n, i] as const).filter(([n]) => (n.li.firstElementChild as HTMLElement | null)?.offsetParent !== null);
  const pos = visible.findIndex(([, i]) => i === selectedNode);
  const cur = nodes[selectedNode];
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const next = visible[Math.max(0, Math.min(visible.length - 1, pos + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) selectNode(next[1]);
  } else if (e.key === 'ArrowRight' && cur && cur.li.getAttribute('aria-expanded') === 'false') {
    toggle(cur.li);
  } else if (e.key === 'ArrowLeft' && cur) {
    if (cur.li.getAttribute('aria-expanded') === 'true') toggle(cur.li);
    else {
      const parent = cur.li.parentElement?.closest('li');
      const pi = nodes.findIndex((n) => n.li === parent);
      if (pi >= 0) selectNode(pi);
    }
  } else return;
  e.preventDefault();
});

function renderHex(): void {
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    let h = '', a = '';
    for (let i = 0; i < 16; i++) {
      const b = bytes[off + i];
      if (b === undefined) { h += '   '; continue; }
      h += `${i === 8 ? ' ' : ''}<span class="b" data-o="${off + i}">${b.toString(16).padStart(2, '0')}</span> `;
      a += `<span class="a" data-o="${off + i}">${b >= 0x20 && b < 0x7f ? esc(String.fromCharCode(b)) : '.'}</span>`;
    }
    out.push(`${off.toString(16).padStart(4, '0')}  ${h} ${a}`);
  }
  hex.innerHTML = out.join('\n');
}

function highlight(span: [number, number] | undefined): void {
  for (const el of hex.querySelectorAll('.hl')) el.classList.remove('hl');
  if (!span) return;
  for (let o = span[0]; o < span[0] + span[1]; o++) for (const el of hex.querySelectorAll(`[data-o="${o}"]`)) el.classList.add('hl');
}

hex.addEventListener('click', (e) => {
  const t = (e.target as HTMLElement).closest<HTMLElement>('[data-o]');
  if (!t) return;
  const o = Number(t.dataset['o']);
  // The most specific node covering the byte: deepest, then narrowest.
  let best = -1;
  nodes.forEach((n, i) => {
    if (!n.span || o < n.span[0] || o >= n.span[0] + n.span[1]) return;
    const b = nodes[best];
    if (!b || n.depth > b.depth || (n.depth === b.depth && n.span[1] < (b.span?.[1] ?? Infinity))) best = i;
  });
  if (best >= 0) selectNode(best);
});

// ---- filter bar ----------------------------------------------------------------------------

let checkTimer: number | undefined;
filterInput.addEventListener('input', () => {
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(() => void checkFilter(), 120);
});

async function checkFilter(): Promise<boolean> {
  const text = filterInput.value;
  if (text.trim() === '') { filterInput.className = ''; filterMsg.textContent = ''; return true; }
  const r = await getJson<{ ok: boolean; errors?: { message: string; start: number; end: number }[] }>(`/api/filter?text=${encodeURIComponent(text)}`);
  if (text !== filterInput.value) return r.ok;
  filterInput.className = r.ok ? 'valid' : 'invalid';
  const e = r.errors?.[0];
  filterMsg.textContent = e ? (e.start >= 0 ? `${' '.repeat(e.start)}${'^'.repeat(Math.max(1, e.end - e.start))} ${e.message}` : e.message) : '';
  return r.ok;
}

/** Counts filter applications: only the last one applied takes effect (their checks may answer out of order). */
let applySeq = 0;

async function applyFilter(text: string): Promise<void> {
  filterInput.value = text;
  const mine = ++applySeq;
  const ok = await checkFilter();
  if (!ok || mine !== applySeq) return;
  filter = text;
  resetList();
  list.scrollTop = 0;
  (document.getElementById('download') as HTMLAnchorElement).href = `/api/download.pcapng?filter=${encodeURIComponent(filter)}`;
  await refresh();
}

filterInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') void applyFilter(filterInput.value); });
$('apply').addEventListener('click', () => void applyFilter(filterInput.value));

// ---- panels --------------------------------------------------------------------------------

function openPanel(title: string, html: string, kind: string, stream = -1): void {
  stevens?.plot?.destroy();
  stevens = undefined;
  $('paneltitle').textContent = title;
  panelBody.innerHTML = html;
  panel.hidden = false;
  panel.dataset['kind'] = kind;
  panelKind = kind;
  panelStream = stream;
  const ex = $('panelexport');
  ex.hidden = stream < 0;
}

$('panelclose').addEventListener('click', () => { panel.hidden = true; panelKind = ''; stevens?.plot?.destroy(); stevens = undefined; });
$('panelexport').addEventListener('click', () => { if (panelStream >= 0) window.location.href = `/api/export/${panelStream}`; });

function needStream(): number | undefined {
  if (selectedStream === undefined) {
    openPanel('No TCP stream', '<p>Select a TCP frame in the packet list first.</p>', 'none');
    return undefined;
  }
  return selectedStream;
}

async function showFlow(stream: number, around = selected): Promise<void> {
  const s = await getJson<StreamResp>(`/api/stream/${stream}?around=${around}`);
  openPanel(`Flow graph — TCP stream ${stream}: ${s.a} ⇄ ${s.b}`,
    `<div id="steps"><button id="prev">◀ Prev</button><button id="next">Next ▶</button><span id="stepinfo"></span></div><div id="explain"></div><div id="ladder">${s.ladder}</div>`, 'flow', stream);
  let cur = s.rows.findIndex((r) => r.no === around);
  if (cur < 0) cur = 0;
  const step = (i: number): void => {
    // Past the page's edge: load the neighbouring page around the next frame.
    if (i < 0 && s.prevNo !== null) { void showFlow(stream, s.prevNo); return; }
    if (i >= s.rows.length && s.nextNo !== null) { void showFlow(stream, s.nextNo); return; }
    cur = Math.max(0, Math.min(s.rows.length - 1, i));
    const r = s.rows[cur]!;
    for (const g of panelBody.querySelectorAll('.arrow')) {
      const on = g.getAttribute('data-frame') === String(r.no);
      g.classList.toggle('cur', on);
      if (on) g.scrollIntoView({ block: 'nearest' });
    }
    $('stepinfo').textContent = `Frame ${r.no} (${s.from + cur + 1} of ${s.totalRows})`;
    $('explain').textContent = `${r.dir === 0 ? `${s.a} → ${s.b}` : `${s.b} → ${s.a}`}: ${r.info}\n${r.explain.length ? r.explain.join('\n') : 'Nothing flagged by the TCP analysis.'}`;
    void selectFrame(r.no);
  };
  $('prev').addEventListener('click', () => step(cur - 1));
  $('next').addEventListener('click', () => step(cur + 1));
  panelBody.querySelector('#ladder')?.addEventListener('click', (e) => {
    const g = (e.target as Element).closest('.arrow');
    if (g) step(s.rows.findIndex((r) => String(r.no) === g.getAttribute('data-frame')));
  });
  step(cur);
}

// ---- Stevens graph (uPlot) ------------------------------------------------------------------

type UPlot = typeof uPlotT;
let uplotLib: Promise<UPlot> | undefined;

/** Loads uPlot (ES module and stylesheet) the first time a graph opens. */
function loadUplot(): Promise<UPlot> {
  if (uplotLib === undefined) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/uplot.css';
    document.head.appendChild(link);
    const url = '/uplot.js';
    uplotLib = (import(url) as Promise<{ default: UPlot }>).then((m) => m.default);
  }
  return uplotLib;
}

/**
 * One open Stevens graph: uPlot's aligned data (x = seconds since the stream's first frame, one
 * entry per point in capture order) and, per entry, what the custom path builders need besides
 * the y value: a segment's first sequence number, an ACK's SACK edges.
 */
interface StevensGraph {
  stream: number;
  dir: 0 | 1;
  /** Last frame number fetched (live updates ask for the frames after it). */
  last: number;
  plot: uPlotT | undefined;
  x: number[];
  /** Series 1..5: data segment top, retransmitted segment top, ACK, ACK + window, highest SACK edge. */
  y: (number | null)[][];
  segStart: (number | null)[];
  sacks: (number[] | null)[];
  ymin: number;
  ymax: number;
  /** Longest segment (sequence numbers). */
  maxLen: number;
  counts: { data: number; retrans: number; ack: number; sack: number };
}

let stevens: StevensGraph | undefined;
let stevensSeq = 0;

function addPoints(g: StevensGraph, d: StevensResp): void {
  for (let i = 0; i < d.t.length; i++) {
    const k = d.kind[i]!, lo = d.lo[i]!, hi = d.hi[i]!, sk = d.sack[i] ?? [];
    // uPlot wants x ascending; a capture whose clock steps back keeps the previous time.
    g.x.push(Math.max(d.t[i]!, g.x[g.x.length - 1] ?? 0));
    g.y[0]!.push(k === 0 ? hi : null);
    g.y[1]!.push(k === 1 ? hi : null);
    g.y[2]!.push(k === 2 ? lo : null);
    g.y[3]!.push(k === 2 ? hi : null);
    g.segStart.push(k === 2 ? null : lo);
    let top: number | null = null;
    for (let j = 1; j < sk.length; j += 2) top = Math.max(top ?? -Infinity, sk[j]!);
    g.y[4]!.push(top);
    g.sacks.push(sk.length > 0 ? sk : null);
    if (k === 0) g.counts.data++;
    else if (k === 1) g.counts.retrans++;
    else g.counts.ack++;
    if (sk.length > 0) g.counts.sack++;
    if (k !== 2) g.maxLen = Math.max(g.maxLen, hi - lo);
    g.ymin = Math.min(g.ymin, lo, ...sk);
    g.ymax = Math.max(g.ymax, hi, ...sk);
  }
  g.last = d.last;
}

/** Path builder: one vertical bar per segment from its first to its last sequence number, with end ticks (tcptrace's I-beams). */
function segmentBars(g: StevensGraph): uPlotT.Series.PathBuilder {
  return (u, si, i0, i1) => {
    const p = new Path2D();
    const xs = u.data[0], ys = u.data[si]!;
    const w = 2 * devicePixelRatio;
    for (let i = i0; i <= i1; i++) {
      const hi = ys[i], lo = g.segStart[i];
      if (hi == null || lo == null) continue;
      const x = Math.round(u.valToPos(xs[i]!, 'x', true)) + 0.5;
      const y0 = u.valToPos(lo, 'y', true), y1 = Math.min(u.valToPos(hi, 'y', true), y0 - 1);
      p.moveTo(x, y0); p.lineTo(x, y1);
      p.moveTo(x - w, y0); p.lineTo(x + w, y0);
      p.moveTo(x - w, y1); p.lineTo(x + w, y1);
    }
    return { stroke: p, fill: null, clip: null };
  };
}

/** Path builder: each SACK block of an ACK as a thick vertical bar from its left to its right edge. */
function sackBars(g: StevensGraph): uPlotT.Series.PathBuilder {
  return (u, _si, i0, i1) => {
    const p = new Path2D();
    const xs = u.data[0];
    for (let i = i0; i <= i1; i++) {
      const sk = g.sacks[i];
      if (!sk) continue;
      const x = Math.round(u.valToPos(xs[i]!, 'x', true)) + 0.5;
      for (let j = 0; j + 1 < sk.length; j += 2) {
        p.moveTo(x, u.valToPos(sk[j]!, 'y', true));
        p.lineTo(x, u.valToPos(sk[j + 1]!, 'y', true));
      }
    }
    return { stroke: p, fill: null, clip: null };
  };
}

/**
 * The y range. uPlot passes the extent of the series shown over the x range shown (so zooming into
 * a time span, or hiding the window line from the legend, rescales to what is left); its values are
 * the tops of the segments, so the range reaches one segment length lower to show their bottoms.
 */
function yRange(g: StevensGraph, min: number | null, max: number | null): uPlotT.Range.MinMax {
  if (min === null || max === null) return [g.ymin, g.ymax > g.ymin ? g.ymax : g.ymin + 1];
  const pad = Math.max(1, (max - min) * 0.03);
  return [min - Math.max(pad, g.maxLen), max + pad];
}

function drawStevens(g: StevensGraph, lib: UPlot, el: HTMLElement): void {
  const data = [g.x, ...g.y] as unknown as uPlotT.AlignedData;
  el.dataset['points'] = String(g.x.length);
  el.dataset['segments'] = String(g.counts.data + g.counts.retrans);
  el.dataset['retransmissions'] = String(g.counts.retrans);
  el.dataset['acks'] = String(g.counts.ack);
  el.dataset['sacks'] = String(g.counts.sack);
  if (g.plot) { g.plot.setData(data); return; }
  const stepped = lib.paths.stepped!({ align: 1 });
  const none = { show: false };
  g.plot = new lib({
    width: Math.max(400, el.clientWidth - 8),
    cursor: { drag: { x: true, y: true, uni: 30 } },
    height: 420,
    scales: { x: { time: false }, y: { range: (_u, min, max) => yRange(g, min, max) } },
    // Drag a box to zoom into both axes (double-click resets); click a legend entry (e.g. the
    // receive window, far above the data on loopback) to hide it and rescale to the rest.
    axes: [
      { label: 'Time since the stream\'s first frame (s)', values: (_u, vals) => vals.map((v) => String(+v.toFixed(9))) },
      { label: 'Relative sequence number', size: 80 },
    ],
    series: [
      { label: 'Time (s)' },
      { label: 'Data', stroke: '#000', width: 1, paths: segmentBars(g), points: none },
      { label: 'Retransmission', stroke: '#d00', width: 1.5, paths: segmentBars(g), points: none },
      { label: 'ACK', stroke: '#0a0', width: 1.2, paths: stepped, spanGaps: true, points: none },
      { label: 'Receive window', stroke: '#b8a000', width: 1.2, paths: stepped, spanGaps: true, points: none },
      { label: 'SACK', stroke: '#06c', width: 3, paths: sackBars(g), points: none },
    ],
  }, data, el);
  (window as unknown as { tcplabStevens: uPlotT }).tcplabStevens = g.plot;
}

async function showStevens(stream: number, dir?: 0 | 1): Promise<void> {
  const my = ++stevensSeq;
  const [lib, d] = await Promise.all([loadUplot(), getJson<StevensResp>(`/api/stevens/${stream}${dir === undefined ? '' : `?dir=${dir}`}`)]);
  if (my !== stevensSeq) return;
  const other = d.dir === 0 ? 1 : 0;
  const from = d.dir === 0 ? d.a : d.b, to = d.dir === 0 ? d.b : d.a;
  openPanel(`Stevens graph — TCP stream ${stream}: ${from} → ${to}`, `<p><button id="swap">Switch direction</button> data of ${esc(from)}, ACKs and window of ${esc(to)}</p><div id="stevens"></div>`, 'stevens', stream);
  $('swap').addEventListener('click', () => void showStevens(stream, other));
  panelBody.dataset['dir'] = String(d.dir);
  const g: StevensGraph = { stream, dir: d.dir, last: 0, plot: undefined, x: [], y: [[], [], [], [], []], segStart: [], sacks: [], ymin: Infinity, ymax: -Infinity, maxLen: 0, counts: { data: 0, retrans: 0, ack: 0, sack: 0 } };
  stevens = g;
  addPoints(g, d);
  if (!Number.isFinite(g.ymin)) { g.ymin = 0; g.ymax = 1; }
  drawStevens(g, lib, $('stevens'));
}

/** Live update: the frames of the stream captured since the last answer extend the graph. */
async function extendStevens(): Promise<void> {
  const g = stevens;
  if (!g || !g.plot || panelKind !== 'stevens' || panelStream !== g.stream) return;
  const my = stevensSeq;
  const [lib, d] = await Promise.all([loadUplot(), getJson<StevensResp>(`/api/stevens/${g.stream}?dir=${g.dir}&after=${g.last}`)]);
  if (my !== stevensSeq || stevens !== g || d.t.length === 0) return;
  addPoints(g, d);
  drawStevens(g, lib, $('stevens'));
}

async function showFollow(stream: number): Promise<void> {
  const f = await getJson<FollowResp>(`/api/follow/${stream}`);
  const body = f.chunks.map((c) => `<span class="${c.gap ? 'gap' : `c${c.node}`}" data-frame="${c.frame}">${esc(c.text)}</span>`).join('');
  openPanel(`Follow TCP Stream ${stream}`,
    `<p><span class="c0" style="color:#a00">${esc(f.node0)} → ${esc(f.node1)}: ${f.bytes0} bytes</span> &nbsp; <span style="color:#00a">${esc(f.node1)} → ${esc(f.node0)}: ${f.bytes1} bytes</span> &nbsp; <button id="followfilter">Filter this stream</button></p><div id="follow"><pre>${body}</pre></div>`, 'follow', stream);
  $('followfilter').addEventListener('click', () => void applyFilter(`tcp.stream eq ${stream}`));
}

async function showConversations(): Promise<void> {
  const rows = await getJson<{ stream: number; a: string; b: string; framesAB: number; bytesAB: number; framesBA: number; bytesBA: number; start: number; duration: number }[]>('/api/conversations');
  const tr = rows.map((r) => `<tr class="click" data-stream="${r.stream}"><td>${r.stream}</td><td>${esc(r.a)}</td><td>${esc(r.b)}</td><td>${r.framesAB + r.framesBA}</td><td>${r.bytesAB + r.bytesBA}</td><td>${r.framesAB}</td><td>${r.bytesAB}</td><td>${r.framesBA}</td><td>${r.bytesBA}</td><td>${r.start.toFixed(6)}</td><td>${r.duration.toFixed(6)}</td></tr>`).join('');
  openPanel(`TCP Conversations (${rows.length})`, `<table class="grid" id="convs"><tr><th>Stream</th><th>Address A:Port</th><th>Address B:Port</th><th>Packets</th><th>Bytes</th><th>Packets A→B</th><th>Bytes A→B</th><th>Packets B→A</th><th>Bytes B→A</th><th>Rel Start</th><th>Duration</th></tr>${tr}</table>`, 'conv');
  panelBody.querySelector('#convs')?.addEventListener('click', (e) => {
    const r = (e.target as Element).closest<HTMLElement>('tr[data-stream]');
    if (r) void applyFilter(`tcp.stream eq ${r.dataset['stream']}`);
  });
}

async function showExpert(): Promise<void> {
  const groups = await getJson<{ severity: string; summary: string; protocol: string; count: number; frames: number[] }[]>('/api/expert');
  const tr = groups.map((g) => `<tr class="sev-${g.severity}"><td>${g.severity}</td><td>${esc(g.summary)}</td><td>${g.protocol}</td><td>${g.count}</td><td>${g.frames.slice(0, 30).map((n) => `<a href="#" data-frame="${n}">${n}</a>`).join(' ')}${g.frames.length > 30 ? ' …' : ''}</td></tr>`).join('');
  openPanel('Expert Info', `<table class="grid" id="expert"><tr><th>Severity</th><th>Summary</th><th>Protocol</th><th>Count</th><th>Frames</th></tr>${tr}</table>`, 'expert');
  panelBody.querySelector('#expert')?.addEventListener('click', (e) => {
    const a = (e.target as Element).closest<HTMLElement>('a[data-frame]');
    if (!a) return;
    e.preventDefault();
    void goToFrame(Number(a.dataset['frame']));
  });
}

async function goToFrame(no: number): Promise<void> {
  let { index } = await getJson<{ index: number }>(`/api/index?no=${no}&filter=${encodeURIComponent(filter)}`);
  if (index < 0) { await applyFilter(''); index = (await getJson<{ index: number }>(`/api/index?no=${no}&filter=`)).index; }
  if (index >= 0) scrollToIndex(index);
  await selectFrame(no);
}

$('btn-flow').addEventListener('click', () => { const s = needStream(); if (s !== undefined) void showFlow(s); });
$('btn-stevens').addEventListener('click', () => { const s = needStream(); if (s !== undefined) void showStevens(s); });
$('btn-follow').addEventListener('click', () => { const s = needStream(); if (s !== undefined) void showFollow(s); });
$('btn-conv').addEventListener('click', () => void showConversations());
$('btn-expert').addEventListener('click', () => void showExpert());

// ---- opening files -------------------------------------------------------------------------

async function upload(file: File): Promise<void> {
  uploadError = '';
  try {
    await getJson<Status>('/api/upload', { method: 'POST', body: file, headers: { 'X-File-Name': encodeURIComponent(file.name) } });
  } catch (e) {
    uploadError = `Could not open ${file.name}: ${(e as Error).message}`;
  }
  selected = -1;
  tree.replaceChildren();
  hex.textContent = '';
  await applyFilter(filter);
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void upload(f);
});
document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('drag'); });
document.addEventListener('dragleave', (e) => { if (e.relatedTarget === null) document.body.classList.remove('drag'); });
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('drag');
  const f = e.dataTransfer?.files[0];
  if (f) void upload(f);
});

// ---- live updates --------------------------------------------------------------------------

let refreshing = false;
let again = false;
async function onServerChange(): Promise<void> {
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    await refresh();
    if (panelKind === 'stevens' && panelStream >= 0) await extendStevens();
  } finally {
    refreshing = false;
    if (again) { again = false; void onServerChange(); }
  }
}

const events = new EventSource('/api/events');
events.addEventListener('status', () => void onServerChange());

// The page carries the status and the first rows (server.ts): draw them before any request.
const bootEl = document.getElementById('boot');
if (bootEl?.textContent) {
  const boot = JSON.parse(bootEl.textContent) as { status: Status; start: number; rows: Row[] };
  gen = boot.status.gen;
  displayed = boot.status.displayed;
  if (boot.rows.length > 0) blocks.set(0, boot.rows);
  showStatus(boot.status);
  render();
}
void refresh();
