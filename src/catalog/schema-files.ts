// What a schema file is: its name, where the bundled ones live, the project's annotation keywords, and the shape
// of a compiled validator. Below both the catalog (schemas.ts) and the compiler (compile-schemas.ts), which
// import it, so that neither imports the other at run time.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ErrorObject } from 'ajv';
import type { QuickCheck } from './quick-check.js';

/** An Ajv error as the generated validators produce it (with `verbose`: the failing value and its schema). */
export type ValidationError = ErrorObject;

/** A compiled validator: Ajv's or one that Ajv standalone generated at build time. */
export type ValidateFunction = ((data: unknown) => boolean) & { errors?: ValidationError[] | null };

/** A validator and the name it is shown by (an event type, `envelope-v2`, or a file name for --schema). */
export interface CompiledSchema {
  name: string;
  validate: ValidateFunction;
  /**
   * A quick yes/no check to run first (quick-check.ts): when it passes, `validate` would too, and need not run.
   * Only the bundled schemas have one.
   */
  quick?: QuickCheck | undefined;
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
/**
 * Annotation keyword at the root of a callback's schema (`true`): the type is a callback (card.action.trigger,
 * url.preview.get, the legacy card action) — the app's answer is what the user sees, and is checked against the
 * schema named by answerSchemaName.
 */
export const CALLBACK_KEYWORD = 'x-callback';
/** Schemas of what an app answers to a callback: `answer-<type>.schema.json`. */
export const ANSWER_SCHEMA_PREFIX = 'answer-';

/** The schema name of the answer to a callback type: `answer-card.action.trigger`. */
export function answerSchemaName(callbackType: string): string {
  return `${ANSWER_SCHEMA_PREFIX}${callbackType}`;
}

/** Is this schema name an event (or callback) type, rather than an envelope or an answer? */
export function isEventTypeSchemaName(name: string): boolean {
  return !name.startsWith('envelope-') && !name.startsWith(ANSWER_SCHEMA_PREFIX);
}

/** The schema name of a file: `hire.eco_exam.created_v1.schema.json` → `hire.eco_exam.created_v1`. */
export function schemaNameOf(file: string): string {
  const name = basename(file);
  return name.endsWith(SCHEMA_SUFFIX) ? name.slice(0, -SCHEMA_SUFFIX.length) : name.replace(/\.json$/i, '');
}

/** Every `<name>.schema.json` directly in a directory, sorted. */
export function listSchemaFiles(dir: string): string[] {
  const prefix = pathPrefix(dir);
  return listSchemaFileNames(dir).map((name) => prefix + name);
}

/** The file names (`<name>.schema.json`) of listSchemaFiles, sorted. */
export function listSchemaFileNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(SCHEMA_SUFFIX))
    .map((entry) => entry.name)
    .sort();
}

/**
 * What `join(dir, name)` puts before a plain file name: `prefix + name` is that path. One join for a directory rather
 * than one a file: at start-up node:path runs in V8's interpreter, and 241 joins were ~3–5 ms of `events`.
 */
export function pathPrefix(dir: string): string {
  return join(dir, '_').slice(0, -1);
}
