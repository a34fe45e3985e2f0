// The quick-checks file the build writes beside the precompiled validators (scripts/build-validators.js), and how a
// run reads it. A run reads its head (a header line and an index of every bundled schema) and then only the bytes of
// the quick checks of the types it meets: reading the whole file (250 KB) and searching it was ~0.4 ms of validating
// one file, the index and one quick check ~0.1 ms.
//
//   #generator\t<generator>\t<index bytes>\n
//   <name>\t<offset>\t<length>\n          one line per bundled schema, sorted as given; the byte range of its quick
//   …                                     check's JSON after the index (length 0: it has none)
//   <JSON>\n                              the quick checks, one a line
//   …
import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';

/** Where a schema's quick check is: '' for a schema without one. */
type Entry = readonly [offset: number, length: number];

/** The file's text from the build's list of schemas and their quick checks' JSON (undefined: none). */
export function formatQuickChecks(generator: number, schemas: ReadonlyArray<readonly [name: string, json: string | undefined]>): Buffer {
  const index: string[] = [];
  const data: Buffer[] = [];
  let offset = 0;
  for (const [name, json] of schemas) {
    if (/[\t\n]/.test(name)) throw new Error(`quick checks: a schema name with a tab or newline: ${JSON.stringify(name)}`);
    if (json === undefined) {
      index.push(`${name}\t0\t0\n`);
      continue;
    }
    const bytes = Buffer.from(`${json}\n`);
    index.push(`${name}\t${offset}\t${bytes.length - 1}\n`);
    data.push(bytes);
    offset += bytes.length;
  }
  const indexBytes = Buffer.from(index.join(''));
  return Buffer.concat([Buffer.from(`#generator\t${generator}\t${indexBytes.length}\n`), indexBytes, ...data]);
}

/** A quick-checks file's head: its index, as text starting with a newline, and where the quick checks begin. */
interface Head {
  index: string;
  dataStart: number;
}

/**
 * The head of a file from its first bytes: undefined when it is not a quick-checks file of `generator`, 'more' (with
 * how many bytes the head takes) when `bytes` does not hold all of it.
 */
function parseHead(bytes: Buffer, generator: number): Head | { more: number } | undefined {
  const end = bytes.indexOf(10);
  if (end === -1) return undefined;
  const [mark, version, size] = bytes.toString('latin1', 0, end).split('\t');
  const indexBytes = Number(size);
  if (mark !== '#generator' || version !== String(generator) || !Number.isSafeInteger(indexBytes) || indexBytes < 0) return undefined;
  const dataStart = end + 1 + indexBytes;
  if (dataStart > bytes.length) return { more: dataStart };
  return { index: `\n${bytes.toString('utf8', end + 1, dataStart)}`, dataStart };
}

function entryIn(head: Head, name: string): Entry | undefined {
  const at = head.index.indexOf(`\n${name}\t`);
  if (at === -1) return undefined;
  const from = at + name.length + 2;
  const tab = head.index.indexOf('\t', from);
  const end = head.index.indexOf('\n', tab);
  return [Number(head.index.slice(from, tab)), Number(head.index.slice(tab + 1, end))];
}

/** The quick checks of a whole file's bytes: schema `name`'s JSON ('' without one), or undefined when it is not listed. */
export function quickCheckJsonIn(bytes: Buffer, generator: number, name: string): string | undefined {
  const head = parseHead(bytes, generator);
  if (head === undefined || 'more' in head) return undefined;
  const entry = entryIn(head, name);
  if (entry === undefined) return undefined;
  return bytes.toString('utf8', head.dataStart + entry[0], head.dataStart + entry[0] + entry[1]);
}

export interface QuickChecksFile {
  /** Schema `name`'s quick check as JSON ('' when it has none), or undefined when the build has no such schema. */
  json(name: string): string | undefined;
}

/**
 * Open the quick-checks file at `path`: undefined when there is none, or it is not one of `generator` (an older
 * build's). Each quick check asked for is read when asked.
 */
export function openQuickChecks(path: string, generator: number): QuickChecksFile | undefined {
  let head: Head;
  try {
    const first = readAt(path, 0, 16 * 1024);
    let parsed = parseHead(first, generator);
    if (parsed !== undefined && 'more' in parsed) parsed = parseHead(readAt(path, 0, parsed.more), generator);
    if (parsed === undefined || 'more' in parsed) return undefined;
    head = parsed;
  } catch {
    return undefined;
  }
  return {
    json(name) {
      const entry = entryIn(head, name);
      if (entry === undefined) return undefined;
      if (entry[1] === 0) return '';
      const bytes = readAt(path, head.dataStart + entry[0], entry[1]);
      if (bytes.length !== entry[1]) throw new UserError(`${path} is cut short`, { hint: 'the build was interrupted: run `npm run build` again (or reinstall the package)' });
      return bytes.toString('utf8');
    },
  };
}

/** Up to `length` bytes of the file at `position` (fewer at its end). */
function readAt(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, position + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Every schema a whole file's bytes list, in order (undefined when it is not a quick-checks file of `generator`). */
export function quickCheckNamesIn(bytes: Buffer, generator: number): string[] | undefined {
  const head = parseHead(bytes, generator);
  if (head === undefined || 'more' in head) return undefined;
  return head.index
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf('\t')));
}
