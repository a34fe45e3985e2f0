#!/usr/bin/env node
// Benchmark of `feishu-events validate`, against baselines measured in the same run, commands alternated and
// ratios taken pairwise (each run of ours against the baseline run just before it; the median of those ratios):
//   catalogue   the headline: every event type of the catalogue mixed (what a real capture looks like), N events,
//               ~0.5% invalid, vs a bare node script that only reads the lines and JSON.parses them
//               (target: at most 1.3×, aim 1.15×);
//   five types  the same with the hand-written types only (target: at most 1.15×);
//   sourcemeta  N events of one type, vs the @sourcemeta/jsonschema CLI (native binary, devDependency)
//               validating the same file against the same schema;
//   memory      peak RSS validating a large NDJSON file of the catalogue mix (target: at most 100 MB).
// Start-up is measured by bench/startup.js.
// Usage: npm run bench:validate -- [--events 200000] [--runs 5] [--memory-mb 200] [--no-memory]
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
  const args = { events: 200_000, runs: 5, memoryMb: 200, memory: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => Number(argv[++i]);
    if (flag === '--events') args.events = next();
    else if (flag === '--runs') args.runs = next();
    else if (flag === '--memory-mb') args.memoryMb = next();
    else if (flag === '--no-memory') args.memory = false;
    else throw new Error(`unknown argument ${flag}`);
  }
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

function prepareData(args) {
  mkdirSync(dataDir, { recursive: true });
  const metaPath = join(dataDir, `validate-meta-${args.events}.json`);
  const catalogue = loadSamples(CATALOGUE_TYPES);
  const five = loadSamples(DOCUMENTED_TYPES);
  const wanted = { events: args.events, invalidEvery: INVALID_EVERY, samples: JSON.stringify([...catalogue]).length, version: 3 };
  const meta = existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : undefined;
  const files = {
    catalogue: join(dataDir, `catalogue-${args.events}.ndjson`),
    five: join(dataDir, `five-${args.events}.ndjson`),
    oneType: join(dataDir, `${ONE_TYPE}-${args.events}.jsonl`), // .jsonl: the extension the sourcemeta CLI reads as JSON Lines
    baseline: join(dataDir, 'read-and-parse.mjs'),
  };
  let info = meta;
  if (!meta || JSON.stringify(meta.wanted) !== JSON.stringify(wanted) || !Object.values(files).slice(0, 3).every((f) => existsSync(f))) {
    process.stderr.write(`generating ${args.events.toLocaleString('en-US')} events ×3 into bench/.data/ …\n`);
    info = {
      wanted,
      types: catalogue.size,
      fiveTypes: five.size,
      invalid: {
        catalogue: generate(files.catalogue, interleave(catalogue), args.events, 1),
        five: generate(files.five, interleave(five), args.events, 2),
        oneType: generate(files.oneType, five.get(ONE_TYPE) ?? catalogue.get(ONE_TYPE), args.events, 3),
      },
    };
    writeFileSync(metaPath, JSON.stringify(info));
  }
  // The baseline: what any script that checks NDJSON must at least do — read the file, split lines, JSON.parse.
  writeFileSync(files.baseline, BASELINE);
  return { files, info };
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
  // Sanity: validate must find exactly the defects that were put in.
  const { result } = time(process.execPath, [bin, 'validate', file, '--format', 'json'], { stdout: 'pipe', expect: [0, 1] });
  const lines = result.stdout.toString('utf8').trimEnd().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]);
  if (summary.invalid !== expected) throw new Error(`validate reported ${summary.invalid} invalid events in the ${what} data, it has ${expected}`);
  return summary;
}

function throughput(args, files, sourcemeta) {
  const rows = { baseline: [], catalogue: [], catalogueJson: [], baselineFive: [], five: [], baselineOne: [], one: [], sourcemeta: [], sourcemetaFast: [] };
  const schema = join(root, 'schemas', `${ONE_TYPE}.schema.json`);
  const node = process.execPath;
  // One warm-up round (page cache), not counted.
  time(node, [files.baseline, files.catalogue], { expect: [0] });
  time(node, [bin, 'validate', files.catalogue], { expect: [1] });
  for (let run = 0; run < args.runs; run++) {
    process.stderr.write(`  run ${run + 1}/${args.runs}${run + 1 === args.runs ? "\n" : "\r"}`);
    rows.baseline.push(time(node, [files.baseline, files.catalogue], { expect: [0] }).ms);
    rows.catalogue.push(time(node, [bin, 'validate', files.catalogue], { expect: [1] }).ms);
    rows.catalogueJson.push(time(node, [bin, 'validate', files.catalogue, '--format', 'json'], { expect: [1] }).ms);
    rows.baselineFive.push(time(node, [files.baseline, files.five], { expect: [0] }).ms);
    rows.five.push(time(node, [bin, 'validate', files.five], { expect: [1] }).ms);
    rows.baselineOne.push(time(node, [files.baseline, files.oneType], { expect: [0] }).ms);
    rows.one.push(time(node, [bin, 'validate', files.oneType], { expect: [1] }).ms);
    if (sourcemeta) {
      rows.sourcemeta.push(time(sourcemeta.path, ['validate', schema, files.oneType, '--continue'], { expect: [2] }).ms);
      rows.sourcemetaFast.push(time(sourcemeta.path, ['validate', schema, files.oneType, '--continue', '--fast'], { expect: [2] }).ms);
    }
  }
  return rows;
}

function bigFile(source, megabytes) {
  const path = join(dataDir, `catalogue-big-${megabytes}mb.ndjson`);
  const target = megabytes * 1024 * 1024;
  if (existsSync(path) && statSync(path).size >= target) return path;
  process.stderr.write(`writing a ${megabytes} MB NDJSON file into bench/.data/ …\n`);
  const chunk = readFileSync(source);
  const fd = openSync(path, 'w');
  let written = 0;
  while (written < target) written += writeSync(fd, chunk);
  closeSync(fd);
  return path;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { files, info } = prepareData(args);
  const sourcemeta = sourcemetaBinary();
  const mb = (f) => statSync(f).size / 1024 / 1024;
  const sanity = checkCount(files.catalogue, info.invalid.catalogue, 'catalogue');
  checkCount(files.five, info.invalid.five, 'five-type');
  const n = args.events.toLocaleString('en-US');
  console.log(`feishu-events validate — ${describeMachine()}`);
  console.log(`${args.runs} runs each, commands alternated, ratios = median of the pairwise ratios (each run against the baseline run before it)`);
  console.log(`data: catalogue mix ${n} events of ${info.types} types, ${mb(files.catalogue).toFixed(1)} MB, ${info.invalid.catalogue} invalid; ` +
    `five types ${n} events, ${mb(files.five).toFixed(1)} MB, ${info.invalid.five} invalid; ${ONE_TYPE} ${n} events, ${info.invalid.oneType} invalid`);
  console.log(`sanity: validate found ${sanity.invalid} invalid of ${sanity.checked} checked in the catalogue mix, as planted\n`);

  const rows = throughput(args, files, sourcemeta);
  const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
  const r = {
    catalogue: pairwiseRatio(rows.catalogue, rows.baseline),
    catalogueJson: pairwiseRatio(rows.catalogueJson, rows.baseline),
    five: pairwiseRatio(rows.five, rows.baselineFive),
    one: pairwiseRatio(rows.one, rows.baselineOne),
    sourcemeta: sourcemeta ? pairwiseRatio(rows.one, rows.sourcemeta) : undefined,
    sourcemetaFast: sourcemeta ? pairwiseRatio(rows.one, rows.sourcemetaFast) : undefined,
  };
  const line = (label, ms, extra = '') => console.log(`  ${label.padEnd(58)} ${fmtMs(ms).padStart(9)}${extra}`);
  console.log('throughput (whole process, wall time, median)');
  line(`bare node: read lines + JSON.parse, catalogue mix`, m.baseline);
  line(`feishu-events validate, catalogue mix (${info.types} types)`, m.catalogue, `   ${fmtRatio(r.catalogue)} bare node  (target ≤ 1.30×, aim 1.15×)`);
  line(`feishu-events validate --format json, catalogue mix`, m.catalogueJson, `   ${fmtRatio(r.catalogueJson)} bare node`);
  line(`bare node: read lines + JSON.parse, five types`, m.baselineFive);
  line(`feishu-events validate, five hand-written types`, m.five, `   ${fmtRatio(r.five)} bare node  (target ≤ 1.15×)`);
  line(`bare node: read lines + JSON.parse, ${ONE_TYPE}`, m.baselineOne);
  line(`feishu-events validate, ${ONE_TYPE}`, m.one, `   ${fmtRatio(r.one)} bare node`);
  if (sourcemeta) {
    line(`@sourcemeta/jsonschema ${sourcemeta.version} validate --continue`, m.sourcemeta, `   feishu-events takes ${fmtRatio(r.sourcemeta)} its time`);
    line(`@sourcemeta/jsonschema ${sourcemeta.version} validate --continue --fast`, m.sourcemetaFast, `   feishu-events takes ${fmtRatio(r.sourcemetaFast)} its time`);
  } else {
    console.log('  @sourcemeta/jsonschema: not installed (npm install --save-dev @sourcemeta/jsonschema), skipped');
  }
  const eventsPerSecond = args.events / (m.catalogue / 1000);
  console.log(`  → catalogue mix: ${Math.round(eventsPerSecond).toLocaleString('en-US')} events/s, ${(mb(files.catalogue) / (m.catalogue / 1000)).toFixed(0)} MB/s`);

  let memory;
  if (args.memory) {
    const big = bigFile(files.catalogue, args.memoryMb);
    const size = mb(big);
    const ours = peakRss([process.execPath, bin, 'validate', big]);
    const bare = peakRss([process.execPath, files.baseline, big]);
    memory = { fileMb: size, oursMb: ours.mb, oursMs: ours.ms, bareMb: bare.mb, bareMs: bare.ms, how: ours.how };
    console.log(`\nmemory (${size.toFixed(0)} MB NDJSON, catalogue mix, peak RSS via ${ours.how})`);
    line('bare node: read lines + JSON.parse', bare.ms, `   ${bare.mb.toFixed(1)} MB`);
    line('feishu-events validate', ours.ms, `   ${ours.mb.toFixed(1)} MB  (target ≤ 100 MB)`);
  }
  const previous = writeResults('validate', { args, types: info.types, medianMs: m, runsMs: rows, ratios: r, memory });
  if (previous?.ratios) {
    console.log(`last run: catalogue ${previous.ratios.catalogue?.toFixed(2)}×, five types ${previous.ratios.five?.toFixed(2)}× bare node`);
  }
}

main();
