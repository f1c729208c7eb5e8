/**
 * tcplab's library API: `import { … } from 'tcplab'`.
 * Each area re-exports its public pieces here as it lands.
 */
export { LabError, isLabError } from './util/errors.js';
export { runClient, validateClientOptions, ClientError } from './client/index.js';
export type { ClientOptions, ClientTranscript, TranscriptEvent, RoundResult, EchoMismatch } from './client/index.js';
export { openCaptureFile, openCaptureStream, BufferCaptureReader, CaptureError, CAPTURE_ERR } from './wire/open.js';
export type { CaptureSource } from './wire/open.js';
export type { CaptureRecord, CaptureInfo, CaptureInterface } from './wire/record.js';
export { startLiveCapture } from './wire/live.js';
export type { LiveCaptureOptions, LiveCaptureSource } from './wire/live.js';
export { PcapWriter } from './wire/pcap-writer.js';
export { PcapngWriter } from './wire/pcapng-writer.js';
export { EchoServer, maxBufferedBytesPerConnection } from './server/echo-server.js';
export type {
  EchoServerOptions, EchoServerStats, EchoServerEvents, ConnectionInfo, ClosedConnection, ConnectionSnapshot, CloseReason, ListeningInfo,
} from './server/echo-server.js';

// Frame-level API: open a capture (file or live), iterate decoded and analysed frames, filter,
// print them as tshark does, and write captures (see README "Library").
export { Session, echoRequestOf, finRoleOf } from './pipeline/session.js';
export type { SessionOptions } from './pipeline/session.js';
export { PacketDecoder, decodePacket, SUPPORTED_LINKTYPES } from './decode/decoder.js';
export type { DecodedPacket, DecodeIssue, TcpHeader, TcpOption, Ipv4Header, Ipv6Header, EthHeader, SllHeader, UdpHeader, IcmpHeader } from './decode/packet.js';
export { TcpAnalyzer } from './analysis/tcp-analysis.js';
export type { TcpAnalyzerOptions } from './analysis/tcp-analysis.js';
export type { TcpFrameAnalysis } from './analysis/types.js';
export { TcpReassembler } from './analysis/reassembly.js';
export type { StreamEvent, ReassemblerOptions, Endpoint } from './analysis/reassembly.js';
export { lookupField, allFields } from './fields/registry.js';
export type { Frame, FieldDef, FieldType, FieldValue } from './fields/field.js';
export { parseFilter, compileFilterOrThrow, explainFilter } from './filter/index.js';
export type { CompiledFilter, ParseResult, FilterError, FilterErrorCode } from './filter/index.js';
export { formatSummaryLine } from './present/columns.js';
export { formatDetail } from './present/text-detail.js';
export { formatHexDump } from './present/hexdump.js';
export { formatFieldsLine, resolveFields, fieldTexts, DEFAULT_FIELDS_OPTIONS } from './present/fields-out.js';
export type { FieldsOptions } from './present/fields-out.js';
export { formatJsonPacket } from './present/json.js';
export { formatFilterError } from './present/filter-error.js';
export { explainTcpAnalysis } from './present/tcp-analysis-explain.js';
export { formatAnalysisPrefix } from './present/tcp-analysis-info.js';
export { listCaptureInterfaces } from './wire/interfaces.js';
export type { CaptureInterfaceEntry } from './wire/interfaces.js';
export type { PcapWriterOptions } from './wire/pcap-writer.js';
export type { PcapngWriterOptions } from './wire/pcapng-writer.js';
