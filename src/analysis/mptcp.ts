/**
 * The little MPTCP state the TCP analysis needs (RFC 8684 / RFC 6824): which MPTCP connection a
 * TCP stream (subflow) belongs to, and which MPTCP option subtypes that connection has carried —
 * tshark ignores a duplicate ACK while the connection's set of subtypes differs from the one seen
 * at the sender's previous packet (§6.2 J).
 *
 * Subflows are tied together by tokens: the token of a key is the top 32 bits of SHA-1(key)
 * (version 0) or SHA-256(key) (version 1); MP_CAPABLE carries keys, MP_JOIN's SYN carries the
 * receiver's token. Only the subtype set is modelled (no DSN mapping or MPTCP fields).
 * Bounded: at most `maxTokens` tokens are remembered (oldest forgotten first).
 */
import { createHash } from 'node:crypto';

/** One MPTCP connection (Wireshark's mptcp_analysis), shared by its subflows. */
export class MptcpConnection {
  /** Bit per MPTCP subtype seen (MP_CAPABLE 0 … MP_FASTCLOSE 7). */
  ops = 0;
}

export interface MptcpSubflow {
  /** The stream's MPTCP connection, once an MPTCP option created or found it. */
  mptcp: MptcpConnection | undefined;
}

export interface MptcpFlowSide {
  /** A token was bound for this direction (Wireshark's MPTCP_META_HAS_TOKEN). */
  mptcpToken: boolean;
}

const MP_CAPABLE = 0;
const MP_JOIN = 1;

function tokenOf(data: Uint8Array, off: number, version: number): number | undefined {
  if (off + 8 > data.length) return undefined;
  const h = createHash(version === 0 ? 'sha1' : 'sha256').update(data.subarray(off, off + 8)).digest();
  return h.readUInt32BE(0);
}

export class MptcpTracker {
  private readonly tokens = new Map<number, MptcpConnection>();

  constructor(private readonly maxTokens = 65536) {}

  /** Binds `side` of `s` to the connection of `token` (creating it, or sharing an existing one). */
  private fromToken(s: MptcpSubflow, side: MptcpFlowSide, token: number): void {
    if (side.mptcpToken && s.mptcp !== undefined) return;
    const found = this.tokens.get(token);
    if (found !== undefined) {
      s.mptcp = found;
    } else {
      s.mptcp ??= new MptcpConnection();
      if (this.tokens.size >= this.maxTokens) {
        const oldest = this.tokens.keys().next();
        if (oldest.done !== true) this.tokens.delete(oldest.value);
      }
      this.tokens.set(token, s.mptcp);
    }
    side.mptcpToken = true;
  }

  /**
   * MPTCP options of one packet, in wire order (option dissection): find or create the
   * connection. Returns the subtype bits carried, or -1 when the packet has no MPTCP option.
   */
  noteOptions(data: Uint8Array, options: readonly { kind: number; offset: number; length: number }[], s: MptcpSubflow, fwd: MptcpFlowSide, rev: MptcpFlowSide): number {
    let bits = -1;
    for (let i = 0; i < options.length; i++) {
      const o = options[i]!;
      if (o.kind !== 30 || o.length < 3) continue;
      const b = data[o.offset + 2] ?? 0;
      const subtype = b >> 4;
      if (bits < 0) bits = 0;
      if (subtype <= 7) bits |= 1 << subtype;
      if (subtype > MP_JOIN) {
        s.mptcp ??= new MptcpConnection();
      } else if (subtype === MP_CAPABLE) {
        const len = o.length;
        if (len === 12 || len === 20 || len === 22 || len === 24) {
          const version = b & 0x0f;
          const t1 = tokenOf(data, o.offset + 4, version);
          if (t1 !== undefined) this.fromToken(s, fwd, t1);
          if (len >= 20) {
            const t2 = tokenOf(data, o.offset + 12, version);
            if (t2 !== undefined && !rev.mptcpToken) this.fromToken(s, rev, t2);
          }
        }
      } else if (o.length === 12) {
        // MP_JOIN on a SYN: the receiver's token.
        const off = o.offset + 4;
        if (off + 4 <= data.length) {
          const token = (((data[off] ?? 0) << 24) | ((data[off + 1] ?? 0) << 16) | ((data[off + 2] ?? 0) << 8) | (data[off + 3] ?? 0)) >>> 0;
          this.fromToken(s, rev, token);
        }
      } else {
        s.mptcp ??= new MptcpConnection();
      }
    }
    return bits;
  }
}
