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
  /**
   * Absolute timestamp (pcapng: if_tsresol and if_tsoffset already applied). As in tshark 4.0, a
   * pcap record whose fraction field is out of range (µs ≥ 10^6) keeps it: nsec can then be ≥ 10^9.
   */
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
  /**
   * True only for records without a timestamp (pcapng Simple Packet Blocks): `ts` is then
   * {sec: 0, nsec: 0} and tshark 4.0 leaves the time columns and frame.time_epoch empty.
   * Absent (undefined) on every other record.
   */
  noTimestamp?: true;
}

/** Describes the capture as a whole (for -V's "Frame" section, capinfos-like output, writers). */
export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  /** 'usec' or 'nsec' for pcap; per-interface resolution for pcapng lives on the interfaces. */
  tsPrecision: 'usec' | 'nsec';
  interfaces: CaptureInterface[];
  /** pcapng: SHB comments (opt_comment) of every section read so far, in file order. */
  comments?: string[];
}

export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  name: string | undefined;
  /** Timestamp resolution as digits after the decimal point (6 for µs, 9 for ns). */
  tsDigits: number;
  /**
   * pcapng: the interface's id within its own section (records' `ifIndex` is global, an index into
   * CaptureInfo.interfaces). tshark 4.0 shows this section-local id as frame.interface_id, and
   * names the interface after the global list at that id (a quirk with several sections).
   */
  idInSection?: number;
  /** pcapng: 0-based number of the section (SHB) the interface belongs to. */
  section?: number;
}
