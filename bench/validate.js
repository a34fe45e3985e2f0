#!/usr/bin/env node
// Benchmark of `feishu-events validate`, against baselines measured in the same run, commands alternated and
// ratios taken pairwise (each run of ours against the baseline run just before it; the median of those ratios),
// of wall time and of CPU time (user + system; the steadier figure on a shared machine):
//   catalogue   the headline: every event type of the catalogue mixed (what a real capture looks like), at each
//               --events size (default 200,000 and 1,000,000), ~0.5% invalid, vs a bare node script that only
//               reads the lines and JSON.parses them (target: at most 1.3×, aim 1.15×);
//   five types  the same with the hand-written types only, at the first size (target: at most 1.15×);
//   sourcemeta  events of one type, vs the @sourcemeta/jsonschema CLI (native binary, devDependency)
//               validating the same file against the same schema;
//   memory      peak RSS validating a large NDJSON file of the catalogue mix, default 1 GB (target: at most 100 MB).
// The last lines are the headline: each target and its figure. Start-up is measured by bench/startup.js.
// Usage: npm run bench:validate -- [--events 200000,1000000] [--runs 5] [--memory-mb 1024] [--no-memory]
// Data goes to bench/.data/ (gitignored) and is reused while the parameters stay the same; the summary to
// bench/results/ (gitignored).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listCatalog } from '../dist/src/catalog/event-catalog.js';
import { DOCUMENTED_TYPES } from './documented-types.js';
import { bin, dataDir, describeMachine, fmtMs, fmtRatio, median, pairwiseRatio, peakRss, prng, root, time, writeResults } from './lib.js';

const ONE_TYPE = 'corehr.employee.domain_event_v2';
const INVALID_EVERY = 200; // one event in 200 has one defect

function parseArgs(argv) {
  const args = { events: [200_000, 1_000_000], runs: 5, memoryMb: 1024, memory: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => Number(argv[++i]);
    if (flag === '--events') args.events = String(argv[++i]).split(',').map(Number);
    else if (flag === '--runs') args.runs = next();
    else if (flag === '--memory-mb') args.memoryMb = next();
    else if (flag === '--no-memory') args.memory = false;
    else throw new Error(`unknown argument ${flag}`);
  }
  if (args.events.length === 0 || !args.events.every((n) => Number.isInteger(n) && n > 0)) throw new Error('--events takes sizes such as 200000,1000000');
  return args;
}

/** The event types of the catalogue (callbacks are not events: they have no envelope of their own to check). */
const CATALOGUE_TYPES = listCatalog()
  .filter((entry) => entry.kind === 'event' && entry.protocol !== 'none')
  .map((entry) => entry.eventType);

function loadSamples(types) {
  const dir = join(root, 'samples');
  const byType = new Map();
  for (const type of types) {
    let files;
    try {
      files = readdirSync(join(dir, type)).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    byType.set(type, files.map((f) => JSON.parse(readFileSync(join(dir, type, f), 'utf8'))));
  }
  if (byType.size === 0) throw new Error('no samples in samples/');
  return byType;
}

/** Interleaves the types' samples, as a capture of real traffic would. */
function interleave(byType) {
  const lists = [...byType.values()];
  const total = lists.reduce((n, l) => n + l.length, 0);
  const out = [];
  for (let i = 0; out.length < total; i++) for (const list of lists) if (i < list.length) out.push(list[i]);
  return out;
}

/** One defect, of the kinds the schema policy covers: 2.0 events in their header, 1.0 events in their envelope. */
const DEFECTS_2 = [
  (e) => { e.header.create_time = `t${e.header.create_time}`; },
  (e) => { e.header.event_id = 12345; },
  (e) => { delete e.header.app_id; },
  (e) => { e.event = 'not an object'; },
];
const DEFECTS_1 = [
  (e) => { e.event = 'not an object'; },
  (e) => { e.uuid = 12345; },
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
    const event = structuredClone(samples[i % samples.length]);
    const v2 = typeof event.header === 'object' && event.header !== null;
    if (v2) {
      event.header.event_id = hex(random, 32);
      event.header.create_time = String(1_700_000_000_000 + Math.floor(random() * 1e10));
    } else if (typeof event.uuid === 'string') {
      event.uuid = hex(random, 32);
    }
    if (i % INVALID_EVERY === INVALID_EVERY - 1) {
      const defects = v2 ? DEFECTS_2 : DEFECTS_1;
      defects[Math.floor(random() * defects.length)](event);
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

const BASELINE = `import { createReadStream } from 'node:fs';
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
`;

/**
 * The data of one size: the catalogue mix, and (`all`) the five types and the one type too. Generated once into
 * bench/.data/ and reused while its parameters stay the same.
 */
function prepareData(events, all) {
  mkdirSync(dataDir, { recursive: true });
  const metaPath = join(dataDir, `validate-meta-${events}${all ? '' : '-catalogue'}.json`);
  const catalogue = loadSamples(CATALOGUE_TYPES);
  const five = loadSamples(DOCUMENTED_TYPES);
  const wanted = { events, all, invalidEvery: INVALID_EVERY, samples: JSON.stringify([...catalogue]).length, version: 3 };
  const meta = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : undefined;
  const files = {
    catalogue: join(dataDir, `catalogue-${events}.ndjson`),
    ...(all
      ? {
          five: join(dataDir, `five-${events}.ndjson`),
          oneType: join(dataDir, `${ONE_TYPE}-${events}.jsonl`), // .jsonl: the extension the sourcemeta CLI reads as JSON Lines
        }
      : {}),
  };
  let info = meta;
  if (!meta || JSON.stringify(meta.wanted) !== JSON.stringify(wanted) || !Object.values(files).every((f) => existsSync(f))) {
    process.stderr.write(`generating ${events.toLocaleString('en-US')} events${all ? ' ×3' : ''} into bench/.data/ …\n`);
    info = {
      wanted,
      types: catalogue.size,
      fiveTypes: five.size,
      invalid: {
        catalogue: generate(files.catalogue, interleave(catalogue), events, 1),
        ...(all
          ? {
              five: generate(files.five, interleave(five), events, 2),
              oneType: generate(files.oneType, five.get(ONE_TYPE) ?? catalogue.get(ONE_TYPE), events, 3),
            }
          : {}),
      },
    };
    writeFileSync(metaPath, JSON.stringify(info));
  }
  return { files, info };
}

/** The baseline: what any script that checks NDJSON must at least do — read the file, split lines, JSON.parse. */
function writeBaseline() {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'read-and-parse.mjs');
  writeFileSync(path, BASELINE);
  return path;
}

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

function checkCount(file, expected, what) {
  // Sanity: validate must find exactly the defects that were put in (its summary line: "N events checked: …").
  const { result } = time(process.execPath, [bin, 'validate', file], { stdout: 'pipe', expect: [0, 1] });
  const match = /(\d+) events? checked: (\d+) valid, (\d+) invalid/.exec(result.stdout.toString('utf8'));
  if (!match) throw new Error(`validate printed no summary for the ${what} data`);
  const summary = { checked: Number(match[1]), invalid: Number(match[3]) };
  if (summary.invalid !== expected) throw new Error(`validate reported ${summary.invalid} invalid events in the ${what} data, it has ${expected}`);
  return summary;
}

/** One series of alternated runs: each entry of `pairs` is [name, command args, expected exit codes]. */
function alternate(runs, label, pairs) {
  const rows = Object.fromEntries(pairs.map(([name]) => [name, { ms: [], cpuMs: [] }]));
  const node = process.execPath;
  // One warm-up round (page cache), not counted.
  for (const [, args, expect] of pairs.slice(0, 2)) time(args[0] === 'native' ? args[1] : node, args[0] === 'native' ? args.slice(2) : args, { expect });
  for (let run = 0; run < runs; run++) {
    process.stderr.write(`  ${label}: run ${run + 1}/${runs}${run + 1 === runs ? '\n' : '\r'}`);
    for (const [name, args, expect] of pairs) {
      const timed = args[0] === 'native' ? time(args[1], args.slice(2), { expect }) : time(node, args, { expect });
      rows[name].ms.push(timed.ms);
      rows[name].cpuMs.push(timed.cpuMs);
    }
  }
  return rows;
}

/** Wall and CPU ratio of two series run in turn. */
function ratios(ours, baseline) {
  const cpu = ours.cpuMs.every(Number.isFinite) && baseline.cpuMs.every(Number.isFinite) ? pairwiseRatio(ours.cpuMs, baseline.cpuMs) : undefined;
  return { wall: pairwiseRatio(ours.ms, baseline.ms), cpu };
}

const both = (r) => `${fmtRatio(r.wall)}${r.cpu === undefined ? '' : ` (CPU ${fmtRatio(r.cpu)})`}`;

function bigFile(source, megabytes) {
  const path = join(dataDir, `catalogue-big-${megabytes}mb.ndjson`);
  const target = megabytes * 1024 * 1024;
  // The source's events again and again, up to the last whole line within the size (so that it is that size).
  if (existsSync(path) && statSync(path).size <= target && statSync(path).size > target - (1 << 20)) return path;
  process.stderr.write(`writing a ${megabytes} MB NDJSON file into bench/.data/ …\n`);
  const chunk = readFileSync(source);
  const fd = openSync(path, 'w');
  let written = 0;
  while (written + chunk.length <= target) written += writeSync(fd, chunk);
  if (written < target) writeSync(fd, chunk.subarray(0, chunk.lastIndexOf(0x0a, target - written - 1) + 1));
  closeSync(fd);
  return path;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const baseline = writeBaseline();
  const sizes = args.events.map((events, i) => ({ events, ...prepareData(events, i === 0) }));
  const first = sizes[0];
  const sourcemeta = sourcemetaBinary();
  const mb = (f) => statSync(f).size / 1024 / 1024;
  const sanity = sizes.map(({ files, info, events }) => checkCount(files.catalogue, info.invalid.catalogue, `${events}-event catalogue`));
  checkCount(first.files.five, first.info.invalid.five, 'five-type');
  const count = (n) => n.toLocaleString('en-US');
  console.log(`feishu-events validate — ${describeMachine()}`);
  console.log(`${args.runs} runs each, commands alternated, ratios = median of the pairwise ratios (each run against the baseline run before it), of wall time and of CPU time (user + system)`);
  for (const { events, files, info } of sizes) console.log(`data: catalogue mix ${count(events)} events of ${info.types} types, ${mb(files.catalogue).toFixed(1)} MB, ${info.invalid.catalogue} invalid`);
  console.log(`data: five types ${count(first.events)} events, ${mb(first.files.five).toFixed(1)} MB, ${first.info.invalid.five} invalid; ${ONE_TYPE} ${count(first.events)} events, ${first.info.invalid.oneType} invalid`);
  console.log(`sanity: validate found exactly the planted invalid events in every catalogue file (${sanity.map((s) => `${s.invalid} of ${s.checked}`).join(', ')})\n`);

  const schema = join(root, 'schemas', `${ONE_TYPE}.schema.json`);
  const { files } = first;
  const runs = {};
  runs[first.events] = alternate(args.runs, `${count(first.events)} events`, [
    ['baseline', [baseline, files.catalogue], [0]],
    ['catalogue', [bin, 'validate', files.catalogue], [1]],
    ['catalogueJson', [bin, 'validate', files.catalogue, '--format', 'json'], [1]],
    ['baselineFive', [baseline, files.five], [0]],
    ['five', [bin, 'validate', files.five], [1]],
    ['baselineOne', [baseline, files.oneType], [0]],
    ['one', [bin, 'validate', files.oneType], [1]],
    ...(sourcemeta
      ? [
          ['sourcemeta', ['native', sourcemeta.path, 'validate', schema, files.oneType, '--continue'], [2]],
          ['sourcemetaFast', ['native', sourcemeta.path, 'validate', schema, files.oneType, '--continue', '--fast'], [2]],
        ]
      : []),
  ]);
  for (const { events, files: sized } of sizes.slice(1)) {
    runs[events] = alternate(args.runs, `${count(events)} events`, [
      ['baseline', [baseline, sized.catalogue], [0]],
      ['catalogue', [bin, 'validate', sized.catalogue], [1]],
    ]);
  }

  const rows = runs[first.events];
  const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v.ms)]));
  const r = {
    catalogue: ratios(rows.catalogue, rows.baseline),
    catalogueJson: ratios(rows.catalogueJson, rows.baseline),
    five: ratios(rows.five, rows.baselineFive),
    one: ratios(rows.one, rows.baselineOne),
    sourcemeta: sourcemeta ? ratios(rows.one, rows.sourcemeta) : undefined,
    sourcemetaFast: sourcemeta ? ratios(rows.one, rows.sourcemetaFast) : undefined,
  };
  const bySize = Object.fromEntries(sizes.map(({ events }) => [events, ratios(runs[events].catalogue, runs[events].baseline)]));
  const line = (label, ms, extra = '') => console.log(`  ${label.padEnd(62)} ${fmtMs(ms).padStart(9)}${extra}`);
  console.log(`throughput, ${count(first.events)} events (whole process, median wall time; ratios of wall time, CPU time beside)`);
  line(`bare node: read lines + JSON.parse, catalogue mix`, m.baseline);
  line(`feishu-events validate, catalogue mix (${first.info.types} types)`, m.catalogue, `   ${both(r.catalogue)} bare node`);
  line(`feishu-events validate --format json, catalogue mix`, m.catalogueJson, `   ${both(r.catalogueJson)} bare node`);
  line(`bare node: read lines + JSON.parse, five types`, m.baselineFive);
  line(`feishu-events validate, five hand-written types`, m.five, `   ${both(r.five)} bare node`);
  line(`bare node: read lines + JSON.parse, ${ONE_TYPE}`, m.baselineOne);
  line(`feishu-events validate, ${ONE_TYPE}`, m.one, `   ${both(r.one)} bare node`);
  if (sourcemeta) {
    line(`@sourcemeta/jsonschema ${sourcemeta.version} validate --continue`, m.sourcemeta, `   feishu-events takes ${both(r.sourcemeta)} its time`);
    line(`@sourcemeta/jsonschema ${sourcemeta.version} validate --continue --fast`, m.sourcemetaFast, `   feishu-events takes ${both(r.sourcemetaFast)} its time`);
  } else {
    console.log('  @sourcemeta/jsonschema: not installed (npm install --save-dev @sourcemeta/jsonschema), skipped');
  }
  const eventsPerSecond = first.events / (m.catalogue / 1000);
  console.log(`  → catalogue mix: ${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s, ${(mb(files.catalogue) / (m.catalogue / 1000)).toFixed(0)} MB/s`);
  for (const { events } of sizes.slice(1)) {
    console.log(`throughput, ${count(events)} events`);
    line('bare node: read lines + JSON.parse, catalogue mix', median(runs[events].baseline.ms));
    line('feishu-events validate, catalogue mix', median(runs[events].catalogue.ms), `   ${both(bySize[events])} bare node`);
  }

  let memory;
  if (args.memory) {
    const largest = sizes.reduce((a, b) => (b.events > a.events ? b : a));
    const big = bigFile(largest.files.catalogue, args.memoryMb);
    const size = mb(big);
    const ours = peakRss([process.execPath, bin, 'validate', big]);
    const bare = peakRss([process.execPath, baseline, big]);
    memory = { fileMb: size, oursMb: ours.mb, oursMs: ours.ms, bareMb: bare.mb, bareMs: bare.ms, how: ours.how };
    console.log(`\nmemory (${size.toFixed(0)} MB NDJSON, catalogue mix, peak RSS via ${ours.how})`);
    line('bare node: read lines + JSON.parse', bare.ms, `   ${bare.mb.toFixed(1)} MB`);
    line('feishu-events validate', ours.ms, `   ${ours.mb.toFixed(1)} MB`);
  }

  const target = (label, figure, goal) => console.log(`  ${label.padEnd(52)} ${figure.padEnd(24)} ${goal}`);
  console.log('\nheadline (the targets; ratios against the bare split-and-JSON.parse script)');
  for (const { events } of sizes) target(`catalogue mix (${first.info.types} types), ${count(events)} events`, both(bySize[events]), 'target ≤ 1.30×, aim 1.15×');
  target(`five hand-written types, ${count(first.events)} events`, both(r.five), 'target ≤ 1.15×');
  if (memory) target(`peak RSS, ${memory.fileMb.toFixed(0)} MB catalogue-mix NDJSON`, `${memory.oursMb.toFixed(0)} MB (bare node ${memory.bareMb.toFixed(0)} MB)`, 'target ≤ 100 MB');

  const previous = writeResults('validate', { args, types: first.info.types, medianMs: m, runs, ratios: r, catalogueBySize: bySize, memory });
  if (previous?.catalogueBySize) {
    console.log(`last run: catalogue ${Object.entries(previous.catalogueBySize).map(([n, x]) => `${count(Number(n))}: ${both(x)}`).join(', ')}; five types ${previous.ratios?.five ? both(previous.ratios.five) : '?'}`);
  }
}

main();
