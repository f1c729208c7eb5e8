/**
 * A tiny synchronous pcap/pcapng reader for decode/ tests and scripts, so they do not depend on
 * wire/ (which is built in parallel). Not a product reader: it reads a whole file from memory,
 * trusts block lengths only after checking them, and stops at the first inconsistency.
 *
 * pcap: all four magics (µs/ns, both byte orders). pcapng: SHB (per-section byte order),
 * IDB (link type), EPB, SPB, OPB; other blocks skipped. Gzip is not handled.
 */
import { readFileSync } from 'node:fs';
import type { CaptureRecord } from '../../src/wire/record.js';

export interface LiteFile {
  records: CaptureRecord[];
  /** Link type of each pcapng interface (pcap: one). */
  linkTypes: number[];
}

export function readCaptureFile(path: string): LiteFile {
  return parseCapture(readFileSync(path));
}

export function parseCapture(buf: Uint8Array): LiteFile {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4) throw new Error('pcap-lite: file too short');
  const m = dv.getUint32(0, false);
  if (m === 0x0a0d0d0a) return parsePcapng(buf, dv);
  return parsePcap(buf, dv);
}

function parsePcap(buf: Uint8Array, dv: DataView): LiteFile {
  const mBE = dv.getUint32(0, false);
  let le: boolean, nsec: boolean;
  if (mBE === 0xa1b2c3d4) { le = false; nsec = false; }
  else if (mBE === 0xd4c3b2a1) { le = true; nsec = false; }
  else if (mBE === 0xa1b23c4d) { le = false; nsec = true; }
  else if (mBE === 0x4d3cb2a1) { le = true; nsec = true; }
  else throw new Error(`pcap-lite: bad magic 0x${mBE.toString(16)}`);
  if (buf.byteLength < 24) throw new Error('pcap-lite: short header');
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const records: CaptureRecord[] = [];
  let p = 24;
  let frameNo = 0;
  while (p + 16 <= buf.byteLength) {
    const sec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    const capLen = dv.getUint32(p + 8, le);
    const origLen = dv.getUint32(p + 12, le);
    if (p + 16 + capLen > buf.byteLength) break;
    const data = buf.subarray(p + 16, p + 16 + capLen);
    records.push({
      frameNo: ++frameNo, ts: { sec, nsec: nsec ? frac : frac * 1000 }, capLen, origLen, linkType, ifIndex: 0,
      data, comments: [],
    });
    p += 16 + capLen;
  }
  return { records, linkTypes: [linkType] };
}

function parsePcapng(buf: Uint8Array, dv: DataView): LiteFile {
  let le = true;
  let ifaces: number[] = [];
  const allLinkTypes: number[] = [];
  const records: CaptureRecord[] = [];
  let p = 0;
  let frameNo = 0;
  while (p + 12 <= buf.byteLength) {
    const typeBE = dv.getUint32(p, false);
    if (typeBE === 0x0a0d0d0a) {
      const bom = dv.getUint32(p + 8, true);
      le = bom === 0x1a2b3c4d;
      ifaces = [];
    }
    const type = dv.getUint32(p, le);
    const len = dv.getUint32(p + 4, le);
    if (len < 12 || len % 4 !== 0 || p + len > buf.byteLength) break;
    if (type === 1) {
      const lt = dv.getUint16(p + 8, le);
      ifaces.push(lt);
      allLinkTypes.push(lt);
    } else if (type === 6 || type === 2) {
      const ifId = type === 6 ? dv.getUint32(p + 8, le) : dv.getUint16(p + 8, le);
      const capLen = dv.getUint32(p + 20, le);
      const origLen = dv.getUint32(p + 24, le);
      if (28 + capLen > len) break;
      const hi = dv.getUint32(p + 12, le);
      const lo = dv.getUint32(p + 16, le);
      const us = hi * 4294967296 + lo;
      records.push({
        frameNo: ++frameNo, ts: { sec: Math.floor(us / 1e6), nsec: (us % 1e6) * 1000 }, capLen, origLen,
        linkType: ifaces[ifId] ?? -1, ifIndex: ifId, data: buf.subarray(p + 28, p + 28 + capLen), comments: [],
      });
    } else if (type === 3) {
      const origLen = dv.getUint32(p + 8, le);
      const capLen = Math.min(origLen, len - 16);
      records.push({
        frameNo: ++frameNo, ts: { sec: 0, nsec: 0 }, capLen, origLen, linkType: ifaces[0] ?? -1, ifIndex: 0,
        data: buf.subarray(p + 12, p + 12 + capLen), comments: [],
      });
    }
    p += len;
  }
  return { records, linkTypes: allLinkTypes };
}
