/**
 * HTTP/1.x over TCP as tshark 4.0 dissects it in one pass: which streams are HTTP (ports, the
 * "HTTP/1." heuristic), TCP desegmentation of HTTP messages (packet-tcp.c desegment_tcp with
 * multi-segment PDUs, default preferences: no out-of-order reassembly, no checksum check) and the
 * HTTP dissector's decisions (packet-http.c dissect_http_message). Fed every frame in capture
 * order with its TCP analysis; returns, per frame, what the HTTP and TCP dissectors did to the
 * Protocol and Info columns (as operations: present/http-info.ts turns them into text) and the
 * HTTP messages dissected in the frame (for the http.* fields).
 *
 * What tshark does and this module reproduces:
 *  - A segment that starts a message whose headers or body are not complete is held back: it and
 *    every later segment of the message show "[TCP segment of a reassembled PDU]"; the segment that
 *    completes the message shows the message. Header end = blank line; body = Content-Length,
 *    chunked (to the 0-size chunk), or for responses without either, up to the FIN.
 *  - Data flagged Retransmission or Spurious Retransmission never enters reassembly (an MSP with a
 *    lost segment therefore never completes); Retransmission / Out-Of-Order data is not handed to
 *    HTTP; Keep-Alive data goes to "data". A Fast Retransmission overlapping a completed message
 *    ends in tshark's "[Reassembly error, protocol TCP: New fragment overlaps old data
 *    (retransmission?)]".
 *
 * Bounds (tshark keeps everything): at most maxStreams conversations (least recently active
 * dropped), 32 MSPs remembered per direction (oldest dropped; only incomplete ones hold bytes),
 * at most 16 MiB buffered per message and 64 MiB in all; past those, bytes are not kept (the
 * columns stay right, the body's media type may be missed).
 *
 * Sequence numbers are tshark's relative ones (TcpFrameAnalysis.relSeq).
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import {
  chunkedBody, firstLineType, formatText, HTTP_OTHERS, HTTP_REQUEST, HTTP_RESPONSE, lineAt, looksLikeHttp,
  NEED_ONE_MORE_SEGMENT, NEED_UNTIL_FIN, parseHead, reassemblyNeed, requestMethod, statusCodeOf, TE_COMPRESSED, TE_NONE,
} from '../decode/http.js';
import type { HttpType } from '../decode/http.js';
import { TA_KEEP_ALIVE, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION } from './types.js';
import type { TcpFrameAnalysis } from './types.js';
import { TCP_PORT_DISSECTOR } from './http-ports.js';
import { newPduDissector, PDU_SIGCOMP, PDU_THRIFT, pduProtocolOfPort, sigcompException, thriftHeuristic } from './app-pdus.js';
import type { PduColumnOp, PduDissector } from './app-pdus.js';
import { inflateRawSync, inflateSync, gunzipSync, brotliDecompressSync, constants as zc } from 'node:zlib';
import { TH_FIN as FIN, TH_SYN as SYN, TH_RST as RST, TH_ACK as ACK } from '../decode/tcp.js';

/**
 * One thing a dissector did to the columns, in order. present/http-info.ts replays them over
 * the TCP columns (Protocol "TCP", Info = analysis prefix + TCP text) with Wireshark's column
 * rules: `set` writes at the fence (text before it stays), `append` adds at the end, `fence`
 * moves the fence to the end, a locked Protocol column ignores `proto`.
 */
export type HttpColumnOp =
  | { op: 'proto'; name: string }
  | { op: 'protoAppend'; text: string; sep: string }
  | { op: 'lockProto' }
  | { op: 'unlockProto' }
  | { op: 'fence' }
  /** HTTP's first line (format_text of the line, then a space). */
  | { op: 'firstLine'; text: string }
  | { op: 'continuation' }
  /** " [TCP segment of a reassembled PDU]" (TCP). */
  | { op: 'segmentOfPdu' }
  /** "[Reassembly error, protocol TCP: …]" (an exception ends the frame's dissection). */
  | { op: 'reassemblyError'; message: string }
  /** "[Illegal Segments]" replaces the Info after the fence (reassembled data conflicted). */
  | { op: 'illegalSegments' }
  /** What a body dissector appended: media " (type)", image names, JSON. */
  | { op: 'body'; kind: 'media' | 'png' | 'gif' | 'jpeg' | 'json'; text: string }
  /** IPP replaces the Info ("IPP Request (Print-Job)"). */
  | { op: 'ipp'; request: boolean; code: number }
  /** TLS, SSH, BitTorrent, MQTT (analysis/app-pdus.ts). */
  | PduColumnOp;

/** One HTTP message dissected in a frame (the http.* fields). */
export interface HttpMessage {
  type: HttpType;
  /** Request: method, URI, version; '' when absent. */
  method: string;
  uri: string;
  version: string;
  /** Response: status code (-1 none) and phrase. */
  code: number;
  phrase: string;
  contentType: string;
  /** Content-Length header value, -1 when absent or invalid. */
  contentLength: number;
}

/** What the HTTP/TCP desegmentation did in one frame. */
export interface HttpFrameInfo {
  ops: HttpColumnOp[];
  messages: HttpMessage[];
}

export interface HttpTrackerOptions {
  /** Conversations tracked at once (default 100000); least recently active dropped first. */
  maxStreams?: number;
  /** Bytes buffered per incomplete message (default 16 MiB). */
  maxMessageBytes?: number;
  /** Bytes buffered in all (default 64 MiB). */
  maxTotalBytes?: number;
}

const MSPS_PER_FLOW = 32;
/** tshark creates an MSP only when the bytes from its start to the segment end are ≤ 1 MiB. */
const MSP_MAX_FIRST = 1024 * 1024;
const UNTIL_FIN_SPAN = 0x40000000;

interface Frag {
  off: number;
  len: number;
  frame: number;
  /** undefined when over the byte budget. */
  bytes: Uint8Array | undefined;
}

/** tcp_multisegment_pdu + its fragment_head. */
class Msp {
  nxtpdu: number;
  firstFrame: number;
  lastFrame: number;
  entire = false;
  frags: Frag[] = [];
  /** Reassembled length, -1 until the last fragment is known. */
  datalen = -1;
  defragmented = false;
  partial = false;
  /** Overlapping fragments with different bytes (FD_OVERLAPCONFLICT): tshark's "[Illegal Segments]". */
  conflict = false;
  reassembledIn = 0;
  /** Defragmented bytes (kept while the message may need more). */
  data: Uint8Array | undefined = undefined;
  buffered = 0;
  constructor(readonly seq: number, nxtpdu: number, frame: number) {
    this.nxtpdu = nxtpdu;
    this.firstFrame = frame;
    this.lastFrame = frame;
  }
}

class Flow {
  msps: Msp[] = [];
  untilFin = false;
  fin = 0;
  /** Chunk scanning offsets by sequence number (conv_data->chunk_offsets_*). */
  chunkOffsets = new Map<number, number>();
}

const MODE_UNDECIDED = 0;
const MODE_HTTP = 1;

class Conv {
  /** 1: HTTP claimed the conversation (heuristic); 0: per segment by ports/heuristic. */
  mode = MODE_UNDECIDED;
  serverPort = 0;
  /** "addr|port" of flows[0]. */
  key0: string;
  readonly flows: [Flow, Flow] = [new Flow(), new Flow()];
  requestUri: string | undefined = undefined;
  requestMethod: string | undefined = undefined;
  responseCode = 0;
  /** Protocol switch (101 Upgrade, 2xx CONNECT): from this frame/offset on the data is not HTTP. */
  startFrame = 0;
  startOffset = 0;
  /** A length-prefixed protocol chose by port (TLS, SSH, …) owns the conversation instead of HTTP. */
  pdu: PduDissector | undefined = undefined;
  /** The port that chose it (segments from it come from the server). */
  pduPort = 0;
  constructor(key0: string) {
    this.key0 = key0;
  }
}

/** Result of one call of the HTTP dissector on a buffer. */
interface DissectResult {
  /** pinfo->desegment_offset / desegment_len (0 len: nothing more needed). */
  desegOffset: number;
  desegLen: number;
}

class ReassemblyError extends Error {}

/**
 * The port whose registration picks the dissector (decode_tcp_ports: server port, then the low
 * port, then the high one), or 0 when none of them has one.
 */
function ownerPort(server: number, a: number, b: number): number {
  if (server !== 0 && TCP_PORT_DISSECTOR[server]! !== 0) return server;
  const low = a < b ? a : b;
  const high = a < b ? b : a;
  if (low !== 0 && TCP_PORT_DISSECTOR[low]! !== 0) return low;
  if (high !== 0 && TCP_PORT_DISSECTOR[high]! !== 0) return high;
  return 0;
}

/** Which dissector a segment goes to: 'http', 'other' (a port-registered one) or 'none'. */
function portChoice(server: number, a: number, b: number): number {
  if (server !== 0) {
    const t = TCP_PORT_DISSECTOR[server]!;
    if (t !== 0) return t;
  }
  const low = a < b ? a : b;
  const high = a < b ? b : a;
  if (low !== 0) {
    const t = TCP_PORT_DISSECTOR[low]!;
    if (t !== 0) return t;
  }
  if (high !== 0) return TCP_PORT_DISSECTOR[high]!;
  return 0;
}

/** The source address of the segment as a key part (its direction within the conversation). */
function srcKey(record: CaptureRecord, pkt: DecodedPacket): string {
  if (pkt.ip4 !== undefined) return String(pkt.ip4.src);
  if (pkt.ip6 !== undefined) {
    const o = pkt.ip6.srcOffset;
    let s = '';
    for (let i = 0; i < 16; i++) s += (record.data[o + i] ?? 0).toString(16);
    return s;
  }
  return '';
}

export class HttpTracker {
  private readonly convs = new Map<number, Conv>();
  private readonly maxStreams: number;
  private readonly maxMessageBytes: number;
  private readonly maxTotalBytes: number;
  private totalBytes = 0;
  /** The frame being processed and its output. */
  private ops: HttpColumnOp[] = [];
  private messages: HttpMessage[] = [];
  private frame = 0;

  constructor(opts: HttpTrackerOptions = {}) {
    this.maxStreams = opts.maxStreams ?? 100_000;
    this.maxMessageBytes = opts.maxMessageBytes ?? 16 * 1024 * 1024;
    this.maxTotalBytes = opts.maxTotalBytes ?? 64 * 1024 * 1024;
  }

  /** Conversations currently tracked. */
  get trackedStreams(): number {
    return this.convs.size;
  }

  /**
   * Feeds one frame (capture order) with its TCP analysis. Returns undefined when HTTP and TCP
   * desegmentation left the frame's columns alone (the common case: no allocation).
   */
  push(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined): HttpFrameInfo | undefined {
    const t = pkt.tcp;
    if (t === undefined || a === undefined || !a.lenKnown || a.bogusHeader || a.optionsCut) return undefined;
    let conv = this.convs.get(a.stream);
    if (conv === undefined) {
      // Streams that a non-HTTP port dissector owns never reach HTTP: no state for them. Streams
      // no port claims get state only when the HTTP heuristic could claim a segment.
      const server = (t.flags & (SYN | ACK)) === SYN ? t.dstPort : (t.flags & (SYN | ACK)) === (SYN | ACK) ? t.srcPort : 0;
      const owner = ownerPort(server, t.srcPort, t.dstPort);
      const choice = owner === 0 ? 0 : TCP_PORT_DISSECTOR[owner]!;
      let pduProto = choice === 2 ? pduProtocolOfPort(owner) : 0;
      if (choice === 2 && pduProto === 0) return undefined;
      // SigComp decides from each segment's first bytes alone: no state (port 6666 is tcplab's own,
      // and every echo conversation would otherwise pay for desegmentation state it never uses).
      if (pduProto === PDU_SIGCOMP) return this.sigcomp(record, pkt, a);
      // No port: the HTTP heuristic, else the Thrift one (tried again on every buffer later).
      if (choice === 0 && !this.mayClaim(record, pkt, a)) {
        if (!this.mayClaimThrift(record, pkt, a)) return undefined;
        pduProto = PDU_THRIFT;
      }
      conv = new Conv(srcKey(record, pkt) + '|' + t.srcPort);
      if (pduProto !== 0) {
        conv.pdu = newPduDissector(pduProto);
        conv.pduPort = owner;
      }
      if (this.convs.size >= this.maxStreams) this.evict();
      this.convs.set(a.stream, conv);
    } else {
      this.convs.delete(a.stream);
      this.convs.set(a.stream, conv);
    }
    if ((t.flags & SYN) !== 0) conv.serverPort = (t.flags & ACK) !== 0 ? t.srcPort : t.dstPort;

    this.ops = [];
    this.messages = [];
    this.frame = record.frameNo;
    const dir = srcKey(record, pkt) + '|' + t.srcPort === conv.key0 ? 0 : 1;
    const flow = conv.flows[dir];
    // tshark desegments only a segment it has whole (not snaplen-cut, not in an ICMP error).
    const canDeseg = t.capturedLen === t.len;
    try {
      this.segment(conv, flow, record, pkt, a, canDeseg);
    } catch (e) {
      if (!(e instanceof ReassemblyError)) throw e;
      this.ops.push({ op: 'reassemblyError', message: e.message });
    }
    if (this.ops.length === 0 && this.messages.length === 0) return undefined;
    return { ops: this.ops, messages: this.messages };
  }

  /** Whether this segment could be claimed by the HTTP heuristic (for undecided streams). */
  private mayClaim(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis): boolean {
    const t = pkt.tcp!;
    if (t.capturedLen === 0 || (a.flags & (TA_KEEP_ALIVE | TA_RETRANSMISSION | TA_OUT_OF_ORDER)) !== 0) return false;
    return looksLikeHttp(record.data, t.payloadOffset, t.payloadOffset + t.capturedLen);
  }

  /**
   * A segment of a SigComp port (analysis/app-pdus.ts): dissected when the desegmentation engine
   * would hand it to the port's dissector (segment, callDissector: not a keep-alive,
   * retransmission or out-of-order segment, nor a spurious retransmission it could desegment).
   */
  private sigcomp(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis): HttpFrameInfo | undefined {
    const t = pkt.tcp!;
    if (t.capturedLen === 0 || (t.flags & RST) !== 0) return undefined;
    if ((a.flags & (TA_KEEP_ALIVE | TA_RETRANSMISSION | TA_OUT_OF_ORDER)) !== 0) return undefined;
    if (t.capturedLen === t.len && (a.flags & TA_SPURIOUS_RETRANSMISSION) !== 0) return undefined;
    const start = t.payloadOffset;
    const op = sigcompException(record.data, start, start + t.len, start + t.capturedLen);
    return op === undefined ? undefined : { ops: [op], messages: [] };
  }

  /** Whether the Thrift heuristic could take this segment (for streams no port claims). */
  private mayClaimThrift(record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis): boolean {
    const t = pkt.tcp!;
    if (t.capturedLen === 0 || (a.flags & (TA_KEEP_ALIVE | TA_RETRANSMISSION | TA_OUT_OF_ORDER)) !== 0) return false;
    return thriftHeuristic(record.data, t.payloadOffset, t.payloadOffset + t.capturedLen, t.payloadOffset + t.len);
  }

  private evict(): void {
    const first = this.convs.entries().next();
    if (first.done === true) return;
    const [k, c] = first.value;
    for (const f of c.flows) for (const m of f.msps) this.release(m);
    this.convs.delete(k);
  }

  private release(m: Msp): void {
    this.totalBytes -= m.buffered;
    m.buffered = 0;
    m.frags = [];
    m.data = undefined;
  }

  /** dissect_tcp from the FIN check on (desegment_tcp and the REASSEMBLE_UNTIL_FIN path). */
  private segment(conv: Conv, flow: Flow, record: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis, canDeseg: boolean): void {
    const t = pkt.tcp!;
    const d = record.data;
    const syn = (t.flags & SYN) !== 0 ? 1 : 0;
    let seq = (a.relSeq + syn) >>> 0;
    const nxtseq = (a.relSeq + syn + t.len) >>> 0;
    // A FIN ends a message that runs "until FIN".
    if ((t.flags & FIN) !== 0 && canDeseg && flow.untilFin && (flow.fin === 0 || flow.fin === this.frame)) {
      flow.fin = this.frame;
      const msp = this.lookupLe(flow, (a.relSeq - 1) >>> 0);
      if (msp !== undefined) {
        const done = this.fragmentAdd(msp, (a.relSeq - msp.seq) >>> 0, d, t.payloadOffset, t.len, false);
        if (done && msp.reassembledIn === this.frame) {
          this.callDissector(conv, flow, msp.data!, 0, msp.data!.length, msp.data!.length, false, true, msp.seq, pkt, a);
          this.release(msp);
          return;
        }
      }
    }
    if (t.capturedLen === 0 || (t.flags & RST) !== 0) return;
    if (!canDeseg) {
      this.callDissector(conv, flow, d, t.payloadOffset, t.payloadOffset + t.len, t.payloadOffset + t.capturedLen, false, (t.flags & FIN) !== 0, seq, pkt, a);
      return;
    }
    let offset = t.payloadOffset;
    const end = t.payloadOffset + t.len;
    let firstPdu = true;
    for (;;) {
      let msp = this.lookup(flow, seq);
      let mustDesegment = false;
      let calledDissector = false;
      let anotherPduFollows = 0;
      let desegOffset = offset;
      let desegLen = 0;
      let desegOffsetRel = 0;
      let complete: Msp | undefined;
      let lastFragmentLen = 0;
      if (msp !== undefined && nxtseq <= msp.nxtpdu && msp.lastFrame !== this.frame) {
        // A retransmission of the first segment of a known PDU: nothing is dissected.
        return;
      }
      if ((a.flags & TA_SPURIOUS_RETRANSMISSION) !== 0 || (a.flags & TA_RETRANSMISSION) !== 0) return;
      msp ??= this.lookupLe(flow, (seq - 1) >>> 0);
      if (msp !== undefined && msp.seq <= seq && seq < msp.nxtpdu) {
        msp.lastFrame = this.frame;
        const len = msp.entire ? end - offset : Math.min(nxtseq - seq, msp.nxtpdu - seq);
        lastFragmentLen = len;
        const done = this.fragmentAdd(msp, seq - msp.seq, d, offset, len, nxtseq < msp.nxtpdu);
        if (done && msp.entire) {
          msp.entire = false;
          if (msp.nxtpdu < nxtseq) msp.nxtpdu = nxtseq;
        }
        if (done) complete = msp;
        if (msp.nxtpdu < nxtseq && msp.nxtpdu >= seq && len > 0) anotherPduFollows = msp.nxtpdu - seq;
      } else {
        const r = this.callDissector(conv, flow, d, offset, end, end, true, (t.flags & FIN) !== 0, seq, pkt, a);
        calledDissector = true;
        if (r.desegLen !== 0) {
          mustDesegment = true;
          desegOffset = offset + r.desegOffset;
          desegOffsetRel = r.desegOffset;
          desegLen = r.desegLen;
        }
      }
      if (complete !== undefined && complete.reassembledIn === this.frame) {
        const m = complete;
        const data = m.data!;
        const r = this.callDissector(conv, flow, data, 0, data.length, data.length, true, (t.flags & FIN) !== 0, m.seq, pkt, a);
        calledDissector = true;
        desegLen = r.desegLen;
        desegOffsetRel = r.desegOffset;
        if (r.desegLen !== 0) {
          let cur = m;
          if (r.desegOffset === 0 || m.seq + r.desegOffset <= seq) {
            m.partial = true;
          } else {
            cur = this.splitMsp(flow, m, r.desegOffset);
          }
          if (r.desegLen === NEED_ONE_MORE_SEGMENT) {
            cur.nxtpdu = Math.max(seq + (end - offset), cur.nxtpdu) + 1;
            cur.entire = true;
          } else if (r.desegLen === NEED_UNTIL_FIN) {
            flow.untilFin = true;
            cur.nxtpdu = cur.seq + UNTIL_FIN_SPAN;
          } else if (seq + lastFragmentLen >= cur.nxtpdu) {
            cur.nxtpdu = seq + lastFragmentLen + r.desegLen;
          } else {
            cur.nxtpdu += r.desegLen;
          }
          anotherPduFollows = 0;
          offset += lastFragmentLen;
          seq += lastFragmentLen;
          if (offset < end) continue;
        } else {
          // print_tcp_fragment_tree → show_fragment_errs_in_col.
          if (m.conflict) this.ops.push({ op: 'illegalSegments' });
          this.release(m);
        }
      }
      if (mustDesegment) {
        const desegSeq = seq + (desegOffset - offset);
        if (desegLen === NEED_UNTIL_FIN) flow.untilFin = true;
        if (nxtseq - desegSeq <= MSP_MAX_FIRST) {
          const nxtpdu = desegLen === NEED_ONE_MORE_SEGMENT ? nxtseq + 1 : desegLen === NEED_UNTIL_FIN ? nxtseq + UNTIL_FIN_SPAN : nxtseq + desegLen;
          const m = this.store(flow, desegSeq, nxtpdu);
          if (desegLen === NEED_ONE_MORE_SEGMENT) m.entire = true;
          this.fragmentAdd(m, 0, d, desegOffset, nxtseq - desegSeq, nxtseq < m.nxtpdu);
        }
      }
      if (!calledDissector || desegLen !== 0) {
        if (desegOffsetRel === 0) {
          this.ops.push({ op: 'proto', name: 'TCP' });
          if (firstPdu) this.ops.push({ op: 'segmentOfPdu' });
        }
      }
      if (anotherPduFollows > 0) {
        this.ops.push({ op: 'fence' }, { op: 'lockProto' });
        firstPdu = false;
        offset += anotherPduFollows;
        seq += anotherPduFollows;
        continue;
      }
      if (!firstPdu) this.ops.push({ op: 'unlockProto' });
      return;
    }
  }

  /** wmem_tree_lookup32: the MSP starting exactly at seq. */
  private lookup(flow: Flow, seq: number): Msp | undefined {
    const l = flow.msps;
    for (let i = l.length - 1; i >= 0; i--) if (l[i]!.seq === seq) return l[i];
    return undefined;
  }

  /** wmem_tree_lookup32_le: the MSP with the greatest start ≤ seq (unsigned, as the tree). */
  private lookupLe(flow: Flow, seq: number): Msp | undefined {
    let best: Msp | undefined;
    for (const m of flow.msps) if (m.seq <= seq && (best === undefined || m.seq > best.seq)) best = m;
    return best;
  }

  /** pdu_store_sequencenumber_of_next_pdu. */
  private store(flow: Flow, seq: number, nxtpdu: number): Msp {
    const m = new Msp(seq, nxtpdu, this.frame);
    const l = flow.msps;
    for (let i = 0; i < l.length; i++) {
      if (l[i]!.seq === seq) {
        this.release(l[i]!);
        l.splice(i, 1);
        break;
      }
    }
    l.push(m);
    if (l.length > MSPS_PER_FLOW) this.release(l.shift()!);
    return m;
  }

  /** split_msp: the bytes of a reassembled MSP from `at` on become a new MSP. */
  private splitMsp(flow: Flow, m: Msp, at: number): Msp {
    const data = m.data!;
    let first = 0;
    for (const f of m.frags) if (f.off + f.len >= at && (first === 0 || f.frame < first)) first = f.frame;
    const n = this.store(flow, m.seq + at, m.seq + at + 1);
    n.firstFrame = first || this.frame;
    n.nxtpdu = m.nxtpdu;
    const rest = data.subarray(at, Math.max(at, m.datalen));
    this.keep(n, { off: 0, len: rest.length, frame: this.frame, bytes: undefined }, rest, 0);
    m.nxtpdu = m.seq + at;
    this.release(m);
    return n;
  }

  private keep(m: Msp, f: Frag, d: Uint8Array, off: number): void {
    if (m.buffered + f.len <= this.maxMessageBytes && this.totalBytes + f.len <= this.maxTotalBytes) {
      f.bytes = d.slice(off, off + f.len);
      m.buffered += f.len;
      this.totalBytes += f.len;
    }
    const l = m.frags;
    let i = l.length;
    while (i > 0 && l[i - 1]!.off > f.off) i--;
    l.splice(i, 0, f);
  }

  /**
   * fragment_add: adds d[off, off+len) at `fragOff` of the MSP; true when the MSP is (or was
   * already) reassembled. Throws ReassemblyError where tshark does.
   */
  private fragmentAdd(m: Msp, fragOff: number, d: Uint8Array, off: number, len: number, more: boolean): boolean {
    if (m.defragmented) {
      if (fragOff + len >= m.datalen && m.partial) {
        // fragment_reset_defragmentation: the fragments become pieces of the reassembled data.
        const data = m.data!;
        for (const f of m.frags) if (f.bytes === undefined && f.off < data.length) f.bytes = data.subarray(f.off, Math.min(data.length, f.off + f.len));
        m.defragmented = false;
        m.partial = false;
        m.datalen = -1;
        m.reassembledIn = 0;
        m.data = undefined;
      } else {
        throw new ReassemblyError(fragOff >= m.datalen && fragOff + len >= m.datalen ? 'New fragment past old data limits' : 'New fragment overlaps old data (retransmission?)');
      }
    }
    if (!more && m.datalen < 0) m.datalen = fragOff + len;
    this.keep(m, { off: fragOff, len, frame: this.frame, bytes: undefined }, d, off);
    if (m.datalen < 0) return false;
    let max = 0;
    for (const f of m.frags) if (f.off <= max && f.off + f.len > max) max = f.off + f.len;
    if (max < m.datalen) return false;
    const data = new Uint8Array(m.datalen);
    let pos = 0;
    for (const f of m.frags) {
      if (f.off >= m.datalen || f.bytes === undefined) continue;
      const fl = Math.min(f.len, m.datalen - f.off);
      if (f.off < pos && !m.conflict) {
        const n = Math.min(fl, pos - f.off);
        for (let i = 0; i < n; i++) if (data[f.off + i] !== f.bytes[i]) { m.conflict = true; break; }
      }
      if (f.off + fl > pos) {
        const skip = pos - f.off;
        data.set(f.bytes.subarray(skip > 0 ? skip : 0, fl), f.off + (skip > 0 ? skip : 0));
        pos = f.off + fl;
      }
    }
    for (const f of m.frags) f.bytes = undefined;
    this.totalBytes -= m.buffered;
    m.buffered = 0;
    m.data = data;
    m.defragmented = true;
    m.reassembledIn = this.frame;
    return true;
  }

  /**
   * decode_tcp_ports + dissect_http_tcp on d[start, end) (captured up to capEnd): returns the
   * desegmentation request relative to `start`.
   */
  private callDissector(
    conv: Conv, flow: Flow, d: Uint8Array, start: number, end: number, capEnd: number, canDeseg: boolean, eos: boolean,
    seq: number, pkt: DecodedPacket, a: TcpFrameAnalysis,
  ): DissectResult {
    const none: DissectResult = { desegOffset: 0, desegLen: 0 };
    if ((a.flags & TA_KEEP_ALIVE) !== 0) return none;
    if ((a.flags & (TA_RETRANSMISSION | TA_OUT_OF_ORDER)) !== 0) return none;
    const t = pkt.tcp!;
    if (conv.pdu !== undefined) {
      return conv.pdu.dissect({ d, start, end, capEnd, canDeseg, fromServer: t.srcPort === conv.pduPort, frame: this.frame, ops: this.ops });
    }
    if (conv.mode !== MODE_HTTP) {
      const choice = portChoice(conv.serverPort, t.srcPort, t.dstPort);
      if (choice === 2) return none;
      if (choice === 0) {
        if (!looksLikeHttp(d, start, capEnd)) return none;
        conv.mode = MODE_HTTP;
      }
    }
    return this.onStream(conv, flow, d, start, end, capEnd, canDeseg, eos, seq, t.dstPort === 631 || t.srcPort === 631 ? 631 : 0, t.dstPort);
  }

  /** dissect_http_on_stream: messages one after another; the first one owns the columns. */
  private onStream(
    conv: Conv, flow: Flow, d: Uint8Array, start: number, end: number, capEnd: number, canDeseg: boolean, eos: boolean,
    seq: number, ippPort: number, dstPort: number,
  ): DissectResult {
    let off = start;
    const r: DissectResult = { desegOffset: 0, desegLen: 0 };
    while (end - off > 0) {
      if (conv.startFrame !== 0 && (this.frame > conv.startFrame || (this.frame === conv.startFrame && off - start >= conv.startOffset))) break;
      const len = this.message(conv, flow, d, off, end, capEnd, canDeseg, eos, off === start ? seq : -1, ippPort, dstPort, r, start);
      if (len < 0) break;
      off += len;
      this.ops.push({ op: 'fence' });
    }
    return r;
  }

  /** dissect_http_message: one message at d[start…]; its length, or -1 (need more / not HTTP). */
  private message(
    conv: Conv, flow: Flow, d: Uint8Array, orig: number, end: number, capEnd: number, canDeseg: boolean, eos: boolean,
    seq: number, ippPort: number, dstPort: number, r: DissectResult, base: number,
  ): number {
    if (end - orig < 1) return -1;
    const chunk = { value: seq >= 0 ? flow.chunkOffsets.get(seq) ?? 0 : 0 };
    let off = orig;
    if (end - off > 3 && d[off] === 0x0d && d[off + 1] === 0x0a) off += 2;
    const haveSeen = conv.requestUri !== undefined;
    const c0 = d[off] ?? 0;
    if (c0 < 0x20 || c0 > 0x7e) {
      if (haveSeen) this.ops.push({ op: 'proto', name: 'HTTP' }, { op: 'continuation' });
      return -1;
    }
    const desegment = (need: number): number => {
      r.desegOffset = off - base;
      r.desegLen = need;
      if (seq >= 0 && chunk.value !== 0) flow.chunkOffsets.set(seq, chunk.value);
      if (flow.chunkOffsets.size > 64) flow.chunkOffsets.delete(flow.chunkOffsets.keys().next().value as number);
      return -1;
    };
    const first = lineAt(d, off, capEnd, true);
    if (first === undefined) {
      const need = reassemblyNeed(d, off, end, capEnd, { canDesegment: canDeseg, body: true, untilFin: false, chunkOffset: chunk });
      if (need !== 0) return desegment(need);
    }
    // Without a complete first line (bytes not captured) it is no request or response.
    const type = first === undefined ? HTTP_OTHERS : firstLineType(d, off, first.len);
    if (type !== HTTP_OTHERS) {
      const firstLen = first!.len;
      this.ops.push({ op: 'firstLine', text: formatText(d, off, firstLen) });
      let tryBody = !eos;
      if (tryBody && type === HTTP_RESPONSE) {
        const code = statusCodeOf(d, off, firstLen);
        const m = conv.requestMethod;
        if (m === 'HEAD' || (Math.trunc(code / 100) === 2 && (m === 'CONNECT' || m === 'SSTP_DUPLEX_POST'))
          || Math.trunc(code / 100) === 1 || code === 204 || code === 304) tryBody = false;
      }
      const need = reassemblyNeed(d, off, end, capEnd, { canDesegment: canDeseg, body: tryBody, untilFin: type === HTTP_RESPONSE, chunkOffset: chunk });
      if (need !== 0) return desegment(need);
    } else if (haveSeen) {
      this.ops.push({ op: 'continuation' });
    }
    if (type !== HTTP_OTHERS || haveSeen) this.ops.push({ op: 'proto', name: 'HTTP' });

    const head = parseHead(d, off, capEnd);
    const h = head.headers;
    if (head.type === HTTP_REQUEST || (head.type !== HTTP_RESPONSE && head.type !== HTTP_OTHERS)) {
      const rq = head.request;
      conv.requestMethod = requestMethod(d, head.lineStart, head.lineLen) || conv.requestMethod;
      if (rq !== undefined) conv.requestUri = rq.uri;
    } else if (head.type === HTTP_RESPONSE && head.status !== undefined && head.status.code >= 0) {
      conv.responseCode = head.status.code;
    }
    if (head.type !== HTTP_OTHERS) {
      this.messages.push({
        type: head.type,
        method: head.request?.method ?? '',
        uri: head.request?.uri ?? '',
        version: head.request?.version ?? head.status?.version ?? '',
        code: head.status?.code ?? -1,
        phrase: head.status?.phrase ?? '',
        contentType: h.contentType,
        contentLength: h.contentLength,
      });
    }
    let bodyStart = head.bodyStart;
    let datalen = capEnd - bodyStart;
    const responseCode = head.type === HTTP_RESPONSE ? head.status?.code ?? 0 : 0;
    if (h.contentLength >= 0 && h.transferEncoding === TE_NONE && !h.chunked) {
      if (datalen > h.contentLength) datalen = h.contentLength;
    } else if (head.type === HTTP_REQUEST) {
      if (h.transferEncoding === TE_NONE && !h.chunked) datalen = 0;
    } else if (head.type === HTTP_RESPONSE) {
      if (Math.trunc(responseCode / 100) === 1 || responseCode === 204 || responseCode === 304) datalen = 0;
    }
    if (datalen > 0) {
      let body = d.subarray(bodyStart, bodyStart + datalen);
      let dissect = true;
      if (h.chunked) {
        const ch = chunkedBody(d, bodyStart, bodyStart + datalen);
        const consumed = ch === undefined ? chunkedConsumed(d, bodyStart, bodyStart + datalen) : ch.end - bodyStart;
        if (consumed === 0) dissect = false;
        else {
          body = dechunk(d, bodyStart, bodyStart + consumed);
          datalen = consumed;
          if (body.length === 0) dissect = false;
        }
      }
      if (dissect && h.transferEncoding === TE_COMPRESSED) dissect = false;
      if (dissect && h.contentEncoding !== '' && h.contentEncoding.toLowerCase() !== 'identity') {
        const u = uncompress(h.contentEncoding.toLowerCase(), body);
        if (u === undefined) dissect = false;
        else body = u;
      }
      if (dissect && body.length > 0) this.body(h.contentType, body, head.type, ippPort, dstPort);
      bodyStart += datalen;
    }
    if (conv.requestMethod !== undefined && head.type === HTTP_RESPONSE && r.desegLen === 0) {
      if ((h.upgrade !== '' && conv.responseCode === 101) || (conv.requestMethod === 'SSTP_DUPLEX_POST' && conv.responseCode === 200)) {
        conv.startFrame = this.frame;
        conv.startOffset = bodyStart - base;
      }
    }
    return bodyStart - orig;
  }

  /** The media-type dissectors tshark 4.0 has for an HTTP body (what they put in the columns). */
  private body(contentType: string, body: Uint8Array, type: HttpType, ippPort: number, dstPort: number): void {
    const handler = contentType === '' ? '' : mediaHandler(contentType);
    if (handler === 'ipp' || (handler === '' && ippPort === 631)) {
      if (body.length >= 8) {
        const code = ((body[2] ?? 0) << 8) | (body[3] ?? 0);
        const request = type === HTTP_REQUEST ? true : type === HTTP_RESPONSE ? false : dstPort === 631;
        this.ops.push({ op: 'proto', name: 'IPP' }, { op: 'ipp', request, code });
        return;
      }
    }
    switch (handler) {
      case 'png':
        if (body.length >= 20 && eq(body, 0, [137, 80, 78, 71, 13, 10, 26, 10])) return this.emit({ op: 'body', kind: 'png', text: 'PNG' });
        break;
      case 'gif':
        if (body.length >= 20 && (ascii(body, 0, 6) === 'GIF87a' || ascii(body, 0, 6) === 'GIF89a')) return this.emit({ op: 'body', kind: 'gif', text: ascii(body, 0, 6) });
        break;
      case 'jpeg':
        if (body.length >= 20 && body[0] === 0xff && body[1] === 0xd8 && (ascii(body, 6, 5) === 'Exif\0' || ascii(body, 6, 5) === 'JFIF\0')) {
          return this.emit({ op: 'body', kind: 'jpeg', text: 'JPEG JFIF image' });
        }
        break;
      case 'json':
        if (validJson(body)) {
          this.ops.push({ op: 'protoAppend', text: 'JSON', sep: '/' });
          return this.emit({ op: 'body', kind: 'json', text: contentType });
        }
        break;
      case 'xml':
        this.ops.push({ op: 'protoAppend', text: '/XML', sep: '' });
        return;
      case 'text':
        if (body.length > 38 && ascii(body, 0, 5).toLowerCase() === '<?xml') {
          this.ops.push({ op: 'protoAppend', text: '/XML', sep: '' });
          return;
        }
        break;
      default:
        break;
    }
    // No dissector (or it refused): the media dissector names the type; without a type, data.
    if (contentType !== '') this.emit({ op: 'body', kind: 'media', text: contentType });
  }

  private emit(op: HttpColumnOp): void {
    this.ops.push(op);
  }
}

function eq(b: Uint8Array, at: number, bytes: readonly number[]): boolean {
  for (let i = 0; i < bytes.length; i++) if (b[at + i] !== bytes[i]) return false;
  return true;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = at; i < at + n && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** A chunk-size line at `off` (extensions ignored, strtol semantics): its size and data start. */
function chunkLine(d: Uint8Array, off: number, end: number): { size: number; data: number } | undefined {
  const line = lineAt(d, off, end, true);
  if (line === undefined || line.len <= 0) return undefined;
  const text = String.fromCharCode(...d.subarray(off, off + Math.min(line.len, 16))).split(';')[0]!;
  const size = parseInt(text, 16);
  return { size: Number.isNaN(size) ? 0 : size, data: line.next };
}

/** Bytes chunked_encoding_dissector consumes from an incomplete chunked body. */
function chunkedConsumed(d: Uint8Array, start: number, end: number): number {
  let off = start;
  while (off < end) {
    const c = chunkLine(d, off, end);
    if (c === undefined) break;
    const size = Math.min(c.size, end - off);
    off = c.data + size;
    if (size === 0) break;
    off += 2;
  }
  return Math.min(off, end) - start;
}

/** The chunk data of a chunked body, concatenated. */
function dechunk(d: Uint8Array, start: number, end: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let off = start;
  while (off < end) {
    const c = chunkLine(d, off, end);
    if (c === undefined) break;
    const size = Math.min(c.size, end - c.data);
    if (size <= 0) break;
    parts.push(d.subarray(c.data, c.data + size));
    off = c.data + size + 2;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** tvb_child_uncompress / _brotli: the decompressed body, undefined when nothing came out. */
function uncompress(enc: string, body: Uint8Array): Uint8Array | undefined {
  const flush = { finishFlush: zc.Z_SYNC_FLUSH };
  try {
    let out: Uint8Array;
    if (enc === 'gzip' || enc === 'x-gzip') out = gunzipSync(body, flush);
    else if (enc === 'deflate' || enc === 'x-deflate') {
      try { out = inflateSync(body, flush); } catch { out = inflateRawSync(body, flush); }
    } else if (enc === 'br') out = brotliDecompressSync(body);
    else return undefined;
    return out.length > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}

function validJson(body: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder().decode(body));
    return true;
  } catch {
    return false;
  }
}

/** The media_type dissector table entries whose dissectors change the columns. */
function mediaHandler(t: string): string {
  if (t === 'application/ipp') return 'ipp';
  if (t === 'image/png') return 'png';
  if (t === 'image/gif') return 'gif';
  if (t === 'image/jfif' || t === 'image/jpg' || t === 'image/jpeg') return 'jpeg';
  if (JSON_TYPES.has(t)) return 'json';
  if (XML_TYPES.has(t)) return 'xml';
  if (TEXT_TYPES.has(t)) return 'text';
  return '';
}

const JSON_TYPES = new Set([
  'application/json', 'application/senml+json', 'application/sensml+json', 'application/json-rpc', 'application/jsonrequest',
  'application/dds-web+json', 'application/vnd.oma.lwm2m+json', 'application/problem+json', 'application/merge-patch+json',
  'application/json-patch+json', 'application/x-ndjson',
]);

/** packet-xml.c default_media_types (a subset: the generic XML ones). */
const XML_TYPES = new Set([
  'text/xml', 'application/xml', 'application/xml-dtd', 'application/soap+xml', 'application/atom+xml', 'application/rss+xml',
  'application/rdf+xml', 'application/xslt+xml', 'image/svg+xml', 'application/mathml+xml', 'text/vnd.wap.wml',
  'application/pidf+xml', 'application/xpidf+xml', 'application/reginfo+xml', 'application/resource-lists+xml',
]);

/** packet-text-media.c types (which hand "<?xml" bodies to XML). */
const TEXT_TYPES = new Set([
  'text/plain', 'text/richtext', 'text/enriched', 'text/parameters', 'text/html', 'text/xml-external-parsed-entity', 'text/css',
  'application/xml-external-parsed-entity', 'text/javascript', 'application/x-javascript',
]);
