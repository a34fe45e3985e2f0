import { ExitCode, UserError } from '../errors.js';
import type { CompiledSchema, SchemaCatalog, ValidationError } from '../catalog/schemas.js';
import { quickPass } from '../catalog/quick-check.js';
import { eventTypeOf, isRecord } from '../protocol/envelope-fields.js';
import type { TypeCount, UnknownTypeLevel, ValidateSummary } from './types.js';

/** Opens an `encrypt` field; throws an Error whose message says why it cannot (wrong key, bad padding, …). */
export type Decrypter = (encrypted: string) => string;

export interface CheckerOptions {
  catalog: SchemaCatalog;
  /** Decrypts `{"encrypt": …}` envelopes with the app's Encrypt Key; undefined when no key was given. */
  decrypt: Decrypter | undefined;
  unknownType: UnknownTypeLevel;
  /** Return an outcome for every event, valid ones too (json and junit list every event). */
  reportAll: boolean;
}

/** Per-type rows of the summary for events that have no type to count them under. */
export const NO_EVENT_TYPE = '(no event type)';
export const ENCRYPTED_EVENT = '(encrypted)';

/** A finding the checker itself makes (not a schema error): not yet in words fit for a location. */
export interface Note {
  severity: 'error' | 'warning';
  /** JSON pointer within the event. */
  pointer: string;
  keyword: string;
  message: string;
}

/**
 * What the checker found out about one event, before it is put into words and located in the text — that work
 * (describe.ts) is only done for events that are reported, with the record the value came from.
 */
export interface CheckOutcome {
  /** The event as checked (decrypted when it was encrypted). */
  value: unknown;
  eventType: string | undefined;
  schema: string | undefined;
  /** The schema's errors, as Ajv gave them (empty when the event passed). */
  errors: readonly ValidationError[];
  notes: readonly Note[];
  /** The event came out of an `encrypt` field. */
  decrypted: boolean;
  invalid: boolean;
}

/** Which envelope schema an event without a type-specific one is checked against. */
function envelopeVersionOf(value: Record<string, unknown>): '2.0' | '1.0' | undefined {
  if ('schema' in value || 'header' in value) return '2.0';
  if ('event' in value || 'uuid' in value) return '1.0';
  return undefined;
}

/** What the checker keeps per event type: its schema (null: none) and its row of the summary. */
interface TypeEntry {
  schema: CompiledSchema | null;
  row: TypeCount;
}

const NO_ERRORS: readonly ValidationError[] = [];

/**
 * A schema's verdict on a value: its quick check first (one shared, hot interpreter, catalog/quick-check.ts); the
 * generated validator only when that does not pass, and its answer (and errors) are the verdict. A schema whose `$ref` leads back to itself without going deeper into the value
 * (or an event nested deeper than the stack) recurses until the stack overflows: that is an input error naming the
 * schema, not a crash.
 */
function runSchema(schema: CompiledSchema, value: unknown): boolean {
  try {
    const quick = schema.quick;
    if (quick !== undefined && quickPass(quick, value)) return true;
    return schema.validate(value) as boolean;
  } catch (error) {
    if (error instanceof RangeError) {
      throw new UserError(`schema ${schema.name}: checking an event recursed without end (a $ref that leads back to itself, or an event nested too deeply)`, { exitCode: ExitCode.usage, cause: error });
    }
    throw error;
  }
}
const NO_NOTES: readonly Note[] = [];

/**
 * Checks events one at a time and keeps the counts for the summary. The path of a valid event does no string
 * building and no position work: a type lookup in a Map, the validator call, a counter.
 */
export class EventChecker {
  private readonly options: CheckerOptions;
  private readonly forced: CompiledSchema | undefined;
  /** The summary row of values without an event type: the forced schema's name (--schema, --answer) when there is one. */
  private readonly untyped: string;
  private readonly reportAll: boolean;
  /** One lookup per event gives both the schema and the counters. */
  private readonly types = new Map<string, TypeEntry>();
  private checked = 0;
  private invalid = 0;
  private malformedCount = 0;
  private withoutSchema = 0;
  private warnings = 0;

  constructor(options: CheckerOptions) {
    this.options = options;
    this.forced = options.catalog.forced;
    this.untyped = this.forced?.name ?? NO_EVENT_TYPE;
    this.reportAll = options.reportAll;
  }

  private entry(eventType: string): TypeEntry {
    let entry = this.types.get(eventType);
    if (entry === undefined) {
      entry = { schema: this.forced ?? this.options.catalog.forType(eventType) ?? null, row: { eventType, checked: 0, invalid: 0 } };
      this.types.set(eventType, entry);
    }
    return entry;
  }

  /** Count a record that is not JSON. */
  malformed(): CheckOutcome {
    this.checked++;
    this.malformedCount++;
    this.invalid++;
    return { value: undefined, eventType: undefined, schema: undefined, errors: NO_ERRORS, notes: NO_NOTES, decrypted: false, invalid: true };
  }

  /**
   * Check one parsed event; undefined for a clean valid event unless every event is reported. It takes the value
   * alone, so that the reader need not build a record object for every event (only reported ones need one).
   */
  check(event: unknown): CheckOutcome | undefined {
    this.checked++;
    // The common case, on the shortest path: a plaintext 2.0 event of a type that has a schema, and valid.
    if (isRecord(event) && 'schema' in event && event.encrypt === undefined) {
      const header = event.header;
      const type = isRecord(header) ? header.event_type : undefined;
      if (typeof type === 'string') {
        const entry = this.entry(type);
        if (entry.schema !== null && runSchema(entry.schema, event)) {
          entry.row.checked++;
          return this.reportAll ? { value: event, eventType: type, schema: entry.schema.name, errors: NO_ERRORS, notes: NO_NOTES, decrypted: false, invalid: false } : undefined;
        }
      }
    }
    return this.checkSlowly(event);
  }

  /** Everything else: encrypted, 1.0, unknown or missing types, invalid events. */
  private checkSlowly(event: unknown): CheckOutcome | undefined {
    let value = event;
    let decrypted = false;
    if (isRecord(value) && typeof value.encrypt === 'string') {
      const opened = this.decryptEvent(value.encrypt);
      if (typeof opened === 'string') {
        return this.outcome(value, undefined, ENCRYPTED_EVENT, undefined, NO_ERRORS, [{ severity: 'error', pointer: '/encrypt', keyword: 'encrypted', message: opened }], false);
      }
      value = opened.value;
      decrypted = true;
    }

    let eventType = eventTypeOf(value);
    if (eventType === undefined && isRecord(value) && value.type === 'url_verification') eventType = 'url_verification';
    const { catalog } = this.options;
    let schema = this.forced;
    let unknown: Note | undefined;
    if (schema === undefined) {
      if (eventType !== undefined) {
        const cached = this.entry(eventType).schema;
        if (cached !== null) schema = cached;
        else {
          this.withoutSchema++;
          unknown = this.unknownTypeNote(value, eventType);
          const version = isRecord(value) ? envelopeVersionOf(value) : undefined;
          if (version !== undefined) schema = catalog.envelope(version);
        }
      } else if (!isRecord(value)) {
        return this.outcome(value, undefined, NO_EVENT_TYPE, undefined, NO_ERRORS, [{ severity: 'error', pointer: '', keyword: 'not-an-event', message: 'expected an event envelope (a JSON object)' }], decrypted);
      } else {
        const version = envelopeVersionOf(value);
        if (version === undefined) {
          const message = 'not an event envelope: expected schema 2.0 (schema, header, event) or 1.0 (uuid, token, type, event)';
          return this.outcome(value, undefined, NO_EVENT_TYPE, undefined, NO_ERRORS, [{ severity: 'error', pointer: '', keyword: 'not-an-event', message }], decrypted);
        }
        // No type to pick a schema by: the envelope schema says what is missing.
        schema = catalog.envelope(version);
      }
    }

    if (schema === undefined || runSchema(schema, value)) {
      if (unknown === undefined) {
        this.count(eventType ?? this.untyped, false);
        if (!this.reportAll) return undefined;
        return { value, eventType, schema: schema?.name, errors: NO_ERRORS, notes: NO_NOTES, decrypted, invalid: false };
      }
      return this.outcome(value, eventType, eventType ?? this.untyped, schema, NO_ERRORS, [unknown], decrypted);
    }
    return this.outcome(value, eventType, eventType ?? this.untyped, schema, schema.validate.errors ?? NO_ERRORS, unknown ? [unknown] : NO_NOTES, decrypted);
  }

  summary(elapsedMs: number): ValidateSummary {
    const byType = [...this.types.values()].map((entry) => entry.row).filter((row) => row.checked > 0).sort((a, b) => (a.eventType < b.eventType ? -1 : a.eventType > b.eventType ? 1 : 0));
    return {
      checked: this.checked,
      valid: this.checked - this.invalid,
      invalid: this.invalid,
      malformed: this.malformedCount,
      withoutSchema: this.withoutSchema,
      warnings: this.warnings,
      elapsedMs,
      byType,
    };
  }

  private count(countAs: string, invalid: boolean): void {
    const row = this.entry(countAs).row;
    row.checked++;
    if (invalid) {
      row.invalid++;
      this.invalid++;
    }
  }

  /** Count an event with something to say; it is invalid when there is any error. */
  private outcome(
    value: unknown,
    eventType: string | undefined,
    countAs: string,
    schema: CompiledSchema | undefined,
    errors: readonly ValidationError[],
    notes: readonly Note[],
    decrypted: boolean,
  ): CheckOutcome {
    let invalid = errors.length > 0;
    for (const note of notes) {
      if (note.severity === 'error') invalid = true;
      else this.warnings++;
    }
    this.count(countAs, invalid);
    return { value, eventType, schema: schema?.name, errors, notes, decrypted, invalid };
  }

  /** The decrypted event, or why it could not be decrypted. */
  private decryptEvent(encrypted: string): { value: unknown } | string {
    const decrypt = this.options.decrypt;
    if (decrypt === undefined) {
      return 'encrypted event and no encrypt key to open it: pass --encrypt-key or set FEISHU_ENCRYPT_KEY';
    }
    let plaintext: string;
    try {
      plaintext = decrypt(encrypted);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return message.startsWith('cannot decrypt') ? message : `cannot decrypt: ${message}`;
    }
    try {
      return { value: JSON.parse(plaintext) as unknown };
    } catch {
      return 'cannot decrypt: the payload is not JSON (wrong encrypt key?)';
    }
  }

  private unknownTypeNote(value: unknown, eventType: string): Note | undefined {
    const level = this.options.unknownType;
    if (level === 'ignore') return undefined;
    const envelope = isRecord(value) ? value : {};
    const challenge = eventType === 'url_verification' && !('schema' in envelope);
    return {
      severity: level === 'error' ? 'error' : 'warning',
      pointer: challenge ? '/type' : 'schema' in envelope ? '/header/event_type' : '/event/type',
      keyword: 'unknown-type',
      message: challenge
        ? 'a url_verification challenge, not an event: there is no schema for it'
        : `no schema for event type ${eventType}: only the envelope was checked`,
    };
  }
}
