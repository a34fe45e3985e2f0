// validate's output formats (pretty, json, junit, github), through the CLI's entry point in this process (colour
// forced by the environment: the built bin). Quick: it shares a test process with the other such files.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { root, runCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

const sample = (type: string): Record<string, any> => JSON.parse(readFileSync(join(root, 'samples', type, 'doc.json'), 'utf8'));

describe('validate: output formats', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let file = '';
  let lines: string[] = [];
  before(async () => {
    ({ dir, cleanup } = await tempDir('feishu-events-validate-'));
    const badCode = sample('hire.eco_exam.created_v1');
    badCode.event.candidate_info.mobile.code = 86;
    const badEnum = sample('corehr.employee.domain_event_v2');
    badEnum.event.sub_event_type = 9999;
    const unknown = sample('hire.eco_exam.created_v1');
    unknown.header.event_type = 'hire.not_documented_v9';
    lines = [
      JSON.stringify(sample('corehr.department.updated_v2')),
      JSON.stringify(badCode),
      '{"broken": ',
      JSON.stringify(badEnum),
      JSON.stringify(unknown),
    ];
    file = join(dir, 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
  after(() => cleanup());

  it('pretty (default): a located block per finding and a summary per event type, no colour with NO_COLOR', async () => {
    const result = await runInProcess(['validate', file], { env: { FORCE_COLOR: undefined, NO_COLOR: '1' } });
    assert.equal(result.code, 1);
    const col = lines[1]!.indexOf('"code":86') + 8;
    assert.ok(result.stdout.includes(`✗ ${file}:2:${col}  hire.eco_exam.created_v1  #1 5e3702a8…  /event/candidate_info/mobile/code\n    expected string, got number 86\n`), result.stdout);
    assert.match(result.stdout, new RegExp(`✗ ${file}:4:\\d+  corehr\\.employee\\.domain_event_v2  #3 \\S+  /event/sub_event_type\\n    9999 is not one of 1001 新入职, 2001 更新人员信息, 4001 创建兼职`));
    assert.match(result.stdout, new RegExp(`✗ ${file}:3:\\d+  malformed JSON  #2\\n    invalid JSON`));
    assert.match(result.stdout, /⚠ .*hire\.not_documented_v9 .*\/header\/event_type\n {4}no schema for event type hire\.not_documented_v9/);
    assert.match(result.stdout, /5 events checked: 2 valid, 3 invalid \(1 malformed\), 1 without a schema, 1 warning in \d+ (ms|s)\n/);
    assert.match(result.stdout, /^ {2}corehr\.employee\.domain_event_v2 +1 checked, 1 invalid$/m);
    assert.doesNotMatch(result.stdout, /\x1b\[/);
    const colored = await runCli(['validate', file], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    assert.match(colored.stdout, /\x1b\[/, 'FORCE_COLOR colours the pretty output');
  });

  it('json: one object per event (valid ones too) and a final summary', async () => {
    const result = await runInProcess(['validate', file, '--format', 'json']);
    assert.equal(result.code, 1);
    const objects = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.deepEqual(objects.map((o) => o.type), ['event', 'event', 'event', 'event', 'event', 'summary']);
    assert.deepEqual(objects.slice(0, 5).map((o) => o.status), ['valid', 'invalid', 'malformed', 'invalid', 'valid']);
    assert.equal(objects[0]!.event_id, sample('corehr.department.updated_v2').header.event_id);
    const summary = objects[5]!;
    assert.deepEqual([summary.checked, summary.valid, summary.invalid, summary.malformed, summary.without_schema, summary.warnings], [5, 2, 3, 1, 1, 1]);
    assert.deepEqual(summary.by_type['hire.eco_exam.created_v1'], { checked: 1, invalid: 1 });
    assert.equal(typeof summary.elapsed_ms, 'number');
    assert.equal(result.stderr, '');
  });

  it('junit: parses as XML, one testcase per event, failures and errors counted', async () => {
    const result = await runInProcess(['validate', file, join(root, 'samples', 'hire.eco_exam.created_v1', 'doc.json'), '--format', 'junit']);
    assert.equal(result.code, 1);
    assert.equal(XMLValidator.validate(result.stdout), true, result.stdout);
    const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(result.stdout) as {
      testsuites: { testsuite: Array<Record<string, any>> };
    };
    const [events, docs] = xml.testsuites.testsuite;
    assert.deepEqual([events!['@_tests'], events!['@_failures'], events!['@_errors']], ['5', '2', '1']);
    assert.equal(events!.testcase.length, 5);
    assert.equal(events!.testcase[1]['@_classname'], 'hire.eco_exam.created_v1');
    assert.equal(events!.testcase[1]['@_line'], '2');
    assert.match(events!.testcase[1].failure['@_message'], /\/event\/candidate_info\/mobile\/code: expected string, got number 86/);
    assert.ok(events!.testcase[2].error, 'malformed JSON is an error');
    assert.match(String(events!.testcase[4]['system-out']), /warning: .*no schema for event type/);
    assert.deepEqual([docs!['@_tests'], docs!['@_failures']], ['1', '0']);
  });

  it('github: ::error / ::warning annotations with the file relative to the working directory and the right lines', async () => {
    const result = await runInProcess(['validate', file, '--format', 'github'], { cwd: dir });
    assert.equal(result.code, 1);
    const annotations = result.stdout.split('\n').filter((l) => l.startsWith('::'));
    const name = relative(dir, file);
    assert.deepEqual(
      annotations.map((a) => /^::(\w+) file=([^,]+),line=(\d+),col=(\d+),title=[^:]*::/.exec(a)?.slice(1, 5)),
      [
        ['error', name, '2', String(lines[1]!.indexOf('"code":86') + 8)],
        ['error', name, '3', String(lines[2]!.length + 1)],
        ['error', name, '4', String(lines[3]!.indexOf('"sub_event_type":9999') + 18)],
        ['warning', name, '5', String(lines[4]!.indexOf('"hire.not_documented_v9"') + 1)],
      ],
    );
    assert.match(annotations[0]!, /::expected string, got number 86$/);
    assert.match(result.stdout, /^5 events checked/m);
  });
});
