// validate's inputs (NDJSON, BOM and CRLF, stdin, directories, encrypted captures), through the CLI's entry point in
// this process. Quick: it shares a test process with the other such files (scripts/run-tests.js).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encrypt } from '../../src/protocol/crypto.js';
import { root, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

const sample = (type: string): Record<string, any> => JSON.parse(readFileSync(join(root, 'samples', type, 'doc.json'), 'utf8'));
const EXAM = 'hire.eco_exam.created_v1';
const EMPLOYEE = 'corehr.employee.domain_event_v2';

interface JsonEvent {
  type: string;
  index: number;
  line: number;
  source: string;
  status: string;
  event_type: string | null;
  findings: Array<{ severity: string; line: number; column: number; pointer: string; keyword: string; message: string; in_decrypted_payload?: boolean }>;
}

function events(stdout: string): JsonEvent[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonEvent)
    .filter((l) => l.type === 'event');
}

function columnOf(line: string, snippet: string, offset = 0): number {
  const at = line.indexOf(snippet);
  assert.notEqual(at, -1, snippet);
  return at + offset + 1;
}

describe('validate: inputs', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir('feishu-events-validate-'));
  });
  after(() => cleanup());

  it('keeps checking an NDJSON file after a broken line, and says where the line broke', async () => {
    const bad = sample(EXAM);
    bad.event.candidate_info.mobile.code = 86;
    const lines = [JSON.stringify(sample(EXAM)), '{"schema": "2.0", "header": oops}', '', JSON.stringify(bad), JSON.stringify(sample(EMPLOYEE))];
    const file = join(dir, 'broken.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runInProcess(['validate', file, '--format', 'json']);
    assert.equal(result.code, 1);
    const found = events(result.stdout);
    assert.deepEqual(found.map((e) => [e.index, e.line, e.status]), [[0, 1, 'valid'], [1, 2, 'malformed'], [2, 4, 'invalid'], [3, 5, 'valid']]);
    assert.equal(found[1]?.findings[0]?.keyword, 'malformed');
    assert.deepEqual([found[1]?.findings[0]?.line, found[1]?.findings[0]?.column], [2, columnOf(lines[1] as string, 'oops')]);
    assert.deepEqual([found[2]?.findings[0]?.line, found[2]?.findings[0]?.column], [4, columnOf(lines[3] as string, '"code":86', 7)]);
    const pretty = await runInProcess(['validate', file]);
    assert.match(pretty.stdout, /4 events checked: 2 valid, 2 invalid \(1 malformed\)/);
  });

  it('reads CRLF line ends and a BOM, and large files whose multi-byte text crosses read chunks', async () => {
    const event = sample(EXAM);
    event.event.candidate_info.name = '王二'.repeat(4000); // ~24 KB of 3-byte characters per line
    const bad = structuredClone(event);
    bad.header.create_time = '16x';
    const count = 60; // > 1 MB: several read chunks
    const rows = Array.from({ length: count }, (_, i) => JSON.stringify(i === count - 1 ? bad : event));
    const file = join(dir, 'large.jsonl');
    writeFileSync(file, `\ufeff${rows.join('\r\n')}\r\n`);
    const result = await runInProcess(['validate', file, '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const found = events(result.stdout);
    assert.equal(found.length, count);
    assert.deepEqual(found.filter((e) => e.status !== 'valid').map((e) => e.index), [count - 1]);
    const finding = found[count - 1]?.findings[0];
    assert.deepEqual([finding?.pointer, finding?.line, finding?.column], ['/header/create_time', count, columnOf(rows[count - 1] as string, '"16x"')]);
  });

  it('reads NDJSON and JSON documents from stdin (-)', async () => {
    const bad = sample(EXAM);
    bad.event.exam_id = 7;
    const ndjson = `${JSON.stringify(sample(EXAM))}\n${JSON.stringify(bad)}\n`;
    const fromNdjson = await runInProcess(['validate', '-', '--format', 'json'], { input: ndjson });
    assert.equal(fromNdjson.code, 1, fromNdjson.stderr);
    const found = events(fromNdjson.stdout);
    assert.deepEqual(found.map((e) => [e.source, e.line, e.status]), [['<stdin>', 1, 'valid'], ['<stdin>', 2, 'invalid']]);
    assert.equal(found[1]?.findings[0]?.pointer, '/event/exam_id');

    const document = JSON.stringify([sample(EXAM), sample(EMPLOYEE)], null, 2);
    const fromJson = await runInProcess(['validate', '-'], { input: document });
    assert.equal(fromJson.code, 0, fromJson.stdout + fromJson.stderr);
    assert.match(fromJson.stdout, /2 events checked: 2 valid/);
  });

  it('walks directories for .json, .ndjson and .jsonl files and nothing else', async () => {
    const tree = join(dir, 'tree');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(tree, 'nested', 'deeper'), { recursive: true });
    writeFileSync(join(tree, 'a.json'), JSON.stringify(sample(EXAM)));
    writeFileSync(join(tree, 'nested', 'b.ndjson'), `${JSON.stringify(sample(EXAM))}\n${JSON.stringify(sample(EMPLOYEE))}\n`);
    writeFileSync(join(tree, 'nested', 'deeper', 'c.jsonl'), `${JSON.stringify(sample(EMPLOYEE))}\n`);
    writeFileSync(join(tree, 'notes.txt'), 'not an event');
    const result = await runInProcess(['validate', tree, '--format', 'json']);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(
      events(result.stdout).map((e) => e.source.slice(tree.length + 1)),
      ['a.json', join('nested', 'b.ndjson'), join('nested', 'b.ndjson'), join('nested', 'deeper', 'c.jsonl')],
    );
  });

  describe('encrypted envelopes', () => {
    const key = 'test-encrypt-key';
    let file = '';
    let lines: string[] = [];
    before(() => {
      const bad = sample(EMPLOYEE);
      bad.event.sub_event_type = 9999;
      lines = [JSON.stringify({ encrypt: encrypt(JSON.stringify(sample(EXAM)), key) }), JSON.stringify({ encrypt: encrypt(JSON.stringify(bad), key) })];
      file = join(dir, 'encrypted.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
    });

    it('decrypts with the right key and locates payload findings at the encrypt field', async () => {
      const result = await runInProcess(['validate', file, '--encrypt-key', key, '--format', 'json'], { env: { FEISHU_ENCRYPT_KEY: undefined } });
      assert.equal(result.code, 1, result.stderr);
      const found = events(result.stdout);
      assert.deepEqual(found.map((e) => [e.status, e.event_type]), [['valid', EXAM], ['invalid', EMPLOYEE]]);
      const finding = found[1]?.findings[0];
      assert.deepEqual(
        [finding?.pointer, finding?.keyword, finding?.line, finding?.column, finding?.in_decrypted_payload],
        ['/event/sub_event_type', 'enum', 2, columnOf(lines[1] as string, '"encrypt":"', 10), true],
      );
      const pretty = await runInProcess(['validate', file, '--encrypt-key', key]);
      assert.match(pretty.stdout, /\/event\/sub_event_type\n {4}9999 is not one of 1001 新入职.*\(in the decrypted payload\)/);
    });

    it('takes the key from FEISHU_ENCRYPT_KEY, or from a .env file in the working directory', async () => {
      const fromEnv = await runInProcess(['validate', file, '--format', 'json'], { env: { FEISHU_ENCRYPT_KEY: key } });
      assert.deepEqual(events(fromEnv.stdout).map((e) => e.event_type), [EXAM, EMPLOYEE]);
      writeFileSync(join(dir, '.env'), `FEISHU_ENCRYPT_KEY=${key}\n`);
      try {
        const fromDotenv = await runInProcess(['validate', file, '--format', 'json'], { cwd: dir, env: { FEISHU_ENCRYPT_KEY: undefined } });
        assert.deepEqual(events(fromDotenv.stdout).map((e) => e.event_type), [EXAM, EMPLOYEE]);
      } finally {
        (await import('node:fs')).rmSync(join(dir, '.env'));
      }
    });

    it('makes a wrong key or no key a finding on each event (exit 1, not a usage error)', async () => {
      const wrong = await runInProcess(['validate', file, '--encrypt-key', 'not-the-key', '--format', 'json']);
      assert.equal(wrong.code, 1, wrong.stderr);
      for (const [i, e] of events(wrong.stdout).entries()) {
        assert.equal(e.status, 'invalid');
        assert.equal(e.findings[0]?.keyword, 'encrypted');
        assert.match(e.findings[0]?.message ?? '', /cannot decrypt.*(wrong encrypt key|not JSON)/);
        assert.deepEqual([e.findings[0]?.line, e.findings[0]?.column], [i + 1, columnOf(lines[i] as string, '"encrypt":"', 10)]);
      }
      const none = await runInProcess(['validate', file], { env: { FEISHU_ENCRYPT_KEY: undefined } });
      assert.equal(none.code, 1);
      assert.match(none.stdout, /encrypted event and no encrypt key to open it: pass --encrypt-key or set FEISHU_ENCRYPT_KEY/);
      assert.doesNotMatch(none.stdout + none.stderr, /not-the-key/);
    });
  });
});
