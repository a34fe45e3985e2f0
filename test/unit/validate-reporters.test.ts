import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { githubValidateReporter } from '../../src/report/validate-github.js';
import { jsonValidateReporter } from '../../src/report/validate-json.js';
import { escapeXml, junitValidateReporter } from '../../src/report/validate-junit.js';
import { prettyValidateReporter } from '../../src/report/validate-pretty.js';
import type { ValidateReporter } from '../../src/report/validate-reporter.js';
import type { EventReport, ValidateSummary } from '../../src/validate/types.js';

const invalid: EventReport = {
  source: 'captured/a,b:c.ndjson',
  index: 2,
  line: 3,
  eventId: '5e3702a84e847582be8db7fb73283c02',
  eventType: 'hire.eco_exam.created_v1',
  schema: 'hire.eco_exam.created_v1',
  status: 'invalid',
  findings: [
    { severity: 'error', line: 3, column: 118, pointer: '/event/candidate_info/mobile/code', keyword: 'type', message: 'expected string, got number 86 <&> "100%"\nnext', decrypted: false },
    { severity: 'warning', line: 3, column: 20, pointer: '/header/event_type', keyword: 'unknown-type', message: 'a warning', decrypted: true },
  ],
};
const valid: EventReport = { ...invalid, index: 3, line: 4, status: 'valid', findings: [], eventId: 'id\u0001' };
const malformed: EventReport = { source: 'other.ndjson', index: 0, line: 1, eventId: undefined, eventType: undefined, schema: undefined, status: 'malformed', findings: [{ severity: 'error', line: 1, column: 5, pointer: '', keyword: 'malformed', message: 'invalid JSON: x', decrypted: false }] };
const summary: ValidateSummary = { checked: 3, valid: 1, invalid: 2, malformed: 1, withoutSchema: 0, warnings: 1, elapsedMs: 12.3, byType: [{ eventType: 'hire.eco_exam.created_v1', checked: 2, invalid: 1 }] };

function render(reporter: ValidateReporter, reports: EventReport[]): string {
  const out: string[] = [];
  reporter.start(out);
  for (const r of reports) if (reporter.reportsAll || r.findings.length > 0) reporter.event(r, out);
  reporter.end(summary, out);
  return out.join('');
}

describe('validate reporters', () => {
  it('pretty: a block per finding and a summary with a line per type', () => {
    const text = render(prettyValidateReporter(), [invalid, valid, malformed]);
    assert.match(text, /^✗ captured\/a,b:c\.ndjson:3:118 {2}hire\.eco_exam\.created_v1 {2}#2 5e3702a8… {2}\/event\/candidate_info\/mobile\/code\n {4}expected string, got number 86/m);
    assert.match(text, /^⚠ captured\/a,b:c\.ndjson:3:20 .*\n {4}a warning {2}\(in the decrypted payload\)$/m);
    assert.match(text, /^✗ other\.ndjson:1:5 {2}malformed JSON {2}#0\n/m);
    assert.match(text, /^✗ 3 events checked: 1 valid, 2 invalid \(1 malformed\), 1 warning in 12 ms$/m);
    assert.match(text, /^ {2}hire\.eco_exam\.created_v1 {3}2 checked, 1 invalid$/m);
  });

  it('json: one parseable object per event, then the summary', () => {
    const lines = render(jsonValidateReporter(), [invalid, valid, malformed]).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.type), ['event', 'event', 'event', 'summary']);
    assert.equal(lines[1]?.event_id, 'id\u0001');
    assert.equal(lines[1]?.valid, true);
    assert.deepEqual((lines[0]?.findings as Array<Record<string, unknown>>)[0], { severity: 'error', line: 3, column: 118, pointer: '/event/candidate_info/mobile/code', keyword: 'type', message: invalid.findings[0]?.message });
    assert.equal((lines[0]?.findings as Array<Record<string, unknown>>)[1]?.in_decrypted_payload, true);
    assert.equal(lines[2]?.event_type, null);
    assert.deepEqual(lines[3]?.by_type, { 'hire.eco_exam.created_v1': { checked: 2, invalid: 1 } });
  });

  it('junit: well-formed XML, a suite per file and a case per event', () => {
    const xml = render(junitValidateReporter(), [invalid, valid, malformed]);
    assert.equal(XMLValidator.validate(xml), true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as {
      testsuites: { testsuite: Array<{ '@_name': string; '@_tests': string; '@_failures': string; '@_errors': string; testcase: Array<Record<string, unknown>> }> };
    };
    const suites = parsed.testsuites.testsuite;
    assert.deepEqual(suites.map((s) => [s['@_name'], s['@_tests'], s['@_failures'], s['@_errors']]), [['captured/a,b:c.ndjson', '2', '1', '0'], ['other.ndjson', '1', '0', '1']]);
    const [bad, good] = suites[0]?.testcase ?? [];
    assert.ok(bad?.failure, 'the invalid event is a failure');
    assert.equal(good?.failure, undefined);
    assert.ok(suites[1]?.testcase[0]?.error, 'malformed JSON is an error');
    assert.equal(escapeXml('a<b>&"\'\u0000'), 'a&lt;b&gt;&amp;&quot;&apos;\uFFFD');
  });

  it('github: an annotation per finding, with escaped properties and data, then the summary', () => {
    const lines = render(githubValidateReporter('/repo'), [invalid, valid, malformed]).trimEnd().split('\n');
    assert.equal(
      lines[0],
      '::error file=captured/a%2Cb%3Ac.ndjson,line=3,col=118,title=hire.eco_exam.created_v1 #2 5e3702a8… /event/candidate_info/mobile/code::expected string, got number 86 <&> "100%25"%0Anext',
    );
    assert.match(lines[1] ?? '', /^::warning file=captured\/a%2Cb%3Ac\.ndjson,line=3,col=20,.*::a warning \(in the decrypted payload\)$/);
    assert.match(lines[2] ?? '', /^::error file=other\.ndjson,line=1,col=5,title=malformed JSON #0::invalid JSON: x$/);
    assert.match(lines[3] ?? '', /^3 events checked/);
  });
});
