/**
 * DecodeState: the per-frame cursor every dissector in decode/ works on, and the packet factory.
 *
 * Bounds model (Wireshark's tvbuff): each layer gets `end`, the *reported* end of its data (from
 * the frame's original length, narrowed by length fields such as the IP total length). The bytes
 * really present end at `min(cap, end)`. A read that passes the captured end but stays inside
 * `end` is a snaplen cut (`truncated`, Wireshark's BoundsError); a read past `end` is a malformed
 * packet (a DecodeIssue, Wireshark's ReportedBoundsError). Inside an ICMP error the quoted packet
 * is normally cut short, so past-`end` reads there are silent, as in Wireshark.
 *
 * Ownership: the state holds a reference to the record's bytes for one decode() call only.
 */
import type { DecodedPacket, DecodeIssue, Ipv4Header, Ipv6Header, LayerId } from './packet.js';

/**
 * Shared, frozen empty list for list members that are usually empty (IPv4 and TCP options,
 * IPv6 extension headers, SACK blocks, VLAN tags): decoders replace it with a fresh array before the first push,
 * which saves allocations on the hot path. Consumers must treat DecodedPacket lists as read-only.
 */
export const NONE: never[] = Object.freeze([]) as unknown as never[];

/** Shared empty tunnel list (replaced, never mutated). */
const NO_TUNNELS: (Ipv4Header | Ipv6Header)[] = [];
Object.freeze(NO_TUNNELS);

/** Records an outer IP header of the same version before an inner one replaces it (IP-in-IP). */
export function pushTunnel(pkt: DecodedPacket, outer: Ipv4Header | Ipv6Header): void {
  if (pkt.tunnelIps === NO_TUNNELS) pkt.tunnelIps = [];
  pkt.tunnelIps.push(outer);
}

/** Shared empty issue list (never mutated: `addIssue` swaps in a fresh array first). */
const NO_ISSUES: DecodeIssue[] = [];
Object.freeze(NO_ISSUES);

/** A fresh packet with every member present, in a fixed order (one hidden class for all). */
export function newPacket(linkType: number): DecodedPacket {
  return {
    layers: [],
    linkType,
    eth: undefined,
    vlan: NONE,
    llc: undefined,
    sll: undefined,
    null: undefined,
    ppp: undefined,
    nflog: undefined,
    ip4: undefined,
    ip6: undefined,
    tunnelIps: NO_TUNNELS,
    tcp: undefined,
    udp: undefined,
    icmp: undefined,
    arp: undefined,
    payloadOffset: 0,
    payloadLength: 0,
    truncated: false,
    truncatedLayer: undefined,
    issues: NO_ISSUES,
  };
}

/** Resets a packet for reuse (decodeInto); arrays are emptied in place. */
export function resetPacket(pkt: DecodedPacket, linkType: number): void {
  pkt.layers.length = 0;
  pkt.linkType = linkType;
  pkt.eth = undefined;
  pkt.vlan = NONE;
  pkt.llc = undefined;
  pkt.sll = undefined;
  pkt.null = undefined;
  pkt.ppp = undefined;
  pkt.nflog = undefined;
  pkt.ip4 = undefined;
  pkt.ip6 = undefined;
  pkt.tunnelIps = NO_TUNNELS;
  pkt.tcp = undefined;
  pkt.udp = undefined;
  pkt.icmp = undefined;
  pkt.arp = undefined;
  pkt.payloadOffset = 0;
  pkt.payloadLength = 0;
  pkt.truncated = false;
  pkt.truncatedLayer = undefined;
  pkt.issues = NO_ISSUES;
}

/** Limits on nesting so hostile packets cannot recurse without bound. */
export const MAX_DEPTH = 16;
export const MAX_VLAN_TAGS = 8;
export const MAX_IPV6_EXT = 16;

export class DecodeState {
  /**
   * The frame's bytes. Fields are read straight from the Uint8Array rather than through a
   * DataView: building a DataView per frame was the largest single cost of decode() (profiled
   * with bench/decode.bench.ts: ~40% of CPU), and records usually arrive in buffers of their own.
   */
  u8: Uint8Array = new Uint8Array(0);
  /** Captured end (exclusive) in u8. */
  cap = 0;
  pkt: DecodedPacket = newPacket(0);
  /** Decoding the packet quoted inside an ICMP error (Wireshark's pinfo->flags.in_error_pkt). */
  inError = false;
  /** The transport payload belongs to a fragmented datagram (first fragment, MF set). */
  fragmented = false;
  /** Layers entered so far (bounded by MAX_DEPTH). */
  depth = 0;

  /** Starts a frame on `u8`; offsets are relative to u8 (record.data). */
  begin(u8: Uint8Array, pkt: DecodedPacket): void {
    this.u8 = u8;
    this.cap = u8.byteLength;
    this.pkt = pkt;
    this.inError = false;
    this.fragmented = false;
    this.depth = 0;
  }

  /**
   * True when `n` bytes at `off` are present and inside the reported `end`. Otherwise records why
   * (truncated or a 'ERR_DECODE_SHORT' issue for `layer`) and returns false.
   */
  need(layer: LayerId, off: number, n: number, end: number, what: string): boolean {
    const want = off + n;
    if (want <= end && want <= this.cap) return true;
    if (want <= end) {
      this.markTruncated(layer);
    } else if (!this.inError) {
      this.addIssue('ERR_DECODE_SHORT', layer, off,
        `${what} needs ${n} bytes at offset ${off}, only ${Math.max(0, end - off)} left`);
    }
    return false;
  }

  /** Bytes present from `off` up to the reported `end` (never negative). */
  avail(off: number, end: number): number {
    const e = end < this.cap ? end : this.cap;
    return e > off ? e - off : 0;
  }

  markTruncated(layer: LayerId): void {
    if (!this.pkt.truncated) {
      this.pkt.truncated = true;
      this.pkt.truncatedLayer = layer;
    }
  }

  addIssue(code: string, layer: LayerId, offset: number, message: string): void {
    const pkt = this.pkt;
    if (pkt.issues === NO_ISSUES) pkt.issues = [];
    pkt.issues.push({ code, layer, offset, message });
  }

  /** Marks [off, end) as undissected payload ('data'). */
  setPayload(off: number, end: number): void {
    const pkt = this.pkt;
    pkt.payloadOffset = off;
    const e = end < this.cap ? end : this.cap;
    pkt.payloadLength = e > off ? e - off : 0;
  }

  /**
   * Big-endian reads at offsets into u8. Callers check bounds first (need/avail); the check here
   * is the safety net that turns a decoder bug into ERR_DECODE_INTERNAL instead of a silent 0
   * (a typed array reads undefined past its end). It costs nothing measurable.
   */
  u16(off: number): number {
    const u = this.u8;
    if (off < 0 || off + 2 > this.cap) throw new RangeError(`read of 2 bytes at ${off} past ${this.cap}`);
    return (u[off]! << 8) | u[off + 1]!;
  }

  u32(off: number): number {
    const u = this.u8;
    if (off < 0 || off + 4 > this.cap) throw new RangeError(`read of 4 bytes at ${off} past ${this.cap}`);
    return ((u[off]! << 24) | (u[off + 1]! << 16) | (u[off + 2]! << 8) | u[off + 3]!) >>> 0;
  }

  u8at(off: number): number {
    if (off < 0 || off >= this.cap) throw new RangeError(`read of 1 byte at ${off} past ${this.cap}`);
    return this.u8[off]!;
  }

  /** Reads in a chosen byte order (host-order headers: NULL, NFLOG). */
  u16e(off: number, littleEndian: boolean): number {
    const u = this.u8;
    if (off < 0 || off + 2 > this.cap) throw new RangeError(`read of 2 bytes at ${off} past ${this.cap}`);
    return littleEndian ? u[off]! | (u[off + 1]! << 8) : (u[off]! << 8) | u[off + 1]!;
  }

  u32e(off: number, littleEndian: boolean): number {
    const u = this.u8;
    if (off < 0 || off + 4 > this.cap) throw new RangeError(`read of 4 bytes at ${off} past ${this.cap}`);
    return littleEndian
      ? (u[off]! | (u[off + 1]! << 8) | (u[off + 2]! << 16) | (u[off + 3]! << 24)) >>> 0
      : this.u32(off);
  }
}
