/**
 * Per-frame analysis tables: the same columns as scripts/oracle-tshark.sh asks tshark for
 * (`-T fields -E separator=/t -E occurrence=a -E aggregator=,`), computed by wire + decode +
 * TcpAnalyzer + this area's field rows. The last column is the Info-column prefix
 * ("[TCP Dup ACK 36#1] " …) without its trailing space.
 *
 * Used by test/analysis/golden.test.ts and by scripts (node dist/test/analysis/table.js FILE).
 */
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import type { TcpAnalyzerOptions } from '../../src/analysis/tcp-analysis.js';
import { TCP_ANALYSIS_CORE_FIELDS, TCP_ANALYSIS_FIELDS } from '../../src/fields/tcp-analysis.js';
import { formatFieldValue } from '../../src/fields/format.js';
import { formatAnalysisPrefix } from '../../src/present/tcp-analysis-info.js';
import type { FieldDef, Frame } from '../../src/fields/field.js';
import type { CaptureRecord } from '../../src/wire/record.js';
import type { DecodedPacket } from '../../src/decode/packet.js';
import type { TcpFrameAnalysis } from '../../src/analysis/types.js';

/** Columns, in order (frame.number and the raw header values are read here directly). */
export const COLUMNS: readonly string[] = [
  'frame.number', 'tcp.stream', 'tcp.completeness', 'tcp.seq', 'tcp.ack', 'tcp.nxtseq', 'tcp.seq_raw', 'tcp.ack_raw',
  'tcp.len', 'tcp.window_size_value', 'tcp.window_size', 'tcp.window_size_scalefactor',
  'tcp.options.sack_le', 'tcp.options.sack_re', 'tcp.options.sack.dsack_le', 'tcp.options.sack.dsack_re',
  'tcp.time_relative', 'tcp.time_delta', 'tcp.analysis', 'tcp.analysis.flags',
  'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment',
  'tcp.analysis.duplicate_ack', 'tcp.analysis.duplicate_ack_num', 'tcp.analysis.duplicate_ack_frame',
  'tcp.analysis.zero_window', 'tcp.analysis.zero_window_probe', 'tcp.analysis.zero_window_probe_ack',
  'tcp.analysis.window_update', 'tcp.analysis.window_full', 'tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack',
  'tcp.analysis.reused_ports', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt',
  'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent', 'tcp.analysis.rto', 'tcp.analysis.rto_frame',
];
export const INFO_COLUMN = 'info_prefix';

const DEFS = new Map<string, FieldDef>();
for (const d of [...TCP_ANALYSIS_FIELDS, ...TCP_ANALYSIS_CORE_FIELDS]) DEFS.set(d.abbrev, d);

/** Raw header cells, as tshark shows them (a header quoted in an ICMP error has no seq_raw). */
function rawCell(name: string, rec: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined): string | undefined {
  const quoted = pkt.tcp === undefined && a !== undefined;
  const t = pkt.tcp ?? (quoted ? pkt.icmp?.quoted?.tcp : undefined);
  const whole = t !== undefined && t.hdrAvailable >= 16 && a?.bogusHeader !== true;
  switch (name) {
    case 'frame.number': return String(rec.frameNo);
    case 'tcp.seq_raw': return t && !quoted && t.hdrAvailable >= 16 ? String(t.seq >>> 0) : '';
    case 'tcp.ack_raw': return whole ? String(t.ack >>> 0) : '';
    case 'tcp.len': return t && t.hasLen ? String(t.len) : '';
    case 'tcp.window_size_value': return whole ? String(t.window) : '';
    default: return undefined;
  }
}

/** One row (cells joined by tabs) for a decoded, analysed frame. */
export function rowOf(rec: CaptureRecord, pkt: DecodedPacket, a: TcpFrameAnalysis | undefined): string {
  const frame: Frame = {
    record: rec, pkt, tcp: a, timeRelativeNs: 0, timeDeltaNs: 0, timeDeltaDisplayedNs: 0, tsDigits: 6,
  };
  const cells: string[] = [];
  for (const name of COLUMNS) {
    const raw = rawCell(name, rec, pkt, a);
    if (raw !== undefined) { cells.push(raw); continue; }
    const def = DEFS.get(name);
    if (def === undefined) throw new Error(`no field ${name}`);
    cells.push(def.values(frame).map((v) => formatFieldValue(def, v)).join(','));
  }
  cells.push(a !== undefined ? formatAnalysisPrefix(a).trimEnd() : '');
  return cells.join('\t');
}

/** The whole table of a capture file: a header line, then one line per frame. */
export async function analysisTable(path: string, opts: TcpAnalyzerOptions = {}): Promise<string[]> {
  const src = await openCaptureFile(path);
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer(opts);
  const out = [[...COLUMNS, INFO_COLUMN].join('\t')];
  try {
    for await (const rec of src) {
      const pkt = dec.decode(rec);
      out.push(rowOf(rec, pkt, an.analyze(rec, pkt)));
    }
  } finally {
    src.close();
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/test/analysis/table.js FILE\n');
    process.exit(2);
  }
  for (const line of await analysisTable(file)) process.stdout.write(line + '\n');
}
