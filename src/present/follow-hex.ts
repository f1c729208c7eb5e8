/**
 * `-z follow,tcp,hex,<stream>` as tshark 4.0 prints it (ui/cli/tap-follow.c follow_print_hex):
 * the same frame as the ascii/raw modes (present/tcp-follow.ts) with each chunk as hexdump lines
 *   "%08X  xx xx xx xx xx xx xx xx  xx … xx  ascii-ascii" (16 bytes a line, extra space after 8),
 * offsets counting per direction; Node 1 lines start with a TAB; trailing spaces cut.
 * Pure formatting.
 */
import type { Endpoint, StreamEvent } from '../analysis/reassembly.js';
import { gapChunk } from './tcp-follow.js';

const SEPARATOR = '='.repeat(67);
const HEX = '0123456789abcdef';

function endpointText(e: Endpoint | undefined): string {
  if (e === undefined) return ':0';
  return e.addr.includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;
}

/** Hexdump lines of one chunk starting at direction offset `offset`. */
export function formatHexChunk(prefix: string, offset: number, bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 16) {
    const n = Math.min(16, bytes.length - i);
    let hex = '', asc = '';
    for (let k = 0; k < 16; k++) {
      if (k < n) {
        const b = bytes[i + k]!;
        hex += HEX[b >> 4]! + HEX[b & 15]! + ' ';
        asc += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else hex += '   ';
      if (k === 7) { hex += ' '; if (k < n) asc += ' '; }
    }
    // tap-follow.c cuts a trailing space of the ascii part (after exactly 8 bytes).
    if (asc.endsWith(' ')) asc = asc.slice(0, -1);
    s += `${prefix}${((offset + i) >>> 0).toString(16).toUpperCase().padStart(8, '0')}  ${hex} ${asc}\n`;
  }
  return s;
}

/** The whole follow output in hex mode for `stream`. */
export function formatFollowHex(events: readonly StreamEvent[], stream: number, filter = `tcp.stream eq ${stream}`): string {
  let node0: Endpoint | undefined, node1: Endpoint | undefined;
  const pos = [0, 0];
  let body = '';
  for (const e of events) {
    if (e.stream !== stream) continue;
    if (e.type === 'open') { node0 = e.node0; node1 = e.node1; continue; }
    if ((e.type !== 'data' && e.type !== 'gap') || e.atClose) continue;
    const bytes = e.type === 'data' ? e.bytes : gapChunk(e.length);
    body += formatHexChunk(e.node === 1 ? '\t' : '', pos[e.node]!, bytes);
    pos[e.node]! += bytes.length;
  }
  return `\n${SEPARATOR}\nFollow: tcp,hex\nFilter: ${filter}\nNode 0: ${endpointText(node0)}\nNode 1: ${endpointText(node1)}\n${body}${SEPARATOR}\n`;
}
