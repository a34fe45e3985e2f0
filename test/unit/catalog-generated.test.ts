// The generated part of the catalogue (scripts/gen-catalog.ts → schemas/ and samples/): layout, schema policy,
// plausible sample values, and every sample valid against its own schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GENERATED_FROM_KEYWORD, isEventTypeSchemaName, listSchemaFiles, schemaNameOf } from '../../src/catalog/schemas.js';
import { listSamples } from '../../src/catalog/samples.js';
import { samplesDir, schemasDir } from '../../src/paths.js';

type Json = Record<string, unknown>;

const sdkVersion = (createRequire(import.meta.url)('@larksuiteoapi/node-sdk/package.json') as { version: string }).version;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

const schemas = listSchemaFiles(schemasDir).map((file) => ({ file, name: schemaNameOf(file), schema: readJson(file) }));
const generated = schemas.filter((s) => s.schema[GENERATED_FROM_KEYWORD] !== undefined);
const handWritten = schemas.filter((s) => s.schema[GENERATED_FROM_KEYWORD] === undefined && isEventTypeSchemaName(s.name));
const isV1 = (schema: Json): boolean => !('header' in (schema.properties as Json));
const samples = listSamples(samplesDir);
const docOf = (type: string): Json => readJson(join(samplesDir, type, 'doc.json'));

/** Every (path, key, value) of a JSON value. */
function* leaves(value: unknown, path = ''): Generator<{ path: string; key: string; value: unknown }> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* leaves(item, `${path}/${i}`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      yield { path: `${path}/${key}`, key, value: child };
      yield* leaves(child, `${path}/${key}`);
    }
  }
}

describe('generated schemas', () => {
  it('cover about two hundred event types besides the hand-written ones (five events, three callbacks), which are left alone', () => {
    assert.ok(generated.length >= 200, `${generated.length} generated`);
    assert.deepEqual(
      handWritten.map((s) => s.name),
      ['card.action.legacy', 'card.action.trigger', 'corehr.department.updated_v2', 'corehr.employee.domain_event_v2', 'hire.eco_background_check.canceled_v1', 'hire.eco_background_check.created_v1', 'hire.eco_exam.created_v1', 'url.preview.get'],
    );
    for (const { name } of handWritten) assert.equal(generated.some((g) => g.name === name), false, `${name} is not generated`);
    assert.ok(generated.some((g) => g.name === 'im.message.receive_v1'));
    assert.ok(generated.some((g) => g.name === 'card.action.trigger') === false, 'card.action.trigger is a callback, not in IHandles');
  });

  it('say where they came from: the installed SDK, its version and the interface', () => {
    for (const { name, schema } of generated) {
      const from = String(schema[GENERATED_FROM_KEYWORD]);
      if (from.startsWith('scripts/catalog-facts.json declare (')) {
        assert.ok(isV1(schema), `${name}: the types the facts file declares are 1.0 events the SDK lacks`);
        continue;
      }
      assert.match(from, new RegExp(`^@larksuiteoapi/node-sdk@${sdkVersion.replace(/\./g, '\\.')} types/index\\.d\\.ts (IHandles|IOtherEventHandles)$`), name);
      assert.equal(from.endsWith('IOtherEventHandles'), isV1(schema), `${name}: 1.0 events are the IOtherEventHandles ones`);
    }
  });

  it('have the layout of the hand-written ones: draft 2020-12, $id, a title ending in the type, a description', () => {
    for (const { name, schema } of generated) {
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', name);
      assert.equal(schema.$id, `https://feishu-events.dev/schemas/${name}.schema.json`);
      assert.ok(typeof schema.title === 'string' && schema.title.endsWith(` (${name})`) && schema.title.length > name.length + 3, `${name}: title ${String(schema.title)}`);
      assert.ok(typeof schema.description === 'string' && schema.description !== '', `${name}: description`);
      assert.equal(schema.type, 'object');
    }
  });

  it('describe every property at every depth', () => {
    const visit = (node: unknown, where: string, type: string): number => {
      if (typeof node !== 'object' || node === null) return 0;
      const schema = node as Json;
      let checked = 0;
      for (const [key, child] of Object.entries((schema.properties as Json | undefined) ?? {})) {
        assert.ok(typeof (child as Json).description === 'string' && (child as Json).description !== '', `${type}${where}/${key} has a description`);
        checked += 1 + visit(child, `${where}/${key}`, type);
      }
      for (const key of ['items', 'additionalProperties']) checked += visit(schema[key], `${where}/${key}`, type);
      for (const [i, child] of ((schema.prefixItems as unknown[] | undefined) ?? []).entries()) checked += visit(child, `${where}/${i}`, type);
      return checked;
    };
    let total = 0;
    for (const { name, schema } of generated) total += visit(schema, '', name);
    assert.ok(total > 5000, `${total} properties checked`);
  });

  it('2.0: the header of the envelope schema (six required strings, digits for create_time, the type as a const), no 1.0 fields', () => {
    const reference = readJson(join(schemasDir, 'hire.eco_exam.created_v1.schema.json'));
    const referenceHeader = (reference.properties as Json).header as Json;
    for (const { name, schema } of generated.filter((g) => !isV1(g.schema))) {
      const properties = schema.properties as Json;
      assert.deepEqual(schema.required, ['schema', 'header', 'event'], name);
      assert.deepEqual(properties.schema, { description: '事件模式', type: 'string', const: '2.0' });
      const header = properties.header as Json;
      const expected = structuredClone(referenceHeader);
      ((expected.properties as Json).event_type as Json).const = name;
      assert.deepEqual(header, expected, `${name}: header`);
      const event = properties.event as Json;
      assert.equal(event.type, 'object');
      for (const v1 of ['ts', 'uuid', 'type']) assert.equal(v1 in (event.properties as Json), false, `${name}: no ${v1} in event`);
      for (const h of ['token', 'create_time', 'tenant_key']) assert.equal(h in (event.properties as Json), false, `${name}: ${h} is in the header, not the event`);
      // app_id is in the event too where the platform sends it there (the facts file adds it: the SDK's flat
      // declaration merges it with the header's).
      assert.equal('app_id' in (event.properties as Json), name.startsWith('application.application.') && name !== 'application.application.app_version.publish_apply_v6' && name !== 'application.application.visibility.added_v6' || name.startsWith('im.message.reaction.'), `${name}: event.app_id`);
    }
  });

  it('1.0: the envelope-v1 layout, event.type the event type, nothing required in the event but its type', () => {
    const v1 = generated.filter((g) => isV1(g.schema));
    assert.ok(v1.length >= 20, `${v1.length} 1.0 types`);
    for (const { name, schema } of v1) {
      assert.doesNotMatch(name, /\./, `${name}: 1.0 event types have no dots`);
      const properties = schema.properties as Json;
      assert.deepEqual(schema.required, ['uuid', 'token', 'type', 'event']);
      assert.equal((properties.type as Json).const, 'event_callback');
      const event = properties.event as Json;
      assert.deepEqual(event.required, ['type']);
      assert.equal(((event.properties as Json).type as Json).const, name);
      assert.equal('event_id' in (event.properties as Json), false, `${name}: no event_id (1.0 events have uuid)`);
    }
  });

  it('2.0: a field is required where the declaration has no `?` (im.message.receive_v1: message_id, chat_id, content…)', () => {
    const schema = readJson(join(schemasDir, 'im.message.receive_v1.schema.json'));
    const event = (schema.properties as Json).event as Json;
    assert.deepEqual(event.required, ['sender', 'message']);
    const message = (event.properties as Json).message as Json;
    assert.ok((message.required as string[]).includes('message_id'));
    assert.ok((message.required as string[]).includes('content'));
    assert.equal((message.required as string[]).includes('root_id'), false, 'root_id is optional');
    const acs = readJson(join(schemasDir, 'acs.access_record.created_v1.schema.json'));
    assert.equal(((acs.properties as Json).event as Json).required, undefined, 'every field optional: no required list');
  });

  it('turn string literal unions into enums and mark deprecated 1.0 events', () => {
    const created = readJson(join(schemasDir, 'application.application.created_v6.schema.json'));
    const source = (((created.properties as Json).event as Json).properties as Json).create_source as Json;
    assert.equal(source.type, 'string');
    assert.deepEqual(source.enum, ['developer_console', 'base', 'app_engine', 'bot_builder', 'aily', 'unknown']);
    const message = readJson(join(schemasDir, 'message.schema.json'));
    assert.equal(message.deprecated, true);
    assert.match(String(message.description), /deprecated.*https:\/\/open\.feishu\.cn\//);
  });

  it('put a field the event shares with the header where the SDK says it is (event_type: number is the event\'s)', () => {
    const ticket = readJson(join(schemasDir, 'helpdesk.ticket_message.created_v1.schema.json'));
    const event = (ticket.properties as Json).event as Json;
    assert.equal(((event.properties as Json).event_id as Json).type, 'string', 'helpdesk ticket messages carry their own event_id');
  });
});

describe('generated samples', () => {
  const generatedTypes = generated.map((g) => g.name);

  it('one doc.json per generated type, so that a bare type resolves to it; im.message.receive_v1 one more per common message_type', () => {
    const variants = ['audio', 'file', 'image', 'interactive', 'media', 'post', 'share_chat', 'share_user', 'sticker'];
    for (const type of generatedTypes) {
      const mine = samples.filter((s) => s.eventType === type);
      assert.deepEqual(mine.map((s) => s.name), type === 'im.message.receive_v1' ? ['doc', ...variants] : ['doc'], type);
    }
    for (const variant of variants) {
      const message = (readJson(join(samplesDir, 'im.message.receive_v1', `${variant}.json`)).event as Json).message as Json;
      assert.equal(message.message_type, variant);
      const content = JSON.parse(String(message.content)) as Json;
      assert.ok(Object.keys(content).length > 0, `${variant}: content is a JSON object`);
    }
  });

  it('2.0: the header carries the event type, app and tenant; no ts, uuid or type anywhere at the top', () => {
    for (const type of generatedTypes) {
      const sample = docOf(type);
      if (!('schema' in sample)) continue;
      assert.deepEqual(Object.keys(sample), ['schema', 'header', 'event'], type);
      const header = sample.header as Json;
      assert.deepEqual(Object.keys(header), ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key']);
      assert.equal(header.event_type, type);
      assert.match(String(header.event_id), /^[0-9a-f]{32}$/);
      assert.match(String(header.create_time), /^1[67][0-9]{11}$/, `${type}: create_time in ms`);
      assert.match(String(header.app_id), /^cli_[0-9a-f]{16}$/);
      for (const v1 of ['ts', 'uuid', 'type']) assert.equal(v1 in (sample.event as Json), false, `${type}: no ${v1}`);
    }
  });

  it('1.0: {ts, uuid, token, type: event_callback, event: {type, app_id, …}}', () => {
    const message = docOf('message');
    assert.deepEqual(Object.keys(message), ['ts', 'uuid', 'token', 'type', 'event']);
    assert.match(String(message.ts), /^1[67][0-9]{8}\.[0-9]{6}$/);
    assert.match(String(message.uuid), /^[0-9a-f]{32}$/);
    assert.equal(message.type, 'event_callback');
    const event = message.event as Json;
    assert.equal(event.type, 'message');
    assert.match(String(event.app_id), /^cli_[0-9a-f]{16}$/);
    assert.match(String(event.open_message_id), /^om_[0-9a-f]{32}$/);
    assert.equal(event.text, '你好');
    assert.match(String((docOf('app_ticket').event as Json).app_ticket), /^[a-z0-9]{24}$/);
  });

  it('have values plausible by field name, never a bare "string"', () => {
    const rules: Array<[RegExp, RegExp]> = [
      [/^open_id$/, /^ou_[0-9a-f]{32}$/],
      [/^union_id$/, /^on_[0-9a-f]{32}$/],
      [/^(user_id|employee_id)$/, /^[a-z0-9]{8}$/],
      [/^(open_)?chat_id$/, /^oc_[0-9a-f]{32}$/],
      [/^open_message_id$/, /^om_[0-9a-f]{32}$/],
      [/^app_id$/, /^cli_[0-9a-f]{16}$/],
      [/^tenant_key$/, /^[0-9a-f]{16}$/],
      [/email$/, /^[a-z.]+@example\.com$/],
      [/^open_department_id$/, /^od-[0-9a-f]{32}$/],
    ];
    const seen = new Set<string>();
    for (const type of generatedTypes) {
      for (const { path, key, value } of leaves(docOf(type))) {
        assert.notEqual(value, 'string', `${type}${path}`);
        assert.notEqual(value, '', `${type}${path}`);
        if (typeof value !== 'string') continue;
        for (const [name, pattern] of rules) {
          if (!name.test(key)) continue;
          assert.match(value, pattern, `${type}${path}`);
          seen.add(String(name));
        }
      }
    }
    assert.equal(seen.size, rules.length, 'every rule met a field');
    const receive = docOf('im.message.receive_v1').event as Json;
    const message = receive.message as Json;
    assert.match(String(message.message_id), /^om_[0-9a-f]{32}$/);
    assert.match(String(message.create_time), /^1[67][0-9]{11}$/, 'ms timestamps in 2.0 events');
    assert.equal(message.message_type, 'text');
    assert.deepEqual(JSON.parse(String(message.content)), { text: '@_user_1 你好' });
  });

  it('have times that fit their fields: seconds in vc.* and 1.0 events, dates, formatted 1.0 approval times, starts before ends', () => {
    const meeting = (docOf('vc.meeting.meeting_started_v1').event as Json).meeting as Json;
    assert.match(String(meeting.start_time), /^1[67][0-9]{8}$/);
    const leave = docOf('leave_approvalV2').event as Json;
    assert.match(String(leave.leave_start_time), /^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/);
    assert.equal(typeof leave.start_time, 'number');
    assert.ok((leave.start_time as number) < (leave.end_time as number), 'start before end');
    assert.ok(String(leave.leave_start_time) < String(leave.leave_end_time));
    const [range] = leave.leave_range as number[][];
    assert.ok(range && range.length === 2 && (range[0] as number) < (range[1] as number));
    const compensation = docOf('compensation.archive.changed_v1').event as Json;
    assert.match(String(compensation.effective_date), /^20[0-9]{2}-[0-9]{2}-[0-9]{2}$/);
  });
});
