/**
 * `-z expert` for TCP (spec §10.2, §14.1): the TCP expert items of each frame, in the order tshark
 * adds them, and the summary table tshark prints (ui/cli/tap-expert.c layout).
 *
 * Covered per frame: ACK field set without the ACK flag; SYN / SYN+ACK / FIN / RST items with the
 * FIN closing role; urgent pointer without URG; option items (MSS on a non-SYN, window-scale shift
 * over 14, D-SACK, SYN without MSS); every sequence-analysis flag. Not covered: TFO, MPTCP,
 * malformed-option length items, and other protocols' items (IP, application dissectors), which
 * the detail tree owner can add to the same ExpertSummary.
 * Pure: no I/O.
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import type { TcpFrameAnalysis } from '../analysis/types.js';
import {
  TA_ACK_LOST_SEGMENT, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK,
  TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION,
  TA_WINDOW_FULL, TA_WINDOW_UPDATE, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK,
} from '../analysis/types.js';
import {
  TH_FIN as FIN, TH_SYN as SYN, TH_RST as RST, TH_ACK as ACK, TH_URG as URG,
  SHORT_SEGMENT_TEXT, tcpPortsCut, tcpReadFixed, tcpReadSane, tcpShortSegment,
} from '../decode/tcp.js';

export type ExpertSeverity = 'error' | 'warn' | 'note' | 'chat' | 'comment';

export interface ExpertItem {
  severity: ExpertSeverity;
  /** Expert group as tshark names it: Sequence, Protocol, Malformed … */
  group: string;
  protocol: string;
  summary: string;
}

const seq = (severity: ExpertSeverity, summary: string): ExpertItem => ({ severity, group: 'Sequence', protocol: 'TCP', summary });
/** The expert item of an exception that ended a dissection (show_exception), for `protocol`. */
export function malformedItem(protocol: string): ExpertItem {
  return { severity: 'error', group: 'Malformed', protocol, summary: 'Malformed Packet (Exception occurred)' };
}
const MALFORMED: ExpertItem = Object.freeze(malformedItem('TCP'));
const SHORT_SEGMENT: ExpertItem = Object.freeze({ severity: 'warn', group: 'Malformed', protocol: 'TCP', summary: SHORT_SEGMENT_TEXT });
const proto = (severity: ExpertSeverity, summary: string): ExpertItem => ({ severity, group: 'Protocol', protocol: 'TCP', summary });

const RETRANS = 'This frame is a (suspected) retransmission';

/** Options with a fixed length (MSS, WS, SACK_PERM, Echo, Echo reply, Timestamps). */
const OPTION_LENGTH = new Map<number, number>([[2, 4], [3, 3], [4, 2], [6, 6], [7, 6], [8, 10]]);

/** A TFO cookie: kind 34 longer than 2, or the RFC 6994 experimental form with ExID 0xF989. */
function isTfoCookie(record: CaptureRecord, kind: number, off: number, len: number): boolean {
  if (kind === 34) return len > 2;
  if (kind !== 253 && kind !== 254) return false;
  const exid = ((record.data[off + 2] ?? 0) << 8) | (record.data[off + 3] ?? 0);
  return exid === 0xf989 && len > 4;
}

/** The analysis items, in tshark's printing order (§10.1), with their summaries (§10.2). */
function analysisItems(a: TcpFrameAnalysis, out: ExpertItem[]): void {
  const f = a.flags;
  if ((f & TA_REUSED_PORTS) !== 0) out.push(seq('note', 'A new tcp session is started with the same ports as an earlier session in this trace'));
  if ((f & TA_RETRANSMISSION) !== 0) out.push(seq('note', RETRANS));
  if ((f & TA_FAST_RETRANSMISSION) !== 0) out.push(seq('note', 'This frame is a (suspected) fast retransmission'), seq('note', RETRANS));
  if ((f & TA_SPURIOUS_RETRANSMISSION) !== 0) out.push(seq('note', 'This frame is a (suspected) spurious retransmission'), seq('note', RETRANS));
  if ((f & TA_OUT_OF_ORDER) !== 0) out.push(seq('warn', 'This frame is a (suspected) out-of-order segment'));
  if ((f & TA_LOST_SEGMENT) !== 0) out.push(seq('warn', 'Previous segment(s) not captured (common at capture start)'));
  if ((f & TA_ACK_LOST_SEGMENT) !== 0) out.push(seq('warn', 'ACKed segment that wasn\'t captured (common at capture start)'));
  if ((f & TA_WINDOW_UPDATE) !== 0) out.push(seq('chat', 'TCP window update'));
  if ((f & TA_WINDOW_FULL) !== 0) out.push(seq('warn', 'TCP window specified by the receiver is now completely full'));
  if ((f & TA_KEEP_ALIVE) !== 0) out.push(seq('note', 'TCP keep-alive segment'));
  if ((f & TA_KEEP_ALIVE_ACK) !== 0) out.push(seq('note', 'ACK to a TCP keep-alive segment'));
  if (a.dupAckNum !== 0 && (f & TA_DUPLICATE_ACK) !== 0) out.push(seq('note', `Duplicate ACK (#${a.dupAckNum})`));
  if ((f & TA_ZERO_WINDOW_PROBE) !== 0) out.push(seq('note', 'TCP Zero Window Probe'));
  if ((f & TA_ZERO_WINDOW) !== 0) out.push(seq('warn', 'TCP Zero Window segment'));
  if ((f & TA_ZERO_WINDOW_PROBE_ACK) !== 0) out.push(seq('note', 'ACK to a TCP Zero Window Probe'));
}

/** The TCP expert items of one frame, in the order tshark adds them. */
export function tcpExpertItems(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined): ExpertItem[] {
  const t = pkt.tcp;
  const out: ExpertItem[] = [];
  // A header cut before the window (or before the ports) throws at once: past the segment's
  // reported end that is tshark's "Malformed Packet" error; a snaplen cut adds no expert item.
  if (t === undefined || !tcpReadFixed(t)) {
    if ((t !== undefined || tcpPortsCut(pkt)) && !pkt.truncated) out.push(MALFORMED);
    return out;
  }
  if (a === undefined) return out;
  const flags = t.flags;
  if ((flags & ACK) === 0 && t.ack !== 0) out.push(proto('note', 'The acknowledgment number field is nonzero while the ACK flag is not set'));
  if (a.bogusHeader) return out;
  if (tcpShortSegment(pkt)) out.push(SHORT_SEGMENT);
  if ((flags & SYN) !== 0) {
    out.push(seq('chat', (flags & ACK) !== 0
      ? `Connection establish acknowledge (SYN+ACK): server port ${t.srcPort}`
      : `Connection establish request (SYN): server port ${t.dstPort}`));
  }
  if ((flags & FIN) !== 0) {
    out.push(seq('chat', 'Connection finish (FIN)'));
    out.push(seq('note', a.finInitiates ? 'This frame initiates the connection closing' : 'This frame undergoes the connection closing'));
  }
  if ((flags & RST) !== 0) out.push(seq('warn', 'Connection reset (RST)'));
  // Cut before the checksum or urgent pointer: the dissection ends there.
  if (!tcpReadSane(t, 20)) {
    if (!pkt.truncated) out.push(MALFORMED);
    return out;
  }
  if ((flags & URG) === 0 && t.urgent !== 0 && t.hdrAvailable >= 20) {
    out.push(proto('note', 'The urgent pointer field is nonzero while the URG flag is not set'));
  }
  if (t.hdrLen > 20) {
    let mss = false;
    let sackSeen = false;
    const pureSyn = (flags & (SYN | ACK)) === SYN;
    for (const o of t.options) {
      const want = OPTION_LENGTH.get(o.kind);
      if (want !== undefined && o.length !== want) {
        // A wrong length is reported and the option is not interpreted further.
        out.push(seq('note', `option length should be ${want}`));
        continue;
      }
      if (o.kind === 2) {
        mss = true;
        if ((flags & SYN) === 0) out.push(proto('warn', 'The non-SYN packet does contain a MSS option'));
      } else if (o.kind === 3 && (record.data[o.offset + 2] ?? 0) > 14) {
        out.push(proto('warn', 'Window scale shift exceeds 14'));
      } else if (o.kind === 5 && !sackSeen) {
        sackSeen = true;
        if (a.dsack) out.push(seq('warn', 'D-SACK Sequence'));
      } else if (pureSyn && isTfoCookie(record, o.kind, o.offset, o.length)) {
        out.push(seq('note', 'TCP SYN with TFO Cookie'));
      }
    }
    if (a.optionsCut) {
      // Past the reported length (not a snaplen cut): tshark's "Malformed Packet" item.
      if (!pkt.truncated) out.push(MALFORMED);
      return out;
    }
    if ((flags & SYN) !== 0 && !mss) out.push(proto('note', 'The SYN packet does not contain a MSS option'));
  }
  if (a.hasRecord) analysisItems(a, out);
  return out;
}

interface Entry {
  group: string;
  protocol: string;
  summary: string;
  frequency: number;
}

const LEVELS: readonly [ExpertSeverity, string][] = [['error', 'Errors'], ['warn', 'Warns'], ['note', 'Notes'], ['chat', 'Chats'], ['comment', 'Comments']];

/** Aggregates items by (protocol, summary) per severity, in order of first appearance. */
export class ExpertSummary {
  private readonly bySeverity = new Map<ExpertSeverity, Map<string, Entry>>();

  add(item: ExpertItem): void {
    let m = this.bySeverity.get(item.severity);
    if (m === undefined) this.bySeverity.set(item.severity, (m = new Map()));
    const key = item.protocol + '\0' + item.summary;
    const e = m.get(key);
    if (e !== undefined) e.frequency++;
    else m.set(key, { group: item.group, protocol: item.protocol, summary: item.summary, frequency: 1 });
  }

  /**
   * tshark -q -z expert[,level] text: sections Errors, Warns, Notes, Chats, Comments (those with
   * items, at or above `lowest`), each "\n<Label> (<total>)\n=============\n" + heading + rows.
   */
  format(lowest: ExpertSeverity = 'comment'): string {
    let s = '';
    const stop = LEVELS.findIndex(([sev]) => sev === lowest);
    for (let i = 0; i <= stop; i++) {
      const [sev, label] = LEVELS[i]!;
      const m = this.bySeverity.get(sev);
      if (m === undefined || m.size === 0) continue;
      let total = 0;
      for (const e of m.values()) total += e.frequency;
      s += `\n${label} (${total})\n=============\n   Frequency      Group           Protocol  Summary\n`;
      for (const e of m.values()) {
        s += `${String(e.frequency).padStart(12)} ${e.group.padStart(10)} ${e.protocol.padStart(18)}  ${e.summary}\n`;
      }
    }
    return s;
  }
}
