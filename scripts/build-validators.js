#!/usr/bin/env node
// Ahead-of-time validators: compiles every schemas/*.schema.json with Ajv (draft 2020-12, strict mode) and writes
// Ajv standalone code to dist/src/validators/ — one CommonJS module per schema and per variant (plain, and the
// --strict one that reports undeclared properties) plus index.json mapping names to modules (and quick-checks.tsv,
// what a run reads: see QUICK_CHECKS_FILE in src/catalog/schemas.ts). `validate` loads
// only the modules of the event types it meets, and never loads Ajv itself for the bundled schemas.
// Runs after tsc (it reuses the compiled option and strict-variant code from dist/src/catalog/). Skips the work when
// the index records the same inputs (the schemas, Ajv's version, this script and the compiled catalogue code) and
// every module it names is there; `--force` compiles anyway.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemasDir = join(root, 'schemas');
const outDir = join(root, 'dist', 'src', 'validators');
const SUFFIX = '.schema.json';
// The name of the catalogue summary (CATALOG_SUMMARY_FILE in src/catalog/schemas.ts); written beside the index.
const CATALOG_SUMMARY_FILE = 'catalog.json';
// The quick checks' schemas (QUICK_CHECKS_FILE in src/catalog/schemas.ts), also beside the index.
const QUICK_CHECKS_FILE = 'quick-checks.tsv';

const force = process.argv.includes('--force');

/** A digest of everything the generated code depends on. */
function inputsDigest(schemaFiles) {
  const hash = createHash('sha256');
  const add = (label, content) => hash.update(`${label}\0${content.length}\0`).update(content);
  add('ajv', createRequire(import.meta.url)('ajv/package.json').version);
  add('node', process.version); // the validators' code caches are V8's
  add('script', readFileSync(fileURLToPath(import.meta.url)));
  // The compiled catalogue code (Ajv options, keywords, the strict variant, the index format), whatever its layout.
  const catalogDir = join(root, 'dist', 'src', 'catalog');
  for (const compiled of readdirSync(catalogDir).filter((name) => name.endsWith('.js')).sort()) add(compiled, readFileSync(join(catalogDir, compiled)));
  for (const file of schemaFiles) add(file, readFileSync(join(schemasDir, file)));
  return hash.digest('hex');
}

/** True when dist/src/validators/ was generated from these very inputs and is complete. */
function upToDate(digest) {
  let index;
  try {
    index = JSON.parse(readFileSync(join(outDir, 'index.json'), 'utf8'));
  } catch {
    return false;
  }
  if (index?.inputs !== digest || typeof index.schemas !== 'object' || index.schemas === null) return false;
  if (!existsSync(join(outDir, CATALOG_SUMMARY_FILE)) || !existsSync(join(outDir, QUICK_CHECKS_FILE))) return false;
  return Object.values(index.schemas).every((entry) => existsSync(join(outDir, entry.module)) && existsSync(join(outDir, entry.strictModule)) && existsSync(join(outDir, `${entry.module}.cache`)));
}

const files = readdirSync(schemasDir)
  .filter((name) => name.endsWith(SUFFIX))
  .sort();
const digest = inputsDigest(files);
if (!force && upToDate(digest)) {
  process.stdout.write(`build-validators: ${files.length} schemas, dist/src/validators/ up to date\n`);
  process.exit(0);
}

const { default: AjvModule } = await import('ajv/dist/2020.js');
const { default: standaloneModule } = await import('ajv/dist/standalone/index.js');
const { bundledAjvOptions, registerAnnotationKeywords } = await import('../dist/src/catalog/ajv-setup.js');
const { withUndeclaredPropertiesReported } = await import('../dist/src/catalog/strict-variant.js');
const { VALIDATOR_INDEX_GENERATOR } = await import('../dist/src/catalog/schemas.js');

const Ajv2020 = AjvModule.default;
const standaloneCode = standaloneModule.default;
const ajvVersion = createRequire(import.meta.url)('ajv/package.json').version;

function fail(message) {
  process.stderr.write(`build-validators: ${message}\n`);
  process.exit(1);
}

const schemas = files.map((file) => {
  let schema;
  try {
    schema = JSON.parse(readFileSync(join(schemasDir, file), 'utf8'));
  } catch (error) {
    fail(`schemas/${file}: not JSON (${error.message})`);
  }
  return { file, name: file.slice(0, -SUFFIX.length), schema };
});

/** One Ajv instance per variant holding every schema, so that schemas may $ref each other by $id. */
function compileVariant(transform) {
  const ajv = new Ajv2020({ ...bundledAjvOptions(), code: { source: true, esm: false, lines: false } });
  registerAnnotationKeywords(ajv);
  const keys = new Map();
  for (const { file, name, schema } of schemas) {
    const variant = transform(schema);
    const key = typeof variant.$id === 'string' ? variant.$id : file;
    try {
      ajv.addSchema(variant, typeof variant.$id === 'string' ? undefined : file);
    } catch (error) {
      fail(`schemas/${file}: ${error.message}`);
    }
    keys.set(name, { key, file });
  }
  const code = new Map();
  for (const [name, { key, file }] of keys) {
    let validate;
    try {
      validate = ajv.getSchema(key);
    } catch (error) {
      fail(`schemas/${file} does not compile in Ajv strict mode: ${error.message}`);
    }
    if (!validate) fail(`schemas/${file} does not compile`);
    code.set(name, `// Generated by scripts/build-validators.js from schemas/${file} — do not edit.\n${standaloneCode(ajv, validate)}\n`);
  }
  return code;
}

const plain = compileVariant((schema) => schema);
const strict = compileVariant((schema) => withUndeclaredPropertiesReported(schema));

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const index = { generator: VALIDATOR_INDEX_GENERATOR, ajv: ajvVersion, inputs: digest, schemas: {} };
for (const { file, name } of schemas) {
  const module = `${name}.cjs`;
  const strictModule = `${name}.strict.cjs`;
  writeFileSync(join(outDir, module), plain.get(name));
  writeFileSync(join(outDir, strictModule), strict.get(name));
  index.schemas[name] = { file, module, strictModule };
}
// V8's code cache of each plain validator (src/catalog/validator-cache.ts), made with the flags validate runs with.
const { useValidateV8Flags, writeValidatorCache } = await import('../dist/src/catalog/validator-cache.js');
useValidateV8Flags();
for (const entry of Object.values(index.schemas)) writeValidatorCache(join(outDir, entry.module));
writeFileSync(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
// What `events` lists, without reading every schema: each schema reduced to the keywords a catalogue entry is made
// of (src/catalog/event-catalog.ts, entryOf).
const { CALLBACK_KEYWORD, GENERATED_FROM_KEYWORD } = await import('../dist/src/catalog/schema-files.js');
const SUMMARY_KEYWORDS = ['title', 'deprecated', GENERATED_FROM_KEYWORD, CALLBACK_KEYWORD];
const summary = { schemas: {} };
for (const { file, schema } of schemas) {
  const skeleton = {};
  for (const keyword of SUMMARY_KEYWORDS) if (Object.hasOwn(schema, keyword)) skeleton[keyword] = schema[keyword];
  // Of the properties, the two that tell the protocol (header: 2.0, event: 1.0): the others were ~1,000 objects for
  // every `events` to parse and collect.
  if (typeof schema.properties === 'object' && schema.properties !== null) {
    skeleton.properties = Object.fromEntries(['header', 'event'].filter((key) => Object.hasOwn(schema.properties, key)).map((key) => [key, {}]));
  }
  summary.schemas[file] = skeleton;
}
writeFileSync(join(outDir, CATALOG_SUMMARY_FILE), `${JSON.stringify(summary)}\n`);
// What each schema's quick check (src/catalog/quick-check.ts) is compiled from at run time, for those that have one.
const { quickCheckSource } = await import('../dist/src/catalog/quick-check.js');
const { formatQuickChecks } = await import('../dist/src/catalog/quick-checks-file.js');
// An index of every schema, then the quick checks' JSON (src/catalog/quick-checks-file.ts): a run reads this file, not
// index.json, and only the quick checks of the types it meets.
const quick = formatQuickChecks(
  VALIDATOR_INDEX_GENERATOR,
  schemas.map(({ name, schema }) => {
    const source = quickCheckSource(schema);
    return [name, source === undefined ? undefined : JSON.stringify(source)];
  }),
);
writeFileSync(join(outDir, QUICK_CHECKS_FILE), quick);
rmSync(join(outDir, 'quick-checks.json'), { force: true }); // the one-object form of earlier builds
process.stdout.write(`build-validators: ${schemas.length} schemas → dist/src/validators/ (plain + strict)\n`);
