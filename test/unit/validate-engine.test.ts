import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledSchema, SchemaCatalog, ValidateFunction } from '../../src/catalog/schemas.js';
import type { InputRecord } from '../../src/sources/records.js';
import { EventDescriber } from '../../src/validate/describe.js';
import { EventChecker, type CheckerOptions } from '../../src/validate/engine.js';

/** A schema that accepts events whose `event.ok` is true. */
function schema(name: string): CompiledSchema {
  const validate: ValidateFunction = (data) => {
    const ok = (data as { event?: { ok?: unknown } }).event?.ok === true;
    validate.errors = ok ? null : [{ instancePath: '/event/ok', schemaPath: '#/properties/event/properties/ok/const', keyword: 'const', params: { allowedValue: true }, data: (data as { event?: { ok?: unknown } }).event?.ok }];
    return ok;
  };
  return { name, validate };
}

const catalog: SchemaCatalog = {
  forced: undefined,
  forType: (type) => (type === 'known.type_v1' ? schema('known.type_v1') : undefined),
  answerFor: () => undefined,
  envelope: (version) => schema(version === '2.0' ? 'envelope-v2' : 'envelope-v1'),
};

/** The checker takes a parsed event (the record is for the describer). */
function record(value: unknown): unknown {
  return value;
}

const v2 = (type: string, ok: boolean): unknown => ({ schema: '2.0', header: { event_id: `id-${type}`, event_type: type }, event: { ok } });

function checker(options: Partial<CheckerOptions> = {}): EventChecker {
  return new EventChecker({ catalog, decrypt: undefined, unknownType: 'warn', reportAll: false, ...options });
}

describe('EventChecker', () => {
  it('says nothing about a valid event and counts it under its type', () => {
    const c = checker();
    assert.equal(c.check(record(v2('known.type_v1', true))), undefined);
    const s = c.summary(0);
    assert.deepEqual([s.checked, s.valid, s.invalid], [1, 1, 0]);
    assert.deepEqual(s.byType, [{ eventType: 'known.type_v1', checked: 1, invalid: 0 }]);
  });

  it('reports every event when asked to (json, junit)', () => {
    const outcome = checker({ reportAll: true }).check(record(v2('known.type_v1', true)));
    assert.equal(outcome?.invalid, false);
    assert.equal(outcome?.schema, 'known.type_v1');
  });

  it('keeps the schema errors of an invalid event', () => {
    const c = checker();
    const outcome = c.check(record(v2('known.type_v1', false)));
    assert.equal(outcome?.invalid, true);
    assert.equal(outcome?.errors[0]?.keyword, 'const');
    assert.equal(c.summary(0).invalid, 1);
  });

  it('checks an unknown type against the envelope, and --unknown-type decides what it is', () => {
    const levels = { warn: [false, 'warning'], error: [true, 'error'], ignore: [false, undefined] } as const;
    for (const [level, [invalid, severity]] of Object.entries(levels)) {
      const c = checker({ unknownType: level as CheckerOptions['unknownType'] });
      const outcome = c.check(record(v2('other.type_v1', true)));
      assert.equal(outcome?.invalid ?? false, invalid, level);
      assert.equal(outcome?.notes[0]?.severity, severity, level);
      assert.equal(c.summary(0).withoutSchema, 1, level);
    }
    // The envelope still has its say.
    const outcome = checker().check(record(v2('other.type_v1', false)));
    assert.equal(outcome?.invalid, true);
    assert.equal(outcome?.schema, 'envelope-v2');
  });

  it('tells values that are not events, and decrypts with what it is given', () => {
    const c = checker();
    assert.equal(c.check(record(42))?.notes[0]?.keyword, 'not-an-event');
    assert.equal(c.check(record({ hello: 'world' }))?.notes[0]?.keyword, 'not-an-event');
    assert.match(c.check(record({ encrypt: 'abc' }))?.notes[0]?.message ?? '', /--encrypt-key/);

    const opened = checker({ decrypt: (text) => (text === 'sealed' ? JSON.stringify(v2('known.type_v1', false)) : assert.fail('unexpected')) });
    const outcome = opened.check(record({ encrypt: 'sealed' }));
    assert.equal(outcome?.decrypted, true);
    assert.equal(outcome?.eventType, 'known.type_v1');
    const refused = checker({ decrypt: () => { throw new Error('cannot decrypt: wrong encrypt key (bad PKCS#7 padding)'); } });
    assert.match(refused.check(record({ encrypt: 'x' }))?.notes[0]?.message ?? '', /wrong encrypt key/);
    assert.deepEqual(refused.summary(0).byType, [{ eventType: '(encrypted)', checked: 1, invalid: 1 }]);
  });

  it('counts malformed records as invalid', () => {
    const c = checker();
    const outcome = c.malformed();
    assert.equal(outcome.invalid, true);
    const s = c.summary(0);
    assert.deepEqual([s.checked, s.invalid, s.malformed], [1, 1, 1]);
    const malformed: InputRecord = { kind: 'malformed', source: 'x.ndjson', index: 0, line: 3, column: 7, message: 'invalid JSON: x' };
    const report = new EventDescriber().describe(malformed, outcome);
    assert.deepEqual([report.status, report.findings[0]?.line, report.findings[0]?.column], ['malformed', 3, 7]);
  });
});

describe('EventDescriber', () => {
  it('locates a decrypted event\'s findings at the encrypt field, with the pointer in the payload', () => {
    const opened = checker({ decrypt: () => JSON.stringify(v2('known.type_v1', false)) });
    const text = '{"encrypt": "sealed"}';
    const value = JSON.parse(text) as unknown;
    const outcome = opened.check(value);
    const report = new EventDescriber().describe({ kind: 'value', source: 'x.ndjson', index: 4, line: 5, value, text, pointer: '' }, outcome!);
    assert.deepEqual(report.findings.map((f) => [f.line, f.column, f.pointer, f.decrypted]), [[5, 13, '/event/ok', true]]);
    assert.equal(report.eventId, 'id-known.type_v1');
  });
});
