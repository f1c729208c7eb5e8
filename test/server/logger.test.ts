/**
 * The serve logger's text rendering and the --log-data dump format (seed style byte list plus a
 * Go %q-like printable form), and the metrics registered from EchoServer.stats().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { formatDataDump, renderTextLine } from '../../src/server/logger.js';
import { registerEchoMetrics } from '../../src/server/metrics.js';
import { EchoServer, formatPeer } from '../../src/server/echo-server.js';
import { echoOnce } from './support.js';

test('formatDataDump: byte list and printable form, table of edge cases', () => {
  const rows: [number[], string][] = [
    [[], '[] ""'],
    [[104, 105, 10], '[104 105 10] "hi\\n"'],
    [[13, 10, 9, 0, 0x7f, 0xff, 0x22, 0x5c, 0x20], '[13 10 9 0 127 255 34 92 32] "\\r\\n\\t\\x00\\x7f\\xff\\"\\\\ "'],
  ];
  for (const [bytes, want] of rows) assert.equal(formatDataDump(Uint8Array.from(bytes)), want);
});

test('renderTextLine: "ISO-time LEVEL message", errors appended, junk passed through', () => {
  assert.equal(
    renderTextLine('{"level":"info","time":"2026-11-24T16:30:00.123Z","msg":"Accepted new connection from 127.0.0.1:41402","conn":1}\n'),
    '2026-11-24T16:30:00.123Z INFO Accepted new connection from 127.0.0.1:41402\n');
  assert.equal(renderTextLine('{"level":"error","time":"2026-11-24T16:30:00.123Z","msg":"boom","err":{"message":"why"}}'),
    '2026-11-24T16:30:00.123Z ERROR boom (why)\n');
  assert.equal(renderTextLine('not json'), 'not json\n');
});

test('formatPeer: IPv4, IPv6 in brackets, IPv4-mapped shown as IPv4', () => {
  assert.equal(formatPeer('127.0.0.1', 41402), '127.0.0.1:41402');
  assert.equal(formatPeer('::1', 5), '[::1]:5');
  assert.equal(formatPeer('::ffff:10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(formatPeer(undefined, undefined), 'unknown peer');
});

test('registerEchoMetrics: counters read from the server at scrape time', async () => {
  const server = new EchoServer({ host: '127.0.0.1', port: 0 });
  const registry = new Registry();
  registerEchoMetrics(server, registry);
  const { port } = await server.start();
  try {
    await echoOnce(port, Buffer.alloc(1234, 1));
    await echoOnce(port, Buffer.alloc(766, 2));
    const text = await registry.metrics();
    assert.match(text, /^tcplab_connections_total 2$/m);
    assert.match(text, /^tcplab_received_bytes_total 2000$/m);
    assert.match(text, /^tcplab_sent_bytes_total 2000$/m);
    assert.match(text, /^tcplab_connections_open 0$/m);
    assert.match(text, /^tcplab_connections_refused_total 0$/m);
  } finally {
    await server.stop(0);
  }
});
