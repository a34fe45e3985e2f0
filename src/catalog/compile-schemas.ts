import { readFileSync } from 'node:fs';
import AjvModule from 'ajv/dist/2020.js';
import { ExitCode, fileError, UserError } from '../errors.js';
import { stripBom } from '../bom.js';
import { bundledAjvOptions, registerAnnotationKeywords, userAjvOptions } from './ajv-setup.js';
import { listSchemaFiles, schemaNameOf, type CompiledSchema, type ValidateFunction } from './schema-files.js';
import { withUndeclaredPropertiesReported } from './strict-variant.js';

// ajv/dist/2020.js is CommonJS with both `module.exports` and `exports.default` set to the class.
const Ajv2020 = AjvModule.default;
type Ajv = InstanceType<typeof Ajv2020>;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function schemaError(file: string, problem: string, cause?: unknown): UserError {
  return new UserError(`${file}: ${problem}`, { exitCode: ExitCode.usage, cause, hint: 'schemas must be JSON Schema draft 2020-12 documents' });
}

function readSchema(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileError(file, error);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(stripBom(text));
  } catch (error) {
    throw schemaError(file, `not JSON (${oneLine((error as Error).message)})`, error);
  }
  // The boolean schemas are valid JSON Schemas: `true` accepts everything (as `{}` does), `false` nothing.
  if (schema === true) return {};
  if (schema === false) return { not: {} };
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw schemaError(file, 'not a JSON Schema (expected an object, true or false)');
  return schema as Record<string, unknown>;
}

function newAjv(options: { user: boolean; warn: (message: string) => void }): Ajv {
  const ajv = new Ajv2020(options.user ? userAjvOptions(options.warn) : bundledAjvOptions());
  registerAnnotationKeywords(ajv);
  return ajv;
}

/**
 * Compile user schema files (--schema, --schemas) now; they may `$ref` each other by `$id`.
 * Any problem — unreadable, not JSON, not a valid schema — is an input error naming the file.
 */
export async function compileSchemaFiles(
  files: readonly string[],
  options: { strict: boolean; warn: (message: string) => void },
): Promise<Map<string, CompiledSchema>> {
  const ajv = newAjv({ user: true, warn: options.warn });
  const keys = new Map<string, string>();
  for (const file of files) {
    const raw = readSchema(file);
    const schema = options.strict ? withUndeclaredPropertiesReported(raw) : raw;
    const key = typeof schema.$id === 'string' ? schema.$id : file;
    try {
      ajv.addSchema(schema, typeof schema.$id === 'string' ? undefined : file);
    } catch (error) {
      throw schemaError(file, oneLine((error as Error).message), error);
    }
    keys.set(file, key);
  }
  const out = new Map<string, CompiledSchema>();
  for (const [file, key] of keys) {
    let validate: ValidateFunction | undefined;
    try {
      validate = ajv.getSchema(key) as ValidateFunction | undefined;
    } catch (error) {
      throw schemaError(file, `does not compile: ${oneLine((error as Error).message)}`, error);
    }
    if (!validate) throw schemaError(file, 'does not compile');
    out.set(file, { name: schemaNameOf(file), validate });
  }
  return out;
}

/** The bundled schemas compiled at run time, each on first use: the fallback when the build did not precompile them. */
export async function lazyCompiledLookup(
  dir: string,
  options: { strict: boolean; warn: (message: string) => void },
): Promise<{ get(name: string): CompiledSchema | undefined }> {
  const ajv = newAjv({ user: false, warn: options.warn });
  const keys = new Map<string, string>();
  let files: string[] = [];
  try {
    files = listSchemaFiles(dir);
  } catch {
    // No bundled schemas: every type is unknown.
  }
  for (const file of files) {
    const raw = readSchema(file);
    const schema = options.strict ? withUndeclaredPropertiesReported(raw) : raw;
    ajv.addSchema(schema, typeof schema.$id === 'string' ? undefined : file);
    keys.set(schemaNameOf(file), typeof schema.$id === 'string' ? schema.$id : file);
  }
  const compiled = new Map<string, CompiledSchema>();
  return {
    get(name) {
      const known = compiled.get(name);
      if (known) return known;
      const key = keys.get(name);
      if (key === undefined) return undefined;
      const validate = ajv.getSchema(key) as ValidateFunction | undefined;
      if (!validate) return undefined;
      const entry = { name, validate };
      compiled.set(name, entry);
      return entry;
    },
  };
}
