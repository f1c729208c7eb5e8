/**
 * Length-prefixed application protocols over TCP as tshark 4.0.17 dissects them without keys:
 * TLS (packet-tls.c dissect_ssl / dissect_ssl3_record), SSH (packet-ssh.c dissect_ssh),
 * BitTorrent (packet-bittorrent.c, tcp_dissect_pdus) and MQTT (packet-mqtt.c, tcp_dissect_pdus).
 * Each conversation one of them claims by port gets one state object here; the TCP
 * desegmentation engine (http-reassembly.ts, packet-tcp.c desegment_tcp) calls `dissect` on a
 * segment's bytes or on a reassembled PDU and gets back what the dissector asked TCP for
 * (desegment_offset / desegment_len), while the column operations it performed are recorded as
 * data (present/http-info.ts turns them into text).
 *
 * What decides "[TCP segment of a reassembled PDU]": a record/packet/message header whose
 * length runs past the bytes handed over → desegment_len = what is missing (or "one more
 * segment" when even the header is cut). TLS, SSH and MQTT clear the Info column first (so the
 * first segment shows only the marker); BitTorrent does not (it shows the TCP text).
 *
 * State per conversation is a few numbers (versions, frame numbers, the negotiated SSH key
 * exchange name); nothing is buffered here.
 */
import { be16, be32, u8at } from '../util/bytes.js';
import type { HttpColumnOp } from './http-reassembly.js';
import {
  GMTLSV1_VERSION, HS_CLIENT_HELLO, HS_SERVER_HELLO, isKnownHandshakeType, isSsl3Version, isValidContentType, looksLikeSslv2,
  looksLikeSslv3, recordHeader, serverHelloVersion, sslv2RecordLength, startsWithFourPrintable, tls13Draft, TLS_ALERT, TLS_APP_DATA,
  TLS_CCS, TLS_HANDSHAKE, TLS_HEARTBEAT, TLSV1_VERSION, TLSV1DOT1_VERSION, TLSV1DOT2_VERSION, TLSV1DOT3_VERSION,
} from '../decode/tls.js';
import { findLf, kexinitNameLists, SSH_MSG_KEXINIT, SSH_MSG_NEWKEYS, startsWithCi } from '../decode/ssh.js';
import { BT_HEADER_LENGTH, btPduLength, btTypeLengthOk, isBtHandshake } from '../decode/bittorrent.js';
import { formatText, NEED_ONE_MORE_SEGMENT } from '../decode/http.js';
import { isStrictVersion, looksLikeThriftStrict, skipFields, strictHeader, THRIFT_NEED_MORE } from '../decode/thrift.js';

/** One piece of column text a dissector produced; present/http-info.ts has the words. */
export interface PduItem {
  k: PduItemKind;
  a: number;
  b: number;
  c: number;
  text: string;
}

export type PduItemKind =
  | 'tlsContinuation' | 'tlsIgnored' | 'tlsCcs' | 'tlsAppData' | 'tlsEncAlert' | 'tlsAlert' | 'tlsHs' | 'tlsHsFrag' | 'tlsEncHs'
  | 'tlsHeartbeat' | 'sslv2'
  | 'sshProtocol' | 'sshMsg' | 'sshEnc' | 'sshDir'
  | 'btPrefix' | 'btMsg' | 'btContinuation' | 'btKeepAlive' | 'btHandshake' | 'btPieceReq' | 'btPieceIdx' | 'btBitfield' | 'btPiece'
  | 'btTail'
  | 'mqttType' | 'mqttId' | 'mqttTopic'
  | 'thriftMsg';

/** Column operations of these dissectors (Wireshark's col_clear / col_set_str / col_append_sep_str / col_prepend_fstr). */
export type PduColumnOp =
  /**
   * The dissector read past the segment's end: tshark's exception ends the frame's dissection
   * ("[Malformed Packet]", or "[Packet size limited during capture]" when only the captured
   * bytes ran out), with a "[Malformed Packet: proto]" item and no Data.
   */
  | { op: 'exception'; kind: 'malformed' | 'limited'; proto: string }
  | { op: 'clear' }
  | { op: 'setItem'; item: PduItem }
  | { op: 'appendItem'; sep: string; item: PduItem }
  | { op: 'prependItem'; item: PduItem };

export const PDU_TLS = 1;
export const PDU_SSH = 2;
export const PDU_BITTORRENT = 3;
export const PDU_MQTT = 4;
export const PDU_X11 = 6;
/** SigComp (packet-sigcomp.c), registered on TCP ports 5555 and 6666 — tcplab's own port. */
export const PDU_SIGCOMP = 7;
/** Thrift is chosen by its heuristic (dissect_thrift_heur), not by a port. */
export const PDU_THRIFT = 5;

/** Whether the Thrift heuristic takes this segment (strict binary, unframed). */
export function thriftHeuristic(d: Uint8Array, start: number, capEnd: number, end: number): boolean {
  return looksLikeThriftStrict(d, start, capEnd, end);
}

/** tcp.port registrations of these dissectors in tshark 4.0.17 (`tshark -G decodes`). */
export function pduProtocolOfPort(port: number): number {
  if (port === 443) return PDU_TLS;
  if (port === 22) return PDU_SSH;
  if (port >= 6881 && port <= 6889) return PDU_BITTORRENT;
  if (port === 1883) return PDU_MQTT;
  if (port >= 6000 && port <= 6063) return PDU_X11;
  if (port === 5555 || port === 6666) return PDU_SIGCOMP;
  return 0;
}

/** One call of a dissector: bytes d[start, end) (captured to capEnd ≤ end). */
export interface PduCall {
  d: Uint8Array;
  start: number;
  end: number;
  capEnd: number;
  canDeseg: boolean;
  /** The segment comes from the port the dissector was chosen by (the server side). */
  fromServer: boolean;
  frame: number;
  ops: HttpColumnOp[];
}

/** pinfo->desegment_offset (relative to start) / desegment_len (0: nothing more needed). */
export interface PduResult {
  desegOffset: number;
  desegLen: number;
}

export interface PduDissector {
  dissect(c: PduCall): PduResult;
}

export function newPduDissector(proto: number): PduDissector | undefined {
  switch (proto) {
    case PDU_TLS: return new TlsDissector();
    case PDU_SSH: return new SshDissector();
    case PDU_BITTORRENT: return new BitTorrentDissector();
    case PDU_MQTT: return new MqttDissector();
    case PDU_THRIFT: return new ThriftDissector();
    case PDU_X11: return new X11Dissector();
    case PDU_SIGCOMP: return SIGCOMP;
    default: return undefined;
  }
}

const NONE: PduResult = { desegOffset: 0, desegLen: 0 };

function item(k: PduItemKind, a = 0, b = 0, c = 0, text = ''): PduItem {
  return { k, a, b, c, text };
}

function append(ops: HttpColumnOp[], k: PduItemKind, a = 0, b = 0, c = 0, text = '', sep = ', '): void {
  ops.push({ op: 'appendItem', sep, item: item(k, a, b, c, text) });
}

const u24 = (d: Uint8Array, o: number): number => (u8at(d, o) << 16) | (u8at(d, o + 1) << 8) | u8at(d, o + 2);

/** ssl_version_short_names ("SSL" when unknown). */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0002: return 'SSLv2';
    case 0x0300: return 'SSLv3';
    case TLSV1_VERSION: return 'TLSv1';
    case GMTLSV1_VERSION: return 'GMTLSv1';
    case TLSV1DOT1_VERSION: return 'TLSv1.1';
    case TLSV1DOT2_VERSION: return 'TLSv1.2';
    case TLSV1DOT3_VERSION: return 'TLSv1.3';
    default: return 'SSL';
  }
}

/** Per-conversation TLS state: the session version and the frames with each side's CCS. */
class TlsDissector implements PduDissector {
  private version = 0;
  private clientCcs = 0;
  private serverCcs = 0;

  dissect(c: PduCall): PduResult {
    const { d, start, end, ops } = c;
    if (startsWithFourPrintable(d, start, c.capEnd)) return NONE;
    ops.push({ op: 'proto', name: tlsVersionName(this.version) }, { op: 'clear' });
    let off = start;
    while (end - off > 0) {
      if (end - off < 5) {
        if (c.canDeseg) return { desegOffset: off - start, desegLen: NEED_ONE_MORE_SEGMENT };
        break;
      }
      let next: number;
      const v = this.version;
      if (v === 0x300 || v === TLSV1_VERSION || v === TLSV1DOT1_VERSION || v === TLSV1DOT2_VERSION || v === GMTLSV1_VERSION) {
        next = this.record(c, off);
      } else if (looksLikeSslv2(d, off, c.capEnd)) {
        next = this.sslv2(c, off);
      } else if (looksLikeSslv3(d, off, c.capEnd)) {
        next = this.record(c, off);
      } else {
        append(ops, 'tlsContinuation');
        next = end;
      }
      if (next < 0) return { desegOffset: -next - 1 - start, desegLen: this.need };
      if (next <= off) break;
      off = next;
    }
    ops.push({ op: 'fence' });
    return NONE;
  }

  /** Bytes a record asked for (set with a negative return of record()). */
  private need = 0;

  private deseg(off: number, need: number): number {
    this.need = need;
    return -off - 1;
  }

  /** dissect_ssl2_record, reduced to its length and message type. */
  private sslv2(c: PduCall, off: number): number {
    const len = sslv2RecordLength(c.d, off);
    if (c.end - off < len) {
      if (c.canDeseg) return this.deseg(off, len - (c.end - off));
      return c.end;
    }
    c.ops.push({ op: 'proto', name: 'SSLv2' });
    append(c.ops, 'sslv2', u8at(c.d, off + 2));
    return off + len;
  }

  /** dissect_ssl3_record: the end of the record, or deseg(). */
  private record(c: PduCall, off: number): number {
    const { d, end, ops } = c;
    const avail = end - off;
    const sv = this.version;
    if ((sv === TLSV1_VERSION || sv === TLSV1DOT1_VERSION || sv === TLSV1DOT2_VERSION || sv === GMTLSV1_VERSION) && !isValidContentType(u8at(d, off))) {
      append(ops, 'tlsIgnored');
      return end;
    }
    if (avail < 5) return c.canDeseg ? this.deseg(off, NEED_ONE_MORE_SEGMENT) : end;
    const h = recordHeader(d, off);
    if (!isValidContentType(h.contentType)) {
      append(ops, 'tlsContinuation');
      return off + 5 + h.length;
    }
    if (avail < h.length + 5) return c.canDeseg ? this.deseg(off, h.length + 5 - avail) : end;
    let version = h.version;
    const body = off + 5;
    const bodyEnd = body + h.length;
    if (this.version === 0) {
      this.trySetVersion(h.contentType, u8at(d, body), version);
      ops.push({ op: 'proto', name: tlsVersionName(version) });
    } else {
      version = this.version;
    }
    switch (h.contentType) {
      case TLS_CCS:
        append(ops, 'tlsCcs');
        // ssl_dissect_change_cipher_spec: a TLS 1.3 CCS is a dummy and is not remembered.
        if (this.version !== TLSV1DOT3_VERSION) {
          if (c.fromServer) { if (this.serverCcs === 0) this.serverCcs = c.frame; } else if (this.clientCcs === 0) this.clientCcs = c.frame;
        }
        break;
      case TLS_ALERT:
        if (h.length !== 2) append(ops, 'tlsEncAlert');
        else append(ops, 'tlsAlert', u8at(d, body), u8at(d, body + 1));
        break;
      case TLS_HANDSHAKE:
        this.handshake(c, body, bodyEnd);
        break;
      case TLS_APP_DATA:
        append(ops, 'tlsAppData');
        break;
      case TLS_HEARTBEAT:
        if (version !== TLSV1DOT3_VERSION) append(ops, 'tlsHeartbeat', h.length);
        break;
      default:
        break;
    }
    return bodyEnd;
  }

  /** ssl_try_set_version (not DTLS). */
  private trySetVersion(contentType: number, hsType: number, version: number): void {
    const authoritative = contentType === TLS_HANDSHAKE ? isKnownHandshakeType(hsType) && hsType !== HS_CLIENT_HELLO : isValidContentType(contentType);
    if (!authoritative) return;
    if (contentType === TLS_HANDSHAKE && hsType === HS_SERVER_HELLO) {
      if (tls13Draft(version) !== 0 || version === 0xfb17 || version === 0xfb1a) version = TLSV1DOT3_VERSION;
    }
    if (isSsl3Version(version) || version === TLSV1DOT3_VERSION) this.version = version;
  }

  /** dissect_tls_handshake without keys: message names, or "Encrypted Handshake Message". */
  private handshake(c: PduCall, off: number, end: number): void {
    const { d, ops } = c;
    if (this.encryptedHandshake(c, off, end)) {
      append(ops, 'tlsEncHs');
      return;
    }
    let first = true;
    while (end - off > 0) {
      if (end - off < 4) {
        if (first) append(ops, 'tlsHsFrag', u8at(d, off));
        return;
      }
      const type = u8at(d, off);
      const len = u24(d, off + 1);
      if (off + 4 + len > end) {
        // A handshake message continued in the next record (tshark reassembles it there).
        if (first) append(ops, 'tlsHsFrag', type);
        return;
      }
      const known = isKnownHandshakeType(type);
      if (!known && !first) return;
      let hrr = false;
      if (first && type === HS_SERVER_HELLO && len > 2) {
        const sv = serverHelloVersion(d, off + 4, off + 4 + len);
        hrr = isHelloRetryRequest(d, off + 4, off + 4 + len);
        this.trySetVersion(TLS_HANDSHAKE, HS_SERVER_HELLO, sv);
      }
      append(ops, 'tlsHs', hrr ? 6 : type);
      if (!known) return;
      if (type === HS_SERVER_HELLO) ops.push({ op: 'proto', name: tlsVersionName(this.version) });
      off += 4 + len;
      first = false;
    }
  }

  /** is_encrypted_handshake_message (maybe_encrypted = TRUE: nothing is decrypted here). */
  private encryptedHandshake(c: PduCall, off: number, end: number): boolean {
    const { d } = c;
    if (end - off < 16) return false;
    let enc = u8at(d, off) === 0 && u8at(d, off + 1) === 0 && u8at(d, off + 2) === 0 && u8at(d, off + 3) === 0 && u8at(d, off + 4) === 0;
    if (!enc) {
      const ccs = c.fromServer ? this.serverCcs : this.clientCcs;
      enc = ccs !== 0 && c.frame > ccs;
    }
    if (!enc) {
      const type = u8at(d, off);
      enc = !isKnownHandshakeType(type);
      if (!enc) enc = u24(d, off + 1) >= 0x10000;
    }
    return enc;
  }
}

const HRR_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/** tls_scan_server_hello's HelloRetryRequest test: the special random value. */
function isHelloRetryRequest(d: Uint8Array, off: number, end: number): boolean {
  if (end - off < 34) return false;
  for (let i = 0; i < 32; i++) if (u8at(d, off + 2 + i) !== HRR_RANDOM[i]) return false;
  return true;
}

const SSH_VERSION_UNKNOWN = 0;
const SSH_VERSION_1 = 1;
const SSH_VERSION_2 = 2;

/** SSH key exchange message tables (ssh2_kex_*_msg_vals). */
export const SSH_KEX_DH = 0;
export const SSH_KEX_GEX = 1;
export const SSH_KEX_ECDH = 2;
/** ssh2_msg_vals (non-kex messages). */
export const SSH_MSGS = 3;

class SshPeer {
  frameVersionStart = 0;
  frameVersionEnd = 0;
  frameKeyStart = 0;
  frameKeyEnd = 0;
  frameKeyEndOffset = 0;
  /** KEXINIT name-lists: kex, host key, encryption c→s, encryption s→c. */
  proposal: string[] | undefined = undefined;
  /** Negotiated encryption of this peer's direction (ssh_choose_algo), once both KEXINITs are seen. */
  enc: string | undefined = undefined;
  /**
   * After this peer's NEWKEYS, tshark opens the negotiated cipher with all-zero keys (no key log)
   * and runs its packets through ssh_decrypt_packet: for chacha20-poly1305 and AES-CBC/CTR the
   * length decrypts to garbage (> 32768 but for a 2^-17 chance) and the rest of the buffer is
   * taken without any Info text.
   */
  blankDecrypt = false;
}

/** ssh_decryption_set_cipher_id's ciphers whose length field is encrypted. */
const SSH_LENGTH_ENCRYPTED = new Set([
  'chacha20-poly1305@openssh.com', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr',
]);

/** ssh_choose_algo: the first of the client's names that the server also lists. */
function chooseAlgo(client: string | undefined, server: string | undefined): string | undefined {
  if (client === undefined || server === undefined) return undefined;
  const offered = new Set(server.split(','));
  return client.split(',').find((n) => offered.has(n));
}

/** Per-conversation SSH state (ssh_flow_data without the crypto). */
class SshDissector implements PduDissector {
  private version = SSH_VERSION_UNKNOWN;
  private readonly peers: [SshPeer, SshPeer] = [new SshPeer(), new SshPeer()];
  private kex: string | undefined = undefined;
  private kexTable = SSH_KEX_DH;

  dissect(c: PduCall): PduResult {
    const { d, start, end, ops } = c;
    const isResponse = c.fromServer ? 1 : 0;
    const peer = this.peers[isResponse];
    ops.push({ op: 'proto', name: this.version === SSH_VERSION_1 ? 'SSHv1' : this.version === SSH_VERSION_2 ? 'SSHv2' : 'SSH' }, { op: 'clear' });
    let off = start;
    while (end - off > 0) {
      const afterStart = peer.frameVersionStart === 0 || c.frame >= peer.frameVersionStart;
      const beforeEnd = peer.frameVersionEnd === 0 || c.frame <= peer.frameVersionEnd;
      const last = off;
      let need = 0;
      if (afterStart && beforeEnd && startsWithCi(d, off, c.capEnd, 'SSH-')) {
        if (peer.frameVersionStart === 0) peer.frameVersionStart = c.frame;
        const r = this.protocol(c, off, isResponse === 1);
        if (r.need !== 0) need = r.need;
        else {
          peer.frameVersionEnd = c.frame;
          if (r.version !== SSH_VERSION_UNKNOWN) this.version = r.version;
        }
        off = r.off;
      } else if (this.version === SSH_VERSION_2 || this.version === SSH_VERSION_1) {
        // SSHv1 binary packets are rare; they are framed like v2's key exchange here.
        const r = this.ssh2(c, off, peer);
        off = r.off;
        need = r.need;
      } else {
        append(ops, 'sshEnc', end - off);
        off = end;
      }
      if (need !== 0) return { desegOffset: off - start, desegLen: need };
      if (off <= last) break;
    }
    ops.push({ op: 'prependItem', item: item('sshDir', isResponse) });
    return NONE;
  }

  /** ssh_dissect_protocol: the identification line. */
  private protocol(c: PduCall, off: number, isResponse: boolean): { off: number; need: number; version: number } {
    const { d, end } = c;
    let version = SSH_VERSION_UNKNOWN;
    if (!isResponse) {
      if (startsWithCi(d, off, c.capEnd, 'SSH-2.') || startsWithCi(d, off, c.capEnd, 'SSH-1.99-')) version = SSH_VERSION_2;
      else if (startsWithCi(d, off, c.capEnd, 'SSH-1.')) version = SSH_VERSION_1;
    }
    const remain = c.capEnd - off;
    const lf = findLf(d, off, c.capEnd);
    if (c.canDeseg && lf === -1) {
      // desegment_len = linelen - remain_length with linelen = -1: a huge unsigned request.
      return { off, need: 0xffffffff - remain, version };
    }
    let lineLen: number, protoLen: number;
    if (lf === -1) {
      lineLen = remain;
      protoLen = lineLen;
    } else {
      lineLen = lf - off + 1;
      protoLen = lineLen > 1 && u8at(d, off + lineLen - 2) === 0x0d ? lineLen - 2 : lineLen - 1;
    }
    append(c.ops, 'sshProtocol', 0, 0, 0, formatText(d, off, protoLen));
    void end;
    return { off: off + lineLen, need: 0, version };
  }

  /** ssh_dissect_ssh2: key exchange packets until NEWKEYS, then encrypted packets. */
  private ssh2(c: PduCall, off: number, peer: SshPeer): { off: number; need: number } {
    const { end } = c;
    while (end - off > 0) {
      const last = off;
      if (peer.frameKeyStart === 0 || (peer.frameKeyStart <= c.frame && (peer.frameKeyEnd === 0 || c.frame < peer.frameKeyEnd
        || (c.frame === peer.frameKeyEnd && off < peer.frameKeyEndOffset)))) {
        const r = this.keyExchange(c, off, peer);
        if (r.need !== 0) return r;
        off = r.off;
      } else {
        if (!peer.blankDecrypt) append(c.ops, 'sshEnc', end - off);
        off = end;
      }
      if (off <= last) break;
    }
    return { off, need: 0 };
  }

  /** ssh_dissect_key_exchange: one binary packet in the clear. */
  private keyExchange(c: PduCall, off: number, peer: SshPeer): { off: number; need: number } {
    const { d, ops } = c;
    const start = off;
    const remain = c.capEnd - off;
    if (c.canDeseg && remain < 4) return { off, need: NEED_ONE_MORE_SEGMENT };
    let plen = be32(d, off);
    if (c.canDeseg && plen + 4 > remain) return { off, need: plen + 4 - remain };
    if (plen >= 0xffff) plen = remain - 4;
    off += 4;
    off += 1; // padding length
    const code = u8at(d, off);
    if (code >= 30 && code < 40) {
      append(ops, 'sshMsg', code, this.kexTable);
      // ssh_choose_enc_mac runs at the DH and ECDH replies only (the group-exchange reply's call
      // is compiled out in 4.0: SSH_DECRYPTION_SUPPORTED is never defined).
      if (code === 31 && (this.kexTable === SSH_KEX_DH || this.kexTable === SSH_KEX_ECDH)) this.chooseEnc();
    } else {
      append(ops, 'sshMsg', code, SSH_MSGS);
      if (code === SSH_MSG_KEXINIT) {
        if (peer.frameKeyStart === 0 || peer.frameKeyStart === c.frame) peer.frameKeyStart = c.frame;
        peer.proposal = kexinitNameLists(d, off, Math.min(c.capEnd, start + 4 + plen), 4);
        this.chooseKex();
      } else if (code === SSH_MSG_NEWKEYS) {
        if (peer.frameKeyEnd === 0) {
          peer.frameKeyEnd = c.frame;
          peer.frameKeyEndOffset = start + 6;
          peer.blankDecrypt = peer.enc !== undefined && SSH_LENGTH_ENCRYPTED.has(peer.enc);
        }
      }
    }
    return { off: start + 4 + plen, need: 0 };
  }

  /** ssh_choose_enc_mac: the negotiated cipher of each direction. */
  private chooseEnc(): void {
    const client = this.peers[0].proposal, server = this.peers[1].proposal;
    if (client === undefined || server === undefined) return;
    this.peers[0].enc = chooseAlgo(client[2], server[2]);
    this.peers[1].enc = chooseAlgo(client[3], server[3]);
    // Nothing else reads the proposals (bounded memory: they can be kilobytes each).
    this.peers[0].proposal = undefined;
    this.peers[1].proposal = undefined;
  }

  /** ssh_choose_algo + ssh_set_kex_specific_dissector once both KEXINITs are known. */
  private chooseKex(): void {
    const client = this.peers[0].proposal, server = this.peers[1].proposal;
    if (this.kex !== undefined || client === undefined || server === undefined) return;
    this.kex = chooseAlgo(client[0], server[0]);
    const k = this.kex;
    if (k === undefined) return;
    if (k === 'diffie-hellman-group-exchange-sha1' || k === 'diffie-hellman-group-exchange-sha256') this.kexTable = SSH_KEX_GEX;
    else if (k.startsWith('ecdh-sha2-') || k === 'curve25519-sha256@libssh.org' || k === 'curve25519-sha256' || k === 'curve448-sha512') this.kexTable = SSH_KEX_ECDH;
    else if (/^diffie-hellman-group(14-sha256|16-sha512|18-sha512|1-sha1|14-sha1)$/.test(k)) this.kexTable = SSH_KEX_DH;
  }
}

/**
 * tcp_dissect_pdus: PDUs one after another; a PDU (or its fixed-length header) running past
 * the bytes handed over asks for the rest. `pdu` dissects one whole (or snaplen-cut) PDU.
 */
function dissectPdus(
  c: PduCall, fixedLen: number, pduLen: (off: number) => number, pdu: (off: number, len: number) => void,
): PduResult {
  let off = c.start;
  while (c.end - off > 0) {
    const capRemain = c.capEnd - off;
    if (c.canDeseg && capRemain < fixedLen) return { desegOffset: off - c.start, desegLen: NEED_ONE_MORE_SEGMENT };
    const plen = pduLen(off);
    if (plen === 0) {
      if (!c.canDeseg) break;
      return { desegOffset: off - c.start, desegLen: NEED_ONE_MORE_SEGMENT };
    }
    if (plen < fixedLen) break;
    if (c.canDeseg && capRemain < plen) return { desegOffset: off - c.start, desegLen: plen - capRemain };
    pdu(off, Math.min(plen, capRemain));
    off += plen;
  }
  return NONE;
}

/** BitTorrent peer wire messages (dissect_bittorrent_tcp_pdu). */
class BitTorrentDissector implements PduDissector {
  dissect(c: PduCall): PduResult {
    const { d, ops } = c;
    return dissectPdus(c, BT_HEADER_LENGTH, (off) => btPduLength(d, off, c.capEnd, c.end), (off, len) => {
      ops.push({ op: 'proto', name: 'BitTorrent' }, { op: 'setItem', item: item('btPrefix') });
      if (isBtHandshake(d, off, c.capEnd)) ops.push({ op: 'setItem', item: item('btHandshake') });
      else this.message(c, off, len);
      ops.push({ op: 'appendItem', sep: '', item: item('btTail') }, { op: 'fence' });
    });
  }

  /** dissect_bittorrent_message's Info text. */
  private message(c: PduCall, off: number, avail: number): void {
    const { d, ops } = c;
    const length = be32(d, off);
    if (avail < BT_HEADER_LENGTH + 1) {
      if (length === 0) ops.push({ op: 'setItem', item: item('btKeepAlive') });
      return;
    }
    const type = u8at(d, off + 4);
    // Azureus messaging (a choke with a longer body) is not modelled: shown as continuation.
    if (!btKnownType(type) || !btTypeLengthOk(type, length) || (type === 0 && length > 4)) {
      ops.push({ op: 'setItem', item: item('btContinuation') });
      return;
    }
    if (length === 0) {
      ops.push({ op: 'setItem', item: item('btKeepAlive') });
      return;
    }
    ops.push({ op: 'setItem', item: item('btMsg', type) });
    const p = off + 5;
    switch (type) {
      case 6: case 8: case 16:
        append(ops, 'btPieceReq', be32(d, p), be32(d, p + 4), be32(d, p + 8), '', '');
        break;
      case 4: case 13: case 17:
        append(ops, 'btPieceIdx', be32(d, p), 0, 0, '', '');
        break;
      case 5:
        append(ops, 'btBitfield', length - 1, 0, 0, '', '');
        break;
      case 7:
        append(ops, 'btPiece', be32(d, p), be32(d, p + 4), length - 9, '', '');
        break;
      default:
        break;
    }
  }
}

function btKnownType(t: number): boolean {
  return (t >= 0 && t <= 9) || (t >= 13 && t <= 17) || t === 20;
}

/** MQTT control packets: fixed header, varint remaining length (get_mqtt_pdu_len). */
class MqttDissector implements PduDissector {
  /** Protocol level from CONNECT (3: 3.1, 4: 3.1.1, 5: 5.0); 0 until seen (default_protocol_version). */
  private version = 0;
  /** v5 topic aliases (bounded: tshark keeps all). */
  private readonly aliases = new Map<number, string>();

  dissect(c: PduCall): PduResult {
    const { d, ops } = c;
    ops.push({ op: 'clear' });
    return dissectPdus(c, 2, (off) => {
      const v = mqttVarint(d, off + 1, c.capEnd);
      return v.value + v.len + 1;
    }, (off, len) => {
      ops.push({ op: 'proto', name: 'MQTT' });
      const type = u8at(d, off) >> 4;
      append(ops, 'mqttType', type);
      this.details(c, off, off + len, type);
    });
  }

  /** dissect_mqtt's " (id=N)" and " [topic]" additions. */
  private details(c: PduCall, off: number, end: number, type: number): void {
    const { d, ops } = c;
    const flags = u8at(d, off);
    let p = off + 1 + mqttVarint(d, off + 1, end).len;
    const u16 = (o: number): number => be16(d, o);
    const id = (o: number): void => {
      if (o + 2 <= end) append(ops, 'mqttId', u16(o), 0, 0, '', '');
    };
    const topicAt = (o: number): string => utf8.decode(d.subarray(o + 2, Math.min(end, o + 2 + u16(o))));
    switch (type) {
      case 1: { // CONNECT: protocol name, level
        const nameLen = u16(p);
        const level = u8at(d, p + 2 + nameLen);
        if (p + 3 + nameLen <= end) this.version = level;
        return;
      }
      case 3: { // PUBLISH
        if (p + 2 > end) return;
        const tlen = u16(p);
        let topic = tlen > 0 ? topicAt(p) : '';
        p += 2 + tlen;
        if ((flags & 0x06) !== 0) { id(p); p += 2; }
        if (this.version === 5) {
          const alias = mqttTopicAlias(d, p, end);
          if (alias !== 0) {
            if (tlen > 0) {
              // Bounded (tshark keeps every alias): 256 aliases of at most 4 KiB each.
              if (this.aliases.size >= 256) this.aliases.delete(this.aliases.keys().next().value as number);
              if (topic.length <= 4096) this.aliases.set(alias, topic);
            } else topic = this.aliases.get(alias) ?? topic;
          }
        }
        append(ops, 'mqttTopic', 0, 0, 0, topic, '');
        return;
      }
      case 8: { // SUBSCRIBE: id, [properties], (topic, options)*
        id(p);
        p += 2;
        if (this.version === 5) p += mqttPropertiesLength(d, p, end);
        while (p < end) {
          const tlen = u16(p);
          append(ops, 'mqttTopic', 0, 0, 0, tlen > 0 ? topicAt(p) : '', '');
          p += 2 + tlen + 1;
        }
        return;
      }
      case 4: case 5: case 6: case 7: case 9: case 10: case 11:
        id(p);
        return;
      default:
        return;
    }
  }
}

/** tvb_get_varint(…, ENC_VARINT_PROTOBUF) at `off`: value and bytes used (0 when unterminated). */
function mqttVarint(d: Uint8Array, off: number, end: number): { value: number; len: number } {
  let value = 0, mul = 1;
  for (let n = 0; n < 10 && off + n < end; n++) {
    const b = u8at(d, off + n);
    value += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) return { value, len: n + 1 };
  }
  return { value, len: 0 };
}

/** Bytes of an MQTT 5 property block at `off` (its varint length included). */
function mqttPropertiesLength(d: Uint8Array, off: number, end: number): number {
  const v = mqttVarint(d, off, end);
  return v.len + v.value;
}

/** The Topic Alias (0x23) of the MQTT 5 property block at `off`, 0 when absent. */
function mqttTopicAlias(d: Uint8Array, off: number, end: number): number {
  const v = mqttVarint(d, off, end);
  let p = off + v.len;
  const stop = Math.min(end, p + v.value);
  const u16 = (o: number): number => be16(d, o);
  while (p < stop) {
    const id = u8at(d, p++);
    switch (id) {
      case 0x23: return u16(p);
      case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2a: p += 1; break;
      case 0x13: case 0x21: case 0x22: p += 2; break;
      case 0x02: case 0x11: case 0x18: case 0x27: p += 4; break;
      case 0x0b: p += Math.max(1, mqttVarint(d, p, stop).len); break;
      case 0x03: case 0x08: case 0x12: case 0x15: case 0x1a: case 0x1c: case 0x1f: case 0x09: case 0x16: p += 2 + u16(p); break;
      case 0x26: p += 2 + u16(p); p += 2 + u16(p); break;
      default: return 0;
    }
  }
  return 0;
}

const utf8 = new TextDecoder();

/**
 * Thrift strict binary messages, unframed (dissect_thrift_heur → dissect_thrift_loop →
 * dissect_thrift_common): the heuristic is tried on every buffer; each message appends
 * "<TYPE> <method>" as soon as its header is read, then its fields are walked to find its end; a
 * message cut short asks for one more segment from its start (so the Info already names it).
 */
class ThriftDissector implements PduDissector {
  dissect(c: PduCall): PduResult {
    const { d, start, end, ops } = c;
    if (!looksLikeThriftStrict(d, start, c.capEnd, end)) return NONE;
    ops.push({ op: 'proto', name: 'THRIFT' }, { op: 'clear' });
    let off = start;
    while (end - off > 0) {
      const msgStart = off;
      const more = { desegOffset: msgStart - start, desegLen: NEED_ONE_MORE_SEGMENT };
      if (end - off < 4) return more;
      // Only strict headers are modelled; tshark's old-style (non-strict) messages end the walk.
      if (u8at(d, off) < 0x80 || !isStrictVersion(d, off, true)) return NONE;
      const h = strictHeader(d, off, end);
      if (h === THRIFT_NEED_MORE) return more;
      if (typeof h === 'number') return NONE;
      append(ops, 'thriftMsg', h.mtype, 0, 0, utf8.decode(h.name));
      if (end - h.dataOffset < 1) return more;
      const after = skipFields(d, h.dataOffset, end);
      if (after === THRIFT_NEED_MORE) return more;
      if (after < 0) return NONE; // an error: tshark consumes the rest
      off = after;
    }
    return NONE;
  }
}

/**
 * SigComp over TCP (packet-sigcomp.c dissect_sigcomp_tcp), as far as tshark reads before deciding:
 * a 16-bit read at the start (a 0xFFFF delimiter is skipped, then one octet more), then the
 * octet must be 11111xxx. Segments that fail the test are left to TCP (Data). What matters on
 * port 6666: a 1-byte segment (`tcplab connect --chunk 1`, a zero-window probe) fails the first
 * read, an exception, so tshark prints "[Malformed Packet]" on every such line. Real SigComp
 * messages (first octet 0xF8-0xFF) are not dissected here: left to TCP too (a divergence: tshark
 * desegments up to the next 0xFFFF and shows SIGCOMP).
 */
class SigcompDissector implements PduDissector {
  dissect(c: PduCall): PduResult {
    const op = sigcompException(c.d, c.start, c.end, c.capEnd);
    if (op !== undefined) c.ops.push(op);
    return NONE;
  }
}

const SIGCOMP = new SigcompDissector();
const SIGCOMP_MALFORMED: HttpColumnOp = Object.freeze({ op: 'exception', kind: 'malformed', proto: 'SIGCOMP' });
const SIGCOMP_LIMITED: HttpColumnOp = Object.freeze({ op: 'exception', kind: 'limited', proto: 'SIGCOMP' });

/**
 * The exception SigComp's first reads raise on d[start, end) (captured to capEnd), if any:
 * past the reported end a ReportedBoundsError (malformed), past the captured bytes only a
 * BoundsError (size limited). Allocates nothing (it runs on every segment of port 6666).
 */
export function sigcompException(d: Uint8Array, start: number, end: number, capEnd: number): HttpColumnOp | undefined {
  let n = 2;
  if (start + 2 <= capEnd && d[start] === 0xff && d[start + 1] === 0xff) n = 3;
  if (start + n > end) return SIGCOMP_MALFORMED;
  if (start + n > capEnd) return SIGCOMP_LIMITED;
  return undefined;
}

/**
 * X11 framing (packet-x11.c dissect_x11_requests / dissect_x11_replies): requests are 4 × their
 * 16-bit length (BIG-REQUESTS: a 32-bit length after a zero), replies 32 + 4 × length, errors and
 * events 32 bytes, the connection setup by its own lengths. Only the framing is modelled (the
 * Protocol column says X11; the Info text of whole requests and replies is not), and only for
 * conversations whose connection setup was seen: without it tshark guesses the byte order
 * (guess_byte_ordering), which is not reproduced, so such streams are left alone.
 */
class X11Dissector implements PduDissector {
  /** ENC_LITTLE_ENDIAN ('l') or big endian ('B') from the setup request; 0 unknown. */
  private order = 0;
  private initialReplyPending = false;
  /** The setup request has been seen (or a non-setup request first: give up on the stream). */
  private started = false;

  dissect(c: PduCall): PduResult {
    const { d, start, end } = c;
    if (!this.started) {
      const b = u8at(d, start);
      this.started = !c.fromServer;
      if (c.fromServer || (b !== 0x42 && b !== 0x6c)) return NONE;
      this.order = b;
      this.initialReplyPending = true;
      // The setup request itself is dissected below as the first request.
      this.setup = true;
    }
    if (this.order === 0) return NONE;
    c.ops.push({ op: 'proto', name: 'X11' });
    return c.fromServer ? this.replies(c, start, end) : this.requests(c, start, end);
  }

  private setup = false;

  private u16(d: Uint8Array, o: number): number {
    return this.order === 0x6c ? u8at(d, o) | (u8at(d, o + 1) << 8) : (u8at(d, o) << 8) | u8at(d, o + 1);
  }

  private u32(d: Uint8Array, o: number): number {
    return this.order === 0x6c ? (this.u16(d, o) + this.u16(d, o + 2) * 65536) : this.u16(d, o) * 65536 + this.u16(d, o + 2);
  }

  private requests(c: PduCall, start: number, end: number): PduResult {
    const { d } = c;
    let off = start;
    while (end - off > 0) {
      const remaining = end - off;
      if (c.canDeseg && remaining < 4) return { desegOffset: off - start, desegLen: NEED_ONE_MORE_SEGMENT };
      let plen: number;
      if (this.setup) {
        if (c.canDeseg && remaining < 10) return { desegOffset: off - start, desegLen: NEED_ONE_MORE_SEGMENT };
        const pad = (n: number): number => (n + 3) & ~3;
        plen = 12 + pad(this.u16(d, off + 6)) + pad(this.u16(d, off + 8));
      } else {
        plen = this.u16(d, off + 2);
        if (plen === 0) plen = this.u32(d, off + 4);
        if (plen <= 0) return NONE; // "Bogus request length": the rest is left
        plen *= 4;
      }
      if (c.canDeseg && remaining < plen) return { desegOffset: off - start, desegLen: plen - remaining };
      this.setup = false;
      off += plen;
    }
    return NONE;
  }

  private replies(c: PduCall, start: number, end: number): PduResult {
    const { d } = c;
    let off = start;
    while (end - off > 0) {
      const remaining = end - off;
      if (c.canDeseg && remaining < 8) return { desegOffset: off - start, desegLen: NEED_ONE_MORE_SEGMENT };
      let plen: number;
      if (this.initialReplyPending) plen = 8 + this.u16(d, off + 6) * 4;
      else {
        const type = u8at(d, off);
        plen = type === 1 || type === 35 ? 32 + this.u32(d, off + 4) * 4 : 32;
      }
      if (c.canDeseg && remaining < plen) return { desegOffset: off - start, desegLen: plen - remaining };
      this.initialReplyPending = false;
      off += plen;
    }
    return NONE;
  }
}
