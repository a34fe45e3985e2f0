import type { EventReport, Finding } from '../validate/types.js';
import type { ValidateReporter } from './validate-reporter.js';

function findingObject(f: Finding): Record<string, unknown> {
  return {
    severity: f.severity,
    line: f.line,
    column: f.column,
    pointer: f.pointer,
    keyword: f.keyword,
    message: f.message,
    ...(f.decrypted ? { in_decrypted_payload: true } : {}),
  };
}

// Characters JSON.stringify would escape (quotes, backslash, control characters, UTF-16 surrogates).
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON, without a JSON.stringify call for the usual plain ids. */
function quote(text: string | undefined): string {
  if (text === undefined) return 'null';
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * One event as a JSON line. Built by hand rather than with JSON.stringify of an object: this runs for every event
 * of the input, and the fixed keys need no escaping.
 */
function eventLine(r: EventReport, quotedSource: string): string {
  const findings = r.findings.length === 0 ? '[]' : JSON.stringify(r.findings.map(findingObject));
  return `{"type":"event","source":${quotedSource},"index":${r.index},"line":${r.line},"event_id":${quote(r.eventId)},"event_type":${quote(r.eventType)},"schema":${quote(r.schema)},"status":"${r.status}","valid":${r.status === 'valid'},"findings":${findings}}\n`;
}

/** For machines: one JSON object per event (valid ones too), then one summary object; NDJSON on stdout. */
export function jsonValidateReporter(): ValidateReporter {
  let source: string | undefined;
  let quotedSource = 'null';
  return {
    reportsAll: true,
    start() {},
    event(report, out) {
      if (report.source !== source) {
        source = report.source;
        quotedSource = JSON.stringify(source);
      }
      out.push(eventLine(report, quotedSource));
    },
    end(s, out) {
      const byType: Record<string, { checked: number; invalid: number }> = {};
      for (const row of s.byType) byType[row.eventType] = { checked: row.checked, invalid: row.invalid };
      out.push(
        `${JSON.stringify({
          type: 'summary',
          checked: s.checked,
          valid: s.valid,
          invalid: s.invalid,
          malformed: s.malformed,
          without_schema: s.withoutSchema,
          warnings: s.warnings,
          elapsed_ms: Math.round(s.elapsedMs),
          by_type: byType,
        })}\n`,
      );
    },
  };
}
