/** Info-column markers of the TCP analysis, in tshark's visible order (spec §10.1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAnalysisPrefix } from '../../src/present/tcp-analysis-info.js';
import type { TcpFrameAnalysis } from '../../src/analysis/types.js';
import {
  TA_DUPLICATE_ACK, TA_KEEP_ALIVE, TA_LOST_SEGMENT, TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS,
  TA_WINDOW_FULL, TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE_ACK, TA_SPURIOUS_RETRANSMISSION, TA_ACK_LOST_SEGMENT,
  TA_FAST_RETRANSMISSION,
} from '../../src/analysis/types.js';

function frame(flags: number, dup: [number, number] = [0, 0], hasRecord = true): TcpFrameAnalysis {
  return {
    stream: 0, relSeq: 1, relAck: 1, nxtSeq: 1, windowSize: 0, scaleFactor: -1, flags, lenKnown: true,
    bogusHeader: false, optionsCut: false, finInitiates: false, completeness: 0, hasRecord, acksFrame: 0, ackRttNs: 0, initialRttNs: 0, bytesInFlight: 0,
    pushBytesSent: 0, rtoNs: 0, rtoFrame: 0, dupAckNum: dup[1], dupAckFrame: dup[0], sackLe: [], sackRe: [],
    dsack: false, timeRelativeNs: 0, timeDeltaNs: 0, facts: undefined,
  };
}

const rows: { name: string; a: TcpFrameAnalysis; want: string }[] = [
  { name: 'nothing', a: frame(0), want: '' },
  { name: 'retransmission', a: frame(TA_RETRANSMISSION), want: '[TCP Retransmission] ' },
  { name: 'fast', a: frame(TA_FAST_RETRANSMISSION), want: '[TCP Fast Retransmission] ' },
  { name: 'spurious', a: frame(TA_SPURIOUS_RETRANSMISSION), want: '[TCP Spurious Retransmission] ' },
  { name: 'dup ack (loss.pcap #38)', a: frame(TA_DUPLICATE_ACK, [36, 1]), want: '[TCP Dup ACK 36#1] ' },
  // e8: both markers, the later-printed first
  { name: 'window full + lost (e8)', a: frame(TA_WINDOW_FULL | TA_LOST_SEGMENT), want: '[TCP Window Full] [TCP Previous segment not captured] ' },
  { name: 'zero window + ooo (e8)', a: frame(TA_ZERO_WINDOW | TA_OUT_OF_ORDER), want: '[TCP ZeroWindow] [TCP Out-Of-Order] ' },
  { name: 'zero window + keep-alive (e8)', a: frame(TA_ZERO_WINDOW | TA_KEEP_ALIVE), want: '[TCP ZeroWindow] [TCP Keep-Alive] ' },
  { name: 'zwp ack (e3 #8)', a: frame(TA_ZERO_WINDOW | TA_ZERO_WINDOW_PROBE_ACK), want: '[TCP ZeroWindowProbeAck] [TCP ZeroWindow] ' },
  { name: 'lost + reused (e4 #14)', a: frame(TA_LOST_SEGMENT | TA_REUSED_PORTS), want: '[TCP Previous segment not captured] [TCP Port numbers reused] ' },
  { name: 'acked unseen + fast (nDPI fuzz #110)', a: frame(TA_ACK_LOST_SEGMENT | TA_FAST_RETRANSMISSION), want: '[TCP ACKed unseen segment] [TCP Fast Retransmission] ' },
  { name: 'no record, no markers', a: frame(TA_RETRANSMISSION, [0, 0], false), want: '' },
];

for (const r of rows) {
  test(`prefix: ${r.name}`, () => assert.equal(formatAnalysisPrefix(r.a), r.want));
}
