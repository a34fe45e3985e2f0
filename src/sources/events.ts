// Events to send, from what the user names: bundled samples (`type`, `type/name`, globs), files, directories and
// stdin; `{"encrypt": …}` captures are decrypted when the key is known. Every problem is an input error (exit 2)
// naming where it was found.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { listSamples, looksLikeSampleSpec, readSample, resolveSampleSpec, type SampleRef } from '../catalog/samples.js';
import { usageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { decrypt, DecryptError } from '../protocol/crypto.js';
import { envelopeKind, isCallbackType, type Envelope } from '../protocol/envelope.js';
import { NDJSON_EXTENSIONS, readRecords, type MalformedRecord, type ValueRecord } from './records.js';

/** An event and where it came from: `samples/<type>/<name>.json`, `file.ndjson:12`, `<stdin>:3`… */
export interface SourcedEvent {
  envelope: Envelope;
  source: string;
}

export interface LoadEventsOptions {
  stdin: Readable;
  /** The longest NDJSON line / largest JSON document read (default 64 MiB). */
  maxEventBytes?: number;
  /** The working directory (bundled samples are named by their ids, files as given). */
  cwd: string;
  /** Decrypts `{"encrypt": …}` inputs; without it they are an input error. */
  encryptKey?: string;
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
  const kind = envelopeKind(value);
  if (kind === '2.0' || kind === '1.0' || kind === 'card-action') return value as Envelope;
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
    return toEnvelope(inner, where, undefined);
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

/** Turn the inputs into events, in order: bundled samples (every one when there are no inputs), files, directories, stdin. */
export async function loadEvents(inputs: readonly string[], options: LoadEventsOptions): Promise<SourcedEvent[]> {
  const events: SourcedEvent[] = [];
  const specs = inputs.length === 0 ? ['*/*'] : inputs;
  // Callbacks go to the callback URL, which the console keeps apart from the event URL: every sample means every
  // event's; callbacks are replayed when named (card.action.trigger, 'card.*/*').
  const all = inputs.length === 0 ? listSamples().filter((ref) => !isCallbackType(ref.eventType)) : listSamples();
  // A bundled sample is named by its id (`hire.eco_exam.created_v1/doc`), wherever the package is installed.
  const sampleSource = (ref: SampleRef): string => `${ref.eventType}/${ref.name}`;
  for (const input of specs) {
    if (input !== '-' && !(await isPath(input))) {
      if (!looksLikeSampleSpec(input)) throw usageError(`${input}: no such file or directory`);
      for (const ref of resolveSampleSpec(input, all)) {
        events.push({ envelope: toEnvelope(readSample(ref), sampleSource(ref), undefined), source: sampleSource(ref) });
      }
      continue;
    }
    for await (const record of readRecords([input], options.stdin, options.maxEventBytes !== undefined ? { maxEventBytes: options.maxEventBytes } : {})) {
      if (record.kind === 'malformed') throw malformedInput(record);
      const where = recordName(record);
      events.push({ envelope: toEnvelope(record.value, where, options.encryptKey), source: where });
    }
  }
  if (events.length === 0) throw usageError('no events to replay', inputs.length === 0 ? `no bundled samples found under ${packageRoot}samples` : 'the inputs hold no events');
  return events;
}
