/**
 * Saves a lab capture as pcapng that opens already annotated in Wireshark: the scenario and the
 * ground truth in the section header comment, each explained frame's explanation (and the lab's
 * own drop marks) as packet comments (Wireshark: pkt_comment / frame.comment).
 */
import { createWriteStream } from 'node:fs';
import { PcapngWriter } from '../wire/pcapng-writer.js';
import type { LabReport } from './report.js';
import type { LabRun } from './runner.js';

export async function saveAnnotatedCapture(run: LabRun, report: LabReport, path: string): Promise<void> {
  const sc = run.scenario;
  const truth = report.drops.length
    ? report.drops.map((d) => `dropped by the lab: port ${d.srcPort} seq ${d.seq} len ${d.len}${d.frameNo ? ` (frame ${d.frameNo})` : ''}`)
    : ['the lab dropped nothing'];
  const comment = [`tcplab lab ${sc.name}: ${sc.summary}`, ...sc.narrative, ...truth].join('\n');
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  // tcpdump in the lab writes microseconds: keep that resolution (tshark then shows 6 digits).
  const writer = new PcapngWriter(out, { comment, tsDigits: 6 });
  const dropped = new Set(report.drops.map((d) => d.frameNo));
  const work = (async () => {
    for (const r of report.records) {
      const notes = [...(report.explanations.get(r.frameNo) ?? [])];
      if (dropped.has(r.frameNo)) notes.unshift('dropped by the lab after capture: the peer never received it');
      await writer.write(r, notes);
    }
    await writer.end();
  })();
  await Promise.race([work, failed]);
}
