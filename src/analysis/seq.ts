/**
 * uint32 serial-number arithmetic (RFC 1982; Wireshark's GT_SEQ/LT_SEQ/…): the only place in
 * tcplab where TCP sequence numbers are compared or added (ARCHITECTURE.md principle 9).
 *
 * All inputs are unsigned 32-bit numbers (0 … 2^32-1); all results of seqAdd/seqSub are too.
 * Comparisons are valid while the two numbers are less than 2^31 apart, as on the wire.
 */

/** Signed distance b − a (int32): positive when b is after a. */
export const seqDiff = (a: number, b: number): number => (b - a) | 0;

/** a before b. */
export const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
/** a before or equal to b. */
export const seqLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0;
/** a after b. */
export const seqGt = (a: number, b: number): boolean => ((b - a) | 0) < 0;
/** a after or equal to b. */
export const seqGe = (a: number, b: number): boolean => ((b - a) | 0) <= 0;

/** a + n modulo 2^32. */
export const seqAdd = (a: number, n: number): number => (a + n) >>> 0;
/** a − b modulo 2^32 (unsigned: a relative sequence number when b is the base). */
export const seqSub = (a: number, b: number): number => (a - b) >>> 0;
