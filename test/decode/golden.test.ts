/**
 * decode/ against tshark 4.0 on real captures, one fixture per row: every frame's DECODE_FIELDS
 * values (test/support/decode-fields.ts) must equal the committed tshark table
 * test/golden/decode/<fixture>.tsv (regenerate: node dist/scripts/decode-golden.js <fixture>).
 *
 * Known divergences are listed in KNOWN with the reason; a listed divergence that disappears
 * also fails, so the list stays honest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../support/pcap-lite.js';
import { DECODE_FIELDS, diffRow, normaliseTsharkRow } from '../support/decode-fields.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { LAYER_SHORT_NAMES } from '../../src/decode/names.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'pcap');
const GOLD = join(ROOT, 'test', 'golden', 'decode');

/** fixture → link types it covers (for the reader of this table) */
const FIXTURES: { file: string; covers: string }[] = [
  { file: 'lo-ethernet.pcap', covers: 'Ethernet, tcpdump -i lo, IPv4 handshake/data/FIN with options' },
  { file: 'decode-lo-ipv6.pcap', covers: 'Ethernet, tcpdump -i lo, IPv6 over ::1' },
  { file: 'any-sll2.pcap', covers: 'LINUX_SLL2 (tcpdump -i any)' },
  { file: 'decode-any-sll.pcap', covers: 'LINUX_SLL (tcpdump -i any -y LINUX_SLL)' },
  { file: 'tcp-handshake-nano.pcap', covers: 'LINUX_SLL, ns pcap' },
  { file: 'snaplen-64.pcap', covers: 'snaplen cut inside TCP options' },
  { file: 'linktype-rawip.pcap', covers: 'LINKTYPE_RAW (101) over IPv4' },
  { file: 'decode-raw101.pcap', covers: 'LINKTYPE_RAW (101)' },
  { file: 'decode-raw228-ipv4.pcap', covers: 'LINKTYPE_IPV4 (228)' },
  { file: 'decode-raw229-ipv6.pcap', covers: 'LINKTYPE_IPV6 (229)' },
  { file: 'decode-raw-ipv6-beep-oobr.pcap', covers: 'raw IPv6, non-zero padding after EOL, snaplen cut' },
  { file: 'decode-raw-ipv6-frag.pcap', covers: 'IPv6 fragment header' },
  { file: 'decode-null.pcap', covers: 'LINKTYPE_NULL, IPv4 and IPv6, truncated frames' },
  { file: 'decode-sll2-01.pcap', covers: 'LINUX_SLL2' },
  { file: 'decode-sll2-packet.pcap', covers: 'LINUX_SLL2' },
  { file: 'decode-nflog.pcap', covers: 'NFLOG' },
  { file: 'decode-ppp-frag-syn.pcap', covers: 'PPP, IPv4 fragments' },
  { file: 'decode-ppp-chdlc.pcap', covers: 'PPP link type carrying Cisco HDLC' },
  { file: 'decode-eth-8021q.pcap', covers: '802.1Q VLAN' },
  { file: 'decode-eth-vlan.pcap', covers: '802.1Q VLAN, overlapping segments' },
  { file: 'decode-eth-extra-bytes.pcap', covers: 'Ethernet trailer after the IP datagram' },
  { file: 'decode-eth-icmp-quoted-tcp.pcap', covers: 'ICMP errors quoting IP+TCP' },
  { file: 'decode-eth-ipv6-ah.pcap', covers: 'IPv6 AH, IPv6-in-IPv6 tunnel, IPComp' },
  { file: 'decode-eth-option-sack.pcap', covers: 'SACK blocks' },
  { file: 'decode-eth-options.pcap', covers: 'TCP options' },
  { file: 'decode-eth-rst-data.pcap', covers: 'RST with data' },
  { file: 'decode-eth-tfo.pcap', covers: 'TCP Fast Open' },
  { file: 'decode-eth-truncated-header.pcap', covers: 'snaplen cut inside the TCP header' },
  { file: 'decode-eth-udp-tcp-icmp.pcap', covers: 'UDP, TCP, ICMP mixed' },
  { file: 'pcapng-example.pcapng', covers: 'pcapng, Ethernet + SLL interfaces' },
  { file: 'big-endian-fuzz-2006-09-29-28586.pcap', covers: 'fuzzed frames (bogus versions and lengths)' },
];

/** fixture → frame → fields allowed to differ, with the reason. */
const KNOWN: Record<string, { frames: number[]; why: string }> = {
  'decode-ppp-frag-syn.pcap': { frames: [3], why: 'Wireshark reassembles IPv4 fragments and shows TCP in the last one; tcplab decodes per frame and does not reassemble' },
  'decode-raw-ipv6-frag.pcap': { frames: [3], why: 'IPv6 reassembly, as above' },
  'decode-eth-ipv6-ah.pcap': { frames: [3, 4, 5, 6, 7, 9, 10], why: 'IPComp payloads are deflate-compressed; Wireshark inflates them, tcplab shows them as data' },
};

function loadGolden(file: string): string[][] {
  const lines = readFileSync(join(GOLD, file + '.tsv'), 'utf8').split('\n');
  assert.match(lines[0] ?? '', /^# TShark/);
  assert.equal(lines[1], DECODE_FIELDS.join('\t'), `${file}: golden columns differ from DECODE_FIELDS; regenerate`);
  return lines.slice(2).filter(l => l !== '').map(l => normaliseTsharkRow(l.split('\t')));
}

for (const { file, covers } of FIXTURES) {
  test(`golden ${file} (${covers})`, () => {
    const recs = readCaptureFile(join(FIX, file)).records;
    const gold = loadGolden(file);
    assert.equal(recs.length, gold.length, 'frame count');
    const dec = new PacketDecoder();
    const before = PacketDecoder.internalErrors;
    const known = KNOWN[file];
    const differing: number[] = [];
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i]!;
      const pkt = dec.decode(rec);
      const d = diffRow(rec, pkt, gold[i]!);
      if (d.fields.length === 0) continue;
      differing.push(rec.frameNo);
      if (!known?.frames.includes(rec.frameNo)) {
        const k = DECODE_FIELDS.indexOf(d.fields[0]!);
        assert.fail(`frame ${rec.frameNo}: ${d.fields.join(', ')} differ; first ${d.fields[0]}: tshark ${JSON.stringify(gold[i]![k])}`);
      }
    }
    assert.deepEqual(differing, known?.frames ?? [], `known divergences: ${known?.why ?? 'none'}`);
    assert.equal(PacketDecoder.internalErrors, before, 'no internal decoder errors');
  });
}

test('fixtures cover every link type the corpus carries TCP on', () => {
  const linkTypes = new Set<number>();
  for (const { file } of FIXTURES) for (const lt of readCaptureFile(join(FIX, file)).linkTypes) linkTypes.add(lt);
  // NULL 0, Ethernet 1, PPP 9, RAW 101, SLL 113, NFLOG 239, IPv4 228, IPv6 229, SLL2 276
  for (const lt of [0, 1, 9, 101, 113, 228, 229, 239, 276]) assert.ok(linkTypes.has(lt), `link type ${lt}`);
});

/**
 * "[Packet size limited during capture: <name> truncated]": the layer that ran out of bytes.
 * Expected names from tshark 4.0 on `editcap -s <snap> <fixture>` (the frames listed, in order).
 */
const SNAP_CUTS: { file: string; snap: number; names: string[] }[] = [
  { file: 'lo-ethernet.pcap', snap: 10, names: ['Ethernet'] },
  { file: 'lo-ethernet.pcap', snap: 16, names: ['IPv4'] },
  { file: 'lo-ethernet.pcap', snap: 30, names: ['IPv4'] },
  { file: 'lo-ethernet.pcap', snap: 40, names: ['TCP'] },
  { file: 'any-sll2.pcap', snap: 10, names: ['SLL'] },
  { file: 'any-sll2.pcap', snap: 16, names: ['SLL'] },
  { file: 'decode-lo-ipv6.pcap', snap: 30, names: ['IPv6'] },
  { file: 'decode-lo-ipv6.pcap', snap: 60, names: ['TCP'] },
  { file: 'decode-null.pcap', snap: 6, names: ['IPv4', 'IPv6'] },
  { file: 'decode-nflog.pcap', snap: 30, names: ['NFLOG'] },
  { file: 'decode-eth-vlan.pcap', snap: 16, names: ['VLAN'] },
  { file: 'decode-eth-udp-tcp-icmp.pcap', snap: 36, names: ['IPv6', 'TCP', 'ICMP'] },
];

for (const { file, snap, names } of SNAP_CUTS) {
  test(`snaplen ${snap} on ${file}: truncated in ${names.join(', ')}`, () => {
    const recs = readCaptureFile(join(FIX, file)).records.slice(0, names.length);
    const dec = new PacketDecoder();
    const got = recs.map(r => {
      const data = r.data.subarray(0, Math.min(snap, r.capLen));
      const p = dec.decode({ ...r, data, capLen: data.byteLength });
      assert.equal(p.truncated, true, `frame ${r.frameNo}`);
      return LAYER_SHORT_NAMES[p.truncatedLayer!];
    });
    assert.deepEqual(got, names);
  });
}
