/**
 * LabError: the one error base of tcplab (ARCHITECTURE.md §2.5).
 *
 * Every error the project raises on purpose carries a stable `code` (for code and tests) and a
 * human `message` (for people). The CLI maps codes to exit statuses in cli/ only.
 */

const BRAND = Symbol.for('tcplab.LabError');

export class LabError extends Error {
  readonly code: string;
  readonly [BRAND] = true;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
  }
}

/** True for any LabError, also one from another copy of the module. */
export function isLabError(e: unknown): e is LabError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** The `code` of a Node system error (`EADDRINUSE`, `ECONNRESET`, …), or undefined. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}
