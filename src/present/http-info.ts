/**
 * Protocol and Info columns of a frame that HTTP (or TCP desegmentation for HTTP) touched, as
 * tshark 4.0 prints them: replays the column operations analysis/http-reassembly.ts recorded
 * over the TCP columns with Wireshark's column rules (epan/column-utils.c):
 *  - the TCP analysis prefix ("[TCP Retransmission] ") is fenced: text set later starts after it;
 *  - `set` (col_add_fstr / col_set_str) writes at the fence, `append` adds at the end with its
 *    separator, `fence` (col_set_fence) moves the fence to the end of the text;
 *  - while TCP has locked the Protocol column (a second PDU in the segment), it does not change.
 *
 * Text as tshark: "GET /path HTTP/1.1 " (format_text of the line, a space), "Continuation",
 * " [TCP segment of a reassembled PDU]", media " (text/html)", " (PNG)", " (GIF89a)",
 * " (JPEG JFIF image)", ", JavaScript Object Notation (application/json)", "IPP Request (…)".
 */
import type { HttpColumnOp, HttpFrameInfo } from '../analysis/http-reassembly.js';
import { pduItemText } from './pdu-info.js';

/**
 * Applies `app`'s operations to the TCP columns: returns [protocol, info]. The Info buffer holds
 * the analysis prefix too (fenced, as col_prepend_fence_fstr leaves it): separators are added
 * when the whole buffer is non-empty, as col_append_sep_str does.
 */
export function httpColumns(app: HttpFrameInfo, tcpProto: string, prefix: string, tcpText: string): [string, string] {
  let proto = tcpProto;
  let locked = false;
  let info = prefix + tcpText;
  let fence = prefix.length;
  for (const o of app.ops) {
    switch (o.op) {
      case 'proto': if (!locked) proto = o.name; break;
      case 'protoAppend': if (!locked) proto += (proto !== '' ? o.sep : '') + o.text; break;
      case 'lockProto': locked = true; break;
      case 'unlockProto': locked = false; break;
      case 'fence': fence = info.length; break;
      case 'clear': info = info.slice(0, fence); break;
      case 'setItem': info = info.slice(0, fence) + pduItemText(o.item); break;
      case 'appendItem': info += (info !== '' ? o.sep : '') + pduItemText(o.item); break;
      case 'prependItem': { const t = pduItemText(o.item); info = t + info; if (fence > 0) fence += t.length; break; }
      default: info = apply(o, info, fence); break;
    }
  }
  return [proto, info];
}

/** What tshark appends to Info when an exception ends a frame's dissection (show_exception). */
export function exceptionText(kind: 'malformed' | 'limited'): string {
  return kind === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
}

function apply(o: HttpColumnOp, info: string, fence: number): string {
  switch (o.op) {
    case 'firstLine': return info.slice(0, fence) + o.text + ' ';
    case 'continuation': return info.slice(0, fence) + 'Continuation';
    case 'segmentOfPdu': return info + (info !== '' ? ' ' : '') + '[TCP segment of a reassembled PDU]';
    case 'illegalSegments': return info.slice(0, fence) + '[Illegal Segments]';
    case 'reassemblyError': return info + `[Reassembly error, protocol TCP: ${o.message}]`;
    case 'exception': return info + exceptionText(o.kind);
    case 'ipp': return info.slice(0, fence) + `IPP ${o.request ? 'Request' : 'Response'} (${ippName(o.request, o.code)})`;
    case 'body':
      return o.kind === 'json' ? info + (info !== '' ? ', ' : '') + `JavaScript Object Notation (${o.text})` : info + ` (${o.text})`;
    default: return info;
  }
}

/** IPP operation-id / status-code names (RFC 8011 §5.4.15, §B; packet-ipp.c value strings). */
const IPP_OPERATIONS: Record<number, string> = {
  0x02: 'Print-Job', 0x03: 'Print-URI', 0x04: 'Validate-Job', 0x05: 'Create-Job', 0x06: 'Send-Document', 0x07: 'Send-URI',
  0x08: 'Cancel-Job', 0x09: 'Get-Job-Attributes', 0x0a: 'Get-Jobs', 0x0b: 'Get-Printer-Attributes', 0x0c: 'Hold-Job',
  0x0d: 'Release-Job', 0x0e: 'Restart-Job', 0x10: 'Pause-Printer', 0x11: 'Resume-Printer', 0x12: 'Purge-Jobs',
  0x13: 'Set-Printer-Attributes', 0x14: 'Set-Job-Attributes', 0x15: 'Get-Printer-Supported-Values',
  0x16: 'Create-Printer-Subscriptions', 0x17: 'Create-Job-Subscriptions', 0x18: 'Get-Subscription-Attributes',
  0x19: 'Get-Subscriptions', 0x1a: 'Renew-Subscription', 0x1b: 'Cancel-Subscription', 0x1c: 'Get-Notifications',
  0x22: 'Enable-Printer', 0x23: 'Disable-Printer',
};
const IPP_STATUS: Record<number, string> = {
  0x0000: 'successful-ok', 0x0001: 'successful-ok-ignored-or-substituted-attributes', 0x0002: 'successful-ok-conflicting-attributes',
  0x0003: 'successful-ok-ignored-subscriptions', 0x0005: 'successful-ok-too-many-events', 0x0007: 'successful-ok-events-complete',
  0x0400: 'client-error-bad-request', 0x0401: 'client-error-forbidden', 0x0402: 'client-error-not-authenticated',
  0x0403: 'client-error-not-authorized', 0x0404: 'client-error-not-possible', 0x0405: 'client-error-timeout',
  0x0406: 'client-error-not-found', 0x0407: 'client-error-gone', 0x0408: 'client-error-request-entity-too-large',
  0x0409: 'client-error-request-value-too-long', 0x040a: 'client-error-document-format-not-supported',
  0x040b: 'client-error-attributes-or-values-not-supported', 0x040c: 'client-error-uri-scheme-not-supported',
  0x040d: 'client-error-charset-not-supported', 0x040e: 'client-error-conflicting-attributes',
  0x0500: 'server-error-internal-error', 0x0501: 'server-error-operation-not-supported', 0x0502: 'server-error-service-unavailable',
  0x0503: 'server-error-version-not-supported', 0x0504: 'server-error-device-error', 0x0505: 'server-error-temporary-error',
  0x0506: 'server-error-not-accepting-jobs', 0x0507: 'server-error-busy', 0x0508: 'server-error-job-canceled',
};

function ippName(request: boolean, code: number): string {
  return (request ? IPP_OPERATIONS[code] : IPP_STATUS[code]) ?? `0x${code.toString(16).padStart(4, '0')}`;
}
