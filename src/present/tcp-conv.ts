/**
 * `-z conv,tcp` text as tshark 4.0 prints it (ui/cli/tap-iousers.c layout, spec §14.2), default
 * relative time format. Pure formatting of analysis/conversations.ts rows.
 */
import type { TcpConversation } from '../analysis/conversations.js';

const RULE = '='.repeat(80);
const HEAD1 = `${' '.repeat(59)}|       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`;
const HEAD2 = `${' '.repeat(59)}| Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`;

/** Wireshark's format_size(…, bytes, 0): "9999 bytes", "10 kB", "37 MB" (integer division by 1000). */
export function formatSize(n: number): string {
  const units = [[1e12, ' TB'], [1e9, ' GB'], [1e6, ' MB'], [1e3, ' kB']] as const;
  for (const [p, u] of units) if (Math.floor(n / p) >= 10) return `${Math.floor(n / p)}${u}`;
  return `${n} bytes`;
}

const padEnd = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const padStart = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const seconds = (sec: number, nsec: number): number => sec + nsec / 1e9;

/** One row: "%-26s <-> %-26s  %6u %-9s  %6u %-9s  %6u %-9s  %14.9f   %12.4f". */
export function formatConversationRow(r: TcpConversation): string {
  const a = `${r.a.addr}:${r.a.port}`;
  const b = `${r.b.addr}:${r.b.port}`;
  const start = seconds(r.startSec, r.startNsec);
  const duration = seconds(r.lastSec, r.lastNsec) - start;
  return `${padEnd(a, 26)} <-> ${padEnd(b, 26)}`
    + `  ${padStart(String(r.framesBA), 6)} ${padEnd(formatSize(r.bytesBA), 9)}`
    + `  ${padStart(String(r.framesAB), 6)} ${padEnd(formatSize(r.bytesAB), 9)}`
    + `  ${padStart(String(r.framesAB + r.framesBA), 6)} ${padEnd(formatSize(r.bytesAB + r.bytesBA), 9)}`
    + `  ${padStart(start.toFixed(9), 14)}   ${padStart(duration.toFixed(4), 12)}`;
}

/** The whole table; `filter` is echoed after "Filter:" (tshark: -z conv,tcp,<filter>). */
export function formatTcpConversations(rows: readonly TcpConversation[], filter?: string): string {
  const lines = [RULE, 'TCP Conversations', `Filter:${filter ?? '<No Filter>'}`, HEAD1, HEAD2];
  for (const r of rows) lines.push(formatConversationRow(r));
  lines.push(RULE);
  return lines.join('\n') + '\n';
}
