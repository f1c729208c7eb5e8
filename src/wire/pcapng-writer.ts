/**
 * PcapngWriter: writes pcapng (draft-ietf-opsawg-pcapng) to any Writable with backpressure.
 *
 * Output: one little-endian section — SHB (version 1.0, optional shb_comment, shb_userappl
 * "tcplab"), then an IDB per interface the first time a record uses it, then one EPB per record
 * with its opt_comment options. Each IDB keeps the source interface's resolution (if_tsresol
 * 10^-tsDigits; no option for the default µs), link type, snaplen and name, so tshark shows the
 * frames as it showed the source: same times at the same precision, same lengths and bytes.
 *
 * Interfaces: by default a record's ifIndex names the interface; pass the source's
 * `info.interfaces` (it may grow while reading) so IDBs carry the right name/snaplen/resolution,
 * otherwise an IDB is made from the record's link type (ns resolution).
 * Limits: a record without timestamp (SPB) is written with ts 0; binary-resolution sources keep
 * only tsDigits digits unless `tsDigits: 9` is given.
 */
import type { Writable } from 'node:stream';
import type { CaptureInterface, CaptureRecord } from './record.js';
import {
  BT_EPB,
  BT_IDB,
  BT_SHB,
  BYTE_ORDER_MAGIC,
  OPT_COMMENT,
  OPT_IF_NAME,
  OPT_IF_TSRESOL,
  OPT_SHB_USERAPPL,
} from './pcapng-reader.js';
import { endStream, writeWithBackpressure } from './write-stream.js';

export interface PcapngWriterOptions {
  /** SHB comment (shb_comment), e.g. what experiment produced the file. */
  comment?: string;
  /** shb_userappl; default "tcplab". */
  userAppl?: string;
  /** Interfaces by ifIndex (typically the reader's info.interfaces). */
  interfaces?: readonly CaptureInterface[];
  /**
   * Timestamp resolution (decimal digits, 0..9) for every IDB instead of each interface's own
   * tsDigits. Use 9 to keep sources with binary if_tsresol (2^-n) exact.
   */
  tsDigits?: number;
}

const enc = new TextEncoder();

/** Little-endian block builder: body parts are appended, total length patched at the end. */
class BlockBuilder {
  private parts: Uint8Array[] = [];
  private len = 8;
  constructor(private readonly type: number) {}
  u16u16(a: number, b: number): this {
    const x = new Uint8Array(4);
    const v = new DataView(x.buffer);
    v.setUint16(0, a, true);
    v.setUint16(2, b, true);
    return this.raw(x);
  }
  u32(...xs: number[]): this {
    const x = new Uint8Array(4 * xs.length);
    const v = new DataView(x.buffer);
    xs.forEach((n, i) => v.setUint32(i * 4, n >>> 0, true));
    return this.raw(x);
  }
  raw(x: Uint8Array): this {
    this.parts.push(x);
    this.len += x.byteLength;
    return this;
  }
  pad(): this {
    const p = (4 - (this.len % 4)) % 4;
    return p === 0 ? this : this.raw(new Uint8Array(p));
  }
  option(code: number, value: Uint8Array): this {
    return this.u16u16(code, value.byteLength).raw(value).pad();
  }
  options(opts: Array<[number, Uint8Array]>): this {
    if (opts.length === 0) return this;
    for (const [c, v] of opts) this.option(c, v);
    return this.u16u16(0, 0);
  }
  build(): Uint8Array {
    const total = this.len + 4;
    const out = new Uint8Array(total);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.type, true);
    v.setUint32(4, total, true);
    let p = 8;
    for (const x of this.parts) {
      out.set(x, p);
      p += x.byteLength;
    }
    v.setUint32(p, total, true);
    return out;
  }
}

/** Encodes an SHB. */
export function encodeShb(opts: PcapngWriterOptions): Uint8Array {
  const o: Array<[number, Uint8Array]> = [];
  if (opts.comment !== undefined) o.push([OPT_COMMENT, enc.encode(opts.comment)]);
  o.push([OPT_SHB_USERAPPL, enc.encode(opts.userAppl ?? 'tcplab')]);
  return new BlockBuilder(BT_SHB).u32(BYTE_ORDER_MAGIC).u16u16(1, 0).u32(0xffffffff, 0xffffffff).options(o).build();
}

/** Encodes an IDB for an interface. */
export function encodeIdb(iface: CaptureInterface): Uint8Array {
  const o: Array<[number, Uint8Array]> = [];
  if (iface.name !== undefined) o.push([OPT_IF_NAME, enc.encode(iface.name)]);
  if (iface.tsDigits !== 6) o.push([OPT_IF_TSRESOL, Uint8Array.of(iface.tsDigits)]);
  return new BlockBuilder(BT_IDB).u16u16(iface.linkType, 0).u32(iface.snapLen).options(o).build();
}

/** Encodes an EPB; `id` is the written interface id, `digits` its resolution (10^-digits). */
export function encodeEpb(r: CaptureRecord, id: number, digits: number, comments: readonly string[]): Uint8Array {
  let high: number;
  let low: number;
  if (digits <= 6 && r.ts.sec >= 0 && r.ts.sec < 9e9) {
    // Below 2^53: exact in float math (intentional fast path; BigInt costs ~10x per packet).
    const t = r.ts.sec * 10 ** digits + Math.floor(r.ts.nsec / 10 ** (9 - digits));
    high = Math.floor(t / 4294967296);
    low = t - high * 4294967296;
  } else {
    const t = (BigInt(r.ts.sec) * 10n ** BigInt(digits) + BigInt(Math.floor(r.ts.nsec / 10 ** (9 - digits)))) & 0xffffffffffffffffn;
    high = Number(t >> 32n);
    low = Number(t & 0xffffffffn);
  }
  const b = new BlockBuilder(BT_EPB).u32(id, high, low, r.data.byteLength, r.origLen).raw(r.data).pad();
  return b.options(comments.map((c) => [OPT_COMMENT, enc.encode(c)])).build();
}

export class PcapngWriter {
  private shbDone = false;
  /** ifIndex (or link-type key) → [written id, digits]. */
  private readonly ids = new Map<number, [number, number]>();
  private nextId = 0;
  /** Records written so far. */
  count = 0;

  constructor(private readonly out: Writable, private readonly opts: PcapngWriterOptions = {}) {}

  /** Writes the SHB now (otherwise it goes out with the first record or at end()). */
  async writeHeader(): Promise<void> {
    if (this.shbDone) return;
    this.shbDone = true;
    await writeWithBackpressure(this.out, encodeShb(this.opts));
  }

  /**
   * Appends one record as an EPB. `comments` defaults to the record's own (opt_comment); pass
   * others to annotate frames (the lab writes its verdicts this way).
   */
  async write(r: CaptureRecord, comments: readonly string[] = r.comments): Promise<void> {
    if (!this.shbDone) await this.writeHeader();
    const key = this.opts.interfaces !== undefined ? r.ifIndex : -1 - r.linkType;
    let id = this.ids.get(key);
    if (id === undefined) {
      const src = this.opts.interfaces?.[r.ifIndex];
      const iface: CaptureInterface = src ?? { linkType: r.linkType, snapLen: 262144, name: undefined, tsDigits: 9 };
      id = [this.nextId++, Math.min(9, this.opts.tsDigits ?? iface.tsDigits)];
      this.ids.set(key, id);
      await writeWithBackpressure(this.out, encodeIdb({ ...iface, tsDigits: id[1] }));
    }
    await writeWithBackpressure(this.out, encodeEpb(r, id[0], id[1], comments));
    this.count++;
  }

  /** Writes the SHB if nothing was written, ends the stream and waits for it to flush. */
  async end(): Promise<void> {
    await this.writeHeader();
    await endStream(this.out);
  }
}
