/**
 * Detects the capture format from the first bytes, never from the file name (some files are
 * misnamed): gzip (1f 8b), pcapng (SHB block type 0a0d0d0a) or pcap (any of the pcap magics in
 * either byte order). Like wiretap, gzip is unwrapped first and the inner bytes sniffed again.
 */
import { isPcapMagic } from './pcap-reader.js';

export type SniffedFormat = 'pcap' | 'pcapng' | 'gzip' | 'unknown';

/** Bytes needed to decide. */
export const SNIFF_LEN = 4;

/** Classifies the first SNIFF_LEN bytes at `o` in `v` (fewer bytes → 'unknown'). */
export function sniffFormat(v: DataView, o: number, available: number): SniffedFormat {
  if (available >= 2 && v.getUint8(o) === 0x1f && v.getUint8(o + 1) === 0x8b) return 'gzip';
  if (available < SNIFF_LEN) return 'unknown';
  if (v.getUint32(o, false) === 0x0a0d0d0a) return 'pcapng';
  if (isPcapMagic(v, o)) return 'pcap';
  return 'unknown';
}
