/**
 * `-z io,stat,INTERVAL[,FILTER…]` as tshark 4.0 prints it (ui/cli/tap-iostat.c, relative time
 * format, "Frames and bytes" columns only — no SUM()/COUNT()/AVG() calculations): a box with the
 * duration, the interval, one column per filter (none = every frame) and one row per interval.
 *
 * Times are integer microseconds as in tshark: a frame's relative time is rounded to µs, the
 * duration is the last frame's relative time (rounded), and widths follow tshark's magnitude
 * rules (even its quirks: "%6u" microseconds in the Duration line are space-padded, not zeroed).
 * Memory: one {frames, bytes} pair per non-empty interval per column (sparse: a capture with a
 * time jump of years has few busy intervals); the text is produced piece by piece (`chunks()`),
 * since tshark prints every empty interval too (one such capture makes 159 M rows).
 */
import type { Frame } from '../fields/field.js';

/** A column's test: undefined counts every frame. */
export type IoStatTest = ((f: Frame) => boolean) | undefined;

export interface IoStatColumn {
  /** The filter text as given (undefined: "Frames and bytes"). */
  filter: string | undefined;
  test: IoStatTest;
}

/** Sentinel for "-z io,stat,0": one interval over the whole capture. */
const WHOLE = Number.MAX_SAFE_INTEGER;

/** Digits of `val` (at least 1, at most maxW): tap-iostat.c magnitude(). */
function magnitude(val: number, maxW: number): number {
  let mag = 0;
  for (let i = 0; i < maxW; i++) {
    mag++;
    val = Math.floor(val / 10);
    if (val === 0) break;
  }
  return mag;
}

/** Largest element (0 for none); no spread: rows can outnumber the argument limit. */
function maxOf(a: ReadonlyMap<number, number>): number {
  let m = 0;
  for (const v of a.values()) if (v > m) m = v;
  return m;
}

const sp = (n: number): string => (n > 0 ? ' '.repeat(n) : '');
const u = (v: number, w: number): string => String(v).padStart(w);
const z = (v: number, w: number): string => String(v).padStart(w, '0');

/** tap-iostat.c printcenter(): the label centred over a column of `lenval` characters. */
function center(label: string, lenval: number): string {
  const lenlab = label.length;
  const len = 6 - (Math.trunc((lenval - lenlab) / 2) + 1);
  if (len > 0 && len < 6) {
    const s = sp(6 - len);
    return (lenval - lenlab) % 2 === 0 ? `${s}${label}${s}|` : `${s} ${label}${s}|`;
  }
  if (len > 0 && len <= 15) return `${label}|`;
  return '';
}

/**
 * Parses the interval argument (seconds, "0" = whole capture) into µs and tshark's decimal
 * precision; throws a RangeError with tshark's wording on a bad value.
 */
export function parseInterval(text: string): { intervalUs: number; prec: number } {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new RangeError('invalid "-z io,stat,<interval>[,<filter>][,<filter>]..." argument');
  if (v === 0) return { intervalUs: WHOLE, prec: 0 };
  const intervalUs = Math.floor(v * 1_000_000 + 0.5);
  if (intervalUs < 1) throw new RangeError('"-z" interval must be >=0.000001 seconds or "0" for the entire capture duration.');
  let prec = 6;
  for (let i = 10; i < 10_000_000; i *= 10) {
    if (intervalUs % i > 0) break;
    prec--;
  }
  if (prec === 0) {
    // "1.0" asks for one decimal place even though the interval is whole.
    const dot = text.indexOf('.');
    if (dot >= 0) {
      const n = text.length - dot - 1;
      if (n > 0) prec = Math.min(n, 6);
    }
  }
  return { intervalUs, prec };
}

/** Collects frames and bytes per interval per column, then draws tshark's table. */
export class IoStat {
  private readonly frames: Map<number, number>[];
  private readonly bytes: Map<number, number>[];
  private lastRelUs = 0;
  private durationUs = 0;

  constructor(private readonly intervalUs: number, private readonly prec: number, private readonly columns: readonly IoStatColumn[]) {
    this.frames = columns.map(() => new Map<number, number>());
    this.bytes = columns.map(() => new Map<number, number>());
  }

  /** Feeds one frame (every frame of the capture, in order). */
  add(f: Frame): void {
    const ns = f.timeRelativeNs;
    // tshark: a negative relative time counts in the interval of the previous frame.
    const rel = ns >= 0 ? Math.floor((ns + 500) / 1000) : this.lastRelUs;
    this.lastRelUs = rel;
    if (ns >= 0) this.durationUs = Math.max(this.durationUs, Math.floor((ns + 500) / 1000));
    const row = this.intervalUs === WHOLE ? 0 : Math.floor(rel / this.intervalUs);
    for (let c = 0; c < this.columns.length; c++) {
      const t = this.columns[c]!.test;
      if (t !== undefined && !t(f)) continue;
      const fr = this.frames[c]!, by = this.bytes[c]!;
      fr.set(row, (fr.get(row) ?? 0) + 1);
      by.set(row, (by.get(row) ?? 0) + f.record.origLen);
    }
  }

  /** The table, starting with a blank line, as tshark prints it at the end. */
  format(): string {
    return [...this.chunks()].join('');
  }

  /** The table in pieces of at most ~1000 rows (write each before asking for the next). */
  *chunks(): Generator<string> {
    let duration = this.durationUs;
    let interval: number;
    let whole = this.intervalUs === WHOLE;
    if (this.intervalUs > duration || whole) {
      interval = duration;
      whole = true;
    } else interval = this.intervalUs;
    let durSecs = Math.floor(duration / 1e6);
    let durUsecs = duration % 1e6;
    const durSecsOrig = durSecs, durUsecsOrig = durUsecs;
    let durMag = magnitude(durSecs, 5);
    const durMagFmt = durMag;
    const invlMag = magnitude(Math.floor(interval / 1e6), 5);
    let prec: number;
    let border: number;
    if (interval === duration) {
      prec = durMag >= 2 ? 1 : durMag === 1 ? 3 : 6;
      border = 30 + durMag + prec + 1;
    } else {
      prec = this.prec;
      border = 25 + Math.max(invlMag, durMag) + (prec === 0 ? 0 : prec + 1);
    }
    let dv = 1_000_000;
    for (let i = 0; i < prec; i++) dv = Math.floor(dv / 10);
    if (duration % dv > 5 * Math.floor(dv / 10)) {
      duration += 5 * Math.floor(dv / 10);
      duration = Math.floor(duration / dv) * dv;
      durSecs = Math.floor(duration / 1e6);
      durUsecs = duration % 1e6;
      durMag = magnitude(durSecs, 5);
    }
    if (whole) interval = duration;
    const invlColW = Math.max(prec === 0 ? 2 * durMag + 8 : 2 * durMag + 2 * prec + 10, 12);
    border = Math.max(border, invlColW);
    let tabrow = invlColW;
    const frW: number[] = [], valW: number[] = [];
    for (let c = 0; c < this.columns.length; c++) {
      frW.push(Math.max(6, magnitude(maxOf(this.frames[c]!), 15)));
      valW.push(Math.max(5, magnitude(maxOf(this.bytes[c]!), 15)));
      tabrow += frW[c]! + 3 + valW[c]! + 3;
    }
    border = Math.max(border, tabrow);
    let maxFilter = 0;
    for (const col of this.columns) maxFilter = Math.max(maxFilter, col.filter !== undefined ? col.filter.length + 11 : 26);
    if (maxFilter > border && border < 102) border = Math.min(maxFilter, 102);
    if (border - tabrow === 1) border++;

    const ivl = (sec: number, frac: number): string => prec === 0 ? u(sec, durMagFmt) : `${u(sec, durMagFmt)}.${z(frac, prec)}`;
    let s = `\n${'='.repeat(border)}\n| IO Statistics${sp(border - 16)}|\n|${sp(border - 2)}|\n`;
    if (prec === 0) {
      s += `| Duration: ${u(durSecsOrig, durMagFmt)}.${u(durUsecsOrig, 6)} secs${sp(border - 25 - durMag)}|\n`;
      s += `| Interval: ${u(Math.floor(interval / 1e6), durMagFmt)} secs${sp(border - 18 - durMag)}|\n`;
    } else {
      s += `| Duration: ${ivl(durSecs, Math.floor(durUsecs / dv))} secs${sp(border - 19 - durMag - prec)}|\n`;
      s += `| Interval: ${ivl(Math.floor(interval / 1e6), Math.floor((interval % 1e6) / dv))} secs${sp(border - 19 - durMag - prec)}|\n`;
    }
    s += `|${sp(border - 2)}|\n| Col`;
    this.columns.forEach((col, j) => {
      s += j === 0 ? `${u(j + 1, 2)}: ` : `|    ${u(j + 1, 2)}: `;
      if (col.filter === undefined) {
        s += `Frames and bytes${sp(border - 26)}|\n`;
        return;
      }
      let filter = col.filter;
      if (filter.length + 11 <= border) {
        s += `${filter}${sp(border - filter.length - 10)}|\n`;
        return;
      }
      // Wrapped at the last space before the border (or hard at the border).
      const maxW = border - 11;
      for (;;) {
        if (filter.length > maxW) {
          const head = filter.slice(0, maxW);
          const sp1 = head.lastIndexOf(' ');
          const len = sp1 >= 0 ? sp1 : head.length;
          s += `${head.slice(0, len)}${sp(border - len - 10)}|\n|        `;
          filter = filter.slice(sp1 >= 0 ? len + 1 : len);
        } else {
          s += `${filter}${sp(border - filter.length - 10)}|\n`;
          break;
        }
      }
    });
    s += `|-${'-'.repeat(border - 3)}|\n|${sp(invlColW - 2)}|`;
    const filler = tabrow < border ? `${sp(border - tabrow - 1)}|` : '';
    this.columns.forEach((_c, j) => { s += `${String(j + 1).padEnd(2)}${sp(frW[j]! + valW[j]! + 3)}|`; });
    s += `${filler}\n| Interval${sp(invlColW - 11)}|`;
    this.columns.forEach((_c, j) => { s += center('Frames', frW[j]!) + center('Bytes', valW[j]!); });
    s += `${filler}\n|-${'-'.repeat(tabrow - 3)}|${filler}\n`;
    const rows = interval === 0 || duration === 0 ? 0 : Math.floor(duration / interval) + (duration % interval > 0 ? 1 : 0);
    let t = 0;
    for (let i = 0; i < rows; i++) {
      const last = i === rows - 1;
      const end = last ? duration : t + interval;
      if (prec === 0) {
        const lead = durMag === 1 ? '|  ' : '| ';
        if (last) {
          const maxw = durMag >= 3 ? durMag + 1 : 3;
          s += `${lead}${u(Math.floor(t / 1e6), durMagFmt)} <> ${'Dur'.padEnd(maxw)}|`;
        } else {
          s += `${lead}${u(Math.floor(t / 1e6), durMagFmt)} <> ${u(Math.floor(end / 1e6), durMagFmt)}${durMag === 1 ? '  ' : ' '}|`;
        }
      } else {
        s += `| ${ivl(Math.floor(t / 1e6), Math.floor((t % 1e6) / dv))} <> ${ivl(Math.floor(end / 1e6), Math.floor((end % 1e6) / dv))} |`;
      }
      for (let j = 0; j < this.columns.length; j++) {
        s += ` ${u(this.frames[j]!.get(i) ?? 0, frW[j]!)} | ${u(this.bytes[j]!.get(i) ?? 0, valW[j]!)} |`;
      }
      s += `${filler}\n`;
      t += interval;
      if (s.length >= 65536) { yield s; s = ''; }
    }
    yield s + `${'='.repeat(border)}\n`;
  }
}
