/**
 * Renders a FilterError as tshark 4.0 prints a broken -Y filter (tshark.c _compile_dfilter and
 * ws_strdup_underline): the message, then — when the error has a place — the filter indented by
 * four spaces and a caret under the place, with `~` under the rest of the span:
 *
 *   tcp.prot is neither a field nor a protocol name.
 *       tcp.prot
 *       ^~~~~~~~
 *
 * `prefix` is what tshark puts before the message ("tshark: "); tcplab's CLI passes "tcplab: ".
 */
import type { FilterError } from '../filter/index.js';

/** The caret line for a span: spaces up to the start, '^', then '~' for each further character. */
export function underline(start: number, length: number): string {
  return ' '.repeat(start) + '^' + '~'.repeat(Math.max(0, length - 1));
}

/** The lines tshark prints for a filter error (no trailing newline). */
export function formatFilterError(text: string, error: FilterError, prefix = ''): string {
  const head = prefix + error.message;
  if (error.span.start < 0) return head;
  return `${head}\n    ${text}\n    ${underline(error.span.start, error.span.end - error.span.start)}`;
}
