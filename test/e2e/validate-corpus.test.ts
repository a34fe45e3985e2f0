// validate on the bundled samples and the invalid corpus, through the CLI's entry point in this process. Quick: it
// shares a test process with the other such files (scripts/run-tests.js).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listSamples } from '../../src/catalog/samples.js';
import { root, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

const fixtures = join(root, 'test', 'fixtures', 'validate');

interface Expectation {
  file: string;
  rule: string;
  event_type: string;
  pointer: string;
  keyword: string;
  /** A snippet that occurs once in the file; the finding points at its first character (+ offset). */
  at: string;
  offset?: number;
  message: string;
}

interface JsonFinding {
  severity: string;
  line: number;
  column: number;
  pointer: string;
  keyword: string;
  message: string;
}

interface JsonEvent {
  type: 'event';
  source: string;
  index: number;
  line: number;
  event_type: string | null;
  status: string;
  findings: JsonFinding[];
}

/** Position of a snippet, found by plain text search (independent of the locator under test). */
function positionOf(text: string, snippet: string, offset = 0): { line: number; column: number } {
  const at = text.indexOf(snippet);
  assert.notEqual(at, -1, `${snippet} occurs in the file`);
  const before = text.slice(0, at + offset);
  return { line: before.split('\n').length, column: at + offset - before.lastIndexOf('\n') };
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('validate: bundled samples and the invalid corpus', () => {
  it('finds every bundled sample valid (exit 0), one event per sample file', async () => {
    const samples = listSamples(join(root, 'samples'));
    const result = await runInProcess(['validate', 'samples', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const lines = jsonLines(result.stdout);
    const summary = lines[lines.length - 1] as Record<string, unknown>;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.checked, samples.length);
    assert.equal(summary.valid, samples.length);
    assert.equal(summary.without_schema, 0);
  });

  it('flags each invalid variant (one defect each, every rule of the policy) at its pointer, line and column', async () => {
    const manifest = JSON.parse(readFileSync(join(fixtures, 'invalid-manifest.json'), 'utf8')) as Expectation[];
    const result = await runInProcess(['validate', join(fixtures, 'invalid'), '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const events = jsonLines(result.stdout).filter((l) => l.type === 'event') as unknown as JsonEvent[];
    assert.equal(events.length, manifest.length, 'one event per fixture, nothing else');
    const rules = new Set<string>();
    for (const expected of manifest) {
      const event = events.find((e) => e.source.endsWith(`/${expected.file}`));
      assert.ok(event, expected.file);
      const text = readFileSync(join(fixtures, 'invalid', expected.file), 'utf8');
      const where = positionOf(text, expected.at, expected.offset);
      assert.equal(event.status, 'invalid', expected.file);
      assert.equal(event.event_type, expected.event_type, expected.file);
      assert.equal(event.findings.length, 1, `${expected.file}: exactly one finding, got ${JSON.stringify(event.findings)}`);
      const [finding] = event.findings as [JsonFinding];
      assert.deepEqual(
        { pointer: finding.pointer, keyword: finding.keyword, line: finding.line, column: finding.column },
        { pointer: expected.pointer, keyword: expected.keyword, ...where },
        expected.file,
      );
      assert.ok(finding.message.includes(expected.message), `${expected.file}: "${finding.message}" includes "${expected.message}"`);
      rules.add(expected.rule.replace(/ \(.*\)$/, ''));
    }
    for (const rule of ['2.0 header fields are required', '2.0 header fields are strings', 'create_time is digits', 'documented types', 'enums', '0–1000 items', 'opt_time is digits', "the event's own id is required"]) {
      assert.ok(rules.has(rule), `the corpus covers: ${rule}`);
    }
  });

  it('finds the same defects in one JSON array of all the variants, each at its line in the array', async () => {
    const manifest = JSON.parse(readFileSync(join(fixtures, 'invalid-manifest.json'), 'utf8')) as Expectation[];
    const { dir, cleanup } = await tempDir();
    try {
      const parts = manifest.map((m) => readFileSync(join(fixtures, 'invalid', m.file), 'utf8').trimEnd());
      const text = `[\n${parts.join(',\n')}\n]\n`;
      const file = join(dir, 'all.json');
      writeFileSync(file, text);
      const result = await runInProcess(['validate', file, '--format', 'json']);
      assert.equal(result.code, 1);
      const events = jsonLines(result.stdout).filter((l) => l.type === 'event') as unknown as JsonEvent[];
      let offset = 2; // '[\n'
      manifest.forEach((m, i) => {
        const event = events[i] as JsonEvent;
        const local = positionOf(parts[i] as string, m.at, m.offset);
        const startLine = text.slice(0, offset).split('\n').length;
        assert.equal(event.index, i);
        assert.equal(event.line, startLine, `${m.file}: the event starts on line ${startLine}`);
        assert.deepEqual([event.findings[0]?.line, event.findings[0]?.column], [startLine + local.line - 1, local.column], m.file);
        offset += (parts[i] as string).length + 2;
      });
    } finally {
      await cleanup();
    }
  });

  it('allows undeclared properties by default and reports each with --strict, nested and in arrays of objects', async () => {
    const file = join(fixtures, 'extra-properties.json');
    const relaxed = await runInProcess(['validate', file]);
    assert.equal(relaxed.code, 0, relaxed.stdout);
    const strict = await runInProcess(['validate', file, '--strict', '--format', 'json']);
    assert.equal(strict.code, 1);
    const text = readFileSync(file, 'utf8');
    const findings = (jsonLines(strict.stdout).filter((l) => l.type === 'event') as unknown as JsonEvent[]).flatMap((e) => e.findings);
    const expected = [
      ['/header/region', '"region"'],
      ['/event/candidate_info/mobile/ext', '"ext"'],
      ['/event/custom_field_list/0/extra', '"extra"'],
      ['/event/new_field', '"new_field"'],
      ['/event/data/0/version', '"version"'],
    ] as const;
    assert.deepEqual(
      findings.map((f) => [f.pointer, f.keyword, f.line, f.column]),
      expected.map(([pointer, key]) => {
        const at = positionOf(text, key);
        return [pointer, 'undeclared', at.line, at.column];
      }),
    );
  });
});
