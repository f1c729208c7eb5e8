/**
 * Row constructors for the per-protocol field tables (Wireshark's hf_register_info rows).
 * Names, types, bases, masks and blurbs are Wireshark 4.0's, as `tshark -G fields` lists them,
 * so `tcplab read -G fields` and tshark agree line for line on the fields we register.
 *
 * values() helpers return shared frozen arrays for "absent" (NO_VALUES); callers never mutate.
 */
import { NO_VALUES } from './field.js';
import type { FieldDef, FieldDisplay, FieldType, FieldValue, Frame } from './field.js';

type Values = (f: Frame) => readonly FieldValue[];

function parentOf(abbrev: string): string {
  const dot = abbrev.indexOf('.');
  return dot < 0 ? '' : abbrev.slice(0, dot);
}

/** An ordinary field row. */
export function field(
  abbrev: string, name: string, type: FieldType, display: FieldDisplay, bitmask: number, blurb: string,
  values: Values, generated = false,
): FieldDef {
  return { abbrev, name, type, display, bitmask, parent: parentOf(abbrev), blurb, generated, values };
}

/** A generated field ([brackets] in -V). */
export function generated(
  abbrev: string, name: string, type: FieldType, display: FieldDisplay, bitmask: number, blurb: string, values: Values,
): FieldDef {
  return field(abbrev, name, type, display, bitmask, blurb, values, true);
}

/** An FT_BOOLEAN row; `bits` is the width tshark prints in -G fields. */
export function bool(abbrev: string, name: string, bits: number, bitmask: number, blurb: string, values: Values): FieldDef {
  return { abbrev, name, type: 'FT_BOOLEAN', display: 'BASE_NONE', bitmask, parent: parentOf(abbrev), blurb, generated: false, boolBits: bits, values };
}

/** A protocol (FT_PROTOCOL); its one value is `true` while the layer is present. */
export function proto(abbrev: string, name: string, values: Values): FieldDef {
  return { abbrev, name, type: 'FT_PROTOCOL', display: 'BASE_NONE', bitmask: 0, parent: abbrev.includes('.') ? parentOf(abbrev) : '', blurb: '', generated: false, values };
}

const TRUE_1: readonly FieldValue[] = Object.freeze([true]);

/** [v] when v is defined, else no values. */
export function one(v: FieldValue | undefined): readonly FieldValue[] {
  return v === undefined ? NO_VALUES : [v];
}

/** [a, b] when both are defined (tcp.port, ip.addr: source then destination). */
export function two(a: FieldValue | undefined, b: FieldValue | undefined): readonly FieldValue[] {
  return a === undefined || b === undefined ? NO_VALUES : [a, b];
}

/** Presence: [true] or nothing. */
export function present(p: boolean): readonly FieldValue[] {
  return p ? TRUE_1 : NO_VALUES;
}

/** Value of a masked field: (word & mask) >> shift, as Wireshark shows bitfields. */
export function masked(word: number, mask: number): number {
  if (mask === 0) return word;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return ((word & mask) >>> shift) >>> 0;
}

export { NO_VALUES };

/** Byte at `off` of the frame's data (0 past the end: callers check lengths first). */
export function u8(f: Frame, off: number): number {
  return f.record.data[off] ?? 0;
}

/** Big-endian 16-bit at `off`. */
export function u16(f: Frame, off: number): number {
  return (u8(f, off) << 8) | u8(f, off + 1);
}

/** Big-endian unsigned 32-bit at `off`. */
export function u32(f: Frame, off: number): number {
  return ((u8(f, off) << 24) | (u8(f, off + 1) << 16) | (u8(f, off + 2) << 8) | u8(f, off + 3)) >>> 0;
}

/** View of `len` captured bytes at `off` (clamped to what was captured). */
export function bytesAt(f: Frame, off: number, len: number): Uint8Array {
  const d = f.record.data;
  const start = Math.min(Math.max(off, 0), d.length);
  return d.subarray(start, Math.min(start + Math.max(len, 0), d.length));
}
