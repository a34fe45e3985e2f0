// validate's options (schemas, unknown types, --answer) and exit codes, through the CLI's entry point in this
// process. Quick: it shares a test process with the other such files (scripts/run-tests.js).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { root, tempDir, type RunResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

const sample = (type: string): Record<string, any> => JSON.parse(readFileSync(join(root, 'samples', type, 'doc.json'), 'utf8'));

/** A usage or input error: exit 2, one line (plus maybe a hint) on stderr, no stack trace, nothing on stdout. */
function assertUsageError(result: RunResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit 2: ${result.stderr}${result.stdout}`);
  const stderr = result.stderr.trimEnd().split('\n');
  assert.match(stderr[0] ?? '', pattern);
  assert.match(stderr[0] ?? '', /^feishu-events: /);
  assert.ok(stderr.length <= 2 && stderr.slice(1).every((l) => l.startsWith('  hint: ')), result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stdout, '');
}

describe('validate: schemas, unknown types and exit codes', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let events = '';
  before(async () => {
    ({ dir, cleanup } = await tempDir('feishu-events-validate-'));
    const custom = sample('hire.eco_exam.created_v1');
    custom.header.event_type = 'custom.thing_v1';
    custom.event = { thing_id: 5 };
    events = join(dir, 'events.ndjson');
    writeFileSync(events, `${JSON.stringify(sample('hire.eco_exam.created_v1'))}\n${JSON.stringify(custom)}\n`);
  });
  after(() => cleanup());

  it('--unknown-type: warn (default) passes with a warning, error fails, ignore says nothing', async () => {
    const warn = await runInProcess(['validate', events]);
    assert.equal(warn.code, 0);
    assert.match(warn.stdout, /⚠ .*custom\.thing_v1.*\n {4}no schema for event type custom\.thing_v1/);
    const error = await runInProcess(['validate', events, '--unknown-type', 'error']);
    assert.equal(error.code, 1);
    assert.match(error.stdout, /✗ .*custom\.thing_v1/);
    const ignore = await runInProcess(['validate', events, '--unknown-type', 'ignore']);
    assert.equal(ignore.code, 0);
    assert.doesNotMatch(ignore.stdout, /custom\.thing_v1.*#/);
    assert.match(ignore.stdout, /1 without a schema/);
  });

  it('--schemas adds a schema for a new type and overrides a bundled one', async () => {
    const schemas = join(dir, 'schemas');
    mkdirSync(schemas, { recursive: true });
    writeFileSync(
      join(schemas, 'custom.thing_v1.schema.json'),
      JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { event: { type: 'object', properties: { thing_id: { type: 'string' } }, required: ['thing_id'] } } }),
    );
    const exam = JSON.parse(readFileSync(join(root, 'schemas', 'hire.eco_exam.created_v1.schema.json'), 'utf8'));
    exam.properties.event.required = ['exam_id', 'no_such_field'];
    writeFileSync(join(schemas, 'hire.eco_exam.created_v1.schema.json'), JSON.stringify(exam));
    const result = await runInProcess(['validate', events, '--schemas', schemas, '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.deepEqual(lines[0]!.findings.map((f: any) => f.pointer), ['/event/no_such_field'], 'the override applies');
    assert.equal(lines[1]!.schema, 'custom.thing_v1');
    assert.deepEqual(lines[1]!.findings.map((f: any) => [f.pointer, f.keyword]), [['/event/thing_id', 'type']], 'the new type is checked, not unknown');
    assert.equal(lines[2]!.without_schema, 0);
  });

  it('--schema checks every event against one schema', async () => {
    const schema = join(dir, 'exam-only.json');
    writeFileSync(schema, JSON.stringify({ type: 'object', properties: { header: { type: 'object', properties: { event_type: { const: 'hire.eco_exam.created_v1' } } } } }));
    const result = await runInProcess(['validate', events, '--schema', schema, '--format', 'json']);
    assert.equal(result.code, 1);
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.deepEqual(lines.slice(0, 2).map((l) => [l.status, l.schema]), [['valid', 'exam-only'], ['invalid', 'exam-only']]);
    assert.equal(lines[1]!.findings[0].message, 'expected "hire.eco_exam.created_v1", got string "custom.thing_v1"');
  });

  it('exit 2 for a bad schema file: not JSON, not a schema, missing, or a --schemas directory without schemas', async () => {
    const notJson = join(dir, 'not-json.schema.json');
    writeFileSync(notJson, '{"type": ');
    assertUsageError(await runInProcess(['validate', events, '--schema', notJson]), /not-json\.schema\.json: not JSON/);
    const notSchema = join(dir, 'bad');
    mkdirSync(notSchema, { recursive: true });
    writeFileSync(join(notSchema, 'x.schema.json'), JSON.stringify({ type: 'strnig' }));
    assertUsageError(await runInProcess(['validate', events, '--schemas', notSchema]), /x\.schema\.json: .*schema is invalid/);
    assertUsageError(await runInProcess(['validate', events, '--schema', join(dir, 'missing.json')]), /missing\.json: no such file/);
    const empty = join(dir, 'empty-schemas');
    mkdirSync(empty, { recursive: true });
    assertUsageError(await runInProcess(['validate', events, '--schemas', empty]), /no <event_type>\.schema\.json files/);
  });

  it('exit 2 for usage and input errors, with a one-line message', async () => {
    assertUsageError(await runInProcess(['validate']), /needs at least one input/);
    assertUsageError(await runInProcess(['validate', join(dir, 'nope.ndjson')]), /nope\.ndjson: no such file or directory/);
    const emptyDir = join(dir, 'nothing-here');
    mkdirSync(emptyDir, { recursive: true });
    assertUsageError(await runInProcess(['validate', emptyDir]), /no \.json, \.ndjson or \.jsonl files/);
    assertUsageError(await runInProcess(['validate', events, '--format', 'xml']), /--format must be one of pretty, json, junit, github/);
    assertUsageError(await runInProcess(['validate', events, '--unknown-type', 'maybe']), /--unknown-type must be one of error, warn, ignore/);
    assertUsageError(await runInProcess(['validate', events, '--schema', 'a.json', '--schemas', dir]), /cannot be used together/);
  });

  it('exit 0 when everything is valid, 1 when anything is invalid or malformed', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(sample('corehr.department.updated_v2')));
    assert.equal((await runInProcess(['validate', good])).code, 0);
    const malformed = join(dir, 'malformed.json');
    writeFileSync(malformed, '{"schema": "2.0",');
    const result = await runInProcess(['validate', good, malformed]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /malformed\.json:1:\d+  malformed JSON/);
  });
});

describe('validate --answer: a handler\'s answers to a callback, checked against answer-<type>', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir('feishu-events-answers-'));
  });
  after(() => cleanup());

  it('passes good answers, fails a bad toast with its pointer and the allowed values, names the schema in the summary', async () => {
    const good = join(dir, 'good.ndjson');
    writeFileSync(good, '{"toast":{"type":"success","content":"Approved"}}\n{}\n');
    const ok = await runInProcess(['validate', good, '--answer', 'card.action.trigger']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /answer-card\.action\.trigger +2 checked, 0 invalid/);

    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, '{"toast":{"type":"success","content":"Approved"}}\n{"toast":{"type":"fancy"}}\n');
    const r = await runInProcess(['validate', bad, '--answer', 'card.action.trigger']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /bad\.ndjson:2:\d+ .*\/toast\/type/);
    assert.match(r.stdout, /"fancy" is not one of "info"/);
  });

  it('an unknown callback type, or --answer with --schema, is a usage error', async () => {
    const file = join(dir, 'one.json');
    writeFileSync(file, '{}');
    assertUsageError(await runInProcess(['validate', file, '--answer', 'nope.thing']), /--answer: no answer schema for "nope\.thing"/);
    assertUsageError(await runInProcess(['validate', file, '--answer', 'card.action.trigger', '--schema', file]), /--answer and --schema cannot be used together/);
  });
});
