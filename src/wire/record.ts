/**
 * CaptureRecord: one packet as a capture file or live source hands it over.
 *
 * Ownership: `data` may be a view into the reader's chunk buffer; it is valid until the next
 * record is pulled. Copy it (`Uint8Array.prototype.slice`) to keep it longer.
 */
import type { Timestamp } from '../util/time.js';

export interface CaptureRecord {
  /** 1-based frame number in capture order (across pcapng sections). */
  frameNo: number;
  /** Absolute timestamp (pcapng: if_tsresol and if_tsoffset already applied). */
  ts: Timestamp;
  /** Bytes captured (= data.byteLength). */
  capLen: number;
  /** Bytes on the wire (pcap orig_len / pcapng original packet length). */
  origLen: number;
  /** LINKTYPE_* of the interface the packet came from. */
  linkType: number;
  /** pcapng interface id (0 for pcap). */
  ifIndex: number;
  /** The captured bytes. */
  data: Uint8Array;
  /** pcapng opt_comment values of the packet, if any (empty array shared when none). */
  comments: readonly string[];
}

/** Describes the capture as a whole (for -V's "Frame" section, capinfos-like output, writers). */
export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  /** 'usec' or 'nsec' for pcap; per-interface resolution for pcapng lives on the interfaces. */
  tsPrecision: 'usec' | 'nsec';
  interfaces: CaptureInterface[];
}

export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  name: string | undefined;
  /** Timestamp resolution as digits after the decimal point (6 for µs, 9 for ns). */
  tsDigits: number;
}
