/**
 * `-z follow,tcp,ascii|raw,<stream>` text, as tshark 4.0 prints it (spec §14.3), from the events
 * of analysis/reassembly.ts. Pure formatting: the caller collects the events of the whole
 * capture (tshark prints after the last frame) and writes the returned string.
 *
 *   <blank line>
 *   ===================================================================   (67 '=')
 *   Follow: tcp,<mode>
 *   Filter: <filter>
 *   Node 0: <addr>:<port>        ([addr]:port for IPv6; ":0" when the stream was never seen)
 *   Node 1: <addr>:<port>
 *   chunks: ascii "<len>\n<data, non-printables as '.', \r \n kept>\n"; raw "<hex>\n";
 *           Node 1 chunks start with a TAB; a gap is the chunk "[<n> bytes missing in capture file]\0"
 *   ===================================================================
 *
 * Chunks flushed only because the stream closed (atClose) are not printed: tshark's tap never
 * prints buffered out-of-order data that nothing acknowledged.
 */
import type { Endpoint, StreamEvent } from '../analysis/reassembly.js';

export type FollowMode = 'ascii' | 'raw';

const SEPARATOR = '='.repeat(67);
const HEX = '0123456789abcdef';

function endpointText(e: Endpoint | undefined): string {
  if (e === undefined) return ':0';
  return e.addr.includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;
}

/** The bytes tshark puts in place of data the capture does not have. */
export function gapChunk(length: number): Uint8Array {
  return new TextEncoder().encode(`[${length} bytes missing in capture file]\0`);
}

/** One chunk of data in the given mode, Node 1 chunks indented by a TAB. */
export function formatFollowChunk(mode: FollowMode, node: 0 | 1, bytes: Uint8Array): string {
  const tab = node === 1 ? '\t' : '';
  if (mode === 'raw') {
    let s = tab;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      s += HEX[b >> 4]! + HEX[b & 15]!;
    }
    return s + '\n';
  }
  let s = `${tab}${bytes.length}\n`;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += b === 0x0d || b === 0x0a || (b >= 0x20 && b < 0x7f) ? String.fromCharCode(b) : '.';
  }
  return s + '\n';
}

/** The whole follow output for `stream` (filter text "tcp.stream eq <stream>" unless given). */
export function formatFollow(events: readonly StreamEvent[], stream: number, mode: FollowMode, filter = `tcp.stream eq ${stream}`): string {
  let node0: Endpoint | undefined;
  let node1: Endpoint | undefined;
  let body = '';
  for (const e of events) {
    if (e.stream !== stream) continue;
    if (e.type === 'open') {
      node0 = e.node0;
      node1 = e.node1;
    } else if (e.type === 'data' && !e.atClose) {
      body += formatFollowChunk(mode, e.node, e.bytes);
    } else if (e.type === 'gap' && !e.atClose) {
      body += formatFollowChunk(mode, e.node, gapChunk(e.length));
    }
  }
  return `\n${SEPARATOR}\nFollow: tcp,${mode}\nFilter: ${filter}\nNode 0: ${endpointText(node0)}\nNode 1: ${endpointText(node1)}\n${body}${SEPARATOR}\n`;
}
