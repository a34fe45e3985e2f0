import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import AjvModule from 'ajv/dist/2020.js';
import { withUndeclaredPropertiesReported } from '../../src/catalog/strict-variant.js';

const Ajv2020 = AjvModule.default;

const schema = {
  type: 'object',
  properties: {
    a: { type: 'object', properties: { b: { type: 'string' } } },
    list: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
    open: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: true },
    combined: { type: 'object', allOf: [{ properties: { p: { type: 'string' } } }, { properties: { q: { type: 'string' } } }] },
  },
  $defs: { thing: { type: 'object', properties: { t: { type: 'string' } } } },
};

describe('withUndeclaredPropertiesReported', () => {
  it('adds unevaluatedProperties: false to every object location that declares properties', () => {
    const strict = withUndeclaredPropertiesReported(schema) as typeof schema & Record<string, unknown>;
    assert.equal((strict as Record<string, unknown>).unevaluatedProperties, false);
    assert.equal((strict.properties.a as Record<string, unknown>).unevaluatedProperties, false);
    assert.equal((strict.properties.list.items as Record<string, unknown>).unevaluatedProperties, false);
    assert.equal((strict.$defs.thing as Record<string, unknown>).unevaluatedProperties, false);
    // The author allowed more on purpose; combinator branches stay as they are, their parent gets the rule.
    assert.equal((strict.properties.open as Record<string, unknown>).unevaluatedProperties, undefined);
    assert.equal((strict.properties.combined.allOf[0] as Record<string, unknown>).unevaluatedProperties, undefined);
    assert.equal((strict.properties.combined as Record<string, unknown>).unevaluatedProperties, false);
  });

  it('leaves its input alone', () => {
    const before = JSON.stringify(schema);
    withUndeclaredPropertiesReported(schema);
    assert.equal(JSON.stringify(schema), before);
  });

  it('makes Ajv report undeclared properties at every depth, and only those', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(withUndeclaredPropertiesReported(schema));
    const declared = { a: { b: 'x' }, list: [{ k: 'v' }], open: { x: 'y', anything: 1 }, combined: { p: '1', q: '2' } };
    assert.equal(validate(declared), true, JSON.stringify(validate.errors));
    const extra = { a: { b: 'x', c: 1 }, list: [{ k: 'v' }, { k: 'w', z: 2 }], combined: { p: '1', r: 3 }, top: true };
    assert.equal(validate(extra), false);
    const found = (validate.errors ?? [])
      .filter((e) => e.keyword === 'unevaluatedProperties')
      .map((e) => `${e.instancePath}/${String(e.params.unevaluatedProperty)}`)
      .sort();
    assert.deepEqual(found, ['/a/c', '/combined/r', '/list/1/z', '/top']);
  });
});
