/**
 * The printers of tshark's other output formats (-T fields|json|ek, -V, -x), loaded by
 * present/printer.ts only when one is asked for.
 */
import { formatDetail } from './text-detail.js';
import { formatHexDump } from './hexdump.js';
import { DEFAULT_FIELDS_OPTIONS, formatFieldsHeader, formatFieldsLine } from './fields-out.js';
import { formatEk, formatEkFields, formatJsonFieldsPacket, formatJsonPacket } from './json.js';
import type { Printer, PrinterOptions } from './printer.js';

/** The printer of every format but the default one-line text (and -q). */
export function makeFormatPrinter(o: PrinterOptions): Printer {
  const fo = o.fieldsOptions ?? DEFAULT_FIELDS_OPTIONS;
  switch (o.format) {
    case 'fields':
      return {
        head: () => (fo.header ? formatFieldsHeader(o.fields, fo) + '\n' : ''),
        frame: (f) => formatFieldsLine(f, o.fields, fo) + '\n',
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
    const only = o.onlyProtocols !== undefined ? new Set(o.onlyProtocols) : undefined;
    return {
      head: () => '',
      frame: (f) => formatDetail(f, o.hex, only) + '\n' + (o.hex ? formatHexDump(f.record.data) + '\n' : ''),
      tail: () => '',
    };
  }
  if (o.hex) return { head: () => '', frame: (f) => formatHexDump(f.record.data) + '\n', tail: () => '' };
  throw new Error(`no printer for format ${o.format}`);
}
