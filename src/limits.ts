import { usageError } from './errors.js';

// Limits shared by every command: each one turns what would be a crash, a hang or unbounded memory into a clear
// one-line error. Documented in the README ("Reliability and security").

/** The longest delay a timer can have: node fires a longer one after ~1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The most of an answer's body that is read and kept (an excerpt for the report): the rest is discarded unread. */
export const ANSWER_EXCERPT_BYTES = 64 * 1024;

/** Default largest NDJSON line or JSON document (`--max-event-size`): an event envelope is a few KB. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;

/** `1h`, `24.8d`: how a limit in ms reads in a message. */
export function describeMs(ms: number): string {
  if (ms >= 86_400_000) return `${+(ms / 86_400_000).toFixed(1)} days`;
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(1)} h`;
  return `${ms} ms`;
}

/** `64 MiB`, `512 KiB`, `300 bytes`. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Parse a size like `64MiB`, `512k`, `1000000` (bytes). Throws a SyntaxError with a message fit for a flag. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(text);
  if (!match) throw new SyntaxError(`"${text}" is not a size (e.g. 64MiB, 512KiB, 1000000)`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  const bytes = Math.floor(Number(match[1]) * factor);
  if (bytes < 1) throw new SyntaxError(`"${text}" is less than 1 byte`);
  // A string cannot hold more than ~512 MiB in V8: a larger limit could never be reached without a crash.
  if (bytes > 512 * 1024 * 1024) throw new SyntaxError(`"${text}" is more than the largest supported size, 512 MiB`);
  return bytes;
}

/**
 * Read at most `limit` bytes of a body and stop: the rest is never buffered (the stream is destroyed), so a
 * 300 MB answer costs `limit` bytes.  */
export async function readExcerpt(body: AsyncIterable<Uint8Array | string>, limit = ANSWER_EXCERPT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    chunks.push(bytes);
    size += bytes.length;
    // Leaving the loop destroys the stream: nothing more is read.
    if (size >= limit) break;
  }
  // Cut on a character boundary: the decoder drops a partial character at the end.
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks).subarray(0, limit)).replace(/\uFFFD$/, '');
}

/** `--max-event-size` as bytes (the default when not given); a usage error when it is not a size. */
export function maxEventSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_MAX_EVENT_BYTES;
  try {
    return parseSize(raw);
  } catch (error) {
    throw usageError(`--max-event-size: ${(error as Error).message}`);
  }
}
