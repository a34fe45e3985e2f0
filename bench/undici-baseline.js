// The ceiling for bench/replay.js: a plain undici loop POSTing prepared bodies at a fixed concurrency.
// Usage: node bench/undici-baseline.js <url> <deliveries.ndjson> <concurrency>   → prints {"n","ms"}
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const [url, file, concurrencyText] = process.argv.slice(2);
const deliveries = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const concurrency = Number(concurrencyText);
const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
let next = 0;
const started = performance.now();
async function worker() {
  while (next < deliveries.length) {
    const d = deliveries[next++];
    const res = await request(url, { method: 'POST', headers: d.headers, body: d.body, dispatcher });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const ms = performance.now() - started;
await dispatcher.close();
process.stdout.write(`${JSON.stringify({ n: deliveries.length, ms })}\n`);
