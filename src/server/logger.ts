/**
 * The server's logger: pino, writing one line per event to a file descriptor (stdout by default)
 * through sonic-boom in sync mode, so a slow log reader slows logging, never grows memory.
 *
 *   json  pino's own lines: {"level":"info","time":"2026-11-24T16:30:00.123Z","pid":…,"msg":…,…}
 *   text  one readable line per event: "2026-11-24T16:30:00.123Z INFO Accepted new connection from …"
 *         (pino builds the JSON line, this module's destination re-renders it; the messages carry
 *         every fact, so nothing is lost in text form).
 *
 * Write errors on the log stream (EPIPE when the reader went away) are ignored: the echo server
 * goes on serving without its log rather than dying with it.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface LoggerOptions {
  level: LevelWithSilent;
  format: LogFormat;
  /** File descriptor to write to (default 1, stdout). */
  fd?: number;
  /** Extra fields on every JSON line (e.g. { worker: 2 }); not shown in text lines. */
  bindings?: Record<string, unknown>;
}

/** "2026-11-24T16:30:00.123Z INFO message" (plus " err=…" when an error object was logged). */
export function renderTextLine(jsonLine: string): string {
  let o: { time?: unknown; level?: unknown; msg?: unknown; err?: { message?: unknown } };
  try {
    o = JSON.parse(jsonLine) as typeof o;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  const time = typeof o.time === 'string' ? o.time : new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString();
  const level = typeof o.level === 'string' ? o.level.toUpperCase() : String(o.level);
  const err = o.err && typeof o.err.message === 'string' ? ` (${o.err.message})` : '';
  return `${time} ${level} ${String(o.msg ?? '')}${err}\n`;
}

/** Creates the logger; see the file header for the two formats. */
export function createLogger(opts: LoggerOptions): Logger {
  const sonic = pino.destination({ dest: opts.fd ?? 1, sync: true });
  sonic.on('error', () => { /* see header: a dead log reader does not stop the server */ });
  const dest: DestinationStream = opts.format === 'json'
    ? sonic
    : { write: (line: string) => { sonic.write(renderTextLine(line)); } };
  return pino({
    level: opts.level,
    base: opts.format === 'json' ? { pid: process.pid, ...opts.bindings } : null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, dest);
}

/**
 * A read as the seed server logged it ("Read new data from connection [104 105 10]") plus a
 * printable form in Go's %q style: "hi\n". Used only with --log-data.
 */
export function formatDataDump(chunk: Uint8Array): string {
  let list = '[';
  let text = '"';
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (i > 0) list += ' ';
    list += b;
    text += PRINTABLE[b];
  }
  return `${list}] ${text}"`;
}

/** Printable form of each byte value (Go %q style for ASCII; \xNN for the rest). */
const PRINTABLE: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  switch (b) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x09: return '\\t';
    case 0x0a: return '\\n';
    case 0x0b: return '\\v';
    case 0x0c: return '\\f';
    case 0x0d: return '\\r';
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    default: return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
});
