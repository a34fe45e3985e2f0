// The quick check that runs before a bundled schema's generated validator (src/catalog/quick-check.ts) must never
// pass a value that the validator rejects: findings would be lost. Checked on every bundled sample and on mutations
// of it at every location (each value replaced by values of other types, a string by one that breaks its pattern, removed,
// an undeclared property added),
// plain and --strict; the two also agree the other way, so that the quick check does not send valid events to the slow path.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileQuickCheck, quickCheckSource, quickPass } from '../../src/catalog/quick-check.js';
import { formatQuickChecks, openQuickChecks, quickCheckJsonIn, quickCheckNamesIn } from '../../src/catalog/quick-checks-file.js';
import { openSchemaCatalog, quickCheckSourceIn, VALIDATOR_INDEX_GENERATOR } from '../../src/catalog/schemas.js';
import { listSamples } from '../../src/catalog/samples.js';
import { samplesDir } from '../../src/paths.js';

type Json = Record<string, unknown> | unknown[];
const REPLACEMENTS: unknown[] = [null, 7, 1.5, 'x', '', true, [], {}, '123', ['x'], { a: 1 }, -0];
const samples = listSamples(samplesDir).map((sample) => ({ ...sample, value: JSON.parse(readFileSync(sample.path, 'utf8')) as unknown }));

/** Calls `visit` with the value mutated in place, once per mutation, restoring it after each. */
function eachMutation(root: unknown, visit: (what: string) => void): void {
  let turn = 0;
  const walk = (node: unknown, where: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const container = node as Json;
    const keys = Array.isArray(container) ? container.map((_, i) => i) : Object.keys(container);
    for (const key of keys) {
      const slot = container as Record<string | number, unknown>;
      const original = slot[key];
      // One replacement per location, taken in turn from the list, so that every kind is met at every depth.
      for (let i = 0; i < 1; i++) {
        const replacement = REPLACEMENTS[turn++ % REPLACEMENTS.length];
        slot[key] = structuredClone(replacement);
        visit(`${where}/${key} = ${JSON.stringify(replacement)}`);
      }
      if (typeof original === 'string') {
        // A string that breaks a pattern, a const or an enum while keeping its type.
        slot[key] = `${original}!`;
        visit(`${where}/${key} = ${JSON.stringify(slot[key])}`);
      }
      if (!Array.isArray(container)) {
        delete slot[key];
        visit(`${where}/${key} removed`);
      }
      slot[key] = original;
      walk(original, `${where}/${key}`);
    }
    if (!Array.isArray(container)) {
      const slot = container as Record<string, unknown>;
      slot.zz_undeclared = 'x';
      visit(`${where}/zz_undeclared added`);
      delete slot.zz_undeclared;
    }
  };
  visit('as is');
  walk(root, '');
}

describe('quick checks of the bundled schemas', () => {
  for (const strict of [false, true]) {
    it(`never pass what the generated validator rejects, and agree with it on samples and their mutations${strict ? ' (--strict)' : ''}`, async () => {
      const catalog = await openSchemaCatalog({ strict, warn: (message) => assert.fail(message) });
      let compared = 0;
      let withQuickCheck = 0;
      let byName = 0;
      for (const sample of samples) {
        const schema = catalog.forType(sample.eventType);
        if (schema?.quick === undefined) continue;
        withQuickCheck++;
        const { quick } = schema;
        if (quick.envelope !== null) byName++;
        eachMutation(sample.value, (what) => {
          const valid = schema.validate(sample.value);
          const passed = quickPass(quick, sample.value);
          compared++;
          if (passed !== valid) assert.fail(`${sample.path}, ${what}: quick check ${passed ? 'passes' : 'fails'}, the validator ${valid ? 'passes' : 'fails'}`);
        });
      }
      assert.ok(withQuickCheck >= 200, `most samples' types have a quick check (${withQuickCheck})`);
      assert.ok(byName >= 200, `most read their envelope by name (${byName})`);
      assert.ok(compared > 10_000, `${compared} values compared`);
    });
  }
});

describe('compileQuickCheck', () => {
  it('gives no quick check for what it does not check exactly', () => {
    const object = { type: 'object', properties: { a: { type: 'string' } } };
    assert.ok(compileQuickCheck(object));
    assert.equal(compileQuickCheck({ ...object, format: 'date' }), undefined, 'an unknown keyword');
    assert.equal(compileQuickCheck({ ...object, if: { required: ['a'] }, then: { required: ['b'] } }), undefined, 'if/then');
    assert.equal(compileQuickCheck({ ...object, allOf: [{ required: ['a'] }], unevaluatedProperties: false }), undefined, 'unevaluatedProperties beside allOf');
    assert.equal(compileQuickCheck({ ...object, const: { a: 'x' } }), undefined, 'an object const');
    assert.equal(compileQuickCheck({ type: 'object', properties: { a: { $ref: '#/$defs/x' } } }), undefined, 'a $ref, however deep');
    assert.equal(quickCheckSource({ ...object, format: 'date' }), undefined);
  });

  it('keeps what decides validity and drops annotations, whatever the property names', () => {
    const source = quickCheckSource({
      title: 't',
      description: 'd',
      'x-fact': { from: 'inferred' },
      type: 'object',
      required: ['description'],
      properties: { description: { description: 'a property named description', type: 'string', pattern: '^[0-9]+$' }, title: { type: 'integer' } },
    });
    assert.deepEqual(source, { type: 'object', required: ['description'], properties: { description: { type: 'string', pattern: '^[0-9]+$' }, title: { type: 'integer' } } });
  });

  it('checks types, patterns, lengths, items and closed objects as Ajv does', () => {
    const check = compileQuickCheck({
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^[0-9]+$' },
        code: { type: 'string', pattern: '^om_[0-9a-z_]+$', minLength: 4, maxLength: 6 },
        n: { type: 'integer' },
        x: { type: 'number' },
        list: { type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'boolean' }, minItems: 1, maxItems: 3 },
        kind: { enum: ['a', 1, null] },
        fixed: { const: 0 },
      },
    });
    assert.ok(check);
    const cases: Array<[unknown, boolean]> = [
      [{ id: '12' }, true],
      [{ id: '' }, false],
      [{ id: '１２' }, false], // full-width digits are not [0-9]
      [{}, false],
      [{ id: '1', other: 1 }, false],
      [{ id: '1', code: 'om_a' }, true],
      [{ id: '1', code: 'om_' }, false],
      [{ id: '1', code: 'om_abcd' }, false],
      [{ id: '1', code: 'om_😀' }, false],
      [{ id: '1', n: 2 }, true],
      [{ id: '1', n: 2.5 }, false],
      [{ id: '1', n: Infinity }, false],
      [{ id: '1', x: 2.5 }, true],
      [{ id: '1', x: Infinity }, false],
      [{ id: '1', x: '2' }, false],
      [{ id: '1', list: ['a', true, false] }, true],
      [{ id: '1', list: [] }, false],
      [{ id: '1', list: ['a', 'b'] }, false],
      [{ id: '1', list: ['a', true, true, true] }, false],
      [{ id: '1', kind: null }, true],
      [{ id: '1', kind: 'b' }, false],
      [{ id: '1', fixed: -0 }, true],
      [{ id: '1', fixed: '0' }, false],
      [['id'], false],
    ];
    for (const [value, expected] of cases) assert.equal(quickPass(check, value), expected, JSON.stringify(value));
  });
});

describe('the quick-checks file: an index, and only the quick checks asked for are read', () => {
  const schemas: Array<[string, string | undefined]> = [
    ['a.b_v1', '{"title":"新增"}'],
    ['a.b_v10', '{"type":"string"}'],
    ['none_v1', undefined],
    ['z_v1', '{"title":"门禁 ✓"}'],
  ];
  const bytes = formatQuickChecks(VALIDATOR_INDEX_GENERATOR, schemas);

  it('finds each listed schema, never one whose name only starts or ends the same, in a whole file', () => {
    assert.deepEqual(quickCheckSourceIn(bytes, 'a.b_v1'), { title: '新增' });
    assert.deepEqual(quickCheckSourceIn(bytes, 'a.b_v10'), { type: 'string' });
    assert.deepEqual(quickCheckSourceIn(bytes, 'z_v1'), { title: '门禁 ✓' });
    assert.equal(quickCheckSourceIn(bytes, 'none_v1'), undefined);
    assert.equal(quickCheckJsonIn(bytes, VALIDATOR_INDEX_GENERATOR, 'none_v1'), '', 'listed, without a quick check');
    for (const name of ['a.b', 'b_v1', 'none', '']) assert.equal(quickCheckJsonIn(bytes, VALIDATOR_INDEX_GENERATOR, name), undefined, name);
    assert.deepEqual(quickCheckNamesIn(bytes, VALIDATOR_INDEX_GENERATOR), schemas.map(([name]) => name));
    assert.equal(quickCheckSourceIn(Buffer.alloc(0), 'a.b_v1'), undefined);
    assert.equal(quickCheckJsonIn(bytes, VALIDATOR_INDEX_GENERATOR + 1, 'a.b_v1'), undefined, "another generator's file");
  });

  it('read from a file: the head, then each quick check asked for; another generator or a file cut short is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fe-quick-file-'));
    try {
      const path = join(dir, 'quick-checks.tsv');
      // An index larger than the first read, so that the head is read again whole.
      const many: Array<[string, string | undefined]> = Array.from({ length: 800 }, (_, i) => [`type.number_${i}_v1`, i % 3 === 0 ? undefined : `{"title":"${i}"}`]);
      writeFileSync(path, formatQuickChecks(VALIDATOR_INDEX_GENERATOR, [...schemas, ...many]));
      const file = openQuickChecks(path, VALIDATOR_INDEX_GENERATOR);
      assert.ok(file);
      assert.equal(file.json('z_v1'), '{"title":"门禁 ✓"}');
      assert.equal(file.json('type.number_799_v1'), '{"title":"799"}');
      assert.equal(file.json('type.number_798_v1'), '');
      assert.equal(file.json('a.b'), undefined);
      assert.equal(openQuickChecks(path, VALIDATOR_INDEX_GENERATOR + 1), undefined);
      assert.equal(openQuickChecks(join(dir, 'none.tsv'), VALIDATOR_INDEX_GENERATOR), undefined);
      const whole = formatQuickChecks(VALIDATOR_INDEX_GENERATOR, schemas);
      writeFileSync(path, whole.subarray(0, 30));
      assert.equal(openQuickChecks(path, VALIDATOR_INDEX_GENERATOR), undefined, 'the head cut short');
      writeFileSync(path, whole.subarray(0, whole.length - 5));
      assert.throws(() => openQuickChecks(path, VALIDATOR_INDEX_GENERATOR)?.json('z_v1'), /cut short/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a schema name the index could not hold', () => {
    assert.throws(() => formatQuickChecks(VALIDATOR_INDEX_GENERATOR, [['a\tb', '{}']]), /tab or newline/);
  });
});
