#!/usr/bin/env node
// The build steps that read tsc's output, run by `npm run build` after `tsc -b`: the validators
// (scripts/build-validators.js) beside the patch of ink and the bundle (scripts/patch-ink.js, then scripts/bundle.js),
// which do not read each other's output. Side by side they take the time of the longer one on a machine with two
// cores. Their output goes through as it comes; the first step that fails fails the build with its exit code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scripts = fileURLToPath(new URL('.', import.meta.url));

function step(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [scripts + script], { stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`${script}: ${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function inOrder(...names) {
  for (const name of names) {
    const code = await step(name);
    if (code !== 0) return code;
  }
  return 0;
}

const codes = await Promise.all([step('build-validators.js'), inOrder('patch-ink.js', 'bundle.js')]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
