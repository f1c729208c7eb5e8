/**
 * openCaptureFile: the entry point every reader of capture files uses (tcplab read, web, lab).
 *
 * Reads the file in 256 KiB chunks (constant memory), detects gzip / pcap / pcapng from the
 * bytes (never the name), and resolves once the file header is read. Rejects with a CaptureError
 * (ERR_CAPTURE_IO, ERR_CAPTURE_BAD_MAGIC, ERR_CAPTURE_UNSUPPORTED_VERSION, ERR_CAPTURE_TRUNCATED);
 * iteration yields every good record and then throws on damage. Pass "-" to read stdin.
 */
import { closeSync, createReadStream, openSync, readSync, statSync, type ReadStream } from 'node:fs';
import { type CaptureSource, fileError, openCaptureStream } from './source.js';

export type { CaptureSource } from './source.js';
export { openCaptureStream, BufferCaptureReader, readAllRecords } from './source.js';
export { CaptureError, CAPTURE_ERR, cutShortMessage } from './errors.js';

/**
 * Chunk size for file reads: large enough that straddling records (the only copies) are rare, small
 * enough that the chunks awaiting GC stay few: 1 MiB -> 256 KiB cut peak RSS of a 300k-frame read by
 * ~18 MB (133 -> 115 MB), CPU unchanged.
 */
const CHUNK = 1 << 18;

/**
 * Opens a pcap, pcapng or gzip-compressed capture file ("-" = stdin).
 *
 * A regular file is read with synchronous reads as the records are parsed: no event-loop turn
 * and no stream machinery per chunk (a 300k-frame flags-filter read 0.50 -> 0.47 s; a read-ahead
 * on libuv's threads measured no better, BENCHMARKS.md "read: session 5"). Anything else (a FIFO,
 * a device) goes through a read stream, opened asynchronously, so a slow writer never blocks the
 * thread; so does gzip input, from where the reads stopped.
 */
export async function openCaptureFile(path: string): Promise<CaptureSource> {
  if (path === '-') return openCaptureStream(process.stdin, { name: '-' });
  let regular = false;
  try {
    regular = statSync(path).isFile();
  } catch {
    // The stream's open says what is wrong, as for any other path.
  }
  if (!regular) {
    // Opened asynchronously: opening a FIFO waits for its writer.
    const s = createReadStream(path, { highWaterMark: CHUNK });
    return openCaptureStream(s, { name: path, onClose: () => s.destroy() });
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(path, e);
  }
  let stream: ReadStream | undefined;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    // A stream owns the descriptor once made (it closes it); else close it here.
    if (stream !== undefined) stream.destroy();
    else closeSync(fd);
  };
  // The stream is made on first use only, for gzip input: it goes on from where the synchronous
  // reads stopped (the descriptor's own position).
  const streamed = lazyChunks(() => (stream = createReadStream('', { fd, highWaterMark: CHUNK })));
  const readChunk = (): Uint8Array | null => {
    const b = Buffer.allocUnsafeSlow(CHUNK);
    const n = readSync(fd, b, 0, CHUNK, null);
    return n === 0 ? null : b.subarray(0, n);
  };
  return openCaptureStream(streamed, { name: path, onClose: close, readSync: readChunk });
}

/** An async iterable whose source is made when the first chunk is asked for. */
function lazyChunks(make: () => AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array | string> {
  let it: AsyncIterator<Uint8Array | string> | undefined;
  const iterator: AsyncIterator<Uint8Array | string> = {
    next: () => (it ??= make()[Symbol.asyncIterator]()).next(),
    return: async () => {
      await it?.return?.();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
