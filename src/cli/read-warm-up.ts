/**
 * JIT warm-up for long reads: a synthetic TCP capture (about 60 frames, IPv4 and IPv6, made here)
 * goes through a throwaway Session and the summary encoder before the real file, so that the
 * paths a capture may reach only late — FIN and RST, port reuse, retransmissions, dup ACKs, SACK,
 * zero windows, keep-alives — already have type feedback when V8 optimises the hot functions.
 *
 * Why: on the 300k-frame benchmark capture the connections close only after 276k frames of data;
 * the first FINs then deoptimised frameOf, analyze, analyzeSequence and the encoder, and the next
 * ~10k frames ran unoptimised: 82-92 ms for the last 30k frames instead of 38 (bench notes,
 * BENCHMARKS.md read session 4). With this warm-up (~3 ms) the last 30k take 38-47 ms.
 *
 * Nothing here touches the real read: its own Session, decoder, analyzer and HTTP tracker; the
 * records are parsed from pcap bytes by the same parser a file goes through.
 */
import { BufferCaptureReader } from '../wire/source.js';
import type { CaptureSource } from '../wire/open.js';
import { Session } from '../pipeline/session.js';
import { encodeSummary, MAX_SUMMARY_RECORD } from '../present/summary-bytes.js';

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

interface Seg {
  v6: boolean;
  fromClient: boolean;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  len: number;
  /** TCP options bytes (padded to 4 by the builder). */
  opts?: number[];
}

function be16(b: number[], v: number): void { b.push((v >>> 8) & 255, v & 255); }
function be32(b: number[], v: number): void { b.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255); }

const TS = (val: number, ecr: number): number[] => {
  const o = [1, 1, 8, 10];
  be32(o, val);
  be32(o, ecr);
  return o;
};
const SACK = (blocks: [number, number][]): number[] => {
  const o = [1, 1, 5, 2 + 8 * blocks.length];
  for (const [l, r] of blocks) { be32(o, l); be32(o, r); }
  return o;
};
const SYN_OPTS = [2, 4, 0xff, 0xd7, 4, 2, ...TS(1000, 0).slice(2), 1, 3, 3, 10];

/** Ethernet + IPv4/IPv6 + TCP bytes of one segment. */
function frame(s: Seg): number[] {
  const opts = [...(s.opts ?? [])];
  while (opts.length % 4 !== 0) opts.push(1);
  const tcpLen = 20 + opts.length + s.len;
  const b: number[] = [];
  // Ethernet: dst, src, type
  b.push(2, 0, 0, 0, 0, s.fromClient ? 2 : 1, 2, 0, 0, 0, 0, s.fromClient ? 1 : 2);
  be16(b, s.v6 ? 0x86dd : 0x0800);
  const [ca, sa] = s.v6 ? [[0xfd, 0, ...Array(13).fill(0), 1], [0xfd, 0, ...Array(13).fill(0), 2]] : [[10, 0, 0, 1], [10, 0, 0, 2]];
  const src = s.fromClient ? ca! : sa!, dst = s.fromClient ? sa! : ca!;
  if (s.v6) {
    b.push(0x60, 0, 0, 0);
    be16(b, tcpLen);
    b.push(6, 64, ...src, ...dst);
  } else {
    b.push(0x45, 0);
    be16(b, 20 + tcpLen);
    b.push(0, 1, 0x40, 0, 64, 6, 0, 0, ...src, ...dst);
  }
  be16(b, s.sport);
  be16(b, s.dport);
  be32(b, s.seq);
  be32(b, s.ack);
  b.push(((20 + opts.length) / 4) << 4, s.flags);
  be16(b, s.win);
  b.push(0, 0, 0, 0, ...opts);
  for (let i = 0; i < s.len; i++) b.push(0x61 + (i % 26));
  return b;
}

/** One conversation with most of what TCP analysis flags, client c:cport ↔ server :6666. */
function conversation(v6: boolean, cport: number, isn: number, t: Seg[]): void {
  const C = isn, S = 5_000_000;
  const c = (seq: number, ack: number, flags: number, len = 0, win = 512, opts?: number[]): void => {
    t.push({ v6, fromClient: true, sport: cport, dport: 6666, seq: C + seq, ack: S + ack, flags, win, len, opts: opts ?? TS(2000 + t.length, 3000) });
  };
  const s = (seq: number, ack: number, flags: number, len = 0, win = 512, opts?: number[]): void => {
    t.push({ v6, fromClient: false, sport: 6666, dport: cport, seq: S + seq, ack: C + ack, flags, win, len, opts: opts ?? TS(3000 + t.length, 2000) });
  };
  t.push({ v6, fromClient: true, sport: cport, dport: 6666, seq: C, ack: 0, flags: SYN, win: 65535, len: 0, opts: SYN_OPTS });
  t.push({ v6, fromClient: false, sport: 6666, dport: cport, seq: S, ack: C + 1, flags: SYN | ACK, win: 65535, len: 0, opts: SYN_OPTS });
  c(1, 1, ACK);
  c(1, 1, PSH | ACK, 64);
  s(1, 65, ACK);
  s(1, 65, PSH | ACK, 64);
  c(65, 65, ACK);
  // a lost segment (65..129 never seen), then three dup ACKs with SACK, a fast retransmission
  c(129, 65, PSH | ACK, 64);
  s(65, 65, ACK, 0, 512, SACK([[C + 129, C + 193]]));
  s(65, 65, ACK, 0, 512, SACK([[C + 129, C + 193]]));
  s(65, 65, ACK, 0, 512, SACK([[C + 129, C + 193]]));
  c(65, 65, PSH | ACK, 64);
  s(65, 193, ACK);
  // a retransmission after a timeout, and a spurious one
  c(193, 65, PSH | ACK, 64);
  c(193, 65, PSH | ACK, 64);
  s(65, 257, ACK);
  c(193, 65, PSH | ACK, 64);
  // out of order
  c(321, 65, PSH | ACK, 64);
  c(257, 65, PSH | ACK, 64);
  s(65, 385, ACK);
  // window full, zero window, probe, probe ACK, window update
  c(385, 65, PSH | ACK, 448);
  s(65, 833, ACK, 0, 0);
  c(833, 65, ACK, 1);
  s(65, 833, ACK, 0, 0);
  s(65, 833, ACK, 0, 512);
  // keep-alive and its ACK
  c(832, 65, ACK, 0);
  s(65, 833, ACK);
  // the close: FIN from the client, data and FIN from the server
  c(833, 65, FIN | ACK);
  s(65, 834, PSH | ACK, 10);
  c(834, 75, ACK);
  s(75, 834, FIN | ACK);
  c(834, 76, ACK);
  // the same ports again with a new ISN (port reuse), reset at once
  t.push({ v6, fromClient: true, sport: cport, dport: 6666, seq: C + 77_777, ack: 0, flags: SYN, win: 65535, len: 0, opts: SYN_OPTS });
  t.push({ v6, fromClient: false, sport: 6666, dport: cport, seq: 0, ack: C + 77_778, flags: RST | ACK, win: 0, len: 0, opts: [] });
}

/**
 * pcap bytes of the warm-up capture (Ethernet, µs timestamps 1 ms apart; the third conversation
 * starts 5 s later and pauses 5 s in the middle, before its window probes). The jumps matter most: nanosecond spans pass 2^31 there, and V8, having seen
 * only small integers in those fields (frame.time_relative, RTTs), would otherwise deoptimise every
 * function that touches a Frame at the 2.15 s mark of the real capture and change the fields'
 * representation of all frame objects (the "overflow" and "wrong map" bailouts of `--trace-deopt`).
 */
export function warmUpCapture(): Uint8Array {
  const segs: Seg[] = [];
  conversation(false, 40_000, 1_000_000, segs);
  conversation(true, 40_001, 2_000_000, segs);
  const perConversation = segs.length / 2;
  conversation(false, 40_002, 4_000_000_000, segs); // sequence numbers that wrap
  const out: number[] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0];
  const third = segs.length - perConversation;
  segs.forEach((s, i) => {
    const f = frame(s);
    const le32 = (v: number): void => { out.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255); };
    const ms = i + (i >= third ? 5000 : 0) + (i >= third + 20 ? 5000 : 0);
    le32(1_700_000_000 + Math.floor(ms / 1000));
    le32((ms % 1000) * 1000);
    le32(f.length);
    le32(f.length);
    out.push(...f);
  });
  return Uint8Array.from(out);
}

/** Runs the warm-up capture through a throwaway Session and the summary encoder. */
export function warmUpRead(): void {
  const bytes = warmUpCapture();
  const buf = new Uint8Array(MAX_SUMMARY_RECORD);
  const view = new DataView(buf.buffer);
  // A few rounds (each a fresh reader and session): cheap, and enough calls for the feedback.
  for (let round = 0; round < 3; round++) {
    const reader = new BufferCaptureReader(bytes, '(warm-up)');
    const source: CaptureSource = {
      info: reader.info,
      close() {},
      [Symbol.asyncIterator]() { throw new Error('warm-up: records are pushed'); },
    };
    const session = new Session(source);
    for (const r of reader) encodeSummary(session.frameOf(r), buf, view, 0);
  }
}
