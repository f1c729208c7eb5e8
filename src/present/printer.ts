/**
 * The per-frame printer shared by `tcplab read` and `tcplab capture`: decides once, from the
 * options, how a frame becomes text (tshark's -V / -x / -T text|fields|json|ek / -q), then formats
 * each frame with no further branching on options (compile once, run per frame). Pure: returns
 * strings, cli/ writes them.
 */
import type { FieldDef, Frame } from '../fields/field.js';
import { formatSummaryLine } from './columns.js';
import { writeSummaryLine } from './summary-bytes.js';
import { formatDetail } from './text-detail.js';
import { formatHexDump } from './hexdump.js';
import { type FieldsOptions, formatFieldsHeader, formatFieldsLine } from './fields-out.js';
import { formatEk, formatEkFields, formatJsonFieldsPacket, formatJsonPacket } from './json.js';

export type OutputFormat = 'text' | 'fields' | 'json' | 'ek';

export interface PrinterOptions {
  format: OutputFormat;
  detail: boolean;
  hex: boolean;
  quiet: boolean;
  fields: readonly FieldDef[];
  fieldsOptions: FieldsOptions;
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
export function makePrinter(o: PrinterOptions): Printer {
  if (o.quiet) return { head: () => '', frame: () => '', tail: () => '' };
  switch (o.format) {
    case 'fields':
      return {
        head: () => (o.fieldsOptions.header ? formatFieldsHeader(o.fields, o.fieldsOptions) + '\n' : ''),
        frame: (f) => formatFieldsLine(f, o.fields, o.fieldsOptions) + '\n',
        tail: () => '',
      };
    case 'json':
      return {
        head: () => '',
        frame: o.fields.length
          ? (f, i) => (i > 0 ? ',\n' : '[\n') + formatJsonFieldsPacket(f, o.fields)
          : (f, i) => (i > 0 ? ',\n' : '[\n') + formatJsonPacket(f),
        tail: (n) => (n > 0 ? '\n]\n' : '[]\n'),
      };
    case 'ek':
      return { head: () => '', frame: o.fields.length ? (f) => formatEkFields(f, o.fields) : (f) => formatEk(f), tail: () => '' };
    default:
      break;
  }
  if (o.detail) {
    return {
      head: () => '',
      frame: (f) => formatDetail(f, o.hex) + '\n' + (o.hex ? formatHexDump(f.record.data) + '\n' : ''),
      tail: () => '',
    };
  }
  if (o.hex) return { head: () => '', frame: (f) => formatHexDump(f.record.data) + '\n', tail: () => '' };
  return { head: () => '', frame: (f) => formatSummaryLine(f) + '\n', tail: () => '', frameBytes: writeSummaryLine };
}
