import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControl, maskUrlCredentials, safeLogLine } from '../../src/safe-text.js';
import { githubValidateReporter } from '../../src/report/validate-github.js';
import { prettyValidateReporter } from '../../src/report/validate-pretty.js';
import { junitValidateReporter } from '../../src/report/validate-junit.js';
import type { ValidateSummary } from '../../src/validate/types.js';

test('control characters become visible escapes; bidi overrides too', () => {
  assert.equal(escapeControl('a\u001b[2Jb\r\n\t\u0007\u009b\u202e'), 'a\\x1b[2Jb\\r\\n\\t\\x07\\x9b\\u202e');
  assert.equal(escapeControl('飞书 plain'), '飞书 plain');
});

test('credentials in URLs are masked wherever they appear in a text', () => {
  assert.equal(maskUrlCredentials('replaying to http://user:PASS@127.0.0.1:3000/hook'), 'replaying to http://user:***@127.0.0.1:3000/hook');
  assert.equal(maskUrlCredentials('"https://TOKEN@example.com/x" and ws://a:b@h'), '"https://***@example.com/x" and ws://a:***@h');
  assert.equal(maskUrlCredentials('http://127.0.0.1:3000/a@b'), 'http://127.0.0.1:3000/a@b');
});

const hostileType = 'x\n::error file=a.js::injected\r\n::stop-commands::token%0A';

test('github: event types in the summary cannot start workflow commands; annotations escape %, CR, LF', () => {
  const summary: ValidateSummary = {
    checked: 1,
    valid: 0,
    invalid: 1,
    malformed: 0,
    withoutSchema: 0,
    warnings: 0,
    elapsedMs: 1,
    byType: [{ eventType: hostileType, checked: 1, invalid: 1 }],
  } as unknown as ValidateSummary;
  const out: string[] = [];
  const reporter = githubValidateReporter('/repo');
  reporter.event(
    {
      source: '/repo/e.ndjson',
      index: 0,
      line: 1,
      eventId: 'id\n::warning::x',
      eventType: hostileType,
      schema: undefined,
      status: 'invalid',
      findings: [{ severity: 'error', line: 1, column: 2, pointer: '/a', keyword: 'type', message: `bad ${hostileType}`, decrypted: false }],
    },
    out,
  );
  reporter.end(summary, out);
  const lines = out.join('').split('\n').filter(Boolean);
  // One annotation, the summary line, one type line: nothing else became a line of its own.
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[0] as string, /^::error file=e\.ndjson,line=1,col=2,title=[^\n]*::bad x%0A::error file=a\.js::injected%0D%0A::stop-commands::token%250A$/);
  for (const line of lines.slice(1)) assert.doesNotMatch(line, /^\s*::/);
  assert.doesNotMatch(lines[2] as string, /::/);
  assert.equal(safeLogLine('::add-mask::x'), ':\u200b:add-mask:\u200b:x');
});

test('pretty: escape sequences from events are shown, not obeyed', () => {
  const out: string[] = [];
  prettyValidateReporter().event(
    {
      source: 'e.ndjson',
      index: 0,
      line: 1,
      eventId: 'id',
      eventType: 'evil\u001b]0;title\u0007',
      schema: undefined,
      status: 'invalid',
      findings: [{ severity: 'error', line: 1, column: 2, pointer: '/a', keyword: 'type', message: 'got "\u001b[2J"', decrypted: false }],
    },
    out,
  );
  const text = out.join('');
  assert.doesNotMatch(text, /\u001b|\u0007/);
  assert.match(text, /evil\\x1b\]0;title\\x07/);
});

test('junit: 200,000 cases in one suite (one push per case: a spread of that many arguments overflowed the stack)', () => {
  const reporter = junitValidateReporter();
  const out: string[] = [];
  reporter.start(out);
  for (let index = 0; index < 200_000; index++) {
    reporter.event({ source: 'many.ndjson', index, line: index + 1, eventId: undefined, eventType: 'x', schema: undefined, status: 'valid', findings: [] }, out);
  }
  reporter.end({ checked: 200_000, valid: 200_000, invalid: 0, malformed: 0, withoutSchema: 0, warnings: 0, elapsedMs: 1, byType: [] } as unknown as ValidateSummary, out);
  assert.equal(out.filter((chunk) => chunk.startsWith('    <testcase ')).length, 200_000);
});
