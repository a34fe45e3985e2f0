import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import { schemasDir as bundledSchemasDir, validatorsDir } from '../paths.js';
import { compileQuickCheck } from './quick-check.js';
import { openQuickChecks, quickCheckJsonIn, type QuickChecksFile } from './quick-checks-file.js';
import { loadValidator } from './validator-cache.js';
import { answerSchemaName, ENVELOPE_NAMES, isEventTypeSchemaName, listSchemaFiles, SCHEMA_SUFFIX, schemaNameOf, type CompiledSchema, type ValidateFunction } from './schema-files.js';

export {
  ANSWER_SCHEMA_PREFIX,
  answerSchemaName,
  CALLBACK_KEYWORD,
  isEventTypeSchemaName,
  ENUM_DESCRIPTIONS_KEYWORD,
  ENVELOPE_NAMES,
  FACT_KEYWORD,
  FACT_SOURCES_KEYWORD,
  GENERATED_FROM_KEYWORD,
  listSchemaFileNames,
  listSchemaFiles,
  pathPrefix,
  SCHEMA_ID_BASE,
  SCHEMA_SUFFIX,
  schemaNameOf,
  type CompiledSchema,
  type ValidateFunction,
  type ValidationError,
} from './schema-files.js';

/** Where each event's schema comes from. Lookups are synchronous: they sit on the per-event path. */
export interface SchemaCatalog {
  /** The one schema given with --schema: every event is checked against it. */
  readonly forced: CompiledSchema | undefined;
  /** The schema of an event type, or undefined when there is none. */
  forType(eventType: string): CompiledSchema | undefined;
  /** The schema of the answer to a callback type (answer-<type>), or undefined when there is none. */
  answerFor(callbackType: string): CompiledSchema | undefined;
  /** The envelope schema of a protocol version: what an event without a type-specific schema is checked against. */
  envelope(version: '2.0' | '1.0'): CompiledSchema | undefined;
}

/** One precompiled schema in dist/src/validators/index.json, written by scripts/build-validators.js. */
export interface ValidatorIndexEntry {
  /** The schema file in schemas/. */
  file: string;
  /** CommonJS modules (Ajv standalone code), relative to the index. */
  module: string;
  strictModule: string;
}

export interface ValidatorIndex {
  generator: number;
  ajv: string;
  schemas: Record<string, ValidatorIndexEntry>;
}

/** The generator version the index must have; bump it when the generated code's shape changes. */
export const VALIDATOR_INDEX_GENERATOR = 1;

/**
 * Beside the index: every bundled schema reduced to what a catalogue entry is made of (title, where it came from,
 * the top-level property names, callback and deprecated marks), so that `events` reads one small file.
 */
export const CATALOG_SUMMARY_FILE = 'catalog.json';

/**
 * Beside the index: what a run reads instead of it (quick-checks-file.ts) — an index of every bundled schema, and the
 * quick check's schema (quick-check.ts) of those that have one. A schema's validator modules are `<name>.cjs` and
 * `<name>.strict.cjs` beside it. A run reads the index and the quick checks of the types it meets (index.json's JSON
 * alone was ~0.3 ms of validating one file; parsing every quick check, ~3 ms).
 */
export const QUICK_CHECKS_FILE = 'quick-checks.tsv';

/** The quick check's source of schema `name` in a quick-checks file's bytes, or undefined when it has none. */
export function quickCheckSourceIn(bytes: Buffer, name: string): unknown {
  const json = quickCheckJsonIn(bytes, VALIDATOR_INDEX_GENERATOR, name);
  return json === undefined || json === '' ? undefined : (JSON.parse(json) as unknown);
}

/** Where the build puts the precompiled validators (from the package root: this code also runs bundled). */
export function defaultValidatorsDir(): string {
  return validatorsDir;
}

export function readValidatorIndex(dir: string): ValidatorIndex | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'index.json'), 'utf8');
  } catch {
    return undefined;
  }
  const index = JSON.parse(text) as ValidatorIndex;
  return index.generator === VALIDATOR_INDEX_GENERATOR ? index : undefined;
}

interface NamedLookup {
  get(name: string): CompiledSchema | undefined;
}

/**
 * The precompiled validators: a type's quick check is read and compiled the first time an event of that type is seen, and its module loaded (synchronously, with its V8 code cache: validator-cache.ts) the
 * first time the quick check does not pass, so a run only pays for the types it meets, and for the validators of the
 * events it reports.
 */
function precompiledLookup(dir: string, quickChecks: QuickChecksFile, strict: boolean, strictVariant: (<T>(schema: T) => T) | undefined, beforeLoad: (() => void) | undefined): NamedLookup {
  const loaded = new Map<string, CompiledSchema | null>();
  return {
    get(name) {
      const cached = loaded.get(name);
      if (cached !== undefined) return cached ?? undefined;
      const line = quickChecks.json(name);
      let compiled: CompiledSchema | null = null;
      if (line !== undefined) {
        // The generated validator is loaded the first time it is needed: when the quick check passes, it is not.
        let validate: ValidateFunction | undefined;
        const module = strict ? `${name}.strict.cjs` : `${name}.cjs`;
        const source = line === '' || (strict && strictVariant === undefined) ? undefined : (JSON.parse(line) as unknown);
        compiled = {
          name,
          get validate(): ValidateFunction {
            if (validate === undefined) {
              beforeLoad?.();
              validate = loadValidator(join(dir, module));
            }
            return validate;
          },
          quick: source === undefined ? undefined : compileQuickCheck(strictVariant === undefined ? source : strictVariant(source)),
        };
      }
      loaded.set(name, compiled);
      return compiled ?? undefined;
    },
  };
}

export interface OpenCatalogOptions {
  /** Compile the --strict variant: undeclared properties are errors. */
  strict: boolean;
  /** --schema: one schema for every event. */
  schemaFile?: string;
  /** --schemas: a directory of `<event_type>.schema.json` that add to or override the bundled ones. */
  schemasDir?: string;
  /** Where warnings go (unknown keywords in user schemas, a missing build). */
  warn: (message: string) => void;
  /**
   * Called before a precompiled validator is loaded (the first time any is: the validate command sets its V8 flags
   * there, which the validators' code caches were made with).
   */
  beforeValidatorLoad?: () => void;
  /** For tests: the bundled schemas and their precompiled validators. */
  bundledDir?: string;
  validatorsDir?: string;
}

function schemaInputError(message: string, cause?: unknown): UserError {
  return new UserError(message, { exitCode: ExitCode.usage, cause });
}

/**
 * Open the schemas for a run: the bundled ones (precompiled at build time), overlaid by --schemas, or replaced by
 * --schema. User files are compiled now, so that a bad schema is an input error before any event is read.
 */
export async function openSchemaCatalog(options: OpenCatalogOptions): Promise<SchemaCatalog> {
  const { strict, warn } = options;
  const validatorsDir = options.validatorsDir ?? defaultValidatorsDir();
  const bundledDir = options.bundledDir ?? bundledSchemasDir;

  let forced: CompiledSchema | undefined;
  if (options.schemaFile !== undefined) {
    const { compileSchemaFiles } = await import('./compile-schemas.js');
    const compiled = await compileSchemaFiles([options.schemaFile], { strict, warn });
    forced = compiled.get(options.schemaFile);
  }

  let user: NamedLookup | undefined;
  if (options.schemasDir !== undefined) {
    let files: string[];
    try {
      files = listSchemaFiles(options.schemasDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw schemaInputError(`--schemas ${options.schemasDir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : `cannot read (${code ?? String(error)})`}`, error);
    }
    if (files.length === 0) throw schemaInputError(`--schemas ${options.schemasDir}: no <event_type>${SCHEMA_SUFFIX} files in it`);
    const { compileSchemaFiles } = await import('./compile-schemas.js');
    const byFile = await compileSchemaFiles(files, { strict, warn });
    const byName = new Map<string, CompiledSchema>();
    for (const [file, compiled] of byFile) byName.set(schemaNameOf(file), { ...compiled, name: schemaNameOf(file) });
    user = { get: (name) => byName.get(name) };
  }

  let bundled: NamedLookup;
  const quickChecks = openQuickChecks(join(validatorsDir, QUICK_CHECKS_FILE), VALIDATOR_INDEX_GENERATOR);
  if (quickChecks) {
    // --strict: the quick checks report undeclared properties too (the same transform as the --strict validators').
    const strictVariant = strict ? (await import('./strict-variant.js')).withUndeclaredPropertiesReported : undefined;
    bundled = precompiledLookup(validatorsDir, quickChecks, strict, strictVariant, options.beforeValidatorLoad);
  } else {
    // Only when the package was built without scripts/build-validators.js: correct, but start-up pays for Ajv.
    warn('precompiled validators not found (run `npm run build`); compiling the bundled schemas now');
    const { lazyCompiledLookup } = await import('./compile-schemas.js');
    bundled = await lazyCompiledLookup(bundledDir, { strict, warn });
  }

  const lookup = (name: string): CompiledSchema | undefined => user?.get(name) ?? bundled.get(name);
  return {
    forced,
    forType: (eventType) => (isEventTypeSchemaName(eventType) ? lookup(eventType) : undefined),
    answerFor: (callbackType) => (isEventTypeSchemaName(callbackType) ? lookup(answerSchemaName(callbackType)) : undefined),
    envelope: (version) => lookup(ENVELOPE_NAMES[version]),
  };
}
