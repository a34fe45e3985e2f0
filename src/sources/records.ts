import { accessSync, constants, createReadStream, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { describeJsonError } from './json-position.js';

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

/** Parse one NDJSON line. Blank lines give nothing. */
function recordOfLine(source: string, lineText: string, lineNumber: number, index: number): InputRecord | undefined {
  // Tolerate CRLF files and a UTF-8 BOM on the first line.
  let text = lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText;
  if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
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
export async function* ndjsonBatches(source: string, stream: AsyncIterable<string | Buffer>): AsyncGenerator<InputRecord[]> {
  let rest = '';
  let lineNumber = 0;
  let index = 0;
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const batch: InputRecord[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNumber++;
      const record = recordOfLine(source, text.slice(start, nl), lineNumber, index);
      if (record) {
        batch.push(record);
        index++;
      }
      start = nl + 1;
    }
    rest = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  if (rest !== '') {
    lineNumber++;
    const record = recordOfLine(source, rest, lineNumber, index);
    if (record) yield [record];
  }
}

async function readWhole(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  return parts.join('');
}

/**
 * stdin may be one JSON document (possibly pretty-printed, possibly an array) or NDJSON. Decide on the first
 * line: if it is complete JSON on its own, the input is NDJSON and is streamed (so `tail | validate -` works
 * live); otherwise the whole input is one document.
 */
export async function* stdinBatches(stream: Readable, source = '<stdin>'): AsyncGenerator<InputRecord[]> {
  stream.setEncoding('utf8');
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  let head = '';
  let done = false;
  while (!done && !head.includes('\n')) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head += next.value;
  }
  const remaining: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({ next: () => (done ? Promise.resolve({ done: true, value: undefined }) : iterator.next()) }),
  };
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
    yield* ndjsonBatches(source, (async function* () {
      yield head;
      yield* remaining;
    })());
    return;
  }
  const text = head + (await readWhole(remaining));
  if (text.trim() === '') return;
  yield recordsOfJsonText(source, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** Read one path (or `-`) in batches of records. NDJSON is streamed; a .json file is read whole. */
export async function* fileBatches(path: string, stdin: Readable = process.stdin): AsyncGenerator<InputRecord[]> {
  if (path === '-') {
    yield* stdinBatches(stdin);
    return;
  }
  if (NDJSON_EXTENSIONS.has(extname(path).toLowerCase())) {
    // With an encoding the stream decodes across chunk boundaries: a multi-byte character may be split by a read.
    const stream = createReadStream(path, { highWaterMark: 1 << 20, encoding: 'utf8' });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    try {
      await opened;
    } catch (error) {
      throw inputError(describeFsError(path, error), error);
    }
    yield* ndjsonBatches(path, stream);
    return;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    yield [{ kind: 'malformed', source: path, index: 0, line: 1, column: 1, message: 'invalid JSON: the file is empty' }];
    return;
  }
  yield recordsOfJsonText(path, text);
}

/** Every record of every input, in order. */
export async function* readRecords(inputs: readonly string[], stdin: Readable = process.stdin): AsyncGenerator<InputRecord> {
  for (const path of await expandPaths(inputs)) {
    for await (const batch of fileBatches(path, stdin)) yield* batch;
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
export async function* documentBatches(path: string, stdin: Readable): AsyncGenerator<InputRecord[]> {
  if (path === '-') {
    yield* fileBatches(path, stdin);
    return;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw inputError(describeFsError(path, error), error);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    yield [{ kind: 'malformed', source: path, index: 0, line: 1, column: 1, message: 'invalid JSON: the file is empty' }];
    return;
  }
  yield recordsOfJsonText(path, text);
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
