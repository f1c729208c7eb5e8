/**
 * The shared-memory ring between `tcplab read`'s main thread (producer: decode, analysis, filter,
 * summary records) and its output thread (consumer: renders the records as text and writes stdout).
 * Shared by cli/read-pipe.ts and cli/read-pipe-worker.ts; no imports, so the worker starts fast.
 *
 * Layout of the SharedArrayBuffer: RING_BYTES of records, then the control words (Int32).
 * HEAD and TAIL are byte counters that only grow (mod 2^32); a record's position is counter & MASK.
 * Records are 8-byte aligned and never wrap: a REC_WRAP marker sends the reader to position 0.
 * Record header: u16 length (summary records) | u8 kind | …; raw records carry a u32 byte length
 * at +4 and the bytes at +8.
 */
export const RING_BYTES = 1 << 23;

/** Files smaller than this print on the main thread (a thread costs ~30 ms to start). */
export const PIPE_MIN_BYTES = 4 << 20;
export const MASK = RING_BYTES - 1;

/** Kinds (byte 2 of a record). REC_SUMMARY (1) is present/summary-bytes.ts's. */
export const REC_RAW = 2;
export const REC_WRAP = 3;
export const RAW_HEAD = 8;

/** Control words (Int32 indexes). */
export const C_HEAD = 0; //       bytes published by the producer
export const C_TAIL = 1; //       bytes released by the consumer
export const C_SYNC = 2; //       producer: "write out everything published so far", a counter
export const C_SYNC_ACK = 3; //   consumer: the last C_SYNC it has fully written
export const C_DONE = 4; //       producer: no more records
export const C_W_WAIT = 5; //     consumer is (about to be) asleep on C_HEAD
export const C_P_WAIT = 6; //     producer is (about to be) asleep on C_TAIL or C_SYNC_ACK
export const C_ERR = 7; //        consumer failed: ERR_EPIPE or ERR_WRITE (message in the text area)
export const C_ERR_LEN = 8; //    length of the error message
export const C_SLEEP = 9; //      never written: a word to sleep on
export const CTL_WORDS = 16;
export const ERR_TEXT_BYTES = 512;

export const ERR_EPIPE = 1;
export const ERR_WRITE = 2;

export const SAB_BYTES = RING_BYTES + CTL_WORDS * 4 + ERR_TEXT_BYTES;

/** Views of one ring. */
export interface RingViews {
  ring: Uint8Array;
  view: DataView;
  ctl: Int32Array;
  errText: Uint8Array;
}

export function ringViews(sab: SharedArrayBuffer): RingViews {
  return {
    ring: new Uint8Array(sab, 0, RING_BYTES),
    view: new DataView(sab, 0, RING_BYTES),
    ctl: new Int32Array(sab, RING_BYTES, CTL_WORDS),
    errText: new Uint8Array(sab, RING_BYTES + CTL_WORDS * 4, ERR_TEXT_BYTES),
  };
}
