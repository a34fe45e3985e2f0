#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner, several files at a time; its closing lines
// count passes and failures. `node scripts/run-tests.js word…` runs only the files whose path contains a word.
//
// - Only files whose source (test/**/*.test.ts or .tsx) still exists: tsc never deletes the output of a moved or
//   removed test, and a stale copy would run against today's code.
// - The bundled files (below) first, then the slowest first, by the durations of the previous run
//   (dist/.test-times.json), or for a file it did not run, the typical ones in test/durations.json (a fresh clone has
//   no previous run; copy dist/.test-times.json there when the order drifts), and e2e before unit when neither
//   knows the file: no long file should start last and run alone.
// - Files run in parallel: each has its own temp directories and ephemeral ports. Most e2e time is spent waiting for
//   spawned CLIs and sockets, so more files than cores are in flight (FEISHU_EVENTS_TEST_CONCURRENCY overrides).
// - The unit tests (no process, socket or shared state) run in one process, imported one after the other: a process
//   per file would cost more than most of them take. A unit test file whose opening comment says it "runs in its own
//   process" gets one (e.g. it must load a module first). So do the e2e files whose opening comment says they share
//   a test process: files that set nothing process-wide (no top-level hooks, no process.env or process.on), whose own
//   process would only load the same modules again (~0.2 s of CPU each). Their tests run one file after the other.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');
const timesFile = join(root, 'dist', '.test-times.json');
const filter = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

/** test/x.test.ts or test/x.test.tsx for dist/test/x.test.js, or undefined when neither exists. */
function sourceOf(file) {
  const base = join(root, relative(join(root, 'dist'), file)).slice(0, -'.js'.length);
  return ['.ts', '.tsx'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
}

/** A JSON object of durations by file, or {} when the file is missing or not such an object. */
function readTimes(file) {
  try {
    const times = JSON.parse(readFileSync(file, 'utf8'));
    return typeof times === 'object' && times !== null ? times : {};
  } catch {
    return {};
  }
}

/** The previous run's durations, over the typical ones committed in test/durations.json (for a fresh clone). */
function previousTimes() {
  return { ...readTimes(join(root, 'test', 'durations.json')), ...readTimes(timesFile) };
}

if (!existsSync(testDir)) {
  console.error('no compiled tests under dist/test: run npm run build first');
  process.exit(1);
}
/** The file's opening comment, its lines joined. */
function openingComment(file) {
  const opening = /^(?:\/\/.*\n)+/.exec(readFileSync(sourceOf(file), 'utf8'))?.[0] ?? '';
  return opening.replace(/\s*\n\/\/\s*/g, ' ');
}
/** The file's opening comment asks for a process of its own. */
const ownProcess = (file) => /runs in its own process/.test(openingComment(file));
/** An e2e file whose opening comment says it shares a test process. */
const sharesProcess = (file) => /shares a test process/.test(openingComment(file));

let files = walk(testDir)
  .filter((file) => sourceOf(file) !== undefined)
  .filter((file) => filter.length === 0 || filter.some((f) => relative(root, file).includes(f)));
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const times = previousTimes();
/** Import `group` from one file, run in one process instead of one each. */
function bundle(group, name) {
  if (group.length < 2) return;
  const path = join(testDir, name);
  writeFileSync(path, group.map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};\n`).join(''));
  files = [...files.filter((file) => !group.includes(file)), path];
  // The reporter names each test's own file: the bundle takes as long as its files together.
  const known = group.map((file) => times[relative(root, file)]).filter((ms) => typeof ms === 'number');
  if (known.length > 0) times[relative(root, path)] = known.reduce((sum, ms) => sum + ms, 0);
}
const inDir = (dir) => (file) => relative(testDir, file).startsWith(`${dir}${sep}`);
bundle(files.filter((file) => inDir('unit')(file) && !ownProcess(file)), join('unit', 'all-unit-tests.js'));
bundle(files.filter((file) => inDir('e2e')(file) && sharesProcess(file)), join('e2e', 'shared-process-tests.js'));
const isE2e = (file) => relative(testDir, file).startsWith(`e2e${sep}`);
// The bundles first: each is one process running dozens of files one after the other (the unit bundle is the longest
// process of a run, ~8 s of one core), which the times above undercount (they leave out loading and compiling).
const bundles = [join(testDir, 'unit', 'all-unit-tests.js'), join(testDir, 'e2e', 'shared-process-tests.js')];
const rank = (file) => (bundles.includes(file) ? bundles.indexOf(file) : bundles.length);
files.sort((a, b) => {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const [ta, tb] = [times[relative(root, a)], times[relative(root, b)]];
  if (typeof ta === 'number' && typeof tb === 'number' && ta !== tb) return tb - ta;
  if (isE2e(a) !== isE2e(b)) return isE2e(a) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
});
const concurrency = Number(process.env.FEISHU_EVENTS_TEST_CONCURRENCY) || Math.max(2, availableParallelism() * 2);
const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts', 'test-times-reporter.js')}`,
  '--test-reporter-destination=stderr',
];
// The tests never see the profiles of whoever runs them: an empty config directory for the run.
const configHome = mkdtempSync(join(tmpdir(), 'feishu-events-test-config-'));
// Nor NODE_EXTRA_CA_CERTS (set on some CI and corporate machines): every node process would read and parse that
// bundle of certificates as it starts (~50 ms of CPU; a run starts ~120 processes), and no test opens a TLS
// connection — every server and gateway is plain HTTP or WebSocket on 127.0.0.1.
const result = spawnSync(process.execPath, ['--test', ...reporters, `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', XDG_CONFIG_HOME: configHome, NODE_EXTRA_CA_CERTS: undefined },
});
rmSync(configHome, { recursive: true, force: true });
process.exit(result.status ?? 1);
