import type { Options } from 'ajv';
import { CALLBACK_KEYWORD, ENUM_DESCRIPTIONS_KEYWORD, FACT_KEYWORD, FACT_SOURCES_KEYWORD, GENERATED_FROM_KEYWORD } from './schema-files.js';

/** The part of Ajv that this module touches, so that callers need not import Ajv's types. */
interface KeywordHost {
  addKeyword(definition: { keyword: string; schemaType: 'object' | 'string' | 'boolean' }): unknown;
}

/**
 * Options for the bundled schemas: Ajv's strict mode (a schema that uses an unknown keyword or a keyword of the
 * wrong type does not compile), every error rather than the first, and `verbose` so that an error carries the
 * failing value and its parent schema (where the enum descriptions are).
 */
export function bundledAjvOptions(): Options {
  return { strict: true, allErrors: true, verbose: true };
}

/**
 * Options for schemas the user passes with --schema/--schemas: not Ajv's strict mode, which rejects much of what
 * valid schemas written for other tools contain (`properties` without `type: "object"`, `required` naming an
 * undeclared property); unknown keywords and formats are warnings. A schema that is not a valid JSON Schema
 * (checked against the draft 2020-12 meta-schema) still fails to compile.
 */
export function userAjvOptions(warn: (message: string) => void): Options {
  return {
    strict: false,
    strictSchema: 'log',
    allErrors: true,
    verbose: true,
    logger: { log: () => {}, warn: (...args: unknown[]) => warn(args.map(String).join(' ')), error: (...args: unknown[]) => warn(args.map(String).join(' ')) },
  };
}

/** The project's annotation keywords: they never change whether a value is valid, and strict mode must know them. */
export function registerAnnotationKeywords(ajv: KeywordHost): void {
  ajv.addKeyword({ keyword: ENUM_DESCRIPTIONS_KEYWORD, schemaType: 'object' });
  ajv.addKeyword({ keyword: GENERATED_FROM_KEYWORD, schemaType: 'string' });
  ajv.addKeyword({ keyword: FACT_KEYWORD, schemaType: 'object' });
  ajv.addKeyword({ keyword: FACT_SOURCES_KEYWORD, schemaType: 'object' });
  ajv.addKeyword({ keyword: CALLBACK_KEYWORD, schemaType: 'boolean' });
}
