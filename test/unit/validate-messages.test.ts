import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import AjvModule from 'ajv/dist/2020.js';
import { bundledAjvOptions, registerAnnotationKeywords } from '../../src/catalog/ajv-setup.js';
import type { ValidationError } from '../../src/catalog/schemas.js';
import { describeActual, describeErrors } from '../../src/validate/messages.js';

const Ajv2020 = AjvModule.default;

function problems(schema: object, data: unknown): ReturnType<typeof describeErrors> {
  const ajv = new Ajv2020(bundledAjvOptions());
  registerAnnotationKeywords(ajv);
  const validate = ajv.compile(schema);
  assert.equal(validate(data), false);
  return describeErrors((validate.errors ?? []) as ValidationError[]);
}

describe('describeErrors', () => {
  it('says expected vs actual for a wrong type, once even when enum also fails', () => {
    const found = problems({ type: 'object', properties: { n: { type: 'integer', enum: [1, 2] } } }, { n: '1' });
    assert.deepEqual(found, [{ pointer: '/n', keyword: 'type', target: 'value', message: 'expected integer, got string "1"' }]);
  });

  it('lists the allowed values of an enum with their documented meaning', () => {
    const schema = { type: 'object', properties: { t: { type: 'integer', enum: [1001, 2001, 3], 'x-enum-descriptions': { '1001': '新入职', '2001': '更新人员信息' } } } };
    const [problem] = problems(schema, { t: 9999 });
    assert.equal(problem?.message, '9999 is not one of 1001 新入职, 2001 更新人员信息, 3');
  });

  it('points a missing property at where it should be, located at its parent', () => {
    const [problem] = problems({ type: 'object', properties: { e: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } } }, { e: {} });
    assert.deepEqual(problem, { pointer: '/e/id', keyword: 'required', target: 'parent', message: 'missing required property id' });
  });

  it('says digits for a digits pattern, and counts items', () => {
    const schema = { type: 'object', properties: { ts: { type: 'string', pattern: '^[0-9]+$' }, list: { type: 'array', maxItems: 2 } } };
    const found = problems(schema, { ts: '12a', list: [1, 2, 3] });
    assert.deepEqual(
      found.map((p) => p.message),
      ['expected a string of digits, got string "12a"', 'expected at most 2 items, got 3'],
    );
  });

  it('describes const, and undeclared properties at the key', () => {
    const found = problems({ type: 'object', properties: { s: { const: '2.0' } }, unevaluatedProperties: false }, { s: '1.0', extra: 1 });
    assert.deepEqual(found, [
      { pointer: '/s', keyword: 'const', target: 'value', message: 'expected "2.0", got string "1.0"' },
      { pointer: '/extra', keyword: 'undeclared', target: 'key', message: 'undeclared property extra (not in the schema)' },
    ]);
  });

  it('escapes pointer segments of property names', () => {
    const [problem] = problems({ type: 'object', properties: { 'a/b~c': { type: 'string' } }, required: ['a/b~c'] }, {});
    assert.equal(problem?.pointer, '/a~1b~0c');
  });
});

describe('describeActual', () => {
  it('names the type and shows short values', () => {
    assert.equal(describeActual(86), 'number 86');
    assert.equal(describeActual(null), 'null');
    assert.equal(describeActual([1, 2]), 'array of 2');
    assert.equal(describeActual({}), 'object');
    assert.match(describeActual('x'.repeat(200)), /^string "x{50,}…"$/);
  });
});
