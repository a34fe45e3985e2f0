#!/usr/bin/env node
// The command line as the bin runs it: the compiled JavaScript (dist/src) bundled by esbuild into dist/bundle/, one
// entry per command (command-<name>.cjs) and one for everything else (cli.cjs: --version, help, errors), so that a
// command reads one file instead of 20–40 modules (start-up time is part of the product).
// - Each command's entry holds cli.ts with that command's code only (the other commands' runners are cut), so
//   bin/feishu-events.js picks the entry by the command name, argv[2].
// - CommonJS, loaded without node's ES module loader, with V8's code cache written beside each (<file>.cache). The
//   parts a command needs only sometimes stay lazy: esbuild initialises a dynamically imported module when it is
//   first imported, and the packages it needs are `require`d (or `import()`ed) only then.
// - Packages stay external (but string-width, and commander in the CommonJS entries): ink, react, the SDK, ws,
//   undici, ajv, chalk load from node_modules, and only when the code that imports them runs.
// - tail's entry is an ES module with chunks (command-tail.js): its terminal UI imports ink, an ES module only,
//   which CommonJS cannot require on node 20. A dynamic import whose module (with what it imports) reaches no
//   package and no costly node module (node:crypto, node:http…) is made static there; the others stay chunks.
// - Files the code opens beside itself at run time (a worker, a loader hook: `new URL('./x.js', import.meta.url)`)
//   are bundled as ES modules of their own, named as they are named there, beside the entries.
// - dist/bundle/ is as deep as dist/src/, so `new URL('../../', import.meta.url)` is the package root from either.
// - dist/bundle/samples.json: the bundled samples' listing, so that `replay --list` reads one file, not 237 folders.
// Usage: node scripts/bundle.js (run by `npm run build` once the JavaScript is in dist/). Writes dist/bundle-meta.json (not shipped): what
// each output holds and imports (test/unit/bundle.test.ts reads it).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Module from 'node:module';
import vm from 'node:vm';
import { build } from 'esbuild';
import { NEEDS_VALIDATORS, train, TRAINING } from './train-code-caches.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'dist', 'src');
const outdir = join(root, 'dist', 'bundle');
const cliFile = join(src, 'cli.js');
const rel = (path) => relative(root, path).split('\\').join('/');

/**
 * Small pure-ESM packages that the light commands use (string-width for column widths, and what it imports): bundled
 * in. Every other dependency is external.
 */
const INLINED_PACKAGES = ['string-width'];
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
  .filter((name) => !INLINED_PACKAGES.includes(name))
  .flatMap((name) => [name, `${name}/*`]);

/** Every `./x.js` that a module opens relative to itself (worker, loader hook), as entries named like the file. */
function besideFiles() {
  const found = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(src, 'validators')) walk(path);
      } else if (entry.name.endsWith('.js')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/(?:new URL\(|register\()\s*['"]\.\/([\w.-]+\.js)['"],\s*import\.meta\.url/g)) {
          const file = join(dirname(path), match[1]);
          const name = basename(file, '.js');
          if (found.has(name) && found.get(name) !== file) throw new Error(`bundle: two files named ${name}.js are opened beside their modules`);
          found.set(name, file);
        }
      }
    }
  };
  walk(src);
  return [...found].map(([out, file]) => ({ in: file, out }));
}

/** The commands, from cli.js's runners: `name: async () => … import('./commands/<file>.js')`. */
function commandRunners(text) {
  const runners = new Map();
  for (const match of text.matchAll(/^\s+(\w+): async \(\) =>[^]*?import\(['"](\.\/commands\/[\w-]+\.js)['"]\)/gm)) {
    runners.set(match[1], match[2]);
  }
  const files = new Set(runners.values());
  if (runners.size === 0 || files.size !== runners.size) throw new Error('bundle: cannot tell the command runners in dist/src/cli.js');
  return runners;
}

/**
 * node's own modules that are already loaded when node starts, or nearly: importing them costs nothing measurable.
 * Others are not free (node:crypto ~3 ms, node:http ~4 ms, node:net, node:child_process ~3 ms on a 2-core VM).
 */
const CHEAP_BUILTINS = new Set(['node:fs', 'node:fs/promises', 'node:path', 'node:url', 'node:util', 'node:os', 'node:module', 'node:events', 'node:stream', 'node:buffer', 'node:string_decoder', 'node:timers', 'node:process']);

/**
 * Which dynamic imports to make static: those (but cli.js's runners) of a module that, with all it imports
 * statically, reaches no package (bundled in or not) and none of node's own modules but the cheap ones. The import
 * graph is read from the compiled output (one import or export per statement, the specifier in quotes).
 */
function lightDynamicImports() {
  const imports = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(src, 'validators')) walk(path);
        continue;
      }
      if (!entry.name.endsWith('.js')) continue;
      const text = readFileSync(path, 'utf8');
      const of = (pattern) => [...text.matchAll(pattern)].map((m) => m[1]);
      imports.set(path, {
        static: of(/^(?:import|export)\s(?:[^;'"]*?\sfrom\s*)?['"]([^'"]+)['"];/gm),
        dynamic: of(/\bimport\(['"]([^'"]+)['"]\)/g),
      });
    }
  };
  walk(src);
  const target = (file, specifier) => (specifier.startsWith('.') ? join(dirname(file), specifier) : undefined);
  const heavy = new Map();
  const isHeavy = (file, seen = new Set()) => {
    if (heavy.has(file)) return heavy.get(file);
    if (seen.has(file)) return false;
    seen.add(file);
    const result = (imports.get(file)?.static ?? []).some((s) => {
      const to = target(file, s);
      return to === undefined ? !CHEAP_BUILTINS.has(s) : isHeavy(to, seen);
    });
    heavy.set(file, result);
    return result;
  };
  const light = new Map();
  for (const [file, { dynamic }] of imports) {
    if (file === cliFile) continue;
    const specifiers = new Set(dynamic.filter((s) => target(file, s) !== undefined && imports.has(target(file, s)) && !isHeavy(target(file, s))));
    if (specifiers.size > 0) light.set(rel(file), specifiers);
  }
  return light;
}

/** `import('x')` or `import("x")` in the text of a module, each replaced by `by`; and how many there were. */
function replaceImportCall(text, specifier, by) {
  let count = 0;
  const call = new RegExp(`\\bimport\\((['"])${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1\\)`, 'g');
  const replaced = text.replace(call, () => {
    count++;
    return by;
  });
  return { text: replaced, count };
}

/** `import('x')` → a static `import * as` of it, in the text of a module. */
function makeStatic(text, specifier, name, where) {
  const replaced = replaceImportCall(text, specifier, `Promise.resolve(${name})`);
  if (replaced.count === 0) throw new Error(`bundle: ${where}: no import('${specifier}') to make static`);
  return `${replaced.text}\nimport * as ${name} from '${specifier}';\n`;
}

/** cli.js with only `command`'s runner (none: no command), imported statically. */
function cliFor(runners, command) {
  let text = readFileSync(cliFile, 'utf8');
  for (const [name, specifier] of runners) {
    if (name === command) text = makeStatic(text, specifier, '__command', rel(cliFile));
    else text = replaceImportCall(text, specifier, `Promise.reject(new Error('${name} is not in this entry of the bundle'))`).text;
  }
  return text;
}

/**
 * The CommonJS entries, all in one build (each module parsed once): `entry:<command>` is cli.js for that command
 * (`entry:` alone: for none), read from dist/src.
 */
function cliEntries(runners) {
  return {
    name: 'cli-entries',
    setup(b) {
      b.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path, namespace: 'entry' }));
      b.onLoad({ filter: /.*/, namespace: 'entry' }, (args) => ({
        contents: cliFor(runners, args.path.slice('entry:'.length) || undefined),
        resolveDir: src,
        loader: 'js',
      }));
    },
  };
}

/** Rewrites the modules of one entry: light dynamic imports made static; in cli.js, only `command`'s runner kept. */
function rewrite(light, runners, command) {
  return {
    name: 'rewrite',
    setup(b) {
      // Only the files to rewrite: each onLoad is a round trip between esbuild and node.
      const files = [rel(cliFile), ...light.keys()].map((file) => join(root, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      b.onLoad({ filter: new RegExp(`^(?:${files.join('|')})$`) }, (args) => {
        const file = rel(args.path);
        if (file === rel(cliFile)) return { contents: cliFor(runners, command), loader: 'js' };
        const specifiers = light.get(file);
        if (!specifiers) return undefined;
        let text = readFileSync(args.path, 'utf8');
        let n = 0;
        for (const specifier of specifiers) text = makeStatic(text, specifier, `__static_${n++}`, file);
        return { contents: text, loader: 'js' };
      });
    },
  };
}

/**
 * commander's lib/command.js requires node:child_process at its top, for subcommands that are executables of their
 * own (which this CLI has none of): node:child_process loads node:net, node:dgram and node:stream with it, ~4 ms of
 * every invocation that commander parses (`--help`). Bundled in, it is required when commander first spawns.
 */
function lazyChildProcessInCommander() {
  const statement = "const childProcess = require('node:child_process');";
  return {
    name: 'lazy-child-process-in-commander',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(statement)) throw new Error(`bundle: ${rel(args.path)} no longer has \`${statement}\``);
        const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
        return { contents: text.replace(statement, lazy), loader: 'js' };
      });
    },
  };
}

/**
 * `node:module` loads node's ES module loader and its source-map support with it (~0.5 ms of every start); the
 * CommonJS entries use only its createRequire, and only off their start-up path (a validator's module, a package
 * loaded lazily). In them `import { createRequire } from 'node:module'` gets this stand-in, which requires the real
 * one when first called. Anything else imported from node:module there fails the build (no such export).
 */
function lazyNodeModule() {
  return {
    name: 'lazy-node-module',
    setup(b) {
      b.onResolve({ filter: /^(node:)?module$/ }, (args) =>
        // The stand-in's own require is the real module.
        args.namespace === 'lazy-node-module' ? { path: 'node:module', external: true } : { path: 'node:module', namespace: 'lazy-node-module' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-node-module' }, () => ({
        contents: "export function createRequire(from) { return require('node:module').createRequire(from); }",
        loader: 'js',
      }));
    },
  };
}

/**
 * Commands whose entry is an ES module with chunks: tail's terminal UI imports ink, which is an ES module only, and
 * CommonJS can only `require` (node 20). The others are one CommonJS file each: node loads those without its ES
 * module loader (no resolution of each file, no module facades for node's own modules), and their lazy parts are
 * set up only when they run (esbuild's lazy module initialisers; packages are `require`d there, or `import()`ed).
 */
const ESM_COMMANDS = ['tail'];

const common = {
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Smaller files parse faster; names are kept so that an internal error's stack still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  external,
};

const started = performance.now();
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
// The bundled samples' listing (listSamples reads it instead of every sample folder).
const { scanSamples } = await import(new URL('../dist/src/catalog/samples.js', import.meta.url).href);
const { samplesDir, samplesIndexFile } = await import(new URL('../dist/src/paths.js', import.meta.url).href);
writeFileSync(samplesIndexFile, `${JSON.stringify(scanSamples(samplesDir))}\n`);
const runners = commandRunners(readFileSync(cliFile, 'utf8'));
const beside = besideFiles();
const light = lightDynamicImports();
const entries = [['cli', undefined], ...[...runners.keys()].map((name) => [`command-${name}`, name])];
const results = await Promise.all([
  ...entries
    .filter(([, command]) => ESM_COMMANDS.includes(command))
    .map(([out, command]) =>
      build({
        ...common,
        entryPoints: [{ in: cliFile, out }],
        splitting: true,
        chunkNames: `${out}.[name]-[hash]`,
        plugins: [rewrite(light, runners, command)],
      }),
    ),
  build({
    ...common,
    entryPoints: entries.filter(([, command]) => !ESM_COMMANDS.includes(command)).map(([out, command]) => ({ in: `entry:${command ?? ''}`, out })),
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // CommonJS has no import.meta: the file's own URL stands in for it, made when first asked for (making it costs
    // ~0.3 ms; a plain invocation never asks).
    define: { 'import.meta.url': '__bundle.url' },
    banner: { js: 'const __bundle = { get url() { return (this.href ??= require("node:url").pathToFileURL(__filename).href); } };' },
    // commander (CommonJS, for --help and every invocation the fast parser leaves to it) comes along: one file
    // less to find and read, and its code in the code cache below. So does chalk, an ES module only: CommonJS
    // `require`s its packages (below), and node 20 cannot require an ES module.
    external: external.filter((name) => !/^(commander|chalk)(\/|$)/.test(name)),
    // No import(): a script compiled with V8's code cache loses node's dynamic import callback (node 20), and
    // import() would start the ES module loader. Packages load with a lazy require() instead.
    supported: { 'dynamic-import': false },
    plugins: [cliEntries(runners), lazyChildProcessInCommander(), lazyNodeModule()],
  }),
  // Each a file of its own (a worker's thread, the loader's thread): no chunks.
  beside.length ? build({ ...common, entryPoints: beside, splitting: false }) : undefined,
]);
const outputs = Object.assign({}, ...results.filter(Boolean).map((r) => r.metafile.outputs));
// V8's code cache of each CommonJS entry, compiled as the bin compiles it (Module.wrap, vm.Script): the bin hands
// it to V8, which then skips parsing and compiling the file (~10 ms for replay's on a 2-core VM, ~1 ms with it).
// Another node version or V8 flags reject it, and the file is compiled as usual.
for (const file of Object.keys(outputs).filter((f) => f.endsWith('.cjs'))) {
  const path = join(root, file);
  writeFileSync(`${path}.cache`, new vm.Script(Module.wrap(readFileSync(path, 'utf8')), { filename: path }).createCachedData());
}
// The light commands' entries: their cache is made again after their plain invocations ran (train-code-caches.js),
// but validate's, which build.js has made once the precompiled validators are written too.
const trained = await train(Object.keys(TRAINING).filter((entry) => !NEEDS_VALIDATORS.includes(entry)));
writeFileSync(join(root, 'dist', 'bundle-meta.json'), JSON.stringify({ commands: [...runners.keys()], outputs }));
const files = Object.keys(outputs);
const kb = files.reduce((sum, f) => sum + outputs[f].bytes, 0) / 1024;
console.log(`bundle: ${entries.length} entries (${trained.length} code caches made after a run)${beside.length ? ` + ${beside.map((b) => `${b.out}.js`).join(', ')}` : ''} → dist/bundle/ (${files.length} files, ${kb.toFixed(0)} KB, ${(performance.now() - started).toFixed(0)} ms)`);
