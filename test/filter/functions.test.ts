/**
 * Display-filter functions over a real capture (Wireshark 4.0 dfunctions.c: len, count, upper,
 * lower, string, max, min, abs). Expected frames from
 *   tshark -n -r test/fixtures/pcap/filter-loopback.pcap -Y <filter> -T fields -e frame.number
 * Broken calls (wrong argument kinds and types) are rows of test/golden/filter/errors.jsonl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFilter } from '../../src/filter/index.js';
import { openCaptureFile } from '../../src/wire/open.js';
import { Session } from '../../src/pipeline/session.js';
import { evalReference } from '../support/eval-reference.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const ROWS: [string, number[]][] = [
  ["string(tcp.srcport) == \"6666\"", [2,5,6,9,12,15,31,34,35,41]],
  ["string(ip.src) == \"127.0.0.1\"", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,30,31,32,33,34,35,36,37,38,39,40,41,42]],
  ["string(ipv6.src) == \"::1\"", [17,18,19,20,21,22,23,24,25,26,27,28,29]],
  ["string(tcp.port) matches \"^66\"", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,41,42]],
  ["string(eth.src) contains \"00:00\"", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42]],
  ["string(frame.number) == \"5\"", [5]],
  ["max(tcp.srcport, tcp.dstport) == 6666", []],
  ["min(tcp.srcport, tcp.dstport) == 6666", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,30,31,32,33,34,35,36,37,41,42]],
  ["max(tcp.srcport, tcp.dstport) > 50000", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,30,31,32,33,34,35,36,37,41,42]],
  ["max(tcp.len, 5) == 5", [1,2,3,5,7,10,11,12,13,14,15,16,17,18,19,21,23,26,27,28,29,30,31,32,34,36,37,38,39,40,41,42]],
  ["min(tcp.len) == 0", [1,2,3,5,7,10,13,14,15,16,17,18,19,21,23,26,27,28,29,30,31,32,34,36,37,38,39,41,42]],
  ["max(tcp.srcport, udp.srcport) > 1000", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42]],
  ["max(ip.src, ip.dst) == 127.0.0.1", [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,30,31,32,33,34,35,36,37,38,39,40,41,42]],
  ["abs(tcp.len) == 12", [4,6]],
  ["abs(tcp.window_size_scalefactor) == 1024", [3,4,5,6,7,8,9,10,11,12,13,14,15,16,19,20,21,22,23,24,25,26,27,28,29,32,33,34,35,36,37,41,42]],
  ["abs(frame.time_delta) > 0.5", [17]],
  ["tcp.len == max(tcp.len, 12)", [4,6,8,9,24,25,33,35]],
  ["tcp.srcport == max(tcp.srcport, tcp.dstport)", [1,3,4,7,8,10,11,13,14,16,17,19,20,23,24,26,27,29,30,32,33,36,37,38,42]],
  ["len(tcp.payload) == abs(12)", [4,6]],
  ["max(tcp.flags.str) == \"x\"", []],
];

test('functions select the frames tshark 4.0 selects on filter-loopback.pcap', async () => {
  const compiled = ROWS.map(([f]) => {
    const r = parseFilter(f);
    assert.ok(r.ok, f);
    return r.filter;
  });
  const got: number[][] = ROWS.map(() => []);
  const src = await openCaptureFile(join(root, 'test', 'fixtures', 'pcap', 'filter-loopback.pcap'));
  try {
    for await (const frame of new Session(src)) {
      compiled.forEach((c, i) => {
        const mine = c.test(frame);
        if (mine) got[i]?.push(frame.record.frameNo);
        if (c.plan) assert.equal(evalReference(c.plan, frame), mine, `${c.text} @${frame.record.frameNo}: reference`);
      });
    }
  } finally {
    src.close();
  }
  ROWS.forEach(([f, frames], i) => assert.deepEqual(got[i], frames, f));
});
