/**
 * PcapWriter: writes libpcap files (the format of pcap-reader.ts) to any Writable, awaiting
 * 'drain' when the stream's buffer is full.
 *
 * Little-endian, version 2.4, µs magic a1b2c3d4 by default or ns magic a1b23c4d with
 * `nsec: true`. Like wiretap, µs files truncate the nanoseconds (ts_usec = nsec / 1000).
 * pcap has one link type per file: a record with another link type is refused
 * (ERR_CAPTURE_WRITE_LINKTYPE), as tshark refuses per-packet encapsulations for pcap.
 * Records are written with their own capLen/origLen; data beyond `snapLen` is not cut (it is the
 * caller's choice what to keep).
 */
import type { Writable } from 'node:stream';
import type { CaptureRecord } from './record.js';
import { PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC } from './pcap-reader.js';
import { CAPTURE_ERR, CaptureError } from './errors.js';
import { endStream, writeWithBackpressure } from './write-stream.js';

export interface PcapWriterOptions {
  /** LINKTYPE_* of every record. */
  linkType: number;
  /** Snapshot length written in the header (default 262144, as tcpdump). */
  snapLen?: number;
  /** Nanosecond-resolution file (magic a1b23c4d); default µs. */
  nsec?: boolean;
}

/** Encodes the 24-byte pcap file header. */
export function encodePcapHeader(opts: PcapWriterOptions): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, opts.nsec === true ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, opts.snapLen ?? 262144, true);
  v.setUint32(20, opts.linkType, true);
  return b;
}

/** Encodes one record (16-byte header + data). */
export function encodePcapRecord(r: CaptureRecord, nsec: boolean): Uint8Array {
  const b = new Uint8Array(16 + r.data.byteLength);
  const v = new DataView(b.buffer);
  v.setUint32(0, r.ts.sec >>> 0, true);
  v.setUint32(4, nsec ? r.ts.nsec : Math.floor(r.ts.nsec / 1000), true);
  v.setUint32(8, r.data.byteLength, true);
  v.setUint32(12, r.origLen, true);
  b.set(r.data, 16);
  return b;
}

export class PcapWriter {
  private headerDone = false;
  private readonly nsec: boolean;
  /** Records written so far. */
  count = 0;

  constructor(private readonly out: Writable, private readonly opts: PcapWriterOptions) {
    this.nsec = opts.nsec === true;
  }

  /** Writes the file header now (otherwise it goes out with the first record or at end()). */
  async writeHeader(): Promise<void> {
    if (this.headerDone) return;
    this.headerDone = true;
    await writeWithBackpressure(this.out, encodePcapHeader(this.opts));
  }

  /** Appends one record; resolves when the stream can take more. */
  async write(r: CaptureRecord): Promise<void> {
    if (r.linkType !== this.opts.linkType) {
      throw new CaptureError(
        CAPTURE_ERR.WRITE_LINKTYPE,
        `Frame ${r.frameNo} has link type ${r.linkType} but the pcap file was started with ${this.opts.linkType}; pcap holds one link type (write pcapng instead).`,
        { frameNo: r.frameNo },
      );
    }
    if (!this.headerDone) await this.writeHeader();
    await writeWithBackpressure(this.out, encodePcapRecord(r, this.nsec));
    this.count++;
  }

  /** Writes the header if nothing was written, ends the stream and waits for it to flush. */
  async end(): Promise<void> {
    await this.writeHeader();
    await endStream(this.out);
  }
}
