/**
 * `tcplab capture -z … --explain` on the loopback (root; tcpdump): a real echo exchange is
 * captured and the statistics are printed when the capture stops, as tshark does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'tcplab');
const canCapture = spawnSync('tcpdump', ['--version']).status === 0 && process.getuid?.() === 0;

test('capture -q -z conv,tcp -z follow,tcp,ascii,0 --explain: tables after the capture', { skip: !canCapture && 'needs root and tcpdump', timeout: 30_000 }, async () => {
  const server = net.createServer((c) => c.pipe(c));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  try {
    const child = spawn(process.execPath, [bin, 'capture', '-i', 'lo', '-f', `tcp port ${port}`, '-c', '10', '-a', 'duration:15', '-q', '-z', 'conv,tcp', '-z', 'follow,tcp,ascii,0', '--explain'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    for (let i = 0; i < 100 && !err.includes('Capturing on'); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const c = net.connect(port, '127.0.0.1');
    await once(c, 'connect');
    c.write('hello tcplab\n');
    await once(c, 'data');
    c.end();
    await once(c, 'close');
    const [code] = await once(child, 'exit') as [number];
    assert.equal(code, 0, err);
    assert.match(out, /Follow: tcp,ascii\nFilter: tcp\.stream eq 0\nNode 0: 127\.0\.0\.1:\d+\nNode 1: 127\.0\.0\.1:\d+\n13\nhello tcplab\n\n\t13\nhello tcplab\n\n=+\n/);
    assert.match(out, new RegExp(`127\\.0\\.0\\.1:\\d+ +<-> 127\\.0\\.0\\.1:${port} +\\d+ \\d+ bytes`));
    assert.match(out, /\nStream 0: frames 1–\d+, .*; handshake RTT \d+ µs\n/);
    assert.match(out, /closed: FIN \(both sides closed\)\n$/);
  } finally {
    server.close();
  }
});
