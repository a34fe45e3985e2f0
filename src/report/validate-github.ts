import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { EventReport } from '../validate/types.js';
import { briefEventId, showPointer, summaryLine, typeLines } from './validate-pretty.js';
import type { ValidateReporter } from './validate-reporter.js';
import { escapeControl, escapeWorkflowData, escapeWorkflowProperty, safeLogLine } from '../safe-text.js';

/** Workflow-command escaping: data escapes %, CR, LF (and shows other control characters); property values also `:` and `,`. */
function escapeData(text: string): string {
  return escapeControl(escapeWorkflowData(text));
}

function escapeProperty(text: string): string {
  return escapeControl(escapeWorkflowProperty(text));
}

/** Annotations need the path from the repository root (the job's working directory), with forward slashes. */
function annotationPath(source: string, cwd: string): string | undefined {
  if (source === '<stdin>') return undefined;
  const absolute = isAbsolute(source) ? source : resolve(cwd, source);
  const rel = relative(cwd, absolute);
  const shown = rel === '' || rel.startsWith('..') ? absolute : rel;
  return shown.split(sep).join('/');
}

/**
 * GitHub Actions annotations: `::error file=…,line=…,col=…,title=…::message` per finding (warnings as
 * `::warning`), so that findings show on the files of a pull request; then the plain summary for the log.
 */
export function githubValidateReporter(cwd: string): ValidateReporter {
  const paths = new Map<string, string | undefined>();
  const pathOf = (source: string): string | undefined => {
    if (!paths.has(source)) paths.set(source, annotationPath(source, cwd));
    return paths.get(source);
  };
  return {
    reportsAll: false,
    start() {},
    event(report: EventReport, out) {
      const file = pathOf(report.source);
      for (const f of report.findings) {
        const what = report.status === 'malformed' ? 'malformed JSON' : (report.eventType ?? 'event');
        const title = report.status === 'malformed' ? `${what} #${report.index}` : `${what} #${report.index} ${briefEventId(report.eventId)} ${showPointer(f.pointer)}`;
        const props = [
          ...(file === undefined ? [] : [`file=${escapeProperty(file)}`]),
          `line=${f.line}`,
          `col=${f.column}`,
          `title=${escapeProperty(title)}`,
        ].join(',');
        const message = f.decrypted ? `${f.message} (in the decrypted payload)` : f.message;
        const where = file === undefined ? `${report.source}:${f.line}:${f.column}: ` : '';
        out.push(`::${f.severity === 'error' ? 'error' : 'warning'} ${props}::${escapeData(where + message)}\n`);
      }
    },
    end(summary, out) {
      // Plain log lines too: an event type holding a newline and `::error …` or `::stop-commands::` must not become a command.
      out.push(`${safeLogLine(summaryLine(summary))}\n`);
      for (const line of typeLines(summary)) out.push(`${safeLogLine(line)}\n`);
    },
  };
}
