/**
 * The field registry's contract (Wireshark's hf_register_info): every consumer — display filters,
 * `-T fields`, `-T json/ek`, `-V`, the web UI — sees a frame only through FieldDef.values().
 *
 * Owner: fields/. filter/ imports this module (types and the registry) and nothing below it.
 */
import type { CaptureInfo, CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import type { TcpFrameAnalysis } from '../analysis/types.js';
import type { HttpFrameInfo } from '../analysis/http-reassembly.js';
import type { Timestamp } from '../util/time.js';

/** One frame as the fields see it: the record, its decode, its analysis, its place in time. */
export interface Frame {
  record: CaptureRecord;
  pkt: DecodedPacket;
  /** TCP analysis of this frame (undefined for non-TCP frames or when analysis is off). */
  tcp: TcpFrameAnalysis | undefined;
  /** frame.time_relative: ns since the first frame of the capture. */
  timeRelativeNs: number;
  /**
   * The first frame's timestamp (frame.time_relative's origin), when known: the time column is
   * then exact for spans beyond 2^53 ns, where timeRelativeNs has lost digits.
   */
  firstTs?: Timestamp | undefined;
  /** frame.time_delta: ns since the previous captured frame (0 for the first). */
  timeDeltaNs: number;
  /** frame.time_delta_displayed: ns since the previous displayed frame. */
  timeDeltaDisplayedNs: number;
  /** Timestamp resolution of the frame's interface, in digits (6 µs, 9 ns): column precision. */
  tsDigits: number;
  /** The capture the frame came from (format, interfaces), when known: frame.interface_id, -V. */
  capture?: CaptureInfo;
  /**
   * What HTTP and TCP desegmentation did in this frame (analysis/http-reassembly.ts): column
   * operations and HTTP messages; undefined when they left the frame alone.
   */
  app?: HttpFrameInfo | undefined;
}

/**
 * Wireshark's ftypes, named as in 4.0 (`tshark -G fields` prints these names).
 * JS value per type (FieldValue):
 *  FT_NONE, FT_PROTOCOL        → true (presence)
 *  FT_BOOLEAN                  → boolean
 *  FT_UINT8..FT_UINT32, FT_INT8..FT_INT32, FT_FRAMENUM, FT_CHAR → number
 *  FT_UINT64, FT_INT64         → bigint
 *  FT_DOUBLE, FT_FLOAT         → number
 *  FT_IPv4                     → number (unsigned 32-bit)
 *  FT_IPv6, FT_ETHER, FT_BYTES → Uint8Array
 *  FT_STRING                   → string
 *  FT_ABSOLUTE_TIME            → Timestamp
 *  FT_RELATIVE_TIME            → number (nanoseconds)
 */
export type FieldType =
  | 'FT_NONE' | 'FT_PROTOCOL' | 'FT_BOOLEAN'
  | 'FT_UINT8' | 'FT_UINT16' | 'FT_UINT24' | 'FT_UINT32' | 'FT_UINT64'
  | 'FT_INT8' | 'FT_INT16' | 'FT_INT32' | 'FT_INT64'
  | 'FT_CHAR' | 'FT_FRAMENUM' | 'FT_DOUBLE' | 'FT_FLOAT'
  | 'FT_IPv4' | 'FT_IPv6' | 'FT_ETHER' | 'FT_BYTES' | 'FT_STRING'
  | 'FT_ABSOLUTE_TIME' | 'FT_RELATIVE_TIME';

/** Display base (Wireshark's BASE_*), decides how -T fields prints integers. */
export type FieldDisplay =
  | 'BASE_NONE' | 'BASE_DEC' | 'BASE_HEX' | 'BASE_OCT' | 'BASE_DEC_HEX' | 'BASE_HEX_DEC'
  /** Port numbers (printed in decimal; tshark -G fields names them so). */
  | 'BASE_PT_TCP' | 'BASE_PT_UDP'
  /** Printed by a dissector-specific formatter (decimal in -T fields). */
  | 'BASE_CUSTOM'
  /** IEEE OUI (printed in decimal in -T fields). */
  | 'BASE_OUI';

export type FieldValue = boolean | number | bigint | string | Uint8Array | Timestamp;

export interface FieldDef {
  /** Filter name, e.g. 'tcp.srcport'. */
  abbrev: string;
  /** Label, e.g. 'Source Port'. */
  name: string;
  type: FieldType;
  display: FieldDisplay;
  /** Bitmask within the parent integer (0 when none), as in hf_register_info. */
  bitmask: number;
  /** Protocol abbrev this field belongs to ('tcp' for 'tcp.srcport'; '' for protocols). */
  parent: string;
  /** One-line description (tshark -G fields' blurb). */
  blurb: string;
  /** A generated field ([brackets] in -V): computed, not read from the packet. */
  generated: boolean;
  /**
   * FT_BOOLEAN only: width in bits of the integer the flag lives in (tshark -G fields prints it
   * in the display column, e.g. 12 for tcp.flags.syn, 8 for ip.flags.df). Absent means 0.
   */
  boolBits?: number;
  /**
   * All occurrences of the field in the frame, in tree order; an empty array when absent.
   * May return a shared array: callers must not keep or mutate it.
   */
  values(frame: Frame): readonly FieldValue[];
}

export const NO_VALUES: readonly FieldValue[] = Object.freeze([]) as readonly FieldValue[];
export type { Timestamp };
