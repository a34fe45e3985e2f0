/** What `--unknown-type` makes of an event type that has no schema. */
export type UnknownTypeLevel = 'error' | 'warn' | 'ignore';

/** One thing wrong (or worth a warning) with one event, located in the source text. */
export interface Finding {
  severity: 'error' | 'warning';
  /** 1-based line and column of the offending value in the source (for NDJSON: on the event's line). */
  line: number;
  column: number;
  /** JSON pointer within the event (within the decrypted payload when `decrypted`). */
  pointer: string;
  /** Schema keyword (type, enum, required, …) or one of: malformed, encrypted, decrypt, unknown-type, not-an-event. */
  keyword: string;
  message: string;
  /** The event was encrypted: the position is the `encrypt` field's, the pointer is in the decrypted payload. */
  decrypted: boolean;
}

export type EventStatus = 'valid' | 'invalid' | 'malformed';

/** The outcome for one event. Valid events are only described when the output format lists every event. */
export interface EventReport {
  source: string;
  /** 0-based index of the event within its source. */
  index: number;
  /** 1-based line where the event starts. */
  line: number;
  eventId: string | undefined;
  eventType: string | undefined;
  /** The schema the event was checked against (an event type, `envelope-v2`, a --schema file's name), if any. */
  schema: string | undefined;
  status: EventStatus;
  /** Errors first-to-last in the text, then warnings. Empty for a clean valid event. */
  findings: Finding[];
}

export interface TypeCount {
  eventType: string;
  checked: number;
  invalid: number;
}

export interface ValidateSummary {
  checked: number;
  valid: number;
  /** Events with at least one error; malformed ones included. */
  invalid: number;
  malformed: number;
  /** Events whose type has no schema (whatever --unknown-type made of them). */
  withoutSchema: number;
  warnings: number;
  elapsedMs: number;
  byType: TypeCount[];
}
