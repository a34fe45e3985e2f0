// The bundle the bin runs (dist/bundle/, scripts/bundle.js): an entry per command, what each may load, and the
// samples index it ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
const filesOf = (command: string): typeof outputs => outputs.filter((o) => o.file === `command-${command}.js` || o.file.startsWith(`command-${command}.`));
const HEAVY = ['ink', 'react', '@larksuiteoapi/node-sdk', 'ws'];
const isHeavy = (specifier: string): boolean => HEAVY.some((name) => specifier === name || specifier.startsWith(`${name}/`));

test('every command has an entry of its own in the bundle, and the bin finds each', () => {
  assert.deepEqual([...meta.commands].sort(), COMMANDS.map((c) => c.name).sort());
  for (const { name } of COMMANDS) {
    assert.ok(/^[a-z]+$/.test(name), `${name}: the bin picks entries by names of lowercase letters`);
    assert.ok(existsSync(join(bundleDir, `command-${name}.js`)), `dist/bundle/command-${name}.js`);
  }
  assert.ok(existsSync(join(bundleDir, 'cli.js')));
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

test('what a command loads at start: its entry and the chunks it imports statically, never a package but node\'s own', () => {
  const byFile = new Map(outputs.map((o) => [o.file, o]));
  for (const command of ['replay', 'validate', 'events']) {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const output = byFile.get(file);
      assert.ok(output, `${file} is in the bundle`);
      for (const i of output.imports) {
        if (i.kind !== 'import-statement') continue;
        if (i.external) assert.ok(i.path.startsWith('node:'), `${command}: ${file} imports ${i.path} at start`);
        else visit(i.path.replace(/^.*dist\/bundle\//, ''));
      }
    };
    visit(`command-${command}.js`);
    // A handful of files, not the 20–40 modules of dist/src.
    assert.ok(seen.size <= 8, `${command} loads ${seen.size} files at start: ${[...seen].join(', ')}`);
  }
});

test('every file the bundle opens relative to itself is there: the worker, the loader hook, the package root', () => {
  const opened = new Set<string>();
  for (const { file } of outputs) {
    const text = readFileSync(join(bundleDir, file), 'utf8');
    for (const match of text.matchAll(/(?:new URL|register)\("([^"]+)",\s*import\.meta\.url\)/g)) opened.add(match[1] as string);
  }
  // A worker that cannot load costs only speed (replay encrypts on the main thread then): nothing else would notice.
  for (const file of ['./body-encoder-worker.js', './ink-text-caches-hooks.js', '../../']) assert.ok(opened.has(file), `the bundle opens ${file}`);
  for (const path of opened) {
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
