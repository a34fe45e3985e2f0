// The catalogue lint: every event type has a sample; every bundled sample validates under --strict against its
// type's schema and has the envelope of its schema version; every field with a fact (x-fact: documented or
// inferred) obeys it — ids of their kind, times in their unit and near the facts file's sampleTime, enums from the
// enum, JSON text that parses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ID_PATTERNS, type IdKind } from '../../scripts/gen-catalog/facts.js';
import { answerSchemaName, CALLBACK_KEYWORD, ENUM_DESCRIPTIONS_KEYWORD, FACT_KEYWORD, isEventTypeSchemaName, listSchemaFiles, openSchemaCatalog, schemaNameOf } from '../../src/catalog/schemas.js';
import { listSamples } from '../../src/catalog/samples.js';
import { packageRoot, samplesDir, schemasDir } from '../../src/paths.js';
import { envelopeKind, eventTypeOf } from '../../src/protocol/envelope-fields.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

const facts = readJson(join(packageRoot, 'scripts', 'catalog-facts.json')) as { sampleTime: string };
const sampleSeconds = Date.parse(facts.sampleTime) / 1000;
const schemas = new Map(listSchemaFiles(schemasDir).map((file) => [schemaNameOf(file), readJson(file) as Json]));
const eventTypes = [...schemas.keys()].filter(isEventTypeSchemaName);
const samples = listSamples(samplesDir).map((ref) => ({ ref, value: readJson(ref.path) }));

/** Times in samples are within the 30 days before the facts file's sampleTime. */
function nearSampleTime(seconds: number): boolean {
  return seconds <= sampleSeconds && seconds > sampleSeconds - 30 * 86400;
}

/** What is wrong with a value, given its field's fact; undefined when it obeys. */
function factFinding(fact: Json, schema: Json, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (typeof fact.id === 'string') {
    const pattern = ID_PATTERNS[fact.id as IdKind];
    if (pattern === undefined) return `unknown id kind ${fact.id}`;
    if (text === undefined || !new RegExp(pattern).test(text)) return `${JSON.stringify(value)} is not a ${fact.id}`;
  }
  switch (fact.unit) {
    case 's':
      if (text === undefined || !/^[0-9]{10}$/.test(text) || !nearSampleTime(Number(text))) return `${JSON.stringify(value)} is not seconds near ${facts.sampleTime}`;
      break;
    case 'ms':
      if (text === undefined || !/^[0-9]{13}$/.test(text) || !nearSampleTime(Number(text) / 1000)) return `${JSON.stringify(value)} is not milliseconds near ${facts.sampleTime}`;
      break;
    case 'date':
      if (text === undefined || !/^20[0-9]{2}-[01][0-9]-[0-3][0-9]$/.test(text)) return `${JSON.stringify(value)} is not a date`;
      break;
    case 'local-datetime':
      if (text === undefined || !/^20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$/.test(text)) return `${JSON.stringify(value)} is not a local date and time`;
      break;
    default:
  }
  if (fact.json === true) {
    try {
      JSON.parse(String(value));
    } catch {
      return `${JSON.stringify(value)} is not JSON text`;
    }
  }
  const meanings = schema[ENUM_DESCRIPTIONS_KEYWORD];
  if (isObject(meanings) && text !== undefined && !(text in meanings)) return `${JSON.stringify(value)} is none of the documented values ${Object.keys(meanings).join(', ')}`;
  return undefined;
}

/** Every fact finding of a sample against its schema: `pointer: problem`. */
export function lintSample(schema: Json, value: unknown, pointer = ''): string[] {
  const out: string[] = [];
  if (isObject(schema[FACT_KEYWORD])) {
    const problem = factFinding(schema[FACT_KEYWORD] as Json, schema, value);
    if (problem) out.push(`${pointer}: ${problem}`);
  }
  if (isObject(schema.properties) && isObject(value)) {
    for (const [name, child] of Object.entries(schema.properties)) if (isObject(child)) out.push(...lintSample(child, value[name], `${pointer}/${name}`));
  }
  if (isObject(schema.items) && Array.isArray(value)) {
    for (const [i, item] of value.entries()) out.push(...lintSample(schema.items as Json, item, `${pointer}/${i}`));
  }
  return out;
}

describe('catalogue lint', () => {
  it('every event type has at least one sample, and every sample a schema', () => {
    const withSamples = new Set(samples.map((s) => s.ref.eventType));
    assert.deepEqual(eventTypes.filter((type) => !withSamples.has(type)), []);
    assert.deepEqual([...withSamples].filter((type) => !schemas.has(type)), []);
    for (const type of ['user_update', 'user_leave', 'dept_update', 'dept_delete', 'third_party_meeting_room_event_updated', 'third_party_meeting_room_event_deleted']) {
      assert.ok(schemas.has(type), `${type} is in the catalogue`);
    }
  });

  it('every sample validates under --strict, is the envelope of its schema version, and carries its own type', async () => {
    const strict = await openSchemaCatalog({ strict: true, warn: (m) => assert.fail(m) });
    const plain = await openSchemaCatalog({ strict: false, warn: (m) => assert.fail(m) });
    for (const { ref, value } of samples) {
      const where = `samples/${ref.eventType}/${ref.name}.json`;
      assert.equal(eventTypeOf(value), ref.eventType, `${where}: its event type`);
      const schema = schemas.get(ref.eventType) as Json;
      const version = isObject(schema.properties) && 'header' in schema.properties ? '2.0' : isObject(schema.properties) && 'event' in schema.properties ? '1.0' : 'card-action';
      assert.equal(envelopeKind(value), version, `${where}: a ${version} envelope`);
      if (version === 'card-action') continue;
      const validate = strict.forType(ref.eventType)?.validate;
      assert.ok(validate, `${where}: a precompiled --strict validator`);
      assert.equal(validate(value), true, `${where}: ${JSON.stringify(validate.errors?.map((e) => `${e.instancePath} ${e.message ?? ''}`))}`);
      const envelope = plain.envelope(version)?.validate;
      assert.equal(envelope?.(value), true, `${where}: the ${version} envelope schema`);
    }
  });

  it('every callback has the schema of its answer, and only callbacks have one', () => {
    const callbacks = eventTypes.filter((type) => (schemas.get(type) as Json)[CALLBACK_KEYWORD] === true);
    assert.deepEqual(callbacks, ['card.action.legacy', 'card.action.trigger', 'url.preview.get']);
    const answers = [...schemas.keys()].filter((name) => name.startsWith('answer-'));
    assert.deepEqual(answers, callbacks.map(answerSchemaName));
  });

  it('every id, time, enum and JSON-text field obeys its fact (documented or inferred)', () => {
    const findings: string[] = [];
    let checked = 0;
    for (const { ref, value } of samples) {
      const schema = schemas.get(ref.eventType) as Json;
      if (!JSON.stringify(schema).includes(`"${FACT_KEYWORD}"`)) continue;
      checked++;
      for (const finding of lintSample(schema, value)) findings.push(`samples/${ref.eventType}/${ref.name}.json${finding}`);
    }
    assert.deepEqual(findings, []);
    assert.ok(checked > 200, `${checked} samples with facts checked`);
  });

  it('the lint catches a wrong unit, id kind, enum value and JSON text', () => {
    const sample = readJson(join(samplesDir, 'contact.user.updated_v3', 'doc.json')) as Json;
    const object = (sample.event as Json).object as Json;
    object.join_time = Number(object.join_time) * 1000;
    object.open_id = 'on_0123456789abcdef0123456789abcdef';
    ((object.custom_attrs as Json[])[0] as Json).type = 'normal';
    const receive = readJson(join(samplesDir, 'im.message.receive_v1', 'doc.json')) as Json;
    ((receive.event as Json).message as Json).content = '你好';
    const findings = [
      ...lintSample(schemas.get('contact.user.updated_v3') as Json, sample),
      ...lintSample(schemas.get('im.message.receive_v1') as Json, receive),
    ];
    assert.deepEqual(findings.map((f) => f.split(':')[0]), ['/event/object/open_id', '/event/object/join_time', '/event/object/custom_attrs/0/type', '/event/message/content']);
  });

  it('the named samples are fixed: event.app_id, join_time in seconds, old_object of the same user, JSON text, app_scene_type', () => {
    const doc = (type: string): Json => readJson(join(samplesDir, type, 'doc.json')) as Json;
    for (const type of ['application.application.created_v6', 'application.application.app_version.audit_v6', 'application.application.app_version.publish_revoke_v6', 'application.application.feedback.created_v6', 'application.application.feedback.updated_v6', 'im.message.reaction.created_v1', 'im.message.reaction.deleted_v1']) {
      assert.match(String((doc(type).event as Json).app_id), /^cli_[0-9a-f]{16}$/, `${type}: event.app_id`);
    }
    for (const type of ['contact.user.updated_v3', 'contact.user.deleted_v3']) {
      const event = doc(type).event as Json;
      const object = event.object as Json;
      const old = event.old_object as Json;
      assert.match(String(object.join_time), /^[0-9]{10}$/, `${type}: join_time in seconds`);
      assert.equal(old.open_id, object.open_id, `${type}: old_object is the same user`);
      assert.ok(Object.keys(old).length < 5, `${type}: old_object holds only the changed fields`);
      for (const [key, before] of Object.entries(old)) if (key !== 'open_id') assert.notDeepEqual(before, object[key], `${type}: ${key} changed`);
    }
    const approval = ((doc('approval.approval.updated_v4').event as Json).object as Json);
    assert.ok(isObject(JSON.parse(String(approval.process_obj))) && isObject(JSON.parse(String(approval.extra))));
    assert.equal((doc('application.application.created_v6').event as Json).app_scene_type, 0, '0: 自建应用');
  });
});
