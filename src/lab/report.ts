/**
 * Turns a LabRun into what the user reads: the captured frames as tshark prints them, each
 * flagged frame explained, the drops the lab made (ground truth from NFLOG) matched to frames,
 * the kernel's own retransmission accounting beside Wireshark's labels, one timeline of app,
 * kernel and wire, and the scenario's narrative. Also checks that the capture shows the
 * scenario's point (its expectFields), which the lab tests and CI rely on.
 */
import { readFile } from 'node:fs/promises';
import type { CaptureRecord } from '../wire/record.js';
import { readAllRecords } from '../wire/open.js';
import type { CaptureSource } from '../wire/open.js';
import { PacketDecoder } from '../decode/decoder.js';
import type { DecodedPacket } from '../decode/packet.js';
import {
  TA_FAST_RETRANSMISSION, TA_RETRANSMISSION, TA_SPURIOUS_RETRANSMISSION,
} from '../analysis/types.js';
import { formatDuration } from '../present/tcp-analysis-explain.js';
import type { Frame } from '../fields/field.js';
import { lookupField } from '../fields/registry.js';
import { Session } from '../pipeline/session.js';
import { formatSummaryLine } from '../present/columns.js';
import { explainTcpAnalysis } from '../present/tcp-analysis-explain.js';
import { KEY_COUNTERS } from './kernel.js';
import type { LabRun } from './runner.js';

export interface DropFact {
  /** Index of the fault rule that dropped it. */
  rule: number;
  /** The frame of the saved capture that carries the same segment (0 when not captured). */
  frameNo: number;
  srcPort: number;
  seq: number;
  /** Raw ACK number (meaningful when the ACK flag is set) and TCP flags of the dropped packet. */
  ack: number;
  flags: number;
  len: number;
}

export interface LabReport {
  /** The frames (after capture misses were applied), in order. */
  frames: Frame[];
  /** Records of the saved capture, data owned (for -w). */
  records: CaptureRecord[];
  /** Explanation lines per frame number (for the pcapng comments). */
  explanations: Map<number, string[]>;
  drops: DropFact[];
  /** Frame numbers removed to model a capture that missed them (original numbering). */
  missed: number[];
  /** Expected fields the capture did not show: the experiment failed to make its point. */
  missing: string[];
  /** Wireshark's retransmission labels vs the kernel's counters. */
  accounting: { wireshark: Record<string, number>; kernel: Record<string, number>; disagreements: number };
  text: string;
}

export async function buildReport(run: LabRun): Promise<LabReport> {
  const sc = run.scenario;
  let records = readAllRecords(await readFile(run.capturePath), run.capturePath);
  let missed: number[] = [];
  if (sc.captureMisses) {
    const victim = nthServerDataSegment(records, run.serverAddress, sc.captureMisses.fromServerDataSegment);
    if (victim !== undefined) {
      missed = [victim];
      records = records.filter((r) => r.frameNo !== victim).map((r, i) => ({ ...r, frameNo: i + 1 }));
    }
  }
  const frames = analyse(records);
  const explanations = new Map<number, string[]>();
  for (const f of frames) {
    const lines = explainFrame(f);
    if (lines.length > 0) explanations.set(f.record.frameNo, lines);
  }
  const drops = run.dropsPath ? await dropFacts(run, records) : [];
  const missing = sc.expectFields.filter((abbrev) => {
    const field = lookupField(abbrev);
    return !field || !frames.some((f) => field.values(f).length > 0);
  });
  const accounting = account(frames, run);

  const out: string[] = [];
  out.push(`== tcplab lab ${sc.name}: ${sc.summary}`);
  out.push('');
  const dropByFrame = new Map(drops.filter((d) => d.frameNo > 0).map((d) => [d.frameNo, d]));
  for (const f of frames) {
    out.push(formatSummaryLine(f));
    const d = dropByFrame.get(f.record.frameNo);
    if (d) out.push(`        ✗ dropped by the lab after capture (rule ${d.rule + 1}): the peer never received it`);
    for (const line of explanations.get(f.record.frameNo) ?? []) out.push(...wrap(line, 110, '        ', '          '));
  }
  if (missed.length > 0) out.push('', `The saved capture omits original frame ${missed.join(', ')} (a capture that missed it): the wire carried it.`);
  out.push('', '-- What happened');
  for (const line of sc.narrative) out.push(`  ${line}`);
  out.push('', '-- Ground truth');
  if (sc.faults.length > 0) {
    sc.faults.forEach((r, i) => {
      const n = run.dropped.get(i) ?? 0;
      const which = r.nth ? `packet #${r.nth.join(', #')} of its kind` : `each with probability ${r.probability}`;
      out.push(`  rule ${i + 1}: drop ${r.kind} segments from the ${r.from} (${which}, ${r.where === 'network' ? 'after the capture point' : 'before the capture point'}): ${n} dropped`);
    });
    const byNo = new Map(frames.map((f) => [f.record.frameNo, f]));
    for (const d of drops) {
      const rel = byNo.get(d.frameNo)?.tcp?.relSeq;
      out.push(`  dropped: port ${d.srcPort} seq ${d.seq} len ${d.len}${d.frameNo ? ` = frame ${d.frameNo}${rel !== undefined ? ` (Seq=${rel} Len=${d.len})` : ''}` : ' (not in the capture)'}`);
    }
  } else out.push('  the lab dropped nothing');
  const kernel = KEY_COUNTERS.filter(([k]) => (run.counters.get(k) ?? 0) > 0);
  out.push('  kernel (nstat, this lab only): ' + (kernel.length ? kernel.map(([k, label]) => `${run.counters.get(k)} ${label}`).join('; ') : 'no retransmission, probe or reset counters moved'));
  const w = accounting.wireshark;
  out.push(`  Wireshark labels: ${w['retransmission']} retransmission, ${w['fast_retransmission']} fast retransmission, ${w['spurious_retransmission']} spurious retransmission`);
  out.push(`  kernel retransmitted ${accounting.kernel['retransmitted']} segments: ${accounting.kernel['rto']} after a timeout, ${accounting.kernel['fast']} fast, ${accounting.kernel['tlp']} tail-loss probes`);
  const why: string[] = [];
  if (accounting.kernel['tlp']) why.push(`${accounting.kernel['tlp']} tail-loss probe(s), which Wireshark can only call Retransmission`);
  if (accounting.kernel['fast'] !== w['fast_retransmission']) why.push(`${accounting.kernel['fast']} fast retransmit(s) by the kernel vs ${w['fast_retransmission']} labelled fast`);
  out.push(`  label disagreements: ${accounting.disagreements}${why.length ? ` (${why.join('; ')}): Wireshark guesses from the wire, the kernel knows why it sent` : ''}`);
  const perFrame = retransmissionTruths(frames, drops);
  if (perFrame.length > 0) {
    out.push('  per retransmission (Wireshark\'s label | what really happened | the kernel\'s mechanism):');
    for (const t of perFrame) out.push(`    frame ${t.frameNo}: ${t.label} | ${t.cause} | ${t.mechanism}${t.agrees ? '' : '   ← the label misses this'}`);
    const wrong = perFrame.filter((t) => !t.agrees).length;
    out.push(`    ${perFrame.length - wrong} of ${perFrame.length} labels name what happened; ${wrong} do not`);
  }
  out.push('', '-- Timeline (app, kernel, wire)');
  out.push(...timeline(run, frames));
  if (missing.length > 0) out.push('', `!! the capture does not show: ${missing.join(', ')}`);
  return { frames, records, explanations, drops, missed, missing, accounting, text: out.join('\n') + '\n' };
}

/** The --explain lines of a frame: why the analysis flagged it, with the numbers. */
function explainFrame(f: Frame): string[] {
  if (!f.tcp || f.tcp.flags === 0) return [];
  return explainTcpAnalysis(f.tcp).map((l) => `↳ ${l}`);
}

function analyse(records: CaptureRecord[]): Frame[] {
  const info = { format: 'pcap' as const, tsPrecision: 'usec' as const, interfaces: [{ linkType: records[0]?.linkType ?? 1, snapLen: 262144, name: undefined, tsDigits: 6 }] };
  const source: CaptureSource = {
    info: info as CaptureSource['info'],
    close: () => undefined,
    [Symbol.asyncIterator]: async function* () { /* frames are built with frameOf */ },
  };
  const session = new Session(source);
  return records.map((r) => session.frameOf(r));
}

/** Frame number of the n-th TCP segment with payload sent by the server. */
function nthServerDataSegment(records: CaptureRecord[], serverIp: string, n: number): number | undefined {
  const dec = new PacketDecoder();
  let seen = 0;
  for (const r of records) {
    const p = dec.decode(r);
    if (p.tcp && p.tcp.len > 0 && p.tcp.srcPort === 6666 && ipv4Of(p) === serverIp && ++seen === n) return r.frameNo;
  }
  return undefined;
}

function ipv4Of(p: DecodedPacket): string {
  const a = p.ip4?.src ?? 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Matches NFLOG records of dropped packets to captured frames by (src port, seq, len). */
async function dropFacts(run: LabRun, records: CaptureRecord[]): Promise<DropFact[]> {
  const dec = new PacketDecoder();
  const key = (p: DecodedPacket) => (p.tcp ? `${p.tcp.srcPort}/${p.tcp.seq}/${p.tcp.len}/${p.tcp.flags}` : '');
  const seenAt = new Map<string, number>();
  for (const r of records) {
    const k = key(dec.decode(r));
    if (k && !seenAt.has(k)) seenAt.set(k, r.frameNo);
  }
  const out: DropFact[] = [];
  let bytes: Uint8Array;
  try { bytes = await readFile(run.dropsPath!); } catch { return out; }
  for (const r of readAllRecords(bytes, run.dropsPath)) {
    const p = dec.decode(r);
    if (!p.tcp) continue;
    const prefix = /tcplab-drop-(\d+)/.exec(Buffer.from(r.data).toString('latin1'));
    out.push({ rule: prefix ? Number(prefix[1]) : 0, frameNo: seenAt.get(key(p)) ?? 0, srcPort: p.tcp.srcPort, seq: p.tcp.seq, ack: p.tcp.ack, flags: p.tcp.flags, len: p.tcp.len });
  }
  return out;
}

function account(frames: Frame[], run: LabRun): LabReport['accounting'] {
  let re = 0, fast = 0, spur = 0;
  for (const f of frames) {
    const fl = f.tcp?.flags ?? 0;
    if (fl & TA_FAST_RETRANSMISSION) fast++;
    else if (fl & TA_SPURIOUS_RETRANSMISSION) spur++;
    else if (fl & TA_RETRANSMISSION) re++;
  }
  const c = (k: string) => run.counters.get(k) ?? 0;
  const kernel = { retransmitted: c('Tcp.RetransSegs'), rto: c('TcpExt.TCPTimeouts'), fast: c('TcpExt.TCPFastRetrans'), tlp: c('TcpExt.TCPLossProbes') };
  // Wireshark has no name for a tail-loss probe: each one is labelled Retransmission (or
  // Spurious), never what it is. Fast retransmits are compared by count.
  const disagreements = kernel.tlp + Math.abs(kernel.fast - fast);
  return { wireshark: { retransmission: re, fast_retransmission: fast, spurious_retransmission: spur }, kernel, disagreements };
}

/** Client runs, server log events, socket snapshots and frames, merged by wall-clock time. */
function timeline(run: LabRun, frames: Frame[]): string[] {
  const ev: Array<{ ns: bigint; text: string }> = [];
  run.clients.forEach((c, i) => {
    const who = `app    client ${i + 1}`;
    ev.push({ ns: c.startNs, text: `${who} starts: tcplab connect ${c.args.filter((a) => a !== '--json').join(' ')}` });
    const t = parseTranscript(c.stdout);
    if (t) {
      const base = BigInt(t.startedAt.sec) * 1_000_000_000n + BigInt(t.startedAt.nsec);
      for (const e of t.events) ev.push({ ns: base + BigInt(Math.round(e.tNs)), text: `${who}: ${describeClientEvent(e)}` });
      const rtts = t.rounds.map((r) => `${(r.rttNs / 1e6).toFixed(3)} ms`);
      if (rtts.length) ev.push({ ns: c.endNs, text: `${who}: round-trip time ${rtts.slice(0, 5).join(', ')}${rtts.length > 5 ? ', …' : ''}` });
      if (t.eventsDropped) ev.push({ ns: c.endNs, text: `${who}: (${t.eventsDropped} more socket events not recorded)` });
    } else {
      for (const line of (c.stdout + c.stderr).trim().split('\n').filter(Boolean).slice(0, 10)) ev.push({ ns: c.endNs, text: `${who}: ${line}` });
    }
    ev.push({ ns: c.endNs, text: `${who} exits with status ${c.exit}` });
  });
  for (const line of run.serverLog.split('\n')) {
    try {
      const o = JSON.parse(line) as { time?: number | string; msg?: string; length?: number; peer?: string };
      if (!o.msg || o.time === undefined) continue;
      const text = o.length !== undefined ? `read() → ${o.length} bytes from ${o.peer ?? 'the peer'}, echoed` : o.msg;
      ev.push({ ns: BigInt(new Date(o.time).getTime()) * 1_000_000n, text: `app    server: ${text}` });
    } catch { /* not a JSON log line */ }
  }
  let lastSs = '';
  for (const s of run.snapshots) {
    const short = summariseSs(s.text);
    if (short && short !== lastSs) ev.push({ ns: s.atNs, text: `kernel ${short}` });
    lastSs = short;
  }
  for (const f of frames) {
    const ns = BigInt(f.record.ts.sec) * 1_000_000_000n + BigInt(f.record.ts.nsec);
    ev.push({ ns, text: `wire   ${formatSummaryLine(f).trim()}` });
  }
  ev.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  const t0 = ev[0]?.ns ?? 0n;
  const lines = ev.slice(0, 400).map((e) => `  +${(Number(e.ns - t0) / 1e6).toFixed(3).padStart(9)} ms  ${e.text}`);
  if (ev.length > 400) lines.push(`  … ${ev.length - 400} more events`);
  return lines;
}

/** One line per socket from `ss -tin`: state, queues and the counters that matter. */
function summariseSs(text: string): string {
  const socks: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!.trim().split(/\s+/);
    if (head.length < 5 || !/^[A-Z-]+/.test(head[0]!)) continue;
    const info = lines[i + 1] ?? '';
    const pick = (re: RegExp) => re.exec(info)?.[0];
    const parts = [pick(/cwnd:\d+/), pick(/unacked:\d+/), pick(/retrans:\d+\/\d+/), pick(/rcv_space:\d+/), pick(/snd_wnd:\d+/)].filter(Boolean);
    socks.push(`${head[3]}→${head[4]} ${head[0]} recvq=${head[1]} sendq=${head[2]} ${parts.join(' ')}`.trim());
  }
  return socks.join(' | ');
}

/** Word-wraps a line to `width` columns, the first line after `first`, the rest after `rest`. */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const prefix = line === first || line === rest ? '' : ' ';
    if (line.length + prefix.length + word.length > width && line !== first && line !== rest) {
      out.push(line);
      line = rest + word;
    } else line += prefix + word;
  }
  out.push(line);
  return out;
}

interface ClientTranscriptJson {
  startedAt: { sec: number; nsec: number };
  events: Array<{ tNs: number; kind: string; bytes: number }>;
  rounds: Array<{ rttNs: number }>;
  eventsDropped?: number;
}

/** `tcplab connect --json` output, or undefined when the client printed something else. */
function parseTranscript(stdout: string): ClientTranscriptJson | undefined {
  try {
    const t = JSON.parse(stdout) as Partial<ClientTranscriptJson>;
    if (t.startedAt && Array.isArray(t.events) && Array.isArray(t.rounds)) return t as ClientTranscriptJson;
  } catch { /* not JSON */ }
  return undefined;
}

/** One client socket event in words: what the application did, which the wire then shows. */
function describeClientEvent(e: { kind: string; bytes: number }): string {
  switch (e.kind) {
    case 'connect': return 'connect() completed (handshake done)';
    case 'write': return `write(${e.bytes} bytes)`;
    case 'read': return `read() → ${e.bytes} bytes`;
    case 'fin-sent': return 'shutdown(SHUT_WR): FIN queued';
    case 'fin-received': return 'read() → end of stream (peer FIN)';
    default: return `${e.kind}${e.bytes ? ` (${e.bytes} bytes)` : ''}`;
  }
}

export interface RetransmissionTruth {
  frameNo: number;
  label: string;
  cause: string;
  mechanism: string;
  agrees: boolean;
}

/** Linux's minimum RTO: a retransmission sooner than this after the original was not an RTO. */
const RTO_MIN_NS = 200_000_000;

/**
 * For each frame Wireshark calls a retransmission: its label, the true cause (the lab knows what
 * it dropped) and the kernel's likely mechanism (fast retransmit, tail-loss probe, RTO).
 */
export function retransmissionTruths(frames: readonly Frame[], drops: readonly DropFact[]): RetransmissionTruth[] {
  const out: RetransmissionTruth[] = [];
  for (const f of frames) {
    const a = f.tcp;
    const t = f.pkt.tcp;
    if (!a || !t || (a.flags & (TA_RETRANSMISSION | TA_FAST_RETRANSMISSION | TA_SPURIOUS_RETRANSMISSION)) === 0) continue;
    const fast = (a.flags & TA_FAST_RETRANSMISSION) !== 0;
    const spurious = (a.flags & TA_SPURIOUS_RETRANSMISSION) !== 0;
    const label = fast ? 'Fast Retransmission' : spurious ? 'Spurious Retransmission' : 'Retransmission';
    const before = (d: DropFact) => d.frameNo > 0 && d.frameNo < f.record.frameNo;
    const lostOriginal = drops.find((d) => before(d) && d.srcPort === t.srcPort && d.seq === t.seq && d.len > 0);
    // A lost ACK: a dropped packet of the peer's that acknowledged all of this segment.
    const dataEnd = (t.seq + t.len) >>> 0;
    const lostAck = drops.find((d) => before(d) && d.srcPort === t.dstPort && (d.flags & 0x010) !== 0 && ((d.ack - dataEnd) | 0) >= 0);
    const cause = lostOriginal
      ? `its original (frame ${lostOriginal.frameNo}) was lost: the lab dropped it`
      : lostAck
        ? `the data had arrived; the peer's packet ${lostAck.frameNo} (its ACK) was lost`
        : 'nothing was lost on the wire';
    let mechanism: string;
    if (fast) mechanism = 'fast retransmit after duplicate ACKs';
    else if (a.rtoFrame > 0 && a.rtoNs < RTO_MIN_NS) mechanism = `tail-loss probe (${formatDuration(a.rtoNs)} after frame ${a.rtoFrame}, below the 200 ms minimum RTO)`;
    else if (a.rtoFrame > 0) mechanism = `retransmission timeout (RTO) after ${formatDuration(a.rtoNs)}`;
    else mechanism = 'timer (RTO or probe)';
    const isTlp = mechanism.startsWith('tail-loss');
    const agrees = spurious ? !lostOriginal : fast ? true : !isTlp;
    out.push({ frameNo: f.record.frameNo, label, cause, mechanism, agrees });
  }
  return out;
}
