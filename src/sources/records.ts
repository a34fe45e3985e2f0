import { accessSync, constants, createReadStream, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { DEFAULT_MAX_EVENT_BYTES, describeBytes } from '../limits.js';
import { describeJsonError, positionAt } from './json-position.js';

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

export const NDJSON_EXTENSIONS = new Set(['.ndjson', '.jsonl']);
export const JSON_EXTENSIONS = new Set(['.json']);

export function isEventFile(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return NDJSON_EXTENSIONS.has(ext) || JSON_EXTENSIONS.has(ext);
}

function inputError(message: string, cause?: unknown): UserError {
  return new UserError(message, { exitCode: 2, cause });
}

function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${path}: no such file or directory`;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  if (code === 'EISDIR') return `${path}: is a directory`;
  return `${path}: cannot read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/**
 * Expand inputs into files: a directory becomes every .json/.ndjson/.jsonl file below it, sorted;
 * `-` stays as is (stdin). Throws a UserError (exit 2) for a path that does not exist.
 */
export async function expandPaths(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    if (input === '-') {
      files.push(input);
      continue;
    }
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      throw inputError(describeFsError(input, error), error);
    }
    if (info.isDirectory()) files.push(...(await walk(input)));
    else files.push(input);
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw inputError(describeFsError(dir, error), error);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      out.push(...(await walk(path)));
    } else if (entry.isFile() && isEventFile(path)) out.push(path);
  }
  return out;
}

/** Records of one JSON document: the value itself, or each element when it is an array. */
export function recordsOfJsonText(source: string, text: string, firstIndex = 0): InputRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const problem = describeJsonError(error, text);
    return [{ kind: 'malformed', source, index: firstIndex, ...problem }];
  }
  if (Array.isArray(value)) {
    return value.map((element, i) => ({ kind: 'value', source, index: firstIndex + i, line: 1, value: element, text, pointer: `/${i}` }));
  }
  return [{ kind: 'value', source, index: firstIndex, line: 1, value, text, pointer: '' }];
}

/**
 * Text from a byte stream, chunk by chunk, with multi-byte characters kept whole across chunks. `invalid` says that
 * this chunk held bytes that are not UTF-8 (they became U+FFFD), so that lines holding U+FFFD can be reported.
 */
async function* utf8Chunks(stream: AsyncIterable<string | Buffer>): AsyncGenerator<{ text: string; invalid: boolean }> {
  const strict = new TextDecoder('utf-8', { fatal: true });
  const lenient = new TextDecoder('utf-8', { fatal: false });
  let broken = false;
  for await (const chunk of stream) {
    if (typeof chunk === 'string') {
      yield { text: chunk, invalid: false };
      continue;
    }
    if (!broken) {
      try {
        yield { text: strict.decode(chunk, { stream: true }), invalid: false };
        continue;
      } catch {
        // From here on the lenient decoder takes over (the strict one lost its state).
        broken = true;
      }
    }
    yield { text: lenient.decode(chunk, { stream: true }), invalid: true };
  }
  const tail = broken ? lenient.decode() : '';
  if (tail !== '') yield { text: tail, invalid: true };
}

/** Parse one NDJSON line. Blank lines give nothing. */
function recordOfLine(source: string, lineText: string, lineNumber: number, index: number, invalidUtf8 = false): InputRecord | undefined {
  // Tolerate CRLF files and a UTF-8 BOM on the first line.
  let text = lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText;
  if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
  const bad = invalidUtf8 ? text.indexOf('\uFFFD') : -1;
  if (bad !== -1) return { kind: 'malformed', source, index, line: lineNumber, column: bad + 1, message: INVALID_UTF8 };
  try {
    return { kind: 'value', source, index, line: lineNumber, value: JSON.parse(text), text, pointer: '' };
  } catch (error) {
    const problem = describeJsonError(error, text);
    return { kind: 'malformed', source, index, line: lineNumber, column: problem.column, message: problem.message };
  }
}

/**
 * Read NDJSON from a stream in batches (one batch per chunk), so memory stays flat however large the input.
 */
export async function* ndjsonBatches(source: string, stream: AsyncIterable<string | Buffer>, limits: ReadLimits = {}): AsyncGenerator<InputRecord[]> {
  const maxLine = limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  let rest = '';
  /** The line being read is over the limit: its text is dropped until its newline. */
  let skipping = false;
  let restInvalid = false;
  let lineNumber = 0;
  let index = 0;
  for await (const { text: decoded, invalid } of utf8Chunks(stream)) {
    const text = rest + decoded;
    const batch: InputRecord[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNumber++;
      if (skipping || nl - start > maxLine) {
        batch.push({ kind: 'malformed', source, index: index++, line: lineNumber, column: 1, message: tooLargeMessage('line', maxLine) });
        skipping = false;
      } else {
        const record = recordOfLine(source, text.slice(start, nl), lineNumber, index, invalid || restInvalid);
        if (record) {
          batch.push(record);
          index++;
        }
      }
      restInvalid = false;
      start = nl + 1;
    }
    rest = text.slice(start);
    restInvalid ||= invalid;
    // Characters, not bytes: a UTF-8 character is at least one byte, so this never lets more than the limit through.
    if (rest.length > maxLine) {
      skipping = true;
      rest = '';
    }
    if (skipping) rest = '';
    if (batch.length > 0) yield batch;
  }
  if (skipping) {
    yield [{ kind: 'malformed', source, index, line: lineNumber + 1, column: 1, message: tooLargeMessage('line', maxLine) }];
  } else if (rest !== '') {
    lineNumber++;
    const record = recordOfLine(source, rest, lineNumber, index, restInvalid);
    if (record) yield [record];
  }
}

/** A whole stream as bytes, refusing more than `limit` (an input error: `validate /dev/zero` must not fill memory). */
export async function readAllBytes(stream: AsyncIterable<string | Buffer>, source: string, limit: number, first?: Buffer): Promise<Buffer> {
  const parts: Buffer[] = first ? [first] : [];
  let size = first?.length ?? 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) throw inputError(`${source}: ${tooLargeMessage('document', limit)}`);
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

/** Records of one JSON document given as bytes: invalid UTF-8 is reported where it starts. */
export function recordsOfJsonBytes(source: string, bytes: Buffer): InputRecord[] {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return [{ kind: 'malformed', source, index: 0, line: 1, column: 1, message: 'invalid JSON: the file is empty' }];
  const bad = invalidUtf8At(bytes, text);
  if (bad !== undefined) return [{ kind: 'malformed', source, index: 0, ...positionAt(text, bad), message: INVALID_UTF8 }];
  return recordsOfJsonText(source, text);
}

/**
 * stdin may be one JSON document (possibly pretty-printed, possibly an array) or NDJSON. Decide on the first
 * line: if it is complete JSON on its own, the input is NDJSON and is streamed (so `tail | validate -` works
 * live); otherwise the whole input is one document.
 */
export async function* stdinBatches(stream: Readable, source = '<stdin>', limits: ReadLimits = {}): AsyncGenerator<InputRecord[]> {
  const limit = limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const headParts: Buffer[] = [];
  let headSize = 0;
  let done = false;
  let sawNewline = false;
  while (!done && !sawNewline) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      const bytes = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      headParts.push(bytes);
      headSize += bytes.length;
      sawNewline = bytes.includes(0x0a);
    }
    // No newline within the limit: one document larger than the limit, or one line longer than it.
    if (headSize > limit) throw inputError(`${source}: ${tooLargeMessage('document', limit)}`);
  }
  const headBytes = Buffer.concat(headParts);
  const remaining: AsyncIterable<Buffer | string> = {
    [Symbol.asyncIterator]: () => ({ next: () => (done ? Promise.resolve({ done: true, value: undefined }) : iterator.next()) }),
  };
  const head = headBytes.toString('utf8');
  const firstLine = head.slice(0, head.includes('\n') ? head.indexOf('\n') : head.length).trim();
  let looksLikeNdjson = false;
  if (firstLine !== '') {
    try {
      JSON.parse(firstLine);
      looksLikeNdjson = head.includes('\n') || done;
    } catch {
      looksLikeNdjson = false;
    }
  }
  if (looksLikeNdjson) {
    yield* ndjsonBatches(
      source,
      (async function* () {
        yield headBytes;
        yield* remaining;
      })(),
      limits,
    );
    return;
  }
  const bytes = await readAllBytes(remaining, source, limit, headBytes);
  if (bytes.toString('utf8').trim() === '') return;
  yield recordsOfJsonBytes(source, bytes);
}

/**
 * A .json document (or a path that is not a regular file: a FIFO, /dev/zero) read whole, but never more than the
 * limit: a regular file is measured first, anything else is read up to the limit.
 */
export async function readDocumentBytes(path: string, limit: number): Promise<Buffer> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  if (info.isDirectory()) throw inputError(`${path}: is a directory`);
  if (info.isFile() && info.size > limit) throw inputError(`${path}: ${tooLargeMessage('document', limit)}`);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  try {
    return await readAllBytes(stream as AsyncIterable<Buffer>, path, limit);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw inputError(describeFsError(path, error), error);
  } finally {
    stream.destroy();
  }
}

/** Read one path (or `-`) in batches of records. NDJSON is streamed; a .json file is read whole. */
export async function* fileBatches(path: string, stdin: Readable = process.stdin, limits: ReadLimits = {}): AsyncGenerator<InputRecord[]> {
  if (path === '-') {
    yield* stdinBatches(stdin, '<stdin>', limits);
    return;
  }
  if (NDJSON_EXTENSIONS.has(extname(path).toLowerCase())) {
    // Bytes, decoded across chunk boundaries (a multi-byte character may be split by a read), invalid UTF-8 noticed.
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    try {
      await opened;
    } catch (error) {
      throw inputError(describeFsError(path, error), error);
    }
    try {
      yield* ndjsonBatches(path, stream as AsyncIterable<Buffer>, limits);
    } finally {
      stream.destroy();
    }
    return;
  }
  yield recordsOfJsonBytes(path, await readDocumentBytes(path, limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES));
}

/** Every record of every input, in order. */
export async function* readRecords(inputs: readonly string[], stdin: Readable = process.stdin, limits: ReadLimits = {}): AsyncGenerator<InputRecord> {
  for (const path of await expandPaths(inputs)) {
    for await (const batch of fileBatches(path, stdin, limits)) yield* batch;
  }
}

/** Every input expanded to files, each checked readable now: an unreadable path is an input error before any output. */
export async function resolveInputFiles(inputs: readonly string[]): Promise<string[]> {
  const files = await expandPaths(inputs);
  if (files.length === 0) {
    throw inputError(`no .json, .ndjson or .jsonl files in ${inputs.join(', ')}`);
  }
  for (const file of files) {
    if (file === '-') continue;
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      throw inputError(describeFsError(file, error), error);
    }
  }
  return files;
}

/**
 * Batches of records of a .json file or stdin. A .json document is read at once (it is parsed whole anyway, and a
 * synchronous read of a small file is much cheaper than the promise-based one); stdin goes to the shared reader,
 * which tells JSON from NDJSON and streams the latter. NDJSON files take the faster path: `openChunks` and the NdjsonLineReader.
 */
export async function* documentBatches(path: string, stdin: Readable, maxEventBytes = DEFAULT_MAX_EVENT_BYTES): AsyncGenerator<InputRecord[]> {
  if (path === '-') {
    yield* fileBatches(path, stdin, { maxEventBytes });
    return;
  }
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  // A regular file within the limit is read at once; anything else (a FIFO, /dev/zero) is read up to the limit.
  if (!info.isFile() || info.size > maxEventBytes) {
    yield recordsOfJsonBytes(path, await readDocumentBytes(path, maxEventBytes));
    return;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  yield recordsOfJsonBytes(path, bytes);
}

/**
 * Chunk size for NDJSON files. 256 KiB is as fast as 1 MiB and keeps peak RSS near 80 MB on a 1 GB file (1 MiB
 * chunks: ~145 MB), because fewer parsed events are alive between two garbage collections.
 */
export const NDJSON_CHUNK_BYTES = 256 * 1024;

/** The chunks of a file, as Buffers; an unreadable file is an input error. */
export async function openChunks(path: string): Promise<AsyncIterable<Buffer>> {
  const stream = createReadStream(path, { highWaterMark: NDJSON_CHUNK_BYTES });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  return stream as AsyncIterable<Buffer>;
}
