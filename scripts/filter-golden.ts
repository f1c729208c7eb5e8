/**
 * Regenerates the display-filter goldens from tshark 4.0 (the oracle). Tests never run tshark.
 *
 *   npx tsc -p . && node dist/scripts/filter-golden.js
 *
 * Inputs (test/golden/filter/): captures.txt (capture paths), filters.txt (filters that must
 * compile), errors.txt (filters that must not). Outputs:
 *   <capture>.jsonl  one line per filter: {"filter": "...", "frames": [n, ...]}
 *                    (tshark -r <capture> -Y <filter> -T fields -e frame.number)
 *   errors.jsonl     one line per broken filter: {"filter", "message", "start", "length"}
 *                    from tshark's stderr: "tshark: <message>", then the filter and a caret line
 *                    (start = caret column, length = 1 + the '~'s; start -1 when no caret).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'test', 'golden', 'filter');
const TSHARK = process.env['TSHARK'] ?? 'tshark';

function lines(file: string): string[] {
  return readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(TSHARK, args, { maxBuffer: 64 << 20, env: { ...process.env, TZ: process.env['TZ'] ?? 'UTC' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }));
  return out;
}

/** tshark's error: message line(s) and the caret, without the "Running as root" noise. */
export function parseTsharkError(stderr: string): { message: string; start: number; length: number } {
  const ls = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Running as user'));
  const first = ls.findIndex((l) => l.startsWith('tshark: '));
  const message = (ls[first] ?? '').slice('tshark: '.length);
  const caret = ls[first + 2];
  if (caret === undefined || !caret.startsWith('    ')) return { message, start: -1, length: 0 };
  const body = caret.slice(4);
  const start = body.indexOf('^');
  return { message, start, length: start < 0 ? 0 : body.length - start };
}

async function main(): Promise<void> {
  const only = process.env["ONLY"];
  const captures = lines('captures.txt');
  const rejected: string[] = [];
  const filters = lines('filters.txt');
  for (const cap of captures.filter((c) => only === undefined || c.includes(only))) {
    const rows = await pool(filters, 8, async (f) => {
      const r = await run(['-n', '-r', join(root, cap), '-Y', f, '-T', 'fields', '-e', 'frame.number']);
      if (r.code !== 0) {
        rejected.push(`${cap}: ${f}: ${parseTsharkError(r.stderr).message}`);
        return undefined;
      }
      const frames = r.stdout.split('\n').filter((l) => l !== '').map(Number);
      return JSON.stringify({ filter: f, frames });
    });
    const out = join(dir, basename(cap).replace(/\.(pcapng|pcap)$/, '') + '.jsonl');
    writeFileSync(out, rows.filter((r) => r !== undefined).join('\n') + '\n');
    console.log(`${out}: ${rows.length} filters`);
  }
  const first = captures[0];
  if (first === undefined) throw new Error('no captures');
  const errs = await pool(lines('errors.txt'), 8, async (f) => {
    const r = await run(['-n', '-r', join(root, first), '-Y', f]);
    if (r.code === 0) {
      rejected.push(`errors.txt: tshark accepted ${f}`);
      return undefined;
    }
    return JSON.stringify({ filter: f, ...parseTsharkError(r.stderr) });
  });
  writeFileSync(join(dir, 'errors.jsonl'), errs.filter((r) => r !== undefined).join('\n') + '\n');
  console.log(`errors.jsonl: ${errs.length} filters`);
  if (rejected.length > 0) {
    console.error(`tshark rejected ${rejected.length} filters of filters.txt (move them to errors.txt):\n${rejected.join('\n')}`);
    process.exitCode = 1;
  }
}

await main();
