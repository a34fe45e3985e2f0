import { accessSync, closeSync, constants, createReadStream, openSync, readdir as readdirCallback, readFileSync, stat as statCallback, statSync, type Dirent, type ReadStream, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { stripBom } from '../bom.js';
import { ExitCode, fileError, UserError } from '../errors.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../limits.js';
import { INVALID_UTF8, invalidUtf8At, tooLargeMessage, type InputRecord, type ReadLimits } from './input-records.js';
import { describeJsonError, positionAt } from './json-position.js';
import { NdjsonLineReader } from './ndjson-lines.js';

export { INVALID_UTF8, invalidUtf8At, tooLargeMessage, type InputRecord, type MalformedRecord, type ReadLimits, type ValueRecord } from './input-records.js';

export const NDJSON_EXTENSIONS = new Set(['.ndjson', '.jsonl']);
export const JSON_EXTENSIONS = new Set(['.json']);

export function isEventFile(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return NDJSON_EXTENSIONS.has(ext) || JSON_EXTENSIONS.has(ext);
}

function inputError(message: string, cause?: unknown): UserError {
  return new UserError(message, { exitCode: ExitCode.usage, cause });
}


/**
 * Expand inputs into files: a directory becomes every .json/.ndjson/.jsonl file below it, sorted;
 * `-` stays as is (stdin). Throws a UserError (exit 2) for a path that does not exist.
 */
// node:fs/promises is loaded only to read NDJSON (openChunks): with it come node's readline and file watchers, ~1 ms
// of every start-up of validate or replay. stat and readdir are the callback ones, as promises.
export function stat(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => statCallback(path, (error, stats) => (error ? reject(error) : resolve(stats))));
}

function readdir(path: string): Promise<Dirent[]> {
  return new Promise((resolve, reject) => readdirCallback(path, { withFileTypes: true }, (error, entries) => (error ? reject(error) : resolve(entries))));
}

export async function expandPaths(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    if (input === '-') {
      files.push(input);
      continue;
    }
    // Synchronous: an asynchronous stat starts libuv's thread pool (4 threads), ~0.4 ms of CPU in a run that reads
    // one small file and otherwise never needs it. A directory is walked with the asynchronous readdir.
    let info;
    try {
      info = statSync(input);
    } catch (error) {
      throw fileError(input, error);
    }
    if (info.isDirectory()) files.push(...(await walk(input)));
    else files.push(input);
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw fileError(dir, error);
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
 * Read NDJSON from a stream in batches (one batch per chunk), so memory stays flat however large the input. The
 * one NDJSON reader (ndjson-lines.ts) does the work: lines found in the bytes, CRLF, a BOM, blank lines, invalid
 * UTF-8 and over-long lines handled the same for replay, validate and tail's inputs.
 */
export async function* ndjsonBatches(source: string, stream: AsyncIterable<string | Buffer>, limits: ReadLimits = {}): AsyncGenerator<InputRecord[]> {
  let batch: InputRecord[] = [];
  const reader = new NdjsonLineReader(
    source,
    {
      value: (value, text, line, index) => batch.push({ kind: 'value', source, index, line, value, text, pointer: '' }),
      malformed: (record) => batch.push(record),
    },
    limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
  );
  for await (const chunk of stream) {
    reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  reader.end();
  if (batch.length > 0) yield batch;
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
  const text = stripBom(bytes.toString('utf8'));
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
 * limit: a regular file is measured first, anything else is read up to the limit. `opened` is given the stream being
 * read, so that a stop can close it (a FIFO's writer may keep it open and write nothing).
 */
export async function readDocumentBytes(path: string, limit: number, opened?: (stream: Closable) => void): Promise<Buffer> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (info.isDirectory()) throw inputError(`${path}: is a directory`);
  if (info.isFile() && info.size > limit) throw inputError(`${path}: ${tooLargeMessage('document', limit)}`);
  const stream = (await openLive(path, info)) ?? (await openFileStream(path, 1 << 20));
  opened?.(stream);
  try {
    return await readAllBytes(stream as AsyncIterable<Buffer>, path, limit);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(path, error);
  } finally {
    stream.destroy();
  }
}

/**
 * Read one path (or `-`) in batches of records. NDJSON is streamed; a .json file is read whole. `opened` is given
 * what may wait for input that never comes (stdin, a FIFO), so that a stop can close it.
 */
export async function* fileBatches(path: string, stdin: Readable = process.stdin, limits: ReadLimits = {}, opened?: (stream: Closable) => void): AsyncGenerator<InputRecord[]> {
  if (path === '-') {
    opened?.(stdin);
    yield* stdinBatches(stdin, '<stdin>', limits);
    return;
  }
  if (!isEventFile(path)) {
    const live = await unnamedLiveBatches(path, limits, opened);
    if (live !== undefined) {
      yield* live;
      return;
    }
  }
  if (NDJSON_EXTENSIONS.has(extname(path).toLowerCase())) {
    // Bytes, decoded across chunk boundaries (a multi-byte character may be split by a read), invalid UTF-8 noticed.
    // Small chunks, into two reused Buffers: few parsed events alive at once, no Buffer per chunk (replay streams a
    // large file in flat memory).
    yield* ndjsonBatches(path, await openChunks(path, STREAM_CHUNK_BYTES, opened), limits);
    return;
  }
  yield recordsOfJsonBytes(path, await readDocumentBytes(path, limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, opened));
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
      throw fileError(file, error);
    }
  }
  return files;
}

/**
 * Batches of records of a .json file or stdin. A .json document is read at once (it is parsed whole anyway, and a
 * synchronous read of a small file is much cheaper than the promise-based one); stdin goes to the shared reader,
 * which tells JSON from NDJSON and streams the latter. NDJSON files take the faster path: `openChunks` and the NdjsonLineReader.
 * `stdin` is read only for `-` (undefined there: the process's own).
 */
export async function* documentBatches(path: string, stdin: Readable | undefined, maxEventBytes = DEFAULT_MAX_EVENT_BYTES, opened?: (stream: Closable) => void): AsyncGenerator<InputRecord[]> {
  if (path !== '-') {
    const info = statOf(path);
    // A regular file within the limit is read at once; anything else (stdin, a FIFO, /dev/zero) as fileBatches does.
    if (info.isFile() && info.size <= maxEventBytes) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        throw fileError(path, error);
      }
      yield recordsOfJsonBytes(path, bytes);
      return;
    }
  }
  yield* fileBatches(path, stdin, { maxEventBytes }, opened);
}

/**
 * Chunk size for NDJSON files. 256 KiB is as fast as 1 MiB and keeps peak RSS near 80 MB on a 1 GB file (1 MiB
 * chunks: ~145 MB), because fewer parsed events are alive between two garbage collections.
 */
export const NDJSON_CHUNK_BYTES = 256 * 1024;

/**
 * Chunk size of NDJSON read a batch at a time (replay, tail's inputs, stdin): every event of a chunk is parsed before
 * the first is used, and lives until the last is; 64 KiB keeps that to ~100 events of a few hundred bytes.
 */
export const STREAM_CHUNK_BYTES = 64 * 1024;

/**
 * The chunks of a file, read into two Buffers used in turn: the next chunk is read while the caller works on this
 * one, which stays valid until the one after is asked for (the NDJSON reader copies the start of a line that
 * continues in the next chunk). A read stream's fresh Buffer per chunk is memory that only a full garbage collection
 * gives back: 4,000 of them in a 1 GB file, tens of MB resident at a time. An unreadable file is an input error
 * naming it.
 */
export async function openChunks(path: string, chunkBytes = NDJSON_CHUNK_BYTES, opened?: (stream: Closable) => void): Promise<AsyncIterable<Buffer>> {
  const live = await openLive(path, statOf(path));
  if (live !== undefined) {
    opened?.(live);
    return live;
  }
  let handle: FileHandle;
  try {
    const { open } = await import('node:fs/promises');
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  return readChunks(path, handle, chunkBytes);
}

async function* readChunks(path: string, handle: FileHandle, chunkBytes: number): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafeSlow(chunkBytes), Buffer.allocUnsafeSlow(chunkBytes)];
  const read = (buffer: Buffer): Promise<number> => {
    const reading = handle.read(buffer, 0, buffer.length, null).then(
      ({ bytesRead }) => bytesRead,
      (error: unknown) => {
        throw fileError(path, error);
      },
    );
    // Handled here too: a read-ahead can fail while the caller is still busy (awaiting its output); it is thrown
    // when its chunk is asked for, not as an unhandled rejection.
    reading.catch(() => undefined);
    return reading;
  };
  let turn = 0;
  let next: Promise<number> | undefined = read(buffers[0] as Buffer);
  try {
    for (;;) {
      const bytesRead: number = await next;
      next = undefined;
      if (bytesRead === 0) return;
      const chunk = buffers[turn] as Buffer;
      turn ^= 1;
      next = read(buffers[turn] as Buffer);
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    // A read still in flight (the caller stopped early) must end before the file is closed.
    await next?.catch(() => undefined);
    await handle.close();
  }
}

/** Is `input` fed live (stdin, a FIFO, a terminal): may its events come as they happen, with pauses between them? */
export function isLiveInput(input: string): boolean {
  if (input === '-') return true;
  try {
    const info = statSync(input, { throwIfNoEntry: false });
    return info !== undefined && (info.isFIFO() || info.isCharacterDevice());
  } catch {
    return false;
  }
}

/** What `path` is (a synchronous stat: no thread pool); one that cannot be seen is an input error naming it. */
function statOf(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
}

/** What a stop closes: the stream being read. */
export interface Closable {
  destroy(): void;
}

/**
 * A FIFO (a named pipe, or a pipe named by `/dev/fd/N`, as `<(command)` gives) or a terminal (`/dev/stdin` typed
 * into), opened without waiting for a writer and read as node reads such a stdin: on the event loop. Read like a
 * file, each read waits in a thread of node's pool, and a writer that keeps the pipe open without writing (or a
 * terminal nobody types into) holds that thread for good: no close frees it, and the process cannot exit, not even on
 * a second Ctrl-C (node waits for its pool's threads as it exits). Undefined for anything else (another character
 * device such as /dev/zero never makes a read wait), and on Windows.
 */
async function openLive(path: string, info: Stats): Promise<(Readable & AsyncIterable<Buffer>) | undefined> {
  if (process.platform === 'win32' || !(info.isFIFO() || info.isCharacterDevice())) return undefined;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    if (info.isFIFO()) {
      const { Socket } = await import('node:net');
      return new Socket({ fd, readable: true, writable: false });
    }
    const tty = await import('node:tty');
    if (tty.isatty(fd)) return new tty.ReadStream(fd);
  } catch (error) {
    closeSync(fd);
    throw fileError(path, error);
  }
  closeSync(fd);
  return undefined;
}

/**
 * A FIFO or a terminal whose name says neither .json nor .ndjson (`<(jq -c . events.json)` is /dev/fd/63,
 * `/dev/stdin`) is told JSON from NDJSON as stdin is, on its first line. Undefined when `path` is neither.
 */
async function unnamedLiveBatches(path: string, limits: ReadLimits, opened?: (stream: Closable) => void): Promise<AsyncGenerator<InputRecord[]> | undefined> {
  const stream = await openLive(path, statOf(path));
  if (stream === undefined) return undefined;
  opened?.(stream);
  return (async function* () {
    try {
      yield* stdinBatches(stream, path, limits);
    } finally {
      stream.destroy();
    }
  })();
}

/** A read stream of a file, once it is open; a file that cannot be opened is an input error naming it. */
async function openFileStream(path: string, highWaterMark: number): Promise<ReadStream> {
  const stream = createReadStream(path, { highWaterMark });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    stream.destroy();
    throw fileError(path, error);
  }
  return stream;
}
