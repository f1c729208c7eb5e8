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
import type { TimeFormat } from '../util/time.js';
import { formatSummaryLine, type PrevShown } from './columns.js';
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
  /** -t: the Time column's format (default 'r'). */
  timeFormat?: TimeFormat | undefined;
  /** -u hms: relative and delta times as hours, minutes and seconds. */
  hms?: boolean | undefined;
  /** -O: the protocols whose details -V shows (the others: their summary line only). */
  onlyProtocols?: readonly string[] | undefined;
  /** One-line text through the string path only (a preference the byte encoder does not know is set). */
  plainText?: boolean | undefined;
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
    const time = o.timeFormat ?? 'r';
    // The byte encoder (and the output thread fed by it) writes the default relative time only.
    const hms = o.hms === true;
    if (time !== 'r' || hms || o.plainText === true) {
      let prev: PrevShown | undefined;
      return {
        head: () => '',
        frame: (f) => {
          const line = formatSummaryLine(f, time, prev, hms) + '\n';
          prev = { frameNo: f.record.frameNo, ts: f.record.ts };
          return line;
        },
        tail: () => '',
      };
    }
    return { head: () => '', frame: (f) => formatSummaryLine(f) + '\n', tail: () => '', frameBytes: writeSummaryLine };
  }
  return (await import('./printer-formats.js')).makeFormatPrinter(o);
}
