#!/usr/bin/env node
// Benchmark of `feishu-events replay` (encrypted + signed) against a minimal node http server on 127.0.0.1, next to
// a raw undici loop posting the same pre-built bodies at the same concurrency (the ceiling: it does no JSON, no
// crypto, no planning). Concurrency 1, 8 and 32; the two alternate and the ratio is the median of the pairwise
// ratios of whole-process delivery rates (target ≥ 0.8× at 8 and 32), with the CPU time of each beside it (the
// steadier figure on a shared machine). Then the peak RSS of replaying a 1,000,000-line NDJSON file (target
// ≤ 150 MB). The last lines are the headline: exactly the targets.
//
//   npm run bench:replay -- [--events 20000] [--runs 5] [--rss-events 1000000] [--no-rss]
import { fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildDelivery, prepareEnvelope } from '../dist/src/index.js';
import { DOCUMENTED_TYPES } from './documented-types.js';
import { bin, dataDir, describeMachine, fmtRatio, median, pairwiseRatio, peakRss, root, time, writeResults } from './lib.js';

const args = { events: 20_000, runs: 5, rssEvents: 1_000_000, rss: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  if (flag === '--events') args.events = Number(argv[++i]);
  else if (flag === '--runs') args.runs = Number(argv[++i]);
  else if (flag === '--rss-events') args.rssEvents = Number(argv[++i]);
  else if (flag === '--no-rss') args.rss = false;
  else throw new Error(`unknown argument ${flag}`);
}
const N = args.events;
const CONCURRENCIES = [1, 8, 32];
const KEY = 'bench-encrypt-key';
mkdirSync(dataDir, { recursive: true });

// Input: the hand-written types' samples, cycled to N events.
const samples = [];
for (const type of readdirSync(join(root, 'samples')).filter((t) => DOCUMENTED_TYPES.includes(t))) {
  for (const file of readdirSync(join(root, 'samples', type))) samples.push(JSON.stringify(JSON.parse(readFileSync(join(root, 'samples', type, file), 'utf8'))));
}
const eventsFile = join(dataDir, `replay-events-${N}.ndjson`);
writeFileSync(eventsFile, `${Array.from({ length: N }, (_, i) => samples[i % samples.length]).join('\n')}\n`);

const server = fork(join(root, 'bench', 'minimal-server.js'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}/webhook/event`;

// The same bodies for the baseline: encrypted + signed, built ahead (so the baseline does no crypto at all).
const deliveriesFile = join(dataDir, `replay-deliveries-${N}.ndjson`);
{
  const fd = openSync(deliveriesFile, 'w');
  for (let i = 0; i < N; i++) {
    writeSync(fd, `${JSON.stringify(buildDelivery(prepareEnvelope(JSON.parse(samples[i % samples.length])), { url, encryptKey: KEY }))}\n`);
  }
  closeSync(fd);
}

function runReplay(concurrency, file = eventsFile, count = N) {
  const { ms, cpuMs: cpu, result } = time(process.execPath, [bin, 'replay', file, '--to', url, '--encrypt-key', KEY, '--concurrency', String(concurrency), '--json'], {
    stdout: 'pipe',
    stderr: 'pipe',
    expect: [0],
  });
  const summary = JSON.parse(result.stdout.toString().trim().split('\n').at(-1));
  if (summary.delivered !== count) throw new Error(`replay delivered ${summary.delivered} of ${count}`);
  return { wallMs: ms, cpuMs: cpu, deliveryMs: summary.elapsed_ms, p50: summary.p50_ms, p95: summary.p95_ms };
}

function runBaseline(concurrency) {
  const { ms, cpuMs, result } = time(process.execPath, [join(root, 'bench', 'undici-baseline.js'), url, deliveriesFile, String(concurrency)], { stdout: 'pipe', expect: [0] });
  return { wallMs: ms, cpuMs, loopMs: JSON.parse(result.stdout.toString()).ms };
}

runBaseline(8); // warm-up: first connections, page cache
runReplay(8);
const rate = (ms) => (N / ms) * 1000;
const results = [];
const f = (x) => Math.round(x).toLocaleString('en-US');
console.log(`feishu-events replay — ${describeMachine()}`);
console.log(`${f(N)} deliveries, encrypted + signed, to a minimal node http server on 127.0.0.1; ${args.runs} runs each, alternated;`);
console.log('ratio = median of the pairwise ratios of delivery rates (replay run ÷ the undici run just before it)');
for (const c of CONCURRENCIES) {
  const base = [];
  const ours = [];
  for (let run = 0; run < args.runs; run++) {
    base.push(runBaseline(c));
    ours.push(runReplay(c));
  }
  const wallRatio = pairwiseRatio(base.map((b) => b.wallMs), ours.map((o) => o.wallMs));
  const loopRatio = pairwiseRatio(base.map((b) => b.loopMs), ours.map((o) => o.deliveryMs));
  // CPU time of the whole process (the encoding worker included) per run, replay's over undici's: 1.25 is what a 0.8× rate costs.
  const cpuRatio = base.every((b) => Number.isFinite(b.cpuMs)) && ours.every((o) => Number.isFinite(o.cpuMs)) ? pairwiseRatio(ours.map((o) => o.cpuMs), base.map((b) => b.cpuMs)) : undefined;
  const row = {
    concurrency: c,
    undiciRate: median(base.map((b) => rate(b.wallMs))),
    replayRate: median(ours.map((o) => rate(o.wallMs))),
    undiciLoopRate: median(base.map((b) => rate(b.loopMs))),
    replayDeliveryRate: median(ours.map((o) => rate(o.deliveryMs))),
    ratio: wallRatio,
    loopRatio,
    cpuRatio,
    p50: median(ours.map((o) => o.p50)),
    p95: median(ours.map((o) => o.p95)),
    runs: { undici: base, replay: ours },
  };
  results.push(row);
  console.log(`  c=${String(c).padEnd(3)} raw undici loop ${f(row.undiciRate).padStart(7)}/s   feishu-events replay ${f(row.replayRate).padStart(7)}/s   ` +
    `${fmtRatio(wallRatio)} of undici${c === 1 ? '' : ' (target ≥ 0.80×)'}   [CPU time ${cpuRatio === undefined ? 'n/a' : fmtRatio(cpuRatio)} undici's; sending only: ${f(row.undiciLoopRate)}/s vs ${f(row.replayDeliveryRate)}/s, ${fmtRatio(loopRatio)}; p50 ${row.p50} ms, p95 ${row.p95} ms]`);
}

let memory;
if (args.rss) {
  const big = join(dataDir, `replay-events-${args.rssEvents}.ndjson`);
  if (!existsSync(big) || statSync(big).size === 0) {
    const fd = openSync(big, 'w');
    let buffer = '';
    for (let i = 0; i < args.rssEvents; i++) {
      buffer += `${samples[i % samples.length]}\n`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    writeSync(fd, buffer);
    closeSync(fd);
  }
  const run = peakRss([process.execPath, bin, 'replay', big, '--to', url, '--encrypt-key', KEY, '--concurrency', '32', '--json'], [0]);
  const summary = JSON.parse(run.stdout.toString().trim().split('\n').at(-1));
  memory = { events: args.rssEvents, fileMb: statSync(big).size / 1024 / 1024, peakRssMb: run.mb, ms: run.ms, delivered: summary.delivered, how: run.how };
  console.log(`\nmemory: replay of ${f(args.rssEvents)} events (${memory.fileMb.toFixed(0)} MB NDJSON), c=32: peak RSS ${run.mb.toFixed(1)} MB via ${run.how}, ` +
    `${f(summary.delivered)} delivered in ${(run.ms / 1000).toFixed(1)} s (target ≤ 150 MB)`);
  if (summary.delivered !== args.rssEvents) throw new Error(`replay delivered ${summary.delivered} of ${args.rssEvents}`);
}
server.send('stop');

// The headline: the targets of the issue, and nothing else.
const at = (c) => results.find((r) => r.concurrency === c);
console.log('\nheadline (targets: ≥ 0.80× the raw undici loop at c=8 and c=32; ≤ 150 MB peak RSS for 1,000,000 deliveries):');
for (const c of [8, 32]) {
  const row = at(c);
  console.log(`  c=${c}: ${fmtRatio(row.ratio)} of the raw undici loop's rate (median of ${args.runs} alternated pairs; CPU time ${row.cpuRatio === undefined ? 'n/a' : fmtRatio(row.cpuRatio)} its)`);
}
if (memory) console.log(`  peak RSS for ${f(memory.events)} deliveries: ${memory.peakRssMb.toFixed(0)} MB`);
else console.log('  peak RSS: not measured (--no-rss)');
const previous = writeResults('replay', { args, concurrency: results, memory });
if (previous?.concurrency) console.log(`last run: ${previous.concurrency.map((r) => `c=${r.concurrency} ${r.ratio.toFixed(2)}×`).join(', ')}${previous.memory ? `, ${previous.memory.peakRssMb.toFixed(0)} MB` : ''}`);
