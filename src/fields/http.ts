/**
 * http.* fields (a subset of Wireshark 4.0's packet-http.c hf table): present on the frame where
 * an HTTP message was dissected (the segment that completes it), one value per message.
 * Rows as `tshark -G fields` lists them.
 */
import type { FieldDef, FieldValue, Frame } from './field.js';
import type { HttpMessage } from '../analysis/http-reassembly.js';
import { bool, field, NO_VALUES, present, proto } from './define.js';

const REQUEST = 1;
const RESPONSE = 2;

function each(f: Frame, pick: (m: HttpMessage) => FieldValue | undefined): readonly FieldValue[] {
  const ms = f.app?.messages;
  if (ms === undefined || ms.length === 0) return NO_VALUES;
  const out: FieldValue[] = [];
  for (const m of ms) {
    const v = pick(m);
    if (v !== undefined) out.push(v);
  }
  return out;
}

const isHttp = (f: Frame): boolean => (f.app?.messages.length ?? 0) > 0 || (f.app?.ops.some((o) => o.op === 'continuation') ?? false);

export const HTTP_FIELDS: readonly FieldDef[] = [
  proto('http', 'Hypertext Transfer Protocol', (f) => present(isHttp(f))),
  bool('http.response', 'Response', 0, 0x0, 'TRUE if HTTP response', (f) => each(f, (m) => (m.type === RESPONSE ? true : undefined))),
  bool('http.request', 'Request', 0, 0x0, 'TRUE if HTTP request', (f) => each(f, (m) => (m.type === REQUEST ? true : undefined))),
  field('http.request.method', 'Request Method', 'FT_STRING', 'BASE_NONE', 0x0, 'HTTP Request Method', (f) => each(f, (m) => (m.type !== RESPONSE && m.method !== '' ? m.method : undefined))),
  field('http.request.uri', 'Request URI', 'FT_STRING', 'BASE_NONE', 0x0, 'HTTP Request-URI', (f) => each(f, (m) => (m.type !== RESPONSE && m.method !== '' ? m.uri : undefined))),
  field('http.request.version', 'Request Version', 'FT_STRING', 'BASE_NONE', 0x0, 'HTTP Request HTTP-Version', (f) => each(f, (m) => (m.type !== RESPONSE && m.method !== '' ? m.version : undefined))),
  field('http.response.version', 'Response Version', 'FT_STRING', 'BASE_NONE', 0x0, 'HTTP Response HTTP-Version', (f) => each(f, (m) => (m.type === RESPONSE && m.version !== '' ? m.version : undefined))),
  field('http.response.code', 'Status Code', 'FT_UINT16', 'BASE_DEC', 0x0, 'HTTP Response Status Code', (f) => each(f, (m) => (m.type === RESPONSE && m.code >= 0 ? m.code : undefined))),
  field('http.response.phrase', 'Response Phrase', 'FT_STRING', 'BASE_NONE', 0x0, 'HTTP Response Reason Phrase', (f) => each(f, (m) => (m.type === RESPONSE && m.phrase !== '' ? m.phrase : undefined))),
];
