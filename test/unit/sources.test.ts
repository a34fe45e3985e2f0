import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expandPaths, readRecords, stdinBatches, type InputRecord } from '../../src/sources/records.js';
import { describeJsonError, positionAt } from '../../src/sources/json-position.js';
import { listSamples, looksLikeSampleSpec, resolveSampleSpec } from '../../src/catalog/samples.js';
import { globToRegExp } from '../../src/catalog/glob.js';
import { parseDotenv, resolveSetting, maskId, maskSecret } from '../../src/config.js';
import { tempDir } from '../helpers/cli.js';

async function collect(iter: AsyncIterable<InputRecord[]>): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const batch of iter) out.push(...batch);
  return out;
}

test('positions are 1-based lines and columns', () => {
  assert.deepEqual(positionAt('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(positionAt('ab\ncd', 4), { line: 2, column: 2 });
  const text = '{\n  "a": 1,\n  oops\n}';
  try {
    JSON.parse(text);
  } catch (error) {
    const p = describeJsonError(error, text);
    assert.equal(p.line, 3);
    assert.equal(p.column, 3);
    assert.match(p.message, /^invalid JSON/);
  }
});

test('NDJSON: one record a line, blank lines skipped, broken lines located, the rest still read', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, 'e.ndjson');
    await writeFile(file, '{"a":1}\n\n{"a":2}\r\n{"a": oops}\n{"a":4}');
    const records: InputRecord[] = [];
    for await (const r of readRecords([file])) records.push(r);
    assert.equal(records.length, 4);
    assert.deepEqual(records.map((r) => r.line), [1, 3, 4, 5]);
    assert.deepEqual(records.map((r) => r.index), [0, 1, 2, 3]);
    const bad = records[2];
    assert.equal(bad?.kind, 'malformed');
    if (bad?.kind === 'malformed') assert.equal(bad.column, 7);
    const last = records[3];
    assert.equal(last?.kind === 'value' && (last.value as { a: number }).a, 4);
  } finally {
    await cleanup();
  }
});

test('a .json array gives one record per element with its pointer; directories are walked in order', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'b.json'), '[{"n":1},{"n":2}]');
    await writeFile(join(dir, 'sub', 'a.jsonl'), '{"n":3}\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const files = await expandPaths([dir]);
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['b.json', join('sub', 'a.jsonl')]);
    const records: InputRecord[] = [];
    for await (const r of readRecords([dir])) records.push(r);
    assert.deepEqual(records.map((r) => (r.kind === 'value' ? r.pointer : '!')), ['/0', '/1', '']);
  } finally {
    await cleanup();
  }
});

test('a missing path is an input error with exit code 2', async () => {
  await assert.rejects(expandPaths(['/nonexistent/x.json']), (error: Error & { exitCode?: number }) => {
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /no such file/);
    return true;
  });
});

test('stdin: NDJSON detected from the first line, a pretty document read whole', async () => {
  const nd = await collect(stdinBatches(Readable.from(['{"a":1}\n{"a"', ':2}\n'])));
  assert.deepEqual(nd.map((r) => r.kind === 'value' && r.value), [{ a: 1 }, { a: 2 }]);
  const pretty = await collect(stdinBatches(Readable.from(['{\n  "a": 1\n}\n'])));
  assert.deepEqual(pretty.map((r) => r.kind === 'value' && r.value), [{ a: 1 }]);
  const array = await collect(stdinBatches(Readable.from(['[{"a":1},\n{"a":2}]'])));
  assert.equal(array.length, 2);
  const empty = await collect(stdinBatches(Readable.from([''])));
  assert.equal(empty.length, 0);
});

test('sample specs: type, glob, type/name, type/*', () => {
  const all = listSamples();
  assert.ok(all.length >= 15);
  assert.deepEqual(resolveSampleSpec('hire.eco_exam.created_v1', all).map((s) => s.name), ['doc']);
  const hire = resolveSampleSpec('hire.*', all);
  assert.deepEqual(hire.map((s) => s.eventType), [...new Set(all.filter((s) => s.eventType.startsWith('hire.')).map((s) => s.eventType))], 'one sample per matching type');
  assert.ok(hire.every((s) => s.name === 'doc'));
  for (const t of ['hire.eco_background_check.canceled_v1', 'hire.eco_background_check.created_v1', 'hire.eco_exam.created_v1']) assert.ok(hire.some((s) => s.eventType === t));
  assert.deepEqual(resolveSampleSpec('hire.eco_background_check.*', all).map((s) => s.eventType), ['hire.eco_background_check.canceled_v1', 'hire.eco_background_check.created_v1']);
  assert.deepEqual(resolveSampleSpec('hire.eco_exam.created_v1/minimal', all).map((s) => s.name), ['minimal']);
  const every = resolveSampleSpec('hire.eco_exam.created_v1/*', all);
  assert.ok(every.length >= 3);
  assert.equal(every[0]?.name, 'doc');
  assert.throws(() => resolveSampleSpec('nope.event_v1', all), /unknown event type/);
  assert.throws(() => resolveSampleSpec('hire.eco_exam.created_v1/nope', all), /no sample "nope"/);
  assert.equal(looksLikeSampleSpec('hire.*'), true);
  assert.equal(looksLikeSampleSpec('events.ndjson'), false);
  assert.equal(looksLikeSampleSpec('./dir/file'), false);
  assert.equal(globToRegExp('corehr.*_v2').test('corehr.department.updated_v2'), true);
  assert.equal(globToRegExp('corehr.*_v2').test('hire.x_v2'), false);
});

test('settings: flag > env > .env > default; secrets never shown', () => {
  const dotenv = parseDotenv('# c\nexport A=from-file\nB="quoted # kept"\nC=plain # comment\n');
  assert.deepEqual(dotenv, { A: 'from-file', B: 'quoted # kept', C: 'plain' });
  // What the hand-written parser got wrong: values over several lines, backticks, a BOM, CRLF.
  assert.deepEqual(parseDotenv('\uFEFFKEY="line one\nline two"\r\nT=`it\'s "both"`\r\nN="a\\nb"\r\n'), { KEY: 'line one\nline two', T: 'it\'s "both"', N: 'a\nb' });
  const sources = { env: { A: 'from-env' }, dotenv };
  assert.deepEqual(resolveSetting('flag', 'A', sources, 'd'), { value: 'flag', from: 'flag' });
  assert.deepEqual(resolveSetting(undefined, 'A', sources, 'd'), { value: 'from-env', from: 'env' });
  assert.deepEqual(resolveSetting(undefined, 'B', sources, 'd'), { value: 'quoted # kept', from: 'dotenv' });
  assert.deepEqual(resolveSetting(undefined, 'Z', sources, 'd'), { value: 'd', from: 'default' });
  assert.equal(maskSecret('s3cret-value').includes('s3cret'), false);
  assert.equal(maskId('cli_a1b2c3d4e5f60718'), 'cli_a1b2…0718');
});

test('JSON error offsets are found even when V8 does not give them', async () => {
  const { findJsonErrorOffset } = await import('../../src/sources/json-position.js');
  assert.equal(findJsonErrorOffset('{"a":1}'), -1);
  assert.equal(findJsonErrorOffset('{"a": oops}'), 6);
  assert.equal(findJsonErrorOffset('[1,'), 3);
  assert.equal(findJsonErrorOffset('{"a":1}x'), 7);
  assert.equal(findJsonErrorOffset('{"a":"\u0001"}'), 6);
  assert.equal(findJsonErrorOffset('{"a":01}'), 6);
  assert.equal(findJsonErrorOffset('{"a" 1}'), 5);
  assert.equal(findJsonErrorOffset('[tru]'), 4);
  assert.equal(findJsonErrorOffset(' {"a":[1,2,{"b":null}],"c":"\\u00e9"} '), -1);
});

test('NDJSON files: multi-byte characters split across read chunks come out whole', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, 'cjk.ndjson');
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ i, name: '王二李雷韩梅梅'.repeat(1 + (i % 5)) }));
    await writeFile(file, `${lines.join('\n')}\n`);
    let n = 0;
    for await (const r of readRecords([file])) {
      assert.equal(r.kind, 'value');
      if (r.kind === 'value') assert.equal((r.value as { name: string }).name, '王二李雷韩梅梅'.repeat(1 + (n % 5)));
      n++;
    }
    assert.equal(n, 30_000);
  } finally {
    await cleanup();
  }
});
