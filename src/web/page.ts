/**
 * The UI's single HTML page (markup and styles); behaviour lives in ui/app.ts (served as /app.js).
 * Colours of the packet list are Wireshark's default colouring rules (colorfilters: "Bad TCP",
 * "TCP RST", "TCP SYN/FIN", "TCP", "UDP", "ICMP").
 *
 * `boot` (the status and the first block of rows) is embedded as JSON so the list draws without
 * waiting for API round trips: what shows the first rows of a large file while it is being read.
 */
export function pageHtml(boot?: unknown): string {
  // JSON inside <script>: "<" escaped so no "</script>" (or "<!--") in a frame's Info can end it.
  const bootJson = boot === undefined ? '' : `<script type="application/json" id="boot">${JSON.stringify(boot).replace(/</g, '\\u003c')}</script>\n`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tcplab</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:13px system-ui,sans-serif;color:#12272e}
#toolbar{display:flex;gap:6px;align-items:center;padding:4px 6px;background:#eee;border-bottom:1px solid #ccc;flex-wrap:wrap}
#toolbar button,#toolbar label.btn{font:12px system-ui;padding:2px 8px;border:1px solid #aaa;background:#fafafa;border-radius:3px;cursor:pointer}
#filterwrap{flex:1;min-width:260px;position:relative}
#filter{width:100%;font:13px monospace;padding:3px 6px;border:1px solid #999}
#filter.valid{background:#afffaf}#filter.invalid{background:#ffafaf}
#filtermsg{font:12px monospace;color:#a00;white-space:pre;min-height:0}
#notices{background:#fff7c0;border-bottom:1px solid #e0d080}
#notices div{padding:3px 8px}#notices .err{background:#ffd0d0}
#main{flex:1;display:flex;flex-direction:column;min-height:0}
#listhead,#list .row{display:grid;grid-template-columns:70px 110px 170px 170px 80px 64px 1fr;white-space:nowrap}
#listhead{background:#ddd;font-weight:600;border-bottom:1px solid #bbb}
#listhead div,#list .row div{padding:0 5px;overflow:hidden;text-overflow:ellipsis}
#list{flex:1 1 45%;overflow-y:auto;position:relative;font:12px monospace;min-height:120px}
#spacer{position:relative;width:100%}
#list .row{position:absolute;left:0;right:0;height:18px;line-height:18px;cursor:default}
#list .row.tcp{background:#e7e6ff}#list .row.udp{background:#daeeff}#list .row.icmp{background:#fce0ff}
#list .row.synfin{background:#a0a0a0}#list .row.rst{background:#a40000;color:#fffc9c}#list .row.bad{background:#121212;color:#f78787}
#list .row.sel{outline:2px solid #1565c0;outline-offset:-2px;filter:brightness(0.85)}
#lower{flex:1 1 40%;display:flex;min-height:120px;border-top:3px double #bbb}
#tree{flex:1;overflow:auto;font:12px monospace;padding:2px}
#tree ul{list-style:none;margin:0;padding-left:16px}#tree>ul{padding-left:2px}
#tree li>span{cursor:default;white-space:pre}#tree li>span.sel{background:#1565c0;color:#fff}
#tree li>span.gen{color:#555}
#tree .tw{display:inline-block;width:12px;color:#666}
#tree li[aria-expanded=false]>ul{display:none}
#hex{flex:0 0 auto;overflow:auto;font:12px monospace;padding:2px 8px;border-left:1px solid #ccc;white-space:pre}
#hex .b.hl,#hex .a.hl{background:#1565c0;color:#fff}
#status{display:flex;gap:18px;padding:2px 8px;background:#e8e8e8;border-top:1px solid #ccc;font-size:12px}
#panel{position:fixed;top:40px;right:0;bottom:22px;width:min(860px,70vw);background:#fff;border-left:2px solid #888;box-shadow:-4px 0 10px #0003;display:flex;flex-direction:column}
#panel[hidden]{display:none}
#panelhead{display:flex;gap:6px;align-items:center;padding:4px 6px;background:#ddd}
#panelhead h2{font-size:14px;margin:0;flex:1}
#panelbody{flex:1;overflow:auto;padding:6px}
#steps{display:flex;gap:8px;align-items:center;margin:4px 0}
#explain{font:12px monospace;background:#f4f4f4;border:1px solid #ccc;padding:4px;min-height:3em;white-space:pre-wrap}
svg .arrow line{stroke:#333;stroke-width:1.4}svg .arrow.synfin line{stroke:#777}svg .arrow.rst line{stroke:#a40000;stroke-width:2}svg .arrow.bad line{stroke:#c00;stroke-width:2}
svg .arrow.cur .hit{fill:#ffe98a}svg .arrow{cursor:pointer}
#stevens{min-height:440px}#stevens .u-legend{font-size:11px}
#follow pre{margin:0;white-space:pre-wrap;font:12px monospace}
#follow .c0{color:#a00;background:#fdecec}#follow .c1{color:#00a;background:#ececfd}#follow .gap{color:#777;font-style:italic}
table.grid{border-collapse:collapse;font:12px monospace}table.grid td,table.grid th{border:1px solid #ccc;padding:1px 6px;text-align:left}
table.grid tr.click{cursor:pointer}table.grid tr.click:hover{background:#eef}
.sev-Warning{background:#ffd84f}.sev-Note{background:#a0d0ff}.sev-Chat{background:#c0e0c0}
body.drag::after{content:"Drop a capture file to open it";position:fixed;inset:0;background:#1565c0cc;color:#fff;font-size:28px;display:flex;align-items:center;justify-content:center}
</style></head>
<body>
<div id="toolbar">
  <label class="btn" title="Open a pcap/pcapng file (or drag and drop one onto the page)">Open…<input id="file" type="file" accept=".pcap,.pcapng,.cap,.gz" hidden></label>
  <div id="filterwrap"><input id="filter" aria-label="Display filter" placeholder="Apply a display filter … (Enter)" autocomplete="off" spellcheck="false"><div id="filtermsg" role="status"></div></div>
  <button id="apply">Apply</button>
  <button id="btn-flow" title="Flow graph of the selected frame's TCP stream">Flow graph</button>
  <button id="btn-stevens" title="Time-sequence graph (Stevens) of the selected frame's TCP stream">Stevens graph</button>
  <button id="btn-follow" title="Follow TCP Stream">Follow TCP Stream</button>
  <button id="btn-conv">Conversations</button>
  <button id="btn-expert">Expert Info</button>
  <a id="download" href="/api/download.pcapng" download="tcplab-export.pcapng"><button type="button">Download pcapng</button></a>
</div>
<div id="notices" role="alert"></div>
<div id="main">
  <div id="listhead"><div>No.</div><div>Time</div><div>Source</div><div>Destination</div><div>Protocol</div><div>Length</div><div>Info</div></div>
  <div id="list" tabindex="0"><div id="spacer"></div></div>
  <div id="lower"><div id="tree" role="tree" aria-label="Packet details"></div><div id="hex" aria-label="Packet bytes"></div></div>
</div>
<div id="status"><span id="st-file"></span><span id="st-packets">Packets: 0</span><span id="st-displayed">Displayed: 0</span><span id="st-state"></span></div>
<div id="panel" hidden><div id="panelhead"><h2 id="paneltitle"></h2><button id="panelexport" hidden>Export as HTML</button><button id="panelclose">Close</button></div><div id="panelbody"></div></div>
${bootJson}<script type="module" src="/app.js"></script>
</body></html>
`;
}
