import type { EventReport, Finding, ValidateSummary } from '../validate/types.js';
import type { Paint, ValidateReporter } from './validate-reporter.js';
import { escapeControl } from '../safe-text.js';

const identity = (text: string): string => text;

export const plainPaint: Paint = { red: identity, green: identity, yellow: identity, cyan: identity, dim: identity, bold: identity };

/** `5e3702a8…`: enough of an event id to find it, short enough for one line. */
export function briefEventId(id: string | undefined): string {
  if (id === undefined || id === '') return '-';
  return id.length > 9 ? `${id.slice(0, 8)}…` : id;
}

export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `12 events checked: 10 valid, 2 invalid (0 malformed) in 41 ms` plus what else is worth a mention. */
export function summaryLine(s: ValidateSummary): string {
  const extra: string[] = [];
  if (s.withoutSchema > 0) extra.push(`${s.withoutSchema} without a schema`);
  if (s.warnings > 0) extra.push(`${s.warnings} warning${s.warnings === 1 ? '' : 's'}`);
  const noun = s.checked === 1 ? 'event' : 'events';
  return `${s.checked} ${noun} checked: ${s.valid} valid, ${s.invalid} invalid (${s.malformed} malformed)${extra.length ? `, ${extra.join(', ')}` : ''} in ${formatElapsed(s.elapsedMs)}`;
}

/** One line per event type: `  corehr.employee.domain_event_v2   5 checked, 1 invalid`. */
export function typeLines(s: ValidateSummary): string[] {
  // Event types come from the input: shown with control characters escaped.
  const rows = s.byType.map((row) => ({ ...row, eventType: escapeControl(row.eventType) }));
  const width = rows.reduce((max, row) => Math.max(max, row.eventType.length), 0);
  return rows.map((row) => `  ${row.eventType.padEnd(width)}   ${row.checked} checked, ${row.invalid} invalid`);
}

/** `/event/x`, or words for the event as a whole. */
export function showPointer(pointer: string): string {
  return pointer === '' ? '(the event)' : pointer;
}

function findingLines(report: EventReport, finding: Finding, c: Paint): string {
  const mark = finding.severity === 'error' ? c.red('✗') : c.yellow('⚠');
  const where = c.bold(`${escapeControl(report.source)}:${finding.line}:${finding.column}`);
  const head =
    report.status === 'malformed'
      ? `${mark} ${where}  malformed JSON  #${report.index}`
      : `${mark} ${where}  ${escapeControl(report.eventType ?? '(no event type)')}  #${report.index} ${c.dim(escapeControl(briefEventId(report.eventId)))}  ${c.cyan(escapeControl(showPointer(finding.pointer)))}`;
  const note = finding.decrypted ? c.dim('  (in the decrypted payload)') : '';
  return `${head}\n    ${escapeControl(finding.message)}${note}\n`;
}

/** For people: one block per finding, then the summary with a line per event type. */
export function prettyValidateReporter(c: Paint = plainPaint): ValidateReporter {
  return {
    reportsAll: false,
    start() {},
    event(report, out) {
      for (const finding of report.findings) out.push(findingLines(report, finding, c));
    },
    end(summary, out) {
      // Nothing checked is not a pass: no ✓ for it.
      const mark = summary.invalid > 0 ? c.red('✗') : summary.checked === 0 ? c.yellow('⚠') : c.green('✓');
      const lead = summary.invalid > 0 || summary.warnings > 0 ? '\n' : '';
      out.push(`${lead}${mark} ${summaryLine(summary)}\n`);
      for (const line of typeLines(summary)) out.push(`${line}\n`);
    },
  };
}
