import { statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { openSchemaCatalog, type SchemaCatalog } from '../catalog/schemas.js';
import { useValidateV8Flags } from '../catalog/validator-cache.js';
import { ExitCode, UserError } from '../errors.js';
import type { CommandIO } from '../io.js';
import type { StopSignal } from '../stop.js';
import { progressLine } from '../report/progress-line.js';
import { streamWriter } from '../report/stream-writer.js';
import { createValidateReporter } from '../report/validate-formats.js';
import type { ValidateFormat, ValidateReporter } from '../report/validate-reporter.js';
import { NdjsonLineReader, type NdjsonVisitor } from '../sources/ndjson-lines.js';
import { documentBatches, NDJSON_EXTENSIONS, openChunks, resolveInputFiles, type Closable, type InputRecord } from '../sources/records.js';
import type { EventDescriber } from '../validate/describe.js';
import { EventChecker, type CheckOutcome, type Decrypter } from '../validate/engine.js';
import type { UnknownTypeLevel, ValidateSummary } from '../validate/types.js';

/** What `validate` does, complete and checked (commands/validate.ts makes it from flags, environment and .env). */
export interface ValidateOptions {
  inputs: string[];
  encryptKey: string | undefined;
  schemaFile: string | undefined;
  schemasDir: string | undefined;
  /** --answer: every input is an app's answer to this callback type, checked against answer-<type>. */
  answerType?: string | undefined;
  unknownType: UnknownTypeLevel;
  strict: boolean;
  format: ValidateFormat;
  /** --max-event-size, in bytes. */
  maxEventBytes: number;
  /** No events at all is a pass (default: exit 1, so that an empty capture does not pass CI). */
  allowEmpty: boolean;
}

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
  /** Clock, in ms (clockMs by default). */
  now?: () => number;
  /** When the run started, for the elapsed time in the summary (default: when this function is called). */
  startedAt?: number;
  /** The longest NDJSON line and largest JSON document read (`--max-event-size`; default 64 MiB). */
  maxEventBytes?: number;
  /** Aborted (SIGINT / SIGTERM): stop reading after the chunk in hand; the summary counts what was checked. */
  signal?: StopSignal;
}

/**
 * A monotonic clock in ms, for the elapsed time of a run. Not performance.now(): node sets up its performance API
 * (node:perf_hooks and nine modules of its own, ~1 ms) on first use.
 */
export function clockMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

async function loadDescriber(): Promise<EventDescriber> {
  const { EventDescriber } = await import('../validate/describe.js');
  return new EventDescriber();
}

/**
 * Read every input, check every event, hand the results to the reporter and its text to `write` once per chunk
 * of input: memory stays flat however large the input. Resolves to the summary (already reported).
 */
export async function validateEvents(run: ValidateRun): Promise<ValidateSummary> {
  const now = run.now ?? clockMs;
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

  const stopped = (): boolean => run.signal?.aborted === true;
  // A stop must not wait for input that may never come (a pipe whose writer keeps it open): the stream being read
  // is closed, and the error that makes in the loop below is the stop.
  // The listener is added when something that can be closed is first read (an NDJSON stream, stdin, a FIFO): a .json
  // file is read whole at once. A stream opened after the stop came is closed at once.
  let reading: Closable | undefined;
  const stopReading = (): void => reading?.destroy();
  let stopListening: (() => void) | undefined;
  const readingFrom = (closable: Closable | undefined): void => {
    reading = closable;
    if (closable === undefined || run.signal === undefined) return;
    if (run.signal.aborted) closable.destroy();
    else stopListening ??= run.signal.onAbort(stopReading);
  };
  try {
    for (const file of files) {
      if (stopped()) break;
      currentFile = file;
      if (file !== '-' && NDJSON_EXTENSIONS.has(extname(file).toLowerCase())) {
        const reader = new NdjsonLineReader(file, visitor, run.maxEventBytes);
        // A live stream (a FIFO, a terminal) is closed by a stop under a waiting read; a file's chunks end at the next one.
        const chunks = await openChunks(file, undefined, readingFrom);
        for await (const chunk of chunks) {
          reader.push(chunk);
          await flush();
          if (stopped()) break;
        }
        // A line cut short by the stop is not a malformed event: it was never read whole.
        if (!stopped()) reader.end();
      } else {
        readingFrom(file === '-' ? run.stdin : undefined);
        for await (const batch of documentBatches(file, file === '-' ? run.stdin : undefined, run.maxEventBytes, readingFrom)) {
          for (const record of batch) handle(record);
          await flush();
          if (stopped()) break;
        }
      }
      reading = undefined;
      await flush();
    }
  } catch (error) {
    if (!stopped()) throw error;
  } finally {
    stopListening?.();
  }
  await flush();

  const summary = checker.summary(now() - startedAt);
  reporter.end(summary, out);
  await flush();
  return summary;
}

/** The callback types that have an answer schema (schemas/answer-<type>.schema.json). */
const ANSWER_TYPES = ['card.action.trigger', 'url.preview.get', 'card.action.legacy'];

/** With --answer, every input is checked against that callback's answer schema (as --schema forces one schema). */
function answerCatalog(catalog: SchemaCatalog, answerType: string | undefined): SchemaCatalog {
  if (answerType === undefined) return catalog;
  const schema = catalog.answerFor(answerType);
  if (schema === undefined) {
    throw new UserError(`--answer: no answer schema for "${answerType}"`, {
      exitCode: ExitCode.usage,
      hint: `callbacks with an answer schema: ${ANSWER_TYPES.join(', ')} (feishu-events events shows them)`,
    });
  }
  return { ...catalog, forced: schema };
}

/** node:crypto is loaded only when there is a key to decrypt with. */
async function decrypterFor(encryptKey: string | undefined): Promise<((encrypted: string) => string) | undefined> {
  if (encryptKey === undefined) return undefined;
  const { decrypt } = await import('../protocol/crypto.js');
  return (encrypted) => decrypt(encrypted, encryptKey);
}

/** Is every input a regular file, and all of them together at most 1 MiB (the young generation never grows)? */
function smallFiles(inputs: readonly string[]): boolean {
  let bytes = 0;
  for (const input of inputs) {
    if (input === '-') return false;
    let info;
    try {
      info = statSync(input);
    } catch {
      return false; // the run says why
    }
    if (!info.isFile()) return false;
    bytes += info.size;
  }
  return bytes <= SMALL_INPUT_BYTES;
}
const SMALL_INPUT_BYTES = 1 << 20;

/**
 * validate = sources → schema checks → reporter, written as it goes. Resolves to the exit code. An aborted `signal`
 * (SIGINT / SIGTERM, from cli.ts) stops the reading: what was checked is reported, and stderr says the input was not
 * read to its end. A closed stdout (`validate … | head`) stops the output only: every event is still checked, and the
 * exit code says whether any was invalid.
 */
export async function validate(options: ValidateOptions, io: CommandIO, startedAt = clockMs(), signal?: StopSignal): Promise<number> {
  // Peak memory on a large capture: the young generation stays at its initial size (catalog/validator-cache.ts). Set
  // now, unless every input is a small file: then only before a precompiled validator is first loaded (their code
  // caches were made with the flag, and V8 takes a cache only under the same flags). A valid event passes its quick
  // check without its validator, and node:v8 (which loads node:stream) was ~2 ms of validating one file.
  let flagsSet = false;
  const useFlags = (): void => {
    if (flagsSet) return;
    flagsSet = true;
    useValidateV8Flags();
  };
  if (!smallFiles(options.inputs)) useFlags();
  const warn = (message: string): void => {
    io.stderr.write(`feishu-events: warning: ${message}\n`);
  };
  const catalog = answerCatalog(await openSchemaCatalog({ strict: options.strict, schemaFile: options.schemaFile, schemasDir: options.schemasDir, warn, beforeValidatorLoad: useFlags }), options.answerType);
  const reporter = await createValidateReporter(options.format, io);
  const decrypt = await decrypterFor(options.encryptKey);
  const progress = progressLine(io.stderr, clockMs);
  if (options.inputs.includes('-') && (io.stdin as { isTTY?: boolean }).isTTY) warn('reading events from stdin (end with Ctrl-D)');
  const out = streamWriter(io.stdout);
  let readerGone = false;
  const write = async (text: string): Promise<void> => {
    if (readerGone) return;
    try {
      await out.write(text);
    } catch (error) {
      // The reader went away (`| head`): nobody reads the rest, but the checks go on to the exit code.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      readerGone = true;
    }
  };
  try {
    const summary = await validateEvents({
      inputs: options.inputs,
      catalog,
      decrypt,
      unknownType: options.unknownType,
      reporter,
      // A getter, as io's own: stdin is set up only for `-` (it costs some 4 ms of start-up).
      get stdin() {
        return io.stdin;
      },
      write: (text) => {
        // The progress line shares the terminal only when stdout is one too.
        if (io.stdout.isTTY) progress?.clear();
        return write(text);
      },
      progress: progress ? (checked, invalid) => progress.update(checked, invalid) : undefined,
      startedAt,
      maxEventBytes: options.maxEventBytes,
      ...(signal ? { signal } : {}),
    });
    if (signal?.aborted) {
      progress?.clear();
      io.stderr.write(`feishu-events: interrupted by ${String(signal.reason)}: ${summary.checked} event${summary.checked === 1 ? '' : 's'} checked (${summary.invalid} invalid); the rest of the input was not read\n`);
    }
    if (summary.checked === 0 && !signal?.aborted) {
      // A capture step that produced nothing must not pass CI quietly.
      if (options.allowEmpty) {
        warn(`no events in ${options.inputs.join(', ')} (accepted: --allow-empty)`);
        return ExitCode.ok;
      }
      io.stderr.write(`feishu-events: nothing to check: no events in ${options.inputs.join(', ')}\n  hint: pass --allow-empty when no events is a valid outcome\n`);
      return ExitCode.findings;
    }
    return summary.invalid > 0 ? ExitCode.findings : ExitCode.ok;
  } finally {
    progress?.clear();
    out.dispose();
  }
}
