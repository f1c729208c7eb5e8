/**
 * Builds the crafted pcapng fixtures (crafted-le.pcapng, crafted-be.pcapng) block by block with
 * explicit DataView writes — independent of src/wire — to cover what no capture tool here writes:
 * if_tsresol 10^-3 and 2^-20, if_tsoffset (positive and negative), SPB, OPB (obsolete PB), ISB,
 * NRB, DSB, a custom block, an unknown block type, per-packet and SHB comments, a second section in
 * the other byte order, and nanosecond timestamps beyond 2^53.
 * The packet bytes are real frames taken from lo-ethernet.pcap (tcpdump -i lo).
 * tshark's reading of the results is the golden truth (test/wire/golden/*.frames.tsv).
 *
 * Usage (after a build): node dist/test/wire/craft-pcapng.js test/fixtures/pcap
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

class Out {
  private buf = new Uint8Array(1 << 16);
  private v = new DataView(this.buf.buffer);
  len = 0;
  constructor(private le: boolean) {}
  setOrder(le: boolean): void {
    this.le = le;
  }
  u8(x: number): void {
    this.v.setUint8(this.len, x);
    this.len += 1;
  }
  u16(x: number): void {
    this.v.setUint16(this.len, x, this.le);
    this.len += 2;
  }
  u32(x: number): void {
    this.v.setUint32(this.len, x >>> 0, this.le);
    this.len += 4;
  }
  i64(x: bigint): void {
    this.v.setBigInt64(this.len, x, this.le);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.len);
    this.len += b.byteLength;
  }
  pad(): void {
    while (this.len % 4 !== 0) this.u8(0);
  }
  at(pos: number, x: number): void {
    this.v.setUint32(pos, x, this.le);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const enc = new TextEncoder();

function block(o: Out, type: number, body: () => void): void {
  const start = o.len;
  o.u32(type);
  o.u32(0);
  body();
  o.pad();
  const total = o.len - start + 4;
  o.u32(total);
  o.at(start + 4, total);
}

function opt(o: Out, code: number, value: Uint8Array): void {
  o.u16(code);
  o.u16(value.byteLength);
  o.bytes(value);
  o.pad();
}
function optStr(o: Out, code: number, s: string): void {
  opt(o, code, enc.encode(s));
}
function optEnd(o: Out): void {
  o.u16(0);
  o.u16(0);
}
function shb(o: Out, minor: number, comment: string): void {
  block(o, 0x0a0d0d0a, () => {
    o.u32(0x1a2b3c4d);
    o.u16(1);
    o.u16(minor);
    o.i64(-1n);
    optStr(o, 1, comment);
    optStr(o, 4, 'tcplab craft-pcapng');
    optEnd(o);
  });
}
function idb(o: Out, linkType: number, snapLen: number, opts: (o: Out) => void): void {
  block(o, 1, () => {
    o.u16(linkType);
    o.u16(0);
    o.u32(snapLen);
    opts(o);
    optEnd(o);
  });
}
function epb(o: Out, ifId: number, ts: bigint, data: Uint8Array, origLen: number, comment?: string): void {
  block(o, 6, () => {
    o.u32(ifId);
    o.u32(Number(ts >> 32n));
    o.u32(Number(ts & 0xffffffffn));
    o.u32(data.byteLength);
    o.u32(origLen);
    o.bytes(data);
    o.pad();
    if (comment !== undefined) {
      optStr(o, 1, comment);
      optEnd(o);
    }
  });
}

/** The frames of a little-endian µs pcap (just enough parsing for our own fixture). */
export function framesOfPcap(b: Uint8Array): Uint8Array[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Uint8Array[] = [];
  for (let p = 24; p + 16 <= b.byteLength; ) {
    const incl = v.getUint32(p + 8, true);
    out.push(b.slice(p + 16, p + 16 + incl));
    p += 16 + incl;
  }
  return out;
}

/** Builds the crafted two-section file; `le` is the byte order of section 1 (section 2 is the other). */
export function craftPcapng(le: boolean, frames: Uint8Array[]): Uint8Array {
  const f = (i: number): Uint8Array => frames[i % frames.length] as Uint8Array;
  const big = frames.find((x) => x.byteLength > 140) ?? f(0);
  const o = new Out(le);
  // Section 1.
  shb(o, 0, 'crafted section 1');
  idb(o, 1, 128, (o) => {
    optStr(o, 2, 'lo');
    opt(o, 9, Uint8Array.of(3)); // 10^-3: milliseconds
  });
  idb(o, 1, 0, (o) => {
    optStr(o, 2, 'eth-binary');
    opt(o, 9, Uint8Array.of(0x80 | 20)); // 2^-20 s
    const off = new Uint8Array(8);
    new DataView(off.buffer).setBigInt64(0, 1000n, le);
    opt(o, 14, off); // if_tsoffset +1000 s
  });
  block(o, 4, () => {
    // NRB: nrb_record_ipv4 127.0.0.1 "localhost", nrb_record_end.
    o.u16(1);
    o.u16(4 + 10);
    o.bytes(Uint8Array.of(127, 0, 0, 1));
    o.bytes(enc.encode('localhost\0'));
    o.pad();
    o.u16(0);
    o.u16(0);
  });
  epb(o, 0, 1_700_000_000_123n, f(0), f(0).byteLength, 'first packet, 10^-3 resolution');
  epb(o, 1, (1_700_000_000n << 20n) + 524_288n + 3n, f(1), f(1).byteLength);
  block(o, 0x0a, () => {
    // DSB: TLS key log.
    const keys = enc.encode('CLIENT_RANDOM 00 00\n');
    o.u32(0x544c534b);
    o.u32(keys.byteLength);
    o.bytes(keys);
  });
  block(o, 0x00000bad, () => {
    o.u32(32473); // PEN reserved for examples
    o.bytes(enc.encode('custom block data'));
  });
  block(o, 0x12345678, () => {
    o.u32(0xdeadbeef);
    o.u32(0xfeedface);
  });
  block(o, 3, () => {
    // SPB: interface 0 (snaplen 128) → captured length min(origLen, 128).
    o.u32(big.byteLength);
    o.bytes(big.subarray(0, Math.min(128, big.byteLength)));
  });
  block(o, 5, () => {
    // ISB for interface 0: isb_ifrecv = 7.
    o.u32(0);
    o.u32(0);
    o.u32(1_700_000_001);
    const recv = new Uint8Array(8);
    new DataView(recv.buffer).setBigUint64(0, 7n, le);
    opt(o, 4, recv);
    optEnd(o);
  });
  block(o, 2, () => {
    // OPB (obsolete Packet Block) on interface 1.
    o.u16(1);
    o.u16(0);
    const ts = (1_700_000_002n << 20n) + 1n;
    o.u32(Number(ts >> 32n));
    o.u32(Number(ts & 0xffffffffn));
    o.u32(f(2).byteLength);
    o.u32(f(2).byteLength);
    o.bytes(f(2));
    o.pad();
  });
  epb(o, 0, 1_700_000_003_999n, f(3).subarray(0, 66), f(3).byteLength);
  // Section 2, other byte order.
  o.setOrder(!le);
  shb(o, 2, 'crafted section 2, other byte order');
  idb(o, 1, 262144, (o) => {
    opt(o, 9, Uint8Array.of(9));
    const off = new Uint8Array(8);
    new DataView(off.buffer).setBigInt64(0, -100n, !le);
    opt(o, 14, off); // if_tsoffset −100 s
  });
  idb(o, 1, 65535, () => undefined);
  epb(o, 0, 1_700_000_000_987_654_321n, f(4), f(4).byteLength, 'ns beyond 2^53');
  epb(o, 1, 1_700_000_005_000_001n, f(5), f(5).byteLength);
  epb(o, 0, 1_700_000_006_000_000_007n, f(6).subarray(0, 40), f(6).byteLength + 1000);
  return o.result();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'test/fixtures/pcap';
  const frames = framesOfPcap(readFileSync(join(dir, 'lo-ethernet.pcap')));
  writeFileSync(join(dir, 'crafted-le.pcapng'), craftPcapng(true, frames));
  writeFileSync(join(dir, 'crafted-be.pcapng'), craftPcapng(false, frames));
}
