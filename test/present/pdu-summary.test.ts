/**
 * TLS, SSH, BitTorrent and MQTT over TCP in the one-line output. The line-for-line comparison
 * with tshark 4.0.17 runs in http-summary.test.ts over every golden in test/golden/http/
 * (the pdu-*.summary.txt ones included, made by regen.sh); this file checks that those goldens
 * exist and hold the lines the PDU desegmentation must reproduce, so a golden set that silently
 * lost them fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const goldenDir = join(root, 'test', 'golden', 'http');

const EXPECT: Record<string, string[]> = {
  'pdu-tls-tcp-opt.pcap.summary.txt': [
    'TCP 1480 [TCP segment of a reassembled PDU]',
    'TCP 1480 443 → 49506 [PSH, ACK] Seq=1441 Ack=518 Win=1047552 Len=1440 [TCP segment of a reassembled PDU]',
    'TLSv1.2 547 Server Hello, Certificate',
    '[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]',
  ],
  'pdu-tls-ack-payload-1-63.pcap.summary.txt': ['[TCP Out-Of-Order] [Illegal Segments]', '[TCP ACKed unseen segment]  [TCP segment of a reassembled PDU]', 'Ignored Unknown Record'],
  'pdu-ssh-mptcp-v0.pcap.summary.txt': ['TCP 118 [TCP segment of a reassembled PDU]', 'SSHv2 934 Client: Key Exchange Init', 'SSH 870 Server: Encrypted packet (len=784)'],
  // After New Keys with chacha20-poly1305 tshark decrypts with zero keys: no Info text at all.
  'pdu-ssh-ed25519.pcap.summary.txt': ['SSHv2 1630 Server: Diffie-Hellman Key Exchange Reply, New Keys\n', 'SSHv2 110 Client: \n'],
  'pdu-bittorrent-tcp-miss.pcapng.summary.txt': ['6881 → 48987 [ACK] Seq=1094 Ack=1026 Win=131328 Len=1440 [TCP segment of a reassembled PDU]', 'BitTorrent 1494 Piece, Idx:0x84,Begin:0x0,Len:0x4000  '],
  // Thrift (heuristic, unframed): the header is named before the rest of the message arrives.
  'pdu-thrift-loopback.pcap.summary.txt': ['TCP 766 CALL get_items [TCP segment of a reassembled PDU]', 'THRIFT 1902 CALL get_items', 'THRIFT 125 CALL describe, EXCEPTION oops'],
  // X11: framing only (requests 4 × length, replies 32 + 4 × length, setup by its lengths).
  'pdu-x11-loopback.pcap.summary.txt': [
    'TCP 1266 40358 → 6000 [PSH, ACK] Seq=29 Ack=33 Win=65536 Len=1200 TSval=3829256826 TSecr=1148185556 [TCP segment of a reassembled PDU]',
    'TCP 1066 6000 → 40358 [PSH, ACK] Seq=1097 Ack=3629 Win=78848 Len=1000 TSval=1148185635 TSecr=3829256888 [TCP segment of a reassembled PDU]',
  ],
  'pdu-mqtt-limit-2-1-20.pcap.summary.txt': ['TCP 32854 [TCP segment of a reassembled PDU]', 'MQTT 96 Subscribe Request (id=1) [foo]', 'MQTT 1793 Publish Message (id=2) [foo]'],
};

const present = new Set(readdirSync(goldenDir));

for (const [g, needles] of Object.entries(EXPECT)) {
  test(`${g} holds the reassembled-PDU lines tshark prints`, () => {
    assert.ok(present.has(g), `missing golden ${g}`);
    const text = readFileSync(join(goldenDir, g), 'utf8');
    for (const n of needles) assert.ok(text.includes(n), `${g}: no line with ${n}`);
  });
}
