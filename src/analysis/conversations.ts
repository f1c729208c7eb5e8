/**
 * Per-stream conversation statistics (tshark's `-z conv,tcp` tap, spec §14.2): one row per
 * tcp.stream (port reuse ⇒ separate rows with the same endpoints). A is the source of the first
 * packet of the stream that reached the tap; "a→b" counts A's frames, "b→a" the other side's;
 * bytes are frame lengths on the wire. Frames inside ICMP errors, with a bogus data offset or
 * cut in the options never reach tshark's tap and are not counted.
 *
 * Memory grows with the number of streams (one small row each): this is a whole-capture report.
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import { formatIPv4, formatIPv6 } from '../util/addr.js';
import type { Endpoint } from './reassembly.js';
import type { TcpFrameAnalysis } from './types.js';

export interface TcpConversation {
  stream: number;
  a: Endpoint;
  b: Endpoint;
  framesAB: number;
  bytesAB: number;
  framesBA: number;
  bytesBA: number;
  /** Time of the first and last frame, relative to the first frame of the capture: whole seconds + ns. */
  startSec: number;
  startNsec: number;
  lastSec: number;
  lastNsec: number;
}

function endpoints(record: CaptureRecord, pkt: DecodedPacket): [Endpoint, Endpoint] | undefined {
  const t = pkt.tcp;
  if (t === undefined) return undefined;
  const v6 = pkt.ip6 !== undefined && (pkt.ip4 === undefined || pkt.layers.lastIndexOf('ipv6') > pkt.layers.lastIndexOf('ip'));
  if (v6 && pkt.ip6) {
    return [{ addr: formatIPv6(record.data, pkt.ip6.srcOffset), port: t.srcPort }, { addr: formatIPv6(record.data, pkt.ip6.dstOffset), port: t.dstPort }];
  }
  if (pkt.ip4) return [{ addr: formatIPv4(pkt.ip4.src), port: t.srcPort }, { addr: formatIPv4(pkt.ip4.dst), port: t.dstPort }];
  return undefined;
}

/** Collects the rows; feed every frame in capture order (the first one sets time zero). */
export class TcpConversationTable {
  private readonly rows = new Map<number, TcpConversation>();
  private t0Sec = 0;
  private t0Nsec = 0;
  private started = false;

  add(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined): void {
    if (!this.started) {
      this.started = true;
      this.t0Sec = record.ts.sec;
      this.t0Nsec = record.ts.nsec;
    }
    if (a === undefined || pkt.tcp === undefined || a.bogusHeader || a.optionsCut) return;
    const ep = endpoints(record, pkt);
    if (ep === undefined) return;
    let sec = record.ts.sec - this.t0Sec;
    let nsec = record.ts.nsec - this.t0Nsec;
    if (nsec < 0) { sec -= 1; nsec += 1_000_000_000; }
    let row = this.rows.get(a.stream);
    if (row === undefined) {
      row = { stream: a.stream, a: ep[0], b: ep[1], framesAB: 0, bytesAB: 0, framesBA: 0, bytesBA: 0, startSec: sec, startNsec: nsec, lastSec: sec, lastNsec: nsec };
      this.rows.set(a.stream, row);
    }
    if (ep[0].addr === row.a.addr && ep[0].port === row.a.port) {
      row.framesAB++;
      row.bytesAB += record.origLen;
    } else {
      row.framesBA++;
      row.bytesBA += record.origLen;
    }
    row.lastSec = sec;
    row.lastNsec = nsec;
  }

  /** Rows by total frames, most first; equal totals keep first-appearance order. */
  sorted(): TcpConversation[] {
    return [...this.rows.values()].sort((x, y) => (y.framesAB + y.framesBA) - (x.framesAB + x.framesBA));
  }
}
