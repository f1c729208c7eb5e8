/**
 * TCP options (RFC 9293 §3.1 option list; RFC 7323 window scale and timestamps; RFC 2018 SACK;
 * RFC 7413 Fast Open; RFC 8684 MPTCP), walked as Wireshark 4.0's tcp_dissect_options does.
 *
 * Every option, known or not, is kept as a span {offset, length, kind} so the -V tree and the hex
 * pane can show it; known ones are also parsed into TcpHeader (mss, wscale, sackPerm, sack, tsval,
 * tsecr). A known option with the wrong length is kept but not parsed ("option length should be
 * N"), as Wireshark does. Malformed lengths end the walk with an ERR_TCP_OPT_LEN issue; bytes cut
 * by the snaplen end it with `truncated`.
 */
import type { DecodeState } from './state.js';
import { NONE } from './state.js';
import type { TcpHeader, TcpOption } from './packet.js';

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_ECHO = 6;
export const TCPOPT_ECHOREPLY = 7;
export const TCPOPT_TIMESTAMP = 8;
export const TCPOPT_CC = 11;
export const TCPOPT_CCNEW = 12;
export const TCPOPT_CCECHO = 13;
export const TCPOPT_MD5 = 19;
export const TCPOPT_SCPS = 20;
export const TCPOPT_SNACK = 21;
export const TCPOPT_RECBOUND = 22;
export const TCPOPT_CORREXP = 23;
export const TCPOPT_QS = 27;
export const TCPOPT_USER_TO = 28;
export const TCPOPT_AO = 29;
export const TCPOPT_MPTCP = 30;
export const TCPOPT_TFO = 34;
export const TCPOPT_RVBD_PROBE = 76;
export const TCPOPT_RVBD_TRPY = 78;
export const TCPOPT_ACC_ECN_0 = 0xac;
export const TCPOPT_ACC_ECN_1 = 0xae;
export const TCPOPT_EXP_FD = 0xfd;
export const TCPOPT_EXP_FE = 0xfe;
/** RFC 6994 experiment id of the pre-RFC 7413 Fast Open cookie (in options 253/254). */
export const TCPEXID_TFO = 0xf989;

/**
 * Wireshark's short option names (tshark's TCP summary "Options: (n bytes), Maximum segment size,
 * No-Operation (NOP), …" and the -V tree), and the tcp.options.* abbreviation of each.
 */
export const TCP_OPTION_NAMES: ReadonlyMap<number, { name: string; abbrev: string }> = new Map([
  [TCPOPT_EOL, { name: 'End of Option List (EOL)', abbrev: 'tcp.options.eol' }],
  [TCPOPT_NOP, { name: 'No-Operation (NOP)', abbrev: 'tcp.options.nop' }],
  [TCPOPT_MSS, { name: 'Maximum segment size', abbrev: 'tcp.options.mss' }],
  [TCPOPT_WINDOW, { name: 'Window scale', abbrev: 'tcp.options.wscale' }],
  [TCPOPT_SACK_PERM, { name: 'SACK permitted', abbrev: 'tcp.options.sack_perm' }],
  [TCPOPT_SACK, { name: 'SACK', abbrev: 'tcp.options.sack' }],
  [TCPOPT_ECHO, { name: 'Echo', abbrev: 'tcp.options.echo' }],
  [TCPOPT_ECHOREPLY, { name: 'Echo reply', abbrev: 'tcp.options.echoreply' }],
  [TCPOPT_TIMESTAMP, { name: 'Timestamps', abbrev: 'tcp.options.timestamp' }],
  [TCPOPT_CC, { name: 'CC', abbrev: 'tcp.options.cc' }],
  [TCPOPT_CCNEW, { name: 'CC.NEW', abbrev: 'tcp.options.ccnew' }],
  [TCPOPT_CCECHO, { name: 'CC.ECHO', abbrev: 'tcp.options.ccecho' }],
  [TCPOPT_MD5, { name: 'TCP MD5 signature', abbrev: 'tcp.options.md5' }],
  [TCPOPT_SCPS, { name: 'SCPS capabilities', abbrev: 'tcp.options.scps' }],
  [TCPOPT_SNACK, { name: 'Selective Negative Acknowledgment', abbrev: 'tcp.options.snack' }],
  [TCPOPT_RECBOUND, { name: 'SCPS record boundary', abbrev: 'tcp.options.scpsrec' }],
  [TCPOPT_CORREXP, { name: 'SCPS corruption experienced', abbrev: 'tcp.options.scpscor' }],
  [TCPOPT_QS, { name: 'Quick-Start', abbrev: 'tcp.options.qs' }],
  [TCPOPT_USER_TO, { name: 'User Timeout', abbrev: 'tcp.options.user_to' }],
  [TCPOPT_AO, { name: 'TCP AO', abbrev: 'tcp.options.ao' }],
  [TCPOPT_MPTCP, { name: 'Multipath TCP', abbrev: 'mptcp' }],
  [TCPOPT_TFO, { name: 'TCP Fast Open', abbrev: 'tcp.options.tfo' }],
  [TCPOPT_RVBD_PROBE, { name: 'Riverbed Probe', abbrev: 'tcp.options.rvbd.probe' }],
  [TCPOPT_RVBD_TRPY, { name: 'Riverbed Transparency', abbrev: 'tcp.options.rvbd.trpy' }],
  [TCPOPT_ACC_ECN_0, { name: 'Accurate ECN', abbrev: 'tcp.options.acc_ecn' }],
  [TCPOPT_ACC_ECN_1, { name: 'Accurate ECN', abbrev: 'tcp.options.acc_ecn' }],
  [TCPOPT_EXP_FD, { name: 'Experimental', abbrev: 'tcp.options.experimental' }],
  [TCPOPT_EXP_FE, { name: 'Experimental', abbrev: 'tcp.options.experimental' }],
]);

/** Wireshark's name of option `kind` ("Unknown (0x%02x)" for others). */
export function tcpOptionName(kind: number): string {
  return TCP_OPTION_NAMES.get(kind)?.name ?? `Unknown (0x${kind.toString(16).padStart(2, '0')})`;
}

/**
 * The options of the header being decoded, gathered here and copied into tcp.options at the end:
 * an exact-size array (pushing to a fresh [] allocated room for 17 on every frame).
 */
const scratch: TcpOption[] = [];
let count = 0;

function add(o: TcpOption): void {
  if (count < scratch.length) scratch[count] = o;
  else scratch.push(o);
  count++;
}

/**
 * Walks the options in [off, optEnd). `end` is the segment's reported end (options past it are
 * malformed, past the captured bytes truncated). Fills tcp.options and the parsed members.
 */
export function decodeTcpOptions(s: DecodeState, tcp: TcpHeader, off: number, optEnd: number, end: number): void {
  // Linux's data segments carry exactly NOP, NOP, Timestamps: whole, they decode to the same
  // three option spans at a given offset every time, so one frozen list per offset serves them
  // all (what the walk below would build, without the walk: ~6 % of a flags-filter read).
  const u = s.u8;
  if (optEnd - off === 12 && optEnd <= s.cap && optEnd <= end
    && u[off] === TCPOPT_NOP && u[off + 1] === TCPOPT_NOP && u[off + 2] === TCPOPT_TIMESTAMP && u[off + 3] === 10) {
    tcp.tsval = s.u32(off + 4);
    tcp.tsecr = s.u32(off + 8);
    tcp.options = nopNopTimestamps(off);
    tcp.optionKinds = NOP_NOP_TS_KINDS;
    return;
  }
  count = 0;
  walkOptions(s, tcp, off, optEnd, end);
  if (count > 0) tcp.options = exactCopy();
  // Drop the references (the scratch must not keep a packet's options alive); note the kinds.
  let kinds = 0;
  for (let i = 0; i < count; i++) {
    const k = scratch[i]!.kind;
    if (k < 32) kinds |= 1 << k;
    scratch[i] = NO_OPTION;
  }
  tcp.optionKinds = kinds;
}

const NOP_NOP_TS_KINDS = (1 << TCPOPT_NOP) | (1 << TCPOPT_TIMESTAMP);
/** Frozen [NOP, NOP, Timestamps] lists by option offset (a few in practice; at most 1024 kept). */
const nopNopTs = new Map<number, readonly TcpOption[]>();

function nopNopTimestamps(off: number): TcpOption[] {
  let list = nopNopTs.get(off);
  if (list === undefined) {
    list = Object.freeze([
      Object.freeze({ offset: off, length: 1, kind: TCPOPT_NOP, captured: 1 }),
      Object.freeze({ offset: off + 1, length: 1, kind: TCPOPT_NOP, captured: 1 }),
      Object.freeze({ offset: off + 2, length: 10, kind: TCPOPT_TIMESTAMP, captured: 10 }),
    ]);
    if (nopNopTs.size < 1024) nopNopTs.set(off, list);
  }
  return list as TcpOption[];
}

/** The gathered options as an array literal (inline allocation; slice() is a builtin call). */
function exactCopy(): TcpOption[] {
  const o = scratch;
  switch (count) {
    case 1: return [o[0]!];
    case 2: return [o[0]!, o[1]!];
    case 3: return [o[0]!, o[1]!, o[2]!];
    case 4: return [o[0]!, o[1]!, o[2]!, o[3]!];
    case 5: return [o[0]!, o[1]!, o[2]!, o[3]!, o[4]!];
    case 6: return [o[0]!, o[1]!, o[2]!, o[3]!, o[4]!, o[5]!];
    default: return o.slice(0, count);
  }
}

const NO_OPTION: TcpOption = Object.freeze({ offset: 0, length: 0, kind: -1, captured: 0 });

function walkOptions(s: DecodeState, tcp: TcpHeader, off: number, optEnd: number, end: number): void {
  let p = off;
  let eolSeen = false;
  while (p < optEnd) {
    if (!s.need('tcp', p, 1, end, 'TCP option')) return;
    const kind = s.u8at(p);
    if (eolSeen && kind !== TCPOPT_EOL) {
      s.addIssue('ERR_TCP_OPT_AFTER_EOL', 'tcp', p, 'Non-zero header padding after End of Option List');
      // Wireshark's expert item spans the rest of the options: a snaplen cut there still truncates.
      s.need('tcp', p, optEnd - p, end, 'TCP options');
      return;
    }
    if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
      add({ offset: p, length: 1, kind, captured: 1 });
      if (kind === TCPOPT_EOL) eolSeen = true;
      p++;
      continue;
    }
    if (p + 1 >= optEnd) {
      s.addIssue('ERR_TCP_OPT_LEN', 'tcp', p, `${tcpOptionName(kind)} (length byte past end of options)`);
      return;
    }
    if (!s.need('tcp', p + 1, 1, end, 'TCP option length')) return;
    const len = s.u8at(p + 1);
    if (len < 2) {
      s.addIssue('ERR_TCP_OPT_LEN', 'tcp', p,
        `${tcpOptionName(kind)} (with too-short option length = ${len} byte${len === 1 ? '' : 's'})`);
      return;
    }
    if (p + len > optEnd) {
      s.addIssue('ERR_TCP_OPT_LEN', 'tcp', p,
        `${tcpOptionName(kind)} (option length = ${len} bytes says option goes past end of options)`);
      return;
    }
    if (!s.need('tcp', p, len, end, 'TCP option')) {
      // Cut by the snaplen inside the option: Wireshark still shows the kind and every value
      // whose bytes were captured before it stops (e.g. tsval without tsecr).
      if (s.pkt.truncated && p + len <= end) {
        const capEnd = s.cap < end ? s.cap : end;
        add({ offset: p, length: len, kind, captured: capEnd - p });
        parseOption(s, tcp, kind, p, len, capEnd);
      }
      return;
    }
    add({ offset: p, length: len, kind, captured: len });
    parseOption(s, tcp, kind, p, len, p + len);
    p += len;
  }
}

/** Parses option values; only values whose bytes lie before `cap` (the captured end) are read. */
function parseOption(s: DecodeState, tcp: TcpHeader, kind: number, p: number, len: number, cap: number): void {
  switch (kind) {
    case TCPOPT_MSS:
      if (len !== 4) badLen(s, kind, p, len, '4');
      else if (p + 4 <= cap) tcp.mss = s.u16(p + 2);
      return;
    case TCPOPT_WINDOW:
      if (len !== 3) badLen(s, kind, p, len, '3');
      else if (p + 3 <= cap) tcp.wscale = s.u8at(p + 2);
      return;
    case TCPOPT_SACK_PERM:
      if (len === 2) tcp.sackPerm = true;
      else badLen(s, kind, p, len, '2');
      return;
    case TCPOPT_TIMESTAMP:
      if (len !== 10) badLen(s, kind, p, len, '10');
      else {
        if (p + 6 <= cap) tcp.tsval = s.u32(p + 2);
        if (p + 10 <= cap) tcp.tsecr = s.u32(p + 6);
      }
      return;
    case TCPOPT_SACK: {
      // Blocks of 8 bytes; a short remainder is a malformed sub-option (Wireshark keeps the good blocks).
      let q = p + 2;
      const e = p + len;
      if (tcp.sack === NONE && q + 8 <= e && q + 8 <= cap) tcp.sack = [];
      while (q + 8 <= e && q + 8 <= cap) {
        tcp.sack.push({ le: s.u32(q), re: s.u32(q + 4) });
        q += 8;
      }
      if (q < e && q + 8 > e) s.addIssue('ERR_TCP_OPT_SACK_LEN', 'tcp', q, 'SACK block is malformed (not 8 bytes)');
      return;
    }
    default:
      return;
  }
}

function badLen(s: DecodeState, kind: number, p: number, len: number, want: string): void {
  s.addIssue('ERR_TCP_OPT_LEN', 'tcp', p + 1, `${tcpOptionName(kind)}: option length should be ${want}, not ${len}`);
}
