/**
 * Byte builders for hand-made test packets (Ethernet, VLAN, IPv4, IPv6, TCP, UDP, ICMP). Lengths
 * are computed unless overridden, so a test can lie about exactly one field. The IPv4 header
 * checksum is computed; transport checksums are left 0 (decode/ does not verify them).
 */
import { parseIPv4, parseIPv6 } from '../../src/util/addr.js';

export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export const u16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
export const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const ip4 = (s: string): number[] => u32(parseIPv4(s) ?? 0);
const ip6 = (s: string): Uint8Array => parseIPv6(s) ?? new Uint8Array(16);

export interface TcpOpts {
  sport?: number; dport?: number; seq?: number; ack?: number; flags?: number; win?: number; urg?: number;
  options?: number[]; payload?: Uint8Array | number[];
  /** Data offset in 32-bit words (default: from the options, padded to 4). */
  dataOffset?: number;
}

export function tcp(o: TcpOpts = {}): Uint8Array {
  const opts = [...(o.options ?? [])];
  while (opts.length % 4 !== 0) opts.push(0);
  const doff = o.dataOffset ?? 5 + opts.length / 4;
  const flags = o.flags ?? 0x010;
  return cat(
    u16(o.sport ?? 40000), u16(o.dport ?? 80), u32(o.seq ?? 1000), u32(o.ack ?? 0),
    [(doff << 4) | ((flags >> 8) & 0x0f), flags & 0xff], u16(o.win ?? 65535), u16(0), u16(o.urg ?? 0),
    opts, o.payload ?? [],
  );
}

export interface Ipv4Opts {
  src?: string; dst?: string; proto?: number; ttl?: number; id?: number;
  /** Flags (3 bits: 0x2 DF, 0x1 MF) and fragment offset in 8-byte units. */
  flags?: number; fragOffset?: number;
  options?: number[]; totalLen?: number; ihl?: number;
}

export function ipv4(payload: Uint8Array, o: Ipv4Opts = {}): Uint8Array {
  const opts = [...(o.options ?? [])];
  while (opts.length % 4 !== 0) opts.push(0);
  const ihl = o.ihl ?? 5 + opts.length / 4;
  const hdr = cat(
    [0x40 | (ihl & 15), 0], u16(o.totalLen ?? 20 + opts.length + payload.length), u16(o.id ?? 1),
    u16(((o.flags ?? 2) << 13) | (o.fragOffset ?? 0)), [o.ttl ?? 64, o.proto ?? 6], u16(0),
    ip4(o.src ?? '192.0.2.1'), ip4(o.dst ?? '198.51.100.2'), opts,
  );
  let sum = 0;
  for (let i = 0; i < hdr.length; i += 2) sum += (hdr[i]! << 8) | (hdr[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  hdr[10] = (~sum >> 8) & 255;
  hdr[11] = ~sum & 255;
  return cat(hdr, payload);
}

export interface Ipv6Opts { src?: string; dst?: string; nxt?: number; plen?: number; hlim?: number; flow?: number }

export function ipv6(payload: Uint8Array, o: Ipv6Opts = {}): Uint8Array {
  const flow = o.flow ?? 0x12345;
  return cat(
    [0x60, (flow >> 16) & 0x0f, (flow >> 8) & 255, flow & 255], u16(o.plen ?? payload.length), [o.nxt ?? 6, o.hlim ?? 64],
    ip6(o.src ?? '2001:db8::1'), ip6(o.dst ?? '2001:db8::2'), payload,
  );
}

/** A generic IPv6 extension header (HBH/DSTOPTS/Routing): 8 bytes of PadN options. */
export function ext6(nxt: number, len8 = 0): Uint8Array {
  const total = (len8 + 1) * 8;
  const b = new Uint8Array(total);
  b[0] = nxt; b[1] = len8; b[2] = 1; b[3] = total - 4; // PadN filling the rest
  return b;
}

/** IPv6 AH (RFC 4302): length in 4-byte units minus 2; 12 bytes of ICV. */
export function ah(nxt: number): Uint8Array {
  return cat([nxt, 4, 0, 0], u32(0x100), u32(1), new Uint8Array(12));
}

export function frag6(nxt: number, offset8: number, more: boolean, id = 7): Uint8Array {
  return cat([nxt, 0], u16((offset8 << 3) | (more ? 1 : 0)), u32(id));
}

export const MAC_A = [0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c];
export const MAC_B = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

export function eth(type: number, payload: Uint8Array, vlans: { tpid: number; tci: number }[] = []): Uint8Array {
  const tags: number[] = [];
  let outer = type;
  if (vlans.length) {
    outer = vlans[0]!.tpid;
    for (let i = 0; i < vlans.length; i++) {
      tags.push(...u16(vlans[i]!.tci), ...u16(i + 1 < vlans.length ? vlans[i + 1]!.tpid : type));
    }
  }
  return cat(MAC_B, MAC_A, u16(outer), tags, payload);
}

export function udp(sport: number, dport: number, payload: Uint8Array | number[], len?: number): Uint8Array {
  return cat(u16(sport), u16(dport), u16(len ?? 8 + payload.length), u16(0), payload);
}

export function icmp(type: number, code: number, rest: number[], payload: Uint8Array | number[] = []): Uint8Array {
  return cat([type, code], u16(0), rest, payload);
}
