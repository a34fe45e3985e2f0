#!/usr/bin/env node
// Benchmark of `feishu-events validate`, against baselines measured in the same run:
//   throughput  200,000 NDJSON events (the five bundled types, ~0.5% invalid) vs a bare node script that only
//               reads the lines and JSON.parses them (target: at most 1.2×);
//   sourcemeta  the same number of events of one type, vs the @sourcemeta/jsonschema CLI (native binary)
//               validating the same file against the same schema (target: faster);
//   start-up    validating one small .json file vs `node -e ''` (target: at most 1.5×);
//   memory      peak RSS validating a large NDJSON file (target: under 150 MB, flat).
// Usage: npm run bench:validate -- [--events 200000] [--runs 5] [--startup-runs 15] [--memory-mb 200] [--no-memory]
// Data goes to bench/.data/ (gitignored) and is reused while the parameters stay the same.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENTED_TYPES } from './documented-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = join(root, 'bench', '.data');
const bin = join(root, 'bin', 'feishu-events.js');
const ONE_TYPE = 'corehr.employee.domain_event_v2';
const INVALID_EVERY = 200; // one event in 200 has one defect

function parseArgs(argv) {
  const args = { events: 200_000, runs: 5, startupRuns: 15, memoryMb: 200, memory: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => Number(argv[++i]);
    if (flag === '--events') args.events = next();
    else if (flag === '--runs') args.runs = next();
    else if (flag === '--startup-runs') args.startupRuns = next();
    else if (flag === '--memory-mb') args.memoryMb = next();
    else if (flag === '--no-memory') args.memory = false;
    else throw new Error(`unknown argument ${flag}`);
  }
  return args;
}

/** A small deterministic PRNG, so that the data is the same from run to run. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function loadSamples() {
  const dir = join(root, 'samples');
  const byType = new Map();
  for (const type of readdirSync(dir).filter((t) => DOCUMENTED_TYPES.includes(t)).sort()) {
    const files = readdirSync(join(dir, type)).filter((f) => f.endsWith('.json')).sort();
    byType.set(type, files.map((f) => JSON.parse(readFileSync(join(dir, type, f), 'utf8'))));
  }
  if (byType.size === 0) throw new Error('no samples in samples/');
  return byType;
}

/** One defect, of the kinds the schema policy covers. */
const DEFECTS = [
  (e) => { e.header.create_time = `t${e.header.create_time}`; },
  (e) => { e.header.event_id = 12345; },
  (e) => { delete e.header.app_id; },
  (e) => { e.event = 'not an object'; },
];

function hex(random, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

function generate(path, samples, count, seed) {
  const random = prng(seed);
  const fd = openSync(path, 'w');
  let invalid = 0;
  let buffer = '';
  for (let i = 0; i < count; i++) {
    const sample = samples[i % samples.length];
    const event = structuredClone(sample);
    event.header.event_id = hex(random, 32);
    event.header.create_time = String(1_700_000_000_000 + Math.floor(random() * 1e10));
    if (i % INVALID_EVERY === INVALID_EVERY - 1) {
      DEFECTS[Math.floor(random() * DEFECTS.length)](event);
      invalid++;
    }
    buffer += `${JSON.stringify(event)}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
  return invalid;
}

function prepareData(args) {
  mkdirSync(dataDir, { recursive: true });
  const metaPath = join(dataDir, 'meta.json');
  const samplesText = JSON.stringify([...loadSamples()]);
  const wanted = { events: args.events, invalidEvery: INVALID_EVERY, samples: samplesText.length, version: 2 };
  const meta = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : undefined;
  const files = {
    mixed: join(dataDir, `mixed-${args.events}.ndjson`),
    oneType: join(dataDir, `${ONE_TYPE}-${args.events}.jsonl`), // .jsonl: the extension the sourcemeta CLI reads as JSON Lines
    small: join(dataDir, 'small.json'),
    baseline: join(dataDir, 'read-and-parse.mjs'),
    baselineBytes: join(dataDir, 'read-and-parse-bytes.mjs'),
  };
  const samples = loadSamples();
  if (!meta || JSON.stringify(meta.wanted) !== JSON.stringify(wanted) || !existsSync(files.mixed) || !existsSync(files.oneType)) {
    process.stderr.write(`generating ${args.events.toLocaleString('en-US')} events into bench/.data/ …\n`);
    // Interleave the types, as a capture of real traffic would.
    const mixed = [];
    const lists = [...samples.values()];
    for (let i = 0; mixed.length < lists.reduce((n, l) => n + l.length, 0); i++) for (const list of lists) if (i < list.length) mixed.push(list[i]);
    const invalidMixed = generate(files.mixed, mixed, args.events, 1);
    const invalidOne = generate(files.oneType, samples.get(ONE_TYPE), args.events, 2);
    writeFileSync(metaPath, JSON.stringify({ wanted, invalidMixed, invalidOne }));
  }
  writeFileSync(files.small, `${JSON.stringify(samples.get('hire.eco_exam.created_v1')[0], null, 2)}\n`);
  // The baseline: what any script that checks NDJSON must at least do — read the file, split lines, JSON.parse.
  writeFileSync(
    files.baseline,
    `import { createReadStream } from 'node:fs';
let rest = '';
let parsed = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  for (let nl = text.indexOf('\\n'); nl !== -1; nl = text.indexOf('\\n', start)) {
    if (nl > start) { JSON.parse(text.slice(start, nl)); parsed++; }
    start = nl + 1;
  }
  rest = text.slice(start);
}
if (rest.trim() !== '') { JSON.parse(rest); parsed++; }
process.stdout.write(parsed + ' lines parsed\\n');
`,
  );
  // A second, faster baseline: lines found in the bytes, each decoded on its own (what validate itself does).
  writeFileSync(
    files.baselineBytes,
    `import { createReadStream } from 'node:fs';
let pending = [];
let parsed = 0;
const parse = (bytes, start, end) => { if (end > start) { JSON.parse(bytes.toString('utf8', start, end)); parsed++; } };
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1 << 18 })) {
  let start = 0;
  let nl = chunk.indexOf(10);
  if (pending.length > 0 && nl !== -1) {
    const line = Buffer.concat([...pending, chunk.subarray(0, nl)]);
    pending = [];
    parse(line, 0, line.length);
    start = nl + 1;
    nl = chunk.indexOf(10, start);
  }
  for (; nl !== -1; nl = chunk.indexOf(10, start)) { parse(chunk, start, nl); start = nl + 1; }
  if (start < chunk.length) pending.push(chunk.subarray(start));
}
if (pending.length > 0) { const line = Buffer.concat(pending); parse(line, 0, line.length); }
process.stdout.write(parsed + ' lines parsed\\n');
`,
  );
  const info = JSON.parse(readFileSync(metaPath, 'utf8'));
  return { files, invalidMixed: info.invalidMixed, invalidOne: info.invalidOne };
}

function time(command, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', options.stdout ?? 'ignore', options.stderr ?? 'ignore'], env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw result.error;
  if (options.expect !== undefined && !options.expect.includes(result.status)) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr ?? ''}`);
  }
  return { ms, result };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function sourcemetaBinary() {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@sourcemeta/jsonschema/package.json');
    const arch = process.arch === 'x64' ? 'x86_64' : process.arch;
    const musl = process.platform === 'linux' && process.report?.getReport().header.glibcVersionRuntime === undefined;
    const path = join(pkg, '..', 'build', 'github-releases', `jsonschema-${process.platform}-${arch}${musl ? '-musl' : ''}`);
    const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
    return existsSync(path) ? { path, version } : undefined;
  } catch {
    return undefined;
  }
}

const fmt = (ms) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

function checkCounts(files, expected) {
  // Sanity: validate must find exactly the defects that were put in.
  const { result } = time(process.execPath, [bin, 'validate', files.mixed, '--format', 'json'], { stdout: 'pipe', expect: [0, 1] });
  const lines = result.stdout.toString('utf8').trimEnd().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]);
  if (summary.invalid !== expected) throw new Error(`validate reported ${summary.invalid} invalid events, the data has ${expected}`);
  return summary;
}

function throughput(args, files, sourcemeta) {
  const rows = { baseline: [], baselineBytes: [], validate: [], validateJson: [], baselineOne: [], validateOne: [], sourcemeta: [], sourcemetaFast: [] };
  const schema = join(root, 'schemas', `${ONE_TYPE}.schema.json`);
  for (let run = 0; run < args.runs; run++) {
    rows.baseline.push(time(process.execPath, [files.baseline, files.mixed], { expect: [0] }).ms);
    rows.baselineBytes.push(time(process.execPath, [files.baselineBytes, files.mixed], { expect: [0] }).ms);
    rows.validate.push(time(process.execPath, [bin, 'validate', files.mixed], { expect: [1] }).ms);
    rows.validateJson.push(time(process.execPath, [bin, 'validate', files.mixed, '--format', 'json'], { expect: [1] }).ms);
    rows.baselineOne.push(time(process.execPath, [files.baseline, files.oneType], { expect: [0] }).ms);
    rows.validateOne.push(time(process.execPath, [bin, 'validate', files.oneType], { expect: [1] }).ms);
    if (sourcemeta) {
      rows.sourcemeta.push(time(sourcemeta.path, ['validate', schema, files.oneType, '--continue'], { expect: [2] }).ms);
      rows.sourcemetaFast.push(time(sourcemeta.path, ['validate', schema, files.oneType, '--continue', '--fast'], { expect: [2] }).ms);
    }
  }
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.length ? median(v) : undefined]));
}

function startup(args, files) {
  const bare = [];
  const ours = [];
  for (let i = 0; i < 2; i++) {
    time(process.execPath, ['-e', '']);
    time(process.execPath, [bin, 'validate', files.small], { expect: [0] });
  }
  for (let i = 0; i < args.startupRuns; i++) {
    bare.push(time(process.execPath, ['-e', ''], { expect: [0] }).ms);
    ours.push(time(process.execPath, [bin, 'validate', files.small], { expect: [0] }).ms);
  }
  return { bare: median(bare), ours: median(ours) };
}

function bigFile(files, megabytes) {
  const path = join(dataDir, `big-${megabytes}mb.ndjson`);
  const target = megabytes * 1024 * 1024;
  if (existsSync(path) && statSync(path).size >= target) return path;
  process.stderr.write(`writing a ${megabytes} MB NDJSON file into bench/.data/ …\n`);
  const chunk = readFileSync(files.mixed);
  const fd = openSync(path, 'w');
  let written = 0;
  while (written < target) written += writeSync(fd, chunk);
  closeSync(fd);
  return path;
}

/** Peak RSS of a run, from GNU time when there is one, else from the process itself at exit. */
function peakRss(args) {
  if (existsSync('/usr/bin/time')) {
    const { ms, result } = time('/usr/bin/time', ['-v', ...args], { stderr: 'pipe', expect: [0, 1] });
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr.toString('utf8'));
    if (match) return { mb: Number(match[1]) / 1024, ms, how: '/usr/bin/time -v' };
  }
  const hook = "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n'))";
  const [node, ...rest] = args;
  const { ms, result } = time(node, ['--import', hook, ...rest], { stderr: 'pipe', expect: [0, 1] });
  const match = /maxrss (\d+)/.exec(result.stderr.toString('utf8'));
  return { mb: match ? Number(match[1]) / 1024 : NaN, ms, how: 'process.resourceUsage().maxRSS' };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { files, invalidMixed, invalidOne } = prepareData(args);
  const sourcemeta = sourcemetaBinary();
  const mixedMb = statSync(files.mixed).size / 1024 / 1024;
  const summary = checkCounts(files, invalidMixed);
  console.log(`feishu-events validate — node ${process.version}, ${args.runs} runs each (median), interleaved`);
  console.log(`data: ${args.events.toLocaleString('en-US')} events, ${mixedMb.toFixed(1)} MB NDJSON, ${invalidMixed} invalid (five types); ` +
    `${args.events.toLocaleString('en-US')} events of ${ONE_TYPE}, ${invalidOne} invalid`);
  console.log(`sanity: validate found ${summary.invalid} invalid of ${summary.checked} checked, as planted\n`);

  const t = throughput(args, files, sourcemeta);
  console.log('throughput (whole process, wall time)');
  console.log(`  bare node: read lines + JSON.parse, five types        ${fmt(t.baseline)}`);
  console.log(`  bare node: lines split in the bytes + JSON.parse      ${fmt(t.baselineBytes)}`);
  console.log(`  feishu-events validate (pretty), five types          ${fmt(t.validate)}   ${ratio(t.validate, t.baseline)} of bare node  (target ≤ 1.20×); ${ratio(t.validate, t.baselineBytes)} of the byte-splitting one`);
  console.log(`  feishu-events validate --format json, five types     ${fmt(t.validateJson)}   ${ratio(t.validateJson, t.baseline)} of bare node`);
  console.log(`  bare node: read lines + JSON.parse, ${ONE_TYPE}  ${fmt(t.baselineOne)}`);
  console.log(`  feishu-events validate, ${ONE_TYPE}           ${fmt(t.validateOne)}   ${ratio(t.validateOne, t.baselineOne)} of bare node`);
  if (sourcemeta) {
    console.log(`  @sourcemeta/jsonschema ${sourcemeta.version} validate --continue          ${fmt(t.sourcemeta)}   feishu-events takes ${ratio(t.validateOne, t.sourcemeta)} of its time`);
    console.log(`  @sourcemeta/jsonschema ${sourcemeta.version} validate --continue --fast   ${fmt(t.sourcemetaFast)}   feishu-events takes ${ratio(t.validateOne, t.sourcemetaFast)} of its time`);
  } else {
    console.log('  @sourcemeta/jsonschema: not installed (npm install --save-dev @sourcemeta/jsonschema), skipped');
  }
  const eventsPerSecond = args.events / (t.validate / 1000);
  console.log(`  → ${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s, ${(mixedMb / (t.validate / 1000)).toFixed(0)} MB/s\n`);

  const s = startup(args, files);
  console.log(`start-up (${args.startupRuns} runs each, median)`);
  console.log(`  node -e ''                                 ${fmt(s.bare)}`);
  console.log(`  feishu-events validate small.json          ${fmt(s.ours)}   ${ratio(s.ours, s.bare)}  (target ≤ 1.50×)\n`);

  if (args.memory) {
    const big = bigFile(files, args.memoryMb);
    const size = statSync(big).size / 1024 / 1024;
    const ours = peakRss([process.execPath, bin, 'validate', big]);
    const bare = peakRss([process.execPath, files.baseline, big]);
    console.log(`memory (${size.toFixed(0)} MB NDJSON, peak RSS via ${ours.how})`);
    console.log(`  bare node: read lines + JSON.parse         ${bare.mb.toFixed(1)} MB in ${fmt(bare.ms)}`);
    console.log(`  feishu-events validate                     ${ours.mb.toFixed(1)} MB in ${fmt(ours.ms)}  (target < 150 MB)`);
  }
}

main();
