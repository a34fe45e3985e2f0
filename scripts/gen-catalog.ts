#!/usr/bin/env node
// The event catalogue: reads the official SDK's type declarations (@larksuiteoapi/node-sdk types/index.d.ts,
// interface IHandles and the IOtherEventHandles it extends) with the TypeScript compiler API, merges the facts of
// scripts/catalog-facts.json (documented descriptions, units, enums, id kinds, JSON text; fields and event types the
// SDK lacks), and writes, for every event type without a hand-written schema, schemas/<type>.schema.json and
// samples/<type>/doc.json (plus one sample per variant where the facts give variants).
//
//   npm run gen:catalog                     write the files (and remove generated ones the SDK no longer declares)
//   npm run gen:catalog -- --check          exit 1 when the committed files differ from what the installed SDK gives
//   npm run gen:catalog -- --declared [type…]
//                                           print the fields the SDK declares for these types (all when none), as
//                                           JSON, placed where they go in the envelope (header.*, event.*)
//
// Built by `npm run build` to dist/scripts/gen-catalog.js; `generateCatalog` runs it in-process (the tests do).
// The rules are in the README ("The event catalogue") and beside the code that applies them.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOC_SAMPLE } from '../src/catalog/samples.js';
import { GENERATED_FROM_KEYWORD, SCHEMA_SUFFIX } from '../src/catalog/schemas.js';
import { packageRoot } from '../src/paths.js';
import { DECLARATIONS, DeclarationError, placeFields, readDeclarations, SDK, sortByType, tupleAsArray, type Declaration, type Field, type Shape } from './gen-catalog/declarations.js';
import { declaredTypes, FACTS_FILE, readFacts, type FactsFile } from './gen-catalog/facts.js';
import { samplesFor } from './gen-catalog/samples.js';
import { schemaFor } from './gen-catalog/schema.js';

export interface GenCatalogIO {
  /** The package root: schemas/ and samples/ are read and written there. */
  root: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The SDK's declarations file and version; by default the installed SDK's. */
  sdk?: { version: string; declarations: string };
  /** The facts file; by default the package's scripts/catalog-facts.json. */
  factsFile?: string;
  /**
   * What the declarations file gave, by its path, for a caller that runs the generator several times in one
   * process (the tests): reading and parsing the 17.6 MB file is most of a run. Without it, every run reads it.
   */
  declarationsCache?: Map<string, Declaration[]>;
}

class UsageFailure extends Error {}

function installedSdk(): { version: string; declarations: string } {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${SDK}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  return { version, declarations: join(dirname(packageJson), DECLARATIONS) };
}

// ---------------------------------------------------------------------------------------------------------------
// Declared fields, for the drift test

interface DeclaredField {
  path: string;
  type: string;
  optional: boolean;
  enum?: string[];
}

function walkShape(shape: Shape, path: string, optional: boolean, out: DeclaredField[]): void {
  const items = shape.kind === 'tuple' ? tupleAsArray(shape) : undefined;
  const kind = items ? 'array' : shape.kind;
  const type = kind === 'enum' ? 'string' : kind === 'record' ? 'object' : kind === 'tuple' ? 'array' : kind;
  out.push({ path, type, optional, ...(shape.kind === 'enum' ? { enum: shape.values } : {}) });
  if (shape.kind === 'object') declaredPaths(shape.fields, `${path}.`, out);
  if (shape.kind === 'array') walkShape(shape.items, `${path}[]`, true, out);
  if (items) walkShape(items, `${path}[]`, true, out);
}

function declaredPaths(fields: Field[], prefix: string, out: DeclaredField[]): void {
  for (const field of fields) walkShape(field.shape, `${prefix}${field.name}`, field.optional, out);
}

function declared(declaration: Declaration): { protocol: string; title: string; fields: DeclaredField[] } {
  const { header, envelope, event } = placeFields(declaration);
  const out: DeclaredField[] = [];
  declaredPaths(header, 'header.', out);
  declaredPaths(envelope, '', out);
  declaredPaths(event.filter((f) => !(declaration.protocol === '1.0' && f.name === 'type')), 'event.', out);
  return { protocol: declaration.protocol, title: declaration.title, fields: out };
}

// ---------------------------------------------------------------------------------------------------------------
// Files

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Event types of schemas/, by whether the generator wrote them (x-generated-from) or they are hand-written. */
function typesOnDisk(schemasDir: string): { handWritten: Set<string>; generated: Set<string> } {
  const handWritten = new Set<string>();
  const generated = new Set<string>();
  for (const file of readdirSync(schemasDir)) {
    if (!file.endsWith(SCHEMA_SUFFIX)) continue;
    const schema = readJson(join(schemasDir, file));
    if (!schema) continue;
    (schema[GENERATED_FROM_KEYWORD] === undefined ? handWritten : generated).add(file.slice(0, -SCHEMA_SUFFIX.length));
  }
  return { handWritten, generated };
}

/** Every file the generator writes, relative to the package root → its content. */
function expectedFiles(declarations: Declaration[], handWritten: Set<string>, facts: FactsFile): { files: Map<string, string>; generated: number } {
  const files = new Map<string, string>();
  let generated = 0;
  for (const declaration of declarations) {
    if (handWritten.has(declaration.type)) continue;
    generated++;
    files.set(`schemas/${declaration.type}${SCHEMA_SUFFIX}`, json(schemaFor(declaration, facts)));
    for (const { name, sample } of samplesFor(declaration, facts)) files.set(`samples/${declaration.type}/${name}.json`, json(sample));
  }
  return { files, generated };
}

/**
 * Generated files on disk that the generator no longer produces: the schemas of types it no longer generates, and
 * every sample of a generated type that it does not write (the sample directories of generated types are its own).
 */
function staleFiles(root: string, generatedOnDisk: Set<string>, expected: Map<string, string>): string[] {
  const stale: string[] = [];
  for (const type of [...generatedOnDisk].sort()) {
    const schema = `schemas/${type}${SCHEMA_SUFFIX}`;
    if (!expected.has(schema)) stale.push(schema);
    const dir = join(root, 'samples', type);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      const path = `samples/${type}/${file}`;
      if (file.endsWith('.json') && !expected.has(path)) stale.push(path);
    }
  }
  return stale;
}

function parseArgs(argv: readonly string[]): { check: boolean; declared: string[] | undefined } {
  const declaredIndex = argv.indexOf('--declared');
  const options = declaredIndex === -1 ? argv : argv.slice(0, declaredIndex);
  const unknown = options.find((arg) => arg !== '--check');
  if (unknown !== undefined) throw new UsageFailure(`unknown ${unknown.startsWith('-') ? 'option' : 'argument'} ${unknown} (use --check or --declared [type…])`);
  return { check: options.includes('--check'), declared: declaredIndex === -1 ? undefined : argv.slice(declaredIndex + 1) };
}

/** Runs the generator; returns the exit code (0 written or up to date, 1 --check found differences, 2 usage). */
export function generateCatalog(argv: readonly string[], io: GenCatalogIO): number {
  try {
    return run(argv, io);
  } catch (error) {
    if (error instanceof UsageFailure || error instanceof DeclarationError) {
      io.stderr(`gen-catalog: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function run(argv: readonly string[], io: GenCatalogIO): number {
  const args = parseArgs(argv);
  const sdk = io.sdk ?? installedSdk();
  const from = `${SDK}@${sdk.version}`;
  let sdkDeclarations = io.declarationsCache?.get(sdk.declarations);
  if (sdkDeclarations === undefined) {
    let text: string;
    try {
      text = readFileSync(sdk.declarations, 'utf8');
    } catch (error) {
      throw new UsageFailure(`cannot read ${sdk.declarations}: ${(error as Error).message}`);
    }
    sdkDeclarations = readDeclarations(text, from);
    io.declarationsCache?.set(sdk.declarations, sdkDeclarations);
  }

  if (args.declared) {
    const byType = new Map(sdkDeclarations.map((d) => [d.type, d]));
    const types: Record<string, unknown> = {};
    for (const type of args.declared.length > 0 ? args.declared : [...byType.keys()]) {
      const declaration = byType.get(type);
      if (!declaration) throw new UsageFailure(`${from} declares no event type ${type}`);
      types[type] = declared(declaration);
    }
    io.stdout(json({ sdk: from, types }));
    return 0;
  }

  const facts = readFacts(io.factsFile ?? join(packageRoot, FACTS_FILE));
  // Event types the SDK lacks, declared in the facts file; the SDK's declaration wins once it has one.
  const extra = declaredTypes(facts).filter((d) => !sdkDeclarations.some((s) => s.type === d.type));
  const declarations = sortByType([...sdkDeclarations, ...extra]);
  const { root } = io;
  const onDisk = typesOnDisk(join(root, 'schemas'));
  const { files, generated } = expectedFiles(declarations, onDisk.handWritten, facts);
  const stale = staleFiles(root, onDisk.generated, files);
  const differing: Array<{ path: string; content: string; state: 'missing' | 'differs' }> = [];
  for (const [path, content] of files) {
    let current: string | undefined;
    try {
      current = readFileSync(join(root, path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== content) differing.push({ path, content, state: current === undefined ? 'missing' : 'differs' });
  }
  const kept = declarations.length - generated;
  const v1 = (list: Declaration[]): number => list.filter((d) => d.protocol === '1.0').length;
  const counts =
    `${sdkDeclarations.length} event types in ${from} (${v1(sdkDeclarations)} of them 1.0) + ${extra.length} declared in ${FACTS_FILE} (${v1(extra)} of them 1.0): ` +
    `${kept} hand-written kept, ${generated} generated`;

  if (args.check) {
    if (differing.length === 0 && stale.length === 0) {
      io.stdout(`gen-catalog --check: up to date · ${counts}\n`);
      return 0;
    }
    const lines = [...differing.map((d) => `  ${d.path} (${d.state})`), ...stale.map((p) => `  ${p} (no longer generated)`)];
    io.stderr(
      `gen-catalog --check: ${lines.length} file${lines.length === 1 ? ' differs' : 's differ'} from what ${from} and ${FACTS_FILE} produce:\n${lines.slice(0, 20).join('\n')}\n` +
        `${lines.length > 20 ? `  … and ${lines.length - 20} more\n` : ''}run \`npm run gen:catalog\` and commit the result\n`,
    );
    return 1;
  }

  for (const { path, content } of differing) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const path of stale) {
    rmSync(join(root, path), { force: true });
    if (path.startsWith('samples/')) {
      const dir = dirname(join(root, path));
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    }
  }
  io.stdout(`gen-catalog: ${counts} · ${differing.length} files written, ${stale.length} removed\n`);
  return 0;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  process.exitCode = generateCatalog(process.argv.slice(2), {
    root: packageRoot,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
