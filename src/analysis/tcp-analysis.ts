/**
 * TcpAnalyzer: Wireshark's TCP sequence analysis, one pass in capture order.
 * (Placeholder until the analysis issue lands: it computes nothing yet.)
 */
import type { CaptureRecord } from '../wire/record.js';
import type { DecodedPacket } from '../decode/packet.js';
import type { TcpFrameAnalysis } from './types.js';

export class TcpAnalyzer {
  /** Analyses one frame (call in capture order); undefined for non-TCP frames. */
  analyze(_record: CaptureRecord, _pkt: DecodedPacket): TcpFrameAnalysis | undefined {
    return undefined;
  }
}
