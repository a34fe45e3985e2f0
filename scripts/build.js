#!/usr/bin/env node
// `npm run build`: the JavaScript first, then the type check beside the steps that read the JavaScript.
// 1. esbuild writes every .ts/.tsx that tsconfig.json includes (src/, test/, scripts/) to dist/, one .js a file and laid
//    out as tsc would (no bundling; `isolatedModules` in tsconfig.json makes tsc reject what a file-by-file transpiler
//    cannot do). About 0.2 s for the whole tree.
// 2. Side by side:
//    - tsc -b: the type check, and the declarations (dist/**/*.d.ts: `emitDeclarationOnly` in tsconfig.json),
//      incremental through dist/.tsbuildinfo. It is most of a build (5–6 s of one core from scratch).
//    - the steps that read the JavaScript, themselves side by side: the validators (build-validators.js),
//      patch-ink.js then bundle.js, and the SDK's code cache for tail (sdk-code-cache.js); once the validators and
//      the bundle are both written, validate's code cache (train-code-caches.js: it runs validate).
//    The first step that fails fails the build with its exit code; every step's output goes through as it comes.
//
// `node scripts/build.js --then <script> [args…]` (how `npm test` runs the tests): starts <script> as soon as the
// JavaScript and its steps are done, while tsc is still checking (without writing declarations), and runs tsc at a
// lower priority so that it takes the time the tests leave. tsc's output is held until <script> has ended and shown
// only when it found errors. The exit code is <script>'s, or tsc's when <script> passed and tsc did not.
// Neither tsc nor the steps read NODE_EXTRA_CA_CERTS (they open no connection; each node start would parse it).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const scripts = join(root, 'scripts');
const then = process.argv.indexOf('--then');
const afterwards = then === -1 ? undefined : process.argv.slice(then + 1);
if (afterwards !== undefined && afterwards.length === 0) {
  process.stderr.write('build: --then needs a script to run\n');
  process.exit(2);
}

/** The folders tsconfig.json's `include` names (`src/**\/*.ts` → src). */
function includedFolders() {
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  return [...new Set(include.map((pattern) => pattern.split('/')[0]))];
}

/** Every .ts and .tsx under the folders, declaration files aside. */
function sources() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const folder of includedFolders()) walk(join(root, folder));
  return files;
}

async function transpile() {
  try {
    await build({
      entryPoints: sources(),
      outdir: join(root, 'dist'),
      outbase: root,
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      tsconfig: join(root, 'tsconfig.json'),
      logLevel: 'error',
    });
    return 0;
  } catch {
    return 1; // esbuild has printed the errors
  }
}

/** Runs a node script; resolves to its exit code. `hold`: its output is kept and returned instead of shown. */
function run(args, { hold = false, nice = 0 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: undefined },
    });
    if (nice !== 0) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // not allowed here: the same priority as the rest
      }
    }
    const output = [];
    if (hold) {
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
    }
    child.on('error', (error) => {
      process.stderr.write(`build: ${args[0]}: ${error.message}\n`);
      resolve({ code: 1, output: '' });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(output).toString() }));
  });
}

async function inOrder(...names) {
  for (const name of names) {
    const { code } = await run([join(scripts, name)]);
    if (code !== 0) return code;
  }
  return 0;
}

const tsc = join(root, 'node_modules', 'typescript', 'lib', 'tsc.js');
const transpiled = await transpile();
if (transpiled !== 0) process.exit(transpiled);
// Before tests, the type check alone: the tests need no declarations (~0.5 s of CPU); tsc -b keeps their emit pending
// in dist/.tsbuildinfo for the next build.
const typeCheck = afterwards ? run([tsc, '-b', 'tsconfig.json', '--noEmit'], { hold: true, nice: 10 }) : run([tsc, '-b', 'tsconfig.json']);
const validators = inOrder('build-validators.js');
const bundled = inOrder('patch-ink.js', 'bundle.js');
// validate's code cache is made after a run of validate, which reads the precompiled validators: once both are there.
const validateCache = Promise.all([validators, bundled]).then((codes) => codes.find((code) => code !== 0) ?? run([join(scripts, 'train-code-caches.js'), 'command-validate']).then(({ code }) => code));
const steps = await Promise.all([validators, bundled, validateCache, inOrder('sdk-code-cache.js')]);
const failedStep = steps.find((code) => code !== 0);
if (afterwards === undefined) {
  const { code } = await typeCheck;
  process.exitCode = failedStep ?? code;
} else if (failedStep !== undefined) {
  process.exitCode = failedStep;
} else {
  const script = resolve(root, afterwards[0]);
  const { code } = await run([script, ...afterwards.slice(1)]);
  const checked = await typeCheck;
  if (checked.code !== 0) {
    process.stderr.write(`\ntsc found type errors (the tests above ran on the transpiled JavaScript):\n${checked.output}`);
  }
  process.exitCode = code !== 0 ? code : checked.code;
}
