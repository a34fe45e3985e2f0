import { DEFAULT_MAX_EVENT_BYTES } from '../limits.js';
import { describeJsonError } from './json-position.js';
import { bomLength } from '../bom.js';
import { INVALID_UTF8, invalidUtf8At, tooLargeMessage, type MalformedRecord } from './input-records.js';

/** Where the reader hands what it reads. Values come without a record object: most are never reported. */
export interface NdjsonVisitor {
  /** A parsed line: the value, the line's text (for locating findings later), its 1-based line and 0-based index. */
  value(value: unknown, text: string, line: number, index: number): void;
  malformed(record: MalformedRecord): void;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * NDJSON from raw bytes, one record at a time, handed to the visitor as soon as its line is complete.
 *
 * The one NDJSON reader (records.ts's ndjsonBatches wraps it for replay, validate's stdin and tail's inputs): blank
 * lines skipped but counted, CRLF and a leading BOM tolerated, a line that is not JSON is a `malformed` record and
 * the next line is read as usual. Built for `validate`'s throughput target: lines are found in the Buffer (a newline byte never occurs inside a
 * multi-byte UTF-8 character, so each line decodes whole, whatever the chunk boundaries), and each record is
 * checked before the next is parsed, so parsed events die young instead of living through a batch.
 */
export class NdjsonLineReader {
  private readonly source: string;
  private readonly visitor: NdjsonVisitor;
  /** The start of a line that continues in the next chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The line being read is longer than the limit: its bytes are dropped until its newline. */
  private skipping = false;
  private lineNumber = 0;
  private index = 0;
  private readonly maxLineBytes: number;

  constructor(source: string, visitor: NdjsonVisitor, maxLineBytes = DEFAULT_MAX_EVENT_BYTES) {
    this.source = source;
    this.visitor = visitor;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Keep the start of an unfinished line, unless it is already longer than the limit. A copy: the chunk's Buffer
   * may be filled again with the next chunk (sources/records.ts, openChunks).
   */
  private keep(bytes: Buffer): void {
    if (this.skipping) return;
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      return;
    }
    this.pending.push(Buffer.from(bytes));
  }

  /** The end of a line that was too long: one malformed record for it. */
  private skipped(): void {
    this.skipping = false;
    const lineNumber = ++this.lineNumber;
    this.visitor.malformed({ kind: 'malformed', source: this.source, index: this.index++, line: lineNumber, column: 1, message: tooLargeMessage('line', this.maxLineBytes) });
  }

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (this.pending.length > 0 || this.skipping) {
      if (nl === -1) {
        this.keep(chunk);
        return;
      }
      this.keep(chunk.subarray(0, nl));
      if (this.skipping) this.skipped();
      else {
        const joined = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        this.line(joined, 0, joined.length);
      }
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    while (nl !== -1) {
      if (nl - start > this.maxLineBytes) {
        this.skipping = true;
        this.skipped();
      } else this.line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    if (this.skipping) {
      this.skipped();
      return;
    }
    if (this.pending.length === 0) return;
    const joined = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.line(joined, 0, joined.length);
  }

  private line(bytes: Buffer, start: number, end: number): void {
    const lineNumber = ++this.lineNumber;
    if (end > start && bytes[end - 1] === CR) end--;
    // A UTF-8 byte order mark before the first line.
    if (lineNumber === 1) start += bomLength(bytes, start, end);
    if (end <= start) return;
    const text = bytes.toString('utf8', start, end);
    // Bytes that are not UTF-8 became U+FFFD: say so, rather than check an event that is not what the file holds.
    if (text.includes('\uFFFD')) {
      const bad = invalidUtf8At(bytes.subarray(start, end), text);
      if (bad !== undefined) {
        this.visitor.malformed({ kind: 'malformed', source: this.source, index: this.index++, line: lineNumber, column: bad + 1, message: INVALID_UTF8 });
        return;
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') return;
      const problem = describeJsonError(error, text);
      this.visitor.malformed({ kind: 'malformed', source: this.source, index: this.index++, line: lineNumber, column: problem.column, message: problem.message });
      return;
    }
    this.visitor.value(value, text, lineNumber, this.index++);
  }
}
