/**
 * The per-frame printer shared by `tcplab read` and `tcplab capture`: decides once, from the
 * options, how a frame becomes text (tshark's -V / -x / -T text|fields|json|ek / -q), then formats
 * each frame with no further branching on options (compile once, run per frame). Pure: returns
 * strings, cli/ writes them.
 *
 * The default one-line text is built here; the other formats (present/printer-formats.ts) load
 * only when asked for, which keeps the start-up of a plain `read` short.
 */
import type { FieldDef, Frame } from '../fields/field.js';
import type { FieldsOptions } from './fields-out.js';
import { formatSummaryLine } from './columns.js';
import { writeSummaryLine } from './summary-bytes.js';

export type OutputFormat = 'text' | 'fields' | 'json' | 'ek';

export interface PrinterOptions {
  format: OutputFormat;
  detail: boolean;
  hex: boolean;
  quiet: boolean;
  fields: readonly FieldDef[];
  /** -E options (-T fields); DEFAULT_FIELDS_OPTIONS when undefined. */
  fieldsOptions?: FieldsOptions | undefined;
}

export interface Printer {
  /** Text before the first frame ('' when none). */
  head(): string;
  /** Text for one displayed frame. */
  frame(f: Frame, index: number): string;
  /** Text after the last frame. */
  tail(count: number): string;
  /**
   * The same text as frame(), written as UTF-8 into `buf` at `pos` (MAX_SUMMARY_BYTES free);
   * returns the end position, or -1 when frame() must be used for this frame. Only some formats.
   */
  frameBytes?: (f: Frame, buf: Uint8Array, pos: number) => number;
}

/** Builds the printer for a set of options. */
export async function makePrinter(o: PrinterOptions): Promise<Printer> {
  if (o.quiet) return { head: () => '', frame: () => '', tail: () => '' };
  if (o.format === 'text' && !o.detail && !o.hex) {
    return { head: () => '', frame: (f) => formatSummaryLine(f) + '\n', tail: () => '', frameBytes: writeSummaryLine };
  }
  return (await import('./printer-formats.js')).makeFormatPrinter(o);
}
