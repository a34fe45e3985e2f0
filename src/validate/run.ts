import { accessSync, constants, createReadStream, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import type { SchemaCatalog } from '../catalog/schemas.js';
import { UserError } from '../errors.js';
import type { ValidateReporter } from '../report/validate-reporter.js';
import { expandPaths, fileBatches, NDJSON_EXTENSIONS, recordsOfJsonText, type InputRecord } from '../sources/records.js';
import type { EventDescriber } from './describe.js';
import { EventChecker, type CheckOutcome, type Decrypter } from './engine.js';
import { NdjsonLineReader, type NdjsonVisitor } from './ndjson-lines.js';
import type { UnknownTypeLevel, ValidateSummary } from './types.js';

export interface ValidateRun {
  /** Files, directories or `-`, as the user gave them. */
  inputs: readonly string[];
  catalog: SchemaCatalog;
  /** Opens encrypted envelopes; undefined when no Encrypt Key was given (they are then findings). */
  decrypt: Decrypter | undefined;
  unknownType: UnknownTypeLevel;
  reporter: ValidateReporter;
  stdin: Readable;
  /** Takes each batch's text; resolves when the destination can take more. */
  write(text: string): Promise<void>;
  /** Called after every batch (a chunk of NDJSON, a JSON file) with the running counts. */
  progress?(checked: number, invalid: number): void;
  /** Clock, in ms (performance.now by default). */
  now?: () => number;
  /** When the run started, for the elapsed time in the summary (default: when this function is called). */
  startedAt?: number;
}

function describeFsError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
  if (code === 'ENOENT') return `${path}: no such file or directory`;
  if (code === 'EISDIR') return `${path}: is a directory`;
  return `${path}: cannot read (${code ?? String(error)})`;
}

/** Every input expanded to files, each checked readable now: an unreadable path is an input error before any output. */
export async function resolveInputFiles(inputs: readonly string[]): Promise<string[]> {
  const files = await expandPaths(inputs);
  if (files.length === 0) {
    throw new UserError(`no .json, .ndjson or .jsonl files in ${inputs.join(', ')}`, { exitCode: 2 });
  }
  for (const file of files) {
    if (file === '-') continue;
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      throw new UserError(describeFsError(file, error), { exitCode: 2, cause: error });
    }
  }
  return files;
}

/**
 * Batches of records of a .json file or stdin. A .json document is read at once (it is parsed whole anyway, and a
 * synchronous read of a small file is much cheaper than the promise-based one); stdin goes to the shared reader,
 * which tells JSON from NDJSON and streams the latter. NDJSON files take the faster path in `validateEvents`.
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
    throw new UserError(describeFsError(path, error), { exitCode: 2, cause: error });
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
const NDJSON_CHUNK_BYTES = 256 * 1024;

/** The chunks of a file, as Buffers; an unreadable file is an input error. */
async function openChunks(path: string): Promise<AsyncIterable<Buffer>> {
  const stream = createReadStream(path, { highWaterMark: NDJSON_CHUNK_BYTES });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    throw new UserError(describeFsError(path, error), { exitCode: 2, cause: error });
  }
  return stream as AsyncIterable<Buffer>;
}

async function loadDescriber(): Promise<EventDescriber> {
  const { EventDescriber } = await import('./describe.js');
  return new EventDescriber();
}

/**
 * Read every input, check every event, hand the results to the reporter and its text to `write` once per chunk
 * of input: memory stays flat however large the input. Resolves to the summary (already reported).
 */
export async function validateEvents(run: ValidateRun): Promise<ValidateSummary> {
  const now = run.now ?? (() => performance.now());
  const startedAt = run.startedAt ?? now();
  const files = await resolveInputFiles(run.inputs);
  const { reporter } = run;
  const checker = new EventChecker({ catalog: run.catalog, decrypt: run.decrypt, unknownType: run.unknownType, reportAll: reporter.reportsAll });
  // Putting findings into words and locating them is only loaded when there is something to report.
  let describer = reporter.reportsAll ? await loadDescriber() : undefined;

  let out: string[] = [];
  reporter.start(out);
  let queued: Array<[InputRecord, CheckOutcome]> = [];
  let checked = 0;
  let invalid = 0;

  const report = (record: InputRecord, outcome: CheckOutcome): void => {
    if (outcome.invalid) invalid++;
    if (describer) reporter.event(describer.describe(record, outcome), out);
    else queued.push([record, outcome]);
  };
  const handle = (record: InputRecord): void => {
    checked++;
    const outcome = record.kind === 'malformed' ? checker.malformed() : checker.check(record.value);
    if (outcome !== undefined) report(record, outcome);
  };
  // The NDJSON reader's path: a record object is made only for an event that is reported.
  const visitor: NdjsonVisitor = {
    value(value, text, line, index) {
      checked++;
      const outcome = checker.check(value);
      if (outcome !== undefined) report({ kind: 'value', source: currentFile, index, line, value, text, pointer: '' }, outcome);
    },
    malformed: handle,
  };
  let currentFile = '';
  const flush = async (): Promise<void> => {
    if (queued.length > 0) {
      describer ??= await loadDescriber();
      for (const [record, outcome] of queued) reporter.event(describer.describe(record, outcome), out);
      queued = [];
    }
    if (out.length > 0) {
      const text = out.join('');
      out = [];
      await run.write(text);
    }
    run.progress?.(checked, invalid);
  };

  for (const file of files) {
    currentFile = file;
    if (file !== '-' && NDJSON_EXTENSIONS.has(extname(file).toLowerCase())) {
      const reader = new NdjsonLineReader(file, visitor);
      for await (const chunk of await openChunks(file)) {
        reader.push(chunk);
        await flush();
      }
      reader.end();
    } else {
      for await (const batch of documentBatches(file, run.stdin)) {
        for (const record of batch) handle(record);
        await flush();
      }
    }
    await flush();
  }

  const summary = checker.summary(now() - startedAt);
  reporter.end(summary, out);
  await flush();
  return summary;
}
