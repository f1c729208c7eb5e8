/**
 * FrameStore: what the web UI keeps of a capture (file, upload or live), and every view it serves.
 *
 * Per frame it retains the record (bytes copied), the memoised TCP analysis and the frame times,
 * not as objects but in typed-array columns (frame-columns.ts, packed.ts): kept as objects they
 * were ~1 KB of heap per frame that every GC of an ingest copied (a 300k-frame file spent about
 * half its ingest in GC, with pauses up to 150 ms). frame(no) rebuilds a Frame on demand, its
 * decoded packet and analysis put back only for the duration of a view's or filter's call. Views
 * (list rows, detail tree, hex, flow graph, follow, Stevens graph) re-decode the few frames they
 * show, as Wireshark does; the TCP analyzer never runs again (ARCHITECTURE.md §3 principle 8).
 * Frames the pipeline knows facts about by identity (FIN roles, ICMP echo requests, shown by the
 * tree) are kept as the Session's own objects.
 *
 * Display filters run here, server-side: one pass per filter text over the frames not yet
 * scanned, cached as a list of matching indices (live captures extend it incrementally). A request
 * scans for at most SCAN_SLICE_MS and answers with the matches so far; the rest is scanned in
 * background slices (the server stays responsive; a first pass over 300k frames takes ~0.3-0.6 s),
 * and listeners are told as the count grows.
 *
 * Memory is bounded by `maxFrames`: past it the oldest tenth is dropped and `dropped` counts them
 * (a notice in the page says so). Frame numbers stay the capture's own.
 */
import type { Frame } from '../fields/field.js';
import type { DecodedPacket } from '../decode/packet.js';
import { PacketDecoder } from '../decode/decoder.js';
import { LINKTYPE_ETHERNET } from '../wire/linktype.js';
import { parseFilter, type CompiledFilter, type FilterError } from '../filter/index.js';
import { buildTree, type TreeNode } from '../fields/tree.js';
import type { TcpFrameAnalysis } from '../analysis/types.js';
import { RowPacker } from './packed.js';
import { FrameColumns } from './frame-columns.js';
import { echoRequestOf, finRoleOf } from '../pipeline/session.js';
import { addressColumns } from '../present/columns.js';
import { protocolAndInfo } from '../present/info.js';
import { formatSeconds } from '../util/time.js';
import {
  TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK, TA_WINDOW_UPDATE,
} from '../analysis/types.js';


/** Longest (ms) a request spends bringing a filter up to date; the rest is scanned in the background. */
const SCAN_SLICE_MS = 10;

/** Backlogs up to this many frames are scanned at once (a few ms; small captures and live increments stay exact at once). */
const SCAN_SYNC_FRAMES = 16384;

/** Longest (ms) of one background filter-scan slice before the event loop gets a turn. */
const SCAN_BACKGROUND_MS = 5;
const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04;

/** One packet-list row, as the API sends it. */
export interface Row {
  no: number;
  time: string;
  src: string;
  dst: string;
  proto: string;
  len: number;
  info: string;
  /** Wireshark default colouring rule that matched: 'bad' | 'rst' | 'synfin' | 'tcp' | 'udp' | 'icmp' | ''. */
  color: string;
}

/** One detail-tree node, as the API sends it (hidden items left out, as -V). */
export interface TreeItem {
  label: string;
  abbrev?: string;
  generated?: boolean;
  /** Bytes of the frame this item covers, for the hex pane. */
  span?: [number, number];
  children?: TreeItem[];
}

export interface StoreOptions {
  /**
   * Frames retained at most (default 1,500,000: measured on 301k loopback frames, most with
   * analysis facts, the store held 180 MB of typed arrays and slabs (~0.6 KB per frame, bytes
   * included) and ~0.1 KB of heap per frame; ~0.9 GB at the cap).
   * The oldest tenth goes when it is reached.
   */
  maxFrames?: number;
}

interface FilterCache {
  filter: CompiledFilter;
  /** Frame numbers that pass, ascending. */
  matches: number[];
  /** Frame number up to which (inclusive) the store was scanned. */
  scannedTo: number;
}

/** Wireshark's "Bad TCP" rule: tcp.analysis.flags && !window_update && !keep_alive && !keep_alive_ack. */
const NOT_BAD = TA_WINDOW_UPDATE | TA_KEEP_ALIVE | TA_KEEP_ALIVE_ACK;

export class FrameStore {
  /** The retained frames, in columns (frame-columns.ts); column i is frame number dropped + i + 1. */
  private readonly cols = new FrameColumns();
  /**
   * Frames kept as the Session's own objects: the pipeline knows some facts by Frame identity
   * (FIN roles, ICMP echo requests: -V shows them), and a frame from another capture info.
   */
  private readonly kept = new Map<number, Frame>();
  /** Frames dropped from the front (the cap). */
  dropped = 0;
  /** Set when ingest ended on damage (the good frames before it stay). */
  error: string | undefined;
  /** True once the source is exhausted (files) or stopped (live). */
  done = false;
  readonly maxFrames: number;
  private readonly decoder = new PacketDecoder();
  private readonly empty: DecodedPacket;
  private readonly filters = new Map<string, FilterCache>();
  /** tcp.stream → frame numbers, for the flow graph, follow and Stevens graph. */
  private readonly streams = new Map<number, number[]>();
  /** Listeners told when frames arrive (live updates). */
  private readonly listeners = new Set<() => void>();
  /** The frames' TCP analysis, by frame number (Frame.tcp is undefined while stored). */
  private readonly tcpRows = new RowPacker();
  private scanPending = false;
  private closed = false;

  constructor(readonly name: string, opts: StoreOptions = {}) {
    this.maxFrames = opts.maxFrames ?? 1_500_000;
    this.empty = this.decoder.decodeBytes(LINKTYPE_ETHERNET, new Uint8Array(0), 0);
  }

  /** Frames captured so far (including dropped ones): Wireshark's "Packets:". */
  get total(): number {
    return this.dropped + this.cols.length;
  }

  /** Number of the first retained frame. */
  get firstNo(): number {
    return this.dropped + 1;
  }

  /** Retains one frame from the Session (frames numbered 1, 2, … in order): bytes copied, decode released. */
  add(frame: Frame): void {
    const no = frame.record.frameNo;
    // Kept as the object: frames the pipeline knows facts about by identity, and frames with
    // application-layer results (HTTP messages, PDU column text, a dissector's exception), which
    // the columns do not hold: filters such as http.request or _ws.malformed read them.
    const keep = finRoleOf(frame) !== undefined || echoRequestOf(frame) !== undefined || frame.app !== undefined || !this.cols.fits(frame);
    this.cols.push(frame);
    if (keep) {
      frame.record = { ...frame.record, data: this.cols.bytes(this.cols.length - 1) };
      frame.pkt = this.empty;
      this.kept.set(no, frame);
    }
    const a = frame.tcp;
    if (a !== undefined) {
      let l = this.streams.get(a.stream);
      if (l === undefined) this.streams.set(a.stream, (l = []));
      l.push(no);
      this.tcpRows.pack(no, a);
      if (keep) frame.tcp = undefined;
    }
    if (this.cols.length > this.maxFrames) this.trim();
  }

  private trim(): void {
    const n = Math.max(1, Math.floor(this.maxFrames / 10));
    this.dropped += n;
    const first = this.firstNo;
    this.cols.shift(n, first);
    for (const k of this.kept.keys()) if (k < first) this.kept.delete(k);
    this.tcpRows.drop(first);
    for (const c of this.filters.values()) {
      const k = lowerBound(c.matches, first);
      if (k > 0) c.matches.splice(0, k);
    }
    for (const [s, l] of this.streams) {
      const k = lowerBound(l, first);
      if (k === l.length) this.streams.delete(s);
      else if (k > 0) l.splice(0, k);
    }
  }

  /** Tells listeners that frames arrived (call after a batch of add()). */
  notify(): void {
    for (const l of this.listeners) l();
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The retained frame with this number (rebuilt: a new object, without its decode and analysis), or undefined. */
  frame(no: number): Frame | undefined {
    const i = no - this.firstNo;
    if (i < 0 || i >= this.cols.length || !Number.isInteger(i)) return undefined;
    return this.kept.get(no) ?? this.cols.frame(i, no, this.empty);
  }

  /** Runs `fn` with the frame decoded and its analysis unpacked (for the call only). */
  private withDecoded<T>(f: Frame, fn: (f: Frame) => T): T {
    f.pkt = this.decoder.decode(f.record);
    f.tcp = this.tcpRows.unpack<TcpFrameAnalysis>(f.record.frameNo);
    try {
      return fn(f);
    } finally {
      f.pkt = this.empty;
      f.tcp = undefined;
    }
  }

  /** The TCP analysis of a retained frame (unpacked: a new object each call). */
  analysis(no: number): TcpFrameAnalysis | undefined {
    return this.tcpRows.unpack<TcpFrameAnalysis>(no);
  }

  /** Compiles a filter (cached by text); errors carry spans for the filter bar. */
  compile(text: string): { ok: true } | { ok: false; errors: FilterError[] } {
    if (text.trim() === '' || this.filters.has(text)) return { ok: true };
    const r = parseFilter(text);
    if (!r.ok) return { ok: false, errors: r.errors };
    if (this.filters.size >= 16) this.filters.delete(this.filters.keys().next().value as string);
    this.filters.set(text, { filter: r.filter, matches: [], scannedTo: this.dropped });
    return { ok: true };
  }

  /**
   * Matching frame numbers for a valid, compiled filter, brought up to date with the store for at
   * most `budgetMs` (the matches so far; a background scan finishes the job).
   */
  private matches(text: string, budgetMs = SCAN_SLICE_MS): number[] | undefined {
    const c = this.filters.get(text);
    if (c === undefined) return undefined;
    const last = this.total;
    let from = Math.max(c.scannedTo + 1, this.firstNo);
    if (from <= last) {
      const t0 = performance.now();
      const sliced = last - from + 1 > SCAN_SYNC_FRAMES;
      const scratch = this.decoder.decode(this.frame(from)!.record);
      for (; from <= last; from++) {
        const f = this.frame(from)!;
        this.decoder.decodeInto(scratch, f.record);
        f.pkt = scratch;
        f.tcp = this.tcpRows.unpack<TcpFrameAnalysis>(from);
        const ok = c.filter.test(f);
        f.pkt = this.empty;
        f.tcp = undefined;
        if (ok) c.matches.push(from);
        if (sliced && (from & 255) === 0 && performance.now() - t0 > budgetMs) { from++; break; }
      }
      c.scannedTo = from - 1;
      if (c.scannedTo < last) this.scanLater();
    }
    return c.matches;
  }

  /** Continues unfinished filter scans in slices, telling listeners as the counts grow. */
  private scanLater(): void {
    if (this.scanPending || this.closed) return;
    this.scanPending = true;
    setImmediate(() => {
      this.scanPending = false;
      if (this.closed) return;
      for (const text of this.filters.keys()) this.matches(text, SCAN_BACKGROUND_MS);
      this.notify();
    });
  }

  /** True while the filter has not yet been run over every retained frame (its count still grows). */
  filtering(text: string): boolean {
    const c = this.filters.get(text);
    return c !== undefined && c.scannedTo < this.total;
  }

  /** Stops background work (the store is no longer shown). */
  close(): void {
    this.closed = true;
  }

  /** How many frames a filter displays ('' = all retained). Throws nothing; unknown filter → 0. */
  displayed(text: string): number {
    if (text.trim() === '') return this.cols.length;
    return this.matches(text)?.length ?? 0;
  }

  /** Rows `start`..`start+count-1` of the displayed list (0-based positions in the list). */
  rows(text: string, start: number, count: number): Row[] {
    const out: Row[] = [];
    const m = text.trim() === '' ? undefined : this.matches(text) ?? [];
    const n = m ? m.length : this.cols.length;
    const end = Math.min(n, start + Math.max(0, count));
    for (let i = Math.max(0, start); i < end; i++) {
      const f = this.frame(m ? m[i]! : this.firstNo + i);
      if (f) out.push(this.withDecoded(f, rowOf));
    }
    return out;
  }

  /** Position of frame `no` in the displayed list, or -1. */
  indexOf(text: string, no: number): number {
    if (text.trim() === '') return no >= this.firstNo && no <= this.total ? no - this.firstNo : -1;
    const m = this.matches(text, Infinity) ?? [];
    const k = lowerBound(m, no);
    return m[k] === no ? k : -1;
  }

  /** Frame numbers displayed by a filter (for downloads). */
  displayedFrames(text: string): Frame[] {
    const out: Frame[] = [];
    if (text.trim() === '') {
      for (let no = this.firstNo; no <= this.total; no++) out.push(this.frame(no)!);
      return out;
    }
    for (const no of this.matches(text, Infinity) ?? []) {
      const f = this.frame(no);
      if (f) out.push(f);
    }
    return out;
  }

  /** Detail tree (with byte spans) and bytes of one frame. */
  detail(no: number): { tree: TreeItem[]; bytes: string; stream: number | undefined } | undefined {
    const f = this.frame(no);
    if (f === undefined) return undefined;
    return this.withDecoded(f, (fr) => {
      const base = fr.record.data;
      const tree = buildTree(fr).filter((n) => !n.hidden).map((n) => itemOf(n, fr, base));
      return { tree, bytes: Buffer.from(base.buffer, base.byteOffset, base.byteLength).toString('hex'), stream: fr.tcp?.stream };
    });
  }

  /** Frame numbers of a TCP stream (retained ones), in capture order. */
  streamFrames(stream: number): number[] {
    return this.streams.get(stream) ?? [];
  }

  /** Number of TCP streams seen (retained). */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Runs `fn` over each frame of a stream (positions [from, from+count) of its list) with its packet decoded. */
  forStream<T>(stream: number, fn: (f: Frame) => T, from = 0, count = Infinity): T[] {
    const out: T[] = [];
    const l = this.streamFrames(stream);
    const end = Math.min(l.length, from + count);
    for (let i = Math.max(0, from); i < end; i++) {
      const f = this.frame(l[i]!);
      if (f) out.push(this.withDecoded(f, fn));
    }
    return out;
  }

  /** Runs `fn` over every retained frame, decoded (whole-capture reports). */
  forEach(fn: (f: Frame) => void): void {
    const scratch = this.decoder.decode(this.frame(this.firstNo)?.record ?? { frameNo: 0, ts: { sec: 0, nsec: 0 }, capLen: 0, origLen: 0, linkType: 1, ifIndex: 0, data: new Uint8Array(0), comments: [] });
    for (let no = this.firstNo; no <= this.total; no++) {
      const f = this.frame(no)!;
      this.decoder.decodeInto(scratch, f.record);
      f.pkt = scratch;
      f.tcp = this.tcpRows.unpack<TcpFrameAnalysis>(f.record.frameNo);
      try {
        fn(f);
      } finally {
        f.pkt = this.empty;
        f.tcp = undefined;
      }
    }
  }
}

/** First index in ascending `a` whose value is >= x. */
export function lowerBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Wireshark's default colouring rules, for the rules that match TCP/IP captures. */
export function colorOf(f: Frame): string {
  const t = f.pkt.tcp;
  const a = f.tcp;
  if (t !== undefined) {
    if (a !== undefined && a.hasRecord && (a.flags & ~NOT_BAD) !== 0) return 'bad';
    if (t.flags & TCP_RST) return 'rst';
    if (t.flags & (TCP_SYN | TCP_FIN)) return 'synfin';
    return 'tcp';
  }
  if (f.pkt.icmp) return 'icmp';
  if (f.pkt.udp) return 'udp';
  return '';
}

function rowOf(f: Frame): Row {
  const [src, dst] = addressColumns(f);
  const [proto, info] = protocolAndInfo(f);
  const r = f.record;
  return {
    no: r.frameNo,
    time: r.noTimestamp ? '' : formatSeconds(f.timeRelativeNs, f.tsDigits),
    src, dst, proto, len: r.origLen, info, color: colorOf(f),
  };
}

/**
 * Byte span of a tree node: protocol nodes take their header (or the whole frame for "Frame");
 * byte-valued fields that are views into the frame take their own bytes; the main fixed header
 * fields are placed by their offset in the header (RFC 791 §3.1, RFC 8200 §3, RFC 9293 §3.1).
 */
function spanOf(n: TreeNode, f: Frame, base: Uint8Array): [number, number] | undefined {
  const ab = n.def?.abbrev;
  const v = n.value;
  if (v instanceof Uint8Array && v.buffer === base.buffer && v.byteLength > 0) return [v.byteOffset - base.byteOffset, v.byteLength];
  if (ab === undefined) return undefined;
  const p = f.pkt;
  if (ab === 'frame') return [0, base.byteLength];
  const dot = ab.indexOf('.');
  const proto = dot < 0 ? ab : ab.slice(0, dot);
  const field = dot < 0 ? '' : ab.slice(dot + 1);
  const at = (o: number, l: number): [number, number] => [o, l];
  switch (proto) {
    case 'eth': {
      const e = p.eth;
      if (!e) return undefined;
      if (field === '') return at(e.offset, 14);
      if (field === 'type') return at(e.offset + 12, 2);
      if (field === 'padding' && e.paddingLength > 0) return at(e.paddingOffset, e.paddingLength);
      return undefined;
    }
    case 'sll': return p.sll ? at(p.sll.offset, p.sll.length) : undefined;
    case 'vlan': return p.vlan[0] ? at(p.vlan[0].offset, p.vlan[0].length) : undefined;
    case 'ip': {
      const h = p.ip4;
      if (!h) return undefined;
      const o = h.offset;
      const IP: Record<string, [number, number]> = {
        '': [0, h.hdrLen], version: [0, 1], hdr_len: [0, 1], dsfield: [1, 1], 'dsfield.dscp': [1, 1], 'dsfield.ecn': [1, 1],
        len: [2, 2], id: [4, 2], flags: [6, 1], 'flags.rb': [6, 1], 'flags.df': [6, 1], 'flags.mf': [6, 1], frag_offset: [6, 2],
        ttl: [8, 1], proto: [9, 1], checksum: [10, 2], 'checksum.status': [10, 2],
      };
      if (field === 'src') return at(h.srcOffset, 4);
      if (field === 'dst') return at(h.dstOffset, 4);
      const s = IP[field];
      return s ? at(o + s[0], s[1]) : undefined;
    }
    case 'ipv6': {
      const h = p.ip6;
      if (!h) return undefined;
      const IP6: Record<string, [number, number]> = { '': [0, 40], tclass: [0, 4], 'tclass.dscp': [0, 4], 'tclass.ecn': [0, 4], flow: [1, 3], plen: [4, 2], nxt: [6, 1], hlim: [7, 1] };
      const s = IP6[field];
      return s ? at(h.offset + s[0], s[1]) : undefined;
    }
    case 'tcp': {
      const h = p.tcp;
      if (!h) return undefined;
      const TCP: Record<string, [number, number]> = {
        '': [0, h.hdrLen], srcport: [0, 2], dstport: [2, 2], seq: [4, 4], seq_raw: [4, 4], ack: [8, 4], ack_raw: [8, 4],
        hdr_len: [12, 1], flags: [12, 2], window_size_value: [14, 2], checksum: [16, 2], 'checksum.status': [16, 2], urgent_pointer: [18, 2],
      };
      if (field.startsWith('flags.')) return at(h.offset + 12, 2);
      const s = TCP[field];
      return s ? at(h.offset + s[0], s[1]) : undefined;
    }
    case 'udp': {
      const h = p.udp;
      if (!h) return undefined;
      const UDP: Record<string, [number, number]> = { '': [0, 8], srcport: [0, 2], dstport: [2, 2], length: [4, 2], checksum: [6, 2], 'checksum.status': [6, 2] };
      const s = UDP[field];
      return s ? at(h.offset + s[0], s[1]) : undefined;
    }
    case 'icmp': case 'icmpv6': {
      const h = p.icmp;
      if (!h) return undefined;
      if (field === '') return at(h.offset, base.byteLength - h.offset);
      const ICMP: Record<string, [number, number]> = { type: [0, 1], code: [1, 1], checksum: [2, 2], ident: [4, 2], ident_le: [4, 2], seq: [6, 2], seq_le: [6, 2] };
      const s = ICMP[field];
      return s ? at(h.offset + s[0], s[1]) : undefined;
    }
    default:
      return undefined;
  }
}

function itemOf(n: TreeNode, f: Frame, base: Uint8Array, inOption?: [number, number]): TreeItem {
  const it: TreeItem = { label: n.generated ? `[${n.label}]` : n.label };
  const ab = n.def?.abbrev;
  if (ab !== undefined) it.abbrev = ab;
  if (n.generated) it.generated = true;
  const s = inOption ?? spanOf(n, f, base);
  if (s !== undefined && !n.generated) it.span = s;
  const kids = n.children.filter((c) => !c.hidden);
  if (kids.length > 0) {
    // TCP options: the i-th option subtree covers the i-th option's bytes (RFC 9293 §3.1 kinds).
    const opts = ab === 'tcp.options' ? f.pkt.tcp?.options : undefined;
    let oi = 0;
    it.children = kids.map((c) => {
      if (opts && c.children.length > 0) {
        const o = opts[oi++];
        return itemOf(c, f, base, o ? [o.offset, o.length] : undefined);
      }
      return itemOf(c, f, base);
    });
  }
  return it;
}
