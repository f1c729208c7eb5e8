/**
 * Kernel drop counts of a live capture: parsed from the tool's closing statistics (tcpdump's
 * "N packets dropped by kernel", dumpcap's "Packets received/dropped on interface" line), and read
 * from a real tcpdump on the loopback after stop() (root; tcpdump).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { startLiveCapture, parseKernelDrops } from '../../src/wire/live.js';
import { withTimeout } from './support.js';

const canCapture = spawnSync('tcpdump', ['--version']).status === 0 && process.getuid?.() === 0;
const servers: net.Server[] = [];
after(() => { for (const s of servers) s.close(); });

test('parseKernelDrops reads tcpdump and dumpcap statistics', () => {
  assert.equal(parseKernelDrops('tcpdump: listening on lo\n300000 packets captured\n626686 packets received by filter\n26484 packets dropped by kernel\n'), 26484);
  assert.equal(parseKernelDrops('1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n'), 0);
  assert.equal(parseKernelDrops("Packets received/dropped on interface 'lo': 1200/7 (pcap:7/dumpcap:0/flushed:0/ps_ifdrop:0) (99.4%)\n"), 7);
  assert.equal(parseKernelDrops('tcpdump: lo: No such device exists\n'), undefined);
});

test('a stopped tcpdump capture reports its kernel drop count', { skip: !canCapture }, async () => {
  const srv = net.createServer((c) => c.on('data', (d) => c.write(d)).on('error', () => undefined));
  servers.push(srv);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const src = await withTimeout(startLiveCapture({ iface: 'lo', bpf: `tcp port ${port}`, tool: 'tcpdump' }), 15_000, 'start');
  const c = net.connect(port, '127.0.0.1');
  await withTimeout(once(c, 'connect'), 5000, 'connect');
  c.write('x');
  await withTimeout(once(c, 'data'), 5000, 'echo');
  c.end();
  await withTimeout(once(c, 'close'), 5000, 'close');
  let frames = 0;
  const done = (async () => { for await (const _ of src) frames++; })();
  await new Promise((r) => setTimeout(r, 300));
  src.stop();
  await withTimeout(done, 10_000, 'end');
  assert.ok(frames >= 5, `frames ${frames}`);
  assert.equal(await withTimeout(src.kernelDrops(), 5000, 'drops'), 0);
});
