#!/usr/bin/env node
// Measures `feishu-events tail --json > /dev/null` receiving events from a local gateway, next to a bare WSClient
// that only counts them (the ceiling), and the terminal UI's memory after 20,000 events. Prints figures and ratios.
//
//   npm run bench:tail                 # 20,000 events, 64 pushes in flight
//   BENCH_N=50000 npm run bench:tail
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

// The terminal UI's memory: the real TailApp rendered at 80×24 into a throwaway stream, 20,000 events through it.
const memory = await new Promise((resolve, reject) => {
  const child = spawn(process.execPath, ['--expose-gc', join(root, 'bench', 'tail-ui-memory.js'), String(20_000)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`tail-ui-memory exited ${code}: ${err}`))));
});

const f = (x) => Math.round(x).toLocaleString('en-US');
console.log(`tail throughput: ${f(N)} events pushed by a local gateway, ${IN_FLIGHT} in flight, median of ${ROUNDS}`);
console.log(`  bare WSClient that only counts (ceiling)   ${f(median(bare))} events/s`);
console.log(`  feishu-events tail --json > /dev/null      ${f(median(tail))} events/s   (${(median(tail) / median(bare)).toFixed(2)} of the ceiling)`);
console.log(`terminal UI after ${f(memory.events)} events (keeps the newest ${f(memory.kept)})`);
console.log(`  heap used ${memory.heapMB.toFixed(1)} MB · RSS ${memory.rssMB.toFixed(1)} MB (before the events: heap ${memory.heapBeforeMB.toFixed(1)} MB, RSS ${memory.rssBeforeMB.toFixed(1)} MB)`);
