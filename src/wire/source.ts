/**
 * Capture sources: a FormatParser driven by a stream of chunks (file, stdin, gzip, live pipe) or
 * by one in-memory buffer (tests, web uploads).
 *
 * Streaming contract: constant memory whatever the capture size (the ByteQueue holds one record
 * plus one chunk), no whole-file reads, no quadratic copies. Iteration yields every good record
 * before damage and then throws a CaptureError (a LabError with code ERR_CAPTURE_*).
 *
 * Ownership: `record.data` is valid until the next record is pulled (today it stays valid longer,
 * since chunks are never reused, but callers must not rely on it). Copy with `.slice()` to keep.
 */
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { CaptureInfo, CaptureRecord } from './record.js';
import { ByteQueue } from './byte-queue.js';
import { CAPTURE_ERR, CaptureError, cutShort } from './errors.js';
import type { FormatParser } from './parser.js';
import { PcapParser } from './pcap-reader.js';
import { PcapngParser } from './pcapng-reader.js';
import { SNIFF_LEN, sniffFormat } from './sniff.js';
import { errnoCode, isLabError } from '../util/errors.js';

/** A stream of capture records plus what is known about the capture. Iterate it once. */
export interface CaptureSource extends AsyncIterable<CaptureRecord> {
  /** Format and interfaces; for pcapng, `interfaces` grows as IDBs arrive. */
  readonly info: CaptureInfo;
  /** Stops reading and releases the file, pipe or child process. Safe to call twice. */
  close(): void;
  /**
   * Optional synchronous fast path: the next record when one is already buffered, else undefined
   * (then await the iterator's next(), which also reports the end). Throws what next() would
   * reject with. Lets a consumer run through a buffered chunk without a promise per record.
   */
  nextSync?(): CaptureRecord | undefined;
}

/** Options for {@link openCaptureStream}. */
export interface StreamSourceOptions {
  /** Name used in error messages (the file path, or "-" for stdin). */
  name: string;
  /** Called by close() (e.g. destroy a file stream, kill a child). */
  onClose?: () => void;
  /**
   * A synchronous read of the next chunk (null at the end), for regular files: then records are
   * parsed through without waiting for the event loop, and `chunks` is only used if this is
   * dropped (gzip input is unwrapped from `chunks`). Throws what the read throws.
   */
  readSync?: () => Uint8Array | null;
}

const EMPTY_DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Reads a capture from any chunk stream (a Node Readable such as process.stdin, or an
 * AsyncIterable<Uint8Array>). Resolves once the file header (pcap header / first SHB) is read;
 * rejects with a CaptureError when it is bad. gzip is detected from the bytes and unwrapped.
 */
export async function openCaptureStream(
  chunks: AsyncIterable<Uint8Array | string>,
  opts: StreamSourceOptions,
): Promise<CaptureSource> {
  const src = new StreamCaptureSource(chunks, opts);
  try {
    await src.start();
  } catch (e) {
    src.close();
    throw e;
  }
  return src;
}

class StreamCaptureSource implements CaptureSource, AsyncIterator<CaptureRecord> {
  info: CaptureInfo = { format: 'pcap', tsPrecision: 'usec', interfaces: [] };
  private readonly q = new ByteQueue();
  private it: AsyncIterator<Uint8Array | string>;
  private parser: FormatParser | undefined;
  private closed = false;
  private finished = false;
  private gzip = false;
  private readonly name: string;
  private readonly onClose: (() => void) | undefined;
  private readSync: (() => Uint8Array | null) | undefined;
  private gunzip: ReturnType<typeof createGunzip> | undefined;

  constructor(chunks: AsyncIterable<Uint8Array | string>, opts: StreamSourceOptions) {
    this.it = chunks[Symbol.asyncIterator]();
    this.name = opts.name;
    this.onClose = opts.onClose;
    this.readSync = opts.readSync;
  }

  async start(): Promise<void> {
    const q = this.q;
    while (q.length < SNIFF_LEN && (await this.pull()));
    q.header(Math.min(q.length, SNIFF_LEN));
    let fmt = sniffFormat(q.hv, q.ho, q.length);
    if (fmt === 'gzip') {
      this.unwrapGzip();
      while (q.length < SNIFF_LEN && (await this.pull()));
      q.header(Math.min(q.length, SNIFF_LEN));
      fmt = sniffFormat(q.hv, q.ho, q.length);
    }
    this.parser = createParser(fmt, this.name, q.length);
    this.info = this.parser.info;
    while (!this.parser.readHeader(q)) {
      if (!(await this.pull())) throw cutShort(this.name, 1, q.offset, true);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<CaptureRecord> {
    return this;
  }

  nextSync(): CaptureRecord | undefined {
    if (this.parser === undefined || this.finished) return undefined;
    try {
      const r = this.parser.next(this.q);
      if (r !== undefined || this.readSync === undefined) return r;
      // A regular file: read on until a record is whole (the end is left to next()).
      while (this.pullSync()) {
        const more = this.parser.next(this.q);
        if (more !== undefined) return more;
      }
      return undefined;
    } catch (e) {
      this.finish();
      throw e;
    }
  }

  /** Pushes the next chunk of a synchronous input; false at its end (or when there is none). */
  private pullSync(): boolean {
    const read = this.readSync;
    if (read === undefined || this.closed) return false;
    let c: Uint8Array | null;
    try {
      c = read();
    } catch (e) {
      throw this.ioError(e);
    }
    if (c === null) return false;
    this.q.push(c);
    return true;
  }

  next(): Promise<IteratorResult<CaptureRecord>> {
    // Fast path: a whole record is already queued; no async function frame per record.
    if (this.parser !== undefined && !this.finished) {
      let r: CaptureRecord | undefined;
      try {
        r = this.parser.next(this.q);
      } catch (e) {
        this.finish();
        return Promise.reject(e);
      }
      if (r !== undefined) return Promise.resolve({ value: r, done: false });
    }
    return this.slowNext();
  }

  private async slowNext(): Promise<IteratorResult<CaptureRecord>> {
    const p = this.parser;
    if (p === undefined || this.finished) return EMPTY_DONE;
    try {
      for (;;) {
        if (!(await this.pull())) {
          if (this.closed) return this.finish();
          p.end(this.q);
          return this.finish();
        }
        const r = p.next(this.q);
        if (r !== undefined) return { value: r, done: false };
      }
    } catch (e) {
      this.finish();
      throw e;
    }
  }

  return(): Promise<IteratorResult<CaptureRecord>> {
    this.close();
    return Promise.resolve(EMPTY_DONE);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.finished = true;
    this.gunzip?.destroy();
    void this.it.return?.().catch(() => undefined);
    this.onClose?.();
  }

  private finish(): IteratorReturnResult<undefined> {
    this.finished = true;
    this.close();
    return EMPTY_DONE;
  }

  /** Pushes the next chunk into the queue; false at end of input (or after close()). */
  private async pull(): Promise<boolean> {
    if (this.closed) return false;
    if (this.readSync !== undefined) return this.pullSync();
    let r: IteratorResult<Uint8Array | string>;
    try {
      r = await this.it.next();
    } catch (e) {
      throw this.ioError(e);
    }
    if (r.done === true) return false;
    const v = r.value;
    this.q.push(typeof v === 'string' ? Buffer.from(v, 'latin1') : v);
    return true;
  }

  /** Replaces the chunk iterator by a gunzip of (queued bytes + the rest of the input). */
  private unwrapGzip(): void {
    // The compressed bytes come through the chunk stream (read from where the reads stopped).
    this.readSync = undefined;
    const q = this.q;
    const pending = q.length > 0 ? q.take(q.length) : undefined;
    const rest = this.it;
    async function* raw(): AsyncGenerator<Uint8Array | string> {
      if (pending !== undefined) yield pending;
      for (;;) {
        const r = await rest.next();
        if (r.done === true) return;
        yield r.value;
      }
    }
    const gunzip = createGunzip();
    Readable.from(raw(), { objectMode: false }).on('error', (e) => gunzip.destroy(e)).pipe(gunzip);
    this.gunzip = gunzip;
    this.gzip = true;
    this.it = gunzip[Symbol.asyncIterator]();
    // Offsets in error messages are into the decompressed stream, as in tshark.
    q.offset = 0;
  }

  private ioError(e: unknown): CaptureError {
    if (isLabError(e)) return e as CaptureError;
    const code = errnoCode(e);
    if (this.gzip && code === 'Z_BUF_ERROR') return cutShort(this.name, this.parser?.nextFrameNo ?? 1, this.q.offset, this.parser === undefined);
    if (this.gzip && code !== undefined && code.startsWith('Z_')) {
      return new CaptureError(
        CAPTURE_ERR.BAD_GZIP,
        `The file "${this.name}" appears to be damaged or corrupt (gzip: ${(e as Error).message}).`,
        { offset: this.q.offset, cause: e },
      );
    }
    return fileError(this.name, e);
  }
}

/** Maps an fs/stream error to tshark-like one-line text. */
export function fileError(name: string, e: unknown): CaptureError {
  const code = errnoCode(e);
  const msg =
    code === 'ENOENT' ? `The file "${name}" doesn't exist.`
    : code === 'EACCES' || code === 'EPERM' ? `The file "${name}" could not be opened because you don't have permission to read it.`
    : code === 'EISDIR' ? `"${name}" is a directory (folder), not a file.`
    : `An error occurred while reading "${name}": ${e instanceof Error ? e.message : String(e)}.`;
  return new CaptureError(CAPTURE_ERR.IO, msg, { cause: e });
}

function createParser(fmt: ReturnType<typeof sniffFormat>, name: string, available: number): FormatParser {
  if (fmt === 'pcap') return new PcapParser(name);
  if (fmt === 'pcapng') return new PcapngParser(name);
  // tshark 4.0 opens an empty file as an empty capture: no frames, no error.
  if (available === 0) return new EmptyParser();
  // 1-3 bytes cannot be told apart; tshark's heuristic readers claim such stubs as MIME/JSON files.
  if (available < SNIFF_LEN) throw cutShort(name, 1, 0, true);
  throw new CaptureError(
    CAPTURE_ERR.BAD_MAGIC,
    `The file "${name}" isn't a capture file in a format tcplab understands.`,
    { offset: 0 },
  );
}

/** An empty input (0 bytes): no frames and no error, as tshark 4.0 does. */
class EmptyParser implements FormatParser {
  readonly info: CaptureInfo = { format: 'pcap', tsPrecision: 'usec', interfaces: [] };
  readonly nextFrameNo = 1;
  readHeader(): boolean {
    return true;
  }
  next(): undefined {
    return undefined;
  }
  end(): void {}
}

/**
 * A capture held in memory (tests, web uploads): the same parsers, driven synchronously.
 * Construction reads the header and throws a CaptureError when it is bad; iteration yields the
 * good records and then throws on damage. gzip is unwrapped (the whole buffer is in memory anyway).
 */
export class BufferCaptureReader implements Iterable<CaptureRecord> {
  readonly info: CaptureInfo;
  private readonly parser: FormatParser;
  private readonly q = new ByteQueue();

  constructor(bytes: Uint8Array, name = '(buffer)') {
    let b = bytes;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (sniffFormat(dv, 0, b.byteLength) === 'gzip') {
      try {
        b = gunzipSync(b);
      } catch (e) {
        const code = errnoCode(e);
        throw code === 'Z_BUF_ERROR' ? cutShort(name, 1, 0, true)
          : new CaptureError(CAPTURE_ERR.BAD_GZIP, `The file "${name}" appears to be damaged or corrupt (gzip: ${(e as Error).message}).`, { offset: 0, cause: e });
      }
    }
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.parser = createParser(sniffFormat(v, 0, b.byteLength), name, b.byteLength);
    this.q.push(b);
    if (!this.parser.readHeader(this.q)) throw cutShort(name, 1, this.q.offset, true);
    this.info = this.parser.info;
  }

  *[Symbol.iterator](): Iterator<CaptureRecord> {
    for (;;) {
      const r = this.parser.next(this.q);
      if (r === undefined) break;
      yield r;
    }
    this.parser.end(this.q);
  }
}

/** Convenience for tests: every record of an in-memory capture, data copied. */
export function readAllRecords(bytes: Uint8Array, name?: string): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  for (const r of new BufferCaptureReader(bytes, name)) out.push({ ...r, data: r.data.slice() });
  return out;
}
