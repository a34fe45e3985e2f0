#!/usr/bin/env node
// V8's code cache of one CommonJS entry of the bundle, written after the entry has run its command's plain
// invocations (scripts/bundle.js runs this file in a child process, once per entry). A cache made right after
// compiling holds only the code V8 compiles eagerly (the top level); one made after a run also holds every function
// that the run compiled, so that an invocation like it compiles none of them again (~1.5–2.5 ms of `events`,
// `replay --list` or `--help` on a 2-core VM).
// Usage: node scripts/code-cache.cjs <entry.cjs> <invocations as JSON: [["events"], …]> [<V8 flag to restore>…]
// - The entry is compiled as bin/feishu-events.js compiles it (Module.wrap, vm.Script), and each invocation is run
//   with its main(), output to wherever this process's stdout and stderr go (the build: nowhere).
// - V8 accepts a cache only from a process with the same flags: a command that sets V8 flags while it runs (validate
//   sets --semi-space-growth-factor) has them put back to V8's defaults (the flags given here) before the cache is
//   written, since the bin compiles the entry before any command sets one.
// - An invocation that throws or exits other than 0 fails this script (exit 1), and writes nothing.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
// As the bin has it (the same class as require('node:module')).
const Module = module.constructor;
const { dirname } = require('node:path');
const vm = require('node:vm');

const [file, invocations, ...restore] = process.argv.slice(2);
const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
const module_ = { exports: {}, filename: file, id: file, loaded: false };
script.runInThisContext().call(module_.exports, module_.exports, Module.createRequire(file), module_, file, dirname(file));

(async () => {
  for (const args of JSON.parse(invocations)) {
    const code = await module_.exports.main([process.execPath, file, ...args]);
    if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}`);
  }
  if (restore.length > 0) {
    const { setFlagsFromString } = require('node:v8');
    for (const flag of restore) setFlagsFromString(flag);
  }
  writeFileSync(`${file}.cache`, script.createCachedData());
})().catch((error) => {
  process.stderr.write(`code-cache: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
