import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { schemasDir as bundledSchemasDir } from '../paths.js';
import type { ValidateFunction } from './compile-schemas.js';

export type { ValidateFunction, ValidationError } from './compile-schemas.js';

/** A validator and the name it is shown by (an event type, `envelope-v2`, or a file name for --schema). */
export interface CompiledSchema {
  name: string;
  validate: ValidateFunction;
}

/** Where each event's schema comes from. Lookups are synchronous: they sit on the per-event path. */
export interface SchemaCatalog {
  /** The one schema given with --schema: every event is checked against it. */
  readonly forced: CompiledSchema | undefined;
  /** The schema of an event type, or undefined when there is none. */
  forType(eventType: string): CompiledSchema | undefined;
  /** The envelope schema of a protocol version: what an event without a type-specific schema is checked against. */
  envelope(version: '2.0' | '1.0'): CompiledSchema | undefined;
}

export const SCHEMA_SUFFIX = '.schema.json';
/** The `$id` of a bundled schema is this followed by its file name. */
export const SCHEMA_ID_BASE = 'https://feishu-events.dev/schemas/';

/**
 * Annotation keyword next to every `enum`: the documented meaning of each value, keyed by the value as a string
 * ({"1001": "新入职", …}). It never changes whether a value is valid; messages quote it.
 */
export const ENUM_DESCRIPTIONS_KEYWORD = 'x-enum-descriptions';
/**
 * Annotation keyword at the root of a schema that scripts/gen-catalog.ts wrote: where it came from
 * (`@larksuiteoapi/node-sdk@1.74.0 types/index.d.ts IHandles`). Hand-written schemas do not have it.
 */
export const GENERATED_FROM_KEYWORD = 'x-generated-from';
/**
 * Annotation keyword on the properties of generated schemas: what is known about the field and where from —
 * `{"from": "<source>" | "inferred", "unit"?: "s" | "ms" | "date" | "local-datetime", "id"?: "<kind>", "json"?: true,
 * "enumOpen"?: true, "changedFieldsOf"?: "<path>"}`. `from` names a source of scripts/catalog-facts.json (listed in the
 * schema's x-fact-sources) or says the facts were inferred from the field's name.
 */
export const FACT_KEYWORD = 'x-fact';
/** Annotation keyword at the root of a generated schema: the sources its x-fact annotations cite, by key. */
export const FACT_SOURCES_KEYWORD = 'x-fact-sources';
export const ENVELOPE_NAMES = { '2.0': 'envelope-v2', '1.0': 'envelope-v1' } as const;

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

/** Where the build puts the precompiled validators (this file is dist/src/catalog/schemas.js). */
export function defaultValidatorsDir(): string {
  return fileURLToPath(new URL('../validators/', import.meta.url));
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

/** The schema name of a file: `hire.eco_exam.created_v1.schema.json` → `hire.eco_exam.created_v1`. */
export function schemaNameOf(file: string): string {
  const name = basename(file);
  return name.endsWith(SCHEMA_SUFFIX) ? name.slice(0, -SCHEMA_SUFFIX.length) : name.replace(/\.json$/i, '');
}

/** Every `<name>.schema.json` directly in a directory, sorted. */
export function listSchemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(SCHEMA_SUFFIX))
    .map((entry) => join(dir, entry.name))
    .sort();
}

interface NamedLookup {
  get(name: string): CompiledSchema | undefined;
}

/**
 * The precompiled validators: the index is read once; a type's module is loaded (synchronously, with require)
 * the first time an event of that type is seen, so a run only pays for the types it meets.
 */
function precompiledLookup(dir: string, index: ValidatorIndex, strict: boolean): NamedLookup {
  const require = createRequire(join(dir, 'index.json'));
  const loaded = new Map<string, CompiledSchema | null>();
  return {
    get(name) {
      const cached = loaded.get(name);
      if (cached !== undefined) return cached ?? undefined;
      const entry = Object.hasOwn(index.schemas, name) ? index.schemas[name] : undefined;
      let compiled: CompiledSchema | null = null;
      if (entry) {
        const mod = require(join(dir, strict ? entry.strictModule : entry.module)) as ValidateFunction & { default?: ValidateFunction };
        compiled = { name, validate: mod.default ?? mod };
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
  /** For tests: the bundled schemas and their precompiled validators. */
  bundledDir?: string;
  validatorsDir?: string;
}

function schemaInputError(message: string, cause?: unknown): UserError {
  return new UserError(message, { exitCode: 2, cause });
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
  const index = readValidatorIndex(validatorsDir);
  if (index) {
    bundled = precompiledLookup(validatorsDir, index, strict);
  } else {
    // Only when the package was built without scripts/build-validators.js: correct, but start-up pays for Ajv.
    warn('precompiled validators not found (run `npm run build`); compiling the bundled schemas now');
    const { lazyCompiledLookup } = await import('./compile-schemas.js');
    bundled = await lazyCompiledLookup(bundledDir, { strict, warn });
  }

  const lookup = (name: string): CompiledSchema | undefined => user?.get(name) ?? bundled.get(name);
  return {
    forced,
    forType: (eventType) => (eventType.startsWith('envelope-') ? undefined : lookup(eventType)),
    envelope: (version) => lookup(ENVELOPE_NAMES[version]),
  };
}
