// The catalogue as `events` reads it (src/catalog/event-catalog.ts) and shows it (src/report/events-text.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fieldRows, filterCatalog, listCatalog, nearMatches, readCatalogType } from '../../src/catalog/event-catalog.js';
import { CATALOG_SUMMARY_FILE, defaultValidatorsDir, listSchemaFiles } from '../../src/catalog/schemas.js';
import { UserError } from '../../src/errors.js';
import { schemasDir } from '../../src/paths.js';
import { catalogCounts, catalogEntryJson, formatCatalogTable, formatFieldTree } from '../../src/report/events-text.js';
import { tempDir } from '../helpers/cli.js';

describe('listCatalog', () => {
  const entries = listCatalog();

  it('lists every bundled event type once, sorted, without the envelopes', () => {
    const files = listSchemaFiles(schemasDir).filter((f) => !/(envelope-v[12]|answer-.*)\.schema\.json$/.test(f));
    assert.equal(entries.length, files.length);
    assert.deepEqual(entries.map((e) => e.eventType), [...entries.map((e) => e.eventType)].sort());
    assert.equal(entries.some((e) => e.eventType.startsWith('envelope-')), false);
  });

  it('the build\'s catalogue summary (read for the bundled schemas) gives the very entries reading every schema gives', () => {
    assert.ok(existsSync(join(defaultValidatorsDir(), CATALOG_SUMMARY_FILE)), 'the build writes the catalogue summary');
    // Naming the directory reads the schema files themselves.
    assert.deepEqual(entries, listCatalog({ schemasDir }));
  });

  it('tells hand-written from generated, 2.0 from 1.0, and strips the type from the title', () => {
    const byType = new Map(entries.map((e) => [e.eventType, e]));
    assert.deepEqual(byType.get('hire.eco_exam.created_v1'), {
      eventType: 'hire.eco_exam.created_v1',
      title: '创建笔试',
      origin: 'hand-written',
      generatedFrom: undefined,
      protocol: '2.0',
      kind: 'event',
      deprecated: false,
      schemaFile: join(schemasDir, 'hire.eco_exam.created_v1.schema.json'),
    });
    const receive = byType.get('im.message.receive_v1');
    assert.equal(receive?.origin, 'generated');
    assert.equal(receive?.title, '接收消息');
    assert.match(String(receive?.generatedFrom), /^@larksuiteoapi\/node-sdk@\S+ types\/index\.d\.ts IHandles$/);
    const message = byType.get('message');
    assert.equal(message?.protocol, '1.0');
    assert.equal(message?.deprecated, true);
    assert.equal(entries.filter((e) => e.origin === 'hand-written').length, 8);
    assert.deepEqual(entries.filter((e) => e.kind === 'callback').map((e) => [e.eventType, e.protocol]), [['card.action.legacy', 'none'], ['card.action.trigger', '2.0'], ['url.preview.get', '2.0']]);
  });

  it('reads another directory when asked (an entry per *.schema.json)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'a.b_v1.schema.json'), JSON.stringify({ title: 'A (a.b_v1)', properties: { event: {} } }));
      await writeFile(join(dir, 'envelope-v2.schema.json'), '{}');
      await writeFile(join(dir, 'notes.json'), '{}');
      assert.deepEqual(
        listCatalog({ schemasDir: dir }).map((e) => [e.eventType, e.title, e.origin, e.protocol]),
        [['a.b_v1', 'A', 'hand-written', '1.0']],
      );
    } finally {
      await cleanup();
    }
  });
});

describe('filterCatalog and nearMatches', () => {
  const entries = listCatalog();

  it('filters by type globs, an exact type being a glob too', () => {
    const im = filterCatalog(entries, ['im.message.*']);
    assert.ok(im.length >= 5 && im.every((e) => e.eventType.startsWith('im.message.')));
    assert.deepEqual(filterCatalog(entries, ['message', 'app_ticket']).map((e) => e.eventType), ['app_ticket', 'message']);
    assert.equal(filterCatalog(entries, []).length, entries.length);
  });

  it('a type that is not in the catalogue is an input error naming the nearest ones; a glob matching nothing too', () => {
    assert.throws(() => filterCatalog(entries, ['im.message.recieve_v1']), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.exitCode, 2);
      assert.equal(error.message, 'unknown event type "im.message.recieve_v1" (did you mean im.message.receive_v1, im.message.recalled_v1?)');
      return true;
    });
    assert.throws(() => filterCatalog(entries, ['nothing.*']), /no event type matches "nothing\.\*"/);
    assert.throws(() => readCatalogType('xyzzy'), /unknown event type "xyzzy": `feishu-events events` lists the catalogue/);
  });

  it('near matches: a small edit distance, or a name that contains what was typed', () => {
    const known = ['hire.eco_exam.created_v1', 'hire.eco_background_check.created_v1', 'im.message.receive_v1', 'message'];
    assert.deepEqual(nearMatches('hire.eco_exam.create_v1', known), ['hire.eco_exam.created_v1']);
    assert.deepEqual(nearMatches('eco_exam', known), ['hire.eco_exam.created_v1']);
    assert.deepEqual(nearMatches('mesage', known), ['message']);
    assert.deepEqual(nearMatches('calendar', known), []);
  });
});

describe('readCatalogType and fieldRows', () => {
  it('reads one type: the schema as bundled, its doc sample, every sample', () => {
    const type = readCatalogType('corehr.employee.domain_event_v2');
    assert.equal(type.entry.origin, 'hand-written');
    assert.equal(type.sample?.name, 'doc');
    assert.ok(type.samples.length > 5);
    assert.equal(JSON.parse(type.schemaText).$id, 'https://feishu-events.dev/schemas/corehr.employee.domain_event_v2.schema.json');
  });

  it('the field tree: every property at every depth, array items under their array, required marks, enum meanings', () => {
    const rows = fieldRows(readCatalogType('corehr.employee.domain_event_v2').schema);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    assert.deepEqual(rows.slice(0, 3).map((r) => [r.path, r.depth, r.type, r.required]), [
      ['schema', 0, 'string', true],
      ['header', 0, 'object', true],
      ['header.event_id', 1, 'string', true],
    ]);
    assert.deepEqual(byPath.get('schema')?.values, [{ value: '2.0' }]);
    assert.equal(byPath.get('event.employment_id')?.required, true);
    assert.equal(byPath.get('event.opt_desc')?.required, false);
    assert.deepEqual(byPath.get('event.sub_event_type')?.values?.[0], { value: 1001, meaning: '新入职' });
    assert.equal(byPath.get('event.data')?.type, 'array<object>');
    assert.deepEqual([byPath.get('event.data[].opt_type')?.depth, byPath.get('event.data[].fields')?.type], [2, 'array<string>']);
    assert.equal(byPath.get('event.data[].opt_type')?.name, 'opt_type');
  });

  it('the field tree of a generated 1.0 type and of tuples and maps', () => {
    const rows = fieldRows(readCatalogType('leave_approvalV2').schema);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    assert.deepEqual(byPath.get('event.type')?.values, [{ value: 'leave_approvalV2' }]);
    assert.equal(byPath.get('event.leave_range')?.type, 'array<[number, number]>');
    assert.equal(byPath.get('event.i18n_resources[].texts')?.type, 'object');
    assert.equal(byPath.get('uuid')?.required, true);
  });

  it('sample lookup falls back to the first sample when a type has no doc sample', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await mkdir(join(dir, 'schemas'));
      await mkdir(join(dir, 'samples', 'a.b_v1'), { recursive: true });
      await writeFile(join(dir, 'schemas', 'a.b_v1.schema.json'), JSON.stringify({ title: 'A (a.b_v1)' }));
      await writeFile(join(dir, 'samples', 'a.b_v1', 'zeta.json'), '{}');
      await writeFile(join(dir, 'samples', 'a.b_v1', 'alpha.json'), '{}');
      const type = readCatalogType('a.b_v1', { schemasDir: join(dir, 'schemas'), samplesDir: join(dir, 'samples') });
      assert.equal(type.sample?.name, 'alpha');
      assert.equal(type.samples.length, 2);
    } finally {
      await cleanup();
    }
  });
});

describe('events output', () => {
  const entries = listCatalog();

  it('the table: a header, one row per type, the title last; the counts', () => {
    const some = filterCatalog(entries, ['hire.eco_exam.created_v1', 'message']);
    assert.equal(
      formatCatalogTable(some),
      [
        'TYPE                      VER   ORIGIN  TITLE',
        'hire.eco_exam.created_v1  2.0   docs    创建笔试',
        'message                   1.0   sdk     接收消息 (deprecated)',
        '',
      ].join('\n'),
    );
    assert.equal(catalogCounts(some), '2 event types: 1 hand-written, 1 generated (1 of them schema 1.0)');
    const callbacks = filterCatalog(entries, ['card.*', 'url.preview.get']);
    assert.match(formatCatalogTable(callbacks), /^card\.action\.trigger +2\.0 +docs +callback: 卡片回传交互$/m);
    assert.match(formatCatalogTable(callbacks), /^card\.action\.legacy +none +docs +callback: /m);
    assert.equal(catalogCounts(callbacks), '3 event types: 3 hand-written (3 of them callbacks), 0 generated');
  });

  it('the JSON of an entry', () => {
    const [entry] = filterCatalog(entries, ['hire.eco_exam.created_v1']);
    assert.ok(entry);
    assert.deepEqual(catalogEntryJson(entry, 4), {
      event_type: 'hire.eco_exam.created_v1',
      title: '创建笔试',
      origin: 'hand-written',
      schema_version: '2.0',
      kind: 'event',
      deprecated: false,
      samples: 4,
    });
  });

  it('the field tree: indented names, types, * for required, descriptions and allowed values', () => {
    const text = formatFieldTree(fieldRows(readCatalogType('corehr.employee.domain_event_v2').schema));
    const lines = text.split('\n');
    assert.match(lines[0] as string, /^ {2}schema +string +\* 事件模式 {2}= "2\.0"$/);
    assert.ok(lines.some((l) => /^ {4}employment_id +string +\* 被操作人的雇佣 ID$/.test(l)));
    assert.ok(lines.some((l) => /^ {6}opt_type +integer +操作类型 {2}one of 1 新增, 2 修改, 3 删除$/.test(l)));
    assert.ok(lines.some((l) => /^ {6}opt_type +integer {4,}操/.test(l)), 'no * on an optional field');
  });
});
