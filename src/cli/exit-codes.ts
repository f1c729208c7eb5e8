/**
 * Exit statuses of every tcplab command (documented in README.md):
 *  0  success
 *  1  runtime failure (port in use, peer closed early, echo mismatch, capture tool failed,
 *     stdout cannot be written: ENOSPC)
 *  2  bad input or usage (unknown flag, broken filter, damaged capture, command not built yet);
 *     tshark and dftest use 2 for the same.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
