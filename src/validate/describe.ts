import { eventIdOf } from '../protocol/envelope-fields.js';
import type { InputRecord, ValueRecord } from '../sources/records.js';
import type { CheckOutcome } from './engine.js';
import { SourceLocator } from './locate.js';
import { describeActual, describeErrors, type Problem } from './messages.js';
import type { EventReport, Finding } from './types.js';

/**
 * Turns a check outcome into a report: messages in words and every finding located in the source text.
 * Loaded only once something has to be reported, so that a clean run never pays for it.
 */
export class EventDescriber {
  private readonly locator = new SourceLocator();

  describe(record: InputRecord, outcome: CheckOutcome): EventReport {
    if (record.kind === 'malformed') {
      return {
        source: record.source,
        index: record.index,
        line: record.line,
        eventId: undefined,
        eventType: undefined,
        schema: undefined,
        status: 'malformed',
        findings: [{ severity: 'error', line: record.line, column: record.column, pointer: '', keyword: 'malformed', message: record.message, decrypted: false }],
      };
    }
    if (outcome.errors.length === 0 && outcome.notes.length === 0) {
      // A clean valid event (json and junit list every event): nothing to put into words or to locate.
      return {
        source: record.source,
        index: record.index,
        line: record.pointer === '' && record.text.charCodeAt(0) === 0x7b ? record.line : this.locator.eventPosition(record).line,
        eventId: eventIdOf(outcome.value),
        eventType: outcome.eventType,
        schema: outcome.schema,
        status: 'valid',
        findings: [],
      };
    }
    const problems: (Problem & { severity: 'error' | 'warning' })[] = describeErrors(outcome.errors).map((p) => ({ ...p, severity: 'error' }));
    for (const note of outcome.notes) {
      const message = note.keyword === 'not-an-event' && note.pointer === '' && !isObject(outcome.value) ? `${note.message}, got ${describeActual(outcome.value)}` : note.message;
      problems.push({ severity: note.severity, pointer: note.pointer, keyword: note.keyword, message, target: 'value' });
    }
    // The encrypted envelope itself is the one in the text: its `encrypt` field was not opened.
    const decrypted = outcome.decrypted;
    const findings = problems.map((p) => this.locate(record, p, decrypted));
    findings.sort((a, b) => (a.severity !== b.severity ? (a.severity === 'error' ? -1 : 1) : a.line - b.line || a.column - b.column));
    // An NDJSON line starts with its event; anything else (an array element, leading blank lines) is looked up.
    const line = record.pointer === '' && record.text.charCodeAt(0) === 0x7b ? record.line : this.locator.eventPosition(record).line;
    return {
      source: record.source,
      index: record.index,
      line,
      eventId: eventIdOf(outcome.value),
      eventType: outcome.eventType,
      schema: outcome.schema,
      status: outcome.invalid ? 'invalid' : 'valid',
      findings,
    };
  }

  private locate(record: ValueRecord, problem: Problem & { severity: 'error' | 'warning' }, decrypted: boolean): Finding {
    // A decrypted event has no text of its own: point at the `encrypt` field that carried it.
    const position = decrypted
      ? this.locator.locate(record, '/encrypt')
      : problem.target === 'parent'
        ? this.locator.locate(record, problem.pointer.slice(0, problem.pointer.lastIndexOf('/')))
        : this.locator.locate(record, problem.pointer, problem.target === 'key');
    return {
      severity: problem.severity,
      line: position.line,
      column: position.column,
      pointer: problem.pointer,
      keyword: problem.keyword,
      message: problem.message,
      decrypted,
    };
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
