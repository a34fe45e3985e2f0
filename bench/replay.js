#!/usr/bin/env node
// Measures replay throughput (encrypted + signed, concurrency 32) against a minimal local http server, next to a
// plain undici loop sending the same kind of bodies at the same concurrency (the ceiling), and the start-up time
// of `feishu-events --version` next to bare `node -e ''`. Prints figures and ratios; asserts nothing.
//
//   npm run bench:replay              # 20,000 deliveries
//   BENCH_N=50000 npm run bench:replay
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDelivery, prepareEnvelope } from '../dist/src/index.js';
import { DOCUMENTED_TYPES } from './documented-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'feishu-events.js');
const dataDir = join(root, 'bench', '.data');
mkdirSync(dataDir, { recursive: true });
const N = Number(process.env.BENCH_N ?? 20_000);
const CONCURRENCY = 32;
const KEY = 'bench-encrypt-key';

// Input: the bundled samples, cycled to N events.
const samples = [];
for (const type of readdirSync(join(root, 'samples')).filter((t) => DOCUMENTED_TYPES.includes(t))) {
  for (const file of readdirSync(join(root, 'samples', type))) samples.push(readFileSync(join(root, 'samples', type, file), 'utf8'));
}
const events = Array.from({ length: N }, (_, i) => JSON.stringify(JSON.parse(samples[i % samples.length])));
const eventsFile = join(dataDir, 'replay-events.ndjson');
writeFileSync(eventsFile, `${events.join('\n')}\n`);

const server = fork(join(root, 'bench', 'minimal-server.js'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}/webhook/event`;

// The same kind of bodies for the baseline: encrypted + signed, built ahead (so the baseline does no crypto at all).
const deliveriesFile = join(dataDir, 'replay-deliveries.ndjson');
writeFileSync(
  deliveriesFile,
  `${events.map((e) => JSON.stringify(buildDelivery(prepareEnvelope(JSON.parse(e)), { url, encryptKey: KEY }))).join('\n')}\n`,
);

function runReplay() {
  const started = performance.now();
  const out = execFileSync(process.execPath, [bin, 'replay', eventsFile, '--to', url, '--encrypt-key', KEY, '--concurrency', String(CONCURRENCY), '--json'], {
    maxBuffer: 1 << 30,
  }).toString();
  const wall = performance.now() - started;
  const summary = JSON.parse(out.trim().split('\n').at(-1));
  if (summary.delivered !== N) throw new Error(`replay delivered ${summary.delivered} of ${N}`);
  return { deliveryMs: summary.elapsed_ms, wallMs: wall, p50: summary.p50_ms, p95: summary.p95_ms };
}

function runBaseline() {
  const started = performance.now();
  const out = execFileSync(process.execPath, [join(root, 'bench', 'undici-baseline.js'), url, deliveriesFile, String(CONCURRENCY)]).toString();
  const wall = performance.now() - started;
  return { loopMs: JSON.parse(out).ms, wallMs: wall };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 3;
runBaseline(); // warm-up: first connections, page cache
const replayRuns = [];
const baselineRuns = [];
for (let i = 0; i < ROUNDS; i++) {
  baselineRuns.push(runBaseline());
  replayRuns.push(runReplay());
}
server.send('stop');

const rate = (ms) => (N / ms) * 1000;
const replayRate = median(replayRuns.map((r) => rate(r.deliveryMs)));
const replayWallRate = median(replayRuns.map((r) => rate(r.wallMs)));
const baselineRate = median(baselineRuns.map((r) => rate(r.loopMs)));
const baselineWallRate = median(baselineRuns.map((r) => rate(r.wallMs)));

function startup(args) {
  const times = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(performance.now() - started);
  }
  return median(times);
}
const bare = startup(['-e', '']);
const version = startup([bin, '--version']);
const help = startup([bin, 'replay', '--help']);

const f = (x) => Math.round(x).toLocaleString('en-US');
console.log(`replay throughput: ${f(N)} deliveries, encrypted + signed, concurrency ${CONCURRENCY}, minimal node http server on 127.0.0.1 (median of ${ROUNDS})`);
console.log(`  plain undici loop (ceiling)     ${f(baselineRate)} deliveries/s   (whole process: ${f(baselineWallRate)}/s)`);
console.log(`  feishu-events replay            ${f(replayRate)} deliveries/s   (whole process: ${f(replayWallRate)}/s; p50 ${median(replayRuns.map((r) => r.p50))} ms, p95 ${median(replayRuns.map((r) => r.p95))} ms)`);
console.log(`  ratio                           ${(replayRate / baselineRate).toFixed(2)} of the ceiling   (whole process: ${(replayWallRate / baselineWallRate).toFixed(2)})`);
console.log(`start-up (median of 15)`);
console.log(`  node -e ''                      ${bare.toFixed(1)} ms`);
console.log(`  feishu-events --version         ${version.toFixed(1)} ms   (${(version / bare).toFixed(2)}× bare node)`);
console.log(`  feishu-events replay --help     ${help.toFixed(1)} ms   (${(help / bare).toFixed(2)}× bare node)`);
