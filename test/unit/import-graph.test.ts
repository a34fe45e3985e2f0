// The layering rules of ARCHITECTURE.md, as a test. Two graphs are read:
// - the source graph (src/**/*.ts, every import including `import type`), for what may import what;
// - the runtime graph (dist/src/**/*.js, static and dynamic imports: what node actually loads), for circles and
//   for what replay and validate can ever load.
// A failure names the file and the import that breaks the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { root } from '../helpers/cli.js';

interface Edge {
  /** Module path relative to src/, without extension: `delivery/http-sender`. */
  to: string;
  typeOnly: boolean;
  line: number;
}

interface ModuleInfo {
  /** Relative module imports. */
  edges: Edge[];
  /** Bare specifiers (`node:fs`, `ink`, `@larksuiteoapi/node-sdk/lib/x`). */
  packages: Array<{ name: string; line: number }>;
  source: string;
}

// Also a CommonJS package loaded through require (`require('x')`, `createRequire(import.meta.url)('x')`).
const IMPORT = /(?:^|[\s;}])(import|export)(\s+type)?\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]|(?:\brequire|createRequire\([^()]*\))\(\s*['"]([^'"]+)['"]\s*\)/gm;

function walk(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, ext);
    return ext.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/delivery/http-sender.ts` → `delivery/http-sender`. */
function moduleName(base: string, file: string): string {
  return relative(base, file).split(sep).join('/').replace(/\.(tsx?|jsx?)$/, '');
}

function readGraph(base: string, ext: RegExp): Map<string, ModuleInfo> {
  const graph = new Map<string, ModuleInfo>();
  for (const file of walk(base, ext)) {
    const source = readFileSync(file, 'utf8');
    const info: ModuleInfo = { edges: [], packages: [], source };
    for (const match of source.matchAll(IMPORT)) {
      const specifier = (match[3] ?? match[4] ?? match[5] ?? match[6]) as string;
      const line = source.slice(0, match.index).split('\n').length;
      if (specifier.startsWith('.')) {
        info.edges.push({ to: moduleName(base, resolve(dirname(file), specifier)), typeOnly: match[2] !== undefined, line });
      } else {
        info.packages.push({ name: specifier, line });
      }
    }
    graph.set(moduleName(base, file), info);
  }
  return graph;
}

const sourceGraph = readGraph(join(root, 'src'), /\.tsx?$/);
// Only what has a source today: a module renamed or deleted leaves its old build behind in dist/.
const runtimeGraph = new Map([...readGraph(join(root, 'dist', 'src'), /\.js$/)].filter(([module]) => sourceGraph.has(module)));

/** `delivery/http-sender` → `delivery`; a module at the top of src/ is its own layer (`cli`, `errors`). */
function layerOf(module: string): string {
  const slash = module.indexOf('/');
  return slash === -1 ? module : module.slice(0, slash);
}

test('the graphs were read (so the rules below can fail)', () => {
  assert.ok(sourceGraph.size > 50, `${sourceGraph.size} source modules`);
  assert.ok(runtimeGraph.size > 50, `${runtimeGraph.size} compiled modules`);
  assert.ok(sourceGraph.get('cli')?.edges.some((e) => e.to === 'commands/replay'), 'cli imports commands/replay');
  assert.ok(sourceGraph.get('io')?.edges.some((e) => e.to === 'config' && e.typeOnly), 'io imports a type from config');
});

// protocol/ is the wire format: pure functions over bytes and objects. Node's crypto and a pure codec are fine;
// files, sockets, processes, threads, HTTP clients, the SDK and the UI are not.
const PROTOCOL_PACKAGES = new Set(['node:crypto', 'node:buffer', 'protobufjs', 'protobufjs/minimal.js', 'protobufjs/light.js']);

test('protocol/ does no I/O and imports nothing outside protocol/', () => {
  const problems: string[] = [];
  for (const [module, info] of sourceGraph) {
    if (layerOf(module) !== 'protocol') continue;
    for (const edge of info.edges) if (layerOf(edge.to) !== 'protocol') problems.push(`src/${module}.ts:${edge.line} imports ${edge.to}`);
    for (const pkg of info.packages) if (!PROTOCOL_PACKAGES.has(pkg.name)) problems.push(`src/${module}.ts:${pkg.line} imports ${pkg.name}`);
    for (const [i, text] of info.source.split('\n').entries()) {
      if (/\bprocess\.|\bfetch\(|\bsetTimeout\(|\bsetInterval\(/.test(text.replace(/\/\/.*$/, ''))) problems.push(`src/${module}.ts:${i + 1} touches the process or the clock: ${text.trim()}`);
    }
  }
  assert.deepEqual(problems, [], `protocol/ may import only protocol/ and ${[...PROTOCOL_PACKAGES].join(', ')}`);
});

// The faces of the tool (flag parsing, the terminal UI) sit on top; services get their sink handed in.
const TOP = new Set(['commands', 'ui', 'cli']);

test('nothing outside commands/, ui/ and cli.ts imports from them', () => {
  const problems: string[] = [];
  for (const [module, info] of sourceGraph) {
    if (TOP.has(layerOf(module))) continue;
    for (const edge of info.edges) {
      if (TOP.has(layerOf(edge.to))) problems.push(`src/${module}.ts:${edge.line} imports ${edge.to}${edge.typeOnly ? ' (a type)' : ''}`);
    }
  }
  assert.deepEqual(problems, [], 'a service owns its options type and receives its UI or output sink from the command');
});

/** One circle of the graph, as a path `a → b → a`, or undefined. Depth-first with an explicit stack. */
function findCircle(nodes: Iterable<string>, next: (node: string) => Iterable<string>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of nodes) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const iterators: Array<Iterator<string>> = [next(start)[Symbol.iterator]()];
    state.set(start, 'open');
    while (path.length > 0) {
      const step = (iterators[iterators.length - 1] as Iterator<string>).next();
      if (step.done) {
        state.set(path.pop() as string, 'done');
        iterators.pop();
        continue;
      }
      const node = step.value;
      if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
      if (state.has(node)) continue;
      state.set(node, 'open');
      path.push(node);
      iterators.push(next(node)[Symbol.iterator]());
    }
  }
  return undefined;
}

test('no import circles between modules (what node loads: static and dynamic imports)', () => {
  const circle = findCircle(runtimeGraph.keys(), (module) => (runtimeGraph.get(module)?.edges ?? []).map((e) => e.to).filter((to) => runtimeGraph.has(to)));
  assert.equal(circle, undefined, `circle: ${circle?.join(' → ')}`);
});

// Between layers, types count too: `report` reading a type of `delivery` while `delivery` calls into `report`
// is the same knot, whatever the compiler erases. report/format.ts (units and names, imports nothing) is the one
// module every layer may use for wording.
const SHARED_LEAVES = new Set(['report/format']);

test('no circles between layers (directories), types included', () => {
  for (const leaf of SHARED_LEAVES) assert.deepEqual(sourceGraph.get(leaf)?.edges ?? [], [], `${leaf} imports nothing`);
  const layers = new Map<string, Map<string, string>>();
  for (const [module, info] of sourceGraph) {
    const from = layerOf(module);
    const targets = layers.get(from) ?? new Map<string, string>();
    layers.set(from, targets);
    for (const edge of info.edges) {
      const to = layerOf(edge.to);
      if (to !== from && !SHARED_LEAVES.has(edge.to) && !targets.has(to)) targets.set(to, `src/${module}.ts:${edge.line}`);
    }
  }
  const circle = findCircle(layers.keys(), (layer) => layers.get(layer)?.keys() ?? []);
  const where = circle?.slice(0, -1).map((layer, i) => `${layer} → ${circle[i + 1]} (${layers.get(layer)?.get(circle[i + 1] as string)})`);
  assert.equal(circle, undefined, `circle: ${where?.join(', ')}`);
});

test('only cli.ts listens for signals, reads process.env / argv / cwd or exits', () => {
  const problems: string[] = [];
  for (const [module, info] of sourceGraph) {
    if (module === 'cli' || module === 'io' || layerOf(module) === 'ui') continue;
    for (const [i, text] of info.source.split('\n').entries()) {
      const code = text.replace(/\/\/.*$/, '');
      if (/\bprocess\.(on|once|off|exit|argv|env|cwd)\b/.test(code)) problems.push(`src/${module}.ts:${i + 1}: ${text.trim()}`);
    }
  }
  assert.deepEqual(problems, [], 'services take an AbortSignal and the IO from the command (no process.on(SIGINT) below cli.ts)');
});

/** Every compiled module reachable from `entry` through static and dynamic imports, and the packages they name. */
function reachable(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const module = queue.pop() as string;
    if (modules.has(module)) continue;
    modules.add(module);
    const info = runtimeGraph.get(module);
    assert.ok(info, `${module} was compiled`);
    for (const edge of info.edges) queue.push(edge.to);
    for (const { name } of info.packages) {
      if (!name.startsWith('node:')) packages.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string));
    }
  }
  return { modules, packages };
}

// replay and validate must start fast: nothing they can ever load pulls in ink, react, the SDK or ws.
const HEAVY = ['ink', 'react', '@larksuiteoapi/node-sdk', 'ws'];

for (const command of ['replay', 'validate']) {
  test(`${command} can never load ${HEAVY.join(', ')}`, () => {
    const { modules, packages } = reachable(`commands/${command}`);
    assert.ok(modules.size > 3, 'the graph was followed');
    for (const heavy of HEAVY) assert.equal(packages.has(heavy), false, `${command} reaches ${heavy}`);
  });
}

test('the graph walker sees what tail loads (so the check above can fail)', () => {
  const { packages } = reachable('commands/tail');
  assert.ok(packages.has('ink'));
  assert.ok(packages.has('@larksuiteoapi/node-sdk'));
});
