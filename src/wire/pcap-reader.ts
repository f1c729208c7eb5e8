/**
 * libpcap file format reader (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 *
 *   file header (24 bytes)                    record header (16 bytes, +8 in the "modified" variant)
 *   +----------------+--------+--------+       +----------------+----------------+
 *   | magic          | major  | minor  |       | ts_sec         | ts_usec/nsec   |
 *   | thiszone       | sigfigs         |       | incl_len       | orig_len       |
 *   | snaplen        | linktype (+FCS bits) |  +----------------+----------------+
 *
 * Magics: a1b2c3d4 (µs), a1b23c4d (ns), a1b2cd34 (Kuznetsov "modified", µs, 24-byte record
 * header), each in either byte order. The byte order is chosen once in readHeader().
 * Matches wiretap/libpcap.c (tshark 4.0): major version < 2 is unsupported; versions before 2.3
 * (and 2.3 files whose incl_len > orig_len) have incl_len and orig_len swapped; incl_len above
 * 262144 is a damaged file. A fraction field ≥ 10^6 µs (10^9 ns) is kept unnormalised exactly as
 * wiretap does, so ts.nsec can then be ≥ 10^9 (the one exception to Timestamp's range; the corpus
 * file transform-base64-7296__input.pcap has such a record and tshark prints "…731.1011041000").
 *
 * Ownership: record.data is a view into the source's chunk (or a fresh copy when the record
 * straddles chunks); treat it as valid until the next record.
 */
import type { CaptureInfo, CaptureRecord } from './record.js';
import type { ByteQueue } from './byte-queue.js';
import { CAPTURE_ERR, CaptureError, cutShort, damagedMessage } from './errors.js';
import { type FormatParser, MAX_PACKET_LEN, NO_COMMENTS } from './parser.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
export const PCAP_FILE_HEADER_LEN = 24;
/** Low 26 bits of the header's network field are the LINKTYPE (the rest are FCS flags). */
const LINKTYPE_MASK = 0x03ffffff;

/** True when the 4 bytes at the start of `v` are any pcap magic in either byte order. */
export function isPcapMagic(v: DataView, o: number): boolean {
  const be = v.getUint32(o, false);
  const le = v.getUint32(o, true);
  return isMagic(be) || isMagic(le);
}
function isMagic(m: number): boolean {
  return m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC || m === PCAP_MAGIC_MODIFIED;
}

const enum LenOrder { Normal, Swapped, Maybe }

export class PcapParser implements FormatParser {
  readonly info: CaptureInfo = { format: 'pcap', tsPrecision: 'usec', interfaces: [] };
  private le = true;
  private nsec = false;
  private recHdrLen = 16;
  private lenOrder: LenOrder = LenOrder.Normal;
  private linkType = 0;
  private frameNo = 0;

  constructor(private readonly name: string) {}

  get nextFrameNo(): number {
    return this.frameNo + 1;
  }

  readHeader(q: ByteQueue): boolean {
    if (q.length < PCAP_FILE_HEADER_LEN) return false;
    q.header(PCAP_FILE_HEADER_LEN);
    const v = q.hv;
    const o = q.ho;
    let magic = v.getUint32(o, true);
    if (isMagic(magic)) this.le = true;
    else {
      magic = v.getUint32(o, false);
      if (!isMagic(magic)) {
        throw new CaptureError(CAPTURE_ERR.BAD_MAGIC, `The file "${this.name}" isn't a capture file in a format tcplab understands (bad pcap magic).`, { offset: 0 });
      }
      this.le = false;
    }
    const le = this.le;
    const major = v.getUint16(o + 4, le);
    const minor = v.getUint16(o + 6, le);
    if (major < 2) {
      throw new CaptureError(CAPTURE_ERR.UNSUPPORTED_VERSION, `The file "${this.name}" contains record data that tcplab doesn't support (pcap: major version ${major} unsupported).`, { offset: 4 });
    }
    if (major === 2) this.lenOrder = minor < 3 ? LenOrder.Swapped : minor === 3 ? LenOrder.Maybe : LenOrder.Normal;
    else this.lenOrder = major === 543 ? LenOrder.Swapped : LenOrder.Normal;
    this.nsec = magic === PCAP_MAGIC_NSEC;
    this.recHdrLen = magic === PCAP_MAGIC_MODIFIED ? 24 : 16;
    const snapLen = v.getUint32(o + 16, le);
    this.linkType = v.getUint32(o + 20, le) & LINKTYPE_MASK;
    this.info.tsPrecision = this.nsec ? 'nsec' : 'usec';
    this.info.interfaces.push({ linkType: this.linkType, snapLen, name: undefined, tsDigits: this.nsec ? 9 : 6 });
    q.skip(PCAP_FILE_HEADER_LEN);
    return true;
  }

  next(q: ByteQueue): CaptureRecord | undefined {
    const hl = this.recHdrLen;
    if (q.length < hl) return undefined;
    q.header(hl);
    const v = q.hv;
    const o = q.ho;
    const le = this.le;
    const sec = v.getUint32(o, le);
    const frac = v.getUint32(o + 4, le);
    let capLen = v.getUint32(o + 8, le);
    let origLen = v.getUint32(o + 12, le);
    if (this.lenOrder !== LenOrder.Normal && (this.lenOrder === LenOrder.Swapped || capLen > origLen)) {
      const t = capLen;
      capLen = origLen;
      origLen = t;
    }
    if (capLen > MAX_PACKET_LEN) {
      const frameNo = this.frameNo + 1;
      throw new CaptureError(
        CAPTURE_ERR.BAD_RECORD,
        damagedMessage(this.name, `pcap: File has ${capLen}-byte packet, bigger than maximum of ${MAX_PACKET_LEN}`, frameNo, q.offset),
        { frameNo, offset: q.offset },
      );
    }
    if (q.length < hl + capLen) return undefined;
    const data = q.extract(hl, capLen, hl + capLen);
    // Not normalised when frac ≥ 10^6 µs / 10^9 ns: tshark 4.0 keeps such a value as is (and
    // prints e.g. "1701999731.1011041000"); see the file header.
    const nsec = this.nsec ? frac : frac * 1000;
    return {
      frameNo: ++this.frameNo,
      ts: { sec, nsec },
      capLen,
      origLen,
      linkType: this.linkType,
      ifIndex: 0,
      data,
      comments: NO_COMMENTS,
    };
  }

  end(q: ByteQueue): void {
    if (q.length > 0) throw cutShort(this.name, this.frameNo + 1, q.offset);
  }
}
