/**
 * bin/tcplab runs the CLI as one script with V8's code cache (scripts/bundle.mjs, built by
 * `npm test`'s pretest and by `npm ci`): it must be the one that runs — or every other e2e test
 * would test the ES modules and not what users run — its code cache must be accepted, and it must
 * print exactly what the ES modules print, including the paths that resolve files from
 * import.meta.url (package.json for --version, the output thread's worker, the --threads workers)
 * and the errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const fixture = join(root, 'test', 'fixtures', 'pcap', 'analysis-bug-7657-01.pcap');

function run(args: string[], bundle: '0' | '1' | undefined, extra: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', ...extra };
  delete env['TCPLAB_BUNDLE'];
  if (bundle !== undefined) env['TCPLAB_BUNDLE'] = bundle;
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the bundle is built, newer than the modules, and is what bin/tcplab runs, with its code cache', () => {
  const bundle = join(root, 'dist', 'tcplab.cjs');
  assert.ok(statSync(bundle).mtimeMs >= statSync(join(root, 'dist', 'src', 'cli', 'main.js')).mtimeMs, 'dist/tcplab.cjs is older than dist/src: run `npm run build`');
  assert.ok(statSync(bundle + '.cache').size > 10_000);
  const r = run(['--version'], undefined, { TCPLAB_BUNDLE_TRACE: '1' });
  assert.equal(r.code, 0);
  assert.equal(r.err, 'tcplab: bundle, code cache accepted\n');
  assert.equal(r.out.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  const m = run(['--version'], '0', { TCPLAB_BUNDLE_TRACE: '1' });
  assert.equal(m.err, 'tcplab: ES modules\n');
  assert.equal(m.out, r.out);
});

test('the bundle never keeps import.meta or dynamic import() (node:vm cannot run them)', () => {
  const text = readFileSync(join(root, 'dist', 'tcplab.cjs'), 'utf8');
  assert.equal(/import\.meta|[^\w$.]import\(/.exec(text), null);
  assert.ok(text.startsWith('"use strict";'), 'strict, as ES modules are');
});

const cases: [string, string[], NodeJS.ProcessEnv?][] = [
  ['one-line text', ['read', '-r', fixture]],
  ['-V -x', ['read', '-r', fixture, '-V', '-x', '-c', '30']],
  ['JSON', ['read', '-r', fixture, '-T', 'json', '-c', '10']],
  ['flags filter, fields', ['read', '-r', fixture, '-Y', 'tcp.analysis.flags', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream']],
  ['-z statistics and --explain', ['read', '-r', fixture, '-q', '-z', 'conv,tcp', '-z', 'expert', '--explain']],
  ['the output thread (worker from import.meta.url)', ['read', '-r', fixture], { TCPLAB_READ_PIPE: '1' }],
  ['--threads 2 (workers from import.meta.url)', ['read', '-r', fixture, '--threads', '2']],
  ['a broken filter: exit 2', ['read', '-r', fixture, '-Y', 'tcp.port ==']],
  ['a missing file: exit 2', ['read', '-r', join(root, 'no-such.pcap')]],
  ['help', ['read', '--help']],
];
for (const [name, args, env] of cases) {
  test(`bundle and ES modules print the same: ${name}`, () => {
    const b = run(args, '1', env);
    const m = run(args, '0', env);
    assert.equal(b.code, m.code);
    assert.equal(b.err, m.err);
    assert.equal(b.out, m.out);
    assert.ok(b.out.length + b.err.length > 0);
  });
}
