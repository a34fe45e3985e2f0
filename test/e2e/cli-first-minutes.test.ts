// What a new user trips over in the first minutes: help, suggestions, how inputs and paths are named, the flags
// that take durations, empty inputs, completion scripts. Through the CLI's entry point in this process (the built bin
// for --help and for paths relative to the working directory). Quick: it shares a test process with the other such files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bin, runCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startRecordingServer } from '../helpers/servers.js';
import { formatCatalogTable } from '../../src/report/events-text.js';
import { fitCells } from '../../src/report/cells.js';
import { listCatalog } from '../../src/catalog/event-catalog.js';
import stringWidth from 'string-width';

type Json = Record<string, unknown>;

test('help: every command has Examples; events --help shows show and schema; help <unknown> says so, exit 2', async () => {
  for (const command of ['replay', 'validate', 'events', 'gateway', 'tail', 'completion']) {
    const r = await runInProcess([command, '--help']);
    assert.equal(r.code, 0, command);
    assert.match(r.stdout, /\nExamples:\n {2}\$ feishu-events /, command);
  }
  assert.match((await runCli(['--help'])).stdout, /\nExamples:\n/);
  const events = await runInProcess(['events', '--help']);
  assert.match(events.stdout, /Usage: feishu-events events \[type-globs\.\.\.\] \| show <type> \| schema <type>/);
  assert.match(events.stdout, /\$ feishu-events events show im\.message\.receive_v1/);
  const nope = await runInProcess(['help', 'nope']);
  assert.equal(nope.code, 2);
  assert.match(nope.stderr, /^feishu-events: unknown command "nope"\n/);
  assert.equal(nope.stdout, '');
  assert.match((await runInProcess(['help', 'replya'])).stderr, /unknown command "replya" \(did you mean replay\?\)/);
});

test('one "did you mean" for unknown types in replay and events; replay names a non-JSON file as such', async () => {
  const replay = await runInProcess(['replay', 'im.message.recieve_v1']);
  const events = await runInProcess(['events', 'show', 'im.message.recieve_v1']);
  for (const r of [replay, events]) {
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown event type "im\.message\.recieve_v1" \(did you mean im\.message\.receive_v1[,?]/);
  }
  const readme = await runInProcess(['replay', 'README.md']);
  assert.equal(readme.code, 2);
  assert.match(readme.stderr, /^feishu-events: README\.md is a file, but not JSON \(README\.md:1:1: /);
});

test('replay --list honours globs and specs; rows are short', async () => {
  const r = await runInProcess(['replay', '--list', 'hire.eco_exam*']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), ['hire.eco_exam.created_v1  doc minimal non-ascii overseas-candidate']);
  const json = await runInProcess(['replay', '--list', 'hire.eco_exam.created_v1/minimal', '--json']);
  assert.deepEqual(JSON.parse(json.stdout) as Json, { event_type: 'hire.eco_exam.created_v1', name: 'minimal', spec: 'hire.eco_exam.created_v1/minimal' });
  assert.equal((await runInProcess(['replay', '--list', 'nothing.*'])).code, 2);
  const all = await runInProcess(['replay', '--list']);
  for (const line of all.stdout.trimEnd().split('\n').filter((l) => l.length < 100 && !l.startsWith('security_'))) assert.ok(line.length <= 100, line);
});

test('events rows fit the terminal: cut to its width on a terminal', () => {
  const table = formatCatalogTable(listCatalog(), (line) => fitCells(line, 80));
  for (const line of table.trimEnd().split('\n')) assert.ok(stringWidth(line) <= 80, line);
  assert.match(table, /\nim\.message\.receive_v1 +2\.0 +sdk +接收消息\n/);
});

test('sources are sample ids for bundled samples, paths as given otherwise, NDJSON lines always numbered; p50 null when nothing was delivered', async () => {
  const { dir, cleanup } = await tempDir();
  const server = await startRecordingServer();
  try {
    const sample = (await runInProcess(['events', 'show', 'hire.eco_exam.created_v1', '--json'])).stdout;
    const envelope = (JSON.parse(sample) as Json).sample;
    await mkdir(join(dir, 'cap'));
    await writeFile(join(dir, 'cap', 'two.ndjson'), `${JSON.stringify(envelope)}\n${JSON.stringify(envelope)}\n`);
    // A real process: relative paths are read from its working directory.
    const r = await runCli(['replay', 'hire.eco_exam.created_v1', 'cap/two.ndjson', '--to', server.url, '--json', '--no-control'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const sources = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json).filter((l) => l.type === 'delivery').map((l) => l.source);
    assert.deepEqual(sources, ['hire.eco_exam.created_v1/doc', 'cap/two.ndjson:1', 'cap/two.ndjson:2']);
    // An app that answers 500: nothing delivered, so no latency to give.
    const failing = await startRecordingServer(() => ({ status: 500, body: 'no' }));
    const refused = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--to', failing.url, '--json', '--no-control'], { cwd: dir });
    await failing.close();
    const summary = refused.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json).at(-1) as Json;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.delivered, 0);
    assert.equal(summary.p50_ms, null);
    assert.equal(summary.p95_ms, null);
  } finally {
    await server.close();
    await cleanup();
  }
});

test('--gateway host:port, --wait-client as a duration, --to with --gateway refused', async () => {
  const both = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', 'http://127.0.0.1:9', '--to', 'http://127.0.0.1:9/']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--to and --gateway do not go together/);
  // Nothing listens on port 9: the flags were accepted, and the gateway could not be reached.
  const hostPort = await runInProcess(['replay', 'hire.eco_exam.created_v1', '--gateway', '127.0.0.1:9', '--wait-client', '500ms']);
  assert.doesNotMatch(hostPort.stderr, /is not a URL|--wait-client|--to/);
  assert.match(hostPort.stderr, /http:\/\/127\.0\.0\.1:9/);
  const bad = await runInProcess(['replay', 'x', '--gateway', 'http://127.0.0.1:9', '--wait-client', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--wait-client: "soon" is not a duration/);
});

test('validate: nothing to check exits 1 unless --allow-empty', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(join(dir, 'empty.ndjson'), '');
    await writeFile(join(dir, 'none.json'), '[]');
    for (const args of [[join(dir, 'empty.ndjson')], [join(dir, 'none.json')], ['-']]) {
      const r = await runInProcess(['validate', ...args], { cwd: dir, input: '' });
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /nothing to check: no events in/);
      assert.doesNotMatch(r.stdout, /✓/, 'no ✓ for nothing');
      const allowed = await runInProcess(['validate', ...args, '--allow-empty'], { cwd: dir, input: '' });
      assert.equal(allowed.code, 0, allowed.stderr);
    }
  } finally {
    await cleanup();
  }
});

test('completion: bash completes commands, options and event types; zsh and fish scripts carry the same', async () => {
  const bash = await runInProcess(['completion', 'bash']);
  assert.equal(bash.code, 0, bash.stderr);
  const script = join((await tempDir()).dir, 'c.bash');
  await writeFile(script, bash.stdout);
  const complete = (...words: string[]): string[] =>
    spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _feishu_events; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.deepEqual(complete('feishu-events', 'va'), ['validate']);
  assert.ok(complete('feishu-events', 'replay', 'im.message.rec').includes('im.message.receive_v1'));
  assert.ok(complete('feishu-events', 'replay', 'hire.eco_exam.created_v1/m').includes('hire.eco_exam.created_v1/minimal'));
  assert.ok(complete('feishu-events', 'tail', '--max').includes('--max-events'));
  assert.deepEqual(complete('feishu-events', 'validate', '--format', ''), ['pretty', 'json', 'junit', 'github']);
  assert.ok(complete('feishu-events', 'events', 'sh').includes('show'));
  for (const shell of ['zsh', 'fish']) {
    const r = await runInProcess(['completion', shell]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /im\.message\.receive_v1/);
    assert.match(r.stdout, /max-events/);
    const checker = spawnSync(shell, ['-n'], { input: r.stdout, encoding: 'utf8' });
    if (checker.error === undefined) assert.equal(checker.status, 0, `${shell} -n: ${checker.stderr}`);
  }
  const wrong = await runInProcess(['completion', 'bsh']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /no completion for "bsh": the shells are bash, zsh and fish/);
  assert.ok(bin);
});
