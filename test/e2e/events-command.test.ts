// `feishu-events events`: the catalogue, one type's fields and sample, its schema — through the CLI's entry point in
// this process (the built bin for --help). Quick: it shares a test process with the other such files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listSchemaFiles } from '../../src/catalog/schemas.js';
import { root, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

type Json = Record<string, unknown>;

const eventTypeCount = listSchemaFiles(join(root, 'schemas')).filter((f) => !/(envelope-v[12]|answer-.*)\.schema\.json$/.test(f)).length;

describe('events', () => {
  it('lists every event type: type, schema version, origin, title; the counts on stderr', async () => {
    const r = await runInProcess(['events']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] as string, /^TYPE +VER +ORIGIN +TITLE$/);
    assert.equal(lines.length, eventTypeCount + 1);
    assert.ok(lines.some((l) => /^hire\.eco_exam\.created_v1 +2\.0 +docs +创建笔试$/.test(l)));
    assert.ok(lines.some((l) => /^im\.message\.receive_v1 +2\.0 +sdk +接收消息$/.test(l)));
    assert.ok(lines.some((l) => /^app_ticket +1\.0 +sdk +app_ticket 事件$/.test(l)));
    assert.match(r.stderr, new RegExp(`^${eventTypeCount} event types: 8 hand-written \\(3 of them callbacks\\), ${eventTypeCount - 8} generated \\(\\d+ of them schema 1\\.0\\)\\n$`));
    assert.ok(lines.some((l) => /^card\.action\.trigger +2\.0 +docs +callback: 卡片回传交互$/.test(l)));
  });

  it('--json: one object per event type on stdout, nothing else', async () => {
    const r = await runInProcess(['events', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Json);
    assert.equal(lines.length, eventTypeCount);
    const corehr = lines.find((l) => l.event_type === 'corehr.employee.domain_event_v2');
    assert.deepEqual(corehr, { event_type: 'corehr.employee.domain_event_v2', title: '人员信息变更', origin: 'hand-written', schema_version: '2.0', kind: 'event', deprecated: false, samples: 10 });
    const callback = lines.find((l) => l.event_type === 'card.action.trigger') as Json;
    assert.equal(callback.kind, 'callback');
    assert.equal(callback.samples, 9, 'a button, selects, an input, a form, a date picker, a checker, an overflow, a link preview');
    const receive = lines.find((l) => l.event_type === 'im.message.receive_v1') as Json;
    assert.equal(receive.origin, 'generated');
    assert.match(String(receive.generated_from), /^@larksuiteoapi\/node-sdk@/);
    assert.equal(receive.samples, 10, 'doc and one sample per common message_type');
    for (const line of lines) assert.deepEqual(Object.keys(line).filter((k) => k !== 'generated_from'), ['event_type', 'title', 'origin', 'schema_version', 'kind', 'deprecated', 'samples']);
  });

  it('type globs narrow the list', async () => {
    const r = await runInProcess(['events', 'hire.eco_*', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const types = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as Json).event_type);
    assert.deepEqual(types, ['hire.eco_account.created_v1', 'hire.eco_background_check.canceled_v1', 'hire.eco_background_check.created_v1', 'hire.eco_exam.created_v1']);
  });

  it('show <type>: title, origin, the field tree with types and descriptions, the sample', async () => {
    const r = await runInProcess(['events', 'show', 'im.message.receive_v1']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^im\.message\.receive_v1 {2}接收消息\n/);
    assert.match(out, /\nschema 2\.0 · generated from @larksuiteoapi\/node-sdk@\S+ types\/index\.d\.ts IHandles\n/);
    assert.match(out, /\nfields \(\* required\)\n/);
    assert.match(out, /\n {4}event_type +string +\* 事件类型 {2}= "im\.message\.receive_v1"\n/);
    assert.match(out, /\n {6}message_id +string +\* 消息的open_message_id.*\[documented: oapi-sdk-java · message_id id\]\n/);
    assert.match(out, /\n {10}open_id +string +Open ID \(ou_…\): the user's id within this app {2}\[inferred: open_id id\]\n/);
    assert.match(out, /\nfacts: \d+ fields documented, \d+ inferred from the field's name\n/);
    assert.match(out, /\n {2}oapi-sdk-java: larksuite\/oapi-sdk-java@[0-9a-f]{40} /, 'the sources are named');
    assert.match(out, /\n {6}mentions +array<object> +被提及用户的信息 {2}\[documented: oapi-sdk-java\]\n/);
    assert.match(out, /\n {8}key +string +\* /, 'array items are shown under their array');
    const sampleAt = out.indexOf('\nsample: im.message.receive_v1/doc\n');
    assert.ok(sampleAt > 0, out);
    const sampleText = out.slice(sampleAt + '\nsample: im.message.receive_v1/doc\n'.length);
    assert.deepEqual(JSON.parse(sampleText), JSON.parse(readFileSync(join(root, 'samples', 'im.message.receive_v1', 'doc.json'), 'utf8')));
  });

  it('show <hand-written type>: enum meanings; show <1.0 type>: the 1.0 envelope and deprecation', async () => {
    const corehr = await runInProcess(['events', 'show', 'corehr.employee.domain_event_v2']);
    assert.equal(corehr.code, 0, corehr.stderr);
    assert.match(corehr.stdout, /\nschema 2\.0 · hand-written from the platform's documentation\n/);
    assert.match(corehr.stdout, /sub_event_type +integer +子事件类型 {2}one of 1001 新入职, 2001 更新人员信息/);
    const message = await runInProcess(['events', 'show', 'message']);
    assert.equal(message.code, 0, message.stderr);
    assert.match(message.stdout, /^message {2}接收消息 \(deprecated\)\n/);
    assert.match(message.stdout, /\n {2}type +string +\* 事件回调类型，事件推送时固定为 event_callback {2}= "event_callback"\n/);
    assert.match(message.stdout, /\n {4}type +string +\* 事件类型 {2}= "message"\n/);
    assert.match(message.stdout, /已废弃 \(deprecated\): https:\/\/open\.feishu\.cn\//);
  });

  it('show <type> --json: one object with the fields and the sample', async () => {
    const r = await runInProcess(['events', 'show', 'hire.eco_exam.created_v1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const shown = JSON.parse(lines[0] as string) as Json;
    assert.equal(shown.event_type, 'hire.eco_exam.created_v1');
    assert.equal(shown.origin, 'hand-written');
    assert.equal(shown.schema_file, 'schemas/hire.eco_exam.created_v1.schema.json');
    assert.equal(shown.sample_file, 'hire.eco_exam.created_v1/doc', 'a bundled sample is named by its id');
    assert.deepEqual(shown.sample, JSON.parse(readFileSync(join(root, 'samples', 'hire.eco_exam.created_v1', 'doc.json'), 'utf8')));
    const fields = shown.fields as Json[];
    assert.deepEqual(fields.find((f) => f.path === 'event.exam_id'), { path: 'event.exam_id', type: 'string', required: true, description: '笔试 ID，招聘系统内唯一' });
    assert.deepEqual(fields.find((f) => f.path === 'event.candidate_info.mobile.code'), { path: 'event.candidate_info.mobile.code', type: 'string', required: false, description: '电话国家区号，遵循国际统一标准，可参考国际长途电话区号表' });
  });

  it('schema <type>: the bundled schema file, byte for byte', async () => {
    for (const type of ['app_ticket', 'hire.eco_background_check.created_v1']) {
      const r = await runInProcess(['events', 'schema', type]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(join(root, 'schemas', `${type}.schema.json`), 'utf8'));
    }
  });

  it('an unknown type: one line on stderr naming the nearest types, exit 2', async () => {
    for (const args of [['events', 'show', 'im.message.recieve_v1'], ['events', 'schema', 'im.message.recieve_v1'], ['events', 'im.message.recieve_v1']]) {
      const r = await runInProcess(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'feishu-events: unknown event type "im.message.recieve_v1" (did you mean im.message.receive_v1, im.message.recalled_v1?)\n');
    }
    const none = await runInProcess(['events', 'show', 'zzz']);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'feishu-events: unknown event type "zzz": `feishu-events events` lists the catalogue\n');
  });

  it('show or schema without exactly one type, and a glob matching nothing: one line, exit 2', async () => {
    const missing = await runInProcess(['events', 'show']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'feishu-events: events show needs an event type, e.g. feishu-events events show im.message.receive_v1\n');
    const two = await runInProcess(['events', 'schema', 'message', 'app_ticket']);
    assert.equal(two.code, 2);
    assert.equal(two.stderr, 'feishu-events: events schema takes one event type, got 2: message app_ticket\n');
    const glob = await runInProcess(['events', 'nothing.*']);
    assert.equal(glob.code, 2);
    assert.equal(glob.stderr, 'feishu-events: no event type matches "nothing.*"\n');
  });

  it('is in the help', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\n {2}events \[options\] \[what\.\.\.\] +the event catalogue/);
  });
});
