/**
 * pcapng reader (draft-ietf-opsawg-pcapng §3-§4): SHB (both byte orders, several sections), IDB
 * (if_name, if_tsresol, if_tsoffset), EPB, SPB, OPB (obsolete Packet Block); ISB, NRB, DSB, custom
 * and unknown blocks are skipped as §3.1 requires ("a reader must skip blocks it does not know").
 * Known deviation: tshark 4.0 turns each custom block (0x00000BAD / 0x40000BAD) into a numbered
 * record ("PCAPNG Custom Block"); tcplab skips it, so frame numbers after one differ by one.
 *
 *   General block layout (§3.1)           Enhanced Packet Block body (§4.3)
 *   +--------------------------+           +----------------+----------------+
 *   | block type               |           | interface id   | ts high        |
 *   | block total length       |           | ts low         | captured len   |
 *   | body (… padded to 32 bits)|          | original len   | data … pad     |
 *   | block total length       |           | options …                       |
 *   +--------------------------+           +----------------+----------------+
 *
 * Byte order is chosen per section from the SHB byte-order magic, once. Interface ids in records
 * (`ifIndex`) are global across sections, indexes into `info.interfaces`, as in wiretap.
 * Timestamps: units per second from if_tsresol (10^-n or 2^-n, default 10^-6); seconds = ts/units,
 * nanoseconds = ((ts % units) * 10^9) / units in uint64 arithmetic, plus if_tsoffset seconds —
 * exactly wiretap/pcapng.c (tshark 4.0), including its 64-bit wrap for resolutions finer than 1 ns.
 * Bounds: packet blocks above 256 KiB of data (+ 64 KiB options) are damage; SHB/IDB above 1 MiB
 * are damage; skipped blocks are discarded as they stream by (no memory), up to wiretap's
 * MAX_BLOCK_SIZE. A block total length that is not a multiple of 4 is rounded up, as wiretap does.
 *
 * Ownership: record.data is a view into the source's chunk (or a fresh copy when the block straddles
 * chunks); treat it as valid until the next record.
 */
import type { CaptureInfo, CaptureInterface, CaptureRecord } from './record.js';
import type { ByteQueue } from './byte-queue.js';
import type { Timestamp } from '../util/time.js';
import { CAPTURE_ERR, CaptureError, cutShort, damagedMessage } from './errors.js';
import { type FormatParser, MAX_PACKET_LEN, NO_COMMENTS } from './parser.js';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BT_DSB = 0x0000000a;
export const BT_CB_COPY = 0x00000bad;
export const BT_CB_NOCOPY = 0x40000bad;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const OPT_IF_NAME = 2;
export const OPT_IF_DESCRIPTION = 3;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;
export const OPT_SHB_HARDWARE = 2;
export const OPT_SHB_OS = 3;
export const OPT_SHB_USERAPPL = 4;

/** Options of a packet block may add at most this much to the block (bounds memory). */
const MAX_PACKET_OPTIONS = 65536;
const MAX_PACKET_BLOCK = 32 + MAX_PACKET_LEN + MAX_PACKET_OPTIONS;
/** SHB and IDB are parsed whole; their options are small in practice. */
const MAX_META_BLOCK = 1 << 20;
/** wiretap's MAX_BLOCK_SIZE (MIN_EPB_SIZE + 128 MiB + 131072): skipped blocks above it are damage. */
const MAX_SKIPPED_BLOCK = 32 + 128 * 1024 * 1024 + 131072;
const MASK64 = (1n << 64n) - 1n;
const utf8 = new TextDecoder('utf-8');

/** Per-interface timestamp conversion, computed once at the IDB. */
interface IfaceTs {
  linkType: number;
  snapLen: number;
  /** Units per second as a number (exact when ≤ 2^53). */
  units: number;
  unitsBig: bigint;
  /** 10^9 / units when that is an integer (units divides 10^9), else 0 → BigInt path. */
  nsPerUnit: number;
  offsetSec: number;
}

/** SHB facts, per section in file order. */
export interface PcapngSection {
  littleEndian: boolean;
  versionMinor: number;
  comments: string[];
  hardware: string | undefined;
  os: string | undefined;
  userAppl: string | undefined;
  /** Index in info.interfaces of this section's interface 0. */
  firstInterface: number;
}

export class PcapngParser implements FormatParser {
  readonly info: CaptureInfo = { format: 'pcapng', tsPrecision: 'usec', interfaces: [] };
  /** One entry per SHB seen so far. */
  readonly sections: PcapngSection[] = [];
  private le = true;
  private ifBase = 0;
  private readonly ifaces: IfaceTs[] = [];
  private frameNo = 0;
  /** Bytes of a skipped block body still to discard, then its trailer to check. */
  private skipLeft = 0;
  private trailerPending = false;
  private expectTrailer = 0;
  private blockStart = 0;
  /** Type of the block being read (for the cut-short text). */
  private pendingType = -1;
  /** Still in the first SHB and the IDBs right after it (what wiretap reads at open). */
  private leading = true;

  constructor(private readonly name: string) {}

  get nextFrameNo(): number {
    return this.frameNo + 1;
  }

  readHeader(q: ByteQueue): boolean {
    if (this.sections.length > 0) return true;
    return this.step(q) === SHB_READ || this.sections.length > 0;
  }

  next(q: ByteQueue): CaptureRecord | undefined {
    for (;;) {
      const r = this.step(q);
      if (r === NEED_MORE) return undefined;
      if (r !== SHB_READ && r !== BLOCK_DONE) return r;
    }
  }

  end(q: ByteQueue): void {
    if (q.length > 0 || this.skipLeft > 0 || this.trailerPending) {
      // wiretap reads the SHB and the IDBs right after it while opening; a cut there gets the
      // open-time text. A cut inside the 8-byte block header also counts, whatever the type.
      const atOpen = this.leading && (q.length < 8 || this.pendingType === BT_IDB || this.pendingType === BT_SHB);
      throw cutShort(this.name, this.frameNo + 1, this.skipLeft > 0 || this.trailerPending ? this.blockStart : q.offset, atOpen);
    }
  }

  /** Processes at most one block. */
  private step(q: ByteQueue): CaptureRecord | typeof NEED_MORE | typeof SHB_READ | typeof BLOCK_DONE {
    if (this.skipLeft > 0) {
      const k = Math.min(this.skipLeft, q.length);
      q.skip(k);
      this.skipLeft -= k;
      if (this.skipLeft > 0) return NEED_MORE;
    }
    if (this.trailerPending) {
      if (q.length < 4) return NEED_MORE;
      q.header(4);
      this.checkTrailer(q.hv.getUint32(q.ho, this.le), this.expectTrailer);
      q.skip(4);
      this.trailerPending = false;
      return BLOCK_DONE;
    }
    if (q.length < 8) return NEED_MORE;
    q.header(8);
    const type = q.hv.getUint32(q.ho, this.le);
    this.blockStart = q.offset;
    this.pendingType = type;
    if (type !== BT_IDB && type !== BT_SHB) this.leading = false;
    else if (type === BT_SHB && this.sections.length > 0) this.leading = false;
    if (type === BT_SHB) return this.readShb(q);
    if (this.sections.length === 0) throw this.bad('pcapng: first block is not a Section Header Block');
    const rawLen = q.hv.getUint32(q.ho + 4, this.le);
    const total = this.checkLength(rawLen, 12);
    switch (type) {
      case BT_EPB:
      case BT_PB:
        return this.readEpb(q, type, total, rawLen);
      case BT_SPB:
        return this.readSpb(q, total, rawLen);
      case BT_IDB:
        return this.readIdb(q, total, rawLen);
      default:
        // ISB, NRB, DSB, custom and unknown blocks: skipped as they stream by (spec §3.1).
        if (total > MAX_SKIPPED_BLOCK) throw this.bad(`pcapng: total block length ${total} is too large (> ${MAX_SKIPPED_BLOCK})`);
        q.skip(8);
        this.skipLeft = total - 12;
        this.trailerPending = true;
        this.expectTrailer = rawLen;
        return BLOCK_DONE;
    }
  }

  private readShb(q: ByteQueue): typeof NEED_MORE | typeof SHB_READ {
    if (q.length < 12) return NEED_MORE;
    q.header(12);
    let le: boolean;
    if (q.hv.getUint32(q.ho + 8, true) === BYTE_ORDER_MAGIC) le = true;
    else if (q.hv.getUint32(q.ho + 8, false) === BYTE_ORDER_MAGIC) le = false;
    else {
      const m = q.hv.getUint32(q.ho + 8, this.le).toString(16).padStart(8, '0');
      throw new CaptureError(
        this.sections.length === 0 ? CAPTURE_ERR.BAD_MAGIC : CAPTURE_ERR.BAD_BLOCK,
        this.sections.length === 0
          ? `The file "${this.name}" isn't a capture file in a format tcplab understands (pcapng: unknown byte-order magic number 0x${m}).`
          : this.damaged(`pcapng: unknown byte-order magic number 0x${m}`),
        { frameNo: this.frameNo + 1, offset: q.offset },
      );
    }
    const rawLen = q.hv.getUint32(q.ho + 4, le);
    const total = this.checkLength(rawLen, 28);
    if (total > MAX_META_BLOCK) throw this.bad(`pcapng: total block length ${total} of an SHB is too large (> ${MAX_META_BLOCK})`);
    if (q.length < total) return NEED_MORE;
    q.header(total);
    const v = q.hv;
    const o = q.ho;
    const major = v.getUint16(o + 12, le);
    const minor = v.getUint16(o + 14, le);
    if (!(major === 1 && (minor === 0 || minor === 2))) {
      throw new CaptureError(
        CAPTURE_ERR.UNSUPPORTED_VERSION,
        `The file "${this.name}" contains record data that tcplab doesn't support (pcapng: unknown SHB version ${major}.${minor}).`,
        { frameNo: this.frameNo + 1, offset: q.offset },
      );
    }
    this.checkTrailer(v.getUint32(o + total - 4, le), rawLen);
    const sec: PcapngSection = {
      littleEndian: le,
      versionMinor: minor,
      comments: [],
      hardware: undefined,
      os: undefined,
      userAppl: undefined,
      firstInterface: this.ifaces.length,
    };
    this.le = le;
    forEachOption(v, o + 24, o + total - 4, le, (code, vo, len) => {
      if (code === OPT_COMMENT) sec.comments.push(text(v, vo, len));
      else if (code === OPT_SHB_HARDWARE) sec.hardware = text(v, vo, len);
      else if (code === OPT_SHB_OS) sec.os = text(v, vo, len);
      else if (code === OPT_SHB_USERAPPL) sec.userAppl = text(v, vo, len);
    });
    this.sections.push(sec);
    (this.info.comments ??= []).push(...sec.comments);
    this.ifBase = this.ifaces.length;
    q.skip(total);
    return SHB_READ;
  }

  private readIdb(q: ByteQueue, total: number, rawLen: number): typeof NEED_MORE | typeof BLOCK_DONE {
    if (total < 20) throw this.bad(`pcapng: total block length ${total} of an IDB is too small (< 20)`);
    if (total > MAX_META_BLOCK) throw this.bad(`pcapng: total block length ${total} of an IDB is too large (> ${MAX_META_BLOCK})`);
    if (q.length < total) return NEED_MORE;
    q.header(total);
    const v = q.hv;
    const o = q.ho;
    const le = this.le;
    this.checkTrailer(v.getUint32(o + total - 4, le), rawLen);
    const linkType = v.getUint16(o + 8, le);
    const snapLen = v.getUint32(o + 12, le);
    let name: string | undefined;
    let tsresol = 6;
    let offsetSec = 0;
    forEachOption(v, o + 16, o + total - 4, le, (code, vo, len) => {
      if (code === OPT_IF_NAME) name = text(v, vo, len);
      else if (code === OPT_IF_TSRESOL && len >= 1) tsresol = v.getUint8(vo);
      else if (code === OPT_IF_TSOFFSET && len >= 8) offsetSec = Number(v.getBigInt64(vo, le));
    });
    const unitsBig = unitsPerSecond(tsresol);
    const units = Number(unitsBig);
    const nsPerUnit = unitsBig <= 1_000_000_000n && 1_000_000_000n % unitsBig === 0n ? Number(1_000_000_000n / unitsBig) : 0;
    this.ifaces.push({ linkType, snapLen, units, unitsBig, nsPerUnit, offsetSec });
    const iface: CaptureInterface = {
      linkType,
      snapLen,
      name,
      tsDigits: tsDigitsFor(unitsBig),
      idInSection: this.ifaces.length - 1 - this.ifBase,
      section: this.sections.length - 1,
    };
    this.info.interfaces.push(iface);
    if (this.info.interfaces.length === 1) this.info.tsPrecision = iface.tsDigits > 6 ? 'nsec' : 'usec';
    q.skip(total);
    return BLOCK_DONE;
  }

  private readEpb(q: ByteQueue, type: number, total: number, rawLen: number): CaptureRecord | typeof NEED_MORE {
    const what = type === BT_EPB ? 'an EPB' : 'a PB';
    if (total < 32) throw this.bad(`pcapng: total block length ${total} of ${what} is too small (< 32)`);
    if (total > MAX_PACKET_BLOCK) throw this.bad(`pcapng: total block length ${total} of ${what} is too large (> ${MAX_PACKET_BLOCK})`);
    if (q.length < total) return NEED_MORE;
    // The whole block as one contiguous view (the chunk itself unless the block straddles chunks).
    q.header(total);
    const v = q.hv;
    const o = q.ho;
    const le = this.le;
    const ifId = type === BT_EPB ? v.getUint32(o + 8, le) : v.getUint16(o + 8, le);
    const high = v.getUint32(o + 12, le);
    const low = v.getUint32(o + 16, le);
    const capLen = v.getUint32(o + 20, le);
    const origLen = v.getUint32(o + 24, le);
    const padded = (capLen + 3) & ~3;
    if (capLen > total - 32 || padded > total - 32) {
      throw this.bad(`pcapng: total block length ${total} of ${what} is too small for ${capLen} bytes of packet data`);
    }
    const nIf = this.ifaces.length - this.ifBase;
    if (ifId >= nIf) throw this.bad(`pcapng: interface index ${ifId} is not less than section interface count ${nIf}`);
    if (capLen > MAX_PACKET_LEN) throw this.bad(`pcapng: cap_len ${capLen} is larger than ${MAX_PACKET_LEN}`);
    this.checkTrailer(v.getUint32(o + total - 4, le), rawLen);
    const ifIndex = this.ifBase + ifId;
    const ift = this.ifaces[ifIndex] as IfaceTs;
    let comments: readonly string[] = NO_COMMENTS;
    const optStart = o + 28 + padded;
    if (optStart < o + total - 4) {
      let list: string[] | undefined;
      forEachOption(v, optStart, o + total - 4, le, (code, vo, len) => {
        if (code === OPT_COMMENT) (list ??= []).push(text(v, vo, len));
      });
      if (list !== undefined) comments = list;
    }
    const data = q.extract(28, capLen, total);
    return {
      frameNo: ++this.frameNo,
      ts: toTimestamp(high, low, ift),
      capLen,
      origLen,
      linkType: ift.linkType,
      ifIndex,
      data,
      comments,
    };
  }

  private readSpb(q: ByteQueue, total: number, rawLen: number): CaptureRecord | typeof NEED_MORE {
    if (total < 16) throw this.bad(`pcapng: total block length ${total} of an SPB is too small (< 16)`);
    if (total > MAX_PACKET_BLOCK) throw this.bad(`pcapng: total block length ${total} of an SPB is too large (> ${MAX_PACKET_BLOCK})`);
    if (q.length < total) return NEED_MORE;
    const nIf = this.ifaces.length - this.ifBase;
    if (nIf === 0) throw this.bad('pcapng: SPB appeared before any IDBs in the section');
    const ift = this.ifaces[this.ifBase] as IfaceTs;
    q.header(12);
    const le = this.le;
    const origLen = q.hv.getUint32(q.ho + 8, le);
    const capLen = ift.snapLen !== 0 && origLen > ift.snapLen ? ift.snapLen : origLen;
    const padded = capLen + ((4 - (capLen % 4)) % 4);
    if (total < 16 + padded) throw this.bad(`pcapng: total block length ${total} of an SPB is too small for ${origLen} bytes of packet data`);
    if (capLen > MAX_PACKET_LEN) throw this.bad(`pcapng: cap_len ${capLen} is larger than ${MAX_PACKET_LEN}`);
    q.skip(12);
    const data = q.take(capLen);
    q.skip(total - 16 - capLen);
    q.header(4);
    this.checkTrailer(q.hv.getUint32(q.ho, le), rawLen);
    q.skip(4);
    // An SPB has no timestamp: tshark 4.0 leaves its time fields empty.
    return {
      frameNo: ++this.frameNo,
      ts: { sec: 0, nsec: 0 },
      capLen,
      origLen,
      linkType: ift.linkType,
      ifIndex: this.ifBase,
      data,
      comments: NO_COMMENTS,
      noTimestamp: true,
    };
  }

  /** Validates a leading block total length; returns it rounded up to 4 (wiretap does so). */
  private checkLength(raw: number, min: number): number {
    if (raw < min) throw this.bad(`pcapng: total block length ${raw} of block is too small (< ${min})`);
    return raw % 4 === 0 ? raw : raw + 4 - (raw % 4);
  }

  private checkTrailer(trailer: number, lead: number): void {
    if (trailer !== lead && trailer !== lead + ((4 - (lead % 4)) % 4)) {
      throw this.bad(`pcapng: total block lengths (first ${lead} and second ${trailer}) don't match`);
    }
  }

  private damaged(detail: string): string {
    return damagedMessage(this.name, detail, this.frameNo + 1, this.blockStart);
  }

  private bad(detail: string): CaptureError {
    return new CaptureError(CAPTURE_ERR.BAD_BLOCK, this.damaged(detail), { frameNo: this.frameNo + 1, offset: this.blockStart });
  }
}

const NEED_MORE = 0;
const SHB_READ = 1;
const BLOCK_DONE = 2;

/**
 * Walks options (code u16, length u16, value padded to 4) between o and end, stopping at
 * opt_endofopt or at an option that would run past the end (tolerated, as wiretap skips it).
 */
function forEachOption(v: DataView, o: number, end: number, le: boolean, fn: (code: number, vo: number, len: number) => void): void {
  let p = o;
  while (p + 4 <= end) {
    const code = v.getUint16(p, le);
    const len = v.getUint16(p + 2, le);
    if (code === OPT_ENDOFOPT) return;
    if (p + 4 + len > end) return;
    fn(code, p + 4, len);
    p += 4 + len + ((4 - (len % 4)) % 4);
  }
}

/** An option string; it ends at the first NUL, as tshark 4.0 shows it ("Packet #1\0junk" → "Packet #1"). */
function text(v: DataView, o: number, len: number): string {
  const b = new Uint8Array(v.buffer, v.byteOffset + o, len);
  const nul = b.indexOf(0);
  return utf8.decode(nul < 0 ? b : b.subarray(0, nul));
}

/** if_tsresol → units per second (wiretap: 10^n for n < 20, 2^n for n < 64, else 2^64 − 1). */
export function unitsPerSecond(tsresol: number): bigint {
  const exp = BigInt(tsresol & 0x7f);
  if (tsresol & 0x80) return exp < 64n ? 1n << exp : MASK64;
  return exp < 20n ? 10n ** exp : MASK64;
}

/** Decimal digits tshark shows for a resolution (wiretap's tsprecision ladder). */
export function tsDigitsFor(units: bigint): number {
  if (units >= 1_000_000_000n) return 9;
  if (units >= 1_000_000n) return 6;
  if (units >= 1000n) return 3;
  if (units >= 100n) return 2;
  if (units >= 10n) return 1;
  return 0;
}

/** (high·2^32 + low) units → {sec, nsec}, as wiretap computes it (see header). */
function toTimestamp(high: number, low: number, f: IfaceTs): Timestamp {
  const units = f.units;
  const k = f.nsPerUnit;
  if (k !== 0) {
    if (high < 0x200000) {
      // ts < 2^53: plain float math is exact.
      const t = high * 4294967296 + low;
      const sec = Math.floor(t / units);
      return { sec: sec + f.offsetSec, nsec: (t - sec * units) * k };
    }
    // Long division by units (≤ 10^9) in base 2^16 keeps every intermediate below 2^53.
    const qh = Math.floor(high / units);
    const t1 = (high - qh * units) * 65536 + (low >>> 16);
    const q1 = Math.floor(t1 / units);
    const t2 = (t1 - q1 * units) * 65536 + (low & 0xffff);
    const q2 = Math.floor(t2 / units);
    return { sec: qh * 4294967296 + q1 * 65536 + q2 + f.offsetSec, nsec: (t2 - q2 * units) * k };
  }
  const t = (BigInt(high) << 32n) | BigInt(low);
  const u = f.unitsBig;
  const sec = t / u;
  const nsec = ((t % u) * 1_000_000_000n & MASK64) / u;
  return { sec: Number(sec) + f.offsetSec, nsec: Number(nsec) };
}
