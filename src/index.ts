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
