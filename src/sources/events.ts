// Events to send, from what the user names: bundled samples (`type`, `type/name`, globs), files, directories and
// stdin; `{"encrypt": …}` captures are decrypted when the key is known. Every problem is an input error (exit 2)
// naming where it was found.
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { listSamples, looksLikeSampleSpec, readSample, resolveSampleSpec, type SampleRef } from '../catalog/samples.js';
import { usageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { decrypt, DecryptError } from '../protocol/crypto.js';
import { envelopeKind, isCallbackType, type Envelope } from '../protocol/envelope.js';
import { expandPaths, fileBatches, NDJSON_EXTENSIONS, stat, type Closable, type MalformedRecord, type ValueRecord } from './records.js';

/** An event and where it came from: `samples/<type>/<name>.json`, `file.ndjson:12`, `<stdin>:3`… */
export interface SourcedEvent {
  envelope: Envelope;
  source: string;
  /** The envelope's text as read (an NDJSON line, a whole .json document, a decrypted payload), when it has its own. */
  text?: string;
}

export interface LoadEventsOptions {
  stdin: Readable;
  /** The longest NDJSON line / largest JSON document read (default 64 MiB). */
  maxEventBytes?: number;
  /** The working directory (bundled samples are named by their ids, files as given). */
  cwd: string;
  /** Decrypts `{"encrypt": …}` inputs; without it they are an input error. */
  encryptKey?: string;
  /** Given each stream that may wait for input that never comes (stdin, a FIFO): a stop closes it. */
  opened?: (stream: Closable) => void;
}

async function isPath(input: string): Promise<boolean> {
  try {
    await stat(input);
    return true;
  } catch {
    return false;
  }
}

/** An input value as an event envelope, decrypting `{"encrypt": …}` captures when the key is known. */
function toEnvelope(value: unknown, where: string, encryptKey: string | undefined): Envelope {
  return toSourcedEvent(value, undefined, where, encryptKey).envelope;
}

/** The event of an input value, with its text when it has its own (`text` is the value's when given). */
function toSourcedEvent(value: unknown, text: string | undefined, where: string, encryptKey: string | undefined): SourcedEvent {
  const kind = envelopeKind(value);
  if (kind === '2.0' || kind === '1.0' || kind === 'card-action') return text !== undefined ? { envelope: value as Envelope, source: where, text } : { envelope: value as Envelope, source: where };
  if (kind === 'encrypted') {
    if (!encryptKey) throw usageError(`${where}: the event is encrypted`, 'pass --encrypt-key to decrypt it before it is replayed');
    let plaintext: string;
    try {
      plaintext = decrypt((value as { encrypt: string }).encrypt, encryptKey);
    } catch (error) {
      throw usageError(`${where}: ${error instanceof DecryptError ? error.message : 'cannot decrypt'}`);
    }
    let inner: unknown;
    try {
      inner = JSON.parse(plaintext);
    } catch {
      throw usageError(`${where}: the decrypted payload is not JSON`);
    }
    return toSourcedEvent(inner, plaintext, where, undefined);
  }
  if (kind === 'url_verification') throw usageError(`${where}: a url_verification request is not an event`, 'use --challenge to send the challenge');
  throw usageError(`${where}: not an event envelope (expected "schema":"2.0" with a header, or a 1.0 event with event.type)`);
}

/** Where an event came from, as the user named it: `file.json`, `file.json[2]` in an array, `file.ndjson:1` a line. */
function recordName(record: ValueRecord): string {
  if (record.pointer !== '') return `${record.source}[${record.index}]`;
  const lines = NDJSON_EXTENSIONS.has(extname(record.source).toLowerCase()) || record.source === '<stdin>';
  return lines ? `${record.source}:${record.line}` : record.source;
}

/** A file that is not JSON: said as such (`README.md is a file, but not JSON`), with where it stops being JSON. */
function malformedInput(record: MalformedRecord): Error {
  const at = `${record.source}:${record.line}:${record.column}`;
  if (record.source !== '<stdin>' && !/\.(json|ndjson|jsonl)$/i.test(record.source) && record.line === 1) {
    return usageError(`${record.source} is a file, but not JSON (${at}: ${record.message})`, 'replay takes .json/.ndjson files, directories of them, -, event types and samples (`feishu-events replay --list`)');
  }
  return usageError(`${at}: ${record.message}`);
}

/**
 * Turn the inputs into events, in order, a batch at a time: bundled samples (every one when there are no inputs),
 * files, directories, stdin. NDJSON is read as it is consumed, so a large input is never in memory whole; a line
 * that is not an event ends the input with its error, after the events before it.
 */
export async function* streamEvents(inputs: readonly string[], options: LoadEventsOptions): AsyncGenerator<SourcedEvent[]> {
  let count = 0;
  const specs = inputs.length === 0 ? ['*/*'] : inputs;
  // Callbacks go to the callback URL, which the console keeps apart from the event URL: every sample means every
  // event's; callbacks are replayed when named (card.action.trigger, 'card.*/*').
  const all = inputs.length === 0 ? listSamples().filter((ref) => !isCallbackType(ref.eventType)) : listSamples();
  // A bundled sample is named by its id (`hire.eco_exam.created_v1/doc`), wherever the package is installed.
  const sampleSource = (ref: SampleRef): string => `${ref.eventType}/${ref.name}`;
  const limits = options.maxEventBytes !== undefined ? { maxEventBytes: options.maxEventBytes } : {};
  for (const input of specs) {
    if (input !== '-' && !(await isPath(input))) {
      if (!looksLikeSampleSpec(input)) throw usageError(`${input}: no such file or directory`);
      const batch = resolveSampleSpec(input, all).map((ref) => ({ envelope: toEnvelope(readSample(ref), sampleSource(ref), undefined), source: sampleSource(ref) }));
      count += batch.length;
      if (batch.length > 0) yield batch;
      continue;
    }
    for (const path of await expandPaths([input])) {
      for await (const records of fileBatches(path, options.stdin, limits, options.opened)) {
        const batch: SourcedEvent[] = [];
        let problem: Error | undefined;
        for (const record of records) {
          try {
            if (record.kind === 'malformed') throw malformedInput(record);
            const where = recordName(record);
            batch.push(toSourcedEvent(record.value, record.pointer === '' ? record.text : undefined, where, options.encryptKey));
          } catch (error) {
            problem = error as Error;
            break;
          }
        }
        count += batch.length;
        if (batch.length > 0) yield batch;
        if (problem) throw problem;
      }
    }
  }
  if (count === 0) throw usageError('no events to replay', inputs.length === 0 ? `no bundled samples found under ${packageRoot}samples` : 'the inputs hold no events');
}

/** Every event of the inputs, in memory (see streamEvents). */
export async function loadEvents(inputs: readonly string[], options: LoadEventsOptions): Promise<SourcedEvent[]> {
  const events: SourcedEvent[] = [];
  for await (const batch of streamEvents(inputs, options)) for (const event of batch) events.push(event);
  return events;
}
