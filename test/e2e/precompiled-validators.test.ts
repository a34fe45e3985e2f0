// The validators `npm run build` precompiles (scripts/build-validators.js → dist/src/validators/): every bundled
// schema is there, and every bundled sample passes its type's precompiled validator and its envelope's. Quick: it
// shares a test process with the other such files (scripts/run-tests.js).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultValidatorsDir, GENERATED_FROM_KEYWORD, listSchemaFiles, openSchemaCatalog, QUICK_CHECKS_FILE, quickCheckSourceIn, readValidatorIndex, schemaNameOf, VALIDATOR_INDEX_GENERATOR, type SchemaCatalog } from '../../src/catalog/schemas.js';
import { quickCheckSource } from '../../src/catalog/quick-check.js';
import { quickCheckNamesIn } from '../../src/catalog/quick-checks-file.js';
import { listSamples } from '../../src/catalog/samples.js';
import { samplesDir, schemasDir } from '../../src/paths.js';

type Json = Record<string, unknown>;

const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;
const noWarnings = (message: string): never => assert.fail(`unexpected warning: ${message}`);
const schemaFiles = listSchemaFiles(schemasDir);
const samples = listSamples(samplesDir);
/** One catalogue per variant, opened once for the whole file. */
const catalogs = new Map<boolean, Promise<SchemaCatalog>>();
const catalog = (strict: boolean): Promise<SchemaCatalog> => {
  if (!catalogs.has(strict)) catalogs.set(strict, openSchemaCatalog({ strict, warn: noWarnings }));
  return catalogs.get(strict) as Promise<SchemaCatalog>;
};

describe('precompiled validators', () => {
  it('the quick-checks file lists every bundled schema and no other, with the quick check of those that have one', () => {
    const built = readFileSync(join(defaultValidatorsDir(), QUICK_CHECKS_FILE));
    assert.deepEqual(quickCheckNamesIn(built, VALIDATOR_INDEX_GENERATOR), schemaFiles.map(schemaNameOf));
    let withCheck = 0;
    for (const file of schemaFiles) {
      const expected = quickCheckSource(readJson(file));
      assert.deepEqual(quickCheckSourceIn(built, schemaNameOf(file)), expected, file);
      if (expected !== undefined) withCheck++;
    }
    assert.ok(withCheck > 200, `only ${withCheck} schemas have a quick check`);
  });
  // The build (scripts/build-validators.js) compiles every schema, plain and --strict variant, under Ajv strict mode
  // and fails on any that does not compile; these tests check what it left, rather than compile 458 schemas again.
  it('exist for every bundled schema, plain and --strict variant, built by the installed Ajv', () => {
    const index = readValidatorIndex(defaultValidatorsDir());
    assert.ok(index, 'dist/src/validators/index.json exists (run npm run build)');
    assert.equal(index.ajv, (createRequire(import.meta.url)('ajv/package.json') as { version: string }).version);
    const files = new Set(readdirSync(defaultValidatorsDir()));
    for (const file of schemaFiles) {
      const entry = index.schemas[schemaNameOf(file)];
      assert.ok(entry, `${schemaNameOf(file)} is in the index`);
      assert.ok(files.has(entry.module) && files.has(entry.strictModule), `${entry.module} and ${entry.strictModule} exist`);
    }
  });

  for (const strict of [false, true]) {
    it(`every bundled sample validates against its type's precompiled schema${strict ? ' (also with --strict)' : ''}`, async () => {
      const compiledCatalog = await catalog(strict);
      for (const sample of samples) {
        const compiled = compiledCatalog.forType(sample.eventType);
        assert.ok(compiled, `a schema for ${sample.eventType}`);
        const value = readJson(sample.path);
        assert.equal(compiled.validate(value), true, `${sample.path}: ${JSON.stringify(compiled.validate.errors)}`);
        // Against its own envelope too; the 1.0 envelope declares none of a 1.0 event's own fields, so not with --strict.
        const version = 'schema' in value ? '2.0' : 'event' in value ? '1.0' : undefined;
        if (version === undefined) continue; // the legacy card action has no envelope
        if (version === '2.0' || !strict) assert.equal(compiledCatalog.envelope(version)?.validate(value), true, `${sample.path} against envelope ${version}`);
      }
    });

    it(`each generated type's doc.json validates against its precompiled schema and its envelope${strict ? ' (also with --strict)' : ''}`, async () => {
      const compiledCatalog = await catalog(strict);
      const generatedTypes = schemaFiles.filter((file) => readJson(file)[GENERATED_FROM_KEYWORD] !== undefined).map(schemaNameOf);
      assert.ok(generatedTypes.length > 0, 'the catalogue has generated types');
      for (const type of generatedTypes) {
        const sample = readJson(join(samplesDir, type, 'doc.json'));
        const compiled = compiledCatalog.forType(type);
        assert.ok(compiled, `a precompiled validator for ${type}`);
        assert.equal(compiled.validate(sample), true, `${type}: ${JSON.stringify(compiled.validate.errors)}`);
        // The 1.0 envelope declares event fields, so its --strict variant rejects every event's own; not so 2.0's.
        if (strict && !('schema' in sample)) continue;
        const envelope = compiledCatalog.envelope('schema' in sample ? '2.0' : '1.0');
        assert.equal(envelope?.validate(sample), true, `${type} against its envelope schema`);
      }
    });
  }
});
