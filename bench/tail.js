#!/usr/bin/env node
// Measures `feishu-events tail --json > /dev/null` receiving events from a local gateway, next to a bare WSClient
// that only counts them (the ceiling); then, with events sent one at a time, tail --json against the terminal UI
// (in a pseudo-terminal) and the UI's memory after 200,000 events. Prints figures and ratios.
//
//   npm run bench:tail                 # 20,000 events 64 in flight; 200,000 one at a time
//   BENCH_N=50000 BENCH_ONE_N=20000 npm run bench:tail
//   BENCH_PAIRS=3 npm run bench:tail   # three pairs of one-at-a-time runs (tail --json, then the UI); the median ratio
import { spawn } from 'node:child_process';
import { openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareEnvelope, startGateway } from '../dist/src/index.js';
import { DOCUMENTED_TYPES } from './documented-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'feishu-events.js');
const N = Number(process.env.BENCH_N ?? 20_000);
const IN_FLIGHT = 64;

const samples = [];
for (const type of readdirSync(join(root, 'samples')).filter((t) => DOCUMENTED_TYPES.includes(t))) {
  for (const file of readdirSync(join(root, 'samples', type))) samples.push(JSON.parse(readFileSync(join(root, 'samples', type, file), 'utf8')));
}
const events = Array.from({ length: N }, (_, i) => prepareEnvelope(samples[i % samples.length]));

function waitForLine(stream, pattern) {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d) => {
      text += d;
      if (pattern.test(text)) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.setEncoding('utf8').on('data', onData);
  });
}

async function pushAll(gateway) {
  let next = 0;
  let acked = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < events.length) {
        const result = await gateway.push(events[next++], { timeoutMs: 30_000 });
        if (result.ack_code === 200) acked++;
      }
    }),
  );
  return { ms: performance.now() - started, acked };
}

async function measure(label, command, args, readyPattern, ready) {
  const gateway = await startGateway({ ackTimeoutMs: 30_000, redeliver: false });
  const devnull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [...args.map((a) => a.replace('$DOMAIN', gateway.domain))], {
    stdio: ['ignore', command === 'tail' ? devnull : 'pipe', 'pipe'],
  });
  await waitForLine(ready === 'stdout' ? child.stdout : child.stderr, readyPattern);
  const { ms, acked } = await pushAll(gateway);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('close', resolve));
  await gateway.close();
  if (acked !== N) throw new Error(`${label}: ${acked} of ${N} acked`);
  return (N / ms) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 3;
const bare = [];
const tail = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(await measure('bare WSClient', 'bare', [join(root, 'bench', 'ws-counter.js'), '$DOMAIN'], /ready/, 'stdout'));
  tail.push(
    await measure('tail', 'tail', [bin, 'tail', '--json', '--app-id', 'cli_a1b2c3d4e5f60718', '--app-secret', 'bench', '--domain', '$DOMAIN'], /: connected/, 'stderr'),
  );
}

// One at a time, as the long connection delivers them: each push waits for its ack before the next. The UI runs in
// a real pseudo-terminal (util-linux `script`, 80×24); its RSS is read from /proc after the last event.
const ONE_N = Number(process.env.BENCH_ONE_N ?? 200_000);

/** The deepest descendant of `pid` (script → node, the UI). */
function childPid(pid) {
  for (;;) {
    let next;
    try {
      next = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || undefined;
    } catch {
      next = undefined;
    }
    if (next === undefined) return pid;
    pid = next;
  }
}

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

async function oneAtATime(ui) {
  const gateway = await startGateway({ ackTimeoutMs: 30_000, redeliver: false });
  const tailArgs = [bin, 'tail', '--app-id', 'cli_a1b2c3d4e5f60718', '--app-secret', 'bench', '--domain', gateway.domain];
  let child;
  let pid;
  if (ui) {
    const command = `stty cols 80 rows 24; exec ${[process.execPath, ...tailArgs].map((a) => `'${a}'`).join(' ')}`;
    child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm-256color' } });
    const connected = waitForLine(child.stdout, /● connected/);
    child.stdout.on('data', () => {});
    child.stderr.resume();
    await connected;
  } else {
    child = spawn(process.execPath, [...tailArgs, '--json'], { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] });
    await waitForLine(child.stderr, /^ready app=/m);
    child.stderr.on('data', () => {});
  }
  pid = ui ? childPid(child.pid) : child.pid;
  let acked = 0;
  const checkpoints = [];
  const started = performance.now();
  for (let i = 0; i < ONE_N; i++) {
    if (i > 0 && i % Math.round(ONE_N / 4) === 0 && pid) checkpoints.push({ events: i, ...memoryOf(pid) });
    const result = await gateway.push(events[i % events.length], { timeoutMs: 30_000 });
    if (result.ack_code === 200) acked++;
    else if (process.env.BENCH_DEBUG) console.error(i, JSON.stringify(result));
  }
  const ms = performance.now() - started;
  // Let the last frame draw, then read the UI's memory.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const memory = pid ? memoryOf(pid) : { rssMB: NaN, peakMB: NaN };
  const exited = new Promise((resolve) => child.on('close', resolve));
  if (ui) child.stdin.write('q');
  else child.kill('SIGTERM');
  await exited;
  await gateway.close();
  if (acked !== ONE_N) throw new Error(`${ui ? 'UI' : 'tail --json'}: ${acked} of ${ONE_N} acked`);
  return { rate: (ONE_N / ms) * 1000, ...memory, checkpoints };
}

// Pairs of runs, tail --json then the UI, one after the other: on a shared machine the load changes from minute to
// minute, and a ratio taken within a pair is fairer than one of two medians (BENCH_PAIRS, default 1).
const PAIRS = Number(process.env.BENCH_PAIRS ?? 1);
const pairs = [];
for (let i = 0; i < PAIRS; i++) pairs.push({ json: await oneAtATime(false), ui: await oneAtATime(true) });
const byRatio = [...pairs].sort((a, b) => a.ui.rate / a.json.rate - b.ui.rate / b.json.rate);
const { json: json1, ui: ui1 } = byRatio[Math.floor(byRatio.length / 2)];

const f = (x) => Math.round(x).toLocaleString('en-US');
console.log(`tail throughput: ${f(N)} events pushed by a local gateway, ${IN_FLIGHT} in flight, median of ${ROUNDS}`);
console.log(`  bare WSClient that only counts (ceiling)   ${f(median(bare))} events/s`);
console.log(`  feishu-events tail --json > /dev/null      ${f(median(tail))} events/s   (${(median(tail) / median(bare)).toFixed(2)} of the ceiling)`);
console.log(`one at a time (each push waits for its ack, as the long connection delivers): ${f(ONE_N)} events${PAIRS > 1 ? `, the median of ${PAIRS} pairs` : ''}`);
console.log(`  feishu-events tail --json > /dev/null      ${f(json1.rate)} events/s   RSS ${json1.rssMB.toFixed(0)} MB (peak ${json1.peakMB.toFixed(0)} MB)`);
console.log(`  terminal UI in a pty, 80×24                ${f(ui1.rate)} events/s   (${(ui1.rate / json1.rate).toFixed(2)}× tail --json; aim ≥ 0.8)`);
console.log(`  terminal UI memory after ${f(ONE_N)} events   RSS ${ui1.rssMB.toFixed(0)} MB (peak ${ui1.peakMB.toFixed(0)} MB; aim < 200 MB)`);
console.log(`  terminal UI RSS along the way             ${ui1.checkpoints.map((c) => `${f(c.events)}: ${c.rssMB.toFixed(0)} MB`).join(' · ')}`);
if (PAIRS > 1) {
  console.log(`  each pair (tail --json → UI, run one after the other): ${pairs.map((p) => `${f(p.json.rate)} → ${f(p.ui.rate)} (${(p.ui.rate / p.json.rate).toFixed(2)}×, ${p.ui.rssMB.toFixed(0)} MB)`).join(' · ')}`);
}
