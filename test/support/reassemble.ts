/** Test helper: every TcpReassembler event of a capture file (decode + analysis + reassembly). */
import { openCaptureFile } from '../../src/wire/open.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { TcpAnalyzer } from '../../src/analysis/tcp-analysis.js';
import { TcpReassembler, type ReassemblerOptions, type StreamEvent } from '../../src/analysis/reassembly.js';

export async function reassembleFile(path: string, opts: ReassemblerOptions = {}): Promise<StreamEvent[]> {
  const src = await openCaptureFile(path);
  const dec = new PacketDecoder();
  const an = new TcpAnalyzer();
  const re = new TcpReassembler(opts);
  const out: StreamEvent[] = [];
  let last = 0;
  for await (const rec of src) {
    const pkt = dec.decode(rec);
    out.push(...re.push(rec, pkt, an.analyze(rec, pkt)));
    last = rec.frameNo;
  }
  out.push(...re.finish(last));
  return out;
}
