/**
 * Every committed fixture capture merged into one pcapng (all link types, overlapping 4-tuples,
 * time going backwards between files): one file that crosses every decoder and output path, for
 * tests that compare two ways of reading (threads, the output thread).
 */
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { BufferCaptureReader } from '../../src/wire/source.js';
import { PcapngWriter } from '../../src/wire/pcapng-writer.js';
import type { CaptureInterface } from '../../src/wire/record.js';

export const fixturesDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), 'test', 'fixtures', 'pcap');

/** Writes the merged capture to `path`; fixtures whose name `skip` accepts are left out. Returns the frame count. */
export async function mergeFixtures(path: string, skip: (name: string) => boolean = () => false): Promise<number> {
  let frames = 0;
  const interfaces: CaptureInterface[] = [];
  const out = createWriteStream(path);
  const w = new PcapngWriter(out, { interfaces, tsDigits: 9 });
  for (const name of readdirSync(fixturesDir).sort()) {
    if (!/\.(pcap|pcapng|cap)(\.gz)?$/.test(name) || skip(name)) continue;
    const reader = new BufferCaptureReader(readFileSync(join(fixturesDir, name)), name);
    const base = interfaces.length;
    try {
      for (const r of reader) {
        while (interfaces.length < base + reader.info.interfaces.length) interfaces.push({ ...reader.info.interfaces[interfaces.length - base]! });
        await w.write({ ...r, ifIndex: base + r.ifIndex, comments: [] });
        frames++;
      }
    } catch {
      // A damaged fixture: keep the records before the damage.
    }
  }
  await w.end();
  if (!out.closed) await once(out, 'close');
  return frames;
}
