import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundledAjvOptions } from '../../src/catalog/ajv-setup.js';
import { formatQuickChecks } from '../../src/catalog/quick-checks-file.js';
import { listSchemaFiles, openSchemaCatalog, QUICK_CHECKS_FILE, schemaNameOf, VALIDATOR_INDEX_GENERATOR } from '../../src/catalog/schemas.js';
import { listSamples } from '../../src/catalog/samples.js';
import { samplesDir, schemasDir } from '../../src/paths.js';

const schemaFiles = listSchemaFiles(schemasDir);
const eventTypes = schemaFiles.map(schemaNameOf).filter((name) => !name.startsWith('envelope-') && !name.startsWith('answer-'));

describe('bundled schemas', () => {
  it('exist for the five documented event types and both envelopes', () => {
    assert.ok(eventTypes.length >= 5, `event types: ${eventTypes.join(', ')}`);
    for (const name of ['envelope-v1', 'envelope-v2']) assert.ok(schemaFiles.some((f) => schemaNameOf(f) === name), name);
  });

  it('are JSON Schema draft 2020-12 (the build compiles them under Ajv strict mode: test/e2e/precompiled-validators)', () => {
    for (const file of schemaFiles) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
    }
    assert.equal(bundledAjvOptions().strict, true, 'bundled schemas are compiled in strict mode');
  });

  it('carry a meaning for every enum value (x-enum-descriptions)', () => {
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${where}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (Array.isArray(record.enum)) {
        const descriptions = record['x-enum-descriptions'] as Record<string, string> | undefined;
        assert.ok(descriptions, `${where} has x-enum-descriptions`);
        for (const value of record.enum) assert.ok(descriptions[String(value)], `${where}: meaning of ${String(value)}`);
      }
      for (const [key, child] of Object.entries(record)) if (key !== 'x-enum-descriptions') walk(child, `${where}/${key}`);
    };
    // Hand-written schemas only: the SDK's declarations give no meanings for the generated ones' enums.
    for (const file of schemaFiles) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (schema['x-generated-from'] === undefined) walk(schema, file);
    }
  });
});

describe('bundled samples', () => {
  const samples = listSamples(samplesDir);

  it('exist for every documented event type', () => {
    for (const type of eventTypes) assert.ok(samples.some((s) => s.eventType === type), `a sample of ${type}`);
  });

  it('validate the same way when the schemas are compiled at run time (no precompiled validators)', async () => {
    const warnings: string[] = [];
    const catalog = await openSchemaCatalog({ strict: false, warn: (m) => warnings.push(m), validatorsDir: join(schemasDir, 'no-such-dir') });
    assert.equal(warnings.length, 1, 'one warning about the missing build');
    for (const sample of samples) {
      assert.equal(catalog.forType(sample.eventType)?.validate(JSON.parse(readFileSync(sample.path, 'utf8'))), true, sample.path);
    }
  });

  it('a quick-checks file of another build (no header, or another generator) is not used: the schemas are compiled at run time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fe-quick-'));
    try {
      const lines: Array<[string, string]> = [['im.message.receive_v1', '{"type":"object"}']];
      const current = formatQuickChecks(VALIDATOR_INDEX_GENERATOR, lines);
      // An older build's one-line-a-schema form, another generator's file, and one cut short.
      for (const text of ['im.message.receive_v1\t{"type":"object"}\n', formatQuickChecks(VALIDATOR_INDEX_GENERATOR + 1, lines), current.subarray(0, 20)]) {
        writeFileSync(join(dir, QUICK_CHECKS_FILE), text);
        const warnings: string[] = [];
        const catalog = await openSchemaCatalog({ strict: false, warn: (m) => warnings.push(m), validatorsDir: dir });
        assert.match(warnings.join('\n'), /precompiled validators not found/);
        assert.equal(catalog.forType('im.message.receive_v1')?.validate({}), false, 'compiled from schemas/, not from the file');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a type listed in the quick-checks file without JSON has its validator and no quick check; a type not listed has no schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fe-quick-'));
    try {
      writeFileSync(
        join(dir, QUICK_CHECKS_FILE),
        formatQuickChecks(VALIDATOR_INDEX_GENERATOR, [
          ['a.listed_v1', undefined],
          ['b.checked_v1', '{"type":"object"}'],
        ]),
      );
      writeFileSync(join(dir, 'a.listed_v1.cjs'), 'module.exports = function validate(data) { return data === 1; };');
      const catalog = await openSchemaCatalog({ strict: false, warn: (m) => assert.fail(m), validatorsDir: dir });
      const listed = catalog.forType('a.listed_v1');
      assert.equal(listed?.quick, undefined);
      assert.equal(listed?.validate(1), true);
      assert.equal(listed?.validate(2), false);
      assert.ok(catalog.forType('b.checked_v1')?.quick, 'compiled from its line');
      assert.equal(catalog.forType('c.absent_v1'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
