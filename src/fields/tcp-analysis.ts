/**
 * tcp.analysis.* and the other generated TCP fields, from TcpFrameAnalysis.
 * (Owner: the analysis issue; empty until it lands.)
 */
import type { FieldDef } from './field.js';

export const TCP_ANALYSIS_FIELDS: readonly FieldDef[] = [];
