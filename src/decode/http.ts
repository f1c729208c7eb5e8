/**
 * HTTP/1.x message framing (RFC 9112 §2–§7) as Wireshark 4.0's packet-http.c and
 * req_resp_hdrs.c read it: line ends, the request/status line, the headers that decide the
 * message length, and the length of the body. Pure functions of bytes: no state, no I/O, never
 * throw on packet bytes. The stateful part (which TCP bytes form a message) is
 * analysis/http-reassembly.ts; the column text is present/http-info.ts.
 *
 *   HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
 *
 * Wireshark accepts CR, LF or CRLF as a line end ("desegment" mode: a CR as the very last byte
 * is not yet a line end, its LF may follow in the next segment).
 *
 * Ownership: every function reads `d` between the offsets it is given and keeps no reference.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Wireshark's http_type_t. */
export const HTTP_OTHERS = 0;
export const HTTP_REQUEST = 1;
export const HTTP_RESPONSE = 2;
export const HTTP_NOTIFICATION = 3;
export type HttpType = 0 | 1 | 2 | 3;

/** Desegmentation requests (packet.h DESEGMENT_ONE_MORE_SEGMENT / DESEGMENT_UNTIL_FIN). */
export const NEED_ONE_MORE_SEGMENT = -1;
export const NEED_UNTIL_FIN = -2;

/** Offset of the first CR or LF in d[start, end), or -1. */
export function findEol(d: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = d[i]!;
    if (c === CR || c === LF) return i;
  }
  return -1;
}

/** A line: its length (without the line end) and where the next line starts. */
export interface Line {
  len: number;
  next: number;
}

/**
 * tvb_find_line_end: the line starting at `start`. With `deseg`, a line without an end (or
 * ending in a CR that is the last byte) is incomplete: undefined. Without it, such a line runs
 * to `end`.
 */
export function lineAt(d: Uint8Array, start: number, end: number, deseg: boolean): Line | undefined {
  const eol = findEol(d, start, end);
  if (eol < 0) return deseg ? undefined : { len: end - start, next: end };
  let next = eol + 1;
  if (d[eol] === CR) {
    if (eol + 1 >= end) {
      if (deseg) return undefined;
    } else if (d[eol + 1] === LF) {
      next++;
    }
  }
  return { len: eol - start, next };
}

function eqAscii(d: Uint8Array, at: number, s: string): boolean {
  if (at < 0 || at + s.length > d.length) return false;
  for (let i = 0; i < s.length; i++) if (d[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

function eqAsciiNoCase(d: Uint8Array, at: number, end: number, s: string): boolean {
  if (at < 0 || at + s.length > end) return false;
  for (let i = 0; i < s.length; i++) {
    let c = d[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    let e = s.charCodeAt(i);
    if (e >= 0x41 && e <= 0x5a) e |= 0x20;
    if (c !== e) return false;
  }
  return true;
}

/**
 * dissect_http_heur_tcp: the first line of `d[start, end)` (which must end in CR or LF) starts
 * with "HTTP/1." or its last 8 bytes begin with it (case-insensitive); a line of exactly 8 bytes
 * is refused. Allocation-free: it runs on every data segment of streams no port claims.
 */
export function looksLikeHttp(d: Uint8Array, start: number, end: number): boolean {
  const eol = findEol(d, start, end);
  if (eol < 0) return false;
  const len = eol - start;
  // tshark treats a CR that ends the captured data as "no line end" (desegment mode).
  if (d[eol] === CR && eol + 1 >= end) return false;
  if (len === 8) return false;
  if (eqAsciiNoCase(d, start, end, 'HTTP/1.')) return true;
  // A negative tvb offset counts from the end of the data (linelen < 8).
  const at = len >= 8 ? start + len - 8 : end + (len - 8);
  return eqAsciiNoCase(d, at, end, 'HTTP/1.');
}

const METHODS: Record<number, readonly string[]> = {
  3: ['GET', 'PUT'],
  4: ['COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST'],
  5: ['BCOPY', 'BMOVE', 'MKCOL', 'TRACE', 'PATCH', 'LABEL', 'MERGE'],
  6: ['DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE'],
  7: ['BDELETE', 'CONNECT', 'OPTIONS', 'CHECKIN'],
  8: ['PROPFIND', 'CHECKOUT', 'CCM_POST'],
  9: ['PROPPATCH', 'BPROPFIND'],
  10: ['BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY'],
  11: ['MKWORKSPACE', 'RPC_CONNECT', 'RPC_IN_DATA'],
  12: ['RPC_OUT_DATA'],
  15: ['VERSION-CONTROL'],
  16: ['BASELINE-CONTROL', 'SSTP_DUPLEX_POST'],
};
const NOTIFY_METHODS = new Set(['NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE']);

/**
 * is_http_request_or_reply: the kind of a first line (an optional "M-" prefix, RFC 2774, is
 * skipped). Responses start with "HTTP/" or "ICY"; requests with a known method and a space.
 */
export function firstLineType(d: Uint8Array, start: number, len: number): HttpType {
  let p = start;
  let n = len;
  if (n >= 2 && d[p] === 0x4d && d[p + 1] === 0x2d) { p += 2; n -= 2; }
  if ((n >= 5 && eqAscii(d, p, 'HTTP/')) || (n >= 3 && eqAscii(d, p, 'ICY'))) return HTTP_RESPONSE;
  let sp = 0;
  while (sp < n && d[p + sp] !== 0x20) sp++;
  if (sp === 6 && eqAscii(d, p, 'NOTIFY')) return HTTP_NOTIFICATION;
  if ((sp === 9 && eqAscii(d, p, 'SUBSCRIBE')) || (sp === 11 && eqAscii(d, p, 'UNSUBSCRIBE'))) return HTTP_NOTIFICATION;
  const list = METHODS[sp];
  if (list !== undefined) for (const m of list) if (eqAscii(d, p, m)) return HTTP_REQUEST;
  return HTTP_OTHERS;
}

/** The method of a request line (after any "M-" prefix), as is_http_request_or_reply saves it. */
export function requestMethod(d: Uint8Array, start: number, len: number): string {
  let p = start;
  let n = len;
  if (n >= 2 && d[p] === 0x4d && d[p + 1] === 0x2d) { p += 2; n -= 2; }
  let sp = 0;
  while (sp < n && d[p + sp] !== 0x20) sp++;
  const m = latin1(d, p, sp);
  return NOTIFY_METHODS.has(m) || METHODS[sp]?.includes(m) ? m : '';
}

function latin1(d: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(d[start + i]!);
  return s;
}

/** get_token_len: a token runs to the next space; the next token starts after the spaces. */
function token(d: Uint8Array, p: number, end: number): { len: number; next: number } {
  let q = p;
  while (q < end && d[q] !== 0x20) q++;
  const len = q - p;
  while (q < end && d[q] === 0x20) q++;
  return { len, next: q };
}

/** The parts of a request line (basic_request_dissector); uri '' when there is none. */
export interface RequestLine {
  method: string;
  uri: string;
  version: string;
}

/** basic_request_dissector: method, URI and version of a request line. */
export function parseRequestLine(d: Uint8Array, start: number, len: number): RequestLine | undefined {
  const end = start + len;
  const m = token(d, start, end);
  if (m.len === 0) return undefined;
  let next = m.next;
  // Two spaces after the method mean an empty URI.
  if (next - start > 2 && d[next - 1] === 0x20 && d[next - 2] === 0x20) next--;
  const u = token(d, next, end);
  return { method: utf8(d, start, m.len), uri: utf8(d, next, u.len), version: utf8(d, u.next, end - u.next) };
}

/** The parts of a status line (basic_response_dissector); code -1 when it has none. */
export interface StatusLine {
  version: string;
  code: number;
  phrase: string;
}

/** basic_response_dissector: version, status code (first 3 digits, strtoul) and phrase. */
export function parseStatusLine(d: Uint8Array, start: number, len: number): StatusLine | undefined {
  const end = start + len;
  const v = token(d, start, end);
  if (v.len === 0) return undefined;
  const c = token(d, v.next, end);
  if (c.len < 3) return { version: utf8(d, start, v.len), code: -1, phrase: '' };
  let code = 0;
  let i = v.next;
  while (i < v.next + 3 && d[i]! >= 0x30 && d[i]! <= 0x39) code = code * 10 + d[i++]! - 0x30;
  return { version: utf8(d, start, v.len), code, phrase: utf8(d, c.next, end - c.next) };
}

/**
 * parse_http_status_code: the status code when the second token is exactly 3 characters that
 * parse as a number (else 0). Used to decide, before the headers, whether a response has a body.
 */
export function statusCodeOf(d: Uint8Array, start: number, len: number): number {
  const end = start + len;
  const v = token(d, start, end);
  if (v.len === 0) return 0;
  const c = token(d, v.next, end);
  if (c.len !== 3) return 0;
  const n = Number(latin1(d, v.next, 3).trim());
  return /^\s*[+-]?\d+$/.test(latin1(d, v.next, 3)) && Number.isFinite(n) ? n : 0;
}

function utf8(d: Uint8Array, start: number, len: number): string {
  return DECODER.decode(d.subarray(start, start + len));
}

const DECODER = new TextDecoder('utf-8');

/** Options of reassemblyNeed (req_resp_hdrs_do_reassembly's arguments). */
export interface NeedOptions {
  /** The transport can desegment (pinfo->can_desegment). */
  canDesegment: boolean;
  /** Look for the body length (false: headers only). */
  body: boolean;
  /** A response without length runs to the end of the connection. */
  untilFin: boolean;
  /** Chunked scanning resumes here (relative to `start`), 0 for the start; updated on return. */
  chunkOffset: { value: number };
}

const MAX_I32 = 2147483647;

/** ws_strtoi32 on a stripped string: the whole string is a (signed) decimal in int32 range. */
function strtoi32(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n > MAX_I32 || n < -MAX_I32 - 1 ? undefined : n;
}

/**
 * req_resp_hdrs_do_reassembly for the message at d[start, end): 0 when the message is complete
 * (or cannot usefully be completed), else what it needs — a byte count, NEED_ONE_MORE_SEGMENT or
 * NEED_UNTIL_FIN. `capEnd` is where the captured bytes end (≤ end: a snaplen cut).
 */
export function reassemblyNeed(d: Uint8Array, start: number, end: number, capEnd: number, o: NeedOptions): number {
  let next = start;
  let contentLength = -1;
  let contentType = '';
  let chunked = false;
  if (o.canDesegment) {
    for (;;) {
      const sav = next;
      if (end - next < 1) return NEED_ONE_MORE_SEGMENT;
      const line = lineAt(d, next, capEnd, true);
      if (line === undefined) {
        if (capEnd - next >= end - next) return NEED_ONE_MORE_SEGMENT;
        // Not captured: asking for more will not help; go on as if the headers ended.
        next = capEnd;
        break;
      }
      next = line.next;
      if (line.len === 0) break;
      if (!o.body) continue;
      const c = d[sav]! | 0x20;
      if (c !== 0x63 && c !== 0x74) continue;
      if (eqAsciiNoCase(d, sav, sav + line.len, 'Content-Length:')) {
        const v = strtoi32(latin1(d, sav + 15, line.len - 15).trim());
        if (v !== undefined && v >= 0) contentLength = v;
      } else if (eqAsciiNoCase(d, sav, sav + line.len, 'Content-Type:')) {
        let p = sav + 13;
        while (p < sav + line.len && d[p] === 0x20) p++;
        contentType = latin1(d, p, sav + line.len - p);
      } else if (eqAsciiNoCase(d, sav, sav + line.len, 'Transfer-Encoding:')) {
        let p = sav + 18;
        while (p < sav + line.len && (d[p] === 0x20 || d[p] === 0x09)) p++;
        if (eqAsciiNoCase(d, p, sav + line.len, 'chunked')) chunked = true;
      }
    }
  }
  if (!o.body) return 0;
  if (chunked) {
    if (o.chunkOffset.value !== 0) next = start + o.chunkOffset.value;
    for (;;) {
      if (end - next < 1) return NEED_ONE_MORE_SEGMENT;
      const line = lineAt(d, next, capEnd, true);
      if (line === undefined && capEnd - next >= end - next) return NEED_ONE_MORE_SEGMENT;
      const len = line ? line.len : capEnd - next;
      const chunkData = line ? line.next : capEnd;
      o.chunkOffset.value = next - start;
      let text = latin1(d, next, len);
      const semi = text.indexOf(';');
      if (semi >= 0) text = text.slice(0, semi);
      const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(text);
      if (m === null) return 0;
      const size = parseInt(m[1]!.slice(-9), 16);
      if (m[1]!.replace(/^0+/, '').length > 8 || size > 2 ** 31) return 0;
      if (size === 0) {
        const tail = lineAt(d, chunkData, capEnd, true);
        if (tail === undefined && capEnd - next >= end - next) return NEED_ONE_MORE_SEGMENT;
        return 0;
      }
      if (end - next > size) next = chunkData + size + 2;
      else return NEED_ONE_MORE_SEGMENT;
    }
  }
  if (contentLength >= 0) {
    if (contentLength >= 128 * 1024) {
      if (contentType.startsWith('application/rpc')) return 0;
      if (eqAscii(d, start, 'RPC_IN_DATA') || eqAscii(d, start, 'RPC_OUT_DATA')) return 0;
    }
    if (next + contentLength > capEnd) {
      if (capEnd < end) return 0;
      return contentLength - (capEnd - next);
    }
    return 0;
  }
  if (o.untilFin && o.canDesegment) {
    if (capEnd < end) return 0;
    return NEED_UNTIL_FIN;
  }
  return 0;
}

/** Transfer codings (headers_t.transfer_encoding). */
export const TE_NONE = 0;
export const TE_IDENTITY = 1;
export const TE_COMPRESSED = 2;
export const TE_UNKNOWN = 3;

/** What the header lines of a message say (process_header's headers_t). */
export interface HttpHeaders {
  /** Content-Type lower-cased up to ';' or white space, '' when absent. */
  contentType: string;
  /** Content-Length, -1 when absent or not a valid number. */
  contentLength: number;
  chunked: boolean;
  transferEncoding: number;
  /** Content-Encoding value ('' when absent). */
  contentEncoding: string;
  /** Upgrade value, lower-cased ('' when absent). */
  upgrade: string;
  /** Host value ('' when absent). */
  host: string;
}

/** The first line and header block of a message (dissect_http_message's line loop). */
export interface HttpHead {
  type: HttpType;
  /** Offset just past the blank line (or where the loop stopped). */
  bodyStart: number;
  headers: HttpHeaders;
  request: RequestLine | undefined;
  status: StatusLine | undefined;
  /** Offsets of the first line (without line end). */
  lineStart: number;
  lineLen: number;
}

function isTokenChar(c: number): boolean {
  if (c < 0x21 || c > 0x7e) return false;
  return '()<>@,;:\\"/[]?={}'.indexOf(String.fromCharCode(c)) < 0;
}

/**
 * The line loop of dissect_http_message over d[start, end): the first line (when it is a request
 * or response), header lines up to the blank line. Stops at a line that is none of these.
 */
export function parseHead(d: Uint8Array, start: number, end: number): HttpHead {
  const h: HttpHeaders = { contentType: '', contentLength: -1, chunked: false, transferEncoding: TE_NONE, contentEncoding: '', upgrade: '', host: '' };
  const head: HttpHead = { type: HTTP_OTHERS, bodyStart: start, headers: h, request: undefined, status: undefined, lineStart: start, lineLen: 0 };
  let off = start;
  while (off < end) {
    const line = lineAt(d, off, end, false)!;
    const t = firstLineType(d, off, line.len);
    if (t !== HTTP_OTHERS) {
      head.type = t;
      head.lineStart = off;
      head.lineLen = line.len;
      if (t === HTTP_RESPONSE) head.status = parseStatusLine(d, off, line.len);
      else head.request = parseRequestLine(d, off, line.len);
      off = line.next;
      continue;
    }
    if (line.len === 0) { off = line.next; break; }
    let colon = -1;
    for (let i = off; i < off + line.len; i++) if (d[i] === 0x3a) { colon = i; break; }
    if (colon < 0) break;
    header(d, off, colon, off + line.len, h);
    off = line.next;
  }
  head.bodyStart = off;
  return head;
}

function header(d: Uint8Array, start: number, colon: number, lineEnd: number, h: HttpHeaders): void {
  if (colon === start) return;
  for (let i = start; i < colon; i++) if (!isTokenChar(d[i]!)) return;
  const name = latin1(d, start, colon - start).toLowerCase();
  let v = colon + 1;
  while (v < lineEnd && (d[v] === 0x20 || d[v] === 0x09)) v++;
  const value = latin1(d, v, lineEnd - v);
  switch (name) {
    case 'content-type': {
      let i = 0;
      while (i < value.length && value[i] !== ';' && !/\s/.test(value[i]!)) i++;
      h.contentType = value.slice(0, i).toLowerCase();
      break;
    }
    case 'content-length': {
      const m = /^\s*([+-]?\d+)(\s.*)?$/s.exec(value);
      const n = m ? Number(m[1]) : NaN;
      h.contentLength = m && Number.isSafeInteger(n) && n >= 0 ? n : -1;
      break;
    }
    case 'content-encoding': h.contentEncoding = value; break;
    case 'transfer-encoding': transferCoding(value, h); break;
    case 'upgrade': h.upgrade = value.toLowerCase(); break;
    case 'host': h.host = value; break;
    default: break;
  }
}

/** http_parse_transfer_coding (prefix matches, case-sensitive as upstream). */
function transferCoding(value: string, h: HttpHeaders): void {
  h.transferEncoding = TE_UNKNOWN;
  let v = value;
  while (v.length > 0) {
    v = v.replace(/^[ \t,]+/, '');
    if (v.length === 0) break;
    if (v.startsWith('chunked')) { h.chunked = true; v = v.slice(7); continue; }
    if (h.transferEncoding !== TE_UNKNOWN) break;
    const m = /^(compress|deflate|gzip|identity|x-compress|x-gzip)/.exec(v);
    if (m) {
      h.transferEncoding = m[1] === 'identity' ? TE_IDENTITY : TE_COMPRESSED;
      v = v.slice(m[1]!.length);
    } else {
      const comma = v.indexOf(',');
      if (comma < 0) break;
      v = v.slice(comma);
    }
  }
}

/**
 * The de-chunked length of a chunked body at d[start, end) (chunked_encoding_dissector), and
 * where the chunked body ends; undefined when it is not complete.
 */
export function chunkedBody(d: Uint8Array, start: number, end: number): { dataLen: number; end: number } | undefined {
  let off = start;
  let total = 0;
  while (off < end) {
    const line = lineAt(d, off, end, false)!;
    let text = latin1(d, off, line.len);
    const semi = text.indexOf(';');
    if (semi >= 0) text = text.slice(0, semi);
    const m = /^\s*([0-9a-fA-F]+)/.exec(text);
    if (m === null) return undefined;
    const size = parseInt(m[1]!, 16);
    if (size === 0) {
      // Trailer lines up to the blank line.
      let p = line.next;
      while (p < end) {
        const t = lineAt(d, p, end, false)!;
        p = t.next;
        if (t.len === 0) break;
      }
      return { dataLen: total, end: p };
    }
    if (line.next + size > end) return undefined;
    total += size;
    off = line.next + size;
    const crlf = lineAt(d, off, end, false);
    off = crlf ? crlf.next : end;
  }
  return undefined;
}

/**
 * format_text: printable characters as they are, ASCII controls as C escapes (\r, \n, \t …
 * else 3-digit octal), other non-printable characters as \uXXXX; invalid UTF-8 becomes U+FFFD.
 */
export function formatText(d: Uint8Array, start: number, len: number): string {
  let ascii = true;
  for (let i = start; i < start + len; i++) {
    const c = d[i]!;
    if (c < 0x20 || c > 0x7e) { ascii = false; break; }
  }
  if (ascii) return latin1(d, start, len);
  let out = '';
  for (const ch of utf8(d, start, len)) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp < 0x80) out += ESCAPES[cp] ?? '\\' + cp.toString(8).padStart(3, '0');
    else if (/[\p{C}\p{Zl}\p{Zp}]/u.test(ch) && cp !== 0xfffd) out += cp <= 0xffff ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0');
    else out += ch;
  }
  return out;
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };
