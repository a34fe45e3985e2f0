#!/usr/bin/env node
// Each command has an entry of its own in the bundle (dist/bundle/command-<name>.cjs, or .js for tail; built by
// scripts/bundle.js): only that command's code is read at start. Anything else (--version, help, a mistyped
// command) goes to cli.cjs. This file is CommonJS (bin/package.json): with the .cjs entries, node never starts its
// ES module loader for a plain invocation, and each .cjs is compiled with V8's code cache the build made beside it
// (<file>.cache), which spares parsing and compiling it: both a good part of start-up.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
// The CommonJS loader's Module class, as `require('node:module')` exports it; that require also loads node's ES module
// loader and source-map support (~0.5 ms of every start), which a CommonJS entry never uses.
const Module = module.constructor;
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'bundle');

/** A CommonJS file, as require() would run it, but compiled with its code cache when there is one. */
function load(file) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  if (cachedData === undefined) return require(file);
  // The bundle has no import() (scripts/bundle.js): node 20 loses the dynamic import callback of a cached script.
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

const name = process.argv[2];
const run = ({ main }) =>
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
const named = name !== undefined && /^[a-z]+$/.test(name) ? join(bundle, `command-${name}`) : undefined;
// A command that is an ES module (tail: ink ships only as one) is not loaded for its help: cli.cjs prints it.
const args = process.argv.slice(3);
const end = args.indexOf('--');
const asksHelp = (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
if (named !== undefined && existsSync(`${named}.cjs`)) run(load(`${named}.cjs`));
else if (named !== undefined && !asksHelp && existsSync(`${named}.js`)) import(require('node:url').pathToFileURL(`${named}.js`).href).then(run);
else if (existsSync(join(bundle, 'cli.cjs'))) run(load(join(bundle, 'cli.cjs')));
else {
  // A checkout that was never built (or a build that failed): say so in one line rather than with a stack.
  process.stderr.write('feishu-events: the built program (dist/bundle) is missing; in a checkout run `npm ci && npm run build`\n');
  process.exitCode = 2;
}
