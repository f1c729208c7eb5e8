/**
 * Differential check of decode/ against tshark 4.0 over capture files (default: every file in
 * /work/shared/corpus/MANIFEST.tsv). For each frame, the DECODE_FIELDS values computed from our
 * DecodedPacket are compared with `tshark -T fields` output.
 *
 *   node dist/scripts/decode-vs-tshark.js [--verbose] [--examples N] [file …]
 *
 * Prints per-file agreement and a per-field mismatch table; exits 0 (this is a report, not a test).
 * Needs tshark; the tests use committed goldens instead.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../test/support/pcap-lite.js';
import { DECODE_FIELDS, diffRow, fieldRow, normaliseTsharkRow, tsharkArgs } from '../test/support/decode-fields.js';
import { PacketDecoder } from '../src/decode/decoder.js';

const CORPUS = '/work/shared/corpus';

function tsharkRows(path: string): string[][] {
  const out = execFileSync('tshark', tsharkArgs(path), { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(l => l !== '').map(l => normaliseTsharkRow(l.split('\t')));
}

function main(): void {
  const argv = process.argv.slice(2);
  const verbose = argv.includes('--verbose');
  const exIdx = argv.indexOf('--examples');
  const maxEx = exIdx >= 0 ? Number(argv[exIdx + 1]) : 3;
  let files = argv.filter((a, i) => !a.startsWith('--') && (exIdx < 0 || i !== exIdx + 1));
  if (files.length === 0) {
    const manifest = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
    files = manifest.map(l => join(CORPUS, l.split('\t')[0]!));
  }
  const dec = new PacketDecoder();
  const fieldMiss = new Map<string, number>();
  let appShort = 0;
  let frames = 0, agree = 0, filesAllAgree = 0, tcpFrames = 0, tcpAgree = 0;
  for (const file of files) {
    let recs;
    try { recs = readCaptureFile(file).records; } catch (e) { console.log(`SKIP ${file}: ${(e as Error).message}`); continue; }
    let ts: string[][];
    try { ts = tsharkRows(file); } catch { console.log(`SKIP ${file}: tshark failed`); continue; }
    let fAgree = 0, ex = 0;
    const n = Math.min(recs.length, ts.length);
    if (recs.length !== ts.length) console.log(`NOTE ${file}: ${recs.length} records vs tshark ${ts.length}`);
    for (let i = 0; i < n; i++) {
      const rec = recs[i]!;
      const pkt = dec.decode(rec);
      const ours = fieldRow(rec, pkt);
      const theirs = ts[i]!;
      const isTcp = theirs[DECODE_FIELDS.indexOf('tcp.srcport')] !== '';
      if (isTcp) tcpFrames++;
      const d = diffRow(rec, pkt, theirs);
      if (d.appShort) appShort++;
      const ok = d.fields.length === 0;
      for (const f of d.fields) {
        fieldMiss.set(f, (fieldMiss.get(f) ?? 0) + 1);
        if (ex < maxEx) {
          ex++;
          const k = DECODE_FIELDS.indexOf(f);
          console.log(`  ${file.replace(CORPUS + '/', '')} #${rec.frameNo} ${f}: ours=${JSON.stringify(ours[k])} tshark=${JSON.stringify(theirs[k])}`);
        }
      }
      if (ok) { fAgree++; if (isTcp) tcpAgree++; }
    }
    frames += n;
    agree += fAgree;
    if (fAgree === n) filesAllAgree++;
    if (verbose || fAgree !== n) console.log(`${fAgree === n ? 'OK  ' : 'DIFF'} ${file.replace(CORPUS + '/', '')}: ${fAgree}/${n} frames agree`);
  }
  console.log(`\nfiles: ${files.length}, files fully agreeing: ${filesAllAgree}`);
  console.log(`frames: ${agree}/${frames} agree on all ${DECODE_FIELDS.length} fields (${(100 * agree / Math.max(1, frames)).toFixed(3)}%)`);
  console.log(`tcp frames: ${tcpAgree}/${tcpFrames} agree (${(100 * tcpAgree / Math.max(1, tcpFrames)).toFixed(3)}%)`);
  console.log(`frames tshark marks short only because an application dissector hit the snaplen: ${appShort}`);
  console.log(`internal decoder errors: ${PacketDecoder.internalErrors}`);
  for (const [f, c] of [...fieldMiss].sort((a, b) => b[1] - a[1])) console.log(`  ${f}: ${c} frames differ`);
}

main();
