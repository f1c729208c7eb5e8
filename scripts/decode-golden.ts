/**
 * Writes the decode/ golden tables: test/golden/decode/<fixture>.tsv = tshark 4.0 `-T fields`
 * output for DECODE_FIELDS (test/support/decode-fields.ts). Run once per fixture change; the tests
 * read the committed tables and never need tshark.
 *
 *   node dist/scripts/decode-golden.js test/fixtures/pcap/<file> …
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DECODE_FIELDS, tsharkArgs } from '../test/support/decode-fields.js';

const OUT = 'test/golden/decode';
mkdirSync(OUT, { recursive: true });
const version = execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'tshark';
for (const file of process.argv.slice(2)) {
  const args = tsharkArgs(file);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const header = [
    `# ${version}: tshark ${args.map(a => (a.includes(' ') ? `'${a}'` : a)).join(' ').replace(file, basename(file))}`,
    DECODE_FIELDS.join('\t'),
  ];
  writeFileSync(join(OUT, basename(file) + '.tsv'), header.join('\n') + '\n' + out);
  console.log(`${basename(file)}: ${out.split('\n').length - 1} frames`);
}
