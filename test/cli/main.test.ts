import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'tcplab');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });

test('--help lists every command with one line each', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  for (const c of ['serve', 'connect', 'read', 'capture', 'ui', 'lab']) {
    assert.match(r.stdout, new RegExp(`^  ${c}\\b.*\\S`, 'm'), `command ${c} listed`);
  }
});

test('--version prints the package version', () => {
  const r = run('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('an unknown option is a usage error: exit 2, one message, no stack', () => {
  const r = run('--no-such-flag');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option/);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
});
