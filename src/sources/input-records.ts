// What every reader of events produces (records with where they came from) and the words for what it refuses.
// Below both readers (records.ts, ndjson-lines.ts), which import it.
import { describeBytes } from '../limits.js';

/** How much one event may take: the longest NDJSON line, the largest JSON document (`--max-event-size`). */
export interface ReadLimits {
  maxEventBytes?: number;
}

/** The one-line reason for a line or document over the limit. */
export function tooLargeMessage(what: 'line' | 'document', limit: number): string {
  return `the ${what} is longer than ${describeBytes(limit)} (raise the limit with --max-event-size)`;
}

/** Where the first byte that is not UTF-8 sits in a decoded text (it became U+FFFD), when the bytes were not valid UTF-8. */
export function invalidUtf8At(bytes: Uint8Array, text: string): number | undefined {
  const at = text.indexOf('\uFFFD');
  if (at === -1) return undefined;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined; // A real U+FFFD in the input, not a decoding error.
  } catch {
    return at;
  }
}

export const INVALID_UTF8 = 'invalid UTF-8: the text is not UTF-8 from here on (re-save the file as UTF-8)';

/** A JSON value read from a source, with what is needed to point back into its text. */
export interface ValueRecord {
  kind: 'value';
  /** Display name of the source: a file path, `<stdin>`, or `sample:<type>/<name>`. */
  source: string;
  /** 0-based index of the event within its source. */
  index: number;
  /** 1-based line in the source where this record's text starts. */
  line: number;
  value: unknown;
  /**
   * The text the value was parsed from (one NDJSON line, or the whole JSON document) and the JSON pointer of the
   * value within it ('' or '/3' for the 4th element of an array). Locating a field costs nothing until asked.
   */
  text: string;
  pointer: string;
}

/** Text that is not JSON: reported with its position; the rest of an NDJSON source is still read. */
export interface MalformedRecord {
  kind: 'malformed';
  source: string;
  index: number;
  line: number;
  column: number;
  message: string;
}

export type InputRecord = ValueRecord | MalformedRecord;
