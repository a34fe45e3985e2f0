// The bundle the bin runs (dist/bundle/, scripts/bundle.js): an entry per command, what each may load, and the
// samples index it ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli-spec.js';
import { listSamples, scanSamples } from '../../src/catalog/samples.js';
import { packageRoot, samplesDir } from '../../src/paths.js';

interface Output {
  bytes: number;
  inputs: Record<string, unknown>;
  imports: { path: string; kind: string; external?: boolean }[];
}
const bundleDir = join(packageRoot, 'dist', 'bundle');
const meta = JSON.parse(readFileSync(join(packageRoot, 'dist', 'bundle-meta.json'), 'utf8')) as { commands: string[]; outputs: Record<string, Output> };
const outputs = Object.entries(meta.outputs).map(([file, output]) => ({ file: file.replace(/^.*dist\/bundle\//, ''), ...output }));

/** Every file of a command's entry: the entry and its chunks, whether loaded at start or later. */
const filesOf = (command: string): typeof outputs => outputs.filter((o) => o.file.startsWith(`command-${command}.`));
const HEAVY = ['ink', 'react', '@larksuiteoapi/node-sdk', 'ws'];
const isHeavy = (specifier: string): boolean => HEAVY.some((name) => specifier === name || specifier.startsWith(`${name}/`));

test('every command has an entry of its own in the bundle (CommonJS with its code cache, tail an ES module), and the bin finds each', () => {
  assert.deepEqual([...meta.commands].sort(), COMMANDS.map((c) => c.name).sort());
  for (const { name } of COMMANDS) {
    assert.ok(/^[a-z]+$/.test(name), `${name}: the bin picks entries by names of lowercase letters`);
    if (name === 'tail') assert.ok(existsSync(join(bundleDir, 'command-tail.js')), 'dist/bundle/command-tail.js');
    else for (const file of [`command-${name}.cjs`, `command-${name}.cjs.cache`]) assert.ok(existsSync(join(bundleDir, file)), `dist/bundle/${file}`);
  }
  assert.ok(existsSync(join(bundleDir, 'cli.cjs')));
  // The bin compiles these with their code cache, and node 20 loses the dynamic import callback of such a script:
  // an import() there would fail (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING) the first time it runs.
  for (const { file } of outputs.filter((o) => o.file.endsWith('.cjs'))) {
    assert.doesNotMatch(readFileSync(join(bundleDir, file), 'utf8'), /\bimport\(/, `${file} calls import()`);
  }
  assert.deepEqual(JSON.parse(readFileSync(join(packageRoot, 'bin', 'package.json'), 'utf8')), { type: 'commonjs' });
});

test('replay and validate: no file of their bundle imports ink, react, the SDK or ws, nor holds their code', () => {
  for (const command of ['replay', 'validate']) {
    const files = filesOf(command);
    assert.ok(files.length > 0, command);
    for (const output of files) {
      const imported = output.imports.filter((i) => isHeavy(i.path)).map((i) => i.path);
      assert.deepEqual(imported, [], `${output.file} imports ${imported.join(', ')}`);
      const held = Object.keys(output.inputs).filter((input) => HEAVY.some((name) => input.includes(`node_modules/${name}/`)));
      assert.deepEqual(held, [], `${output.file} holds ${held.join(', ')}`);
    }
  }
});

test('a plain invocation loads no package, never starts the ES module loader, nor loads node:stream or node:net for its output: --version, validate, replay --list, events, tail --help', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'feishu-events-bundle-'));
  try {
    const preload = join(dir, 'loaded.cjs');
    await writeFile(
      preload,
      `process.on('exit', () => require('node:fs').writeSync(2, '@@' + JSON.stringify({ packages: Object.keys(require.cache).filter((k) => k.includes('node_modules')), esm: process.moduleLoadList.filter((m) => m.includes('esm/translators')), builtins: process.moduleLoadList.filter((m) => /^NativeModule (stream|net|child_process|perf_hooks|fs\\/promises|v8)$/.test(m)).map((m) => m.slice(13)) }) + '\\n'));`,
    );
    const one = join(samplesDir, 'hire.eco_exam.created_v1', 'doc.json');
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ ...(JSON.parse(readFileSync(one, 'utf8')) as object), event: 5 }));
    // Nor node's costlier modules (stdout and stderr are pipes here): output is written without node:stream and
    // node:net, commander spawns nothing, validate's clock is not node:perf_hooks. validate sets its V8 flag (node:v8,
    // which loads node:stream) only before it loads a validator: a valid event's quick check needs none.
    const cases = [[['--version'], [], 0], [['validate', one], [], 0], [['validate', invalid], ['stream', 'v8'], 1], [['replay', '--list'], [], 0], [['events'], [], 0], [['tail', '--help'], [], 0]] as const;
    for (const [args, builtins, status] of cases) {
      const r = spawnSync(process.execPath, ['-r', preload, join(packageRoot, 'bin', 'feishu-events.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      const line = r.stderr.split('\n').find((l) => l.startsWith('@@'));
      assert.ok(line, `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(JSON.parse(line.slice(2)), { packages: [], esm: [], builtins }, args.join(' '));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("V8 accepts every CommonJS entry's code cache in a fresh node, compiled as the bin compiles it", () => {
  const files = outputs.filter((o) => o.file.endsWith('.cjs')).map((o) => join(bundleDir, o.file));
  assert.ok(files.length >= 7);
  const script = `const vm = require('node:vm'), { readFileSync } = require('node:fs'), Module = require('node:module');
    process.stdout.write(JSON.stringify(${JSON.stringify(files)}.map((f) => new vm.Script(Module.wrap(readFileSync(f, 'utf8')), { filename: f, cachedData: readFileSync(f + '.cache') }).cachedDataRejected)));`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), files.map(() => false), files.join(', '));
});

test('every file the bundle opens relative to itself is there: the worker, the loader hook, the package root', () => {
  const opened = new Set<string>();
  for (const { file } of outputs) {
    const text = readFileSync(join(bundleDir, file), 'utf8');
    // import.meta.url in the ES modules; in the CommonJS entries the bundle's own URL stands in for it.
    for (const match of text.matchAll(/(?:new URL|register)\("([^"]+)",\s*(?:import\.meta\.url|__bundle\.url)\)/g)) opened.add(`${file.endsWith('.cjs') ? 'cjs ' : ''}${match[1] as string}`);
  }
  // A worker that cannot load costs only speed (replay encrypts on the main thread then): nothing else would notice.
  for (const file of ['./body-encoder-worker.js', './ink-text-caches-hooks.js', '../../', 'cjs ./body-encoder-worker.js', 'cjs ../../']) assert.ok(opened.has(file), `the bundle opens ${file}`);
  for (const path of [...opened].map((p) => p.replace(/^cjs /, ''))) {
    const target = join(bundleDir, path);
    assert.ok(existsSync(path.endsWith('/') ? join(target, 'package.json') : target), `${path} from dist/bundle/`);
  }
});

test('the samples index lists the bundled samples exactly as the folders do', () => {
  const fromFolders = Object.entries(scanSamples(samplesDir)).flatMap(([eventType, names]) => names.map((name) => ({ eventType, name, path: join(samplesDir, eventType, `${name}.json`) })));
  assert.ok(fromFolders.length > 200);
  assert.deepEqual(listSamples(), fromFolders);
  assert.deepEqual(JSON.parse(readFileSync(join(bundleDir, 'samples.json'), 'utf8')), scanSamples(samplesDir));
});

test('a checkout that was never built: the bin says so in one line and exits 2, for every kind of entry', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'feishu-events-unbuilt-'));
  try {
    await mkdir(join(dir, 'bin'));
    for (const file of ['feishu-events.js', 'package.json']) await copyFile(join(packageRoot, 'bin', file), join(dir, 'bin', file));
    for (const args of [['--version'], ['replay', '--list'], ['tail', '--help'], ['tail', '--json'], ['nope']]) {
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'feishu-events.js'), ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr, 'feishu-events: the built program (dist/bundle) is missing; in a checkout run `npm ci && npm run build`\n', args.join(' '));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
