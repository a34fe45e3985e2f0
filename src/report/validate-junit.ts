import type { EventReport, ValidateSummary } from '../validate/types.js';
import { showPointer, summaryLine } from './validate-pretty.js';
import type { ValidateReporter } from './validate-reporter.js';

// Characters XML 1.0 does not allow at all, and UTF-16 halves without their other half.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Suite {
  source: string;
  tests: number;
  failures: number;
  errors: number;
  cases: string[];
}

function testcase(r: EventReport): { xml: string; failed: boolean; errored: boolean } {
  const name = `#${r.index}${r.eventId ? ` ${r.eventId}` : ''}`;
  const classname = r.status === 'malformed' ? 'malformed' : (r.eventType ?? '(no event type)');
  const attrs = `name="${escapeXml(name)}" classname="${escapeXml(classname)}" file="${escapeXml(r.source)}" line="${r.line}"`;
  if (r.findings.length === 0) return { xml: `    <testcase ${attrs}/>\n`, failed: false, errored: false };
  const errors = r.findings.filter((f) => f.severity === 'error');
  const warnings = r.findings.filter((f) => f.severity === 'warning');
  const describe = (f: EventReport['findings'][number]): string =>
    `${r.source}:${f.line}:${f.column} ${showPointer(f.pointer)}: ${f.message}${f.decrypted ? ' (in the decrypted payload)' : ''}`;
  let body = '';
  if (errors.length > 0) {
    const first = errors[0] as (typeof errors)[number];
    const element = r.status === 'malformed' ? 'error' : 'failure';
    const summary = `${first.pointer === '' ? '' : `${first.pointer}: `}${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`;
    body += `      <${element} message="${escapeXml(summary)}" type="${escapeXml(first.keyword)}">${escapeXml(errors.map(describe).join('\n'))}</${element}>\n`;
  }
  if (warnings.length > 0) body += `      <system-out>${escapeXml(warnings.map((f) => `warning: ${describe(f)}`).join('\n'))}</system-out>\n`;
  return { xml: `    <testcase ${attrs}>\n${body}    </testcase>\n`, failed: r.status === 'invalid', errored: r.status === 'malformed' };
}

/**
 * JUnit XML: one <testsuite> per input file, one <testcase> per event — a failure for an invalid event, an error
 * for malformed JSON. A suite's counts come before its cases, so one file's cases are held until the file ends.
 */
export function junitValidateReporter(): ValidateReporter {
  let suite: Suite | undefined;
  const close = (out: string[]): void => {
    if (!suite) return;
    out.push(`  <testsuite name="${escapeXml(suite.source)}" tests="${suite.tests}" failures="${suite.failures}" errors="${suite.errors}" skipped="0">\n`);
    // One push per case: spreading 130,000 cases into one call overflows the stack.
    for (const xml of suite.cases) out.push(xml);
    out.push('  </testsuite>\n');
    suite = undefined;
  };
  return {
    reportsAll: true,
    start(out) {
      out.push('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="feishu-events validate">\n');
    },
    event(report, out) {
      if (suite && suite.source !== report.source) close(out);
      suite ??= { source: report.source, tests: 0, failures: 0, errors: 0, cases: [] };
      const { xml, failed, errored } = testcase(report);
      suite.tests++;
      if (failed) suite.failures++;
      if (errored) suite.errors++;
      suite.cases.push(xml);
    },
    end(summary: ValidateSummary, out) {
      close(out);
      out.push(`  <!-- ${escapeXml(summaryLine(summary)).replace(/--/g, '- -')} -->\n</testsuites>\n`);
    },
  };
}
