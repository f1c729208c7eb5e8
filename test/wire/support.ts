/**
 * Helpers for the wire/ tests: fixture paths, tshark golden frame tables, collecting a source
 * with a bound on time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaptureInfo, CaptureRecord } from '../../src/wire/record.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'pcap');
export const GOLDEN = join(ROOT, 'test', 'wire', 'golden');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}
export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(fixture(name));
}

/** One frame as tshark 4.0 printed it (see oracle-frames.py). */
export interface GoldenFrame {
  number: number;
  timeEpoch: string;
  capLen: number;
  len: number;
  interfaceId: string;
  encap: number;
  comment: string;
  hex: string;
}

export function goldenFixtures(): string[] {
  return readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.frames.tsv'))
    .map((f) => f.slice(0, -'.frames.tsv'.length));
}

export function readGolden(name: string): GoldenFrame[] {
  const text = readFileSync(join(GOLDEN, name + '.frames.tsv'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const c = l.split('\t');
      return {
        number: Number(c[0]),
        timeEpoch: c[1] ?? '',
        capLen: Number(c[2]),
        len: Number(c[3]),
        interfaceId: c[4] ?? '',
        encap: Number(c[5]),
        comment: c[6] ?? '',
        hex: c[7] ?? '',
      };
    });
}

/** LINKTYPE → wiretap encapsulation number (what tshark shows as frame.encap_type). */
export const WTAP_ENCAP: Readonly<Record<number, number>> = { 1: 1, 101: 7, 113: 25, 276: 210, 0: 15 };

/** A record the way the golden table shows it. */
export function asGolden(r: CaptureRecord, info: CaptureInfo): Omit<GoldenFrame, 'number'> {
  const iface = info.interfaces[r.ifIndex];
  return {
    timeEpoch: r.noTimestamp === true ? '' : `${r.ts.sec}.${String(r.ts.nsec).padStart(9, '0')}`,
    capLen: r.capLen,
    len: r.origLen,
    interfaceId: info.format === 'pcap' ? '' : String(iface?.idInSection ?? r.ifIndex),
    encap: WTAP_ENCAP[r.linkType] ?? -1,
    comment: r.comments.join(','),
    hex: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('hex'),
  };
}

export function goldenRow(g: GoldenFrame): Omit<GoldenFrame, 'number'> {
  const { number: _n, ...rest } = g;
  return rest;
}

/** Rejects after ms (bounds every wait in these tests). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Drains an async iterable of records, copying data; returns the records and the error, if any. */
export async function drain(src: AsyncIterable<CaptureRecord>): Promise<{ records: CaptureRecord[]; error: unknown }> {
  const records: CaptureRecord[] = [];
  try {
    for await (const r of src) records.push({ ...r, data: r.data.slice() });
    return { records, error: undefined };
  } catch (e) {
    return { records, error: e };
  }
}

/** The same for a sync iterable. */
export function drainSync(src: Iterable<CaptureRecord>): { records: CaptureRecord[]; error: unknown } {
  const records: CaptureRecord[] = [];
  try {
    for (const r of src) records.push({ ...r, data: r.data.slice() });
    return { records, error: undefined };
  } catch (e) {
    return { records, error: e };
  }
}

/** Splits bytes into chunks of `size` (to force records to straddle chunks). */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, Math.min(bytes.byteLength, i + size));
}

/** bytes copied to offset `pad` of a larger buffer (catches byteOffset bugs). */
export function atOffset(bytes: Uint8Array, pad = 10): Uint8Array {
  const big = new Uint8Array(bytes.byteLength + pad * 2).fill(0xee);
  big.set(bytes, pad);
  return big.subarray(pad, pad + bytes.byteLength);
}
