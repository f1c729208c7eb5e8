/**
 * A small field registry over hand-made frames, for unit tests of filter/ that must not depend
 * on the decoders (ARCHITECTURE.md: filter/ sees frames only through FieldDef.values()).
 * Each test frame carries a plain `facts` record; each FieldDef reads one fact.
 */
import type { FieldDef, FieldType, FieldValue, Frame } from '../../src/fields/field.js';

export interface Facts {
  [abbrev: string]: FieldValue[] | undefined;
}

const FACTS = new WeakMap<object, Facts>();

/** A Frame for the test registry: only the test FieldDefs look inside it. */
export function frameOf(facts: Facts): Frame {
  const f = {} as Frame;
  FACTS.set(f, facts);
  return f;
}

function def(abbrev: string, type: FieldType): FieldDef {
  return {
    abbrev, name: abbrev, type, display: 'BASE_NONE', bitmask: 0,
    parent: abbrev.includes('.') ? abbrev.slice(0, abbrev.indexOf('.')) : '', blurb: '', generated: false,
    values: (f) => FACTS.get(f)?.[abbrev] ?? [],
  };
}

export const TEST_FIELDS: readonly FieldDef[] = [
  def('frame', 'FT_PROTOCOL'), def('frame.number', 'FT_UINT32'), def('frame.len', 'FT_UINT32'),
  def('frame.time_delta', 'FT_RELATIVE_TIME'), def('frame.time', 'FT_ABSOLUTE_TIME'), def('frame.protocols', 'FT_STRING'),
  def('eth', 'FT_PROTOCOL'), def('eth.addr', 'FT_ETHER'), def('eth.src', 'FT_ETHER'),
  def('ip', 'FT_PROTOCOL'), def('ip.addr', 'FT_IPv4'), def('ip.src', 'FT_IPv4'), def('ip.dst', 'FT_IPv4'), def('ip.ttl', 'FT_UINT8'),
  def('ipv6', 'FT_PROTOCOL'), def('ipv6.addr', 'FT_IPv6'), def('ipv6.src', 'FT_IPv6'),
  def('tcp', 'FT_PROTOCOL'), def('tcp.port', 'FT_UINT16'), def('tcp.srcport', 'FT_UINT16'), def('tcp.dstport', 'FT_UINT16'),
  def('tcp.flags', 'FT_UINT16'), def('tcp.flags.syn', 'FT_BOOLEAN'), def('tcp.len', 'FT_UINT32'), def('tcp.seq', 'FT_UINT32'),
  def('tcp.payload', 'FT_BYTES'), def('tcp.options.sack_le', 'FT_UINT32'), def('tcp.analysis.retransmission', 'FT_NONE'),
  def('tcp.analysis.ack_rtt', 'FT_RELATIVE_TIME'), def('tcp.window', 'FT_INT32'), def('tcp.big', 'FT_UINT64'),
  def('tcp.flags.str', 'FT_STRING'),
];

const BY_NAME = new Map(TEST_FIELDS.map((d) => [d.abbrev, d]));
export const testLookup = (abbrev: string): FieldDef | undefined => BY_NAME.get(abbrev);

const ip4 = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const v6 = (last: number, first = 0): Uint8Array => { const b = new Uint8Array(16); b[15] = last; b[0] = first >> 8; b[1] = first & 0xff; return b; };

/** Eight frames with the shapes filters meet: IPv4/IPv6 TCP, SYN, payloads, several occurrences, non-IP. */
export const TEST_FRAMES: readonly Frame[] = [
  // 1: IPv4 SYN 127.0.0.1:40000 → 127.0.0.1:80
  frameOf({ frame: [true], 'frame.number': [1], 'frame.len': [74], 'frame.time_delta': [0], 'frame.protocols': ['eth:ethertype:ip:tcp'], 'frame.time': [{ sec: 1700000000, nsec: 0 }],
    eth: [true], 'eth.addr': [new Uint8Array(6), Uint8Array.of(0, 0x11, 0x22, 0x33, 0x44, 0x55)], 'eth.src': [Uint8Array.of(0, 0x11, 0x22, 0x33, 0x44, 0x55)],
    ip: [true], 'ip.addr': [ip4('127.0.0.1'), ip4('127.0.0.1')], 'ip.src': [ip4('127.0.0.1')], 'ip.dst': [ip4('127.0.0.1')], 'ip.ttl': [64],
    tcp: [true], 'tcp.port': [40000, 80], 'tcp.srcport': [40000], 'tcp.dstport': [80], 'tcp.flags': [0x002], 'tcp.flags.syn': [true], 'tcp.len': [0], 'tcp.seq': [0],
    'tcp.window': [-5], 'tcp.big': [1n << 40n], 'tcp.flags.str': ['··········S·'] }),
  // 2: IPv4 SYN/ACK 10.0.0.1:80 → 127.0.0.1:40000
  frameOf({ frame: [true], 'frame.number': [2], 'frame.len': [74], 'frame.time_delta': [600_000_000], 'frame.protocols': ['eth:ethertype:ip:tcp'], 'frame.time': [{ sec: 1700000000, nsec: 600_000_000 }],
    ip: [true], 'ip.addr': [ip4('10.0.0.1'), ip4('127.0.0.1')], 'ip.src': [ip4('10.0.0.1')], 'ip.dst': [ip4('127.0.0.1')], 'ip.ttl': [128],
    tcp: [true], 'tcp.port': [80, 40000], 'tcp.srcport': [80], 'tcp.dstport': [40000], 'tcp.flags': [0x012], 'tcp.flags.syn': [true], 'tcp.len': [0], 'tcp.seq': [0],
    'tcp.analysis.ack_rtt': [600_000_000], 'tcp.window': [100], 'tcp.big': [5n], 'tcp.flags.str': ['·······A··S·'] }),
  // 3: IPv4 data "hello world\n"
  frameOf({ frame: [true], 'frame.number': [3], 'frame.len': [78], 'frame.time_delta': [1000], 'frame.protocols': ['eth:ethertype:ip:tcp'],
    ip: [true], 'ip.addr': [ip4('127.0.0.1'), ip4('10.0.0.1')], 'ip.src': [ip4('127.0.0.1')], 'ip.dst': [ip4('10.0.0.1')], 'ip.ttl': [64],
    tcp: [true], 'tcp.port': [40000, 80], 'tcp.srcport': [40000], 'tcp.dstport': [80], 'tcp.flags': [0x018], 'tcp.flags.syn': [false], 'tcp.len': [12], 'tcp.seq': [1],
    'tcp.payload': [enc('hello world\n')], 'tcp.flags.str': ['·······AP···'] }),
  // 4: IPv4 retransmission of "GET / HTTP/1.1", SACK blocks (two occurrences)
  frameOf({ frame: [true], 'frame.number': [4], 'frame.len': [80], 'frame.time_delta': [2_000_000_000], 'frame.protocols': ['eth:ethertype:ip:tcp'],
    ip: [true], 'ip.addr': [ip4('192.168.1.7'), ip4('10.0.0.1')], 'ip.src': [ip4('192.168.1.7')], 'ip.dst': [ip4('10.0.0.1')], 'ip.ttl': [1],
    tcp: [true], 'tcp.port': [5555, 80], 'tcp.srcport': [5555], 'tcp.dstport': [80], 'tcp.flags': [0x018], 'tcp.flags.syn': [false], 'tcp.len': [14], 'tcp.seq': [1],
    'tcp.payload': [enc('GET / HTTP/1.1')], 'tcp.options.sack_le': [100, 300], 'tcp.analysis.retransmission': [true] }),
  // 5: IPv6 ::1 → ::1 data with binary payload
  frameOf({ frame: [true], 'frame.number': [5], 'frame.len': [90], 'frame.time_delta': [50_000_000], 'frame.protocols': ['eth:ethertype:ipv6:tcp'],
    ipv6: [true], 'ipv6.addr': [v6(1), v6(1)], 'ipv6.src': [v6(1)],
    tcp: [true], 'tcp.port': [6667, 39324], 'tcp.srcport': [6667], 'tcp.dstport': [39324], 'tcp.flags': [0x018], 'tcp.flags.syn': [false], 'tcp.len': [4], 'tcp.seq': [1],
    'tcp.payload': [Uint8Array.of(0, 1, 2, 0xff)] }),
  // 6: IPv6 2001:db8::5 → ::1, FIN
  frameOf({ frame: [true], 'frame.number': [6], 'frame.len': [86], 'frame.time_delta': [0], 'frame.protocols': ['eth:ethertype:ipv6:tcp'],
    ipv6: [true], 'ipv6.addr': [v6(5, 0x2001), v6(1)], 'ipv6.src': [v6(5, 0x2001)],
    tcp: [true], 'tcp.port': [6667, 6667], 'tcp.srcport': [6667], 'tcp.dstport': [6667], 'tcp.flags': [0x011], 'tcp.flags.syn': [false], 'tcp.len': [0], 'tcp.seq': [30] }),
  // 7: not IP (ARP-like)
  frameOf({ frame: [true], 'frame.number': [7], 'frame.len': [42], 'frame.time_delta': [10], 'frame.protocols': ['eth:ethertype:arp'],
    eth: [true], 'eth.addr': [Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0, 0x11, 0x22, 0x33, 0x44, 0x55)], 'eth.src': [Uint8Array.of(0, 0x11, 0x22, 0x33, 0x44, 0x55)] }),
  // 8: IPv4 with a UINT64 and a negative INT32
  frameOf({ frame: [true], 'frame.number': [8], 'frame.len': [60], 'frame.time_delta': [500_000_000],
    ip: [true], 'ip.addr': [ip4('127.0.0.2'), ip4('127.0.0.3')], 'ip.src': [ip4('127.0.0.2')], 'ip.dst': [ip4('127.0.0.3')], 'ip.ttl': [255],
    tcp: [true], 'tcp.port': [1, 65535], 'tcp.srcport': [1], 'tcp.dstport': [65535], 'tcp.flags': [0x004], 'tcp.flags.syn': [false], 'tcp.len': [0], 'tcp.seq': [4294967295],
    'tcp.window': [-2147483648], 'tcp.big': [18446744073709551615n] }),
];
