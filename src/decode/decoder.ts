/**
 * PacketDecoder: link type → first dissector, and the one guarded catch of decode/.
 *
 * decode(record) is a pure function of (record.linkType, record.data, record.origLen): it never
 * throws on packet bytes. Malformed facts become DecodeIssues, snaplen cuts set `truncated`, and
 * an unexpected exception (a bug) becomes an ERR_DECODE_INTERNAL issue on that frame, keeping the
 * layers decoded before it (gopacket's panicToError). `internalErrors` counts those for tests.
 *
 * Ownership: the returned packet holds offsets into record.data, never copies; addresses and
 * payload are read from record.data. decode() returns a fresh packet (safe to retain);
 * decodeInto() reuses one (streaming: valid until the next decodeInto on it).
 */
import type { CaptureRecord } from '../wire/record.js';
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NFLOG, LINKTYPE_NULL, LINKTYPE_PPP, LINKTYPE_PPP_ETHER, LINKTYPE_PPP_HDLC, LINKTYPE_RAW,
  LINKTYPE_RAW_14, LINKTYPE_RAW_OPENBSD,
} from '../wire/linktype.js';
import type { DecodedPacket } from './packet.js';
import { DecodeState, newPacket, resetPacket } from './state.js';
import { decodeEthernet } from './ethernet.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeNull, decodeLoop } from './null.js';
import { decodePppHdlc, decodePppProtocol } from './ppp.js';
import { decodeNflog } from './nflog.js';
import { decodeIpAny, decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeData } from './dispatch.js';

/** Link types PacketDecoder dissects (others decode to a single 'data' layer plus an issue). */
export const SUPPORTED_LINKTYPES: readonly number[] = [
  LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_PPP, LINKTYPE_RAW_OPENBSD, LINKTYPE_RAW_14, LINKTYPE_PPP_HDLC,
  LINKTYPE_PPP_ETHER, LINKTYPE_RAW, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_NFLOG, LINKTYPE_IPV4,
  LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2,
];

export class PacketDecoder {
  /** Number of frames whose decode hit an unexpected exception (should stay 0). */
  static internalErrors = 0;
  private readonly state = new DecodeState();

  /** Decodes one record into a fresh DecodedPacket. Never throws on packet bytes. */
  decode(record: CaptureRecord): DecodedPacket {
    const pkt = newPacket(record.linkType);
    this.run(pkt, record.linkType, record.data, record.origLen);
    return pkt;
  }

  /** Decodes into `pkt` (reset first) — the allocation-light streaming path. */
  decodeInto(pkt: DecodedPacket, record: CaptureRecord): DecodedPacket {
    resetPacket(pkt, record.linkType);
    this.run(pkt, record.linkType, record.data, record.origLen);
    return pkt;
  }

  /** Decodes bare bytes; `origLen` defaults to the byte count (nothing cut by a snaplen). */
  decodeBytes(linkType: number, data: Uint8Array, origLen: number = data.byteLength): DecodedPacket {
    const pkt = newPacket(linkType);
    this.run(pkt, linkType, data, origLen);
    return pkt;
  }

  private run(pkt: DecodedPacket, linkType: number, data: Uint8Array, origLen: number): void {
    const s = this.state;
    s.begin(data, pkt);
    // The frame's reported length; a broken file may claim less than it captured.
    const end = origLen > data.byteLength ? origLen : data.byteLength;
    try {
      decodeLink(s, linkType, end);
    } catch (e) {
      PacketDecoder.internalErrors++;
      s.addIssue('ERR_DECODE_INTERNAL', pkt.layers[pkt.layers.length - 1] ?? 'data', 0,
        `Internal decoder error: ${e instanceof Error ? e.message : String(e)}`);
    }
    s.begin(EMPTY, pkt); // drop the reference to the record's bytes (the view is kept for reuse)
  }
}

const EMPTY = new Uint8Array(0);

function decodeLink(s: DecodeState, linkType: number, end: number): void {
  switch (linkType) {
    case LINKTYPE_ETHERNET: decodeEthernet(s, 0, end); return;
    case LINKTYPE_LINUX_SLL: decodeSll(s, 0, end); return;
    case LINKTYPE_LINUX_SLL2: decodeSll2(s, 0, end); return;
    case LINKTYPE_NULL: decodeNull(s, 0, end); return;
    case LINKTYPE_LOOP: decodeLoop(s, 0, end); return;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OPENBSD:
    case LINKTYPE_RAW_14:
      s.pkt.layers.push('raw');
      decodeIpAny(s, 0, end);
      return;
    case LINKTYPE_IPV4: s.pkt.layers.push('raw'); decodeIpv4(s, 0, end); return;
    case LINKTYPE_IPV6: s.pkt.layers.push('raw'); decodeIpv6(s, 0, end); return;
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC: decodePppHdlc(s, 0, end); return;
    case LINKTYPE_PPP_ETHER: decodePppoeLink(s, end); return;
    case LINKTYPE_NFLOG: decodeNflog(s, 0, end); return;
    default:
      s.addIssue('ERR_DECODE_UNSUPPORTED_LINKTYPE', 'data', 0, `Link type ${linkType} is not dissected by tcplab`);
      decodeData(s, 0, end);
  }
}

/** LINKTYPE_PPP_ETHER: a PPPoE header (6 bytes) then a PPP protocol field. */
function decodePppoeLink(s: DecodeState, end: number): void {
  if (!s.need('ppp', 0, 6, end, 'PPPoE header')) { s.pkt.layers.push('ppp'); return; }
  const len = s.u16(4);
  decodePppProtocol(s, 6, 6 + len < end ? 6 + len : end);
}

/** Convenience for one-off decodes (tests, the web UI re-decoding a frame). */
export function decodePacket(linkType: number, data: Uint8Array, origLen: number = data.byteLength): DecodedPacket {
  return sharedDecoder.decodeBytes(linkType, data, origLen);
}

const sharedDecoder = new PacketDecoder();
