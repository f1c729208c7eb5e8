/**
 * FrameStore: rows, server-side filter cache, tree byte spans, the memory cap, and views, on
 * real captures (the CLI's output is the reference for rows and filter results).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameStore, type TreeItem } from '../../src/web/store.js';
import { bufferSource, loadSource } from '../../src/web/ingest.js';
import { followView, streamView } from '../../src/web/views.js';
import { fixture, root } from './support.js';

async function load(name: string, maxFrames?: number): Promise<FrameStore> {
  const store = new FrameStore(name, maxFrames !== undefined ? { maxFrames } : {});
  await loadSource(store, bufferSource(readFileSync(fixture(name)), name));
  return store;
}

function cli(name: string, ...args: string[]): string[] {
  return execFileSync(process.execPath, [join(root, 'bin', 'tcplab'), 'read', '-r', fixture(name), ...args], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}

test('rows carry the columns of tcplab read, for every frame', async () => {
  for (const name of ['analysis-lo-bulk-loss.pcap', 'analysis-lo-telnet-v6.pcap', 'decode-eth-udp-tcp-icmp.pcap']) {
    const s = await load(name);
    const lines = cli(name);
    const rows = s.rows('', 0, 1000);
    assert.equal(rows.length, lines.length, name);
    rows.forEach((r, i) => {
      const l = lines[i]!;
      assert.ok(l.includes(` ${r.proto} ${r.len} ${r.info}`), `${name} #${r.no}: ${l}`);
      assert.ok(l.trimStart().startsWith(`${r.no} `));
    });
  }
});

test('filters run server-side and match tcplab read -Y frame for frame', async () => {
  const s = await load('analysis-loss.pcap');
  for (const f of ['tcp.analysis.retransmission', 'tcp.analysis.flags && !tcp.analysis.window_update', 'tcp.len >= 100', 'ip.src == 10.0.0.1 || tcp.flags.syn == 1']) {
    assert.deepEqual(s.compile(f), { ok: true });
    const want = cli('analysis-loss.pcap', '-Y', f, '-T', 'fields', '-e', 'frame.number').map(Number);
    assert.deepEqual(s.rows(f, 0, 100_000).map((r) => r.no), want, f);
    assert.equal(s.displayed(f), want.length);
    if (want.length > 0) assert.equal(s.indexOf(f, want[want.length - 1]!), want.length - 1);
  }
  const bad = s.compile('tcp.port == ');
  assert.equal(bad.ok, false);
});

test('filters on application-layer results (HTTP, a SigComp exception) match tcplab read -Y, and the tree keeps them', async () => {
  for (const [name, f] of [['filter-v6-http.pcap', 'http.request'], ['present-lo-chunk1-sigcomp.pcap', '_ws.malformed']] as const) {
    const s = await load(name);
    assert.deepEqual(s.compile(f), { ok: true });
    const want = cli(name, '-Y', f, '-T', 'fields', '-e', 'frame.number').map(Number);
    assert.ok(want.length > 0, `${name}: ${f} matches frames`);
    assert.deepEqual(s.rows(f, 0, 100_000).map((r) => r.no), want, `${name}: ${f}`);
  }
  const s = await load('present-lo-chunk1-sigcomp.pcap');
  const labels = JSON.stringify(s.detail(4));
  assert.match(labels, /Malformed Packet: SIGCOMP/);
  assert.doesNotMatch(labels, /"Data \(1 byte\)"/);
});

test('tree items carry byte spans: protocols their header, fields their bytes', async () => {
  const s = await load('analysis-lo-bulk-loss.pcap');
  const d = s.detail(1)!;
  const find = (items: TreeItem[], re: RegExp): TreeItem | undefined => {
    for (const it of items) {
      if (re.test(it.label)) return it;
      const c = find(it.children ?? [], re);
      if (c) return c;
    }
    return undefined;
  };
  assert.deepEqual(find(d.tree, /^Ethernet II/)?.span, [0, 14]);
  assert.deepEqual(find(d.tree, /^Internet Protocol Version 4/)?.span, [14, 20]);
  assert.deepEqual(find(d.tree, /^Transmission Control Protocol/)?.span, [34, 40]);
  assert.deepEqual(find(d.tree, /^Destination Port: 6666/)?.span, [36, 2]);
  assert.deepEqual(find(d.tree, /^Source Address: /)?.span, [26, 4]);
  assert.deepEqual(find(d.tree, /^TCP Option - Maximum segment size/)?.span, [54, 4]);
  assert.deepEqual(find(d.tree, /^TCP Option - Window scale/)?.span, [71, 3]);
  assert.equal(find(d.tree, /^\[Stream index/)?.span, undefined, 'generated fields have no bytes');
  assert.equal(d.bytes.length, 74 * 2);
  assert.equal(s.detail(999), undefined);
});

test('memory cap: the oldest frames go, counts and filters stay consistent', async () => {
  const s = await load('analysis-lo-bulk-loss.pcap', 20);
  assert.equal(s.total, 73);
  assert.ok(s.dropped > 0 && s.total - s.dropped <= 20, `dropped ${s.dropped}`);
  const rows = s.rows('', 0, 100);
  assert.equal(rows[0]!.no, s.firstNo);
  assert.equal(rows[rows.length - 1]!.no, 73);
  s.compile('tcp.len > 0');
  const shown = s.rows('tcp.len > 0', 0, 100).map((r) => r.no);
  assert.ok(shown.every((n) => n >= s.firstNo));
  assert.ok(streamView(s, 0)!.rows.every((r) => r.no >= s.firstNo));
});

test('flow graph rows and follow text of a telnet session', async () => {
  const s = await load('analysis-lo-telnet-v4.pcap');
  const v = streamView(s, 0)!;
  assert.equal(v.rows.length, cli('analysis-lo-telnet-v4.pcap', '-Y', 'tcp.stream == 0').length);
  assert.deepEqual(v.rows.slice(0, 3).map((r) => r.flags), ['SYN', 'SYN, ACK', 'ACK']);
  assert.deepEqual(v.rows.slice(0, 3).map((r) => r.dir), [0, 1, 0]);
  assert.notEqual(v.a, v.b);
  const f = followView(s, 0)!;
  const text0 = f.chunks.filter((c) => c.node === 0).map((c) => c.text).join('');
  const text1 = f.chunks.filter((c) => c.node === 1).map((c) => c.text).join('');
  assert.ok(text0.length > 0 && text1.length > 0);
  // The echo server sends back what it got.
  assert.equal(text1, text0);
  assert.equal(streamView(s, 99), undefined);
});

test('server: memory-cap notice in the status; loopback binds refuse foreign Host names (DNS rebinding)', async () => {
  const { UiServer, isLoopbackHost } = await import('../../src/web/server.js');
  const ui = new UiServer({ port: 0, maxFrames: 20 });
  try {
    await ui.openFile(fixture('analysis-lo-bulk-loss.pcap'));
    const url = await ui.listen();
    for (let i = 0; i < 100 && !ui.store.done; i++) await new Promise((r) => setTimeout(r, 20));
    const st = await (await fetch(`${url}api/status`)).json() as { total: number; notices: string[] };
    assert.equal(st.total, 73);
    assert.match(st.notices.join('\n'), /Memory cap: only the last 20 frames are kept; \d+ older frames were dropped/);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const r = request(`${url}api/status`, { headers: { Host: 'evil.example:8080' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      r.on('error', reject);
      r.end();
    });
    assert.equal(status, 403);
  } finally {
    await ui.close();
  }
  assert.deepEqual(['127.0.0.1:8080', 'localhost', '[::1]:80', '127.1.2.3', 'evil.example', '10.0.0.1:80', '[fe80::1]:80'].map(isLoopbackHost), [true, true, true, true, false, false, false]);
});

test('frames rebuilt from the store\'s columns equal the Session\'s: record, times, -V tree (FIN roles, echo replies, comments, two interfaces)', async () => {
  const { Session } = await import('../../src/pipeline/session.js');
  const { PacketDecoder } = await import('../../src/decode/decoder.js');
  const { buildTree } = await import('../../src/fields/tree.js');
  const labels = (items: readonly { label: string; children?: readonly unknown[] }[]): string[] =>
    items.flatMap((i) => [i.label, ...labels((i.children ?? []) as { label: string; children?: readonly unknown[] }[])]);
  for (const name of ['analysis-lo-halfclose.pcap', 'decode-eth-udp-tcp-icmp.pcap', 'pcapng-example.pcapng', 'analysis-loss.pcap', 'decode-lo-ipv6.pcap']) {
    const s = await load(name);
    const dec = new PacketDecoder();
    let n = 0;
    for await (const f of new Session(bufferSource(readFileSync(fixture(name)), name))) {
      n++;
      const no = f.record.frameNo;
      const g = s.frame(no);
      assert.ok(g, `${name} #${no} retained`);
      const { data, ...rec } = f.record;
      const { data: gData, ...gRec } = g.record;
      assert.deepEqual(gRec, rec, `${name} #${no} record`);
      assert.deepEqual([...gData], [...data], `${name} #${no} bytes`);
      assert.deepEqual([g.timeRelativeNs, g.timeDeltaNs, g.timeDeltaDisplayedNs, g.tsDigits], [f.timeRelativeNs, f.timeDeltaNs, f.timeDeltaDisplayedNs, f.tsDigits], `${name} #${no} times`);
      // The capture info grows as a pcapng file is read (one more interface per IDB): compare what frame no saw.
      assert.deepEqual([g.capture?.format, g.capture?.interfaces[rec.ifIndex]], [f.capture?.format, f.capture?.interfaces[rec.ifIndex]], `${name} #${no} capture info`);
      // The detail tree of the stored frame is the tree of the Session's own frame (FIN roles and
      // echo requests are known by the Session's Frame object), hidden items aside.
      f.pkt = dec.decode(f.record);
      const want = labels(buildTree(f).filter((t) => !t.hidden).map(function strip(t): { label: string; children: { label: string; children?: readonly unknown[] }[] } {
        return { label: t.generated ? `[${t.label}]` : t.label, children: t.children.filter((c) => !c.hidden).map(strip) };
      }));
      assert.deepEqual(labels(s.detail(no)!.tree), want, `${name} #${no} tree`);
    }
    assert.equal(n, s.total, name);
  }
});
