/**
 * The steerable TCP client (`tcplab connect`): public API. Imports util/ only (ARCHITECTURE.md §2.2).
 */
export { runClient, validateClientOptions, ClientError, MAX_EVENTS } from './client.js';
export type {
  ClientOptions, ClientTranscript, TranscriptEvent, TranscriptEventKind, RoundResult, EchoMismatch,
  AppliedSettings,
} from './types.js';
