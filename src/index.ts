/**
 * tcplab's library API: `import { … } from 'tcplab'`.
 * Each area re-exports its public pieces here as it lands.
 */
export { LabError, isLabError } from './util/errors.js';
export { runClient, validateClientOptions, ClientError } from './client/index.js';
export type { ClientOptions, ClientTranscript, TranscriptEvent, RoundResult, EchoMismatch } from './client/index.js';
