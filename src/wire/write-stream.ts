/**
 * Backpressure for the capture writers: write a buffer, and when the Writable says its buffer is
 * full, wait for 'drain' (rejecting if the stream errors or closes first).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CAPTURE_ERR, CaptureError } from './errors.js';

export async function writeWithBackpressure(out: Writable, buf: Uint8Array): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new CaptureError(CAPTURE_ERR.IO, 'The capture output is closed.');
  if (!out.write(buf)) await once(out, 'drain');
}

/** Ends the stream and waits until everything is flushed. */
export async function endStream(out: Writable): Promise<void> {
  if (out.writableFinished) return;
  const done = once(out, 'finish');
  out.end();
  await done;
}
