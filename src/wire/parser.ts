/**
 * FormatParser: the synchronous, incremental core every capture source drives.
 *
 * A parser reads from a ByteQueue the source fills. It never waits and never reads ahead of the
 * bytes it has: when a header, record or block is incomplete it returns NEED_MORE and the source
 * pushes the next chunk. This keeps one parser for files, stdin, gzip streams, live pipes and
 * in-memory buffers, and keeps memory at one record plus one chunk.
 */
import type { CaptureInfo, CaptureRecord } from './record.js';
import type { ByteQueue } from './byte-queue.js';

export interface FormatParser {
  /** Filled in by readHeader(); pcapng appends interfaces as IDBs arrive. */
  readonly info: CaptureInfo;
  /**
   * Consumes the file header. Returns false when the queue does not hold all of it yet.
   * Throws a CaptureError on a bad header.
   */
  readHeader(q: ByteQueue): boolean;
  /**
   * Returns the next packet record, or undefined when the queue holds no complete one yet.
   * Non-packet items (pcapng IDB, NRB, ISB …) are consumed silently. Throws a CaptureError on
   * damage; the parser must not be used after that.
   */
  next(q: ByteQueue): CaptureRecord | undefined;
  /** Number the next record will get (for error messages). */
  readonly nextFrameNo: number;
  /** Called at end of input: throws CaptureError (cut short) when a partial item is left. */
  end(q: ByteQueue): void;
}

/** Largest packet accepted (wiretap's WTAP_MAX_PACKET_SIZE_STANDARD): bounds memory per record. */
export const MAX_PACKET_LEN = 262144;

/** Shared empty comment list (CaptureRecord.comments when a packet has none). */
export const NO_COMMENTS: readonly string[] = Object.freeze([]);
