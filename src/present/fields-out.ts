/**
 * tshark -T fields: one line per frame, the chosen fields' values joined by the separator; several
 * occurrences joined by the aggregator (or only the first/last); optional header line and quoting.
 * -E options as tshark: header=y|n, separator=/t|/s|<char>, occurrence=f|l|a, aggregator=,|/s|<char>,
 * quote=d|s|n.
 */
import type { FieldDef, Frame } from '../fields/field.js';
import { lookupField } from '../fields/registry.js';
import { formatFieldValue } from '../fields/format.js';
import { protocolLabels } from '../fields/tree.js';
import { LabError } from '../util/errors.js';
import type { TimeFormat } from '../util/time.js';
import { addressColumns, timeColumn } from './columns.js';
import { protocolAndInfo } from './info.js';

export interface FieldsOptions {
  header: boolean;
  separator: string;
  occurrence: 'f' | 'l' | 'a';
  aggregator: string;
  quote: string;
}

export const DEFAULT_FIELDS_OPTIONS: FieldsOptions = { header: false, separator: '\t', occurrence: 'a', aggregator: ',', quote: '' };

function sepChar(v: string): string {
  if (v === '/t') return '\t';
  if (v === '/s') return ' ';
  return v.slice(0, 1);
}

/** Applies one `-E name=value` option; throws ERR_USAGE_FIELDS_OPTION on a bad one (tshark words). */
export function applyFieldsOption(o: FieldsOptions, spec: string): void {
  const eq = spec.indexOf('=');
  const name = eq < 0 ? spec : spec.slice(0, eq);
  const val = eq < 0 ? '' : spec.slice(eq + 1);
  const bad = (): never => { throw new LabError('ERR_USAGE_FIELDS_OPTION', `Invalid -E parameter "${spec}"; see the man page for valid field options.`); };
  switch (name) {
    case 'header': if (val !== 'y' && val !== 'n') bad(); o.header = val === 'y'; break;
    case 'separator': if (!val) bad(); o.separator = sepChar(val); break;
    case 'aggregator': if (!val) bad(); o.aggregator = sepChar(val); break;
    case 'occurrence': if (val !== 'f' && val !== 'l' && val !== 'a') bad(); o.occurrence = val as 'f' | 'l' | 'a'; break;
    case 'quote': if (val === 'd') o.quote = '"'; else if (val === 's') o.quote = "'"; else if (val === 'n') o.quote = ''; else bad(); break;
    default: bad();
  }
}

/** tshark's column fields: "_ws.col." + a column title of its default layout. */
const COLUMN_PREFIX = '_ws.col.';

/** The text of column `title` (tshark 4.0's default titles), as the one-line output shows it. */
function columnText(title: string, f: Frame, time: TimeFormat, hms: boolean): string | undefined {
  switch (title) {
    case 'No.': return String(f.record.frameNo);
    case 'Time': return timeColumn(f, time, undefined, hms);
    case 'Source': return addressColumns(f)[0];
    case 'Destination': return addressColumns(f)[1];
    case 'Protocol': return protocolAndInfo(f)[0];
    case 'Length': return String(f.record.origLen);
    case 'Info': return protocolAndInfo(f)[1];
    default: return undefined;
  }
}

/**
 * A column field (-e _ws.col.Info): the column's text per frame. As in tshark 4.0 any title is
 * accepted and one that is not a column (titles are case-sensitive: _ws.col.info) stays empty.
 * Output only: display filters cannot test columns in 4.0.
 */
function columnField(abbrev: string, time: TimeFormat, hms: boolean): FieldDef {
  const title = abbrev.slice(COLUMN_PREFIX.length);
  return {
    abbrev, name: title, type: 'FT_STRING', display: 'BASE_NONE', bitmask: 0, parent: '', blurb: '', generated: false,
    values: (f) => {
      const v = columnText(title, f, time, hms);
      return v === undefined ? [] : [v];
    },
  };
}

/** Resolves field names; throws ERR_USAGE_UNKNOWN_FIELD listing the bad ones (tshark's message). */
export function resolveFields(names: readonly string[], time: TimeFormat = 'r', hms = false): FieldDef[] {
  const isColumn = (n: string): boolean => n.startsWith(COLUMN_PREFIX) && n.length > COLUMN_PREFIX.length;
  const bad = names.filter((n) => !isColumn(n) && !lookupField(n));
  if (bad.length) throw new LabError('ERR_USAGE_UNKNOWN_FIELD', `Some fields aren't valid:\n${bad.map((b) => `\t${b}`).join('\n')}`);
  return names.map((n) => (isColumn(n) ? columnField(n, time, hms) : lookupField(n)!));
}

/** Every occurrence of `def` in the frame, as tshark prints it. */
export function fieldTexts(def: FieldDef, f: Frame): string[] {
  if (def.type === 'FT_PROTOCOL' && def.parent === '') {
    return def.values(f).length ? protocolLabels(f, def.abbrev) : [];
  }
  return def.values(f).map((v) => formatFieldValue(def, v));
}

/** Header line (the field names), without newline. */
export function formatFieldsHeader(defs: readonly FieldDef[], o: FieldsOptions): string {
  return defs.map((d) => d.abbrev).join(o.separator);
}

/** One frame's line, without newline. */
export function formatFieldsLine(f: Frame, defs: readonly FieldDef[], o: FieldsOptions): string {
  const cells: string[] = [];
  for (const d of defs) {
    let vals = fieldTexts(d, f);
    if (vals.length === 0) { cells.push(''); continue; }
    if (o.occurrence === 'f') vals = vals.slice(0, 1);
    else if (o.occurrence === 'l') vals = vals.slice(-1);
    cells.push(o.quote + vals.join(o.aggregator) + o.quote);
  }
  return cells.join(o.separator);
}
