/**
 * Capture-file and capture-source errors (ARCHITECTURE.md §2.5, file-level corruption).
 *
 * Every damage found in a capture ends iteration with a CaptureError: a LabError whose `code` is one
 * of CAPTURE_ERR below, with the frame number and byte offset of the damage as structured facts and
 * a one-line human message naming them. Messages echo tshark 4.0's wording where tshark has one
 * ("appears to have been cut short in the middle of a packet", "appears to be damaged or corrupt").
 */
import { LabError } from '../util/errors.js';

/** Stable error codes of wire/. Codes are API; messages may change. */
export const CAPTURE_ERR = {
  /** The first bytes are not pcap, pcapng or gzip. */
  BAD_MAGIC: 'ERR_CAPTURE_BAD_MAGIC',
  /** A pcap major version below 2 or a pcapng major version other than 1. */
  UNSUPPORTED_VERSION: 'ERR_CAPTURE_UNSUPPORTED_VERSION',
  /** The file ends inside a header, record or block (a cut file). */
  TRUNCATED: 'ERR_CAPTURE_TRUNCATED',
  /** A pcap record header with an absurd length. */
  BAD_RECORD: 'ERR_CAPTURE_BAD_RECORD',
  /** An inconsistent pcapng block (lengths, interface id, missing SHB …). */
  BAD_BLOCK: 'ERR_CAPTURE_BAD_BLOCK',
  /** The gzip layer is corrupt. */
  BAD_GZIP: 'ERR_CAPTURE_BAD_GZIP',
  /** A record cannot be written in the chosen format (pcap: a second link type). */
  WRITE_LINKTYPE: 'ERR_CAPTURE_WRITE_LINKTYPE',
  /** Opening or reading the file failed (ENOENT, EACCES, EISDIR …). */
  IO: 'ERR_CAPTURE_IO',
  /** The capture tool could not be started or failed (bad interface, tool missing …). */
  TOOL: 'ERR_CAPTURE_TOOL',
  /** The capture tool rejected the BPF expression. */
  BAD_FILTER: 'ERR_CAPTURE_BAD_FILTER',
  /** No permission to capture on the interface. */
  PERMISSION: 'ERR_CAPTURE_PERMISSION',
} as const;
export type CaptureErrorCode = (typeof CAPTURE_ERR)[keyof typeof CAPTURE_ERR];

/** A LabError from wire/, with where the damage was found when it concerns the file's bytes. */
export class CaptureError extends LabError {
  /** Number of the frame that could not be read (1-based), or undefined for header damage / I/O. */
  readonly frameNo: number | undefined;
  /** Byte offset in the (decompressed) capture stream where the damaged item starts. */
  readonly offset: number | undefined;

  constructor(
    code: CaptureErrorCode,
    message: string,
    facts: { frameNo?: number | undefined; offset?: number | undefined; cause?: unknown } = {},
  ) {
    super(code, message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = 'CaptureError';
    this.frameNo = facts.frameNo;
    this.offset = facts.offset;
  }
}

/**
 * tshark 4.0's text for a file that ends in the middle of a packet
 * (ui/failure_message.c, WTAP_ERR_SHORT_READ): printed after the frames before the cut.
 */
export function cutShortMessage(name: string): string {
  return `The file "${name}" appears to have been cut short in the middle of a packet.`;
}

/**
 * tshark 4.0's text when the cut is found while opening: inside the pcap file header, the SHB, or
 * the IDBs that directly follow it (wiretap reads those at open); tshark then prints no frames.
 */
export function cutShortAtOpenMessage(name: string): string {
  return `The file "${name}" appears to have been cut short in the middle of a packet or other data.`;
}

/** tshark 4.0's WTAP_ERR_BAD_FILE text, on one line, plus where it happened. */
export function damagedMessage(name: string, detail: string, frameNo: number, offset: number): string {
  return `The file "${name}" appears to be damaged or corrupt (${detail}) at frame ${frameNo}, byte offset ${offset}.`;
}

/** Thrown when the file ends inside a record, block or header (`atOpen`: see cutShortAtOpenMessage). */
export function cutShort(name: string, frameNo: number, offset: number, atOpen = false): CaptureError {
  return new CaptureError(CAPTURE_ERR.TRUNCATED, atOpen ? cutShortAtOpenMessage(name) : cutShortMessage(name), { frameNo, offset });
}
