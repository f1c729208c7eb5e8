/**
 * openCaptureFile: the entry point every reader of capture files uses (tcplab read, web, lab).
 *
 * Streams the file in 256 KiB chunks (constant memory), detects gzip / pcap / pcapng from the
 * bytes (never the name), and resolves once the file header is read. Rejects with a CaptureError
 * (ERR_CAPTURE_IO, ERR_CAPTURE_BAD_MAGIC, ERR_CAPTURE_UNSUPPORTED_VERSION, ERR_CAPTURE_TRUNCATED);
 * iteration yields every good record and then throws on damage. Pass "-" to read stdin.
 */
import { createReadStream } from 'node:fs';
import { type CaptureSource, openCaptureStream } from './source.js';

export type { CaptureSource } from './source.js';
export { openCaptureStream, BufferCaptureReader, readAllRecords } from './source.js';
export { CaptureError, CAPTURE_ERR, cutShortMessage } from './errors.js';

/**
 * Chunk size for file reads: large enough that straddling records (the only copies) are rare, small
 * enough that the chunks awaiting GC stay few: 1 MiB -> 256 KiB cut peak RSS of a 300k-frame read by
 * ~18 MB (133 -> 115 MB), CPU unchanged.
 */
const CHUNK = 1 << 18;

/** Opens a pcap, pcapng or gzip-compressed capture file ("-" = stdin). */
export async function openCaptureFile(path: string): Promise<CaptureSource> {
  if (path === '-') return openCaptureStream(process.stdin, { name: '-' });
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  return openCaptureStream(stream, { name: path, onClose: () => stream.destroy() });
}
