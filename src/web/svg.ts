/**
 * SVG pictures of one TCP stream, drawn on the server so the page and the exported static HTML
 * show the same thing: the flow graph (ladder: one lane per ip:port endpoint, one arrow per
 * segment with flags, Seq/Ack/Len/Win and analysis markers) and the Stevens time-sequence graph
 * (tcptrace style: data segments as vertical bars, the ACK line, the receive-window line, SACK
 * blocks, retransmissions in red). Every arrow and segment carries data-frame="N".
 *
 * The page draws the ladder from ladderSvg; its Stevens graph is drawn in the browser with uPlot
 * (ui/app.ts, from views.ts stevensData) so it can grow live. stevensSvg remains for the exported
 * static page, which carries no script (a shareable file that opens anywhere).
 */
import type { LadderRow, StreamView } from './views.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const ROW_H = 34;
/** Above this many segments the Stevens graph draws paths instead of one element per segment. */
const PATH_MODE_SEGMENTS = 5000;
const TOP = 44;
const LANE_A = 230;
const LANE_B = 690;
const WIDTH = 800;

function arrowClass(r: LadderRow): string {
  if (r.flags.includes('RST')) return 'rst';
  if (r.analysis !== '') return 'bad';
  if (r.flags.includes('SYN') || r.flags.includes('FIN')) return 'synfin';
  return r.len > 0 ? 'data' : 'ack';
}

/** The ladder of rows [from, from+maxRows) of a stream (the page pages through longer streams). */
export function ladderSvg(v: StreamView, maxRows = 2000, from = 0): string {
  const rows = v.rows.slice(from, from + maxRows);
  const h = TOP + rows.length * ROW_H + 20;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="ladder" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" font-family="monospace" font-size="11">`);
  out.push('<defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>');
  out.push(`<text x="${LANE_A}" y="16" text-anchor="middle" font-weight="bold">${escapeHtml(v.a)}</text>`);
  out.push(`<text x="${LANE_B}" y="16" text-anchor="middle" font-weight="bold">${escapeHtml(v.b)}</text>`);
  out.push(`<text x="8" y="16" font-weight="bold">No. / Time</text>`);
  out.push(`<line x1="${LANE_A}" y1="26" x2="${LANE_A}" y2="${h - 6}" stroke="#555" stroke-width="2"/>`);
  out.push(`<line x1="${LANE_B}" y1="26" x2="${LANE_B}" y2="${h - 6}" stroke="#555" stroke-width="2"/>`);
  rows.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const [x1, x2] = r.dir === 0 ? [LANE_A, LANE_B] : [LANE_B, LANE_A];
    const cls = arrowClass(r);
    const label = `${r.flags === '<None>' ? '' : r.flags + '  '}Seq=${r.seq}${r.hasAck ? ` Ack=${r.ack}` : ''} Win=${r.win} Len=${r.len}`;
    out.push(`<g class="arrow ${cls}" data-frame="${r.no}"><title>${escapeHtml(`${r.no}: ${r.info}`)}</title>`);
    out.push(`<rect class="hit" x="0" y="${y - 12}" width="${WIDTH}" height="${ROW_H}" fill="transparent"/>`);
    out.push(`<text x="8" y="${y + 4}">${r.no}  ${escapeHtml(r.time)}</text>`);
    out.push(`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y + 14}" marker-end="url(#ah)"/>`);
    out.push(`<text x="${(LANE_A + LANE_B) / 2}" y="${y + 3}" text-anchor="middle">${escapeHtml(label)}</text>`);
    if (r.analysis) out.push(`<text class="flag" x="${(LANE_A + LANE_B) / 2}" y="${y + 17}" text-anchor="middle" fill="#c00">${escapeHtml(r.analysis)}</text>`);
    out.push('</g>');
  });
  if (v.rows.length > from + rows.length) out.push(`<text x="8" y="${h - 4}">… ${v.rows.length - from - rows.length} more segments</text>`);
  out.push('</svg>');
  return out.join('');
}

/** Which direction sends data: the one with more payload bytes (A on a tie). */
export function senderOf(v: StreamView): 0 | 1 {
  let a = 0, b = 0;
  for (const r of v.rows) if (r.dir === 0) a += r.len; else b += r.len;
  return b > a ? 1 : 0;
}

/**
 * tcptrace-style time-sequence graph of the data sent by `dir` (default: the sender). Sequence
 * numbers are relative (the analysis' relSeq; ACK/SACK edges of the other side are relative to
 * the same base).
 */
export function stevensSvg(v: StreamView, dir: 0 | 1 = senderOf(v), width = 800, height = 420): string {
  const data = v.rows.filter((r) => r.dir === dir);
  const acks = v.rows.filter((r) => r.dir !== dir && r.hasAck);
  const ml = 70, mr = 16, mt = 24, mb = 36;
  let tMax = 0, sMin = Infinity, sMax = -Infinity;
  for (const r of v.rows) tMax = Math.max(tMax, r.t);
  for (const r of data) { sMin = Math.min(sMin, r.seq); sMax = Math.max(sMax, r.seq + r.len); }
  for (const r of acks) { sMin = Math.min(sMin, r.ack); sMax = Math.max(sMax, r.ack + r.win); }
  if (!Number.isFinite(sMin)) { sMin = 0; sMax = 1; }
  if (sMax <= sMin) sMax = sMin + 1;
  if (tMax <= 0) tMax = 1e-6;
  const X = (t: number): number => ml + (t / tMax) * (width - ml - mr);
  const Y = (s: number): number => height - mb - ((s - sMin) / (sMax - sMin)) * (height - mt - mb);
  const f = (n: number): string => n.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="stevens" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<text x="${ml}" y="14">Stevens graph, stream ${v.stream}: ${escapeHtml(dir === 0 ? v.a : v.b)} → ${escapeHtml(dir === 0 ? v.b : v.a)}</text>`);
  out.push(`<line x1="${ml}" y1="${height - mb}" x2="${width - mr}" y2="${height - mb}" stroke="#000"/><line x1="${ml}" y1="${mt}" x2="${ml}" y2="${height - mb}" stroke="#000"/>`);
  for (let i = 0; i <= 4; i++) {
    const t = (tMax * i) / 4, s = sMin + ((sMax - sMin) * i) / 4;
    out.push(`<text x="${f(X(t))}" y="${height - mb + 14}" text-anchor="middle">${t.toPrecision(3)}s</text>`);
    out.push(`<text x="${ml - 4}" y="${f(Y(s) + 4)}" text-anchor="end">${Math.round(s)}</text>`);
  }
  out.push(`<text x="${width / 2}" y="${height - 4}" text-anchor="middle">Time (s)</text>`);
  // ACK line and receive-window line: steps at each ACK of the other side.
  if (acks.length > 0) {
    let ackD = '', winD = '';
    acks.forEach((r, i) => {
      const x = X(r.t);
      ackD += i === 0 ? `M${f(x)},${f(Y(r.ack))}` : `H${f(x)}V${f(Y(r.ack))}`;
      winD += i === 0 ? `M${f(x)},${f(Y(r.ack + r.win))}` : `H${f(x)}V${f(Y(r.ack + r.win))}`;
    });
    ackD += `H${f(X(tMax))}`;
    winD += `H${f(X(tMax))}`;
    out.push(`<path class="ackline" d="${ackD}" fill="none" stroke="#0a0" stroke-width="1.2"/>`);
    out.push(`<path class="winline" d="${winD}" fill="none" stroke="#b8a000" stroke-width="1.2"/>`);
    for (const r of acks) {
      for (let i = 0; i < r.sackLe.length; i++) {
        const le = r.sackLe[i]!, re = r.sackRe[i] ?? le;
        out.push(`<line class="sack" data-frame="${r.no}" x1="${f(X(r.t))}" y1="${f(Y(le))}" x2="${f(X(r.t))}" y2="${f(Y(re))}" stroke="#06c" stroke-width="3"/>`);
      }
    }
  }
  // Long streams: all segments as two paths (one for retransmissions), no per-segment elements.
  if (data.length > PATH_MODE_SEGMENTS) {
    let d = '', rd = '';
    for (const r of data) {
      if (r.len <= 0) continue;
      const seg = `M${f(X(r.t))},${f(Y(r.seq))}V${f(Math.min(Y(r.seq + r.len), Y(r.seq) - 1))}`;
      if (r.retrans) rd += seg; else d += seg;
    }
    out.push(`<path class="segs" d="${d}" stroke="#000" fill="none"/><path class="segs retrans" d="${rd}" stroke="#d00" fill="none"/>`);
  }
  for (const r of data.length > PATH_MODE_SEGMENTS ? [] : data) {
    if (r.len === 0 && !r.flags.includes('SYN') && !r.flags.includes('FIN')) continue;
    const x = X(r.t);
    const color = r.retrans ? '#d00' : '#000';
    const y1 = Y(r.seq), y2 = Y(r.seq + Math.max(r.len, 0));
    out.push(`<g class="seg${r.retrans ? ' retrans' : ''}" data-frame="${r.no}" stroke="${color}"><title>${r.no}: Seq=${r.seq} Len=${r.len}${r.analysis ? ' ' + escapeHtml(r.analysis) : ''}</title><line x1="${f(x)}" y1="${f(y1)}" x2="${f(x)}" y2="${f(Math.min(y2, y1 - 1))}"/><line x1="${f(x - 2)}" y1="${f(y1)}" x2="${f(x + 2)}" y2="${f(y1)}"/><line x1="${f(x - 2)}" y1="${f(Math.min(y2, y1 - 1))}" x2="${f(x + 2)}" y2="${f(Math.min(y2, y1 - 1))}"/></g>`);
  }
  out.push(`<g font-size="10"><rect x="${width - 220}" y="${mt}" width="204" height="58" fill="#fff" stroke="#ccc"/>`
    + `<text x="${width - 212}" y="${mt + 13}">▮ data segment</text><text x="${width - 212}" y="${mt + 26}" fill="#d00">▮ retransmission</text>`
    + `<text x="${width - 110}" y="${mt + 13}" fill="#0a0">— ACK</text><text x="${width - 110}" y="${mt + 26}" fill="#b8a000">— receive window</text>`
    + `<text x="${width - 212}" y="${mt + 42}" fill="#06c">▮ SACK block</text></g>`);
  out.push('</svg>');
  return out.join('');
}

/**
 * A static, self-contained HTML page of one stream: ladder, Stevens graph and explanations.
 * The ladder and the segment table show the first 2000 segments.
 */
export function exportStreamHtml(v: StreamView, captureName: string): string {
  const expl = v.rows.filter((r) => r.explain.length > 0)
    .map((r) => `<li><b>Frame ${r.no}</b> ${escapeHtml(r.info)}<ul>${r.explain.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></li>`).join('');
  const table = v.rows.slice(0, 2000).map((r) => `<tr class="${arrowClass(r)}"><td>${r.no}</td><td>${escapeHtml(r.time)}</td><td>${r.dir === 0 ? '→' : '←'}</td><td>${escapeHtml(r.info)}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TCP stream ${v.stream} — ${escapeHtml(captureName)}</title>
<style>body{font-family:sans-serif;margin:1em 2em}svg .arrow line{stroke:#333;stroke-width:1.4}svg .arrow.synfin line{stroke:#777}svg .arrow.rst line{stroke:#a40000}svg .arrow.bad line{stroke:#c00}
table{border-collapse:collapse;font:12px monospace}td{padding:1px 6px}tr.bad{background:#121212;color:#f78787}tr.rst{background:#a40000;color:#fffc9c}tr.synfin{background:#a0a0a0}tr.data,tr.ack{background:#e7e6ff}</style></head>
<body><h1>TCP stream ${v.stream}: ${escapeHtml(v.a)} ⇄ ${escapeHtml(v.b)}</h1><p>From ${escapeHtml(captureName)}, exported by tcplab ui.</p>
<h2>Flow graph</h2>${ladderSvg(v)}
<h2>Time-sequence graph (Stevens)</h2>${stevensSvg(v)}
<h2>Why frames were flagged</h2><ul>${expl || '<li>No frame of this stream was flagged by the TCP analysis.</li>'}</ul>
<h2>Segments</h2><table>${table}</table></body></html>
`;
}
