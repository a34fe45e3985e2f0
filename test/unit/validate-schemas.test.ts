import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv/dist/2020.js';
import { bundledAjvOptions, registerAnnotationKeywords } from '../../src/catalog/ajv-setup.js';
import { defaultValidatorsDir, listSchemaFiles, openSchemaCatalog, readValidatorIndex, schemaNameOf } from '../../src/catalog/schemas.js';
import { withUndeclaredPropertiesReported } from '../../src/catalog/strict-variant.js';
import { listSamples } from '../../src/catalog/samples.js';
import { samplesDir, schemasDir } from '../../src/paths.js';

const Ajv2020 = AjvModule.default;
const schemaFiles = listSchemaFiles(schemasDir);
const eventTypes = schemaFiles.map(schemaNameOf).filter((name) => !name.startsWith('envelope-'));
const noWarnings = (message: string): never => assert.fail(`unexpected warning: ${message}`);

describe('bundled schemas', () => {
  it('exist for the five documented event types and both envelopes', () => {
    assert.ok(eventTypes.length >= 5, `event types: ${eventTypes.join(', ')}`);
    for (const name of ['envelope-v1', 'envelope-v2']) assert.ok(schemaFiles.some((f) => schemaNameOf(f) === name), name);
  });

  it('compile under Ajv strict mode (draft 2020-12), plain and --strict variant', () => {
    for (const file of schemaFiles) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
      for (const variant of [schema, withUndeclaredPropertiesReported(schema)]) {
        const ajv = new Ajv2020(bundledAjvOptions());
        registerAnnotationKeywords(ajv);
        assert.doesNotThrow(() => ajv.compile(variant), file);
      }
    }
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

  it('are all precompiled by the build, with an index that names the modules', () => {
    const index = readValidatorIndex(defaultValidatorsDir());
    assert.ok(index, 'dist/src/validators/index.json exists (run npm run build)');
    const files = new Set(readdirSync(defaultValidatorsDir()));
    for (const file of schemaFiles) {
      const entry = index.schemas[schemaNameOf(file)];
      assert.ok(entry, `${schemaNameOf(file)} is in the index`);
      assert.ok(files.has(entry.module) && files.has(entry.strictModule), `${entry.module} and ${entry.strictModule} exist`);
    }
  });
});

describe('bundled samples', () => {
  const samples = listSamples(samplesDir);

  it('exist for every documented event type', () => {
    for (const type of eventTypes) assert.ok(samples.some((s) => s.eventType === type), `a sample of ${type}`);
  });

  for (const strict of [false, true]) {
    it(`every one validates against its type's precompiled schema${strict ? ' (also with --strict)' : ''}`, async () => {
      const catalog = await openSchemaCatalog({ strict, warn: noWarnings });
      for (const sample of samples) {
        const compiled = catalog.forType(sample.eventType);
        assert.ok(compiled, `a schema for ${sample.eventType}`);
        const value = JSON.parse(readFileSync(sample.path, 'utf8')) as unknown;
        assert.equal(compiled.validate(value), true, `${sample.path}: ${JSON.stringify(compiled.validate.errors)}`);
        // Against its own envelope too; the 1.0 envelope declares none of a 1.0 event's own fields, so not with --strict.
        const version = 'schema' in (value as object) ? '2.0' : '1.0';
        if (version === '2.0' || !strict) assert.equal(catalog.envelope(version)?.validate(value), true, `${sample.path} against envelope ${version}`);
      }
    });
  }

  it('validate the same way when the schemas are compiled at run time (no precompiled validators)', async () => {
    const warnings: string[] = [];
    const catalog = await openSchemaCatalog({ strict: false, warn: (m) => warnings.push(m), validatorsDir: join(schemasDir, 'no-such-dir') });
    assert.equal(warnings.length, 1, 'one warning about the missing build');
    for (const sample of samples) {
      assert.equal(catalog.forType(sample.eventType)?.validate(JSON.parse(readFileSync(sample.path, 'utf8'))), true, sample.path);
    }
  });
});
