// scripts/gen-catalog itself, run in-process on the built code (dist/scripts/gen-catalog.js): the committed
// catalogue is what the installed SDK gives (--check), --check notices every kind of difference, the output does
// not depend on the run, and the hand-written schemas have every field the SDK declares for their types (the drift
// test; the known differences are listed in the README).
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateCatalog } from '../../scripts/gen-catalog.js';
import { root, tempDir, type RunResult } from '../helpers/cli.js';

type Json = Record<string, unknown>;

/** The SDK's declarations, read and parsed by the first run only (the runs below all read the installed SDK's). */
const declarationsCache = new Map();

/** The generator on a package root, as `npm run gen:catalog -- …args` would run it there. */
function runScript(args: string[], dir = root): RunResult {
  let stdout = '';
  let stderr = '';
  const code = generateCatalog(args, { root: dir, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), declarationsCache });
  return { code, stdout, stderr };
}

/** A copy of the package's catalogue (schemas/ and samples/) in a temp dir. */
async function copyOfCatalogue(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('feishu-events-catalogue-');
  await cp(join(root, 'schemas'), join(dir, 'schemas'), { recursive: true });
  await cp(join(root, 'samples'), join(dir, 'samples'), { recursive: true });
  return { dir, cleanup };
}

describe('gen:catalog', () => {
  it('--check passes on the committed files', () => {
    const r = runScript(['--check']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^gen-catalog --check: up to date · \d+ event types in @larksuiteoapi\/node-sdk@\d+\.\d+\.\d+/);
  });

  it('--check names every changed, missing and stale file and fails; a run puts them back byte for byte and keeps hand-written schemas', async () => {
    const copy = await copyOfCatalogue();
    try {
      const sample = join(copy.dir, 'samples', 'im.message.receive_v1', 'doc.json');
      const original = await readFile(sample, 'utf8');
      await writeFile(sample, original.replace('"text"', '"post"'));
      await rm(join(copy.dir, 'schemas', 'message.schema.json'));
      const stale = { title: 'gone (im.gone.event_v1)', 'x-generated-from': '@larksuiteoapi/node-sdk@1.0.0 types/index.d.ts IHandles' };
      await writeFile(join(copy.dir, 'schemas', 'im.gone.event_v1.schema.json'), JSON.stringify(stale));
      await mkdir(join(copy.dir, 'samples', 'im.gone.event_v1'));
      await writeFile(join(copy.dir, 'samples', 'im.gone.event_v1', 'doc.json'), '{}');
      // A schema without x-generated-from is hand-written: the generator leaves it, and its type, alone.
      const handWritten = join(copy.dir, 'schemas', 'im.chat.updated_v1.schema.json');
      const mine = { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'mine (im.chat.updated_v1)', type: 'object' };
      await writeFile(handWritten, JSON.stringify(mine));

      const check = runScript(['--check'], copy.dir);
      assert.equal(check.code, 1);
      assert.match(check.stderr, /^gen-catalog --check: 4 files differ from what @larksuiteoapi\/node-sdk@\S+ and scripts\/catalog-facts\.json produce:\n/);
      assert.match(check.stderr, /\n {2}samples\/im\.message\.receive_v1\/doc\.json \(differs\)\n/);
      assert.match(check.stderr, /\n {2}schemas\/message\.schema\.json \(missing\)\n/);
      assert.match(check.stderr, /\n {2}schemas\/im\.gone\.event_v1\.schema\.json \(no longer generated\)\n/);
      assert.match(check.stderr, /\n {2}samples\/im\.gone\.event_v1\/doc\.json \(no longer generated\)\n/);
      assert.doesNotMatch(check.stderr, /im\.chat\.updated_v1/);
      assert.match(check.stderr, /run `npm run gen:catalog`/);

      const write = runScript([], copy.dir);
      assert.equal(write.code, 0, write.stderr);
      assert.match(write.stdout, /6 hand-written kept, \d+ generated · 2 files written, 2 removed\n$/);
      assert.equal(await readFile(sample, 'utf8'), original);
      assert.equal(await readFile(join(copy.dir, 'schemas', 'message.schema.json'), 'utf8'), await readFile(join(root, 'schemas', 'message.schema.json'), 'utf8'));
      await assert.rejects(readFile(join(copy.dir, 'schemas', 'im.gone.event_v1.schema.json')), { code: 'ENOENT' });
      await assert.rejects(readFile(join(copy.dir, 'samples', 'im.gone.event_v1')), { code: 'ENOENT' }, 'the emptied sample directory is removed');
      assert.deepEqual(JSON.parse(await readFile(handWritten, 'utf8')), mine);
      const again = runScript(['--check'], copy.dir);
      assert.equal(again.code, 0, again.stderr);
    } finally {
      await copy.cleanup();
    }
  });

  it('rejects an unknown option or argument with exit 2, and an unknown type for --declared', () => {
    for (const args of [['--chek'], ['schemas']]) {
      const r = runScript(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^gen-catalog: unknown (option|argument) ${args[0]} `));
    }
    const r = runScript(['--declared', 'im.message.recieve_v1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^gen-catalog: @larksuiteoapi\/node-sdk@\S+ declares no event type im\.message\.recieve_v1\n$/);
  });
});

// ------------------------------------------------------------------------------------------------------------
// Drift: the SDK's declarations vs the hand-written schemas

interface DeclaredField {
  path: string;
  type: string;
  optional: boolean;
}

interface Difference {
  type: string;
  path: string;
  problem: string;
}

/**
 * Where the SDK's declarations (1.74.0) and the hand-written schemas differ, and why. Listed in the README; the
 * test fails when a difference appears that is not here, and when one here is gone, so the list stays exact.
 */
const KNOWN_DRIFT: ReadonlyArray<Difference & { why: string }> = [
  {
    type: 'hire.eco_exam.created_v1',
    path: 'event.talent_id',
    problem: 'not in the schema',
    why: 'declared by the SDK (string, optional); not in the event documentation the schema was written from',
  },
  {
    type: 'hire.eco_exam.created_v1',
    path: 'event.application_id',
    problem: 'not in the schema',
    why: 'declared by the SDK (string, optional); not in the event documentation the schema was written from',
  },
];

const HAND_WRITTEN = ['corehr.department.updated_v2', 'corehr.employee.domain_event_v2', 'hire.eco_background_check.canceled_v1', 'hire.eco_background_check.created_v1', 'hire.eco_exam.created_v1'];

/** The JSON Schema types a declared TypeScript type may be written as. */
const COMPATIBLE: Record<string, string[] | undefined> = {
  string: ['string'],
  number: ['number', 'integer'],
  boolean: ['boolean'],
  object: ['object'],
  array: ['array'],
  any: undefined,
};

/** The schema of `event.data[].fields` in a schema, or undefined. */
function schemaAt(schema: Json, path: string): Json | undefined {
  let node: Json | undefined = schema;
  for (const segment of path.split('.')) {
    const [, name = '', brackets = ''] = /^(.*?)((?:\[\])*)$/.exec(segment) ?? [];
    node = (node?.properties as Json | undefined)?.[name] as Json | undefined;
    for (let i = 0; i < brackets.length / 2; i++) node = node?.items as Json | undefined;
  }
  return node;
}

function differences(type: string, declared: DeclaredField[], schema: Json): Difference[] {
  const out: Difference[] = [];
  for (const field of declared) {
    const node = schemaAt(schema, field.path);
    if (!node) {
      out.push({ type, path: field.path, problem: 'not in the schema' });
      continue;
    }
    const allowed = COMPATIBLE[field.type];
    if (allowed && !allowed.includes(String(node.type))) out.push({ type, path: field.path, problem: `the SDK says ${field.type}, the schema ${String(node.type)}` });
  }
  return out;
}

describe('drift: the SDK declarations of the hand-written event types', () => {
  it('every field the SDK declares is in the schema, at the same path and of a compatible type, but for the documented exceptions', async () => {
    const r = runScript(['--declared', ...HAND_WRITTEN]);
    assert.equal(r.code, 0, r.stderr);
    const output = JSON.parse(r.stdout) as { sdk: string; types: Record<string, { protocol: string; fields: DeclaredField[] }> };
    assert.match(output.sdk, /^@larksuiteoapi\/node-sdk@/);
    assert.deepEqual(Object.keys(output.types), HAND_WRITTEN);
    const found: Difference[] = [];
    for (const type of HAND_WRITTEN) {
      const declared = output.types[type]?.fields ?? [];
      assert.ok(declared.some((f) => f.path.startsWith('event.')), `${type}: the SDK declares event fields`);
      assert.ok(declared.some((f) => f.path === 'header.event_id'), `${type}: header fields are placed in the header`);
      assert.equal(declared.some((f) => ['ts', 'uuid', 'type', 'event.ts', 'event.uuid', 'event.type'].includes(f.path)), false, `${type}: 1.0 fields left out`);
      const schema = JSON.parse(await readFile(join(root, 'schemas', `${type}.schema.json`), 'utf8')) as Json;
      found.push(...differences(type, declared, schema));
    }
    assert.deepEqual(found, KNOWN_DRIFT.map(({ type, path, problem }) => ({ type, path, problem })));
    // corehr.employee.domain_event_v2 has an event_type of its own (a number), which the SDK's flat object shows
    // instead of the header's: it is an event field.
    const corehr = output.types['corehr.employee.domain_event_v2']?.fields ?? [];
    assert.deepEqual(corehr.find((f) => f.path === 'event.event_type'), { path: 'event.event_type', type: 'number', optional: true });
    assert.equal(corehr.some((f) => f.path === 'header.event_type'), false);
  });

  it('the comparison catches a field that is missing or of another type', () => {
    const schema = { properties: { event: { properties: { a: { type: 'string' }, list: { type: 'array', items: { properties: { n: { type: 'integer' } } } } } } } };
    assert.deepEqual(
      differences('t', [
        { path: 'event.a', type: 'number', optional: true },
        { path: 'event.list[].n', type: 'number', optional: true },
        { path: 'event.list[].m', type: 'string', optional: true },
      ], schema),
      [
        { type: 't', path: 'event.a', problem: 'the SDK says number, the schema string' },
        { type: 't', path: 'event.list[].m', problem: 'not in the schema' },
      ],
    );
  });

});
